"""Staff configuration: city facts, the category menu and the wording of every prompt.

The bundled `default_config.toml` is always loaded first; a staff file (`INTAKE_CONFIG`)
overrides what it names, so a new prompt key added by an upgrade still has wording.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from conversation import Ask, Category, Say

from .settings import PACKAGE_DIR

DEFAULT_CONFIG = PACKAGE_DIR / "default_config.toml"
VOICE_LANGUAGES = {"en": "en-US", "es": "es-US"}


class ConfigError(Exception):
    """The staff configuration file is unreadable or incomplete; the message says where."""


@dataclass(frozen=True)
class StaffConfig:
    city: dict[str, str]
    menu: tuple[Category, ...]
    prompts: dict[str, Any]
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)
    pronunciations: dict[str, str] = field(default_factory=dict)
    tries: int = 3
    server_services: str = "words"  # services only the server lists: words | list | none
    hidden: tuple[str, ...] = ()

    @property
    def agent_number(self) -> str | None:
        return self.city.get("agent_number") or None

    def agent_open(self, now: datetime) -> bool:
        """Whether calls can be transferred at `now` (any timezone-aware time)."""
        if not self.agent_number:
            return False
        spec = self.city.get("agent_hours", "").strip()
        if not spec:
            return True
        local = now.astimezone(ZoneInfo(self.city.get("timezone") or "UTC"))
        return any(window_contains(w, local) for w in spec.split(";") if w.strip())

    def wording(self, channel: str) -> Wording:
        return Wording(self, channel)


class Wording:
    """Turns prompt keys into text for one channel, falling back to English, never failing."""

    def __init__(self, config: StaffConfig, channel: str) -> None:
        self.config = config
        self.channel = channel

    def template(self, lang: str, key: str) -> str:
        for language in (lang, "en"):
            table = self.config.prompts.get(language, {})
            for scope in (table.get(self.channel, {}), table):
                value = scope.get(key)
                if isinstance(value, str):
                    return value
        return ""

    def text(self, lang: str, action: Say | Ask, **extra: str) -> str:
        key = action.prompt
        template = ""
        if isinstance(action, Ask) and action.attempt >= 2:
            template = self.template(lang, key + ".retry")
        template = template or self.template(lang, key)
        params = {"city": self.config.city.get("name", ""), **self.config.city, **action.params,
                  **extra}
        if isinstance(action, Ask) and action.options:
            option = self.template(lang, key + ".option") or "{digit} {name}"
            params["options"] = " ".join(
                option.format(digit=d, name=n, label=n) for d, n in action.options
            )
        return template.format_map(_Missing(params)).strip()


class _Missing(dict[str, str]):
    """Leaves unknown placeholders visible instead of raising in front of a resident."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def window_contains(window: str, local: datetime) -> bool:
    """'Mon-Fri 08:00-17:00' contains a local time? Raises ConfigError when malformed."""
    try:
        days, hours = window.split()
        first, _, last = days.lower().partition("-")
        start_day, end_day = DAYS.index(first[:3]), DAYS.index((last or first)[:3])
        opens, closes = (time.fromisoformat(h) for h in hours.split("-"))
    except ValueError as exc:
        raise ConfigError(f"agent_hours entry {window.strip()!r} is not like "
                          "'Mon-Fri 08:00-17:00'") from exc
    return start_day <= local.weekday() <= end_day and opens <= local.time() < closes


def load_config(path: Path | None = None) -> StaffConfig:
    """Read the defaults, then the staff file over them."""
    data = _read(DEFAULT_CONFIG)
    if path is not None:
        staff = _read(path)
        data["city"] = {**data["city"], **staff.get("city", {})}
        data["menu"] = {**data.get("menu", {}), **staff.get("menu", {})}
        data["conversation"] = {**data.get("conversation", {}), **staff.get("conversation", {})}
        data["pronunciations"] = {**data.get("pronunciations", {}),
                                  **staff.get("pronunciations", {})}
        if "categories" in staff:
            data["categories"] = staff["categories"]
        for lang, table in staff.get("prompts", {}).items():
            merged = data["prompts"].setdefault(lang, {})
            for key, value in table.items():
                if isinstance(value, dict):
                    merged.setdefault(key, {}).update(value)
                else:
                    merged[key] = value
    try:
        menu = tuple(
            Category(
                code=str(c["code"]),
                digit=str(c["digit"]),
                names={k: str(v) for k, v in c["names"].items()},
                keywords={k: tuple(v) for k, v in c.get("keywords", {}).items()},
            )
            for c in data["categories"]
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{path or DEFAULT_CONFIG}: each category needs code, digit and names"
                          f" ({exc!r})") from exc
    digits = [c.digit for c in menu]
    if len(set(digits)) != len(digits) or any(d in ("0", "9", "*", "#") for d in digits):
        raise ConfigError("category digits must be unique and not 0, 9, * or # (reserved)")
    city = {k: str(v) for k, v in data["city"].items()}
    questions = {str(c["code"]): dict(c.get("questions", {})) for c in data["categories"]}
    pronunciations = {str(k): str(v) for k, v in data.get("pronunciations", {}).items()}
    tries = int(data.get("conversation", {}).get("tries", 3))
    if not 1 <= tries <= 9:
        raise ConfigError("[conversation] tries must be between 1 and 9")
    menu_table = data.get("menu", {})
    server_services = str(menu_table.get("server_services", "words"))
    if server_services not in ("words", "list", "none"):
        raise ConfigError('[menu] server_services must be "words", "list" or "none"')
    config = StaffConfig(city=city, menu=menu, prompts=data["prompts"], questions=questions,
                         pronunciations=pronunciations, tries=tries,
                         server_services=server_services,
                         hidden=tuple(str(h) for h in menu_table.get("hide", ())))
    try:
        ZoneInfo(city.get("timezone") or "UTC")
        config.agent_open(datetime.now(ZoneInfo("UTC")))
    except ZoneInfoNotFoundError as exc:
        raise ConfigError(f"unknown timezone {city.get('timezone')!r}") from exc
    return config


def _read(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read configuration file {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"configuration file {path} is not valid TOML: {exc}") from exc

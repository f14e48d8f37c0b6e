"""Staff configuration: city facts, the category menu and the wording of every prompt.

The bundled `default_config.toml` is always loaded first; a staff file (`INTAKE_CONFIG`)
overrides what it names, so a new prompt key added by an upgrade still has wording. The file
is checked against one schema (`staff_schema`) before anything is used; `LiveConfig` swaps in
a changed file only when it checks clean, so a typo never reaches a caller.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from conversation import WITH_OPTIONS, Ask, Category, Say

from .settings import Settings
from .staff_schema import DEFAULT_CONFIG, CheckResult, check_file, check_text, parse_window

__all__ = ["DEFAULT_CONFIG", "ConfigError", "LiveConfig", "StaffConfig", "Wording", "checked",
           "config_from_text", "load_config", "staff_path", "window_contains"]

CONSOLE_FILE = "staff.toml"  # the console's staff file under var/ when INTAKE_CONFIG is unset
log = logging.getLogger(__name__)


class ConfigError(Exception):
    """The staff file is unreadable or wrong; the message lists every problem, with its line."""

    def __init__(self, message: str, result: CheckResult | None = None) -> None:
        super().__init__(message)
        self.result = result


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
    languages: tuple[str, ...] = ("en", "es")  # offered to residents, the city's main one first
    other: str | None = None  # the catch-all service for problems no category names
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

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

    def category_name(self, code: str, lang: str) -> str:
        """What residents call the service `code` (in status texts and replies)."""
        for category in self.menu:
            if category.code == code:
                return category.names.get(lang) or category.names.get("en") or code
        return code.replace("_", " ").lower()


class Wording:
    """Turns prompt keys into text for one channel, falling back to English, never failing."""

    def __init__(self, config: StaffConfig, channel: str) -> None:
        self._config = config
        self.channel = channel

    @property
    def config(self) -> StaffConfig:
        return self._config

    def template(self, lang: str, key: str) -> str:
        for language in (lang, "en"):
            table = self.config.prompts.get(language, {})
            for scope in (table.get(self.channel, {}), table):
                value = scope.get(key)
                if isinstance(value, str):
                    return value
        return ""

    def strict_text(self, lang: str, action: Say | Ask, **extra: str) -> str:
        """`text`, but a placeholder left unfilled is a ConfigError (used when loading)."""
        unfilled: list[str] = []
        text = self._render(lang, action, extra, unfilled)
        if unfilled:
            raise ConfigError(f"would show {', '.join('{' + k + '}' for k in unfilled)} "
                              f"unfilled: {text!r}")
        return text

    def text(self, lang: str, action: Say | Ask, **extra: str) -> str:
        return self._render(lang, action, extra, None)

    def _render(self, lang: str, action: Say | Ask, extra: dict[str, str],
                unfilled: list[str] | None) -> str:
        key = action.prompt
        template = ""
        # a question with nothing to choose from (a server's number or text attribute) has a
        # "<key>.free" wording; the others always have options (a menu without digits is
        # refused when it is loaded: `catalogue.check_menu_prompts`)
        free = (isinstance(action, Ask) and not action.options and key in WITH_OPTIONS
                and bool(self.template(lang, key + ".free")))
        if isinstance(action, Ask) and action.attempt >= 2:
            template = self.template(lang, key + ".retry")
        if free and not template:
            template = self.template(lang, key + ".free")
        template = template or self.template(lang, key)
        params = {"city": self.config.city.get("name", ""), **self.config.city, **action.params,
                  **extra}
        if free:
            params.setdefault("options", "")
        if isinstance(action, Ask) and action.options:
            option = self.template(lang, key + ".option") or "{digit} {name}"
            params["options"] = " ".join(
                option.format(digit=d, name=n, label=n) for d, n in action.options
            )
        text = template.format_map(_Missing(params, unfilled)).strip()
        if template.startswith("{") and not template.startswith("{city"):
            text = text[:1].upper() + text[1:]  # "{problem} at {address}": "Pothole at ..."
        return text


class _Missing(dict[str, str]):
    """Leaves unknown placeholders visible instead of raising in front of a resident."""

    def __init__(self, params: dict[str, str], unfilled: list[str] | None = None) -> None:
        super().__init__(params)
        self.unfilled = unfilled

    def __missing__(self, key: str) -> str:
        if self.unfilled is not None:
            self.unfilled.append(key)
        return "{" + key + "}"


def window_contains(window: str, local: datetime) -> bool:
    """'Mon-Fri 08:00-17:00' contains a local time? Raises ConfigError when malformed."""
    try:
        start_day, end_day, opens, closes = parse_window(window)
    except ValueError as exc:
        raise ConfigError(f"agent_hours entry {window.strip()!r} is not like "
                          "'Mon-Fri 08:00-17:00'") from exc
    return start_day <= local.weekday() <= end_day and opens <= local.time() < closes


def staff_path(settings: Settings) -> tuple[Path, bool]:
    """The staff file and whether it must exist.

    INTAKE_CONFIG when set; otherwise `var/staff.toml`, which the console writes on the first
    change (the bundled wording alone is used until then).
    """
    if settings.config_path is not None:
        return settings.config_path, True
    return settings.var_dir / CONSOLE_FILE, False


def checked(path: Path | None = None, *, required: bool = True) -> CheckResult:
    """The staff file (or, without one, the bundled file) checked against the schema."""
    if path is None or (not required and not path.exists()):
        return check_file(DEFAULT_CONFIG)
    return check_file(path)


def load_config(path: Path | None = None, *, required: bool = True) -> StaffConfig:
    """Read the defaults, then the staff file over them; ConfigError lists every problem."""
    return build(checked(path, required=required))


def config_from_text(text: str, source: str = "draft") -> StaffConfig:
    """A configuration from staff-file text that is not (yet) on disk: a console draft."""
    return build(check_text(text, source))


def build(result: CheckResult) -> StaffConfig:
    if result.data is None:
        raise ConfigError(result.report(), result)
    data = result.data
    menu = tuple(
        Category(
            code=str(c["code"]),
            digit=str(c["digit"]),
            names={k: str(v) for k, v in c["names"].items()},
            keywords={k: tuple(v) for k, v in c.get("keywords", {}).items()},
        )
        for c in data["categories"]
    )
    city = {k: str(v) for k, v in data["city"].items()}
    questions = {str(c["code"]): dict(c.get("questions", {})) for c in data["categories"]}
    menu_table = data.get("menu", {})
    conversation = data.get("conversation", {})
    return StaffConfig(
        city=city, menu=menu, prompts=data["prompts"], questions=questions,
        pronunciations={str(k): str(v) for k, v in data.get("pronunciations", {}).items()},
        tries=int(conversation.get("tries", 3)),
        server_services=str(menu_table.get("server_services", "words")),
        hidden=tuple(str(h) for h in menu_table.get("hide", ())),
        languages=tuple(str(x) for x in conversation.get("languages", ("en", "es"))),
        other=str(menu_table.get("other", "")).strip() or None,  # checked on the synced menu
        raw=data,
    )


class LiveConfig:
    """The configuration in use, replaced whole when its file changes and checks clean.

    Every reader asks for `current` (live wordings do so per prompt), so a call in progress
    simply carries on with the new wording; a file with errors is logged and left unused.
    """

    def __init__(self, config: StaffConfig, path: Path | None, *, required: bool = True
                 ) -> None:
        self.current = config
        self.path = path
        self.required = required
        self.rejected: CheckResult | None = None  # the last changed file that had errors
        self._listeners: list[Callable[[StaffConfig], None]] = []
        self._lock = threading.Lock()
        self._stamp = self._read_stamp()

    def wording(self, channel: str) -> Wording:
        return LiveWording(self, channel)

    def on_change(self, listener: Callable[[StaffConfig], None]) -> None:
        self._listeners.append(listener)

    def _read_stamp(self) -> str:
        if self.path is None:
            return ""
        try:
            return hashlib.sha256(self.path.read_bytes()).hexdigest()
        except FileNotFoundError:
            return "missing"
        except OSError:
            return "unreadable"

    def reload(self, *, force: bool = False) -> CheckResult | None:
        """Take the file up if it changed: the check's result, or None when unchanged."""
        if self.path is None:
            return None
        with self._lock:
            stamp = self._read_stamp()
            if stamp == self._stamp and not force:
                return None
            self._stamp = stamp
            result = checked(self.path, required=self.required)
            if result.data is None:
                self.rejected = result
                log.error("staff file %s changed but has errors; still using the previous "
                          "configuration:\n%s", self.path, result.report())
                return result
            new = build(result)
            self.current, self.rejected = new, None
            for listener in self._listeners:
                try:
                    listener(new)
                except Exception:  # one part failing to follow must not stop the others
                    log.exception("applying the reloaded staff file")
            log.info("staff file %s reloaded (%d warnings)", self.path, len(result.warnings))
            return result

    def watch(self, interval: float = 2.0) -> threading.Thread:
        """A daemon thread that looks at the file every `interval` seconds."""

        def loop() -> None:
            while not stop.wait(interval):
                try:
                    self.reload()
                except Exception:
                    log.exception("watching the staff file")

        stop = threading.Event()
        thread = threading.Thread(target=loop, name="staff-file", daemon=True)
        thread.start()
        return thread


class LiveWording(Wording):
    """A wording that always reads the configuration in use."""

    def __init__(self, live: LiveConfig, channel: str) -> None:
        self.live = live
        self.channel = channel

    @property
    def config(self) -> StaffConfig:
        return self.live.current

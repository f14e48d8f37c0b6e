"""The staff file's schema: one pydantic model for the whole TOML file, every problem at once.

What is known comes from the bundled `default_config.toml`: its prompt keys, the {fields}
each prompt's bundled wording uses in any language (plus the city's fields), and any table
or key it has that the models below do not spell out (typed like the bundled value). So a
prompt or setting added there is known here without a second list to keep in step.
"""

from __future__ import annotations

import difflib
import functools
import re
import string
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic_core import PydanticCustomError

from .settings import PACKAGE_DIR

DEFAULT_CONFIG = PACKAGE_DIR / "default_config.toml"
CHANNELS = ("voice", "sms")
OPTION_FIELDS = frozenset({"digit", "name", "label"})  # what Wording offers "<key>.option"
RESERVED_DIGITS = {"0": "talk to a person", "9": "none of these", "*": "start over",
                   "#": "end of input"}
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}
Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One mistake (or doubt) in the staff file: where, what, and how to fix it."""

    level: Literal["error", "warning"]
    path: Path_
    message: str
    fix: str = ""
    line: int | None = None

    @property
    def where(self) -> str:
        """The dotted key path, e.g. `categories[2].digit` or `prompts.en.sms.greeting`."""
        return dotted(self.path)

    def render(self, source: str) -> str:
        place = f"{source}:{self.line}" if self.line else source
        text = f"{place}: {self.level}: {self.where or '(file)'}: {self.message}"
        return text + (f"\n    fix: {self.fix}" if self.fix else "")


@dataclass(frozen=True)
class CheckResult:
    """The problems of one staff file and, when there are no errors, its data over the defaults."""

    source: str
    problems: tuple[Problem, ...]
    data: dict[str, Any] | None = None
    staff: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    def report(self) -> str:
        """Every problem, errors first, and a count: what check-config and serve print."""
        lines = [p.render(self.source) for p in (*self.errors, *self.warnings)]
        e, w = len(self.errors), len(self.warnings)
        lines.append(f"{self.source}: {e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}")
        return "\n".join(lines)


def dotted(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            shown = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else f'"{part}"'
            out += ("." if out else "") + shown
    return out


# ---- what the bundled file teaches ------------------------------------------------------


@functools.cache
def bundled() -> dict[str, Any]:
    with open(DEFAULT_CONFIG, "rb") as fh:
        return tomllib.load(fh)


def _prompt_tables(prompts: Mapping[str, Any]) -> Iterator[tuple[str, str | None, dict[str, Any]]]:
    """(language, channel or None, table) for every prompt table of a `prompts` mapping."""
    for lang, table in prompts.items():
        if not isinstance(table, dict):
            continue
        yield lang, None, {k: v for k, v in table.items() if not isinstance(v, dict)}
        for channel in CHANNELS:
            if isinstance(table.get(channel), dict):
                yield lang, channel, table[channel]


@functools.cache
def prompt_keys() -> frozenset[str]:
    """Every prompt key the bundled file words, in any language or channel."""
    return frozenset(k for _, _, t in _prompt_tables(bundled()["prompts"]) for k in t)


def fields_of(template: str) -> set[str]:
    """The placeholder names of a template; ValueError for a stray brace."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@functools.cache
def city_fields() -> frozenset[str]:
    """[city] values every prompt is given ({city} is its name; "name" would be ambiguous)."""
    return frozenset({"city", *City.model_fields, *bundled().get("city", {})} - {"name"})


@functools.cache
def offered(key: str) -> frozenset[str]:
    """Placeholders a prompt may use: its (and its base key's) bundled wording's, the city's."""
    base = key.split(".")[0]
    names: set[str] = set(city_fields())
    for _, _, table in _prompt_tables(bundled()["prompts"]):
        for k in (key, base):
            if isinstance(table.get(k), str):
                names |= fields_of(table[k])
    if key.endswith(".option"):
        names |= OPTION_FIELDS
    return frozenset(names)


def languages(data: Mapping[str, Any]) -> list[str]:
    """Languages residents are offered: a `languages` list if the file has one, else en and es."""
    for table in (data, data.get("conversation", {})):
        if isinstance(table, dict) and isinstance(table.get("languages"), list):
            return [str(x) for x in table["languages"]]
    return [k for k in bundled()["prompts"] if isinstance(bundled()["prompts"][k], dict)]


def language_name(lang: str) -> str:
    return LANGUAGE_NAMES.get(lang, lang)


def forget() -> None:
    """Drop what was learnt from the bundled file (tests that swap it in)."""
    for cached in (bundled, prompt_keys, city_fields, offered, prompts_model, staff_model):
        cached.cache_clear()


# ---- value checks (each raises a PydanticCustomError carrying its fix) ---------------------


def _bad(message: str, fix: str = "") -> PydanticCustomError:
    return PydanticCustomError("staff", message, {"fix": fix})


def _phone(value: str) -> str:
    if value and not re.fullmatch(r"\+[1-9]\d{6,14}", value):
        digits = re.sub(r"\D", "", value)
        example = ("+" + digits if len(digits) > 10 else "+1" + digits if len(digits) == 10
                   else "+15555550100")
        raise _bad(f"{value!r} is not a phone number in E.164 form (+, country code, number)",
                   f'write agent_number = "{example}"' + ("" if len(digits) >= 10 else
                                                          " with the area code"))
    return value


def parse_window(window: str) -> tuple[int, int, time, time]:
    """'Mon-Fri 08:00-17:00' -> (first day, last day, opens, closes); ValueError if malformed."""
    days, hours = window.split()
    first, _, last = days.lower().partition("-")
    start_day, end_day = DAYS.index(first[:3]), DAYS.index((last or first)[:3])
    opens, closes = (time.fromisoformat(h) for h in hours.split("-"))
    return start_day, end_day, opens, closes


def _hours(value: str) -> str:
    for window in (w for w in value.split(";") if w.strip()):
        try:
            parse_window(window)
        except ValueError:
            raise _bad(f"agent_hours entry {window.strip()!r} is not like 'Mon-Fri 08:00-17:00'",
                       'write days, a space, then hours: "Mon-Fri 08:00-17:00; Sat 09:00-12:00"'
                       ) from None
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        near = difflib.get_close_matches(value, _zones(), n=1)
        raise _bad(f"unknown timezone {value!r}",
                   f'did you mean "{near[0]}"?' if near else 'use a name like "America/Chicago"'
                   ) from None
    return value


@functools.cache
def _zones() -> list[str]:
    from zoneinfo import available_timezones

    return sorted(available_timezones())


def _digit(value: str) -> str:
    if value in RESERVED_DIGITS:
        raise _bad(f"digit {value} is reserved ({RESERVED_DIGITS[value]})",
                   "use one of 1 to 8")
    if not re.fullmatch(r"[1-8]", value):
        raise _bad(f"digit {value!r} is not one keypad key from 1 to 8", 'like digit = "5"')
    return value


def _keyword(value: str) -> str:
    if len(value.strip()) < 2:
        raise _bad(f"keyword {value!r} is a single letter: any message with it would choose "
                   "this category", "use whole words, e.g. keywords = { en = [\"trash\"] }")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise _bad("is empty", "write the words residents should hear or read")
    return value


def _placeholders(key: str) -> AfterValidator:
    def check(value: str) -> str:
        try:
            used = fields_of(value)
        except ValueError:
            raise _bad("has a { or } without its partner",
                       "write placeholders like {reference}; for a brace itself write {{ or }}"
                       ) from None
        unknown = sorted(used - offered(key))
        if unknown:
            allowed = sorted(offered(key) - {"timezone"})
            guesses = [[a for a in allowed if a.startswith(u) or u.startswith(a)]
                       or difflib.get_close_matches(u, allowed, n=1) for u in unknown]
            hint = "; ".join(f"{{{u}}}: did you mean {{{g[0]}}}?" for u, g in
                             zip(unknown, guesses, strict=True) if g)
            raise _bad(f"{', '.join('{' + u + '}' for u in unknown)} "
                       f"{'is' if len(unknown) == 1 else 'are'} not offered to this prompt",
                       (hint + " " if hint else "") + "this prompt can use: "
                       + " ".join("{" + a + "}" for a in allowed))
        return value

    return AfterValidator(check)


Phone = Annotated[str, AfterValidator(_phone)]
Hours = Annotated[str, AfterValidator(_hours)]
TimeZone = Annotated[str, AfterValidator(_timezone)]
Digit = Annotated[str, AfterValidator(_digit)]
Keyword = Annotated[str, AfterValidator(_keyword)]
Text = Annotated[str, AfterValidator(_not_blank)]


# ---- the models ------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False)


class City(_Strict):
    name: Text | None = None
    agent_number: Phone | None = None
    agent_display: str | None = None
    agent_hours: Hours | None = None
    timezone: TimeZone | None = None


class Menu(_Strict):
    server_services: Literal["words", "list", "none"] | None = None
    hide: list[str] | None = None
    other: str | None = None  # the catch-all service code; "" for none


class Conversation(_Strict):
    tries: Annotated[int, Field(ge=1, le=9)] | None = None
    languages: Annotated[list[Literal["en", "es"]], Field(min_length=1, max_length=2)] | None = None


class CategoryEntry(_Strict):
    code: Annotated[str, Field(min_length=1, pattern=r"^\S+$")]
    digit: Digit
    names: Annotated[dict[str, Text], Field(min_length=1)]
    keywords: dict[str, list[Keyword]] = Field(default_factory=dict)
    questions: dict[str, dict[str, Text]] = Field(default_factory=dict)


def _duplicates(categories: list[Any]) -> list[Problem]:
    """Digits and codes used twice, naming both categories (checked even when others fail)."""
    out: list[Problem] = []
    digits: dict[str, str] = {}
    codes: set[str] = set()
    for i, c in enumerate(categories):
        if not isinstance(c, dict):
            continue
        names: dict[str, Any] = c["names"] if isinstance(c.get("names"), dict) else {}
        shown = str(names.get("en") or c.get("code", f"categories[{i}]"))
        digit, code = c.get("digit"), c.get("code")
        if isinstance(digit, str) and digit:
            if digit in digits:
                out.append(Problem("error", ("categories", i, "digit"),
                                   f"digit {digit}: {digits[digit]!r} and {shown!r}",
                                   f"give {shown!r} a digit no other category uses"))
            digits.setdefault(digit, shown)
        if isinstance(code, str):
            if code in codes:
                out.append(Problem("error", ("categories", i, "code"),
                                   f"code {code!r} is used by two categories",
                                   "each category needs its own service code"))
            codes.add(code)
    return out


def _type_of(value: Any, name: str) -> Any:
    """A pydantic type for a key only the bundled file knows, shaped like its bundled value."""
    if isinstance(value, bool):
        return bool
    if isinstance(value, int):
        return int
    if isinstance(value, float):
        return float
    if isinstance(value, str):
        return str
    if isinstance(value, dict):
        return _model_like(value, name)
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            merged: dict[str, Any] = {}
            for v in value:
                merged.update(v)
            return list[_model_like(merged, name)]  # type: ignore[misc]
        kinds = {type(v) for v in value}
        return list[_type_of(value[0], name)] if len(kinds) == 1 else list[Any]  # type: ignore[misc]
    return Any


def _model_like(table: dict[str, Any], name: str) -> type[BaseModel]:
    fields: dict[str, Any] = {
        _ident(k, i): (_type_of(v, f"{name}_{i}") | None, Field(default=None, alias=k))
        for i, (k, v) in enumerate(table.items())
    }
    return create_model(name, __base__=_Strict, **fields)


def _ident(key: str, i: int) -> str:
    return key if key.isidentifier() and not key.startswith("_") else f"key_{i}"


def _extend(model: type[BaseModel], table: Any, name: str) -> type[BaseModel]:
    """`model` plus any key the bundled `table` has that the model does not spell out."""
    if not isinstance(table, dict):
        return model
    known = {f.alias or n for n, f in model.model_fields.items()}
    extra = {k: v for k, v in table.items() if k not in known}
    if not extra:
        return model
    fields: dict[str, Any] = {
        _ident(k, i): (_type_of(v, f"{name}_{i}") | None, Field(default=None, alias=k))
        for i, (k, v) in enumerate(extra.items())
    }
    return create_model(name, __base__=model, **fields)


@functools.cache
def prompts_model() -> type[BaseModel]:
    """One language's prompts: every bundled key, each with its own placeholder check."""
    fields: dict[str, Any] = {
        f"p{i}": (Annotated[str, _placeholders(k)] | None, Field(default=None, alias=k))
        for i, k in enumerate(sorted(prompt_keys()))
    }
    channel: Any = create_model("ChannelPrompts", __base__=_Strict, **fields)
    fields.update(voice=(channel | None, None), sms=(channel | None, None))
    return create_model("LanguagePrompts", __base__=_Strict, **fields)


@functools.cache
def staff_model() -> type[BaseModel]:
    """The whole staff file; every table optional (the bundled file fills in the rest)."""
    b = bundled()
    language: Any = prompts_model()
    category: Any = _extend(CategoryEntry, _merged_list(b.get("categories", [])), "Category")
    fields: dict[str, Any] = {
        "city": (_extend(City, b.get("city"), "CityTable") | None, None),
        "menu": (_extend(Menu, b.get("menu"), "MenuTable") | None, None),
        "conversation": (_extend(Conversation, b.get("conversation"), "ConversationTable")
                         | None, None),
        "pronunciations": (dict[str, Text] | None, None),
        "categories": (list[category] | None, None),
        "prompts": (dict[str, language] | None, None),
    }
    for i, (key, value) in enumerate(b.items()):
        if key not in fields:
            fields[_ident(key, i)] = (_type_of(value, f"Table_{i}") | None,
                                      Field(default=None, alias=key))
    return create_model("StaffFile", __base__=_Strict, **fields)


def _merged_list(entries: list[Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for e in entries:
        if isinstance(e, dict):
            merged.update(e)
    return merged


# ---- checking a file ---------------------------------------------------------------------


def check_file(path: Path) -> CheckResult:
    """Read and check a staff file; an unreadable file is one problem, not an exception."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return CheckResult(str(path), (Problem("error", (), f"cannot read the file: "
                                               f"{exc.strerror}",
                                               "check the path in INTAKE_CONFIG"),))
    except UnicodeDecodeError:
        return CheckResult(str(path), (Problem("error", (), "is not UTF-8 text",
                                               "save the file as UTF-8"),))
    return check_text(text, str(path))


def check_text(text: str, source: str = "staff file") -> CheckResult:
    """Every problem of a staff file's text at once, each with its line and a fix."""
    try:
        staff = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        return CheckResult(source, (Problem(
            "error", (), f"is not valid TOML: {exc}",
            'check quotes and brackets on that line: key = "text", [table], [[categories]]',
            int(match.group(1)) if match else None),))
    lines = key_lines(text)
    problems = [_locate(p, lines) for p in schema_problems(staff)]
    data = merge(bundled(), staff)
    problems += [_locate(p, lines) for p in merged_problems(data, staff)]
    problems.sort(key=lambda p: (p.level != "error", p.line or 0))
    errors = any(p.level == "error" for p in problems)
    return CheckResult(source, tuple(problems), None if errors else data, staff)


def schema_problems(staff: dict[str, Any]) -> list[Problem]:
    try:
        staff_model().model_validate(staff)
    except ValidationError as exc:
        return [_explain(err, staff) for err in exc.errors()]
    return []


def merge(defaults: dict[str, Any], staff: dict[str, Any]) -> dict[str, Any]:
    """The staff file over the defaults: tables key by key, categories replaced whole."""
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in defaults.items()}
    data["prompts"] = {lang: {k: (dict(v) if isinstance(v, dict) else v) for k, v in t.items()}
                       for lang, t in defaults.get("prompts", {}).items()}
    for key, value in staff.items():
        if key == "prompts" and isinstance(value, dict):
            for lang, table in value.items():
                if not isinstance(table, dict):
                    continue
                merged = data["prompts"].setdefault(lang, {})
                for k, v in table.items():
                    if isinstance(v, dict) and isinstance(merged.get(k, {}), dict):
                        merged[k] = {**merged.get(k, {}), **v}
                    else:
                        merged[k] = v
        elif isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


def merged_problems(data: dict[str, Any], staff: dict[str, Any]) -> list[Problem]:
    """What only shows over the defaults: missing translations, fallbacks, loose ends."""
    out: list[Problem] = []
    langs = languages(data)
    prompts = data.get("prompts", {})
    if not isinstance(prompts, dict):
        return out
    english = bundled()["prompts"].get("en", {})
    for lang in prompts:
        if lang not in langs:
            near = difflib.get_close_matches(lang, langs, n=1, cutoff=0.5)
            out.append(Problem("error", ("prompts", lang), f"language {lang!r} is not offered "
                               f"to residents ({', '.join(langs)})",
                               f'did you mean "{near[0]}"?' if near else
                               f"offer it in languages, or remove [prompts.{lang}]"))
    for lang in langs:
        table = prompts.get(lang)
        if not isinstance(table, dict):
            out.append(Problem("error", ("prompts", lang), f"no prompts in {language_name(lang)}",
                               f"add a [prompts.{lang}] table with every prompt"))
            continue
        for channel in CHANNELS:
            wanted = _worded(english, channel)
            have = _worded(table, channel)
            for key in sorted(wanted - have):
                out.append(Problem(
                    "error", ("prompts", lang, key),
                    f"no {language_name(lang)} wording for {key!r} ({channel}): "
                    f"{language_name(lang)} speakers would get nothing",
                    f"add {key} = \"...\" under [prompts.{lang}]"))
        out += _stale_translations(staff, lang, langs)
    categories = data.get("categories")
    if isinstance(categories, list):
        out += _duplicates(categories)
        out += _category_warnings(categories, langs, "categories" in staff)
    city = data.get("city", {})
    if isinstance(city, dict) and city.get("agent_number") and not city.get("agent_display"):
        out.append(Problem("warning", ("city", "agent_display"),
                           "empty: texters are told to call an empty number",
                           'write it as residents dial it, e.g. agent_display = "555-555-0100"'))
    return out


def _worded(table: dict[str, Any], channel: str) -> set[str]:
    general = {k for k, v in table.items() if isinstance(v, str)}
    scoped = table.get(channel, {})
    return general | ({k for k, v in scoped.items() if isinstance(v, str)}
                      if isinstance(scoped, dict) else set())


def _stale_translations(staff: dict[str, Any], lang: str, langs: list[str]) -> list[Problem]:
    """A prompt re-worded in one language but left as bundled in another: they may disagree."""
    out: list[Problem] = []
    mine = staff.get("prompts", {})
    if not isinstance(mine, dict) or not isinstance(mine.get(lang), dict):
        return out
    for _, channel, table in _prompt_tables({lang: mine[lang]}):
        for key in (k for k in table if k in prompt_keys()):
            for other in langs:
                if other == lang:
                    continue
                theirs = mine.get(other, {})
                scoped = theirs.get(channel, {}) if channel and isinstance(theirs, dict) else theirs
                if isinstance(scoped, dict) and key in scoped or isinstance(theirs, dict) and \
                        key in theirs:
                    continue
                out.append(Problem(
                    "warning", ("prompts", lang, *((channel,) if channel else ()), key),
                    f"re-worded in {language_name(lang)} only; the {language_name(other)} "
                    "wording is still the bundled one",
                    f"check [prompts.{other}] {key} says the same"))
    return out


def _category_warnings(categories: list[Any], langs: list[str], own: bool) -> list[Problem]:
    out: list[Problem] = []
    words: dict[tuple[str, str], str] = {}
    for i, c in enumerate(categories):
        if not isinstance(c, dict) or not isinstance(c.get("names"), dict):
            continue
        names = c["names"]
        shown = names.get("en") or next(iter(names.values()), c.get("code", "?"))
        for lang in langs:
            if lang not in names:
                out.append(Problem(
                    "warning", ("categories", i, "names"),
                    f"no {language_name(lang)} name for {shown!r}: the {language_name(lang)} "
                    f"menu will read {shown!r}",
                    f'add {lang} = "..." to names'))
        keywords = c.get("keywords", {})
        if not isinstance(keywords, dict):
            continue
        for lang, items in keywords.items():
            for word in items if isinstance(items, list) else ():
                if not isinstance(word, str):
                    continue
                other = words.setdefault((lang, word.lower().strip()), shown)
                if other != shown and own:
                    out.append(Problem(
                        "warning", ("categories", i, "keywords", lang),
                        f"keyword {word!r} chooses both {other!r} and {shown!r}; the first wins",
                        "keep each keyword in one category"))
    return out


# ---- turning pydantic's errors into staff language -----------------------------------------

_TYPE_WORDS = {
    "string_type": "text in quotes", "int_type": "a whole number", "bool_type": "true or false",
    "float_type": "a number", "list_type": "a list in [brackets]",
    "dict_type": "a table", "model_type": "a table",
}


def _explain(err: Any, staff: dict[str, Any]) -> Problem:
    loc: Path_ = tuple(err["loc"])
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        known = sorted(_known_keys(loc[:-1]))
        near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        where = dotted(loc[:-1]) or "the top level"
        return Problem("error", loc, f"unknown key {key!r} in {where}",
                       f'did you mean "{near[0]}"?' if near else
                       f"known keys here: {', '.join(known[:12])}" + ("..." * (len(known) > 12)))
    if kind == "missing":
        return Problem("error", loc, f"missing {loc[-1]!r}",
                       f"add {loc[-1]} = {_example(loc)}")
    if kind == "string_type" and isinstance(value, int) and loc[-1] == "agent_number":
        return Problem("error", loc, f"{value} should be text in quotes: as a number it loses "
                       "its +", f'write agent_number = "+{value}"')
    if kind == "list_type" and isinstance(value, str):
        return Problem("error", loc, f"{value!r} should be a list in [brackets]: as text each "
                       "letter would count on its own", f'write {loc[-1]} = ["{value}"]')
    if kind in _TYPE_WORDS:
        return Problem("error", loc, f"{_shown(value)} should be {_TYPE_WORDS[kind]}",
                       f"write {loc[-1] if isinstance(loc[-1], str) else 'it'} = {_example(loc)}")
    if kind == "literal_error":
        return Problem("error", loc, f"{_shown(value)} is not one of {err['ctx']['expected']}",
                       f"choose one of {err['ctx']['expected']}")
    if kind in ("greater_than_equal", "less_than_equal"):
        return Problem("error", loc, f"{value} is out of range: it must be between 1 and 9",
                       f"write {loc[-1]} = 3")
    if kind == "staff":
        return Problem("error", loc, err["msg"], err.get("ctx", {}).get("fix", ""))
    if kind == "too_short":
        return Problem("error", loc, "is empty", f"give at least one entry, like {_example(loc)}")
    if kind == "string_pattern_mismatch":
        return Problem("error", loc, f"{_shown(value)} must be one word without spaces",
                       'like code = "POTHOLE"')
    return Problem("error", loc, err["msg"])


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    return text if len(text) < 60 else text[:57] + "..."


def _example(loc: Path_) -> str:
    """The bundled value at the same place, as TOML, for a fix line."""
    node: Any = bundled()
    for part in loc:
        if isinstance(part, int):
            node = node[0] if isinstance(node, list) and node else None
        elif isinstance(node, dict):
            if part not in node and node is bundled().get("prompts"):
                part = "en"
            node = node.get(part)
        else:
            node = None
        if node is None:
            return '"..."'
    if isinstance(node, str):
        return '"' + node.replace('"', '\\"') + '"'
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, int | float):
        return str(node)
    if isinstance(node, list):
        return "[" + ", ".join(f'"{v}"' for v in node[:2]) + "]"
    if isinstance(node, dict):
        return "{ " + ", ".join(f'{k} = "..."' for k in list(node)[:2]) + " }"
    return '"..."'


def _known_keys(loc: Path_) -> set[str]:
    """The keys the schema accepts at `loc` (for did-you-mean)."""
    tp: Any = staff_model()
    for part in loc:
        tp = _descend(tp, part)
        if tp is None:
            return set()
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return {f.alias or n for n, f in tp.model_fields.items()}
    return set()


def _unwrap(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, type(int | None)):
            args = [a for a in get_args(tp) if a is not type(None)]
            tp = args[0]
        else:
            return tp


def _descend(tp: Any, part: str | int) -> Any:
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        for n, f in tp.model_fields.items():
            if (f.alias or n) == part:
                return f.annotation
        return None
    origin = get_origin(tp)
    if origin is list:
        return get_args(tp)[0]
    if origin is dict:
        return get_args(tp)[1]
    return None


# ---- lines of keys, for locations -----------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
                  r"""(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'))*)\s*=""")
_PART = re.compile(r"""[A-Za-z0-9_-]+|"((?:[^"\\]|\\.)*)"|'([^']*)'""")


def _split_key(text: str) -> tuple[str, ...]:
    parts = []
    for m in _PART.finditer(text):
        parts.append(m.group(1) if m.group(1) is not None else
                     m.group(2) if m.group(2) is not None else m.group(0))
    return tuple(parts)


def key_lines(text: str) -> dict[Path_, int]:
    """Where each table and key of a TOML text starts (1-based), by key path."""
    lines: dict[Path_, int] = {}
    table: Path_ = ()
    counts: dict[Path_, int] = {}
    in_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        quotes = line.count('"""') + line.count("'''")
        if in_string:
            in_string = quotes % 2 == 0
            continue
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            name = _split_key(header.group(2))
            if header.group(1) == "[[":
                index = counts.get(name, 0)
                counts[name] = index + 1
                table = (*name, index)
            else:
                table = name
            lines.setdefault(table, number)
        else:
            key = _KEY.match(line)
            if key:
                lines.setdefault((*table, *_split_key(key.group(1))), number)
        in_string = quotes % 2 == 1
    return lines


def _locate(problem: Problem, lines: dict[Path_, int]) -> Problem:
    path = problem.path
    line = next((lines[path[:n]] for n in range(len(path), 0, -1) if path[:n] in lines), None)
    if line is None:  # a table named only through its sub-tables, like [prompt.en]
        line = min((n for p, n in lines.items() if p[:len(path)] == path), default=None)
    if line is None:
        return problem
    return Problem(problem.level, path, problem.message, problem.fix, line)

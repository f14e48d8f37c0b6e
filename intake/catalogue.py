"""The category menu: the city server's service list, shaped by the staff file.

Staff categories override a service by its code (keypad digit, names and keywords per
language) and come first. Services only the server lists are reachable by their name and
keywords (`[menu] server_services = "words"`), also get the free keypad digits ("list"), or
are left out ("none"); `[menu] hide` leaves out named codes. A staff category the server does
not offer is dropped (each filing would be refused), said once per process with the server's
own codes. The menu always has keypad digits: when no staff category is offered the server's
services get them, whatever `server_services` says, and its prompts are rendered strictly
before it is used (`check_menu_prompts`). Required `variable` attributes become questions, in
`order`. When the server cannot be reached the staff menu is used as it is. `CatalogueSync`
reads the list again every CATALOGUE_SYNC_SECONDS and when `intake catalogue sync` asks.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from conversation import Ask, Category, Choice, Question, QuestionKind
from open311_client import Attribute, Open311Client, Open311Error, Service

from .config import ConfigError, StaffConfig
from .worker import Periodic

log = logging.getLogger(__name__)
KINDS = {"singlevaluelist": QuestionKind.CHOICE, "multivaluelist": QuestionKind.CHOICE,
         "number": QuestionKind.NUMBER}
YES_NO_ES = {"yes": "sí", "no": "no"}
SYNC_REQUEST = "catalogue-sync-requested"  # touched under var/ by `intake catalogue sync`
MENU_PROMPTS = ("category_menu", "category_menu.retry")


@dataclass
class SyncNotes:
    """What was already said about the server's list, so each finding is logged once."""

    missing: frozenset[str] | None = None  # staff codes the server did not list
    codes: frozenset[str] | None = None  # the server's codes at the last sync
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


_PROCESS_NOTES = SyncNotes()


def synced_menu(
    client: Open311Client, staff: StaffConfig, notes: SyncNotes | None = None
) -> tuple[Category, ...]:
    """The menu offered by voice and SMS, from the server's list and the staff file."""
    try:
        services = client.services()
    except Open311Error as exc:
        log.warning("could not read the service list (%s); menu without server questions", exc)
        return staff.menu
    offered = {s.service_code: s for s in services}
    _tell(notes or _PROCESS_NOTES, staff, services)
    menu = [c for c in staff.menu if c.code not in staff.hidden and c.code in offered]
    extra = _server_only(offered.values(), menu, staff)
    if not any(c.digit for c in menu + extra):  # a menu nobody can key: give out the digits
        extra = _server_only(offered.values(), menu, staff, digits=True)
    menu += extra
    if not menu:
        log.error("the city's server lists no service; keeping the staff menu (filings will "
                  "be refused until it lists some)")
        return staff.menu
    return tuple(_with_questions(client, staff, c, offered[c.code]) for c in menu)


def _tell(notes: SyncNotes, staff: StaffConfig, services: list[Service]) -> None:
    """Staff codes the server lacks, once per change; services it added or retired."""
    codes = frozenset(s.service_code for s in services)
    missing = frozenset(c.code for c in staff.menu
                        if c.code not in codes and c.code not in staff.hidden)
    with notes.lock:
        if missing and missing != notes.missing:
            shown = ", ".join(f"{s.service_code} ({(s.service_name or '').strip()})"
                              for s in services[:40]) + (" ..." * (len(services) > 40))
            log.warning("staff categories %s are not services of the city's server and are "
                        "left out of the menu (a filing would be refused); the server's own "
                        "codes are: %s. Change their `code` in the staff file to one of these.",
                        ", ".join(sorted(missing)), shown or "none")
        elif notes.missing and not missing:
            log.info("every staff category is now a service of the city's server")
        if notes.codes is not None and codes != notes.codes:
            if codes - notes.codes:
                log.info("the city's server added %s: offered as `[menu] server_services = "
                         "%s` says", ", ".join(sorted(codes - notes.codes)),
                         staff.server_services)
            if notes.codes - codes:
                log.info("the city's server retired %s: no longer offered",
                         ", ".join(sorted(notes.codes - codes)))
        notes.missing, notes.codes = missing, codes


def check_menu_prompts(staff: StaffConfig, menu: tuple[Category, ...]) -> None:
    """Render the menu prompts with this menu; ConfigError if any placeholder stays unfilled."""
    problems = []
    for lang in staff.languages:
        options = tuple((c.digit, c.name(lang)) for c in menu if c.digit)
        for channel in ("voice", "sms"):
            wording = staff.wording(channel)
            asks = [(key, Ask("category_menu", "menu", options=options, attempt=2 * n))
                    for n, key in enumerate(MENU_PROMPTS)]
            asks += [(f"attribute {q.code} of {c.code}",
                      Ask("attribute", "free", {"question": q.prompt(lang)}, attempt=2 * n,
                          options=tuple((str(i + 1), ch.names.get(lang) or ch.names.get("en")
                                         or ch.key) for i, ch in enumerate(q.choices))))
                     for c in menu for q in c.questions for n in (0, 1)]
            for key, ask in asks:
                try:
                    wording.strict_text(lang, ask)
                except ConfigError as exc:
                    problems.append(f"{key} ({lang}, {channel}): {exc}")
    if problems:
        raise ConfigError("the menu prompts cannot be shown with this menu:\n  "
                          + "\n  ".join(problems))


class CatalogueSync(Periodic):
    """Reads the server's list again every `every` seconds, or at once when asked to."""

    def __init__(self, sync: Callable[[], object], every: float, request: Path,
                 *, look: float = 2.0) -> None:
        super().__init__("catalogue", min(look, every))
        self.sync = sync
        self.every = every
        self.request = request
        self._last = time.monotonic()
        self._asked = _mtime(request)

    def run_once(self) -> None:
        asked = _mtime(self.request)
        if asked == self._asked and time.monotonic() - self._last < self.every:
            return
        self._asked, self._last = asked, time.monotonic()
        self.sync()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def request_sync(var_dir: Path) -> Path:
    """Ask running servers that share this var/ to read the service list again."""
    path = var_dir / SYNC_REQUEST
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{time.time()}\n")
    return path


def _server_only(
    services: Iterable[Service], menu: list[Category], staff: StaffConfig,
    *, digits: bool = False,
) -> list[Category]:
    """Services the staff file does not name, reachable by name and keywords.

    `digits`: the menu would have no keypad digit otherwise, so these get them, even with
    `server_services = "none"`.
    """
    if staff.server_services == "none" and not digits:
        return []
    known = {c.code for c in menu} | set(staff.hidden)
    free = [d for d in "12345678" if d not in {c.digit for c in menu}]
    extra = []
    for service in services:
        if service.service_code in known:
            continue
        listed = digits or staff.server_services == "list"
        digit = free.pop(0) if listed and free else ""
        name = (service.service_name or service.service_code).strip()
        extra.append(Category(service.service_code, digit, {"en": name.lower()},
                              {"en": tuple(k.lower() for k in service.keywords)}))
    return extra


def _with_questions(
    client: Open311Client, staff: StaffConfig, category: Category, service: Service
) -> Category:
    """The category with the required questions of its service definition."""
    if not service.metadata:
        return category
    try:
        definition = client.service_definition(category.code)
    except Open311Error as exc:
        log.warning("no service definition for %s (%s)", category.code, exc)
        return category
    overrides = staff.questions.get(category.code, {})
    questions = tuple(
        question_for(attr, overrides.get(attr.code, {}))
        for attr in sorted(definition.questions, key=lambda a: a.order or 0)
        if attr.required
    )
    return replace(category, questions=questions)


def question_for(attr: Attribute, override: dict[str, Any]) -> Question:
    """A conversation question from a server attribute plus staff wording."""
    prompts = {"en": attr.description or attr.code}
    prompts.update({k: str(v) for k, v in override.items() if isinstance(v, str)})
    named = override.get("choices", {})
    choices = []
    for value in attr.values:
        names = {"en": value.name or value.key}
        spanish = YES_NO_ES.get((value.name or "").strip().lower())
        if spanish:
            names["es"] = spanish
        names.update({k: str(v) for k, v in named.get(value.key, {}).items()})
        choices.append(Choice(value.key, names))
    return Question(attr.code, prompts, KINDS.get(attr.datatype, QuestionKind.TEXT), tuple(choices))

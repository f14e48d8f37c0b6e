"""The category menu: the city server's service list, shaped by the staff file.

Staff categories override a service by its code (keypad digit, names and keywords per
language) and come first. Services only the server lists are reachable by their name and
keywords (`[menu] server_services = "words"`), also get the free keypad digits ("list"), or
are left out ("none"); `[menu] hide` leaves out named codes. A staff category the server does
not offer is dropped (each filing would be refused). Required `variable` attributes become
questions, in `order`. When the server cannot be reached the staff menu is used as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from conversation import Category, Choice, Question
from open311_client import Attribute, Open311Client, Open311Error, Service

from .config import StaffConfig

log = logging.getLogger(__name__)
KINDS = {"singlevaluelist": "choice", "multivaluelist": "choice", "number": "number"}
YES_NO_ES = {"yes": "sí", "no": "no"}


def synced_menu(client: Open311Client, staff: StaffConfig) -> tuple[Category, ...]:
    """The menu offered by voice and SMS, from the server's list and the staff file."""
    try:
        offered = {s.service_code: s for s in client.services()}
    except Open311Error as exc:
        log.warning("could not read the service list (%s); menu without server questions", exc)
        return staff.menu
    menu = [c for c in staff.menu if c.code not in staff.hidden]
    for category in menu:
        if category.code not in offered:
            log.error("category %s is not in the server's service list: left out of the menu",
                      category.code)
    menu = [c for c in menu if c.code in offered]
    menu += _server_only(offered.values(), menu, staff)
    if not menu:
        log.error("no category of the staff file is offered by the server; using them anyway")
        return staff.menu
    return tuple(_with_questions(client, staff, c, offered[c.code]) for c in menu)


def _server_only(
    services: Iterable[Service], menu: list[Category], staff: StaffConfig
) -> list[Category]:
    """Services the staff file does not name, reachable by name and keywords."""
    if staff.server_services == "none":
        return []
    known = {c.code for c in menu} | set(staff.hidden)
    free = [d for d in "12345678" if d not in {c.digit for c in menu}]
    extra = []
    for service in services:
        if service.service_code in known:
            continue
        digit = free.pop(0) if staff.server_services == "list" and free else ""
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
    return Question(attr.code, prompts, KINDS.get(attr.datatype, "text"), tuple(choices))

"""The category menu: staff categories, with the city server's required questions added.

Required `variable` attributes of a service's definition become questions, in `order`;
staff may give them wording per language. When the server cannot be reached the menu is
used without questions, and a server that then insists is answered by the outbox's
dead-letter list, never by a lost report.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from conversation import Category, Choice, Question
from open311_client import Attribute, Open311Client, Open311Error

from .config import StaffConfig

log = logging.getLogger(__name__)
KINDS = {"singlevaluelist": "choice", "multivaluelist": "choice", "number": "number"}
YES_NO_ES = {"yes": "sí", "no": "no"}


def synced_menu(client: Open311Client, staff: StaffConfig) -> tuple[Category, ...]:
    """The staff menu with each category's required questions from the server."""
    try:
        offered = {s.service_code: s for s in client.services()}
    except Open311Error as exc:
        log.warning("could not read the service list (%s); menu without server questions", exc)
        return staff.menu
    menu = []
    for category in staff.menu:
        service = offered.get(category.code)
        if service is None:
            log.warning("category %s is not in the server's service list", category.code)
            menu.append(category)
            continue
        if not service.metadata:
            menu.append(category)
            continue
        try:
            definition = client.service_definition(category.code)
        except Open311Error as exc:
            log.warning("no service definition for %s (%s)", category.code, exc)
            menu.append(category)
            continue
        overrides = staff.questions.get(category.code, {})
        questions = tuple(
            question_for(attr, overrides.get(attr.code, {}))
            for attr in sorted(definition.questions, key=lambda a: a.order or 0)
            if attr.required
        )
        menu.append(replace(category, questions=questions))
    return tuple(menu)


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

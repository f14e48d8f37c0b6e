"""State to and from plain JSON-ready dicts, for storage between webhooks."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .model import Category, Choice, Place, Question, State, Step


def dump(state: State) -> dict[str, Any]:
    return asdict(state)


def load(data: dict[str, Any]) -> State:
    fields = dict(data)
    fields["step"] = Step(fields["step"])
    fields["menu"] = tuple(
        Category(
            code=c["code"],
            digit=c["digit"],
            names=dict(c["names"]),
            keywords={k: tuple(v) for k, v in c.get("keywords", {}).items()},
            questions=tuple(
                Question(q["code"], dict(q["prompts"]), q["kind"],
                         tuple(Choice(ch["key"], dict(ch["names"])) for ch in q["choices"]))
                for q in c.get("questions", ())
            ),
        )
        for c in fields.get("menu", ())
    )
    fields["heard"] = tuple(fields.get("heard", ()))
    fields["answers"] = tuple((k, v) for k, v in fields.get("answers", ()))
    fields["candidates"] = tuple(Place(**p) for p in fields.get("candidates", ()))
    fields["place"] = Place(**fields["place"]) if fields.get("place") else None
    return State(**fields)

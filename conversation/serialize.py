"""State to and from plain JSON-ready dicts, for storage between webhooks.

Fields a stored state lacks take their defaults; fields it has that are gone are dropped, so
conversations stored by an older version still load.
"""

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
    for name in ("heard", "tried", "languages", "photos"):
        if name in fields:
            fields[name] = tuple(fields[name])
    fields["answers"] = tuple((k, v) for k, v in fields.get("answers", ()))
    fields["candidates"] = tuple(_place(p) for p in fields.get("candidates", ()))
    fields["place"] = _place(fields["place"]) if fields.get("place") else None
    fields["last_place"] = _place(fields["last_place"]) if fields.get("last_place") else None
    known = State.__dataclass_fields__
    return State(**{k: v for k, v in fields.items() if k in known})


def _place(data: dict[str, Any]) -> Place:
    fields = dict(data)
    if fields.get("numbers") is not None:
        fields["numbers"] = tuple(fields["numbers"])
    return Place(**fields)

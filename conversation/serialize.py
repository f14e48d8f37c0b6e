"""State to and from plain JSON-ready dicts, for storage between webhooks."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .model import Category, Place, State, Step


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
        )
        for c in fields.get("menu", ())
    )
    fields["candidates"] = tuple(Place(**p) for p in fields.get("candidates", ()))
    fields["place"] = Place(**fields["place"]) if fields.get("place") else None
    return State(**fields)

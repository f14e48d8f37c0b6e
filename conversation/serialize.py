"""State and replies to and from plain JSON-ready dicts, for storage between webhooks
(a repeated webhook is answered with the stored reply).

Fields a stored state lacks take their defaults; fields it has that are gone are dropped, so
conversations stored by an older version still load.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .envelope import Reply
from .model import (
    Action,
    Ask,
    Category,
    Choice,
    End,
    Ended,
    Place,
    PlaceKind,
    Question,
    QuestionKind,
    Reason,
    Say,
    State,
    Step,
    Transfer,
)

STORED_ACTIONS = (Say, Ask, Transfer, End)  # what a reply shows; the rest was done


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
                Question(q["code"], dict(q["prompts"]), QuestionKind(q["kind"]),
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
    fields["ended"] = Ended(fields["ended"]) if fields.get("ended") else None
    known = State.__dataclass_fields__
    return State(**{k: v for k, v in fields.items() if k in known})


def _place(data: dict[str, Any]) -> Place:
    fields = dict(data)
    if fields.get("numbers") is not None:
        fields["numbers"] = tuple(fields["numbers"])
    if "kind" in fields:
        fields["kind"] = PlaceKind(fields["kind"])
    return Place(**fields)


def dump_reply(reply: Reply) -> dict[str, Any]:
    return {
        "lang": reply.lang,
        "turn": reply.turn,
        "actions": [{"type": type(a).__name__, **asdict(a)} for a in reply.actions],
    }


def load_reply(data: dict[str, Any]) -> Reply:
    kinds: dict[str, Any] = {cls.__name__: cls for cls in STORED_ACTIONS}
    actions: list[Action] = []
    for item in data["actions"]:
        fields = dict(item)
        cls = kinds[fields.pop("type")]
        if "options" in fields:
            fields["options"] = tuple(tuple(o) for o in fields["options"])
        if cls is End:
            fields["reason"] = Ended(fields["reason"])
        elif cls is Transfer:
            fields["reason"] = Reason(fields["reason"])
        actions.append(cls(**fields))
    return Reply(data["lang"], data["turn"], tuple(actions))

"""What passes between a channel adapter and the application for one webhook.

Adapters build an `Inbound` from Twilio's form and render the `Reply`; neither knows about
storage, so both channels share every rule of the conversation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .model import Action, Ask, Channel, Event, Say


@dataclass(frozen=True)
class Inbound:
    """One webhook, reduced: which conversation, which delivery, what happened."""

    channel: Channel
    key: str
    delivery_id: str
    event: Event | None  # None: a new call; the text of a first message goes in `text`
    phone: str | None = None
    city_number: str | None = None
    text: str = ""
    media: tuple[tuple[str, str], ...] = ()  # (URL, declared type) of photos sent with a text


@dataclass(frozen=True)
class Reply:
    """The actions an adapter renders (Say, Ask, Transfer, End), in order."""

    lang: str
    turn: int
    actions: tuple[Action, ...]


class Wording(Protocol):
    """Turns a prompt key into text for one channel and language."""

    def text(self, lang: str, action: Say | Ask, **extra: str) -> str: ...

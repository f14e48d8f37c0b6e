"""The states of a report (the outbox) and of an outbound text, and the moves between them.

Each vocabulary is one `StrEnum`, stored as its value (the columns hold the same strings as
before enums). The moves are tables, like the conversation's: `REPORT_MOVES` says which
state an attempt's `Verdict` leads to, `TEXT_RANK` how far along a text is (a state only
ever replaces one ranked lower, whatever order Twilio's callbacks come in). `TextState` itself
is the sms package's (Twilio's words, which the channel speaks too).
"""

from __future__ import annotations

from enum import StrEnum

from sms import TextState

__all__ = ["DUE", "REPORT_MOVES", "SENDABLE", "TEXT_RANK", "ReportState", "Shown",
           "TextState", "Verdict",
           "earlier", "shown"]


class ReportState(StrEnum):
    """Where a report stands with the city's Open311 server."""

    PENDING = "pending"  # not filed yet
    TOKEN = "token"  # the server gave a token; its request id is still to come
    UNCERTAIN = "uncertain"  # a POST may have created it: look it up before posting again
    FAILED = "failed"  # refused by the server: needs staff
    NEEDS_ATTENTION = "needs_attention"  # given up on, or a listed request differs
    DELIVERED = "delivered"


# the states the outbox still works on
DUE = frozenset({ReportState.PENDING, ReportState.TOKEN, ReportState.UNCERTAIN})


class Verdict(StrEnum):
    """What one delivery attempt found (not a state: `REPORT_MOVES` maps it to one)."""

    DELIVERED = "delivered"
    TOKEN = "token"
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    RETRY = "retry"  # certainly not created: try again later, in the state it was in
    ATTENTION = "attention"  # a listed request carries our reference but is not this report


# None: the report stays in the state it was claimed in
REPORT_MOVES: dict[Verdict, ReportState | None] = {
    Verdict.DELIVERED: ReportState.DELIVERED,
    Verdict.TOKEN: ReportState.TOKEN,
    Verdict.FAILED: ReportState.FAILED,
    Verdict.ATTENTION: ReportState.NEEDS_ATTENTION,
    Verdict.UNCERTAIN: ReportState.UNCERTAIN,
    Verdict.RETRY: None,
}


class Shown(StrEnum):
    """A report's state as staff see it, most urgent first: a pending report that has been
    tried before is *retrying* (stored as pending: nothing but the display tells them apart)."""

    NEEDS_ATTENTION = "needs_attention"
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    RETRYING = "retrying"
    PENDING = "pending"
    TOKEN = "token"
    DELIVERED = "delivered"


def shown(status: str, attempts: int) -> Shown:
    """How staff see a report in `status` after `attempts` tries."""
    if status == ReportState.PENDING and attempts:
        return Shown.RETRYING
    return Shown(status)


# How far along a text is; a state replaces another only when it ranks higher, so a late
# "sent" callback never undoes "delivered". Terminal states share a rank (read is later news
# of delivered). Waiting <-> claimed are the queue's own moves (claim, retry later).
TEXT_RANK: dict[TextState, int] = {
    TextState.WAITING: 0, TextState.CLAIMED: 1, TextState.ACCEPTED: 2, TextState.SCHEDULED: 2,
    TextState.QUEUED: 3, TextState.SENDING: 4, TextState.SENT: 5, TextState.DELIVERED: 6,
    TextState.UNDELIVERED: 6, TextState.FAILED: 6, TextState.CANCELED: 6, TextState.READ: 7,
}
SENDABLE = (TextState.WAITING, TextState.CLAIMED)


def earlier(state: TextState) -> tuple[TextState, ...]:
    """The states a text may move to `state` from (those ranked lower)."""
    return tuple(s for s, rank in TEXT_RANK.items() if rank < TEXT_RANK[state])

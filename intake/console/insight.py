"""What callers went through, read from the conversations, reports and texts tables.

A conversation's furthest stage comes from what it captured (a category, an address heard, a
place found, a description, a reference) and from the last question it was asked: the open
row's step, or the last question in its stored webhook answers (kept a week). Nothing here
writes; phone numbers leave this module masked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import conversation as conv
from conversation import Ended

from ..lifecycle import Shown, shown
from ..settings import mask_phone
from ..storage import ConversationRow, OutboundTextRow, Report, WebhookDelivery


class Stage(StrEnum):
    """The funnel's stages, in order (a conversation reached every one before its furthest)."""

    STARTED = "started"
    CATEGORY = "category"
    ADDRESS = "address"
    LOCATED = "located"
    DESCRIBED = "described"
    FILED = "filed"


class Outcome(StrEnum):
    """How a conversation ended, as staff read it (the value is the label shown)."""

    FILED = "filed"
    REVIEW = "filed for review"
    CALLBACK = "callback requested"
    TRANSFERRED = "transferred"
    GAVE_UP = "gave up"
    CANCELLED = "cancelled"
    ABANDONED = "abandoned"
    IN_PROGRESS = "in progress"


STAGES = list(Stage)
STAGE_NAMES: dict[str, str] = {
    Stage.STARTED: "Called or texted", Stage.CATEGORY: "Said what to report",
    Stage.ADDRESS: "Gave an address", Stage.LOCATED: "Address found or accepted",
    Stage.DESCRIBED: "Described it", Stage.FILED: "Report filed",
}
# the question a resident was at (a prompt key or a step) -> the stage they were trying to pass
ASKED = [
    ("category", Stage.CATEGORY), ("attribute", Stage.CATEGORY), ("question", Stage.CATEGORY),
    ("address_fallback", Stage.LOCATED), ("address", Stage.ADDRESS),
    ("cross_street", Stage.ADDRESS), ("landmark", Stage.ADDRESS), ("resolving", Stage.ADDRESS),
    ("house_number", Stage.LOCATED), ("choose_address", Stage.LOCATED),
    ("description", Stage.DESCRIBED), ("confirm", Stage.FILED),
    ("what_to_change", Stage.FILED), ("change", Stage.FILED), ("filing", Stage.FILED),
]
OUTCOMES = list(Outcome)
ENDINGS = {Ended.TRANSFER: Outcome.TRANSFERRED, Ended.GAVE_UP: Outcome.GAVE_UP,
           Ended.CALLBACK: Outcome.CALLBACK, Ended.CANCELLED: Outcome.CANCELLED,
           Ended.HANGUP: Outcome.ABANDONED}
UNFINISHED = {Outcome.ABANDONED, Outcome.IN_PROGRESS, Outcome.GAVE_UP, Outcome.CANCELLED,
              Outcome.TRANSFERRED}  # shown with the stage they stopped at
DELIVERY = {Shown.PENDING: "waiting to be sent", Shown.TOKEN: "sent, awaiting the city's id",
            Shown.UNCERTAIN: "checking whether the city has it",
            Shown.FAILED: "REFUSED by the city", Shown.DELIVERED: Shown.DELIVERED.value,
            Shown.NEEDS_ATTENTION: "NOT DELIVERED: needs attention"}
IDLE = timedelta(minutes=30)  # an open call quiet this long has been abandoned


@dataclass
class Summary:
    id: int
    channel: str
    lang: str
    started: datetime
    phone: str
    category: str
    heard: str
    matched: str
    outcome: Outcome
    stage: Stage  # the furthest stage reached
    stopped_at: str  # where an abandoned or unfinished conversation stopped
    reference: str = ""
    delivery: str = ""
    texts: str = ""
    report_id: int | None = None

    @property
    def outcome_text(self) -> str:
        if self.outcome in UNFINISHED and self.stopped_at:
            return f"{self.outcome} at: {STAGE_NAMES[self.stopped_at].lower()}"
        return self.outcome


def _state(row: ConversationRow) -> conv.State | None:
    if not row.state:
        return None
    try:
        return conv.load(row.state)
    except Exception:  # an older or newer state shape: shown with what the row itself says
        return None


def _reached_by_data(state: conv.State) -> int:
    if state.reference:
        return STAGES.index(Stage.FILED)
    if state.description is not None or getattr(state, "described", False):
        return STAGES.index(Stage.DESCRIBED)
    if state.place is not None or state.review:
        return STAGES.index(Stage.LOCATED)
    if state.heard or state.address_text:
        return STAGES.index(Stage.ADDRESS)
    if state.category:
        return STAGES.index(Stage.CATEGORY)
    return 0


def trying(asked: str) -> Stage | None:
    """The stage a question (prompt key or step name) is trying to get past."""
    return next((stage for prefix, stage in ASKED if asked.startswith(prefix)), None)


def summarize(row: ConversationRow, report: Report | None, last_asked: str | None,
              texts: str, now: datetime, names: dict[str, str]) -> Summary:
    state = _state(row)
    reached = _reached_by_data(state) if state else 0
    at = trying(row.step if row.is_open else (last_asked or ""))
    if at is not None:
        reached = max(reached, STAGES.index(at) - 1)
    ended = state.ended if state else None
    if ended == Ended.FILED or (report is not None and ended in (None, Ended.HANGUP)
                            and not row.is_open):
        outcome = (Outcome.REVIEW if report is not None and report.needs_review
                   else Outcome.FILED)
    elif ended in ENDINGS:
        outcome = ENDINGS[ended]
    elif row.is_open:
        outcome = Outcome.ABANDONED if row.updated_at < now - IDLE else Outcome.IN_PROGRESS
    else:
        outcome = Outcome.ABANDONED
    stopped = STAGES[min(reached + 1, len(STAGES) - 1)] if reached < len(STAGES) - 1 else ""
    place = state.place if state else None
    return Summary(
        id=row.id, channel=row.channel, lang=state.lang if state else "en",
        started=row.created_at, phone=mask_phone(row.phone),
        category=names.get(state.category or "", state.category or "") if state else "",
        heard=(state.heard[0] if state and state.heard else (state.address_text or "")
               if state else ""),
        matched=place.label if place else ("(for staff review)" if state and state.review
                                           else ""),
        outcome=outcome, stage=STAGES[reached], stopped_at=stopped,
        reference=report.reference if report else (state.reference or "" if state else ""),
        delivery=_delivery(report) if report else "", texts=texts,
        report_id=report.id if report else None)


def _delivery(report: Report) -> str:
    state = shown(report.status, report.attempts)
    if state == Shown.RETRYING:
        return f"retrying (tried {report.attempts} times)"
    return DELIVERY[state]


@dataclass
class Filters:
    since: datetime
    until: datetime
    channel: str = ""
    lang: str = ""
    outcome: str = ""


def conversations(session: Session, filters: Filters, names: dict[str, str], now: datetime,
                  limit: int = 200) -> list[Summary]:
    """The most recent conversations in the period, newest first, as staff read them."""
    query = (select(ConversationRow)
             .where(ConversationRow.created_at >= filters.since,
                    ConversationRow.created_at < filters.until)
             .order_by(ConversationRow.id.desc()))
    if filters.channel:
        query = query.where(ConversationRow.channel == filters.channel)
    rows = list(session.scalars(query.limit(limit * 5 if filters.outcome or filters.lang
                                            else limit)))
    out = [s for s in _summaries(session, rows, names, now)
           if (not filters.lang or s.lang == filters.lang)
           and (not filters.outcome or s.outcome == filters.outcome)]
    return out[:limit]


def _summaries(session: Session, rows: Sequence[ConversationRow], names: dict[str, str],
               now: datetime) -> list[Summary]:
    ids = [r.id for r in rows]
    if not ids:
        return []
    reports = {r.conversation_id: r for r in session.scalars(
        select(Report).where(Report.conversation_id.in_(ids)))}
    texts = _text_states(session, [r.id for r in reports.values()])
    asked = _last_asked(session, [r.id for r in rows if not r.is_open])
    return [summarize(row, reports.get(row.id), asked.get(row.id),
                      texts.get(reports[row.id].id, "") if row.id in reports else "", now, names)
            for row in rows]


def _text_states(session: Session, report_ids: list[int]) -> dict[int, str]:
    found: dict[int, Counter[str]] = {}
    if not report_ids:
        return {}
    for report_id, status in session.execute(
            select(OutboundTextRow.report_id, OutboundTextRow.status)
            .where(OutboundTextRow.report_id.in_(report_ids))):
        if report_id is not None:
            found.setdefault(report_id, Counter())[status] += 1
    return {k: ", ".join(f"{n} {s}" for s, n in sorted(c.items())) for k, c in found.items()}


def _last_asked(session: Session, conversation_ids: list[int]) -> dict[int, str]:
    """The last question each conversation was asked, from its stored webhook answers."""
    last: dict[int, str] = {}
    for chunk in _chunks(conversation_ids, 500):
        for conversation_id, answer in session.execute(
                select(WebhookDelivery.conversation_id, WebhookDelivery.answer)
                .where(WebhookDelivery.conversation_id.in_(chunk))
                .order_by(WebhookDelivery.created_at)):
            for action in (answer or {}).get("actions", []):
                if action.get("type") == "Ask" and conversation_id is not None:
                    last[conversation_id] = str(action.get("prompt", ""))
    return last


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for n in range(0, len(items), size):
        yield items[n:n + size]


@dataclass
class Funnel:
    """How many conversations reached each stage, and how they ended."""

    total: int = 0
    reached: list[int] = field(default_factory=lambda: [0] * len(STAGES))
    outcomes: Counter[str] = field(default_factory=Counter)
    stopped: Counter[str] = field(default_factory=Counter)


def funnel(session: Session, filters: Filters, now: datetime, cap: int = 50_000) -> Funnel:
    query = (select(ConversationRow)
             .where(ConversationRow.created_at >= filters.since,
                    ConversationRow.created_at < filters.until)
             .order_by(ConversationRow.id.desc()).limit(cap))
    if filters.channel:
        query = query.where(ConversationRow.channel == filters.channel)
    result = Funnel()
    rows = list(session.scalars(query))
    for s in _summaries(session, rows, {}, now):
        if filters.lang and s.lang != filters.lang:
            continue
        result.total += 1
        for n in range(STAGES.index(s.stage) + 1):
            result.reached[n] += 1
        result.outcomes[s.outcome] += 1
        if s.stopped_at and s.outcome not in (Outcome.FILED, Outcome.REVIEW,
                                              Outcome.IN_PROGRESS):
            result.stopped[s.stopped_at] += 1
    return result


def category_names(menu: Iterable[conv.Category], lang: str = "en") -> dict[str, str]:
    return {c.code: c.name(lang) for c in menu}


def as_dict(summary: Summary) -> dict[str, Any]:
    return summary.__dict__ | {"outcome_text": summary.outcome_text}

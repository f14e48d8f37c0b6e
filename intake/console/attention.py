"""Needs attention: reports filed for staff review, reports the city refused, callback requests.

An item leaves the list when staff mark it handled (`console_handled`), or, for a refused
report, when a retry succeeds. Callback requests are read from a `CallbackRequest` table in
`callback_requests` (a callback handled here is handled for `intake callbacks` too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import quote_plus

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from conversation import Reason

from ..db import utcnow
from ..lifecycle import ReportState
from ..outbox import retry_failed
from ..settings import mask_phone
from ..staff_schema import language_name
from ..storage import CallbackRequest, HandledItem, Report

REASONS: dict[str, str] = {Reason.NO_ANSWER: "the agent line did not answer"}  # else its word


class Kind(StrEnum):
    """Why an item needs staff (stored in `console_handled.kind` once it is handled)."""

    REVIEW = "review"
    REFUSED = "refused"
    UNDELIVERED = "undelivered"
    CALLBACK = "callback"


KINDS = {Kind.REVIEW: "Filed for review (no location)",
         Kind.REFUSED: "Refused by the city's server",
         Kind.UNDELIVERED: "Not delivered: needs a decision",
         Kind.CALLBACK: "Callback requested"}


@dataclass
class Item:
    kind: Kind
    id: int
    created: datetime
    title: str
    detail: str = ""
    reference: str = ""
    phone: str = ""
    map_url: str = ""
    can_retry: bool = False
    adopt: str = ""  # a request id the city has that may be this report


def map_link(address: str, city: str) -> str:
    """A map search for an address as the resident said it, to place it by hand."""
    return "https://www.openstreetmap.org/search?query=" + quote_plus(f"{address}, {city}")


def _unhandled(kind: Kind) -> Any:
    return ~select(HandledItem.id).where(and_(HandledItem.kind == kind,
                                              HandledItem.item_id == Report.id)).exists()


def needs_attention(session: Session, city: str, names: dict[str, str]) -> list[Item]:
    items: list[Item] = []
    for r in session.scalars(select(Report).where(Report.needs_review.is_(True),
                                                  _unhandled(Kind.REVIEW))
                             .order_by(Report.id.desc()).limit(200)):
        said = r.address_as_said or r.address
        items.append(Item(Kind.REVIEW, r.id, r.created_at,
                          names.get(r.service_code, r.service_code),
                          f"Address as said: {said}" + (f" · {r.description}"
                                                         if r.description else ""),
                          r.reference, mask_phone(r.phone), map_link(said, city)))
    for r in session.scalars(select(Report).where(Report.status == ReportState.FAILED,
                                                  _unhandled(Kind.REFUSED))
                             .order_by(Report.id.desc()).limit(200)):
        items.append(Item(Kind.REFUSED, r.id, r.created_at, names.get(r.service_code,
                                                                   r.service_code),
                          f"{r.address} · the server said: {r.last_error or '(nothing)'}",
                          r.reference, mask_phone(r.phone), can_retry=True))
    for r in session.scalars(select(Report).where(Report.status == ReportState.NEEDS_ATTENTION,
                                                  _unhandled(Kind.UNDELIVERED))
                             .order_by(Report.id.desc()).limit(200)):
        found = (f" · the city has request {r.service_request_id} that may be this report"
                 if r.service_request_id else "")
        items.append(Item(Kind.UNDELIVERED, r.id, r.created_at,
                          names.get(r.service_code, r.service_code),
                          f"{r.address} · {r.last_error or ''}{found}", r.reference,
                          mask_phone(r.phone), can_retry=True, adopt=r.service_request_id or ""))
    items += callback_items(session)
    return sorted(items, key=lambda i: i.created, reverse=True)


def callback_items(session: Session) -> list[Item]:
    """Residents who asked a person to call back and have not been called yet."""
    items = []
    for row in session.scalars(select(CallbackRequest)
                               .where(CallbackRequest.handled_at.is_(None))
                               .order_by(CallbackRequest.id.desc()).limit(200)):
        detail = f"{REASONS.get(row.reason, row.reason)} · speaks {language_name(row.lang)}"
        items.append(Item(Kind.CALLBACK, row.id, row.created_at, "Call back", detail,
                          row.reference or "", mask_phone(row.phone)))
    return items


def mark_handled(session: Session, kind: str, item_id: int, user: str) -> bool:
    """Take an item off the list (a callback is marked as `intake callbacks done` does)."""
    if kind not in KINDS:
        return False
    if kind == Kind.CALLBACK:
        row = session.get(CallbackRequest, item_id)
        if row is None:
            return False
        row.handled_at = row.handled_at or utcnow()
    exists = session.scalar(select(HandledItem.id).where(HandledItem.kind == kind,
                                                         HandledItem.item_id == item_id))
    if exists is None:
        session.add(HandledItem(kind=kind, item_id=item_id, user_name=user))
    return True


def retry(session: Session, report_id: int, *, adopt: bool = False) -> Report | None:
    """Send a report again (looked up first if it may be filed), or take the city's request
    that the outbox found for it (`adopt`)."""
    report = session.get(Report, report_id)
    if report is None:
        return None
    return retry_failed(session, report.reference, adopt=adopt)

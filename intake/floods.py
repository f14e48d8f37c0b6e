"""Per-number limits on texts: a flood (a stuck phone, two auto-responders answering each
other) gets one polite reply, then silence until its window has passed.

Counted in the database (one upsert per text), so every process of the service shares the
count. Keywords are counted too: a HELP loop is a flood like any other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from flask import Blueprint, Response, request
from sqlalchemy import Connection, Table, bindparam, case, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from twilio.twiml.messaging_response import MessagingResponse

from conversation import Say, Wording

from .db import UTCDateTime, bound_engine, utcnow
from .settings import mask_phone
from .storage import SmsRate

log = logging.getLogger(__name__)


def count_text(conn: Connection, phone: str, now: datetime, window: timedelta) -> int:
    """Count one more text from `phone`; returns its number within the current window.

    One atomic upsert (INSERT ... ON CONFLICT DO UPDATE ... RETURNING): concurrent texts
    from one number each get a different count, so exactly one of them is the first over.
    """
    stmt = _UPSERTS[conn.dialect.name == "postgresql"]
    return int(conn.execute(stmt, {"phone": phone, "now": now,
                                   "since": now - window}).scalar_one())


def _upsert(insert: Callable[[Table], Any]) -> Any:
    """The counting upsert, built once per dialect: building it (and running it through the
    ORM) cost more CPU than the rest of a text's webhook."""
    rates = cast(Table, SmsRate.__table__)
    now = bindparam("now", type_=UTCDateTime)
    expired = rates.c.window_start < bindparam("since", type_=UTCDateTime)
    return insert(rates).values(phone=bindparam("phone"), window_start=now, count=1) \
        .on_conflict_do_update(
            index_elements=[rates.c.phone],
            set_={"count": case((expired, 1), else_=rates.c.count + 1),
                  "window_start": case((expired, now), else_=rates.c.window_start)},
        ).returning(rates.c.count)


_UPSERTS = {True: _upsert(postgresql.insert), False: _upsert(sqlite.insert)}


def forget_rates(session: Session, now: datetime, keep: timedelta) -> int:
    """Drop counts whose window ended more than `keep` ago (housekeeping)."""
    gone = session.execute(delete(SmsRate).where(SmsRate.window_start < now - keep))
    return int(getattr(gone, "rowcount", 0) or 0)


def guard_floods(bp: Blueprint, sessions: sessionmaker[Session], wording: Wording,
                 limit: int, window: float,
                 languages: Callable[[], Sequence[str]] = lambda: ("en", "es")) -> None:
    """Before a text reaches keywords or the conversation: count it, and stop a flood.

    Register after the signature check (a forged request must not count against a number).
    The one reply is in every language the city offers (`languages`, main one first).
    """
    span = timedelta(seconds=window)
    # the upsert is atomic by itself: run without a transaction around it, a text costs one
    # round trip to the database instead of three (BEGIN, the upsert, COMMIT)
    counter = bound_engine(sessions).execution_options(isolation_level="AUTOCOMMIT")

    def count(phone: str) -> int:
        with counter.connect() as conn:
            return count_text(conn, phone, utcnow(), span)

    @bp.before_request
    def _flood() -> Response | None:
        if request.endpoint != f"{bp.name}.incoming" or limit <= 0:
            return None
        phone = request.form.get("From", "")
        if not phone:
            return None
        try:
            texts = count(phone)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            texts = count(phone)  # a pooled connection the database dropped: a fresh one
        if texts <= limit:
            return None
        answer = MessagingResponse()
        if texts == limit + 1:
            log.warning("%s sent more than %d texts in %ss: answered once, then ignored",
                        mask_phone(phone), limit, window)
            answer.message(" / ".join(t for t in (wording.text(lang, Say("too_many_texts"))
                                                  for lang in languages()) if t))
        return Response(str(answer), mimetype="text/xml")


__all__ = ["SmsRate", "count_text", "forget_rates", "guard_floods"]

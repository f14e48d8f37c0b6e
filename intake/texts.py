"""Outbound texts: opt-outs, the queue, sending through a `sms.Sender`, delivery callbacks.

Rules: nothing is queued for, and nothing waiting is sent to, an opted-out number; a text is
claimed by one sender at a time (a lease, like the report outbox); a refusal Twilio calls
permanent (4xx) fails the text at once, trouble that may pass is retried a few times; a
delivery state only ever moves forward, whatever order callbacks arrive in. Phone numbers
are stored (texts need them) and logged masked.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

import sms
from sms import UNSUBSCRIBED, DeliveryReport, OutboundText, Sender

from .db import utcnow
from .leases import Leased, Retry
from .lifecycle import SENDABLE, TEXT_RANK, TextState, earlier
from .settings import mask_phone
from .storage import ConversationRow, OptOut, OutboundTextRow, Report

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
RETRY = Retry(base=timedelta(seconds=30), most=5)  # trouble that may pass: a few more tries


class TextKind(StrEnum):
    """Why a text is sent (stored in `outbound_texts.kind`, named in the logs)."""

    STATUS = "status"  # the city changed the status of a report the resident follows
    CONTINUE = "continue"  # a call cut off mid-way goes on by text


# the sending queue; a claim counts an attempt
TEXTS = Leased(OutboundTextRow, OutboundTextRow.id, OutboundTextRow.not_before,
               OutboundTextRow.status.in_(SENDABLE),
               claimed={"status": TextState.CLAIMED, "attempts": OutboundTextRow.attempts + 1},
               order=(OutboundTextRow.id,))


# ---------------------------------------------------------------------- quiet hours


@dataclass(frozen=True)
class QuietHours:
    """A nightly window in the city's time zone when status texts wait (None start: never)."""

    start: time | None
    end: time | None
    zone: ZoneInfo

    @classmethod
    def parse(cls, spec: str, zone: str) -> QuietHours:
        """'21:00-08:00' (may cross midnight); '' or 'off' for none."""
        tz = ZoneInfo(zone)
        spec = spec.strip().lower()
        if spec in ("", "off", "none"):
            return cls(None, None, tz)
        try:
            first, second = (part.strip() for part in spec.split("-"))
            return cls(time.fromisoformat(first), time.fromisoformat(second), tz)
        except ValueError as exc:
            raise ValueError(f"QUIET_HOURS must look like 21:00-08:00, not {spec!r}") from exc

    def quiet(self, moment: datetime) -> bool:
        if self.start is None or self.end is None or self.start == self.end:
            return False
        local = moment.astimezone(self.zone).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, moment: datetime) -> datetime:
        """`moment` itself, or the end of the quiet window it falls in."""
        if not self.quiet(moment) or self.end is None:
            return moment
        local = moment.astimezone(self.zone)
        day = local.date() if local.time() < self.end else local.date() + timedelta(days=1)
        return datetime.combine(day, self.end, tzinfo=self.zone).astimezone(moment.tzinfo)


# ---------------------------------------------------------------------- opt-out


def is_opted_out(session: Session, phone: str) -> bool:
    row = session.get(OptOut, phone)
    return bool(row and row.opted_out)


def record_opt_out(session: Session, phone: str, keyword: str) -> int:
    """Opt the number out and cancel every text waiting for it; returns how many."""
    row = session.get(OptOut, phone)
    if row is None:
        session.add(OptOut(phone=phone, opted_out=True, keyword=keyword[:32]))
    else:
        row.opted_out, row.keyword, row.updated_at = True, keyword[:32], utcnow()
    canceled = session.execute(
        update(OutboundTextRow)
        .where(OutboundTextRow.phone == phone, OutboundTextRow.status == TextState.WAITING)
        .values(status=TextState.CANCELED, error=f"opted out ({keyword})")
        .execution_options(synchronize_session=False)
    )
    count = int(getattr(canceled, "rowcount", 0) or 0)
    log.info("%s opted out (%s); %d waiting texts canceled", mask_phone(phone), keyword, count)
    return count


def record_opt_in(session: Session, phone: str) -> None:
    row = session.get(OptOut, phone)
    if row is not None and row.opted_out:
        row.opted_out, row.keyword, row.updated_at = False, "start", utcnow()
        log.info("%s opted back in", mask_phone(phone))


# ---------------------------------------------------------------------- the queue


def queue_text(
    session: Session,
    phone: str | None,
    city_number: str | None,
    body: str,
    lang: str,
    kind: TextKind,
    *,
    report_id: int | None = None,
    change_id: int | None = None,
    not_before: datetime | None = None,
) -> OutboundTextRow | None:
    """Queue one text in the caller's transaction; None (nothing queued) for an opted-out
    or missing number. The sender sends it from `city_number` (or the configured sender)
    once `not_before` has passed.

    >>> queue_text(session, "+15555550123", "+15555550311", "Your ref is 1234567.", "en",
    ...            TextKind.STATUS)
    """
    if not phone or not body.strip():
        return None
    if is_opted_out(session, phone):
        log.info("no %s text for %s: opted out", kind, mask_phone(phone))
        return None
    parts = sms.segments(body)
    if parts > sms.MAX_SEGMENTS:
        log.warning("%s text for %s is %d segments long", kind, mask_phone(phone), parts)
    row = OutboundTextRow(
        kind=kind, phone=phone, city_number=city_number, body=body, lang=lang,
        segments=parts, encoding=sms.encoding(body), report_id=report_id, change_id=change_id,
        status=TextState.WAITING, not_before=not_before or utcnow(), attempts=0,
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class TextToQueue:
    """One text for `queue_texts`: what `queue_text` takes, as one value."""

    phone: str
    city_number: str | None
    body: str
    lang: str
    kind: TextKind
    report_id: int | None = None
    change_id: int | None = None
    not_before: datetime | None = None


def queue_texts(session: Session, texts: Sequence[TextToQueue]) -> int:
    """Queue many texts in the caller's transaction with one opt-out read and one INSERT
    (the poller's batch); the rules are `queue_text`'s. Returns how many were queued."""
    wanted = [t for t in texts if t.phone and t.body.strip()]
    if not wanted:
        return 0
    out = set(session.scalars(select(OptOut.phone).where(
        OptOut.phone.in_({t.phone for t in wanted}), OptOut.opted_out.is_(True))))
    rows = []
    for t in wanted:
        if t.phone in out:
            log.info("no %s text for %s: opted out", t.kind, mask_phone(t.phone))
            continue
        parts = sms.segments(t.body)
        if parts > sms.MAX_SEGMENTS:
            log.warning("%s text for %s is %d segments long", t.kind, mask_phone(t.phone),
                        parts)
        rows.append({"kind": t.kind, "phone": t.phone, "city_number": t.city_number,
                     "body": t.body, "lang": t.lang, "segments": parts,
                     "encoding": sms.encoding(t.body), "report_id": t.report_id,
                     "change_id": t.change_id, "status": TextState.WAITING,
                     "not_before": t.not_before or utcnow(), "attempts": 0})
    if rows:
        session.execute(insert(OutboundTextRow), rows)
    return len(rows)


# ---------------------------------------------------------------------- sending


def send_due(
    sessions: sessionmaker[Session],
    sender: Sender,
    callback_base: str,
    *,
    now: datetime | None = None,
    limit: int = 200,
) -> int:
    """Send every text that is due (at most `limit`); returns how many Twilio accepted."""
    moment = now or utcnow()
    accepted = 0
    for text in TEXTS.each_due(sessions, moment, LEASE, limit, then=_unless_opted_out):
        if text.status == TextState.CANCELED:
            continue
        callback = f"{callback_base.rstrip('/')}/sms/status?text={text.id}"
        outbound = OutboundText(text.phone, text.body, text.city_number, callback)
        if sms.is_whatsapp(text.phone):
            routed = _by_whatsapp_rule(sessions, text, outbound, sender, moment)
            if routed is None:
                continue
            outbound = routed
        result = sender.send(outbound)
        with sessions.begin() as session:
            _record_send(session, text, result, moment)
        accepted += result.ok
    return accepted


WHATSAPP_WAIT = timedelta(hours=1)  # how often a held WhatsApp update looks at the window again
WHATSAPP_HOLD = timedelta(days=7)  # a held update older than this is dropped (stale)


def _by_whatsapp_rule(sessions: sessionmaker[Session], text: OutboundTextRow,
                      outbound: OutboundText, sender: Sender, now: datetime
                      ) -> OutboundText | None:
    """The text as WhatsApp's 24-hour rule lets it go now, or None: held for later (or, too
    old, dropped). Free-form inside the window; else the staff's template; else SMS when the
    resident also agreed to texts there; else it waits for the resident to write."""
    with sessions() as session:
        last = session.scalar(select(func.max(ConversationRow.updated_at))
                              .where(ConversationRow.phone == text.phone))
        number = sms.plain(text.phone)
        agreed = not is_opted_out(session, number) and session.scalar(
            select(Report.id).where(Report.phone == number, Report.wants_texts.is_(True))
            .limit(1)) is not None
    template = getattr(sender, "whatsapp_template", None)
    how = sms.whatsapp_route(last, now, template, agreed)
    if how == "free":
        return outbound
    if how == "template":
        variables = json.dumps({"1": text.body})
        return replace(outbound, content_sid=template, content_variables=variables)
    if how == "sms":
        city = sms.plain(text.city_number) if text.city_number else None
        return replace(outbound, to=number, from_=city)
    held = text.created_at < now - WHATSAPP_HOLD
    with sessions.begin() as session:
        session.execute(update(OutboundTextRow).where(OutboundTextRow.id == text.id)
                        .values(status=TextState.CANCELED if held else TextState.WAITING,
                                not_before=now + WHATSAPP_WAIT,
                                attempts=OutboundTextRow.attempts - 1,
                                error="outside WhatsApp's 24 hours; no template, no SMS consent")
                        .execution_options(synchronize_session=False))
    log.info("%s text %d to %s %s: outside WhatsApp's 24-hour window", text.kind, text.id,
             mask_phone(text.phone), "dropped" if held else "held")
    return None


def _unless_opted_out(session: Session, text: OutboundTextRow) -> None:
    """A text claimed for a number that has opted out since it was queued is canceled."""
    if is_opted_out(session, text.phone):
        text.status, text.error = TextState.CANCELED, "opted out"
        session.flush()


def _record_send(session: Session, text: OutboundTextRow, result: sms.Sent, now: datetime) -> None:
    if result.ok:
        status = TextState(result.status) if result.status in TEXT_RANK else TextState.QUEUED
        _advance(session, text.id, status, sid=result.sid, error_code=result.error_code)
        session.execute(update(OutboundTextRow).where(OutboundTextRow.id == text.id)
                        .values(sent_at=now).execution_options(synchronize_session=False))
        log.info("%s text %d to %s accepted (%s)", text.kind, text.id, mask_phone(text.phone),
                 status)
        return
    error = f"HTTP {result.http_status}: {result.error}" if result.http_status else result.error
    values: dict[str, object] = {"error_code": result.error_code, "error": error}
    if result.error_code == UNSUBSCRIBED:
        record_opt_out(session, text.phone, "21610")
        values["status"] = TextState.FAILED
    elif result.retry and not RETRY.exhausted(text.attempts):
        values["status"] = TextState.WAITING
        values["not_before"] = now + RETRY.delay(text.attempts)
    else:
        values["status"] = TextState.FAILED
    session.execute(update(OutboundTextRow)
                    .where(OutboundTextRow.id == text.id,
                           OutboundTextRow.status == TextState.CLAIMED)
                    .values(**values).execution_options(synchronize_session=False))
    log.warning("%s text %d to %s not sent (attempt %d, %s): %s", text.kind, text.id,
                mask_phone(text.phone), text.attempts, values["status"], error)


def _advance(
    session: Session, text_id: int, status: TextState, *, sid: str | None = None,
    error_code: int | None = None,
) -> bool:
    """Move a text to `status` unless it is already as far or further along."""
    values: dict[str, object] = {"status": status}
    if error_code is not None:
        values["error_code"] = error_code
    moved = session.execute(
        update(OutboundTextRow)
        .where(OutboundTextRow.id == text_id, OutboundTextRow.status.in_(earlier(status)))
        .values(**values).execution_options(synchronize_session=False)
    )
    if sid:  # a callback may have overtaken the send's answer: keep the SID regardless
        session.execute(
            update(OutboundTextRow)
            .where(OutboundTextRow.id == text_id, OutboundTextRow.message_sid.is_(None))
            .values(message_sid=sid).execution_options(synchronize_session=False)
        )
    return bool(getattr(moved, "rowcount", 0))


def record_delivery(session: Session, report: DeliveryReport) -> bool:
    """Apply one status callback; False when it names no text or is older news."""
    if report.status not in TEXT_RANK:
        return False
    text: OutboundTextRow | None = None
    if report.text_id and report.text_id.isascii() and report.text_id.isdigit() \
            and len(report.text_id) <= 9:  # an id an integer column can hold
        text = session.get(OutboundTextRow, int(report.text_id))
    if text is None and report.message_sid:
        text = session.scalars(
            select(OutboundTextRow).where(OutboundTextRow.message_sid == report.message_sid)
            .order_by(OutboundTextRow.id.desc()).limit(1)
        ).first()
    if text is None:
        return False
    if report.error_code == UNSUBSCRIBED:
        record_opt_out(session, text.phone, "21610")
    return _advance(session, text.id, TextState(report.status), sid=report.message_sid,
                    error_code=report.error_code)


def texts_for(session: Session, phone: str | None = None, limit: int = 200
              ) -> Sequence[OutboundTextRow]:
    """The most recent outbound texts (for one number), newest first."""
    query = select(OutboundTextRow).order_by(OutboundTextRow.id.desc()).limit(limit)
    if phone:
        query = query.where(OutboundTextRow.phone == phone)
    return session.scalars(query).all()

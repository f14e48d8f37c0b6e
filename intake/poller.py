"""The status poller: read every tracked open request in batches, record changes, queue texts.

A change is a new status or a new city's note (status_notes, or the latest `notes[]` entry
where a server leaves status_notes empty); a newer `updated_datetime` alone is recorded but
not texted. The first note seen while the request is still open is the city's receipt, which
only repeats what the resident was told when filing: recorded, not texted. Each change bumps
the watch's version with a guarded UPDATE, so two pollers
racing over the same answer record it, and text it, once. A report is tracked from delivery
until the city closes it; the resident gets one text per change if they asked for updates.
A closed request is looked at again now and then (`reopen_check`, for `reopen_days` after it
closed): one the city reopens is tracked again and the resident told it was reopened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

import sms
from open311_client import Open311Client, Open311Error, ServiceRequest

from .config import StaffConfig
from .db import utcnow
from .storage import ConversationRow, Report
from .texts import QuietHours, StatusChange, StatusWatch, is_opted_out, queue_text, send_due
from .worker import Periodic

log = logging.getLogger(__name__)
CLOSED = "closed"
REOPENED = "reopened"  # the status word texted when a closed request is open again


@dataclass
class PollResult:
    tracked: int = 0
    changes: int = 0
    texts: int = 0
    errors: int = 0


def city_note(record: ServiceRequest) -> str:
    """The city's words for the resident: status_notes, else the latest note's (not 'opened')."""
    if record.status_notes and record.status_notes.strip():
        return record.status_notes.strip()
    # the "opened" note only says what the resident was told when they filed it
    dated = [n for n in record.notes if (n.description or n.summary) and n.type != "opened"]
    if not dated:
        return ""
    latest = dated[-1]
    return (latest.description or latest.summary or "").strip()


def category_name(staff: StaffConfig, code: str, lang: str) -> str:
    for category in staff.menu:
        if category.code == code:
            return category.names.get(lang) or category.names.get("en") or code
    return code.replace("_", " ").lower()


def start_watching(session: Session) -> int:
    """Track every delivered report that is not tracked yet, from what the resident knows."""
    new = session.execute(
        select(Report.id, Report.service_request_id)
        .outerjoin(StatusWatch, StatusWatch.report_id == Report.id)
        .where(Report.status == "delivered", Report.service_request_id.is_not(None),
               StatusWatch.report_id.is_(None))
    ).all()
    for report_id, request_id in new:
        session.add(StatusWatch(report_id=report_id, service_request_id=request_id,
                                status="open", note=None, version=0, is_open=True))
    return len(new)


class Poller:
    """One app's poller: the Open311 client, the staff wording, quiet hours, batch size."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        client: Open311Client,
        staff: StaffConfig,
        quiet: QuietHours,
        *,
        batch_size: int = 50,
        from_number: str | None = None,
        reopen_check: timedelta = timedelta(hours=1),
        reopen_days: float = 30,
    ) -> None:
        self.sessions = sessions
        self.client = client
        self.staff = staff
        self.wording = staff.wording("sms")
        self.quiet = quiet
        self.batch_size = batch_size
        self.from_number = from_number
        self.reopen_check = reopen_check
        self.reopen_window = timedelta(days=reopen_days)

    def poll_once(self, now: datetime | None = None) -> PollResult:
        """One pass over every tracked open request: ceil(tracked / batch_size) GETs."""
        moment = now or utcnow()
        result = PollResult()
        with self.sessions.begin() as session:
            start_watching(session)
        with self.sessions() as session:
            watched = session.execute(
                select(StatusWatch.report_id, StatusWatch.service_request_id)
                .where(StatusWatch.is_open.is_(True)).order_by(StatusWatch.report_id)
            ).all()
            recheck = self._closed_due(session, moment)
        if recheck:
            with self.sessions.begin() as session:  # asked now: not again for reopen_check
                session.execute(update(StatusWatch)
                                .where(StatusWatch.report_id.in_([r for r, _ in recheck]))
                                .values(checked_at=moment)
                                .execution_options(synchronize_session=False))
        tracked = [(r, i) for r, i in watched] + recheck
        result.tracked = len(tracked)
        for n in range(0, len(tracked), self.batch_size):
            batch = tracked[n : n + self.batch_size]
            ids = [request_id for _, request_id in batch]
            try:
                records = self.client.get_requests(ids=ids, extensions=True,
                                                   chunk_size=self.batch_size)
            except Open311Error as exc:
                result.errors += 1
                log.warning("status poll of %d requests failed: %s", len(ids), exc)
                continue
            by_id = {r.service_request_id: r for r in records}
            with self.sessions.begin() as session:
                for report_id, request_id in batch:
                    record = by_id.get(request_id)
                    if record is not None:
                        changed, texted = self._apply(session, report_id, record, moment)
                        result.changes += changed
                        result.texts += texted
        if result.changes:
            log.info("status poll: %d tracked, %d changes, %d texts queued", result.tracked,
                     result.changes, result.texts)
        return result

    def _closed_due(self, session: Session, now: datetime) -> list[tuple[int, str]]:
        """Closed requests to ask about again: closed within the window, not asked lately."""
        closed_at = (select(StatusChange.seen_at)
                     .where(StatusChange.report_id == StatusWatch.report_id,
                            StatusChange.version == StatusWatch.version)
                     .scalar_subquery())
        rows = session.execute(
            select(StatusWatch.report_id, StatusWatch.service_request_id)
            .where(StatusWatch.is_open.is_(False),
                   closed_at >= now - self.reopen_window,
                   or_(StatusWatch.checked_at.is_(None),
                       StatusWatch.checked_at < now - self.reopen_check))
            .order_by(StatusWatch.report_id)
        ).all()
        return [(report_id, request_id) for report_id, request_id in rows]

    def _apply(
        self, session: Session, report_id: int, record: ServiceRequest, now: datetime
    ) -> tuple[bool, bool]:
        watch = session.get(StatusWatch, report_id)
        if watch is None:
            return False, False
        status = (record.status or watch.status or "open").lower()
        note = city_note(record) or None
        if (status, note) == (watch.status, watch.note):
            if record.updated_datetime and record.updated_datetime != watch.updated_datetime:
                watch.updated_datetime = record.updated_datetime
            watch.checked_at = now
            return False, False
        moved = session.execute(
            update(StatusWatch)
            .where(StatusWatch.report_id == report_id, StatusWatch.version == watch.version)
            .values(status=status, note=note, updated_datetime=record.updated_datetime,
                    version=watch.version + 1, is_open=status != CLOSED, checked_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(moved, "rowcount", 0) != 1:
            return False, False  # another poller recorded this change first
        change = StatusChange(
            report_id=report_id, version=watch.version + 1, status=status, note=note,
            updated_datetime=record.updated_datetime, seen_at=now,
            notes=[{"datetime": n.datetime.isoformat() if n.datetime else None,
                    "type": n.type, "summary": n.summary, "description": n.description}
                   for n in record.notes],
        )
        session.add(change)
        session.flush()
        report = session.get_one(Report, report_id)
        if not report.wants_texts or not report.phone or is_opted_out(session, report.phone):
            return True, False
        if watch.version == 0 and status == "open":
            return True, False  # the city acknowledging the report: the resident was just told
        reopened = watch.status == CLOSED and status == "open"
        body = sms.status_text(self.wording, sms.RequestStatus(
            reference=report.reference, status=REOPENED if reopened else status,
            note=note or "", lang=report.lang,
            category=category_name(self.staff, report.service_code, report.lang),
            address=report.address,
        ))
        queued = queue_text(session, report.phone, self._city_number(session, report), body,
                            report.lang, "status", report_id=report.id, change_id=change.id,
                            not_before=self.quiet.next_allowed(now))
        return True, queued is not None

    def _city_number(self, session: Session, report: Report) -> str | None:
        if self.from_number:
            return self.from_number
        if report.conversation_id is None:
            return None
        return session.scalar(select(ConversationRow.city_number)
                              .where(ConversationRow.id == report.conversation_id))


class TextsWorker(Periodic):
    """In the server: send due texts every `interval`; poll too, every `poll_interval`."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        sender: sms.Sender,
        callback_base: Callable[[], str],
        poller: Poller | None,
        *,
        interval: float = 2.0,
        poll_interval: float = 60.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__("texts", interval)
        self.sessions = sessions
        self.sender = sender
        self.callback_base = callback_base
        self.poller = poller
        self.poll_interval = poll_interval
        self.clock = clock
        self._last_poll: datetime | None = None

    def run_once(self) -> None:
        now = self.clock()
        if self.poller is not None and (
            self._last_poll is None
            or (now - self._last_poll).total_seconds() >= self.poll_interval
        ):
            self._last_poll = now
            self.poller.poll_once(now)
        send_due(self.sessions, self.sender, self.callback_base(), now=now)


def poll_and_send(
    poller: Poller, sessions: sessionmaker[Session], sender: sms.Sender, callback_base: str,
    now: datetime | None = None,
) -> tuple[PollResult, int]:
    """One `intake poll` pass: poll, then send what is due."""
    result = poller.poll_once(now)
    return result, send_due(sessions, sender, callback_base, now=now)


__all__: Sequence[str] = ["CLOSED", "REOPENED", "PollResult", "Poller", "TextsWorker", "city_note",
                          "poll_and_send", "start_watching"]

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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, or_, select, tuple_, update
from sqlalchemy.orm import Session, sessionmaker

import sms
from open311_client import Open311Client, Open311Error, ServiceRequest, Status

from .config import StaffConfig
from .db import utcnow
from .lifecycle import ReportState
from .storage import ConversationRow, Report, StatusChange, StatusWatch
from .texts import QuietHours, TextKind, TextToQueue, queue_texts, send_due
from .worker import Periodic

log = logging.getLogger(__name__)
REOPENED = "reopened"  # the status word texted when a closed request is open again
WATCHES = cast(Table, StatusWatch.__table__)
CHANGES = cast(Table, StatusChange.__table__)
RESCAN_MARGIN = timedelta(minutes=10)  # longer than any delivery's transaction (its lease)
# The answers of this many GETs are recorded in one transaction: a handful of statements
# per thousand requests, not per fifty (at 100,000 requests, round trips were most of a poll)
GETS_PER_TRANSACTION = 20
Answer = tuple[int, ServiceRequest]  # a tracked report and what the city says of it now


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


def start_watching(session: Session, since: datetime | None = None) -> int:
    """Track every delivered report that is not tracked yet, from what the resident knows.

    With `since`, only reports changed since then are looked at (a range of an index, not
    every delivered report: at 100,000 of them that scan was most of a poll's database time).
    """
    query = (select(Report.id, Report.service_request_id)
             .outerjoin(StatusWatch, StatusWatch.report_id == Report.id)
             .where(Report.status == ReportState.DELIVERED, Report.service_request_id.is_not(None),
                    StatusWatch.report_id.is_(None)))
    if since is not None:
        query = query.where(Report.updated_at >= since)
    new = session.execute(query).all()
    for report_id, request_id in new:
        session.add(StatusWatch(report_id=report_id, service_request_id=request_id,
                                status=Status.OPEN, note=None, version=0, is_open=True))
    return len(new)


def _news(known_status: str | None, record: ServiceRequest) -> tuple[str, str | None]:
    """The status and city's note an answer tells, as they are compared and stored."""
    return (record.status or known_status or Status.OPEN).lower(), city_note(record) or None


def _watches(session: Session, report_ids: list[int]) -> dict[int, Any]:
    """What was last recorded for a batch of tracked reports, and what a status text needs
    of each report, in one statement."""
    return {row.report_id: row for row in session.execute(
        select(StatusWatch.report_id, StatusWatch.status, StatusWatch.note,
               StatusWatch.updated_datetime, StatusWatch.version, Report.id,
               Report.wants_texts, Report.phone, Report.reference, Report.lang,
               Report.service_code, Report.address, Report.conversation_id)
        .join(Report, Report.id == StatusWatch.report_id)
        .where(StatusWatch.report_id.in_(report_ids)))}


def _checked(session: Session, quiet: list[int], newer: list[dict[str, object]],
             now: datetime) -> None:
    """Record that a batch's unchanged requests were checked: one UPDATE for those with
    nothing new, one executemany for those whose `updated_datetime` alone moved."""
    if quiet:
        session.execute(update(StatusWatch).where(StatusWatch.report_id.in_(quiet))
                        .values(checked_at=now).execution_options(synchronize_session=False))
    if newer:
        session.connection().execute(
            update(WATCHES).where(WATCHES.c.report_id == bindparam("rid"))
            .values(updated_datetime=bindparam("when"), checked_at=now), newer)


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
        concurrency: int = 4,
    ) -> None:
        self.sessions = sessions
        self.client = client
        self.staff = staff
        self.wording = staff.wording("sms")
        self.quiet = quiet
        self.batch_size = batch_size
        self.concurrency = max(1, concurrency)
        self.from_number = from_number
        self.reopen_check = reopen_check
        self.reopen_window = timedelta(days=reopen_days)
        self._scanned: datetime | None = None  # when start_watching last ran

    def use(self, staff: StaffConfig) -> None:
        """A reloaded staff file: later status texts take its wording and names."""
        self.staff, self.wording = staff, staff.wording("sms")

    def poll_once(self, now: datetime | None = None) -> PollResult:
        """One pass over every tracked open request: ceil(tracked / batch_size) GETs."""
        moment = now or utcnow()
        result = PollResult()
        began = utcnow()  # the real clock: reports' updated_at is stamped with it
        with self.sessions.begin() as session:
            # the first pass of this process looks at every delivered report, later ones
            # at those delivered since the last pass (less a margin for late commits)
            start_watching(session, self._scanned - RESCAN_MARGIN if self._scanned else None)
        self._scanned = began
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
        size = self.batch_size
        groups = [tracked[g : g + size * GETS_PER_TRANSACTION]
                  for g in range(0, len(tracked), size * GETS_PER_TRANSACTION)]
        # `concurrency` GETs at a time; a group's answers are recorded while the next
        # group's GETs are out (a city's server answers in tens or hundreds of milliseconds:
        # one after another, 2,000 GETs would not fit in a poll interval)
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="poll") as pool:
            def ask(group: list[tuple[int, str]]) -> list[Future[list[Answer] | None]]:
                return [pool.submit(self._ask, group[n : n + size])
                        for n in range(0, len(group), size)]

            pending = ask(groups[0]) if groups else []
            for k in range(len(groups)):
                answered: list[Answer] = []
                for future in pending:
                    got = future.result()
                    if got is None:
                        result.errors += 1
                    else:
                        answered += got
                pending = ask(groups[k + 1]) if k + 1 < len(groups) else []
                if answered:
                    with self.sessions.begin() as session:
                        changed, texted = self._settle(session, answered, moment)
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

    def _ask(self, batch: list[tuple[int, str]]) -> list[Answer] | None:
        """One GET for a batch: each report with the city's answer about it (None: failed)."""
        ids = [request_id for _, request_id in batch]
        try:
            records = self.client.get_requests(ids=ids, extensions=True,
                                               chunk_size=self.batch_size)
        except Open311Error as exc:
            log.warning("status poll of %d requests failed: %s", len(ids), exc)
            return None
        by_id = {r.service_request_id: r for r in records}
        return [(report_id, by_id[request_id]) for report_id, request_id in batch
                if request_id in by_id]

    def _settle(self, session: Session, answered: list[Answer],
                now: datetime) -> tuple[int, int]:
        """Compare the answers of a few GETs with what was recorded: mark the unchanged ones
        checked, record (and text) the changes. Returns (changes, texts queued)."""
        known = _watches(session, [report_id for report_id, _ in answered])
        quiet: list[int] = []
        newer: list[dict[str, object]] = []
        news: list[tuple[Any, ServiceRequest]] = []
        for report_id, record in answered:
            seen = known.get(report_id)
            if seen is None:
                continue
            if _news(seen.status, record) != (seen.status, seen.note):
                news.append((seen, record))
            elif record.updated_datetime and record.updated_datetime != seen.updated_datetime:
                newer.append({"rid": report_id, "when": record.updated_datetime})
            else:
                quiet.append(report_id)
        _checked(session, quiet, newer, now)
        return self._record(session, news, now)

    def _record(self, session: Session, news: list[tuple[Any, ServiceRequest]],
                now: datetime) -> tuple[int, int]:
        """Record a batch's changes and queue their texts, a few statements per batch.

        One guarded UPDATE moves the version of every watch still as the batch read it; its
        RETURNING says which moved, so a change another poller recorded first is neither
        recorded nor texted again."""
        if not news:
            return 0, 0
        conn = session.connection()
        moved = set(conn.execute(
            update(WATCHES)
            .where(tuple_(WATCHES.c.report_id, WATCHES.c.version)
                   .in_([(seen.report_id, seen.version) for seen, _ in news]))
            .values(version=WATCHES.c.version + 1, checked_at=now)
            .returning(WATCHES.c.report_id)).scalars())
        won = [(seen, record, *_news(seen.status, record)) for seen, record in news
               if seen.report_id in moved]
        if not won:
            return 0, 0
        conn.execute(
            update(WATCHES).where(WATCHES.c.report_id == bindparam("rid"))
            .values(status=bindparam("new_status"), note=bindparam("new_note"),
                    updated_datetime=bindparam("when"), is_open=bindparam("still_open")),
            [{"rid": seen.report_id, "new_status": status, "new_note": note,
              "when": record.updated_datetime, "still_open": status != Status.CLOSED}
             for seen, record, status, note in won])
        change_ids: dict[int, int] = {report_id: change_id for report_id, change_id in conn.execute(
            insert(CHANGES).returning(CHANGES.c.report_id, CHANGES.c.id,
                                      sort_by_parameter_order=True),
            [{"report_id": seen.report_id, "version": seen.version + 1, "status": status,
              "note": note, "updated_datetime": record.updated_datetime, "seen_at": now,
              "notes": [{"datetime": n.datetime.isoformat() if n.datetime else None,
                         "type": n.type, "summary": n.summary, "description": n.description}
                        for n in record.notes]}
             for seen, record, status, note in won])}
        # the city acknowledging the report (its first note, still open) is not texted:
        # the resident was just told
        told = [(seen, status, note) for seen, _, status, note in won
                if seen.wants_texts and seen.phone and not (seen.version == 0
                                                            and status == Status.OPEN)]
        city_numbers = self._city_numbers(session, [seen for seen, _, _ in told])
        not_before = self.quiet.next_allowed(now)
        texts = []
        for seen, status, note in told:
            reopened = seen.status == Status.CLOSED and status == Status.OPEN
            body = sms.status_text(self.wording, sms.RequestStatus(
                reference=seen.reference, status=REOPENED if reopened else status,
                note=note or "", lang=seen.lang,
                category=self.staff.category_name(seen.service_code, seen.lang),
                address=seen.address,
            ))
            texts.append(TextToQueue(
                phone=seen.phone, city_number=city_numbers.get(seen.report_id), body=body,
                lang=seen.lang, kind=TextKind.STATUS, report_id=seen.report_id,
                change_id=change_ids[seen.report_id], not_before=not_before))
        return len(won), queue_texts(session, texts)

    def _city_numbers(self, session: Session, reports: list[Any]) -> dict[int, str | None]:
        """The number each report's resident wrote to (the configured sender overrides)."""
        if self.from_number:
            return {report.report_id: self.from_number for report in reports}
        asked = {report.conversation_id for report in reports
                 if report.conversation_id is not None}
        if not asked:
            return {}
        numbers = {row_id: number for row_id, number in session.execute(
            select(ConversationRow.id, ConversationRow.city_number)
            .where(ConversationRow.id.in_(asked)))}
        return {report.report_id: numbers.get(report.conversation_id) for report in reports}


class TextsWorker(Periodic):
    """In the server: send due texts every `interval`; poll too, every `poll_interval`."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        sender: sms.Sender,
        callback_base: str,
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
        send_due(self.sessions, self.sender, self.callback_base, now=now)


__all__: Sequence[str] = ["REOPENED", "PollResult", "Poller", "TextsWorker", "city_note",
                          "start_watching"]

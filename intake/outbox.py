"""Delivering confirmed reports to the city's Open311 server: each filed exactly once.

Reports are committed before this runs, so the resident has a reference whatever the server
does. One attempt: claim the report with a lease (one conditional UPDATE, so one worker
only), talk HTTP outside any transaction (SQLite keeps one writer), record the outcome.

- A POST whose answer we never got (timeout, dropped connection, 5xx, an empty 2xx) may have
  created the request: the report becomes *uncertain* and is not posted again until a lookup
  (``GET requests`` for its service around the time it was sent, matching the "ref NNNNNNN"
  that `description_for` writes) has come back empty; a failed lookup is retried later.
  A duplicate answer (Boston's 400 "base is a duplicate") means "look it up" too.
- The window of every POST is written down before it is sent, so a worker that dies mid-POST
  leaves an uncertain report, never a pending one.
- A lookup adopts a listed request only when it is this report on more than the reference
  (service, position within a few metres or the same address, requested while we were
  sending): anyone can write "ref NNNNNNN" in a request. A request that carries the
  reference but differs is *needs attention* (its id kept for staff), never delivered.
- Timeouts and 5xx are retried with exponential backoff and jitter; other 4xx go to
  `failed` with the server's words for staff (`intake outbox retry REF`).
- Every state ends: a report still not delivered `Policy.give_up` (24 h) after its first
  attempt, whatever the server keeps answering (5xx, failed lookups, a token without an id),
  becomes *needs attention* with the server's last words and the number of tries.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from open311_client import (
    DESCRIPTION_LIMIT,
    ConfigurationError,
    NewRequest,
    NotFound,
    Open311Client,
    Open311Error,
    ServerUnavailable,
    ServiceRequest,
    ValidationError,
)

from .db import utcnow
from .leases import Leased, Retry
from .lifecycle import DUE, REPORT_MOVES, ReportState, Verdict
from .storage import Report
from .worker import Periodic

log = logging.getLogger(__name__)

# Boston: <code>400</code><description>Invalid service request: base is a duplicate.</description>
_DUPLICATE = re.compile(r"base[ _]is[ _](a[ _])?duplicate|\bis a duplicate\b|\bduplicate request\b",
                        re.IGNORECASE)
_MIN_SPLIT = timedelta(seconds=2)
_MAX_SPLITS = 12


@dataclass(frozen=True)
class Policy:
    """Timing of delivery and lookups; the defaults suit a city server, tests shorten them.

    `settle`: how long after an unanswered POST an empty lookup is believed (servers may list
    a new request late). `lookup_slack`: how far either side of the sending window a lookup
    searches (clock skew). `lookup_page_size`: at most the smallest cap servers apply (50).
    `give_up`: how long after its first attempt an undelivered report needs attention.
    `match_metres`: how far a listed request may be from the report to be adopted as it.
    """

    retry_base: timedelta = timedelta(seconds=5)
    retry_cap: timedelta = timedelta(minutes=30)
    token_poll: timedelta = timedelta(seconds=10)
    lease: timedelta = timedelta(minutes=2)
    settle: timedelta = timedelta(seconds=30)
    lookup_slack: timedelta = timedelta(minutes=10)
    lookup_page_size: int = 50
    give_up: timedelta = timedelta(hours=24)
    match_metres: float = 30.0

    def __post_init__(self) -> None:
        if self.lease <= timedelta(0) or self.lookup_page_size < 1 or self.give_up <= timedelta(0):
            raise ValueError("lease, lookup_page_size and give_up must be positive")

    @property
    def retry(self) -> Retry:
        return Retry(self.retry_base, self.retry_cap, within=self.give_up)


DEFAULT_POLICY = Policy()
# the outbox: reports still being delivered, in order of their next attempt
REPORTS = Leased(Report, Report.id, Report.next_attempt_at, Report.status.in_(DUE))


@dataclass(frozen=True)
class Outcome:
    """What one attempt found. `sent`: (start, end) of a POST that may have created it."""

    status: Verdict
    service_request_id: str | None = None
    token: str | None = None
    notice: str | None = None
    error: str | None = None
    sent: tuple[datetime, datetime] | None = None
    adopted: bool = False


def description_for(report: Report) -> str:
    """What the city sees: the resident's words, how it was reported, and our reference.

    The reference comes last and always survives the 4,000-character limit (lookups need it).
    """
    said = (report.description or "").strip()
    how = "phone" if report.channel == "voice" else "text message"
    tail = f"(Reported by {how} via 311 intake, ref {report.reference}.)"
    if report.needs_review:
        tail = ("LOCATION NEEDS REVIEW: the address could not be found on the city's streets; "
                f"as given: {report.address_as_said!r}. {tail}")
    elif report.address_as_said and report.address_as_said != report.address:
        tail = f"Address as given: {report.address_as_said!r}. {tail}"
    if report.media and len(report.media) > 1:
        tail = "More photos: " + " ".join(report.media[1:]) + " " + tail
    tail = tail[-(DESCRIPTION_LIMIT // 2):]
    room = DESCRIPTION_LIMIT - len(tail) - 1
    if len(said) > room:
        said = said[: room - 1].rsplit(" ", 1)[0].rstrip() + "…"
    return f"{said} {tail}".strip()


def reference_pattern(reference: str) -> re.Pattern[str]:
    """Finds our reference in a description the server gives back."""
    return re.compile(rf"\bref {re.escape(reference)}\b")


class LookupInconclusive(Exception):
    """The server's lists may have been cut short: an empty lookup proves nothing."""


@dataclass(frozen=True)
class Match:
    """A listed request carrying a report's reference, and how it differs from the report."""

    record: ServiceRequest
    differences: tuple[str, ...] = ()

    @property
    def same(self) -> bool:
        return not self.differences


def find_filed(
    client: Open311Client, report: Report, policy: Policy = DEFAULT_POLICY
) -> Match | None:
    """The listed request carrying `report`'s reference, best match first; None if none.

    Searches `GET requests` for the report's service in its sending window (plus slack) and
    matches the reference in the description, then the request against the report
    (`differences`). Lists are paged; a list that may have been silently capped (a whole
    number of pages) without a full match is searched again in halves, and raises
    LookupInconclusive when halving cannot get under the cap. Open311Error propagates: a
    failed lookup proves nothing either.
    """
    if report.sent_from is None or report.sent_until is None:
        return None
    search = _Search(client, report, policy)
    return search.run(report.sent_from - policy.lookup_slack,
                      report.sent_until + policy.lookup_slack, 0)


class _Search:
    def __init__(self, client: Open311Client, report: Report, policy: Policy) -> None:
        self.client, self.report, self.policy = client, report, policy
        self.pattern = reference_pattern(report.reference)
        self.partial: Match | None = None

    def run(self, start: datetime, end: datetime, depth: int) -> Match | None:
        page = self.policy.lookup_page_size
        records = self.client.get_requests(service_code=self.report.service_code,
                                           start_date=start, end_date=end, page_size=page)
        for record in records:
            if record.description and self.pattern.search(record.description):
                found = Match(record, differences(self.report, record, self.policy))
                if found.same:
                    return found
                self.partial = self.partial or found
        if not (len(records) >= page and len(records) % page == 0):
            return self.partial
        if end - start <= _MIN_SPLIT or depth >= _MAX_SPLITS:
            raise LookupInconclusive(f"{len(records)} requests listed between {start:%H:%M:%S} "
                                     f"and {end:%H:%M:%S}: the list may be cut short")
        middle = start + (end - start) / 2
        first = self.run(start, middle, depth + 1)
        if first is not None and first.same:
            return first
        return self.run(middle, end, depth + 1)


def differences(report: Report, record: ServiceRequest,
                policy: Policy = DEFAULT_POLICY) -> tuple[str, ...]:
    """How a listed request differs from `report`; () when it is the report.

    Same service; within `match_metres` of the report's position, or at the same address;
    requested while the report was being sent (plus slack). A field the server leaves out
    cannot confirm anything, so it counts as a difference.
    """
    out = []
    if (record.service_code or "").strip() != report.service_code:
        out.append(f"service {record.service_code or 'not given'} (ours {report.service_code})")
    metres = _distance(report, record)
    if not ((metres is not None and metres <= policy.match_metres)
            or _same_address(report.address, record.address)):
        where = f"{metres:,.0f} m away" if metres is not None else "no position to compare"
        out.append(f"at {record.address or 'an address not given'!r}, {where} "
                   f"(ours {report.address!r})")
    requested = record.requested_datetime
    if report.sent_from is None or report.sent_until is None or requested is None or not (
        report.sent_from - policy.lookup_slack <= requested
        <= report.sent_until + policy.lookup_slack
    ):
        when = f"{requested:%Y-%m-%d %H:%M:%S}Z" if requested else "at a time not given"
        out.append(f"requested {when}, not while we were sending it")
    return tuple(out)


_EARTH_METRES = 6_371_000.0
_NOT_WORDS = re.compile(r"[^\w]+")


def _distance(report: Report, record: ServiceRequest) -> float | None:
    if None in (report.lat, report.lon, record.lat, record.long):
        return None
    assert report.lat is not None and report.lon is not None
    assert record.lat is not None and record.long is not None
    p1, p2 = math.radians(report.lat), math.radians(record.lat)
    dp, dl = p2 - p1, math.radians(record.long - report.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_METRES * math.asin(min(1.0, math.sqrt(h)))


def _same_address(ours: str | None, theirs: str | None) -> bool:
    """Equal, word for word; or one the other followed by more ("…, Springfield, MA")."""
    a = _NOT_WORDS.sub(" ", (ours or "").casefold()).split()
    b = _NOT_WORDS.sub(" ", (theirs or "").casefold()).split()
    if not a or not b:
        return False
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= 2 and longer[: len(shorter)] == shorter


def attempt(
    client: Open311Client,
    report: Report,
    *,
    policy: Policy = DEFAULT_POLICY,
    now: datetime | None = None,
    before_post: Callable[[datetime], None] = lambda started: None,
) -> Outcome:
    """One delivery attempt; never raises for protocol or network failures.

    `before_post(started)` runs just before a POST goes out (the caller writes the sending
    window down there). `now` is the scheduling clock an empty lookup is judged by.
    """
    if report.token and not report.service_request_id:
        return _poll_token(client, report)
    if report.sent_from is not None and report.sent_until is not None:
        moment = now or utcnow()
        settled = report.sent_until + policy.settle
        if moment < settled:
            return Outcome(Verdict.UNCERTAIN, error="waiting before looking up an unanswered POST")
        try:
            found = find_filed(client, report, policy)
        except Open311Error as exc:
            return Outcome(Verdict.UNCERTAIN, error=f"lookup failed, not posting: {_say(exc)}")
        except LookupInconclusive as exc:
            return Outcome(Verdict.UNCERTAIN, error=f"lookup inconclusive, not posting: {exc}")
        if found is not None and found.same:
            return Outcome(Verdict.DELIVERED, service_request_id=found.record.service_request_id,
                           notice=found.record.service_notice, adopted=True)
        if found is not None:
            theirs = found.record.service_request_id
            return Outcome(Verdict.ATTENTION, service_request_id=theirs, error=(
                f"request {theirs} on the server carries ref {report.reference} but is not "
                f"this report: {'; '.join(found.differences)}. Not adopted: `intake outbox "
                f"retry {report.reference} --adopt` if it is this report, `intake outbox "
                f"retry {report.reference}` to file it anew"))
    return _post(client, report, before_post)


def _poll_token(client: Open311Client, report: Report) -> Outcome:
    assert report.token is not None
    try:
        try:
            found = client.request_id_from_token(report.token)
        except NotFound:  # some servers say 404 until the token is processed
            found = None
    except (ValidationError, ConfigurationError) as exc:
        return Outcome(Verdict.FAILED, error=_say(exc))
    except Open311Error as exc:
        return Outcome(Verdict.RETRY, error=_say(exc))
    if found:
        return Outcome(Verdict.DELIVERED, service_request_id=found)
    return Outcome(Verdict.TOKEN, token=report.token)


def _post(client: Open311Client, report: Report,
          before_post: Callable[[datetime], None]) -> Outcome:
    started = utcnow()
    before_post(started)
    try:
        result = client.post_request(NewRequest(
            service_code=report.service_code, lat=report.lat, long=report.lon,
            address_string=report.address, description=description_for(report),
            attributes=report.attributes or {},
            media_url=report.media[0] if report.media else None,
        ))
    except ServerUnavailable as exc:
        if exc.maybe_sent:
            return Outcome(Verdict.UNCERTAIN, error=_say(exc), sent=(started, utcnow()))
        return Outcome(Verdict.RETRY, error=_say(exc))
    except ValidationError as exc:
        if not any(_DUPLICATE.search(f"{code} {text}") for code, text in exc.errors):
            return Outcome(Verdict.FAILED, error=_say(exc))
        if report.sent_from is None:  # we never sent it before: someone else's request
            return Outcome(Verdict.FAILED, error="the server says this duplicates a request it "
                                           f"already has (not one we sent): {_say(exc)}")
        return Outcome(Verdict.UNCERTAIN, error=f"the server says it has it already: {_say(exc)}",
                       sent=(started, utcnow()))
    except (ConfigurationError, NotFound) as exc:
        return Outcome(Verdict.FAILED, error=_say(exc))
    except Open311Error as exc:  # pragma: no cover - the hierarchy has no other members
        return Outcome(Verdict.UNCERTAIN, error=_say(exc), sent=(started, utcnow()))
    if result.service_request_id:
        return Outcome(Verdict.DELIVERED, service_request_id=result.service_request_id,
                       notice=result.service_notice)
    if result.token:
        return Outcome(Verdict.TOKEN, token=result.token, notice=result.service_notice)
    return Outcome(Verdict.UNCERTAIN, error="the server answered with neither an id nor a token",
                   sent=(started, utcnow()))


def _say(exc: Open311Error) -> str:
    return f"{type(exc).__name__}: {exc}"


def deliver_due(
    sessions: sessionmaker[Session], client: Open311Client, *, limit: int = 100,
    now: datetime | None = None, policy: Policy = DEFAULT_POLICY,
) -> int:
    """Try every report that is due (at most `limit`, each once); returns how many were delivered.

    `now` stands in for the clock throughout (tests skip waiting by passing a later time).
    """
    moment = now or utcnow()
    delivered = 0
    for report in REPORTS.each_due(sessions, moment, policy.lease, limit):

        def write_ahead(started: datetime, report_id: int = report.id) -> None:
            mark_sending(sessions, report_id, started, policy)

        outcome = attempt(client, report, policy=policy, now=moment, before_post=write_ahead)
        # the claim's snapshot is the row as it stands but for what `mark_sending` wrote, which
        # `record` sets again from the claim: no need to load the row again (a SELECT and an
        # ORM flush per report were a third of the worker's own CPU per filing)
        record(report, report, outcome, policy, now=now)
        with sessions.begin() as session:
            session.connection().execute(_RECORD_OUTCOME, {
                "rid": report.id, **{f"new_{name}": getattr(report, name) for name in _RECORDED}})
        delivered += outcome.status == Verdict.DELIVERED
    return delivered


# Statements built once, with bound parameters: building and keying them anew for every
# report cost more CPU than running them.
_REPORTS = cast(Table, Report.__table__)
# every column `record` may set: each is written, changed or not (the row may hold what
# `mark_sending` wrote, which `record` undoes unless the attempt left the report uncertain)
_RECORDED = ("attempts", "trying_since", "service_notice", "sent_from", "sent_until", "status",
             "service_request_id", "delivered_at", "last_error", "token", "next_attempt_at")
_RECORD_OUTCOME = (
    update(_REPORTS).where(_REPORTS.c.id == bindparam("rid"))
    .values({name: bindparam(f"new_{name}", type_=_REPORTS.c[name].type) for name in _RECORDED}))
_WRITE_AHEAD = (
    update(_REPORTS).where(_REPORTS.c.id == bindparam("rid"))
    .values(status=ReportState.UNCERTAIN,
            sent_from=func.coalesce(_REPORTS.c.sent_from,
                                    bindparam("started", type_=_REPORTS.c.sent_from.type)),
            sent_until=bindparam("until", type_=_REPORTS.c.sent_until.type)))


def claim(sessions: sessionmaker[Session], now: datetime, policy: Policy = DEFAULT_POLICY,
          skip: Sequence[int] = ()) -> Report | None:
    """Take the next due report for one attempt, for a lease (see `intake.leases`): a
    detached snapshot of it as claimed, or None when nothing is due."""
    return REPORTS.claim(sessions, now, policy.lease, skip)


def mark_sending(sessions: sessionmaker[Session], report_id: int, started: datetime,
                 policy: Policy = DEFAULT_POLICY) -> None:
    """Write down, before it is sent, that a POST may create this report's request."""
    with sessions.begin() as session:  # a Core statement: the ORM's UPDATE path buys nothing
        session.connection().execute(_WRITE_AHEAD, {"rid": report_id, "started": started,
                                                    "until": started + policy.lease})


def record(report: Report, before: Report, outcome: Outcome,
           policy: Policy = DEFAULT_POLICY, *, now: datetime | None = None) -> None:
    """Store an attempt's outcome on `report`; `before` is the report as it was claimed."""
    now = now or utcnow()
    report.attempts += 1
    report.trying_since = before.trying_since or now
    report.service_notice = outcome.notice or report.service_notice
    # Unless this attempt left something new in doubt, the window is what it was before.
    report.sent_from, report.sent_until = before.sent_from, before.sent_until
    report.status = REPORT_MOVES[outcome.status] or before.status
    _RECORD[outcome.status](report, outcome, policy, now)
    if report.status in DUE and policy.retry.exhausted(report.attempts, report.trying_since, now):
        _give_up(report, policy)


def _delivered(report: Report, outcome: Outcome, policy: Policy, now: datetime) -> None:
    report.service_request_id = outcome.service_request_id
    report.delivered_at = now
    report.last_error = None
    report.sent_from = report.sent_until = None
    how = "found already filed" if outcome.adopted else "filed"
    log.info("report %s %s as %s", report.reference, how, outcome.service_request_id)


def _token(report: Report, outcome: Outcome, policy: Policy, now: datetime) -> None:
    report.token = outcome.token
    report.next_attempt_at = now + policy.token_poll
    report.sent_from = report.sent_until = None


def _failed(report: Report, outcome: Outcome, policy: Policy, now: datetime) -> None:
    report.last_error = outcome.error
    log.error("report %s rejected by the server, needs staff: %s", report.reference,
              outcome.error)


def _attention(report: Report, outcome: Outcome, policy: Policy, now: datetime) -> None:
    report.service_request_id = outcome.service_request_id  # theirs, for staff to judge
    report.last_error = outcome.error
    log.error("report %s needs attention: %s", report.reference, outcome.error)


def _uncertain(report: Report, outcome: Outcome, policy: Policy, now: datetime) -> None:
    if outcome.sent is not None:
        start, end = outcome.sent
        report.sent_from = min(report.sent_from or start, start)
        report.sent_until = end
    assert report.sent_until is not None
    report.next_attempt_at = max(now + policy.retry.delay(report.attempts),
                                 report.sent_until + policy.settle)
    report.last_error = outcome.error
    log.warning("report %s may have been filed (attempt %d); will look it up: %s",
                report.reference, report.attempts, outcome.error)


def _retry(report: Report, outcome: Outcome, policy: Policy, now: datetime) -> None:
    report.next_attempt_at = now + policy.retry.delay(report.attempts)
    report.last_error = outcome.error
    log.warning("report %s not delivered (attempt %d), retrying: %s", report.reference,
                report.attempts, outcome.error)


# what recording each verdict does besides the move `REPORT_MOVES` names
_RECORD: dict[Verdict, Callable[[Report, Outcome, Policy, datetime], None]] = {
    Verdict.DELIVERED: _delivered, Verdict.TOKEN: _token, Verdict.FAILED: _failed,
    Verdict.ATTENTION: _attention, Verdict.UNCERTAIN: _uncertain, Verdict.RETRY: _retry,
}


def _give_up(report: Report, policy: Policy) -> None:
    """Every state ends: stop trying, keep what the server last said, tell staff."""
    hours = policy.give_up.total_seconds() / 3600
    doings: dict[str, str] = {
        ReportState.TOKEN: f"the server gave token {report.token} but no request id",
        ReportState.UNCERTAIN: "a POST may have been filed but could not be confirmed"}
    doing = doings.get(report.status, "not filed")
    said = report.last_error or "no answer"
    report.last_error = (f"gave up after {report.attempts} tries in {hours:g} h: {doing}; "
                         f"last: {said}")
    report.status = ReportState.NEEDS_ATTENTION
    log.error("report %s needs attention: %s", report.reference, report.last_error)


def retry_failed(session: Session, reference: str, *, adopt: bool = False) -> Report | None:
    """Make a failed or needs-attention report due now, its give-up clock started afresh.

    A report that may already have been filed is looked up before it is posted again. One
    held for a listed request that carries its reference but differs is filed anew, or, with
    `adopt` (staff checked it is this report), delivered as that request.
    """
    report = session.scalar(select(Report).where(Report.reference == reference))
    if report is None or report.status == ReportState.DELIVERED:
        return report
    report.trying_since = None
    candidate = (report.service_request_id if report.status == ReportState.NEEDS_ATTENTION
                 else None)
    if adopt:
        if candidate is None:
            raise ValueError(f"report {reference} has no listed request to adopt")
        report.status, report.delivered_at = ReportState.DELIVERED, utcnow()
        report.sent_from = report.sent_until = None
        report.last_error = None
        log.info("report %s adopted by staff as %s", reference, candidate)
        return report
    if candidate is not None:  # staff say that request is not this report: file it
        report.service_request_id = None
        report.sent_from = report.sent_until = None
    if report.token:
        report.status = ReportState.TOKEN
    elif report.sent_from is not None:
        report.status = ReportState.UNCERTAIN
    else:
        report.status = ReportState.PENDING
    report.next_attempt_at = utcnow()
    return report


class OutboxWorker(Periodic):
    """Delivers due reports every `interval` seconds, or at once when woken."""

    def __init__(
        self, sessions: sessionmaker[Session], client: Open311Client, interval: float = 2.0,
        policy: Policy = DEFAULT_POLICY,
    ) -> None:
        super().__init__("outbox", interval)
        self.sessions = sessions
        self.client = client
        self.policy = policy

    def run_once(self) -> None:
        deliver_due(self.sessions, self.client, policy=self.policy)

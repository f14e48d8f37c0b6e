"""Delivering confirmed reports to the city's Open311 server, retried until filed.

Reports are already committed before this runs, so the resident has a reference whatever the
server does. Each attempt reads the report, talks HTTP outside any transaction (SQLite keeps
one writer), then records the outcome: delivered, retry later with backoff and jitter, or
failed for staff (the server rejected it as invalid).
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from open311_client import (
    ConfigurationError,
    NewRequest,
    NotFound,
    Open311Client,
    Open311Error,
    ValidationError,
)

from .db import utcnow
from .storage import Report

log = logging.getLogger(__name__)

RETRY_BASE = timedelta(seconds=5)
RETRY_CAP = timedelta(minutes=30)
TOKEN_POLL = timedelta(seconds=10)
LEASE = timedelta(minutes=2)
DUE = ("pending", "token")
_RNG = random.Random()


@dataclass(frozen=True)
class Outcome:
    status: str
    service_request_id: str | None = None
    token: str | None = None
    notice: str | None = None
    error: str | None = None


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with full jitter: up to base * 2^(attempts-1), capped."""
    ceiling: timedelta = min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_CAP)
    share: float = (rng or _RNG).uniform(0.5, 1.0)
    return ceiling * share


def description_for(report: Report) -> str:
    """What the city sees: the resident's words, how it was reported, and our reference."""
    said = (report.description or "").strip()
    how = "phone" if report.channel == "voice" else "text message"
    tail = f"(Reported by {how} via 311 intake, ref {report.reference}.)"
    if report.address_as_said and report.address_as_said != report.address:
        tail = f"Address as given: {report.address_as_said!r}. {tail}"
    return f"{said} {tail}".strip()


def attempt(client: Open311Client, report: Report) -> Outcome:
    """One delivery attempt; never raises for protocol or network failures."""
    try:
        if report.token and not report.service_request_id:
            try:
                found = client.request_id_from_token(report.token)
            except NotFound:  # some servers say 404 until the token is processed
                found = None
            if found:
                return Outcome("delivered", service_request_id=found)
            return Outcome("token", token=report.token)
        result = client.post_request(NewRequest(
            service_code=report.service_code, lat=report.lat, long=report.lon,
            address_string=report.address, description=description_for(report),
            attributes=report.attributes or {},
        ))
    except (ValidationError, ConfigurationError, NotFound) as exc:
        return Outcome("failed", error=f"{type(exc).__name__}: {exc}")
    except Open311Error as exc:
        return Outcome("retry", error=f"{type(exc).__name__}: {exc}")
    if result.service_request_id:
        return Outcome("delivered", service_request_id=result.service_request_id,
                       notice=result.service_notice)
    if result.token:
        return Outcome("token", token=result.token, notice=result.service_notice)
    return Outcome("retry", error="server answered with neither an id nor a token")


def deliver_due(
    sessions: sessionmaker[Session], client: Open311Client, *, limit: int = 100,
    now: datetime | None = None,
) -> int:
    """Try every report that is due; returns how many were delivered."""
    moment = now or utcnow()
    with sessions() as session:
        due = session.scalars(
            select(Report.id).where(Report.status.in_(DUE), Report.next_attempt_at <= moment)
            .order_by(Report.next_attempt_at).limit(limit)
        ).all()
    delivered = 0
    for report_id in due:
        report = claim(sessions, report_id, moment)
        if report is None:
            continue  # another worker has it
        outcome = attempt(client, report)
        with sessions.begin() as session:
            record(session.get_one(Report, report_id), outcome)
        delivered += outcome.status == "delivered"
    return delivered


def claim(sessions: sessionmaker[Session], report_id: int, now: datetime) -> Report | None:
    """Take a due report for one attempt by pushing its next attempt a lease ahead.

    The conditional UPDATE succeeds for one worker only, so two workers never post the same
    report at once; if this one dies, the report becomes due again when the lease ends.
    """
    with sessions.begin() as session:
        report = session.get(Report, report_id)
        if report is None or report.status not in DUE or report.next_attempt_at > now:
            return None
        taken = session.execute(
            update(Report)
            .where(Report.id == report_id, Report.next_attempt_at == report.next_attempt_at,
                   Report.status == report.status)
            .values(next_attempt_at=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        session.expunge(report)
        return report


def record(report: Report, outcome: Outcome) -> None:
    now = utcnow()
    report.attempts += 1
    report.service_notice = outcome.notice or report.service_notice
    if outcome.status == "delivered":
        report.status = "delivered"
        report.service_request_id = outcome.service_request_id
        report.delivered_at = now
        report.last_error = None
        log.info("report %s filed as %s", report.reference, outcome.service_request_id)
    elif outcome.status == "token":
        report.status = "token"
        report.token = outcome.token
        report.next_attempt_at = now + TOKEN_POLL
    elif outcome.status == "failed":
        report.status = "failed"
        report.last_error = outcome.error
        log.error("report %s rejected by the server, needs staff: %s", report.reference,
                  outcome.error)
    else:
        report.next_attempt_at = now + backoff(report.attempts)
        report.last_error = outcome.error
        log.warning("report %s not delivered (attempt %d), retrying: %s", report.reference,
                    report.attempts, outcome.error)


class OutboxWorker(threading.Thread):
    """Delivers due reports every `interval` seconds, or at once when woken."""

    def __init__(
        self, sessions: sessionmaker[Session], client: Open311Client, interval: float = 2.0
    ) -> None:
        super().__init__(name="outbox", daemon=True)
        self.sessions = sessions
        self.client = client
        self.interval = interval
        self._wake = threading.Event()
        self._stopping = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                deliver_due(self.sessions, self.client)
            except Exception:  # keep delivering after a database hiccup
                log.exception("outbox pass failed; will try again")

"""Helpers for the outbox tests: confirmed reports, delivery passes that skip the waits,
and the check that the city stored each report exactly once. Fixtures are in conftest.py.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from weakref import WeakKeyDictionary

import httpx
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import make_server

import intake.sandbox.models  # noqa: F401
from conversation import Inbound, Said
from intake import db
from intake.lifecycle import DUE, ReportState
from intake.outbox import Policy, deliver_due
from intake.sandbox import FAULT_HEADER, SandboxRequest
from intake.storage import Report
from open311_client import Open311Client
from tests.needs import shared_data

DATA = shared_data() / "open311"
IN_PROCESS = "http://sandbox.internal/open311/v2/"
POLICY = Policy()  # production timings: waiting is skipped, not shortened
_REF = re.compile(r"\bref (\d{7})\b")


MakeApp = Callable[..., Flask]


def sessions_of(app: Flask) -> sessionmaker[Session]:
    return db.sessions(app)


def add_reports(app: Flask, n: int, *, first: int = 2_000_000) -> list[str]:
    """Confirmed reports as the intake stores them (pending, before any network call)."""
    refs = [str(first + i) for i in range(n)]
    with sessions_of(app).begin() as session:
        for i, ref in enumerate(refs):
            session.add(Report(reference=ref, channel="sms" if i % 2 else "voice",
                               service_code="POTHOLE", lat=40.0 + i / 1e4, lon=-75.0,
                               address=f"{100 + i} Main St", description=f"hole number {i}",
                               attributes={}, status=ReportState.PENDING))
    return refs


def confirm_by_text(app: Flask, prefix: str) -> str:
    """A report confirmed through a whole text conversation; returns its reference."""
    intake = app.extensions["intake"]
    phone = "+15555550177"
    for n, body in enumerate(["pothole", "123 main st", "skip", "yes"]):
        intake.handle(Inbound("sms", f"{phone}|+15555550311", f"{prefix}{n}", Said(body),
                              phone=phone, city_number="+15555550311", text=body))
    with sessions_of(app)() as session:
        return str(session.scalars(select(Report.reference).order_by(Report.id.desc())).first())


def client(http: httpx.Client, url: str = IN_PROCESS, **options: object) -> Open311Client:
    return Open311Client(http, url, **options)  # type: ignore[arg-type]


def wsgi(app: Flask, fault: str | None = None) -> httpx.Client:
    headers = {FAULT_HEADER: fault} if fault else {}
    return httpx.Client(transport=httpx.WSGITransport(app=app), headers=headers)


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """The app on a loopback port (a real socket, so a client can time out); its sandbox URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/open311/v2/"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


class SkippedWaits:
    """The clock of every thread draining one app: real time plus the waits skipped so far.

    A wait is skipped only while no delivery pass is running. A running pass may hold a
    lease (a report's next attempt pushed to the lease's end while it is posted); a thread
    that jumped past it would take the report again and post it twice, which real workers
    never do: a lease lasts far longer than a post.
    """

    def __init__(self) -> None:
        self.skipped = timedelta(0)
        self.running = 0  # delivery passes under way, on any thread
        self.changed = threading.Condition()

    def now(self) -> datetime:
        return db.utcnow() + self.skipped

    def begin(self, next_due: Callable[[], datetime | None]) -> datetime | None:
        """The time of a pass, once a report is due (its wait skipped if no other pass is
        running, else waited for); None when nothing is waiting. `end()` after the pass."""
        with self.changed:
            while True:
                due, now = next_due(), self.now()
                if due is None:
                    return None
                if due > now and not self.running:
                    self.skipped += due - now
                    now = due
                if due <= now:
                    self.running += 1
                    return now
                self.changed.wait()

    def end(self) -> None:
        with self.changed:
            self.running -= 1
            self.changed.notify_all()


_CLOCKS: WeakKeyDictionary[Flask, SkippedWaits] = WeakKeyDictionary()
_CLOCKS_LOCK = threading.Lock()


def clock_of(app: Flask) -> SkippedWaits:
    """One clock per app, shared by every thread that drains it."""
    with _CLOCKS_LOCK:
        return _CLOCKS.setdefault(app, SkippedWaits())


def drain(app: Flask, open311: Open311Client, *, passes: int = 300) -> None:
    """Run delivery passes until nothing is waiting, skipping the waits in between (never
    another thread's lease: see `SkippedWaits`)."""
    sessions = sessions_of(app)

    def next_due() -> datetime | None:
        with sessions() as session:
            return session.scalar(select(func.min(Report.next_attempt_at))
                                  .where(Report.status.in_(DUE)))

    clock = clock_of(app)
    for _ in range(passes):
        now = clock.begin(next_due)
        if now is None:
            return
        try:
            deliver_due(sessions, open311, now=now, policy=POLICY)
        finally:
            clock.end()
    raise AssertionError(f"reports still waiting after {passes} passes: {statuses(app)}")


def statuses(app: Flask) -> Counter[str]:
    with sessions_of(app)() as session:
        return Counter(session.scalars(select(Report.status)).all())


def filed_counts(app: Flask) -> Counter[str]:
    """How many times the sandbox stored each reference."""
    with sessions_of(app)() as session:
        descriptions = session.scalars(select(SandboxRequest.description)).all()
    return Counter(m.group(1) for d in descriptions if d for m in [_REF.search(d)] if m)


def filed_once(app: Flask, refs: list[str]) -> None:
    """Every report delivered, stored by the city exactly once, under the id it holds."""
    counts = filed_counts(app)
    off = {ref: counts[ref] for ref in sorted(set(counts) | set(refs)) if counts[ref] != 1}
    assert counts == Counter({ref: 1 for ref in refs}), f"not stored once: {off}"  # lost, twice
    with sessions_of(app)() as session:
        reports = {r.reference: r for r in session.scalars(select(Report))}
        stored = {m.group(1): s.service_request_id for s in session.scalars(select(SandboxRequest))
                  for m in [_REF.search(s.description or "")] if m}
    assert {ref: reports[ref].status for ref in refs} == dict.fromkeys(refs, ReportState.DELIVERED)
    assert {ref: reports[ref].service_request_id for ref in refs} == {ref: stored[ref]
                                                                        for ref in refs}

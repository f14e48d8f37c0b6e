"""Benchmark the status poller: N tracked open requests in the sandbox, a share changing per cycle.

    .venv/bin/python -m bench.poll [--requests 10000] [--share 0.05] [--cycles 3] [--batch 50]
                                   [--concurrency 4] [--backend sqlite|postgresql]

The built-in sandbox is reached in process (WSGI), as `intake serve` does without
OPEN311_ENDPOINT. Each cycle the city's note of `share` x N requests is changed directly in the
sandbox's tables, then one poll runs. Reported: HTTP calls per cycle (must be at most
ceil(N / batch)), seconds per cycle, texts queued (must equal the changes), duplicates (texts
beyond one per change, plus any text from a repeat poll with nothing changed: must be 0),
and how much of a cycle was HTTP (the time at least one GET was out, the in-process sandbox
answering them included) and how much the rest (the poller's own database work while no GET
was out). PostgreSQL gets a throw-away schema.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, insert, select, text, update

from intake import db
from intake.app import IN_PROCESS_SANDBOX, create_app
from intake.lifecycle import ReportState
from intake.poller import Poller
from intake.sandbox import SandboxConfig, SandboxRequest
from intake.settings import Settings
from intake.storage import OutboundTextRow, Report, StatusChange
from intake.texts import QuietHours
from open311_client import Open311Client


def seed(sessions, n: int, now: datetime) -> None:
    """N delivered reports, each with its open request in the sandbox and a phone for texts."""
    with sessions.begin() as session:
        session.execute(insert(SandboxRequest), [
            {"service_request_id": f"{i:06d}", "service_code": "POTHOLE",
             "service_name": "Pothole", "status": "open", "stage": 0,
             "requested_datetime": now - timedelta(minutes=1), "updated_datetime": now,
             "description": "bench", "address": f"{i} Main St", "lat": 41.0, "long": -96.0,
             "attributes": {}}
            for i in range(1, n + 1)
        ])
        session.execute(insert(Report), [
            {"reference": str(2_000_000 + i), "channel": "sms", "phone": f"+1555{i:07d}",
             "lang": "en", "wants_texts": True, "service_code": "POTHOLE", "lat": 41.0,
             "lon": -96.0, "address": f"{i} Main St", "description": "bench",
             "attributes": {}, "status": ReportState.DELIVERED, "service_request_id": f"{i:06d}",
             "delivered_at": now}
            for i in range(1, n + 1)
        ])


@contextmanager
def database(backend: str, tmp: Path) -> Iterator[str]:
    """A SQLite file, or a throw-away schema on the PostgreSQL of INTAKE_TEST_PG."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'bench.db'}"
        return
    import psycopg

    admin = os.environ.get("INTAKE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test") \
        .replace("+psycopg", "")
    schema = f"bench_poll_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield (admin.replace("postgresql://", "postgresql+psycopg://")
               + f"?options=-csearch_path%3D{schema}")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--share", type=float, default=0.05)
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=4, help="GETs out at once")
    parser.add_argument("--seed", type=int, default=311)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory() as tmp, database(args.backend, Path(tmp)) as url:
        settings = Settings.from_env({"INTAKE_VAR_DIR": tmp, "TWILIO_AUTH_TOKEN": "bench",
                                      "DATABASE_URL": url})
        # a workflow clock too slow to move anything: only the bench changes requests
        app = create_app(settings, sandbox=SandboxConfig(step_seconds=10**9))
        sessions = db.sessions(app)
        now = datetime.now(UTC)
        seed(sessions, args.requests, now)
        if args.backend == "postgresql":
            # a database that grew to N open requests has had its statistics gathered by
            # autovacuum; one seeded a moment ago has not, and its plans would be a new
            # table's (every report scanned to find a batch of 50)
            with sessions.begin() as session:
                session.execute(text("ANALYZE"))

        calls = 0
        lock = threading.Lock()

        def count(_: httpx.Request) -> None:
            nonlocal calls
            with lock:
                calls += 1

        http = httpx.Client(transport=httpx.WSGITransport(app=app),
                            event_hooks={"request": [count]})
        client = Open311Client(http, IN_PROCESS_SANDBOX, id_chunk_size=args.batch)
        http_seconds = 0.0
        get_requests = client.get_requests
        out, since = 0, 0.0

        def timed(*a, **kw):  # type: ignore[no-untyped-def]
            # GETs overlap: HTTP time is the time at least one of them was out
            nonlocal http_seconds, out, since
            with lock:
                out += 1
                if out == 1:
                    since = time.perf_counter()
            try:
                return get_requests(*a, **kw)
            finally:
                with lock:
                    out -= 1
                    if out == 0:
                        http_seconds += time.perf_counter() - since

        client.get_requests = timed  # type: ignore[method-assign]
        staff = app.extensions["intake"].config
        poller = Poller(sessions, client, staff, QuietHours.parse("off", "UTC"),
                        batch_size=args.batch, concurrency=args.concurrency)

        start = poller.poll_once()  # starts tracking every request; nothing has changed yet
        print(f"tracking {start.tracked} open requests; first pass texts={start.texts}")
        limit = math.ceil(args.requests / args.batch)
        per_call, seconds, changes, texts, duplicates = [], [], 0, 0, start.texts
        in_http: list[float] = []
        ids = list(range(1, args.requests + 1))
        for cycle in range(1, args.cycles + 1):
            changed = rng.sample(ids, int(args.requests * args.share))
            with sessions.begin() as session:
                session.execute(
                    update(SandboxRequest)
                    .where(SandboxRequest.id.in_(changed))
                    .values(status_notes=f"Cycle {cycle}: a crew has inspected the site.",
                            updated_datetime=now + timedelta(minutes=cycle))
                )
            calls = 0
            http_seconds = 0.0
            began = time.perf_counter()
            result = poller.poll_once()
            elapsed = time.perf_counter() - began
            per_call.append(calls)
            seconds.append(elapsed)
            in_http.append(http_seconds)
            changes += len(changed)
            texts += result.texts
            print(f"cycle {cycle}: calls={calls} (limit {limit}) seconds={elapsed:.2f} "
                  f"(HTTP {http_seconds:.2f}, the rest {elapsed - http_seconds:.2f}) "
                  f"changes={len(changed)} recorded={result.changes} texts={result.texts}")
            again = poller.poll_once()  # nothing changed since: must queue nothing
            duplicates += again.texts
        with sessions() as session:
            per_change = session.execute(
                select(func.count(OutboundTextRow.id)).join(
                    StatusChange, StatusChange.id == OutboundTextRow.change_id)
                .group_by(StatusChange.report_id, StatusChange.status, StatusChange.note)
            ).scalars().all()
        duplicates += sum(n - 1 for n in per_change if n > 1)
        http.close()
        sessions.kw["bind"].dispose()
    print(f"backend={args.backend} requests={args.requests} "
          f"calls_per_cycle={max(per_call)} seconds_per_cycle={statistics.mean(seconds):.2f} "
          f"http_seconds={statistics.mean(in_http):.2f} "
          f"other_seconds={statistics.mean(seconds) - statistics.mean(in_http):.2f} "
          f"changes={changes} texts={texts} duplicates={duplicates}")


if __name__ == "__main__":
    main()

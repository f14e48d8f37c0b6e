"""Benchmark: file 1,000 reports through the outbox against a sandbox that fails 20% of calls.

The app (with its built-in sandbox) serves on a loopback port, so timeouts are real: the
sandbox stores a POST and then stalls longer than the client waits, or stores it and answers
500; reads fail the same way. Several outbox workers drain the reports concurrently, then
the sandbox's own table is counted: each report must be there exactly once.

    .venv/bin/python bench/delivery.py                      # SQLite in a temporary directory
    .venv/bin/python bench/delivery.py --database-url postgresql+psycopg://postgres@127.0.0.1/test

The last line is ``filed=… duplicates=… lost=… drain_s=…``.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intake import db  # noqa: E402
from intake.app import create_app  # noqa: E402
from intake.lifecycle import DUE, ReportState  # noqa: E402
from intake.outbox import Policy, deliver_due  # noqa: E402
from intake.sandbox import SandboxConfig, SandboxRequest  # noqa: E402
from intake.settings import Settings  # noqa: E402
from intake.storage import Report  # noqa: E402
from open311_client import Open311Client  # noqa: E402

_REF = re.compile(r"\bref (\d{7})\b")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=1000)
    ap.add_argument("--fail-share", type=float, default=0.1,
                    help="share of calls answered 500 (a POST is stored first)")
    ap.add_argument("--timeout-share", type=float, default=0.1,
                    help="share of calls that stall past the client's timeout (after storing)")
    ap.add_argument("--client-timeout", type=float, default=0.3)
    ap.add_argument("--stall", type=float, default=0.6, help="seconds a timed-out call stalls")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="bench-delivery-") as tmp:
        return run(args, Path(tmp))


def run(args: argparse.Namespace, tmp: Path) -> int:
    url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    settings = Settings.from_env({"INTAKE_VAR_DIR": str(tmp), "DATABASE_URL": url,
                                  "TWILIO_AUTH_TOKEN": "bench"})
    faults = (f"fail-after-commit,fail-share={args.fail_share},"
              f"timeout={args.stall},timeout-share={args.timeout_share}")
    sandbox = SandboxConfig(seed=args.seed, token_delay_seconds=0).with_faults(faults)
    app = create_app(settings, sandbox=sandbox)
    sessions = db.sessions(app)
    # Production backoff is seconds to minutes; here the same shape, shortened.
    policy = Policy(retry_base=timedelta(seconds=0.05), retry_cap=timedelta(seconds=1),
                    token_poll=timedelta(seconds=0.1), lease=timedelta(seconds=30),
                    settle=timedelta(seconds=0.2), lookup_slack=timedelta(seconds=1),
                    lookup_page_size=500)

    refs = [str(4_000_000 + n) for n in range(args.reports)]
    with sessions.begin() as session:
        for n, ref in enumerate(refs):
            session.add(Report(reference=ref, channel="voice" if n % 2 else "sms",
                               service_code="POTHOLE", lat=40.0 + n / 1e5, lon=-75.0,
                               address=f"{n + 1} Main St", description=f"pothole {n}",
                               attributes={}, status=ReportState.PENDING))

    server = make_server("127.0.0.1", 0, app, threaded=True)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    calls: Counter[str] = Counter()
    answers: Counter[str] = Counter()

    def on_request(request: httpx.Request) -> None:
        calls[request.method] += 1

    def on_response(response: httpx.Response) -> None:
        answers[f"{response.request.method} {response.status_code}"] += 1

    http = httpx.Client(limits=httpx.Limits(max_connections=args.workers * 2),
                        event_hooks={"request": [on_request], "response": [on_response]})
    client = Open311Client(http, f"http://127.0.0.1:{server.server_port}/open311/v2/",
                           timeout=args.client_timeout)
    print(f"{args.reports} reports, {args.workers} workers, sandbox faults: {faults}, "
          f"client timeout {args.client_timeout}s, database {url.split(':')[0]}", flush=True)

    done = threading.Event()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            while not done.is_set():
                if deliver_due(sessions, client, limit=10, policy=policy) == 0:
                    with sessions() as session:
                        due = session.scalar(select(func.min(Report.next_attempt_at))
                                             .where(Report.status.in_(DUE)))
                    if due is None:
                        done.set()
                        return
                    wait = (due - db.utcnow()).total_seconds()
                    done.wait(min(max(wait, 0.01), 0.2))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            done.set()

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(args.workers)]
    for t in threads:
        t.start()
    last = started
    while any(t.is_alive() for t in threads):
        for t in threads:
            t.join(timeout=5)
        if time.monotonic() - last >= 10:
            last = time.monotonic()
            with sessions() as session:
                left = session.scalar(select(func.count(Report.id))
                                      .where(Report.status.in_(DUE)))
            print(f"  {last - started:5.1f}s: {left} waiting", flush=True)
    drain_s = time.monotonic() - started
    if errors:
        raise errors[0]

    with sessions() as session:
        stored = session.execute(select(SandboxRequest.description,
                                        SandboxRequest.service_request_id)).all()
        reports = {r.reference: r for r in session.scalars(select(Report))}
    per_ref: Counter[str] = Counter()
    stored_id: dict[str, str | None] = {}
    for description, sid in stored:
        match = _REF.search(description or "")
        if match:
            per_ref[match.group(1)] += 1
            stored_id[match.group(1)] = sid
    filed = sum(1 for ref in refs if per_ref[ref] == 1)
    duplicates = sum(max(per_ref[ref] - 1, 0) for ref in refs)
    lost = sum(1 for ref in refs if per_ref[ref] == 0)
    statuses = Counter(r.status for r in reports.values())
    wrong_id = sum(1 for ref in refs if reports[ref].status == ReportState.DELIVERED
                   and reports[ref].service_request_id != stored_id.get(ref))
    timeouts = sum(calls.values()) - sum(answers.values())
    print(f"calls: {dict(calls)}; answers: {dict(sorted(answers.items()))}; "
          f"timed out: {timeouts}")
    print(f"outbox: {dict(statuses)}; attempts: "
          f"{sum(r.attempts for r in reports.values())}; ids not matching the city's: {wrong_id}")
    server.shutdown()
    server.server_close()
    http.close()
    db.sessions(app).kw["bind"].dispose()
    print(f"filed={filed} duplicates={duplicates} lost={lost} drain_s={drain_s:.1f}")
    ok = filed == len(refs) and duplicates == 0 and lost == 0 and wrong_id == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

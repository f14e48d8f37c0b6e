"""Every per-resident query is answered by an index (EXPLAIN), on SQLite and PostgreSQL.

A resident calls and texts through the real app; every statement the app sends whose
parameters name that resident (their number, their conversation key, their reference) is
captured and EXPLAINed. None may scan a whole table: at 200,000 reports a scan is what made
"MY REQUESTS" and the language lookup slow. (On PostgreSQL sequential scans are switched off
for the EXPLAIN, so a plan without an index shows up as a scan whatever the table's size.)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, inspect
from twilio.request_validator import RequestValidator

from intake import db
from intake.app import OUTBOX, create_app
from intake.outbox import deliver_due
from intake.poller import start_watching
from intake.settings import Settings
from tests.databases import BACKENDS, database_url

TOKEN = "plans-token"
CITY = "+15555550311"
PHONE = "+15555550777"


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    with database_url(request.param, tmp_path) as url:
        settings = Settings.from_env({"INTAKE_VAR_DIR": str(tmp_path), "DATABASE_URL": url,
                                      "TWILIO_AUTH_TOKEN": TOKEN})
        application = create_app(settings)
        yield application
        db.sessions(application).kw["bind"].dispose()


def post(app: Flask, path: str, form: dict[str, str]) -> str:
    url = "http://localhost" + path
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    answer = app.test_client().post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert answer.status_code in (200, 204)
    return answer.get_data(as_text=True)


def resident_session(app: Flask) -> str:
    """What one resident does: a text report, status questions, a call, STOP and START."""
    sid = iter(range(1000))

    def text(body: str) -> str:
        return post(app, "/sms", {"From": PHONE, "To": CITY, "Body": body,
                                  "MessageSid": f"SM{next(sid):032d}"})

    for body in ("pothole", "123 main st", "skip", "yes"):
        answer = text(body)
    reference = answer.split("Reference number: ")[1][:7]
    worker = app.extensions[OUTBOX]
    deliver_due(worker.sessions, worker.client)
    text(f"STATUS {reference}")
    text("MY REQUESTS")
    text("HELP")
    call = {"CallSid": "CA" + "7" * 32, "From": PHONE, "To": CITY}
    post(app, "/voice", call)
    post(app, "/voice/answer?turn=1", {**call, "Digits": "1"})
    post(app, f"/voice/whisper?call={call['CallSid']}", call)
    post(app, "/voice/status", {**call, "CallStatus": "completed"})
    text("STOP")
    text("START")
    return reference


def captured(app: Flask, run) -> list[tuple[str, Any]]:
    engine = db.sessions(app).kw["bind"]
    seen: list[tuple[str, Any]] = []

    def listen(conn, cursor, statement, parameters, context, executemany) -> None:
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "UPDATE", "WITH",
                                                                      "DELETE")):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        mentions = run()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    marks = (PHONE, f"{PHONE}|{CITY}", "CA" + "7" * 32, mentions)
    return [(s, p) for s, p in seen
            if any(m in str(v) for m in marks for v in _values(p))]


def _values(parameters: Any) -> list[Any]:
    if isinstance(parameters, dict):
        return list(parameters.values())
    return list(parameters or ())


def scans(app: Flask, statements: list[tuple[str, Any]]) -> list[str]:
    engine = db.sessions(app).kw["bind"]
    bad = []
    tables = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        postgres = engine.dialect.name == "postgresql"
        if postgres:
            conn.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in statements:
            explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
            plan = "\n".join(str(row[-1]) for row in
                             conn.exec_driver_sql(explain + statement, parameters))
            full_scan = "Seq Scan" in plan if postgres else any(
                line.split()[:1] == ["SCAN"] and "USING" not in line
                and line.split()[1] in tables  # not a one-row derived table or subquery
                for line in plan.splitlines() if len(line.split()) > 1)
            if full_scan:
                bad.append(f"{statement}\n{plan}")
        conn.rollback()
    return bad


def test_every_per_resident_query_uses_an_index(app: Flask) -> None:
    statements = captured(app, lambda: resident_session(app))
    assert len(statements) >= 15  # the lookups of one resident's day were all seen
    problems = scans(app, statements)
    assert not problems, "\n\n".join(problems)


def test_the_pollers_later_passes_read_only_new_deliveries_by_index(app: Flask) -> None:
    """After a poller's first pass, it looks for reports to start tracking among those
    updated since its last pass: a range of ix_reports_status_updated, not every delivered
    report (100,000 of them in a storm's aftermath)."""
    engine = db.sessions(app).kw["bind"]
    seen: list[tuple[str, Any]] = []

    def listen(conn, cursor, statement, parameters, context, executemany) -> None:
        if "status_watches" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        with db.sessions(app).begin() as session:
            start_watching(session, db.utcnow() - timedelta(minutes=10))
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert len(seen) == 1
    assert not scans(app, seen)
    with engine.connect() as conn:
        postgres = engine.dialect.name == "postgresql"
        if postgres:
            conn.exec_driver_sql("SET enable_seqscan = off")
        statement, parameters = seen[0]
        plan = "\n".join(str(row[-1]) for row in conn.exec_driver_sql(
            ("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + statement, parameters))
        conn.rollback()
    assert "ix_reports_status_updated" in plan, plan

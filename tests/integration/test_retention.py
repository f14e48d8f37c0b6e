"""`intake purge` on SQLite and PostgreSQL: personal data of long-closed requests goes.

Reports are filed through the real SMS webhook, delivered to the built-in sandbox, watched
and closed; then the clock is moved and the purge runs (as the CLI and as the function).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select, update

from conversation import Inbound, Said
from intake import db
from intake.app import OUTBOX
from intake.cli import main
from intake.outbox import deliver_due
from intake.retention import purge
from intake.storage import ConversationRow, OptOut, OutboundTextRow, Report, StatusWatch
from intake.texts import TextKind, queue_text, record_opt_out
from tests.databases import BACKENDS, intake_app

CITY = "+15555550311"


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    with intake_app(request.param, tmp_path) as application:
        yield application


def file(app: Flask, phone: str) -> None:
    intake = app.extensions["intake"]
    for n, body in enumerate(["pothole", "123 main st", "skip", "yes"]):
        intake.handle(Inbound("sms", f"{phone}|{CITY}", f"SM{phone}{n}", Said(body),
                              phone=phone, city_number=CITY, text=body))


def count(app: Flask, model: type, *where: object) -> int:
    with db.sessions(app)() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_closed_requests_lose_numbers_conversations_and_texts(app: Flask) -> None:
    old, recent, still_open = "+15555550501", "+15555550502", "+15555550503"
    for phone in (old, recent, still_open):
        file(app, phone)
    worker = app.extensions[OUTBOX]
    assert deliver_due(worker.sessions, worker.client) == 3
    sessions = db.sessions(app)
    long_ago = db.utcnow() - timedelta(days=120)
    with sessions.begin() as session:
        for report in session.scalars(select(Report)):
            session.add(StatusWatch(report_id=report.id,
                                    service_request_id=report.service_request_id,
                                    status="open", version=0, is_open=report.phone == still_open,
                                    checked_at=long_ago if report.phone == old else db.utcnow()))
            queue_text(session, report.phone, CITY, f"Report {report.reference} update", "en",
                       TextKind.STATUS, report_id=report.id)
        session.flush()
        session.execute(update(StatusWatch).where(StatusWatch.is_open.is_(True))
                        .values(checked_at=long_ago))
        # a conversation that never became a report, long ago
        session.add(ConversationRow(channel="sms", key=f"+15555550504|{CITY}",
                                    phone="+15555550504", city_number=CITY, step="category",
                                    turn=1, state={},
                                    is_open=False, updated_at=long_ago))
        record_opt_out(session, old, "stop")
    with sessions() as session:  # rolled back: the function works in the caller's unit
        assert purge(session, 90).reports == 1
    result = CliRunner().invoke(main, ["purge"], env={
        "DATABASE_URL": str(sessions.kw["bind"].url.render_as_string(hide_password=False)),
        "INTAKE_VAR_DIR": str(Path(app.config["SETTINGS"].var_dir)), "TWILIO_AUTH_TOKEN": "t"})
    assert result.exit_code == 0, result.output
    assert "phone numbers of 1 reports, 2 conversations" in result.output
    assert count(app, Report, Report.phone == old) == 0
    assert count(app, Report) == 3  # the city's record of the problem stays
    assert count(app, Report, Report.phone.in_([recent, still_open])) == 2
    assert count(app, ConversationRow, ConversationRow.phone == old) == 0
    assert count(app, ConversationRow, ConversationRow.phone == "+15555550504") == 0
    assert count(app, ConversationRow, ConversationRow.phone.in_([recent, still_open])) == 2
    assert count(app, OutboundTextRow, OutboundTextRow.phone == old) == 0
    assert count(app, OutboundTextRow) == 2
    assert count(app, OptOut, OptOut.phone == old) == 1  # STOP is remembered

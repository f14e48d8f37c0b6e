"""Storage, migrations and the outbox on SQLite and PostgreSQL, against the real sandbox.

The app is built by the real factory; its Open311 client reaches the sandbox over WSGI, so
every filing below is a real GeoReport v2 POST that the sandbox stores.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import func, select

import intake.sandbox.models  # noqa: F401
from conversation import Inbound, Said
from intake import db
from intake.app import OUTBOX, create_app
from intake.lifecycle import ReportState
from intake.outbox import OutboxWorker, deliver_due
from intake.sandbox import SandboxConfig, SandboxRequest
from intake.settings import Settings
from intake.storage import ConversationRow, Report, WebhookDelivery
from open311_client import Open311Client
from tests.databases import BACKENDS, database_url


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    with database_url(request.param, tmp_path) as url:
        settings = Settings.from_env({"INTAKE_VAR_DIR": str(tmp_path), "DATABASE_URL": url,
                                      "TWILIO_AUTH_TOKEN": "t"})
        application = create_app(settings, sandbox=SandboxConfig(allow_fault_header=True))
        yield application
        db.sessions(application).kw["bind"].dispose()


def sms(app: Flask, sid: str, body: str, phone: str = "+15555550101") -> str:
    intake = app.extensions["intake"]
    reply = intake.handle(Inbound("sms", f"{phone}|+15555550311", sid, Said(body), phone=phone,
                                  city_number="+15555550311", text=body))
    wording = intake.config.wording("sms")
    return " ".join(wording.text(reply.lang, a) for a in reply.actions if hasattr(a, "prompt"))


def file_pothole(app: Flask, prefix: str, phone: str = "+15555550101") -> str:
    for n, body in enumerate(["pothole", "123 main st", "skip", "yes"]):
        text = sms(app, f"{prefix}{n}", body, phone)
    return text


def count(app: Flask, model: type, *where: object) -> int:
    with db.sessions(app)() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def client_with_fault(app: Flask, fault: str) -> Open311Client:
    transport = httpx.WSGITransport(app=app)
    http = httpx.Client(transport=transport, headers={"X-Sandbox-Fault": fault})
    return Open311Client(http, "http://sandbox.internal/open311/v2/")


def test_migrations_match_the_models(app: Flask) -> None:
    engine = db.sessions(app).kw["bind"]
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.Base.metadata)
    assert diff == []


def test_a_confirmed_report_is_stored_before_any_delivery(app: Flask) -> None:
    text = file_pothole(app, "SMa")
    assert "Reference number" in text
    assert count(app, Report, Report.status == ReportState.PENDING) == 1
    assert count(app, SandboxRequest) == 0
    assert count(app, ConversationRow, ConversationRow.is_open.is_(True)) == 0


def test_outbox_files_it_in_the_sandbox(app: Flask) -> None:
    file_pothole(app, "SMb")
    worker: OutboxWorker = app.extensions[OUTBOX]
    assert deliver_due(worker.sessions, worker.client) == 1
    with db.sessions(app)() as session:
        report = session.scalars(select(Report)).one()
        filed = session.scalars(select(SandboxRequest)).one()
    assert report.status == ReportState.DELIVERED
    assert report.service_request_id == filed.service_request_id
    assert filed.service_code == "POTHOLE" and f"ref {report.reference}" in filed.description


def test_the_same_webhook_twice_is_answered_once(app: Flask) -> None:
    sms(app, "SMc0", "pothole")
    sms(app, "SMc1", "123 main st")
    sms(app, "SMc2", "skip")
    first = sms(app, "SMc3", "yes")
    again = sms(app, "SMc3", "yes")
    assert first == again
    assert count(app, Report) == 1
    assert count(app, WebhookDelivery, WebhookDelivery.id == "SMc3") == 1


def test_the_same_webhook_racing_itself_files_once(app: Flask) -> None:
    for n, body in enumerate(["pothole", "123 main st", "skip"]):
        sms(app, f"SMd{n}", body)
    answers: list[str] = []
    threads = [threading.Thread(target=lambda: answers.append(sms(app, "SMd9", "yes")))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(answers)) == 1 and "Reference number" in answers[0]
    assert count(app, Report) == 1


def test_server_errors_are_retried_not_dropped(app: Flask) -> None:
    file_pothole(app, "SMe")
    worker: OutboxWorker = app.extensions[OUTBOX]
    assert deliver_due(worker.sessions, client_with_fault(app, "fail")) == 0
    with db.sessions(app)() as session:
        report = session.scalars(select(Report)).one()
    assert report.status == ReportState.UNCERTAIN
    assert report.attempts == 1 and "500" in report.last_error
    assert deliver_due(worker.sessions, worker.client, now=report.next_attempt_at) == 1
    assert count(app, SandboxRequest) == 1


def test_a_rejected_report_waits_for_staff(app: Flask) -> None:
    file_pothole(app, "SMf")
    with db.sessions(app).begin() as session:
        session.scalars(select(Report)).one().service_code = "NO_SUCH_SERVICE"
    worker: OutboxWorker = app.extensions[OUTBOX]
    deliver_due(worker.sessions, worker.client)
    with db.sessions(app)() as session:
        report = session.scalars(select(Report)).one()
    assert report.status == ReportState.FAILED and report.last_error


def test_token_only_answers_are_followed_to_an_id(app: Flask) -> None:
    file_pothole(app, "SMg")
    worker: OutboxWorker = app.extensions[OUTBOX]
    deliver_due(worker.sessions, client_with_fault(app, "token-only"))
    with db.sessions(app)() as session:
        report = session.scalars(select(Report)).one()
    assert report.status == ReportState.TOKEN and report.token
    assert count(app, SandboxRequest) == 1


def test_two_workers_never_post_the_same_report(app: Flask) -> None:
    for n in range(5):
        file_pothole(app, f"SMh{n}-", phone=f"+1555555020{n}")
    worker: OutboxWorker = app.extensions[OUTBOX]
    passes = [threading.Thread(target=deliver_due, args=(worker.sessions, worker.client))
              for _ in range(3)]
    for t in passes:
        t.start()
    for t in passes:
        t.join()
    assert count(app, SandboxRequest) == 5
    assert count(app, Report, Report.status == ReportState.DELIVERED) == 5


def test_a_text_long_after_an_unfinished_one_starts_afresh(app: Flask) -> None:
    sms(app, "SMi0", "pothole", phone="+15555550301")
    assert "short description" in sms(app, "SMi1", "123 main st", phone="+15555550301")
    with db.sessions(app).begin() as session:
        row = session.scalars(select(ConversationRow)).one()
        row.updated_at = db.utcnow() - timedelta(days=2)
    again = sms(app, "SMi2", "graffiti", phone="+15555550301")
    assert "offensive" in again and "description" not in again
    assert count(app, ConversationRow, ConversationRow.is_open.is_(True)) == 1


def test_a_text_soon_after_continues_the_same_conversation(app: Flask) -> None:
    sms(app, "SMj0", "pothole", phone="+15555550302")
    sms(app, "SMj1", "123 main st", phone="+15555550302")
    assert "Pothole at 123 Main St" in sms(app, "SMj2", "skip", phone="+15555550302")


def test_processed_webhooks_are_forgotten_after_a_week(app: Flask) -> None:
    from intake.housekeeping import prune_deliveries

    sms(app, "SMk0", "pothole", phone="+15555550303")
    sms(app, "SMk1", "123 main st", phone="+15555550303")
    with db.sessions(app).begin() as session:
        session.get(WebhookDelivery, "SMk0").created_at = db.utcnow() - timedelta(days=8)
    assert prune_deliveries(db.sessions(app)) == 1
    assert count(app, WebhookDelivery, WebhookDelivery.id == "SMk0") == 0
    assert count(app, WebhookDelivery, WebhookDelivery.id == "SMk1") == 1

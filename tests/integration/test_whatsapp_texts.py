"""WhatsApp's 24-hour rule for status texts, through the real twilio library to a local
stand-in for api.twilio.com that records what it is asked to send.

Inside 24 hours of the resident's last message: free-form, from the city's WhatsApp sender.
Outside: the staff's template (ContentSid), or by SMS to the plain number when the resident
agreed to SMS texts, or held until they write again.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from flask import Flask
from sqlalchemy import select

import sms
from intake import db
from intake.app import create_app
from intake.db import utcnow
from intake.lifecycle import TextState
from intake.settings import Settings
from intake.storage import ConversationRow, OutboundTextRow, Report
from intake.texts import TextKind, queue_text, send_due
from tests.databases import BACKENDS, database_url

SID, TOKEN = "AC" + "2" * 32, "wa-token"
RESIDENT, CITY = "whatsapp:+15555550441", "whatsapp:+15555550311"
SENT: list[dict[str, str]] = []


class _Twilio(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        SENT.append(form)
        body = json.dumps({"sid": "SM" + "9" * 32, "status": TextState.QUEUED, "error_code": None,
                           "to": form.get("To"), "account_sid": SID}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def twilio() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Twilio)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    with database_url(request.param, tmp_path) as url:
        settings = Settings.from_env({"INTAKE_VAR_DIR": str(tmp_path), "DATABASE_URL": url,
                                      "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_ACCOUNT_SID": SID})
        application = create_app(settings)
        with db.sessions(application).begin() as session:  # the resident wrote just now
            session.add(ConversationRow(channel="sms", key=f"{RESIDENT}|{CITY}",
                                        phone=RESIDENT, city_number=CITY, step="done",
                                        turn=1, state={}, is_open=False))
        yield application
        db.sessions(application).kw["bind"].dispose()


def sender(twilio: str, template: str | None) -> sms.TwilioSender:
    out = sms.TwilioSender(SID, TOKEN, from_number="+15555550999", api_base=twilio)
    out.whatsapp_template = template
    return out


def queued(app: Flask) -> int:
    with db.sessions(app).begin() as session:
        row = queue_text(session, RESIDENT, CITY, "Your pothole report is now closed.", "en",
                         TextKind.STATUS)
        assert row is not None
        session.flush()
        return row.id


def text_row(app: Flask, text_id: int) -> OutboundTextRow:
    with db.sessions(app)() as session:
        return session.get_one(OutboundTextRow, text_id)


def test_inside_the_window_free_form_from_the_whatsapp_sender(app: Flask, twilio: str) -> None:
    SENT.clear()
    queued(app)
    assert send_due(db.sessions(app), sender(twilio, "HX" + "1" * 32), "http://l") == 1
    [form] = SENT
    assert form["To"] == RESIDENT and form["From"] == CITY
    assert form["Body"] == "Your pothole report is now closed." and "ContentSid" not in form


def test_outside_the_window_the_staff_template(app: Flask, twilio: str) -> None:
    SENT.clear()
    queued(app)
    later = utcnow() + timedelta(hours=25)
    assert send_due(db.sessions(app), sender(twilio, "HX" + "1" * 32), "http://l",
                    now=later) == 1
    [form] = SENT
    assert form["ContentSid"] == "HX" + "1" * 32 and "Body" not in form
    assert json.loads(form["ContentVariables"]) == {"1": "Your pothole report is now closed."}
    assert form["To"] == RESIDENT


def test_outside_the_window_without_a_template_it_waits_then_goes_by_sms_if_agreed(
        app: Flask, twilio: str) -> None:
    SENT.clear()
    text_id = queued(app)
    later = utcnow() + timedelta(hours=25)
    assert send_due(db.sessions(app), sender(twilio, None), "http://l", now=later) == 0
    assert SENT == []
    held = text_row(app, text_id)
    assert held.status == TextState.WAITING and held.attempts == 0
    with db.sessions(app).begin() as session:  # the resident also agreed to SMS texts
        session.add(Report(reference="2222222", channel="sms", phone="+15555550441",
                           service_code="POTHOLE", address="123 Main St", wants_texts=True))
    assert send_due(db.sessions(app), sender(twilio, None), "http://l",
                    now=later + timedelta(hours=2)) == 1
    [form] = SENT
    assert form["To"] == "+15555550441" and form["From"] == "+15555550999"
    assert form["Body"] == "Your pothole report is now closed."


def test_the_resident_writing_again_opens_the_window(app: Flask, twilio: str) -> None:
    SENT.clear()
    queued(app)
    later = utcnow() + timedelta(hours=25)
    send_due(db.sessions(app), sender(twilio, None), "http://l", now=later)
    with db.sessions(app).begin() as session:
        row = session.scalars(select(ConversationRow).where(
            ConversationRow.phone == RESIDENT)).one()
        row.updated_at = later
    assert send_due(db.sessions(app), sender(twilio, None), "http://l",
                    now=later + timedelta(hours=1, minutes=1)) == 1
    assert SENT[0]["Body"] and SENT[0]["To"] == RESIDENT


def test_the_rule_itself() -> None:
    now = utcnow()
    assert sms.whatsapp_route(now - timedelta(hours=23), now, None, False) == "free"
    assert sms.whatsapp_route(now - timedelta(hours=25), now, "HX1", True) == "template"
    assert sms.whatsapp_route(None, now, None, True) == "sms"
    assert sms.whatsapp_route(now - timedelta(days=3), now, None, False) == "wait"
    assert sms.plain("whatsapp:+15555550441") == "+15555550441" == sms.plain("+15555550441")

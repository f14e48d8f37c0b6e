"""Limits a storm or an attacker runs into: proxies, SMS floods, open conversations, logs.

The real app factory on SQLite, driven through Flask's test client with signed requests.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import update
from twilio.request_validator import RequestValidator

from intake import db
from intake.app import create_app
from intake.logs import JsonFormatter, MaskingFormatter, mask_numbers
from intake.settings import Settings
from intake.storage import SmsRate
from tests.databases import BACKENDS, intake_app

TOKEN = "limits-token"
CITY = "+15555550311"


def make_app(tmp_path: Path, **env: str) -> Flask:
    settings = Settings.from_env({"INTAKE_VAR_DIR": str(tmp_path), "TWILIO_AUTH_TOKEN": TOKEN,
                                  "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", **env})
    return create_app(settings)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    application = make_app(tmp_path, TRUSTED_PROXIES="10.0.0.5", SMS_RATE_LIMIT="3",
                           MAX_OPEN_CONVERSATIONS="2")
    yield application
    db.sessions(application).kw["bind"].dispose()


def signature(url: str, form: dict[str, str]) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, form)}


def text(app: Flask, body: str, phone: str, sid: str) -> str:
    form = {"From": phone, "To": CITY, "Body": body, "MessageSid": sid}
    answer = app.test_client().post("/sms", data=form,
                                    headers=signature("http://localhost/sms", form))
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_forwarded_headers_count_only_from_a_trusted_proxy(app: Flask) -> None:
    public = "https://intake.city.example/sms"
    form = {"From": "+15555550201", "To": CITY, "Body": "hello", "MessageSid": "SMproxy1"}
    headers = {**signature(public, form), "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "intake.city.example", "X-Forwarded-Port": "443"}
    proxied = app.test_client().post("/sms", data=form, headers=headers,
                                     environ_base={"REMOTE_ADDR": "10.0.0.5"})
    assert proxied.status_code == 200 and "<Message>" in proxied.get_data(as_text=True)
    # the same headers from anyone else are ignored: the URL is not the one signed
    stranger = app.test_client().post("/sms", data={**form, "MessageSid": "SMproxy2"},
                                      headers=headers, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert stranger.status_code == 403


def test_without_trusted_proxies_forwarded_headers_are_ignored(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    public = "https://elsewhere.example/sms"
    form = {"From": "+15555550202", "To": CITY, "Body": "hello", "MessageSid": "SMproxy3"}
    headers = {**signature(public, form), "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "elsewhere.example"}
    assert app.test_client().post("/sms", data=form, headers=headers).status_code == 403
    db.sessions(app).kw["bind"].dispose()


def test_a_flood_gets_one_polite_reply_then_silence(app: Flask) -> None:
    flood = "+15555550203"
    answers = [text(app, body, flood, f"SMflood{n}")
               for n, body in enumerate(["hello", "HELP", "1", "2", "3", "4"])]
    assert all("<Message>" in a for a in answers[:3])
    assert "many messages" in answers[3]
    assert all("<Message>" not in a for a in answers[4:])
    assert "<Message>" in text(app, "hello", "+15555550204", "SMother")  # others go on
    with db.sessions(app).begin() as session:  # the window passes
        session.execute(update(SmsRate).values(window_start=db.utcnow() - timedelta(minutes=5)))
    assert "<Message>" in text(app, "hello", flood, "SMflood9")


def test_open_conversations_per_number_are_capped(app: Flask) -> None:
    phone = "+15555550205"

    def call(sid: str) -> str:
        form = {"CallSid": sid, "From": phone, "To": CITY, "CallStatus": "ringing"}
        answer = app.test_client().post("/voice", data=form,
                                        headers=signature("http://localhost/voice", form))
        return answer.get_data(as_text=True)

    assert "<Gather" in call("CA" + "1" * 32) and "<Gather" in call("CA" + "2" * 32)
    third = call("CA" + "3" * 32)
    # whose language the caller speaks is not known yet: refused in each the city offers
    assert '<Say language="en-US">Sorry, this number already has several calls' in third
    assert '<Say language="es-US">Lo siento, este número ya tiene varias llamadas' in third
    assert "<Hangup" in third
    assert "<Gather" in call("CA" + "1" * 32)  # a call already going is not cut off


def test_open_texts_per_number_are_capped_in_each_language(app: Flask) -> None:
    phone = "+15555550206"

    def text_to(city: str, sid: str) -> str:
        form = {"From": phone, "To": city, "Body": "hello", "MessageSid": sid}
        answer = app.test_client().post("/sms", data=form,
                                        headers=signature("http://localhost/sms", form))
        return answer.get_data(as_text=True)

    assert "several" not in text_to(CITY, "SMopen1") + text_to("+15555550312", "SMopen2")
    third = text_to("+15555550313", "SMopen3")
    assert "several reports in progress" in third and "varios reportes en curso" in third


def test_numbers_are_masked_in_any_log_line() -> None:
    line = "DETAIL: Key (phone)=(+15555550123) already exists; whatsapp:+447700900123 1234567"
    masked = mask_numbers(line)
    assert "+15555550123" not in masked and "447700900123" not in masked
    assert "0123" in masked and "1234567" in masked  # last digits and references stay
    try:
        raise ValueError("cannot store +1 555 555 0199")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "for %s", ("+15555550177",),
                                   exc_info=__import__("sys").exc_info())
    for formatter in (MaskingFormatter(), JsonFormatter()):
        out = formatter.format(record)
        assert "5555550177" not in out and "555 555 0199" not in out and "0177" in out


def test_ready_only_with_the_schema_this_version_needs(app: Flask) -> None:
    from sqlalchemy import text

    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    with db.sessions(app).begin() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    answer = client.get("/readyz")
    assert answer.status_code == 503 and "intake db upgrade" in answer.get_json()["reason"]
    assert client.get("/healthz").status_code == 200  # alive, just not ready


def test_metrics_need_the_token(tmp_path: Path) -> None:
    app = make_app(tmp_path, METRICS_TOKEN="m-token")
    text(app, "hello", "+15555550206", "SMmetrics1")
    client = app.test_client()
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    body = client.get("/metrics", headers={"Authorization": "Bearer m-token"})
    assert body.status_code == 200
    page = body.get_data(as_text=True)
    assert 'intake_webhook_seconds_count{channel="sms"}' in page
    assert 'intake_conversations_open{channel="sms"} 1.0' in page
    db.sessions(app).kw["bind"].dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_burst_of_texts_at_once_is_counted_once_each(backend: str, tmp_path: Path) -> None:
    """Fourteen texts from one number at the same moment, with the default limit of ten: the
    count is one upsert per text, outside any transaction, so exactly one text is the first
    over the limit (one polite reply) and the three after it are silent."""
    with intake_app(backend, tmp_path) as application:
        phone = "+15555550207"
        gate = threading.Barrier(14)
        answers: list[str] = []

        def send(n: int) -> None:
            form = {"From": phone, "To": CITY, "Body": "hello", "MessageSid": f"SMburst{n}"}
            headers = {"X-Twilio-Signature": RequestValidator("t").compute_signature(
                "http://localhost/sms", form)}
            gate.wait()
            answer = application.test_client().post("/sms", data=form, headers=headers)
            answers.append(f"{answer.status_code} {answer.get_data(as_text=True)}")

        threads = [threading.Thread(target=send, args=(n,)) for n in range(14)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert len(answers) == 14 and all(a.startswith("200 ") for a in answers), answers
        assert sum("many messages" in a for a in answers) == 1
        assert sum("<Message>" not in a for a in answers) == 3
        with db.sessions(application)() as session:
            assert session.get(SmsRate, phone).count == 14

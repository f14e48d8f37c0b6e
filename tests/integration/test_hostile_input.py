"""Hostile and broken input on every webhook (hypothesis), on SQLite and PostgreSQL.

Signed requests with any parameter missing, empty, huge, full of control characters, XML or
SSML: never a 500, always well-formed TwiML with nothing but TwiML's own elements (so no
input was echoed unescaped). Forged or missing signatures: 403 and nothing stored. Bodies
over the limit: 413 before anything is parsed. Values the database cannot hold are cleaned.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from defusedxml import ElementTree
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from intake import db
from intake.app import create_app
from intake.guards import MAX_BODY
from intake.lifecycle import TextState
from intake.settings import Settings
from intake.storage import ConversationRow, OutboundTextRow, Report, WebhookDelivery
from ivr.lint import twiml_problems
from tests.databases import BACKENDS, database_url

TOKEN = "hostile-input-token"
BASE = "http://localhost"
ENDPOINTS = ["/voice", "/voice/answer?turn=1", "/voice/silence?turn=2", "/voice/status",
             "/voice/whisper?call=CA1", "/sms", "/sms/status?text=1"]
FIELDS = ["From", "To", "Body", "MessageSid", "SmsSid", "CallSid", "Digits", "SpeechResult",
          "Confidence", "CallStatus", "MessageStatus", "SmsStatus", "ErrorCode", "OptOutType",
          "AccountSid", "NumMedia"]
TWIML = {"Response", "Say", "Gather", "Redirect", "Dial", "Number", "Hangup", "Message",
         "Pause", "Body"}
NASTY = ["\x00", "a\x00b", "\ufffe\uffff", "\x07\x1b[31m", "<Say>hi</Say>", "]]>", "&amp;&",
         "<speak><break time='60s'/></speak>", "<?xml version='1.0'?><Hangup/>", "9" * 5000,
         "-1", "1e309", "NaN", "999999999999999999999", "²", "CA" + "f" * 300, "+" + "1" * 80,
         "STOP", "HELP", "STATUS 1234567", "*", "0", "#", "completed", "delivered", ""]

values = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.text(st.characters(exclude_categories=("Cs",), max_codepoint=0x3000), max_size=3)
    .map(lambda s: s * 700),
)
forms = st.dictionaries(st.sampled_from(FIELDS), values, max_size=9)


@pytest.fixture(scope="module", params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp(f"hostile-{request.param}")
    with database_url(request.param, tmp) as url:
        settings = Settings.from_env({"INTAKE_VAR_DIR": str(tmp), "DATABASE_URL": url,
                                      "TWILIO_AUTH_TOKEN": TOKEN})
        application = create_app(settings)
        yield application
        db.sessions(application).kw["bind"].dispose()


def sign(path: str, pairs: list[tuple[str, str]], token: str = TOKEN) -> str:
    """Twilio's signature over the values as the server will decode them."""
    return RequestValidator(token).compute_signature(BASE + path, dict(pairs))


def decoded(raw: bytes) -> list[tuple[str, str]]:
    """The form as the server's framework decodes it (what a signature must cover)."""
    environ = EnvironBuilder(method="POST", data=raw,
                             content_type="application/x-www-form-urlencoded").get_environ()
    return list(Request(environ).form.items(multi=True))


def post(client: FlaskClient, path: str, form: dict[str, str], signature: str | None = None):
    raw = urlencode(form, encoding="utf-8").encode()
    headers = {"X-Twilio-Signature": sign(path, decoded(raw)) if signature is None else signature}
    return client.post(path, data=raw, headers=headers,
                       content_type="application/x-www-form-urlencoded")


def oversized(app: Flask, form: dict[str, str]) -> bool:
    """Whether the encoded form is over the app's body limit (MAX_BODY_BYTES)."""
    return len(urlencode(form, encoding="utf-8").encode()) > app.config["MAX_CONTENT_LENGTH"]


def well_formed(body: str, path: str = "") -> None:
    root = ElementTree.fromstring(body)
    assert root.tag == "Response"
    assert {el.tag for el in root.iter()} <= TWIML, body
    if path.startswith("/voice") and "whisper" not in path:  # a call must go on or end
        assert twiml_problems(body) == [], body


def counts(app: Flask) -> tuple[int, ...]:
    with db.sessions(app)() as session:
        return tuple(int(session.scalar(select(func.count()).select_from(t)) or 0)
                     for t in (ConversationRow, Report, WebhookDelivery, OutboundTextRow))


@pytest.mark.parametrize("path", ENDPOINTS)
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(form=forms)
def test_any_signed_form_gets_twiml_never_a_500(app: Flask, path: str, form: dict[str, str]
                                                ) -> None:
    answer = post(app.test_client(), path, form)
    if oversized(app, form):  # refused before it is read: the limit, not a crash
        assert answer.status_code == 413
        return
    assert answer.status_code in (200, 204), answer.get_data(as_text=True)
    if answer.status_code == 200:
        well_formed(answer.get_data(as_text=True), path)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(form=forms, path=st.sampled_from(ENDPOINTS),
       signature=st.sampled_from(["", "forged", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="]))
def test_forged_or_missing_signatures_store_nothing(app: Flask, form: dict[str, str], path: str,
                                                    signature: str) -> None:
    before = counts(app)
    answer = post(app.test_client(), path, form, signature=signature)
    assert answer.status_code == (413 if oversized(app, form) else 403)
    assert counts(app) == before


def test_a_replay_with_one_value_changed_is_refused(app: Flask) -> None:
    form = {"From": "+15555550101", "To": "+15555550311", "Body": "pothole",
            "MessageSid": "SM" + "a" * 32}
    good = sign("/sms", list(form.items()))
    before = counts(app)
    answer = post(app.test_client(), "/sms", {**form, "Body": "graffiti"}, signature=good)
    assert answer.status_code == 403 and counts(app) == before


def test_non_utf8_bodies_are_answered(app: Flask) -> None:
    raw = b"From=%2B15555550102&To=%2B15555550311&MessageSid=SMnonutf8&Body=caf%E9+%FF%FE+x"
    answer = app.test_client().post("/sms", data=raw, headers={
        "X-Twilio-Signature": sign("/sms", decoded(raw))},
        content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    well_formed(answer.get_data(as_text=True))


def test_a_body_over_the_limit_is_refused_before_parsing(app: Flask) -> None:
    """413 whatever the signature: the body is not read, so no signature is computed."""
    before = counts(app)
    big = b"Body=" + b"x" * (MAX_BODY + 1)
    for headers in ({"X-Twilio-Signature": "anything"}, {}):
        answer = app.test_client().post("/sms", data=big, headers=headers,
                                        content_type="application/x-www-form-urlencoded")
        assert answer.status_code == 413
    assert counts(app) == before


def test_messages_without_a_sid_never_share_an_answer(app: Flask) -> None:
    client = app.test_client()
    first = post(client, "/sms", {"From": "+15555550103", "To": "+15555550311",
                                  "Body": "pothole"}).get_data(as_text=True)
    second = post(client, "/sms", {"From": "+15555550104", "To": "+15555550311",
                                   "Body": "graffiti"}).get_data(as_text=True)
    assert "street address" in first and "graffiti" not in first.lower()
    assert "graffiti" in second.lower()


def test_control_characters_never_reach_the_prompt_or_the_whisper(app: Flask) -> None:
    client = app.test_client()
    call = "CA" + "c" * 32
    base = {"CallSid": call, "From": "+15555550105", "To": "+15555550311"}
    post(client, "/voice", base)
    post(client, "/voice/answer?turn=1", {**base, "Digits": "1"})
    post(client, "/voice/answer?turn=2", {**base, "Digits": "1"})
    for turn in range(3, 9):  # an address never found, said with NUL and U+FFFE in it
        answer = post(client, f"/voice/answer?turn={turn}",
                      {**base, "SpeechResult": "12\x00 Nowhere\ufffe Lane\x1b <Say>x</Say>"})
        body = answer.get_data(as_text=True)
        well_formed(body, "/voice/answer")
        assert "\x00" not in body and "\ufffe" not in body and "\x1b" not in body
    whisper = post(client, f"/voice/whisper?call={call}", base).get_data(as_text=True)
    well_formed(whisper)
    assert "Nowhere Lane" in whisper and "\x00" not in whisper


def test_nul_and_overlong_sids_are_stored_cleaned(app: Flask) -> None:
    client = app.test_client()
    sid = "SM" + "9" * 300
    answer = post(client, "/sms", {"From": "+1555\x005550106", "To": "+15555550311",
                                   "Body": "pot\x00hole", "MessageSid": sid})
    body = answer.get_data(as_text=True)
    well_formed(body)
    assert "something went wrong" not in body.lower() and "address" in body.lower()
    with db.sessions(app)() as session:
        row = session.scalars(select(ConversationRow)
                              .where(ConversationRow.phone == "+15555550106")).one()
        assert row.is_open


def test_absurd_delivery_callbacks_are_answered_quietly(app: Flask, caplog) -> None:
    client = app.test_client()
    for form, query in [({"MessageStatus": TextState.DELIVERED, "ErrorCode": "9" * 5000}, "9" * 40),
                        ({"MessageStatus": "x" * 300, "MessageSid": "SM" + "1" * 400}, "-5"),
                        ({"MessageStatus": TextState.FAILED, "ErrorCode": "²"}, "0x1F"),
                        ({"SmsStatus": TextState.SENT, "ErrorCode": "-1"}, "1e9")]:
        answer = post(client, f"/sms/status?text={query}", form)
        assert answer.status_code == 204
    assert not [r for r in caplog.records if r.exc_info], "a callback raised"

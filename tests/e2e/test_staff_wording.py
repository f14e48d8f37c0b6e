"""Wording staff edit reaches people: the apology when our side fails, the agent's whisper.

A real `intake serve` with a staff file; its storage is broken under it (a table renamed)
once the conversations are going, so each webhook after that ends in the apology: in the
resident's language when their conversation is known, in every language when it is not.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from intake.simulate import new_sid, sms_form, voice_form
from intake.webhook_client import Twiml, WebhookSender
from tests.databases import BACKENDS, database_url

from .conftest import start_server

CITY = "+15555550311"
STAFF = """
[prompts.en]
trouble = "Our phones are having a bad day, call back soon."
[prompts.en.sms]
trouble = "Our texts are having a bad day, write back soon."
[prompts.en.voice]
whisper_report = "The caller reports {category}."
"whisper_caller.es" = "A Spanish speaker is on the line."
[prompts.es]
trouble = "Nuestros teléfonos fallan hoy, llame pronto."
[prompts.es.sms]
trouble = "Nuestros mensajes fallan hoy, escriba pronto."
[prompts.es.voice]
whisper_report = "La persona reporta {category}."
"whisper_caller.es" = "Habla en español."
"""
TROUBLE = {("voice", "en"): "Our phones are having a bad day",
           ("voice", "es"): "Nuestros teléfonos fallan hoy",
           ("sms", "en"): "Our texts are having a bad day",
           ("sms", "es"): "Nuestros mensajes fallan hoy"}


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=20) as client:
        yield client


def call(sender: WebhookSender, *digits: str) -> tuple[str, Twiml]:
    """A call that pressed `digits` in turn: its CallSid and the last answer."""
    sid = new_sid("CA")
    form = voice_form(sid, "+15555550160", CITY)
    answer = sender.post("/voice", form)
    for digit in digits:
        assert answer.gather is not None, answer.body
        answer = sender.post(answer.gather["action"], {**form, "Digits": digit})
    return sid, answer


def said_again(sender: WebhookSender, sid: str, answer: Twiml) -> Twiml:
    assert answer.gather is not None, answer.body
    return sender.post(answer.gather["action"], {**voice_form(sid, "+15555550160", CITY),
                                                  "Digits": "1"})


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_staff_apology_is_given_in_the_residents_language(
        backend: str, tmp_path: Path, http: httpx.Client) -> None:
    (tmp_path / "city.toml").write_text(STAFF, encoding="utf-8")
    with database_url(backend, tmp_path) as db_url:
        proc, server = start_server(tmp_path, db_url, INTAKE_CONFIG=str(tmp_path / "city.toml"))
        try:
            sender = server.sender(http)
            english, english_said = call(sender)
            spanish, spanish_said = call(sender, "2")
            assert "Qué desea reportar" in spanish_said.text, spanish_said.text
            assert "Did you mean" not in sender.post("/sms", sms_form(
                "+15555550161", CITY, "pothole")).text
            assert "dirección" in sender.post("/sms", sms_form(
                "+15555550162", CITY, "hay un bache")).text
            engine = create_engine(db_url)
            with engine.begin() as conn:  # the storage fails under the running service
                conn.execute(text("ALTER TABLE webhook_deliveries RENAME TO deliveries_gone"))
            engine.dispose()

            heard = {"en": said_again(sender, english, english_said).text,
                     "es": said_again(sender, spanish, spanish_said).text}
            read = {"en": sender.post("/sms", sms_form("+15555550161", CITY, "123 main")).text,
                    "es": sender.post("/sms", sms_form("+15555550162", CITY, "123 main")).text}
            stranger = sender.post("/sms", sms_form("+15555550163", CITY, "pothole")).text
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    for lang, other in (("en", "es"), ("es", "en")):
        assert TROUBLE["voice", lang] in heard[lang], heard
        assert TROUBLE["voice", other] not in heard[lang], heard
        assert TROUBLE["sms", lang] in read[lang], read
        assert TROUBLE["sms", other] not in read[lang], read
    # nothing known of this texter (the failure came before anything was kept): both
    assert TROUBLE["sms", "en"] in stranger and TROUBLE["sms", "es"] in stranger, stranger
    assert "went wrong" not in " ".join([*heard.values(), *read.values(), stranger])


@pytest.mark.parametrize("main", ["en", "es"])
def test_the_agent_hears_the_staff_whisper_in_the_citys_main_language(
        main: str, tmp_path: Path, http: httpx.Client) -> None:
    languages = '"en", "es"' if main == "en" else '"es", "en"'
    staff = f"[conversation]\nlanguages = [{languages}]\n" + STAFF
    (tmp_path / "city.toml").write_text(staff, encoding="utf-8")
    proc, server = start_server(tmp_path, f"sqlite:///{tmp_path / 'intake.sqlite3'}",
                                INTAKE_CONFIG=str(tmp_path / "city.toml"))
    try:
        sender = server.sender(http)
        sid = new_sid("CA")
        form = voice_form(sid, "+15555550164", CITY)
        answer = sender.post("/voice", form)
        if main == "en":  # the caller takes Spanish
            assert answer.gather is not None
            answer = sender.post(answer.gather["action"], {**form, "Digits": "2"})
        assert answer.gather is not None
        answer = sender.post(answer.gather["action"], {**form, "SpeechResult": "bache",
                                                       "Confidence": "0.9"})
        whisper = sender.post(f"/voice/whisper?call={sid}", form).text
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    if main == "en":
        assert "A Spanish speaker is on the line. The caller reports pothole." in whisper
    else:
        assert "Habla en español. La persona reporta bache." in whisper

"""Webhook contracts over real HTTP: signatures (also behind a proxy), bad input, health."""

from __future__ import annotations

import httpx
from twilio.request_validator import RequestValidator

from intake.simulate import sms_form, voice_form
from ivr.lint import twiml_problems

from .conftest import TOKEN, Server

CITY = "+15555550311"


def signed(url: str, form: dict[str, str], token: str = TOKEN) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, form)}


def test_health(server: Server, http: httpx.Client) -> None:
    answer = http.get(server.url + "/healthz")
    assert answer.status_code == 200 and answer.json()["status"] == "ok"


def test_signed_with_another_token_is_refused(server: Server, http: httpx.Client) -> None:
    form = sms_form("+15555550142", CITY, "pothole")
    url = server.url + "/sms"
    answer = http.post(url, data=form, headers=signed(url, form, token="someone-else"))
    assert answer.status_code == 403


def test_signature_over_a_tampered_body_is_refused(server: Server, http: httpx.Client) -> None:
    form = sms_form("+15555550143", CITY, "pothole")
    url = server.url + "/sms"
    headers = signed(url, form)
    answer = http.post(url, data={**form, "Body": "graffiti"}, headers=headers)
    assert answer.status_code == 403


def test_behind_a_tls_proxy_the_public_url_is_validated(server: Server, http: httpx.Client
                                                        ) -> None:
    """Twilio signs https://public-host/sms; the proxy forwards plain HTTP with X-Forwarded-*."""
    form = sms_form("+15555550144", CITY, "hello")
    public = "https://intake.city.example/sms"
    headers = {**signed(public, form), "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "intake.city.example", "X-Forwarded-Port": "443"}
    answer = http.post(server.url + "/sms", data=form, headers=headers)
    assert answer.status_code == 200 and "<Message>" in answer.text
    unproxied = http.post(server.url + "/sms", data=form, headers=signed(public, form))
    assert unproxied.status_code == 403


def test_garbage_sms_gets_a_polite_prompt(server: Server, http: httpx.Client) -> None:
    url = server.url + "/sms"
    for body in ["", "   ", "💩💩💩", "x" * 5000, "<script>alert(1)</script>"]:
        form = sms_form("+15555550145", CITY, body)
        answer = http.post(url, data=form, headers=signed(url, form))
        assert answer.status_code == 200, answer.text
        assert answer.text.startswith("<?xml")


def test_voice_answer_without_a_call_starts_one(server: Server, http: httpx.Client) -> None:
    url = server.url + "/voice/answer?turn=7"
    form = {**voice_form("CA" + "f" * 32, "+15555550146", CITY), "Digits": "9"}
    answer = http.post(url, data=form, headers=signed(url, form))
    assert answer.status_code == 200 and twiml_problems(answer.text) == []
    assert "<Gather" in answer.text and "Welcome" in answer.text


def test_stop_is_not_answered_by_the_conversation(server: Server, http: httpx.Client) -> None:
    url = server.url + "/sms"
    form = sms_form("+15555550147", CITY, "STOP")
    answer = http.post(url, data=form, headers=signed(url, form))
    assert answer.status_code == 200 and "<Message>" not in answer.text


def test_a_broken_database_gets_an_apology_not_a_500(tmp_path, http: httpx.Client) -> None:
    import sqlite3

    from ivr.lint import twiml_problems as problems

    from .conftest import start_server

    db_file = tmp_path / "broken.sqlite3"
    proc, server = start_server(tmp_path, f"sqlite:///{db_file}")
    try:
        with sqlite3.connect(db_file) as conn:  # the storage fails under the running service
            conn.execute("ALTER TABLE conversations RENAME TO conversations_gone")
        url = server.url + "/voice"
        form = voice_form("CA" + "e" * 32, "+15555550148", CITY, "ringing")
        answer = http.post(url, data=form, headers=signed(url, form))
        assert answer.status_code == 200 and problems(answer.text) == []
        assert "something went wrong on our side" in answer.text and "<Dial>" in answer.text
        url = server.url + "/sms"
        form = sms_form("+15555550149", CITY, "pothole")
        answer = http.post(url, data=form, headers=signed(url, form))
        assert answer.status_code == 200 and "try again in a few minutes" in answer.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)

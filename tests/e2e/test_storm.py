"""`intake serve` under abuse, over real sockets: idle connections, huge bodies, broken storage.

Each test starts its own server (its limits and its log are what is under test).
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from twilio.request_validator import RequestValidator

from intake.simulate import sms_form, voice_form
from tests.databases import database_url

from .conftest import TOKEN, Server, start_server

CITY = "+15555550311"


def signed(url: str, form: dict[str, str]) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, form)}


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[Server]:
    proc, server = start_server(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_idle_connections_do_not_hold_up_a_text(sqlite_server: Server) -> None:
    host, port = sqlite_server.url.removeprefix("http://").split(":")
    idle = [socket.create_connection((host, int(port))) for _ in range(150)]
    try:
        url = sqlite_server.url + "/sms"
        form = sms_form("+15555550401", CITY, "pothole")
        started = time.monotonic()
        answer = httpx.post(url, data=form, headers=signed(url, form), timeout=30)
        took = time.monotonic() - started
        assert answer.status_code == 200 and "<Message>" in answer.text
        assert took < 10, f"a text waited {took:.1f} s behind idle connections"
    finally:
        for conn in idle:
            conn.close()


def test_a_huge_body_is_refused_without_being_read(sqlite_server: Server) -> None:
    url = sqlite_server.url + "/sms"
    body = b"Body=" + b"x" * (20 * 1024 * 1024)
    answer = httpx.post(url, content=body, timeout=30, headers={
        "X-Twilio-Signature": "anything", "Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413
    form = sms_form("+15555550402", CITY, "pothole")  # and the server is still all there
    assert httpx.post(url, data=form, headers=signed(url, form)).status_code == 200


@pytest.mark.postgres
def test_logs_of_failing_storage_hold_no_numbers_bodies_or_tokens(tmp_path: Path) -> None:
    """The database breaks under the service: every webhook is apologised for, and the log
    (plain and JSON) has tracebacks but no phone number, message or token in full."""
    import psycopg

    from tests.databases import PG_URL

    with database_url("postgresql", tmp_path) as url:
        for fmt in ("plain", "json"):
            (tmp_path / fmt).mkdir()
            proc, server = start_server(tmp_path / fmt, url, LOG_FORMAT=fmt)
            try:
                schema = re.search(r"search_path%3D(\w+)", url).group(1)  # type: ignore[union-attr]
                with psycopg.connect(PG_URL.replace("+psycopg", ""), autocommit=True) as conn:
                    conn.execute(f'ALTER TABLE "{schema}".conversations '
                                 "RENAME COLUMN phone TO gone")
                numbers = [f"+1555555{n:04d}" for n in range(7000, 7010)]
                for n, phone in enumerate(numbers):
                    form = sms_form(phone, CITY, f"secret words {n} at 9 Elm")
                    http_url = server.url + "/sms"
                    answer = httpx.post(http_url, data=form, headers=signed(http_url, form))
                    assert answer.status_code == 200 and "<Message>" in answer.text
                    call = voice_form("CA" + f"{n:032d}", phone, CITY, "ringing")
                    voice_url = server.url + "/voice"
                    answer = httpx.post(voice_url, data=call, headers=signed(voice_url, call))
                    assert answer.status_code == 200
            finally:
                proc.terminate()
                proc.wait(timeout=20)
                with psycopg.connect(PG_URL.replace("+psycopg", ""), autocommit=True) as conn:
                    conn.execute(f'ALTER TABLE "{schema}".conversations '
                                 "RENAME COLUMN gone TO phone")
            log = server.log.read_text()
            assert "Traceback" in log or '"exception"' in log  # it did fail, and said so
            assert not [n for n in numbers if n in log or n[1:] in log]
            assert "secret words" not in log and TOKEN not in log

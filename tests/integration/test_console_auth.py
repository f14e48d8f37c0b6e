"""Console logins on the real app and database: passwords, sessions, lock-out, CSRF, roles."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake import db
from intake.console import auth
from intake.storage import ConsoleSession, ConsoleUser
from tests.databases import BACKENDS, intake_app

PASSWORD = "correct horse battery"


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    with intake_app(request.param, tmp_path) as application:
        with db.transaction(application) as session:
            auth.add_user(session, "erin", PASSWORD, "editor")
            auth.add_user(session, "victor", PASSWORD, "viewer")
        yield application


def token(client: FlaskClient, path: str = "/console/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def log_in(client: FlaskClient, name: str, password: str = PASSWORD) -> int:
    return client.post("/console/login", data={"name": name, "password": password,
                                               "csrf_token": token(client)}).status_code


def test_pages_need_a_login_and_come_back_after_it(app: Flask) -> None:
    client = app.test_client()
    first = client.get("/console/")
    assert first.status_code == 302 and "/console/login" in first.headers["Location"]
    reply = client.post("/console/login", data={"name": "erin", "password": PASSWORD,
                                                "csrf_token": token(client),
                                                "next": "/console/"})
    assert reply.status_code == 302 and reply.headers["Location"] == "/console/"
    cookie = client.get_cookie("intake_console", path="/console")
    assert cookie is not None and cookie.http_only
    assert "Welcome, erin" in client.get("/console/").get_data(as_text=True)


def test_the_password_is_stored_hashed_and_the_session_token_too(app: Flask) -> None:
    client = app.test_client()
    assert log_in(client, "erin") == 302
    cookie = client.get_cookie("intake_console", path="/console")
    assert cookie is not None
    with db.sessions(app)() as session:
        user = session.scalar(select(ConsoleUser).where(ConsoleUser.name == "erin"))
        assert user is not None and PASSWORD not in user.password_hash
        assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
        stored = [s.token_hash for s in session.scalars(select(ConsoleSession))]
    assert cookie.value not in stored and len(stored) == 1


def test_a_wrong_password_is_refused(app: Flask) -> None:
    client = app.test_client()
    reply = client.post("/console/login", data={"name": "erin", "password": "not it at all",
                                                "csrf_token": token(client)})
    assert reply.status_code == 401
    assert "The name or the password is wrong." in reply.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_an_unknown_name_gets_the_same_answer(app: Flask) -> None:
    client = app.test_client()
    reply = client.post("/console/login", data={"name": "mallory", "password": PASSWORD,
                                                "csrf_token": token(client)})
    assert reply.status_code == 401
    assert "The name or the password is wrong." in reply.get_data(as_text=True)


def test_a_login_without_its_csrf_token_is_refused(app: Flask) -> None:
    client = app.test_client()
    client.get("/console/login")
    reply = client.post("/console/login", data={"name": "erin", "password": PASSWORD})
    assert reply.status_code == 400
    assert "This form was refused" in reply.get_data(as_text=True)
    assert client.get_cookie("intake_console", path="/console") is None


def test_repeated_failures_lock_the_account_even_for_the_right_password(app: Flask) -> None:
    client = app.test_client()
    for _ in range(auth.LOCK_AFTER):
        assert log_in(client, "erin", "wrong password!") == 401
    reply = client.post("/console/login", data={"name": "erin", "password": PASSWORD,
                                                "csrf_token": token(client)})
    assert reply.status_code == 401 and "locked" in reply.get_data(as_text=True)
    with db.transaction(app) as session:  # the IT person sets a new password: unlocked
        auth.set_password(session, "erin", "a brand new password")
    assert log_in(client, "erin", "a brand new password") == 302


def test_a_session_ends_after_being_idle_and_at_logout(app: Flask) -> None:
    client = app.test_client()
    assert log_in(client, "erin") == 302
    assert client.get("/console/").status_code == 200
    with db.transaction(app) as session:
        for row in session.scalars(select(ConsoleSession)):
            row.last_seen_at -= timedelta(minutes=31)
    assert client.get("/console/").status_code == 302
    assert log_in(client, "erin") == 302
    page = client.get("/console/").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    assert client.post("/console/logout", data={"csrf_token": csrf.group(1)}).status_code == 302
    assert client.get("/console/").status_code == 302
    with db.sessions(app)() as session:
        assert session.scalars(select(ConsoleSession)).all() == []


def test_a_new_password_ends_every_session(app: Flask) -> None:
    client = app.test_client()
    assert log_in(client, "victor") == 302
    with db.transaction(app) as session:
        auth.set_password(session, "victor", "another long password")
    assert client.get("/console/").status_code == 302


def test_only_console_pages_are_redirected_after_login(app: Flask) -> None:
    client = app.test_client()
    reply = client.post("/console/login", data={"name": "erin", "password": PASSWORD,
                                                "csrf_token": token(client),
                                                "next": "https://evil.example/console/"})
    assert reply.headers["Location"] == "/console/"


@pytest.mark.parametrize(("name", "password", "why"), [
    ("erin", PASSWORD, "already a user"),
    ("x", PASSWORD, "2 to 64"),
    ("newbie", "short", "at least 10"),
    ("newbie", "newbie", "at least 10"),
])
def test_bad_new_users_are_explained(app: Flask, name: str, password: str, why: str) -> None:
    with db.transaction(app) as session, pytest.raises(auth.UserError, match=why):
        auth.add_user(session, name, password, "editor")


def test_the_webhooks_need_no_csrf_token(app: Flask) -> None:
    """CSRF is for the console's forms; Twilio's webhooks are checked by their signature."""
    reply = app.test_client().post("/sms", data={"From": "+15555550100", "Body": "hi"})
    assert reply.status_code == 403  # unsigned: refused by the signature check, not by CSRF

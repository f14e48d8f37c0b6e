"""The menu comes from the city server's service list, shaped by the staff file.

The server here is the built-in sandbox answering real GeoReport v2 over WSGI.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from flask import Flask

from conversation import QuestionKind, Said, Started, start, step
from intake import db
from intake.catalogue import SyncNotes, synced_menu
from intake.config import load_config
from intake.sandbox import SandboxConfig, create_blueprint
from open311_client import Open311Client
from tests.databases import database_url


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Open311Client]:
    with database_url("sqlite", tmp_path) as url:
        engine = db.make_engine(url)
        db.Base.metadata.create_all(engine)
        app = Flask(__name__)
        db.init_app(app, engine)
        app.register_blueprint(create_blueprint(SandboxConfig()), url_prefix="/open311/v2")
        http = httpx.Client(transport=httpx.WSGITransport(app=app))
        yield Open311Client(http, "http://sandbox.internal/open311/v2/")
        engine.dispose()


def staff(tmp_path: Path, text: str = ""):  # type: ignore[no-untyped-def]
    path = tmp_path / "city.toml"
    path.write_text(text)
    return load_config(path)


def test_staff_categories_first_then_the_servers_own(client: Open311Client,
                                                     tmp_path: Path) -> None:
    menu = synced_menu(client, staff(tmp_path))
    codes = [c.code for c in menu]
    assert codes[:5] == ["POTHOLE", "GRAFFITI", "STREETLIGHT", "TRASH_MISSED", "OTHER"]
    assert set(codes[5:]) == {"ABANDONED_VEHICLE"}
    extra = {c.code: c for c in menu}["ABANDONED_VEHICLE"]
    assert extra.digit == "" and "car" in extra.keywords["en"]


def test_a_service_only_the_server_lists_is_understood_by_its_words(
        client: Open311Client, tmp_path: Path) -> None:
    menu = synced_menu(client, staff(tmp_path))
    state, actions = start(Started("sms", menu))
    state, actions = step(state, Said("menu"))
    assert "abandoned vehicle" not in [name for _, name in actions[-1].options]  # type: ignore[union-attr]
    state, actions = step(state, Said("there's an abandoned car outside"))
    assert state.category == "ABANDONED_VEHICLE"
    assert [type(a).__name__ for a in actions] == ["ResolveAddress"]  # where is it?


def test_listing_gives_server_services_the_free_digits(client: Open311Client,
                                                       tmp_path: Path) -> None:
    menu = synced_menu(client, staff(tmp_path, '[menu]\nserver_services = "list"\n'))
    assert {c.code: c.digit for c in menu}["ABANDONED_VEHICLE"] == "6"


def test_none_and_hide_leave_services_out(client: Open311Client, tmp_path: Path) -> None:
    menu = synced_menu(client, staff(tmp_path, '[menu]\nserver_services = "none"\n'
                                               'hide = ["TRASH_MISSED"]\n'))
    assert [c.code for c in menu] == ["POTHOLE", "GRAFFITI", "STREETLIGHT", "OTHER"]


def test_required_attributes_become_questions(client: Open311Client, tmp_path: Path) -> None:
    graffiti = {c.code: c for c in synced_menu(client, staff(tmp_path))}["GRAFFITI"]
    [question] = graffiti.questions
    assert question.code == "OFFENSIVE" and question.kind == QuestionKind.CHOICE
    assert question.prompt("es").startswith("¿El grafiti")
    assert [c.key for c in question.choices] == ["YES", "NO"]


def test_a_staff_category_the_server_does_not_offer_is_dropped(
        client: Open311Client, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = staff(tmp_path, '[[categories]]\ncode = "TREE"\ndigit = "1"\n'
                             'names = { en = "fallen tree" }\n'
                             '[[categories]]\ncode = "POTHOLE"\ndigit = "2"\n'
                             'names = { en = "pothole" }\n')
    with caplog.at_level(logging.WARNING):
        menu = synced_menu(client, config, SyncNotes())
    assert "TREE" not in [c.code for c in menu] and menu[0].code == "POTHOLE"
    assert "staff categories TREE are not services of the city's server" in caplog.text


def test_an_unreachable_server_leaves_the_staff_menu(tmp_path: Path) -> None:
    http = httpx.Client(transport=httpx.HTTPTransport(retries=0), timeout=1)
    down = Open311Client(http, "http://127.0.0.1:9/open311/v2/")
    config = staff(tmp_path)
    assert synced_menu(down, config) == config.menu

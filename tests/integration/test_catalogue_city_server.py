"""The menu against a separate city server on loopback whose service list is its own and drifts.

A real server lists its own codes (none of the bundled POTHOLE, GRAFFITI...), adds services
and retires them. Staff are told once which of their codes it lacks and what it offers; the
menu a resident gets always has keypad digits and never a raw placeholder; the list is read
again hourly and on `intake catalogue sync`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from conversation import Ask, Category, Said, Started, start, step
from intake.app import CATALOGUE, create_app
from intake.catalogue import SyncNotes, check_menu_prompts, synced_menu
from intake.cli import main
from intake.config import ConfigError, load_config
from intake.settings import Settings
from open311_client import Open311Client
from tests.city_server import Answer, CityServer, city_server


def service(code: str, name: str, keywords: str = "") -> dict[str, Any]:
    return {"service_code": code, "service_name": name, "metadata": False, "type": "realtime",
            "keywords": keywords, "group": "streets", "description": ""}


CITY_OWN = [service("001", "Pothole in the road"), service("017", "Graffiti removal"),
            service("230", "Street light out")]


class Services:
    """The city's services.json, changed by the test between reads."""

    def __init__(self, city: CityServer, listed: list[dict[str, Any]]) -> None:
        self.listed = listed
        city.route("GET", "services.json", self._answer)

    def _answer(self, a: Answer) -> None:
        a.send(200, json.dumps(self.listed))


@pytest.fixture
def city() -> Iterator[CityServer]:
    with city_server() as server:
        yield server


@pytest.fixture
def open311(city: CityServer) -> Iterator[Open311Client]:
    with httpx.Client() as http:
        yield Open311Client(http, city.endpoint, timeout=5, deadline=5)


def staff(tmp_path: Path, text: str = ""):  # type: ignore[no-untyped-def]
    path = tmp_path / "city.toml"
    path.write_text(text)
    return load_config(path)


def menu_text(menu: tuple[Category, ...], channel: str = "sms", lang: str = "en") -> str:
    """What a resident reads (or hears) when asking for the menu."""
    state, _ = start(Started(channel, menu))
    state, actions = step(state, Said("menu"))
    asks = [a for a in actions if isinstance(a, Ask)]
    return load_config().wording(channel).text(lang, asks[-1])


def test_staff_codes_the_server_lacks_are_told_once_with_its_own_codes(
        city: CityServer, open311: Open311Client, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    Services(city, CITY_OWN)
    notes = SyncNotes()
    with caplog.at_level(logging.WARNING):
        menu = synced_menu(open311, staff(tmp_path), notes)
        synced_menu(open311, staff(tmp_path), notes)  # the hourly re-read: nothing new to say
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert ("staff categories GRAFFITI, OTHER, POTHOLE, STREETLIGHT, TRASH_MISSED are not "
            "services of the city's server") in warnings[0]
    assert "001 (Pothole in the road), 017 (Graffiti removal), 230 (Street light out)" in (
        warnings[0])
    # none of the staff's categories is offered: the server's own get the keypad digits
    assert [(c.digit, c.code) for c in menu] == [("1", "001"), ("2", "017"), ("3", "230")]
    shown = menu_text(menu)
    assert "{" not in shown and "1 pothole in the road;" in shown
    assert "{" not in menu_text(menu, "voice", "es")


def test_digits_even_when_staff_leave_server_services_out(
        city: CityServer, open311: Open311Client, tmp_path: Path) -> None:
    Services(city, CITY_OWN)
    menu = synced_menu(open311, staff(tmp_path, '[menu]\nserver_services = "none"\n'),
                       SyncNotes())
    assert [c.digit for c in menu] == ["1", "2", "3"]
    assert "{" not in menu_text(menu)


def test_a_retired_service_goes_and_a_new_one_comes_per_the_menu_rules(
        city: CityServer, open311: Open311Client, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    services = Services(city, [service("POTHOLE", "Pothole"), service("GRAFFITI", "Graffiti"),
                               service("OTHER", "Other")])
    config = staff(tmp_path, '[menu]\nserver_services = "list"\n')
    notes = SyncNotes()
    before = synced_menu(open311, config, notes)
    assert [c.code for c in before] == ["POTHOLE", "GRAFFITI", "OTHER"]
    services.listed = [service("POTHOLE", "Pothole"), service("OTHER", "Other"),
                       service("TREE", "Fallen tree", "tree, branch")]
    with caplog.at_level(logging.INFO):
        after = synced_menu(open311, config, notes)
    assert {c.code: c.digit for c in after} == {"POTHOLE": "1", "OTHER": "5", "TREE": "2"}
    assert "2 fallen tree;" in menu_text(after) and "graffiti" not in menu_text(after)
    state, _ = start(Started("sms", after))
    state, _ = step(state, Said("a big branch fell on the sidewalk"))
    assert state.category == "TREE"
    assert "the city's server retired GRAFFITI: no longer offered" in caplog.text
    assert "the city's server added TREE" in caplog.text


def test_a_menu_prompt_left_with_a_placeholder_is_refused_when_loaded(tmp_path: Path) -> None:
    config = staff(tmp_path)
    keyless = tuple(Category(c.code, "", c.names, c.keywords) for c in config.menu)
    with pytest.raises(ConfigError, match=r"category_menu \(en, sms\): would show \{options\}"):
        check_menu_prompts(config, keyless)
    check_menu_prompts(config, config.menu)


def test_the_running_app_reads_the_list_again_when_asked(
        city: CityServer, tmp_path: Path) -> None:
    services = Services(city, [service("POTHOLE", "Pothole"), service("GRAFFITI", "Graffiti")])
    env = {"INTAKE_VAR_DIR": str(tmp_path), "TWILIO_AUTH_TOKEN": "t",
           "OPEN311_ENDPOINT": city.endpoint}
    app = create_app(Settings.from_env(env))
    intake = app.extensions["intake"]
    assert [c.code for c in intake.menu] == ["POTHOLE", "GRAFFITI"]
    services.listed = [service("POTHOLE", "Pothole"), service("TREE", "Fallen tree")]
    sync = app.extensions[CATALOGUE]
    sync.run_once()
    assert [c.code for c in intake.menu] == ["POTHOLE", "GRAFFITI"]  # not yet an hour
    result = CliRunner().invoke(main, ["catalogue", "sync"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "TREE" in result.output and "GRAFFITI" in result.output  # the list, the staff's
    assert "Staff categories the server does not list (left out of the menu): " in result.output
    sync.run_once()  # the request file the command touched
    assert [c.code for c in intake.menu] == ["POTHOLE", "TREE"]


def test_the_sync_interval_is_a_setting(tmp_path: Path) -> None:
    assert Settings.from_env({"INTAKE_VAR_DIR": str(tmp_path)}).catalogue_sync_seconds == 3600
    assert Settings.from_env({"INTAKE_VAR_DIR": str(tmp_path),
                              "CATALOGUE_SYNC_SECONDS": "600"}).catalogue_sync_seconds == 600


def test_a_trickling_service_list_does_not_keep_the_app_from_starting(
        city: CityServer, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """One byte a second on services.json: the app starts (staff menu) after the deadline."""
    from tests.city_server import trickle

    city.route("GET", "services.json", trickle(json.dumps(CITY_OWN).encode()))
    env = {"INTAKE_VAR_DIR": str(tmp_path), "TWILIO_AUTH_TOKEN": "t",
           "OPEN311_ENDPOINT": city.endpoint}
    with caplog.at_level(logging.WARNING):
        app = create_app(Settings.from_env(env))
    assert app.extensions["intake"].menu == load_config().menu
    assert "could not read the service list" in caplog.text


def test_a_required_question_with_nothing_to_choose_is_asked_without_a_list(
        city: CityServer, open311: Open311Client, tmp_path: Path) -> None:
    """A server's number (or text) attribute: the question alone, never "{options}"."""
    from tests.city_server import json_answer

    pothole = service("001", "Pothole in the road")
    pothole["metadata"] = True
    Services(city, [pothole])
    city.route("GET", "services/001.json", json_answer(200, {"service_code": "001", "attributes": [
        {"variable": True, "code": "COUNT", "datatype": "number", "required": True,
         "datatype_description": "", "order": 1, "description": "How many potholes are there?",
         "values": []}]}))
    config = staff(tmp_path)
    menu = synced_menu(open311, config, SyncNotes())
    [question] = menu[0].questions
    check_menu_prompts(config, menu)  # what start-up does: nothing left unfilled
    ask = Ask("attribute", "number", {"question": question.prompt("en")})
    for channel in ("sms", "voice"):
        assert config.wording(channel).text("en", ask) == "How many potholes are there?"

"""Every recorded conversation in fixtures/, replayed over HTTP with signatures, on both databases.

Each ends by looking the request up in the Open311 sandbox (`GET /open311/v2/requests.json`):
filed exactly once where the fixture says so (service, place, words, attribute answers),
nothing filed where it says null.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from intake.replay import load_fixture, replay

from .conftest import ROOT, Server

FIXTURES = sorted((ROOT / "fixtures").glob("*.json"))
REQUIRED = {"voice_pothole_dtmf", "voice_graffiti_speech", "sms_english", "sms_spanish",
            "voice_address_fails_three_times", "forged_signature", "duplicate_webhook",
            "sms_one_shot_english", "sms_one_shot_spanish", "voice_spanish_number_words"}


def test_the_required_conversations_are_recorded() -> None:
    assert REQUIRED <= {f.stem for f in FIXTURES}


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_recorded_conversation(server: Server, http: httpx.Client, fixture: Path) -> None:
    result = replay(load_fixture(fixture), server.sender(http), wait=20)
    assert result.ok, "\n".join(result.failures + ["", *result.log])


def test_replaying_twice_files_twice_not_zero_times(server: Server, http: httpx.Client) -> None:
    """Fresh SIDs per replay: a second run is a new conversation, not a repeated webhook."""
    fixture = load_fixture(ROOT / "fixtures" / "sms_english.json")
    first = replay(fixture, server.sender(http))
    second = replay(fixture, server.sender(http))
    assert first.ok and second.ok, first.failures + second.failures
    assert first.reference != second.reference


def test_an_attribute_answer_that_did_not_reach_the_city_fails_the_replay(
    server: Server, http: httpx.Client
) -> None:
    """The replay reads the request back with its attribute answers and compares them."""
    fixture = load_fixture(ROOT / "fixtures" / "voice_graffiti_speech.json")
    assert fixture["filed"]["attributes"] == {"OFFENSIVE": "NO"}
    fixture["filed"]["attributes"] = {"OFFENSIVE": "YES"}
    result = replay(fixture, server.sender(http), wait=20)
    assert result.failures == [
        "filed with attributes {'OFFENSIVE': 'NO'}, expected {'OFFENSIVE': 'YES'}"]

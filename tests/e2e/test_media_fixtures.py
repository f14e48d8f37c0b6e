"""Recorded MMS webhooks (fixtures/media/) replayed end to end against `intake serve`.

Their Twilio media URLs are pointed at a local server that wants the account's SID and auth
token (real small images, one with GPS EXIF); the published photo, fetched back over HTTP
from the request's media_url, carries no EXIF.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from intake.replay import load_fixture, replay
from tests.databases import BACKENDS, database_url
from tests.media_server import media_server

from .conftest import ROOT, TOKEN, Server, start_server

SID = "AC3f8a2c1e9b7d4a6f0e5c2b8d1a7f9e3c"  # the fixtures' AccountSid
FIXTURES = sorted((ROOT / "fixtures" / "media").glob("*.json"))


@pytest.fixture(scope="module")
def media() -> Iterator[str]:
    with media_server(SID, TOKEN) as base:
        yield base


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp(f"media-{request.param}")
    with database_url(request.param, tmp) as db_url:
        # texts (if any) go to a closed loopback port, never to Twilio
        proc, srv = start_server(tmp, db_url, TWILIO_ACCOUNT_SID=SID,
                                 TWILIO_API_URL="http://127.0.0.1:9")
        try:
            yield srv
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def pointed_at(fixture: dict, base: str) -> dict:
    for step in fixture["steps"]:
        form = step.get("form", {})
        for key, value in list(form.items()):
            if key.startswith("MediaUrl"):
                form[key] = value.replace("https://api.twilio.com", base)
    return fixture


def test_there_are_media_fixtures() -> None:
    assert FIXTURES


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_recorded_mms(server: Server, http: httpx.Client, media: str, fixture: Path) -> None:
    result = replay(pointed_at(load_fixture(fixture), media), server.sender(http), wait=20)
    assert result.ok, "\n".join(result.failures + ["", *result.log])
    assert result.filed is not None
    url = result.filed["media_url"]
    assert url and url.startswith(server.url + "/media/")
    photo = http.get(url)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(photo.content)) as image:
        assert dict(image.getexif()) == {}  # no GPS, no camera
    assert "More photos: " + server.url + "/media/" in result.filed["description"]

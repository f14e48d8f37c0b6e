"""The production set-up: the intake files to a separate city server over HTTP.

The "city" is another process running our sandbox with an API key, the way a city's
GeoReport v2 test server would; the intake reaches it by OPEN311_ENDPOINT or by discovery.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from intake.lifecycle import ReportState
from intake.replay import load_fixture, replay

from .conftest import ROOT, Server, start_server

KEY = "city-api-key-for-tests"


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("city")
    proc, server = start_server(tmp, f"sqlite:///{tmp / 'city.sqlite3'}", OPEN311_API_KEY=KEY)
    yield server
    proc.terminate()
    proc.wait(timeout=20)


def intake_server(tmp: Path, **env: str) -> tuple[object, Server]:
    return start_server(tmp, f"sqlite:///{tmp / 'intake.sqlite3'}", **env)


@pytest.mark.parametrize("how", ["endpoint", "discovery"])
def test_reports_are_filed_on_the_city_server(city: Server, tmp_path: Path, how: str) -> None:
    env = {"OPEN311_API_KEY": KEY}
    if how == "endpoint":
        env["OPEN311_ENDPOINT"] = city.url + "/open311/v2/"
    else:
        env.update(OPEN311_DISCOVERY=city.url + "/open311/v2/discovery.json",
                   OPEN311_ENDPOINT_TYPE="test")
    proc, intake = intake_server(tmp_path, **env)
    try:
        with httpx.Client(timeout=20) as http:
            result = replay(load_fixture(ROOT / "fixtures" / "voice_graffiti_speech.json"),
                            intake.sender(http), open311_url=city.url + "/open311/v2/")
        assert result.ok, "\n".join(result.failures + result.log)
    finally:
        proc.terminate()  # type: ignore[attr-defined]
        proc.wait(timeout=20)  # type: ignore[attr-defined]


def test_a_wrong_api_key_keeps_the_report_for_staff(city: Server, tmp_path: Path) -> None:
    proc, intake = intake_server(tmp_path, OPEN311_ENDPOINT=city.url + "/open311/v2/",
                                 OPEN311_API_KEY="not-the-key")
    try:
        with httpx.Client(timeout=20) as http:
            result = replay(load_fixture(ROOT / "fixtures" / "sms_english.json"),
                            intake.sender(http), open311_url=city.url + "/open311/v2/", wait=2)
        assert result.reference is not None  # the resident still has a reference
        assert any("found 0" in f for f in result.failures)  # the city refused it
        status = error = None
        deadline = time.monotonic() + 20
        while status != ReportState.FAILED and time.monotonic() < deadline:
            with sqlite3.connect(tmp_path / "intake.sqlite3") as conn:
                status, error = conn.execute("SELECT status, last_error FROM reports WHERE "
                                             "reference = ?", (result.reference,)).fetchone()
            time.sleep(0.2)
        assert status == ReportState.FAILED and "403" in error
    finally:
        proc.terminate()  # type: ignore[attr-defined]
        proc.wait(timeout=20)  # type: ignore[attr-defined]


def test_an_unusable_discovery_document_is_one_clear_line(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "INTAKE_VAR_DIR": str(tmp_path), "TWILIO_AUTH_TOKEN": "t",
           "OPEN311_DISCOVERY": "http://127.0.0.1:9/discovery.json"}
    done = subprocess.run([sys.executable, "-m", "intake.cli", "serve", "--port", "1"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "OPEN311_DISCOVERY http://127.0.0.1:9/discovery.json" in done.stderr


def test_with_a_city_endpoint_there_is_no_open_sandbox(city: Server, tmp_path: Path) -> None:
    """Production beside a city's server exposes no writable /open311/v2/, nor its tables."""
    proc, intake = intake_server(tmp_path, OPEN311_ENDPOINT=city.url + "/open311/v2/",
                                 OPEN311_API_KEY=KEY)
    try:
        for path in ("services.json", "requests.json", "discovery.json"):
            assert httpx.get(f"{intake.url}/open311/v2/{path}").status_code == 404
        posted = httpx.post(f"{intake.url}/open311/v2/requests.json",
                            data={"service_code": "POTHOLE", "lat": "41.88", "long": "-87.63"})
        assert posted.status_code == 404
        assert "built-in sandbox not mounted: /open311/v2/ answers 404" in intake.log.read_text()
        with sqlite3.connect(tmp_path / "intake.sqlite3") as conn:
            tables = {name for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "reports" in tables and not {t for t in tables if t.startswith("sandbox_")}
    finally:
        proc.terminate()  # type: ignore[attr-defined]
        proc.wait(timeout=20)  # type: ignore[attr-defined]


def test_sandbox_on_mounts_it_beside_a_city_endpoint(city: Server, tmp_path: Path) -> None:
    proc, intake = intake_server(tmp_path, OPEN311_ENDPOINT=city.url + "/open311/v2/",
                                 OPEN311_API_KEY=KEY, SANDBOX="on")
    try:
        assert httpx.get(f"{intake.url}/open311/v2/services.json").status_code == 200
        assert "because SANDBOX=on" in intake.log.read_text()
    finally:
        proc.terminate()  # type: ignore[attr-defined]
        proc.wait(timeout=20)  # type: ignore[attr-defined]


def test_without_an_endpoint_the_sandbox_answers_and_says_so(city: Server) -> None:
    assert httpx.get(f"{city.url}/open311/v2/services.json").status_code == 200
    assert "built-in sandbox mounted at" in city.log.read_text()

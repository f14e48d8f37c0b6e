"""The real `twilio` REST client against Prism serving Twilio's own OpenAPI description.

Prism and `@twilio/cli-core` (which carries `twilio_api_v2010.json`) are installed from the
npm registry into `.cache/prism` the first time (gitignored), then Prism is started on a free
port for the session. Without npm the tests skip, except with CI=true, where they fail.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import sms
from intake import db
from intake.lifecycle import TextState
from intake.migrations import upgrade
from intake.storage import OutboundTextRow
from intake.texts import TextKind, queue_text, send_due
from tests.databases import BACKENDS, database_url
from tests.needs import unavailable

ROOT = Path(__file__).resolve().parents[2]
PRISM_DIR = ROOT / ".cache" / "prism"
PACKAGES = ["@stoplight/prism-cli@5", "@twilio/cli-core@8"]
SPEC = PRISM_DIR / "node_modules/@twilio/cli-core/src/services/twilio-api/twilio_api_v2010.json"
PRISM = PRISM_DIR / "node_modules/.bin/prism"
ACCOUNT = "AC" + "0123456789abcdef" * 2
RESIDENT = "+15555550123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def prism_url() -> Iterator[str]:
    if not (PRISM.exists() and SPEC.exists()):
        npm = shutil.which("npm")
        if npm is None:
            unavailable("npm is not installed, so Prism cannot be")
        done = subprocess.run([npm, "install", "--prefix", str(PRISM_DIR), "--no-audit",
                               "--no-fund", *PACKAGES], capture_output=True, text=True,
                              timeout=600)
        if done.returncode != 0 or not SPEC.exists():
            unavailable(f"npm install of {PACKAGES} failed: {done.stderr[-500:]}")
    port = free_port()
    proc = subprocess.Popen([str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(SPEC)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(url + "/2010-04-01/Accounts.json", timeout=2)
                break
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("Prism did not start") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(params=BACKENDS)
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with database_url(request.param, tmp_path) as url:
        engine = db.make_engine(url)
        upgrade(engine)
        yield sessionmaker(engine, expire_on_commit=False)
        engine.dispose()


def sender(prism_url: str) -> sms.TwilioSender:
    return sms.TwilioSender(ACCOUNT, "not-a-secret", from_number="+15555550311",
                            api_base=prism_url)


def texts(sessions: sessionmaker[Session]) -> list[OutboundTextRow]:
    with sessions() as session:
        return list(session.scalars(select(OutboundTextRow).order_by(OutboundTextRow.id)))


def test_a_text_is_accepted_and_recorded_with_its_sid(
    prism_url: str, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        queue_text(session, RESIDENT, "+15555550311", "Demo City 311: report 1234567 is "
                   "closed. The pothole was filled.", "en", TextKind.STATUS)
    assert send_due(sessions, sender(prism_url), "http://localhost:5000") == 1
    [text] = texts(sessions)
    assert text.status == TextState.QUEUED
    assert text.message_sid and text.message_sid.startswith("SM")
    assert text.attempts == 1 and text.segments == 1 and text.encoding == "GSM-7"


def test_a_malformed_send_fails_once_and_is_not_retried(
    prism_url: str, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        queue_text(session, RESIDENT, "+15555550311", "Report 1234567 is open.", "en",
                   TextKind.STATUS)
    # a misconfigured PUBLIC_BASE_URL makes a status_callback that is not a URL
    assert send_due(sessions, sender(prism_url), "not a url") == 0
    [text] = texts(sessions)
    assert text.status == TextState.FAILED and text.attempts == 1
    assert text.error and "422" in text.error
    assert send_due(sessions, sender(prism_url), "http://localhost:5000",
                    now=db.utcnow() + timedelta(hours=1)) == 0
    assert texts(sessions)[0].attempts == 1


def test_sender_reports_the_http_refusal(prism_url: str) -> None:
    sent = sender(prism_url).send(sms.OutboundText(RESIDENT, "hi", None, "no url here"))
    assert not sent.ok and sent.http_status == 422 and not sent.retry

"""Already reported, against the built-in sandbox seeded with nearby open and closed requests.

A real app (SQLite and PostgreSQL) answers signed texts; the sandbox is the city's server,
asked over its own HTTP interface. Closed requests and requests of another kind or farther
than the radius are never offered; a failing city server never blocks a report.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from flask import Flask
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from intake import db
from intake.app import create_app
from intake.db import utcnow
from intake.lifecycle import ReportState
from intake.replay import load_fixture, replay
from intake.sandbox.models import SandboxRequest
from intake.settings import Settings
from intake.storage import Report
from intake.webhook_client import WebhookSender
from tests.databases import BACKENDS, database_url
from tests.geocode_helpers import demo_city

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "dup-token"
CITY = "+15555550311"
PHONE = "+15555550321"


@pytest.fixture(scope="module")
def home() -> tuple[float, float]:
    best = demo_city().resolve("123 Main St").best
    assert best is not None
    return best.lat, best.lon


def make_app(tmp_path: Path, url: str, **env: str) -> Flask:
    settings = Settings.from_env({"INTAKE_VAR_DIR": str(tmp_path), "DATABASE_URL": url,
                                  "TWILIO_AUTH_TOKEN": TOKEN, "DUPLICATE_CHECK": "on",
                                  "SANDBOX_STEP_SECONDS": "10000000", **env})
    app = create_app(settings)
    MADE.append(app)
    return app


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture(autouse=True)
def _close_databases() -> Iterator[None]:
    yield
    for app in MADE:
        db.sessions(app).kw["bind"].dispose()
    MADE.clear()


MADE: list[Flask] = []


def seed(app: Flask, home: tuple[float, float]) -> None:
    """Requests at the sandbox: the open one to offer and others that must not be."""
    lat, lon = home
    now = utcnow()
    rows = [  # (id, service, status, metres north, days ago)
        ("900001", "POTHOLE", "open", 30, 2),
        ("900002", "POTHOLE", "closed", 5, 1),  # nearer, but closed
        ("900003", "POTHOLE", "open", 400, 1),  # too far
        ("900004", "GRAFFITI", "open", 3, 1),  # another kind of problem
    ]
    with db.sessions(app).begin() as session:
        for request_id, code, status, metres, days in rows:
            when = now - timedelta(days=days)
            session.add(SandboxRequest(
                service_request_id=request_id, service_code=code, service_name=code.lower(),
                status=status, stage=9 if status == "closed" else 0, requested_datetime=when,
                updated_datetime=when, lat=lat + metres / 111_000, long=lon,
                address="near 123 Main St"))


def texter(app: Flask):  # noqa: ANN201
    sids = iter(range(1000))

    def text(body: str) -> str:
        form = {"From": PHONE, "To": CITY, "Body": body, "MessageSid": f"SM{next(sids):032d}"}
        url = "http://localhost/sms"
        signature = RequestValidator(TOKEN).compute_signature(url, form)
        answer = app.test_client().post("/sms", data=form,
                                        headers={"X-Twilio-Signature": signature})
        assert answer.status_code == 200
        return answer.get_data(as_text=True)

    return text


def reports(app: Flask) -> list[Report]:
    with db.sessions(app)() as session:
        return list(session.scalars(select(Report).order_by(Report.id)))


def to_the_offer(app: Flask) -> tuple[str, object]:
    text = texter(app)
    text("pothole")
    text("123 Main St")
    text("skip")
    return text("yes"), text


def test_the_open_request_nearby_is_offered_and_followed(tmp_path: Path, db_url: str,
                                                         home: tuple[float, float]) -> None:
    app = make_app(tmp_path, db_url)
    seed(app, home)
    offer, text = to_the_offer(app)
    assert "This looks like request 900001, reported 2 days ago." in offer
    assert "Reply 1 to get its updates instead, 2 to file a new report." in offer
    for other in ("900002", "900003", "900004"):
        assert other not in offer
    answer = text("1")  # type: ignore[operator]
    assert "we will text you when request 900001 changes" in answer
    [followed] = reports(app)
    assert followed.follows and followed.wants_texts and followed.status == ReportState.DELIVERED
    assert followed.service_request_id == "900001" and followed.phone == PHONE
    assert followed.reference in answer


def test_two_files_a_new_report(tmp_path: Path, db_url: str, home: tuple[float, float]) -> None:
    app = make_app(tmp_path, db_url)
    seed(app, home)
    offer, text = to_the_offer(app)
    assert "900001" in offer
    answer = text("2")  # type: ignore[operator]
    assert "Your report is filed" in answer
    [filed] = reports(app)
    assert not filed.follows and filed.status == ReportState.PENDING


def test_a_failing_city_server_never_blocks_the_report(tmp_path: Path, db_url: str,
                                                       home: tuple[float, float]) -> None:
    app = make_app(tmp_path, db_url, SANDBOX_FAULTS="fail")
    seed(app, home)
    answer, _ = to_the_offer(app)
    assert "Your report is filed" in answer and "looks like" not in answer
    assert len(reports(app)) == 1


def test_our_own_delivered_report_is_offered_too(tmp_path: Path, db_url: str,
                                                 home: tuple[float, float]) -> None:
    """A server that lists nothing (here: requests of another kind only) still has ours."""
    app = make_app(tmp_path, db_url)
    with db.sessions(app).begin() as session:
        session.add(Report(reference="1111111", channel="sms", phone="+15555550999",
                           service_code="POTHOLE", lat=home[0] + 0.0001, lon=home[1],
                           address="123 Main St", status=ReportState.DELIVERED,
                           service_request_id="777777", created_at=utcnow()))
    offer, _ = to_the_offer(app)
    assert "This looks like request 777777, reported today." in offer


def test_by_voice_the_same_offer_by_keypad(tmp_path: Path, db_url: str,
                                           home: tuple[float, float]) -> None:
    """The recorded keypad call, up to its read-back; then the offer, and 1 follows."""
    app = make_app(tmp_path, db_url)
    seed(app, home)
    call = load_fixture(ROOT / "fixtures" / "voice_pothole_dtmf.json")
    steps = call["steps"][:4]
    confirm, follow = dict(call["steps"][4]), dict(call["steps"][5])
    confirm.pop("capture", None)
    confirm["expect"] = {"says": ["request 900001", "2 days ago", "Press 1", "or 2"],
                         "gather": "dtmf speech"}
    follow["expect"] = {"says": ["We will text you when request 900001 changes"],
                        "hangup": True}
    call["steps"] = [*steps, confirm, follow]
    call.pop("filed")
    with httpx.Client(transport=httpx.WSGITransport(app=app)) as http:
        result = replay(call, WebhookSender(http, "http://localhost", TOKEN))
    assert result.ok, "\n".join(result.failures + ["", *result.log])
    [followed] = reports(app)
    assert followed.follows and followed.channel == "voice" and followed.wants_texts

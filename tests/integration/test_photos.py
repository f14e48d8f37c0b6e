"""Photos by MMS: fetched with the account's credentials from a local server, checked,
stripped of metadata, served at an unguessable URL, filed as the request's media_url."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from intake import db
from intake.app import OUTBOX, create_app
from intake.media import MediaStore
from intake.outbox import deliver_due
from intake.settings import Settings
from intake.storage import Report
from tests.databases import BACKENDS, database_url
from tests.media_server import SID, TOKEN, media_server

CITY, PHONE = "+15555550311", "+15555550331"


@pytest.fixture(scope="module")
def media() -> Iterator[str]:
    with media_server() as base:
        yield base


def store(tmp_path: Path, auth: tuple[str, str] | None = (SID, TOKEN)) -> MediaStore:
    return MediaStore(tmp_path, lambda: "https://311.example", "secret", auth)


def test_a_photo_is_fetched_with_credentials_and_stripped(tmp_path: Path, media: str) -> None:
    [photo] = store(tmp_path).fetch("MM1", [(f"{media}/Media/gps.jpg", "image/jpeg")])
    assert photo.url.startswith("https://311.example/media/") and photo.url.endswith(".jpg")
    assert photo.lat == pytest.approx(41.254247, abs=1e-5)
    assert photo.lon == pytest.approx(-98.749675, abs=1e-5)
    saved = store(tmp_path).path(photo.url.rsplit("/", 1)[1])
    assert saved is not None
    with Image.open(saved) as image:
        assert dict(image.getexif()) == {}  # no GPS, no camera name
        assert image.size == (64, 48)


@pytest.mark.parametrize(("name", "declared", "refused"), [
    ("doc.pdf", "application/pdf", "type"),
    ("huge.jpg", "image/jpeg", "size"),
    ("fake.jpg", "image/jpeg", "unreadable"),
    ("plain.png", "image/jpeg", "unreadable"),  # not what it says it is
    ("missing.jpg", "image/jpeg", "unreachable"),
])
def test_refused_media(tmp_path: Path, media: str, name: str, declared: str,
                       refused: str) -> None:
    [photo] = store(tmp_path).fetch("MM2", [(f"{media}/Media/{name}", declared)])
    assert photo.refused == refused and not photo.url
    assert list(tmp_path.iterdir()) == []


def test_without_the_credentials_nothing_is_fetched(tmp_path: Path, media: str) -> None:
    [photo] = store(tmp_path, None).fetch("MM3", [(f"{media}/Media/gps.jpg", "image/jpeg")])
    assert photo.refused == "unreachable"


def test_a_repeated_message_stores_once_and_names_are_not_guessable(tmp_path: Path,
                                                                    media: str) -> None:
    items = [(f"{media}/Media/plain.png", "image/png")] * 4
    first = store(tmp_path).fetch("MM4", items)
    again = store(tmp_path).fetch("MM4", items)
    assert [p.url for p in first] == [p.url for p in again]
    assert [p.refused for p in first] == ["", "", "", "too_many"]
    assert len(list(tmp_path.iterdir())) == 3
    assert store(tmp_path).path("../secret.jpg") is None
    assert store(tmp_path).path("0" * 32 + ".jpg") is None


# ---- through the app: an MMS conversation ----------------------------------------------------


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    with database_url(request.param, tmp_path) as url:
        settings = Settings.from_env({
            "INTAKE_VAR_DIR": str(tmp_path), "DATABASE_URL": url, "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_ACCOUNT_SID": SID, "PUBLIC_BASE_URL": "https://311.example",
            "TWILIO_API_URL": "http://127.0.0.1:9"})  # texts are never sent anywhere real
        application = create_app(settings)
        yield application
        db.sessions(application).kw["bind"].dispose()


def texter(app: Flask):  # noqa: ANN201
    sids = iter(range(1000))

    def text(body: str, *media: tuple[str, str]) -> str:
        form = {"From": PHONE, "To": CITY, "Body": body, "MessageSid": f"MM{next(sids):032d}",
                "NumMedia": str(len(media))}
        for i, (url, kind) in enumerate(media):
            form[f"MediaUrl{i}"], form[f"MediaContentType{i}"] = url, kind
        signature = RequestValidator(TOKEN).compute_signature("https://311.example/sms", form)
        answer = app.test_client().post("/sms", data=form,
                                        headers={"X-Twilio-Signature": signature})
        assert answer.status_code == 200
        return answer.get_data(as_text=True)

    return text


def test_a_photo_alone_starts_a_report_its_gps_is_offered_and_it_is_filed(
        app: Flask, media: str) -> None:
    text = texter(app)
    answer = text("", (f"{media}/Media/gps.jpg", "image/jpeg"))
    assert "Photo received" in answer
    assert "Your photo was taken near 123 Main St. Is that where the problem is?" in answer
    assert "What would you like to report" in text("yes")
    assert "short description" in text("pothole")
    answer = text("Deep one", (f"{media}/Media/doc.pdf", "application/pdf"))
    assert "I can only take photos" in answer and "Your report goes on" in answer
    assert "Pothole at 123 Main St" in answer
    assert "Reference number" in text("yes")
    with db.sessions(app)() as session:
        report = session.scalars(select(Report)).one()
    assert report.media and len(report.media) == 1
    url = report.media[0]
    served = app.test_client().get(url.removeprefix("https://311.example"))
    body = served.data
    served.close()
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(body)) as image:
        assert dict(image.getexif()) == {}
    assert app.test_client().get("/media/" + "a" * 32 + ".jpg").status_code == 404
    worker = app.extensions[OUTBOX]
    deliver_due(worker.sessions, worker.client)
    http = httpx.Client(transport=httpx.WSGITransport(app=app))
    listed = http.get("http://localhost/open311/v2/requests.json",
                      params={"service_code": "POTHOLE"}).json()
    assert [r["media_url"] for r in listed] == [url]


def test_a_photo_right_after_the_filing_is_added_to_the_report(app: Flask, media: str) -> None:
    text = texter(app)
    for body in ("pothole", "123 Main St", "skip"):
        text(body)
    assert "Reference number" in text("yes")
    answer = text("", (f"{media}/Media/plain.png", "image/png"))
    assert "Added to your report" in answer
    with db.sessions(app)() as session:
        report = session.scalars(select(Report)).one()
    assert report.media and len(report.media) == 1 and report.media[0].endswith(".png")

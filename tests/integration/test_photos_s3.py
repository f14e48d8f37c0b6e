"""Photos in an S3-compatible bucket (MEDIA_STORE=s3): moto's S3 server over real HTTP,
the same local Twilio media server and MMS conversation as test_photos.py."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from click.testing import CliRunner
from flask import Flask
from PIL import Image
from sqlalchemy import select

from intake import db
from intake.app import OUTBOX, create_app
from intake.cli import main
from intake.media_s3 import S3MediaStore
from intake.outbox import deliver_due
from intake.settings import Settings
from intake.storage import Report
from tests.databases import BACKENDS, database_url
from tests.integration.test_photos import texter
from tests.media_server import SID, TOKEN, media_server

moto_server = pytest.importorskip("moto.server")
BUCKETS = itertools.count()


@pytest.fixture(scope="module")
def media() -> Iterator[str]:
    with media_server() as base:
        yield base


@pytest.fixture(scope="module")
def s3() -> Iterator[str]:
    """moto's standalone S3 server on a free loopback port: its URL."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new bucket; credentials only in the environment, as in production."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    name = f"photos-{next(BUCKETS)}"
    boto3.client("s3", endpoint_url=s3).create_bucket(Bucket=name)
    return name


def stored(s3: str, bucket: str) -> dict[str, tuple[str, bytes]]:
    """Every object in the bucket: name -> (Content-Type, body)."""
    client = boto3.client("s3", endpoint_url=s3)
    out = {}
    for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
        got = client.get_object(Bucket=bucket, Key=item["Key"])
        out[item["Key"]] = (got["ContentType"], got["Body"].read())
    return out


def no_exif(body: bytes) -> bool:
    with Image.open(io.BytesIO(body)) as image:
        return dict(image.getexif()) == {}


@pytest.mark.parametrize("public", [False, True])
def test_a_photo_goes_to_the_bucket_stripped_and_its_url_fetches_it(
        s3: str, bucket: str, media: str, public: bool) -> None:
    if public:  # as a city would: anyone may read the bucket's objects, nobody list them
        boto3.client("s3", endpoint_url=s3).put_bucket_policy(Bucket=bucket, Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    store = S3MediaStore(bucket, "secret", (SID, TOKEN), endpoint_url=s3,
                         public_url=f"{s3}/{bucket}" if public else None)
    [photo] = store.fetch("MM1", [(f"{media}/Media/gps.jpg", "image/jpeg")])
    assert photo.lat == pytest.approx(41.254247, abs=1e-5)  # offered, then dropped
    [(name, (kind, body))] = stored(s3, bucket).items()
    assert kind == "image/jpeg" and name.endswith(".jpg") and len(name) == 36
    assert no_exif(body)
    if public:
        assert photo.url == f"{s3}/{bucket}/{name}"
    else:
        assert photo.url.startswith(f"{s3}/{bucket}/{name}?") and "Signature" in photo.url
        assert "X-Amz-Expires=604800" in photo.url  # SigV4, a week
    served = httpx.get(photo.url)
    assert served.status_code == 200 and served.content == body
    assert served.headers["content-type"] == "image/jpeg"
    again = store.fetch("MM1", [(f"{media}/Media/gps.jpg", "image/jpeg")])
    assert again[0].url.split("?")[0] == photo.url.split("?")[0]
    assert len(stored(s3, bucket)) == 1  # a repeated webhook stores nothing twice


def test_a_png_keeps_its_type(s3: str, bucket: str, media: str) -> None:
    store = S3MediaStore(bucket, "secret", (SID, TOKEN), endpoint_url=s3)
    [photo] = store.fetch("MM2", [(f"{media}/Media/plain.png", "image/png")])
    [(kind, _)] = stored(s3, bucket).values()
    assert kind == "image/png" and photo.url.split("?")[0].endswith(".png")


def test_a_missing_bucket_or_no_s3_server_refuses_the_photo_without_an_error(
        s3: str, bucket: str, media: str) -> None:
    for store in (S3MediaStore("no-such-bucket", "secret", (SID, TOKEN), endpoint_url=s3),
                  S3MediaStore(bucket, "secret", (SID, TOKEN),
                               endpoint_url="http://127.0.0.1:9")):
        [photo] = store.fetch("MM3", [(f"{media}/Media/gps.jpg", "image/jpeg")])
        assert photo.refused == "unreachable" and not photo.url
    assert stored(s3, bucket) == {}


# ---- through the app: the MMS conversation of test_photos.py with MEDIA_STORE=s3 -------------


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path, s3: str, bucket: str) -> Iterator[Flask]:
    with database_url(request.param, tmp_path) as url:
        settings = Settings.from_env({
            "INTAKE_VAR_DIR": str(tmp_path), "DATABASE_URL": url, "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_ACCOUNT_SID": SID, "PUBLIC_BASE_URL": "https://311.example",
            "TWILIO_API_URL": "http://127.0.0.1:9",
            "MEDIA_STORE": "s3", "MEDIA_S3_BUCKET": bucket, "MEDIA_S3_ENDPOINT_URL": s3})
        application = create_app(settings)
        yield application
        db.sessions(application).kw["bind"].dispose()


def test_a_photo_conversation_files_the_bucket_url_as_media_url(
        app: Flask, media: str, s3: str, bucket: str, tmp_path: Path) -> None:
    text = texter(app)
    answer = text("", (f"{media}/Media/gps.jpg", "image/jpeg"))
    assert "Your photo was taken near 123 Main St. Is that where the problem is?" in answer
    assert "What would you like to report" in text("yes")
    assert "short description" in text("pothole")
    assert "Pothole at 123 Main St" in text("Deep one")
    assert "Reference number" in text("yes")
    with db.sessions(app)() as session:
        report = session.scalars(select(Report)).one()
    assert report.media and len(report.media) == 1
    url = report.media[0]
    [(name, (kind, body))] = stored(s3, bucket).items()
    assert kind == "image/jpeg" and no_exif(body)
    assert url.startswith(f"{s3}/{bucket}/{name}?")
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").iterdir())
    worker = app.extensions[OUTBOX]
    deliver_due(worker.sessions, worker.client)
    http = httpx.Client(transport=httpx.WSGITransport(app=app))
    listed = http.get("http://localhost/open311/v2/requests.json",
                      params={"service_code": "POTHOLE"}).json()
    assert [r["media_url"] for r in listed] == [url]
    served = httpx.get(listed[0]["media_url"])
    assert served.status_code == 200 and served.content == body
    assert served.headers["content-type"] == "image/jpeg"


def test_s3_without_a_bucket_is_one_clear_line_at_start_up(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve"], env={
        "INTAKE_VAR_DIR": str(tmp_path), "MEDIA_STORE": "s3", "MEDIA_S3_BUCKET": ""})
    assert result.exit_code == 1
    assert "MEDIA_STORE=s3 needs MEDIA_S3_BUCKET" in result.output
    assert "Traceback" not in result.output

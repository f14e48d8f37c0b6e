"""The client against our own sandbox (in process, over ``httpx.WSGITransport``).

A contract test between two packages: whatever the sandbox serves, in either format and in
each fault mode, the client reads it into the same models and maps its errors to the same
classes. SQLite in a temporary directory; a fake clock so the token delay passes at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("flask")

from flask import Flask  # noqa: E402

from intake import db  # noqa: E402
from intake.sandbox import SANDBOX_TABLES, SandboxConfig, create_blueprint  # noqa: E402
from open311_client import (  # noqa: E402
    ConfigurationError,
    NewRequest,
    NotFound,
    Open311Client,
    ServerUnavailable,
    ValidationError,
)

PREFIX = "/open311/v2"
ENDPOINT = "http://sandbox.test" + PREFIX + "/"
KEY = "demo-key"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Any]:
    eng = db.make_engine(f"sqlite:///{tmp_path / 'sandbox.db'}")
    db.Base.metadata.create_all(eng, tables=list(SANDBOX_TABLES))
    yield eng
    eng.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def connect(engine: Any, clock: Clock, fmt: str = "json", **config: Any) -> Open311Client:
    app = Flask(__name__)
    app.config["TESTING"] = True
    db.init_app(app, engine)
    cfg = SandboxConfig(api_key=KEY, clock=clock, sleep=clock.sleep, **config)
    app.register_blueprint(create_blueprint(cfg), url_prefix=PREFIX)
    http = httpx.Client(transport=httpx.WSGITransport(app=app))
    return Open311Client(
        http, ENDPOINT, api_key=KEY, format=fmt, jurisdiction_id=cfg.jurisdiction_id
    )


def answer_all(client: Open311Client, code: str) -> dict[str, str | list[str]]:
    """Answers to every required question: the first listed key, or some plain text."""
    answers: dict[str, str | list[str]] = {}
    definition = client.service_definition(code)
    for attr in definition.questions:
        if not attr.required:
            continue
        if attr.values:
            first = attr.values[0].key
            answers[attr.code] = [first] if attr.datatype == "multivaluelist" else first
        elif attr.datatype == "number":
            answers[attr.code] = "1"
        elif attr.datatype == "datetime":
            answers[attr.code] = "2024-03-01T12:00:00Z"
        else:
            answers[attr.code] = "yes"
    assert definition.problems(answers) == []
    return answers


def new(client: Open311Client, code: str = "POTHOLE") -> NewRequest:
    """A valid request; the definition is fetched only when ``metadata`` says so (rule 4)."""
    (service,) = [s for s in client.services() if s.service_code == code]
    return NewRequest(
        code,
        lat=40.0,
        long=-75.0,
        address_string="100 Main St",
        attributes=answer_all(client, code) if service.metadata else {},
        description="A hole",
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_file_and_read_back_every_service(engine: Any, clock: Clock, fmt: str) -> None:
    client = connect(engine, clock, fmt)
    services = client.services()
    assert services and all(s.service_code for s in services)
    filed = {}
    for service in services:
        req = new(client, service.service_code)
        result = client.post_request(req)
        assert result.service_request_id or result.token
        if result.service_request_id:
            filed[result.service_request_id] = service.service_code
    assert filed
    for rid, code in filed.items():
        record = client.get_request(rid)
        assert record.service_code == code and record.status
        assert record.requested_datetime is not None
        assert record.requested_datetime.tzinfo is not None
        assert (record.lat, record.long) == (40.0, -75.0)
    listed = client.get_requests(ids=list(filed), chunk_size=2)
    assert {r.service_request_id for r in listed} == set(filed)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_token_only_mode_resolves_after_the_delay(engine: Any, clock: Clock, fmt: str) -> None:
    client = connect(engine, clock, fmt, token_only=True, token_delay_seconds=3.0)
    result = client.post_request(new(client))
    assert result.service_request_id is None and result.token
    found = client.wait_for_request_id(result.token, attempts=6, sleep=clock.sleep)
    assert found is not None
    assert client.get_request(found).service_code == "POTHOLE"


def test_xml_only_server(engine: Any, clock: Clock) -> None:
    client = connect(engine, clock, "xml", xml_only=True)
    assert client.post_request(new(client)).service_request_id


def test_capped_lists_are_paged(engine: Any, clock: Clock) -> None:
    client = connect(engine, clock, list_cap=5)
    ids = [client.post_request(new(client)).service_request_id for _ in range(12)]
    assert all(ids)
    paged = client.get_requests(page_size=5)
    assert {r.service_request_id for r in paged} >= set(i for i in ids if i)
    chunked = client.get_requests(ids=[i for i in ids if i], chunk_size=5)
    assert len(chunked) == 12


def test_errors_from_the_sandbox(engine: Any, clock: Clock) -> None:
    client = connect(engine, clock)
    with pytest.raises(NotFound):
        client.get_request("no-such-id")
    with pytest.raises(NotFound):  # the spec's 404 for an unknown service_code
        client.post_request(NewRequest("NO_SUCH_SERVICE", address_string="1 Main St"))
    with pytest.raises(ValidationError) as caught:  # no location at all
        client.post_request(NewRequest("POTHOLE"))
    assert caught.value.errors and caught.value.response is not None
    wrong = Open311Client(client._http, ENDPOINT, api_key="wrong")  # noqa: SLF001
    with pytest.raises(ConfigurationError):
        wrong.post_request(new(client))


def test_failing_sandbox_is_unavailable(engine: Any, clock: Clock) -> None:
    client = connect(engine, clock, fail_share=1.0, seed=1)
    with pytest.raises(ServerUnavailable):
        client.services()


def test_jurisdiction_is_sent_on_every_call(engine: Any, clock: Clock) -> None:
    client = connect(engine, clock, jurisdiction_id="demo.town")
    rid = client.post_request(new(client)).service_request_id
    assert rid and client.get_requests(ids=[rid])[0].service_request_id == rid
    wrong = Open311Client(client._http, ENDPOINT, jurisdiction_id="elsewhere.gov")  # noqa: SLF001
    with pytest.raises(ConfigurationError):  # a 404 that blames the jurisdiction, not the call
        wrong.services()

"""The sandbox's workflow clock, tokens, catalogue override and UTC storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from intake import db
from intake.sandbox import (
    SandboxConfig,
    SandboxNote,
    SandboxRequest,
    Service,
    advance,
)

from .sandbox_support import (
    START,
    MakeSandbox,
    Sandbox,
    error_items,
    parse,
    validate,
    xml_root,
)

FORMATS = ["json", "xml"]
STEP = 60.0


def at(seconds: float) -> str:
    return (START + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


# (seconds after filing, status, status_notes contains, updated at, note summaries)
STAGES = [
    (0, "open", None, 0, ["Opened"]),
    (59, "open", None, 0, ["Opened"]),
    (60, "open", "received by", 60, ["Opened", "Acknowledged"]),
    (119, "open", "received by", 60, ["Opened", "Acknowledged"]),
    (120, "open", "crew", 120, ["Opened", "Acknowledged", "In progress"]),
    (180, "closed", "filled", 180, ["Opened", "Acknowledged", "In progress", "Closed"]),
    (86400, "closed", "filled", 180, ["Opened", "Acknowledged", "In progress", "Closed"]),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("elapsed", "status", "notes_text", "updated", "summaries"), STAGES)
def test_request_moves_through_the_workflow_on_the_clock(
    make: MakeSandbox,
    fmt: str,
    elapsed: float,
    status: str,
    notes_text: str | None,
    updated: float,
    summaries: list[str],
) -> None:
    sb = make(step_seconds=STEP)
    srid = sb.file()["service_request_id"]
    sb.clock.tick(elapsed)
    [req] = parse(sb.get(f"/requests/{srid}.{fmt}?extensions=true"), fmt)
    assert req["status"] == status
    if notes_text is None:
        assert req["status_notes"] is None
    else:
        assert notes_text in req["status_notes"]
    assert req["requested_datetime"] == at(0)
    assert req["updated_datetime"] == at(updated)
    assert req["expected_datetime"] == at(3 * STEP)
    assert [n["summary"] for n in req["notes"]] == summaries
    assert [n["datetime"] for n in req["notes"]] == [at(i * STEP) for i in range(len(summaries))]
    types = [n["type"] for n in req["notes"]]
    assert types == ["opened", "activity", "activity", "closed"][: len(summaries)]
    if fmt == "json":
        validate("requests.json", [req])


def test_jumping_straight_to_closed_records_every_step_once(sandbox: Sandbox) -> None:
    srid = sandbox.file()["service_request_id"]
    sandbox.clock.tick(3600)
    for _ in range(3):  # repeated reads change nothing
        [req] = parse(sandbox.get(f"/requests/{srid}.json?extensions=true"), "json")
    assert req["status"] == "closed"
    assert len(req["notes"]) == 4
    assert req["updated_datetime"] == at(180)


def test_closing_note_comes_from_the_service(make: MakeSandbox) -> None:
    sb = make(step_seconds=1)
    srid = sb.file(service_code="STREETLIGHT")["service_request_id"]
    sb.clock.tick(10)
    [req] = parse(sb.get(f"/requests/{srid}.json"), "json")
    assert req["status_notes"] == "The street light has been repaired."
    assert req["agency_responsible"] == "Demo City Electric Utility"


def test_every_read_path_advances_the_clock(make: MakeSandbox) -> None:
    sb = make(step_seconds=1)
    srid = sb.file()["service_request_id"]
    sb.clock.tick(5)
    [listed] = parse(sb.get("/requests.json"), "json")
    assert listed["status"] == "closed"
    assert parse(sb.get(f"/requests/{srid}.json"), "json")[0]["status"] == "closed"


def _session(sb: Sandbox) -> Session:
    return db.sessions(sb.app)()


def test_advance_is_public_idempotent_and_counts_transitions(sandbox: Sandbox) -> None:
    sandbox.file()
    sandbox.file()
    config = SandboxConfig(step_seconds=STEP)
    with db.transaction(sandbox.app) as session:
        assert advance(session, START + timedelta(seconds=30), config) == 0
        assert advance(session, START + timedelta(seconds=130), config) == 4
        assert advance(session, START + timedelta(seconds=130), config) == 0
        assert advance(session, START + timedelta(days=1), config) == 2
    with _session(sandbox) as session:
        statuses = session.scalars(select(SandboxRequest.status)).all()
        assert statuses == ["closed", "closed"]
        assert len(session.scalars(select(SandboxNote)).all()) == 8


def test_advance_defaults_to_the_default_config(sandbox: Sandbox) -> None:
    sandbox.file()
    with db.transaction(sandbox.app) as session:
        assert advance(session, START + timedelta(seconds=59)) == 0
        assert advance(session, START + timedelta(seconds=60)) == 1


def test_a_stale_reader_never_writes_a_step_twice(sandbox: Sandbox) -> None:
    sandbox.file()
    config = SandboxConfig(step_seconds=STEP)
    with _session(sandbox) as stale:
        loaded = stale.scalars(select(SandboxRequest)).one()
        assert loaded.stage == 0
        with db.transaction(sandbox.app) as other:
            assert advance(other, START + timedelta(seconds=70), config) == 1
        # `stale` still believes stage 0; its guarded UPDATE (stage = 0) matches nothing.
        assert advance(stale, START + timedelta(seconds=200), config) == 0
        stale.commit()
    with db.transaction(sandbox.app) as session:
        assert advance(session, START + timedelta(seconds=200), config) == 2
    with _session(sandbox) as session:
        notes = session.scalars(select(SandboxNote.summary).order_by(SandboxNote.id)).all()
        assert notes == ["Opened", "Acknowledged", "In progress", "Closed"]


# -- tokens ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_token_only_post_resolves_to_an_id_after_the_delay(make: MakeSandbox, fmt: str) -> None:
    sb = make(token_only=True, token_delay_seconds=30)
    answer = sb.file(fmt)
    assert set(answer) == {"token", "service_notice", "account_id"}
    token = answer["token"]
    resp = sb.get(f"/tokens/{token}.{fmt}")
    assert resp.status_code == 200
    if fmt == "xml":
        assert xml_root(resp) == "service_requests"
    assert parse(resp, fmt) == [{"service_request_id": None, "token": token}]
    assert parse(sb.get(f"/requests.{fmt}"), fmt) == []  # no id, not listed yet
    sb.clock.tick(30)
    [resolved] = parse(sb.get(f"/tokens/{token}.{fmt}"), fmt)
    assert resolved == {"service_request_id": "000001", "token": token}
    [req] = parse(sb.get(f"/requests/000001.{fmt}"), fmt)
    assert req["requested_datetime"] == at(0)
    assert [r["service_request_id"] for r in parse(sb.get(f"/requests.{fmt}"), fmt)] == ["000001"]


def test_a_listing_also_resolves_due_tokens(make: MakeSandbox) -> None:
    sb = make(token_only=True, token_delay_seconds=0)
    sb.file()
    assert [r["service_request_id"] for r in parse(sb.get("/requests.json"), "json")] == ["000001"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_token_is_404(sandbox: Sandbox, fmt: str) -> None:
    resp = sandbox.get(f"/tokens/0123abc.{fmt}")
    assert resp.status_code == 404
    assert error_items(resp)[0] == ("404", "token '0123abc' was not found")


def _service(code: str, kind: str) -> Service:
    return Service(code, f"{code} service", "d", "g", "k", type=kind)


def test_batch_service_answers_with_a_token_without_any_fault(make: MakeSandbox) -> None:
    sb = make(services=[_service("B1", "batch")], token_delay_seconds=5)
    answer = sb.file(service_code="B1")
    assert "service_request_id" not in answer and answer["token"]
    sb.clock.tick(5)
    [resolved] = parse(sb.get(f"/tokens/{answer['token']}.json"), "json")
    assert resolved["service_request_id"] == "000001"


def test_blackbox_service_never_gives_an_id(make: MakeSandbox) -> None:
    sb = make(services=[_service("BB", "blackbox")], token_delay_seconds=0)
    answer = sb.file(service_code="BB")
    sb.clock.tick(86400)
    [resolved] = parse(sb.get(f"/tokens/{answer['token']}.json"), "json")
    assert resolved["service_request_id"] is None
    assert parse(sb.get("/requests.json"), "json") == []


def test_the_catalogue_can_be_replaced(make: MakeSandbox) -> None:
    sb = make(services=[_service("006", "realtime")])
    services = parse(sb.get("/services.json"), "json")
    assert [s["service_code"] for s in services] == ["006"]
    assert services[0]["metadata"] is False
    validate("services.json", services)
    gone = sb.post("/requests.json", {"service_code": "POTHOLE", "lat": "1", "long": "1"})
    assert gone.status_code == 404
    assert sb.file(service_code="006")["service_request_id"] == "000001"


# -- time zones --------------------------------------------------------------------------


def test_datetimes_are_stored_and_read_back_as_utc(make: MakeSandbox) -> None:
    eastern = timezone(timedelta(hours=-5))
    sb = make(step_seconds=STEP)
    sb.clock.now = datetime(2024, 5, 1, 7, 0, 0, tzinfo=eastern)  # == 12:00Z
    sb.file()
    sb.clock.tick(60)
    sb.get("/requests.json")
    with _session(sb) as session:
        req = session.scalars(select(SandboxRequest)).one()
        assert req.requested_datetime == START
        assert req.requested_datetime.tzinfo is UTC
        assert req.updated_datetime.tzinfo is UTC
        notes = session.scalars(select(SandboxNote).order_by(SandboxNote.id)).all()
        assert all(n.noted_datetime.tzinfo is UTC for n in notes)


def test_output_can_use_the_city_offset(make: MakeSandbox) -> None:
    sb = make(display_tz=timezone(timedelta(hours=-8)))
    srid = sb.file()["service_request_id"]
    [req] = parse(sb.get(f"/requests/{srid}.json"), "json")
    assert req["requested_datetime"] == "2024-05-01T04:00:00-08:00"
    validate("requests.json", [req])


def test_naive_datetimes_are_refused_on_the_way_in(sandbox: Sandbox) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        with db.transaction(sandbox.app) as session:
            advance(session, datetime(2024, 5, 1, 12, 0))


def test_microseconds_from_the_clock_are_dropped(make: MakeSandbox) -> None:
    sb = make()
    sb.clock.now = START.replace(microsecond=987654)
    srid = sb.file()["service_request_id"]
    sb.clock.tick(0.5)
    body: Any = parse(sb.get(f"/requests.json?updated_after={at(0)}"), "json")
    assert body == []  # updated_datetime is exactly 12:00:00, not after it
    assert parse(sb.get(f"/requests/{srid}.json"), "json")[0]["requested_datetime"] == at(0)

"""The webhook's hot statements on the driver's own cursor behave as they do through Core:
the same rows, the same exceptions (so a lost race is retried and a dropped connection is
replaced), no phone number in an error's text, and a listener still sees every statement."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, event, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from intake import db
from intake.db import utcnow
from intake.direct import Direct
from intake.migrations import upgrade
from intake.service import CONVERSATIONS, DELIVERIES, LOOK, TURN_AND_RECORD
from tests.databases import BACKENDS, database_url

PHONE = "+16175550142"
KEY = f"{PHONE}|+16175550100"


def _asked(delivery: str) -> dict[str, Any]:
    now = utcnow()
    return {"delivery": delivery, "channel": "sms", "key": KEY, "phone": PHONE,
            "since": now - timedelta(minutes=1), "active_since": now - timedelta(hours=1)}
RECORD = Direct(insert(DELIVERIES).returning(DELIVERIES.c.id))


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with database_url(request.param, tmp_path) as url:
        eng = db.make_engine(url)
        upgrade(eng)
        try:
            yield eng
        finally:
            eng.dispose()


def _open_conversation(engine: Engine) -> int:
    now = utcnow()
    with engine.begin() as conn:
        return int(conn.execute(insert(CONVERSATIONS).returning(CONVERSATIONS.c.id), {
            "channel": "sms", "key": KEY, "phone": PHONE, "city_number": "+16175550100",
            "step": "category", "turn": 3, "state": {"step": "category", "lang": "es"},
            "is_open": True, "created_at": now, "updated_at": now}).scalar_one())


def test_the_open_conversation_reads_the_same_as_through_core(engine: Engine) -> None:
    cid = _open_conversation(engine)
    params = _asked("SM1")
    with engine.begin() as conn:
        direct = LOOK.first(conn, params)
        core = conn.execute(LOOK.statement, params).first()
    assert direct.id == core.id == cid
    assert (direct.turn, direct.state, direct.phone) == (3, {"step": "category", "lang": "es"},
                                                         PHONE)
    assert direct.updated_at == core.updated_at  # the same moment, with a time zone
    assert direct.stored is None  # no stored answer to this webhook yet


def test_a_turn_written_is_stored_with_its_answer_and_a_stale_one_is_not(
        engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's statement: SQLite writes the turn and the answer in two")
    cid = _open_conversation(engine)
    now = utcnow()
    moved = {"cid": cid, "read": 3, "turn": 4, "state": {"step": "address"}, "step": "address",
             "is_open": True, "updated_at": now, "delivery": "SM2",
             "answer": {"lang": "en", "turn": 4, "actions": []}, "answered_at": now}
    with engine.begin() as conn:
        assert TURN_AND_RECORD.first(conn, moved) is not None
    with engine.begin() as conn:  # the same turn read again: another webhook came first
        assert TURN_AND_RECORD.first(conn, {**moved, "delivery": "SM3"}) is None
        found = LOOK.first(conn, _asked("SM2"))
    assert (found.turn, found.state) == (4, {"step": "address"})
    assert found.stored == {"lang": "en", "turn": 4, "actions": []}  # the stored answer


def test_a_duplicate_key_is_the_error_core_raises_without_the_values(engine: Engine) -> None:
    cid = _open_conversation(engine)
    row = {"id": "SM9", "conversation_id": cid, "answer": {"to": PHONE}, "created_at": utcnow()}
    with engine.begin() as conn:
        RECORD.one(conn, row)
    with pytest.raises(IntegrityError) as raised, engine.begin() as conn:
        RECORD.one(conn, row)
    assert PHONE not in str(raised.value)  # a failing statement's values never reach a log
    with engine.connect() as conn:  # the transaction was rolled back and the pool is usable
        assert conn.scalar(select(DELIVERIES.c.id).where(DELIVERIES.c.id == "SM9")) == "SM9"


def test_a_listener_to_cursor_executes_sees_the_hot_statements(engine: Engine) -> None:
    _open_conversation(engine)
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        with engine.begin() as conn:
            LOOK.first(conn, _asked("SM1"))
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert any("FROM conversations" in s for s in seen)


def test_a_connection_dropped_under_a_statement_is_replaced(tmp_path: Path) -> None:
    with database_url("postgresql", tmp_path) as url:
        engine = db.make_engine(url)
        try:
            upgrade(engine)
            _open_conversation(engine)
            params = _asked("SM1")
            with pytest.raises(OperationalError) as raised, engine.begin() as conn:
                pid = conn.scalar(text("SELECT pg_backend_pid()"))
                with psycopg.connect(url.replace("+psycopg", "").split("?")[0],
                                     autocommit=True) as admin:
                    admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
                LOOK.first(conn, params)
            assert raised.value.connection_invalidated  # so Intake.handle tries once more
            with engine.begin() as conn:  # the pool hands out a working connection
                assert LOOK.first(conn, params).phone == PHONE
        finally:
            engine.dispose()

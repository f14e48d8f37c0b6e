"""The sandbox looks requests up by id through the id index on PostgreSQL, in either plan.

The poller asks for 50 ids at a time, the same statement over and over, so psycopg prepares
it and PostgreSQL may switch to a generic plan, made without the values. With LIMIT sent as
a parameter, that plan walked the whole date index backwards looking for the ids (25 ms a GET
at 10,000 requests instead of 0.2) on a table whose statistics had not been gathered yet;
once they are, it happens to choose well. The statement the sandbox really sends is captured
and EXPLAINed both ways over 20,000 requests, with and without ANALYZE. Sequential scans are
off for the EXPLAIN: without statistics the planner takes the table for a small one and would
scan it, hiding which index it would use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from psycopg import sql
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from intake.sandbox import SandboxConfig, SandboxRequest

from .sandbox_support import PREFIX, START, FakeClock, database, sandbox_app

pytestmark = pytest.mark.postgres

REQUESTS = 20_000
IDS = [f"{i:06d}" for i in range(1, REQUESTS + 1, REQUESTS // 50)]  # newest first
ID_INDEX = "sandbox_requests_service_request_id_key"
DATE_INDEX = "ix_sandbox_requests_requested_datetime"


@pytest.fixture(params=[True, False], ids=["analyzed", "not-analyzed"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """20,000 requests, one a minute going back from START; statistics gathered or not."""
    with database("postgresql", tmp_path) as eng:
        with Session(eng) as session, session.begin():
            session.execute(insert(SandboxRequest), [
                {"service_request_id": f"{i:06d}", "service_code": "POTHOLE",
                 "service_name": "Pothole", "status": "open", "stage": 0,
                 "requested_datetime": START - timedelta(minutes=i),
                 "updated_datetime": START - timedelta(minutes=i), "attributes": {}}
                for i in range(1, REQUESTS + 1)
            ])
        if request.param:
            with eng.begin() as conn:
                conn.exec_driver_sql("ANALYZE sandbox_requests")
        yield eng


def lookup(engine: Any, query: str) -> tuple[list[str], str, dict[str, Any]]:
    """GET requests.json with `query`: the ids answered and the statement that found them."""
    app = sandbox_app(engine, SandboxConfig(clock=FakeClock(), step_seconds=10**9))
    seen: list[tuple[str, dict[str, Any]]] = []

    def listen(conn, cursor, statement, parameters, context, executemany) -> None:
        if "sandbox_requests.service_request_id IN" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        answer = app.test_client().get(f"{PREFIX}/requests.json?{query}")
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert answer.status_code == 200, answer.text
    assert len(seen) == 1
    return [r["service_request_id"] for r in answer.json], *seen[0]


def custom_plan(engine: Any, statement: str, parameters: dict[str, Any]) -> str:
    with engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        conn.rollback()
    return "\n".join(row[0] for row in rows)


def generic_plan(engine: Any, statement: str, parameters: dict[str, Any]) -> str:
    """The plan PostgreSQL makes once for a prepared statement, without its values."""
    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match.group(1) not in order:
            order.append(match.group(1))
        return f"${order.index(match.group(1)) + 1}"

    prepared = re.sub(r"%\((\w+)\)s", number, statement)
    values = sql.SQL(", ").join(sql.Literal(parameters[name]) for name in order)
    with engine.connect() as conn:
        pg = conn.connection.driver_connection
        pg.execute("SET enable_seqscan = off")
        pg.execute("SET plan_cache_mode = force_generic_plan")
        pg.execute(sql.SQL("PREPARE by_ids AS {}").format(sql.SQL(prepared)))
        rows = pg.execute(sql.SQL("EXPLAIN EXECUTE by_ids ({})").format(values)).fetchall()
        pg.execute("DEALLOCATE by_ids")
        conn.rollback()
    return "\n".join(row[0] for row in rows)


def test_ids_are_found_by_the_id_index_not_the_date_index(engine: Any) -> None:
    for page, wanted in (("", IDS), ("&page=2&page_size=20", IDS[20:40])):
        ids, statement, parameters = lookup(engine, "service_request_id=" + ",".join(IDS) + page)
        assert ids == wanted  # newest first, paged by the database
        for plan in (custom_plan(engine, statement, parameters),
                     generic_plan(engine, statement, parameters)):
            assert ID_INDEX in plan and DATE_INDEX not in plan and "Seq Scan" not in plan, plan

"""A city's database upgrades with its data: every row of every table survives every migration.

SQLite cannot alter a column, so Alembic copies a table and drops the old one; with foreign
keys on (as the app connects), a table others point at would refuse to be dropped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text, types

from intake import db
from intake.migrations import upgrade
from tests.databases import BACKENDS, database_url

FIRST_WITH_STATUS_TEXTS = "0002"


def _value(column: dict[str, Any], n: int) -> Any:
    kind = column["type"]
    if isinstance(kind, types.Boolean):
        return False
    if isinstance(kind, types.Integer):
        return n
    if isinstance(kind, types.Float | types.Numeric):
        return 1.5
    if isinstance(kind, types.DateTime):
        return datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    if isinstance(kind, types.JSON):
        return "{}"
    return f"v{n}"


def _insert(engine: Engine, table: str, given: dict[str, Any], n: int) -> None:
    """One row with `given` values and a made-up value in every other required column."""
    row = dict(given)
    for column in inspect(engine).get_columns(table):
        name = column["name"]
        if name in row or column["nullable"] or column.get("default") is not None:
            continue
        if column.get("autoincrement") is True or name == "id":
            continue
        row[name] = _value(column, n)
    names = ", ".join(row)
    marks = ", ".join(f":{k}" for k in row)
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), row)


@pytest.mark.parametrize("backend", BACKENDS)
def test_rows_pointing_at_reports_survive_the_upgrade(backend: str, tmp_path: Path) -> None:
    with database_url(backend, tmp_path) as url:
        engine = db.make_engine(url)
        upgrade(engine, FIRST_WITH_STATUS_TEXTS)
        _insert(engine, "conversations", {"id": 1}, 1)
        _insert(engine, "reports", {"id": 7, "reference": "1234567", "conversation_id": 1}, 2)
        _insert(engine, "status_watches", {"report_id": 7}, 3)
        _insert(engine, "status_changes", {"id": 5, "report_id": 7}, 4)

        upgrade(engine)

        with engine.connect() as conn:
            assert conn.execute(text("SELECT reference FROM reports WHERE id = 7")).scalar() \
                == "1234567"
            assert conn.execute(text("SELECT report_id FROM status_watches")).all() == [(7,)]
            assert conn.execute(text("SELECT report_id FROM status_changes")).all() == [(7,)]
            if backend == "sqlite":
                assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
                assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        engine.dispose()

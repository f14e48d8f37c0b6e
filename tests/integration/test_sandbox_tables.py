"""The sandbox's tables exist only where the sandbox is mounted; a demo's requests survive."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from intake import db
from intake.migrations import ensure_sandbox_tables, upgrade
from tests.databases import BACKENDS, database_url


def sandbox_tables(engine: object) -> set[str]:
    return {t for t in inspect(engine).get_table_names() if t.startswith("sandbox_")}


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_leave_them_out_and_the_app_makes_them(backend: str, tmp_path: Path) -> None:
    with database_url(backend, tmp_path) as url:
        engine = db.make_engine(url)
        upgrade(engine)
        assert "reports" in inspect(engine).get_table_names()
        assert sandbox_tables(engine) == set()
        ensure_sandbox_tables(engine)
        ensure_sandbox_tables(engine)  # twice: a second process starting finds them made
        assert sandbox_tables(engine) == {"sandbox_requests", "sandbox_notes", "sandbox_tokens"}
        engine.dispose()


def test_a_demo_database_keeps_its_sandbox_requests(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    upgrade(engine, "0007")
    now = datetime.now(UTC).isoformat()
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO sandbox_requests (service_request_id, service_code, service_name, "
            "status, stage, requested_datetime, updated_datetime, attributes) VALUES "
            "('1001', 'POTHOLE', 'Pothole', 'open', 0, :now, :now, '{}')"), {"now": now})
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT service_request_id FROM sandbox_requests")) == "1001"
    engine.dispose()

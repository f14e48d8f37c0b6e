"""The two databases every storage and end-to-end test runs on: SQLite and PostgreSQL.

PostgreSQL (127.0.0.1:5432, database `test`) gets a throw-away schema per use. Where no
server answers the tests skip with the reason, except with CI=true, where they fail.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.needs import unavailable

PG_URL = os.environ.get("INTAKE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@functools.cache
def postgres_problem() -> str | None:
    import psycopg

    try:
        with psycopg.connect(PG_URL.replace("+psycopg", ""), connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "no server"
        return f"{type(exc).__name__}: {exc}"


def require_backend(backend: str) -> None:
    """Skip (or, with CI=true, fail) when the PostgreSQL server does not answer."""
    if backend != "postgresql":
        return
    problem = postgres_problem()
    if problem is None:
        return
    message = f"PostgreSQL at 127.0.0.1:5432/test does not answer ({problem})"
    unavailable(message)


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a temporary SQLite file or a throw-away PG schema."""
    require_backend(backend)
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'intake.sqlite3'}"
        return
    import psycopg

    schema = f"intake_test_{uuid.uuid4().hex[:12]}"
    admin = PG_URL.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@contextmanager
def intake_app(backend: str, tmp_path: Path) -> Iterator[Any]:
    """The whole app (demo settings) on an empty database of `backend`; disposed after."""
    from intake import db
    from intake.app import create_app
    from intake.settings import Settings

    with database_url(backend, tmp_path) as url:
        settings = Settings.from_env({"INTAKE_VAR_DIR": str(tmp_path), "DATABASE_URL": url,
                                      "TWILIO_AUTH_TOKEN": "t"})
        application = create_app(settings)
        try:
            yield application
        finally:
            db.sessions(application).kw["bind"].dispose()

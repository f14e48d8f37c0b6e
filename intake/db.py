"""Database engine, declarative base and per-app session factory.

Every table of the application (including the built-in sandbox) derives from `Base`, so one
Alembic history covers them all. Nothing connects at import time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import DateTime, Dialect, Engine, TypeDecorator, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

__all__ = [
    "Base", "Session", "UTCDateTime", "bound_engine", "init_app", "make_engine", "sessions",
    "transaction", "utcnow",
]

EXTENSION_KEY = "intake_db"
CONNECT_TIMEOUT = 5  # seconds
IDLE_PING = 2.0  # seconds a pooled connection may sit unused and still be trusted unchecked


class Base(DeclarativeBase):
    """Declarative base shared by every table."""


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that refuses naive input and always reads back UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: give a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


def utcnow() -> datetime:
    """Timezone-aware now; stored as UTC."""
    return datetime.now(UTC)


def make_engine(url: str, pool_size: int = 10) -> Engine:
    """Create an engine; SQLite gets WAL and a busy timeout so the worker and web share it.

    SQL parameters are hidden from error messages (they hold phone numbers and texts).
    """
    # hide_parameters: a failing statement's values (numbers, messages) never reach a log
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 5, "check_same_thread": False},
                               hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    # a database that does not answer fails a webhook in seconds, well within Twilio's 15
    connect = {} if "connect_timeout" in url else {"connect_timeout": CONNECT_TIMEOUT}
    # connections kept open: one per thread that may hold one at once. Beyond it the pool
    # opens connections and closes them on return: with 8 threads and SQLAlchemy's 5, a
    # storm opened a PostgreSQL connection every few webhooks (a backend started each time)
    engine = create_engine(url, hide_parameters=True, connect_args=connect, pool_size=pool_size)
    _ping_when_idle(engine, IDLE_PING)
    return engine


def _ping_when_idle(engine: Engine, idle: float) -> None:
    """Check a pooled connection before use only if it sat idle longer than `idle` seconds.

    `pool_pre_ping` pings on every checkout: a round trip and more CPU than a webhook's own
    statements. A connection in steady use needs none; one the database dropped while it was
    idle (a restart) is replaced before use, and one dropped mid-use invalidates the pool, so
    every connection older than the failure is replaced (`Intake.handle` tries once more).
    """

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_conn, record):  # type: ignore[no-untyped-def]
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn, record, _proxy):  # type: ignore[no-untyped-def]
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # noqa: BLE001 - any failure: the pool opens a fresh one
            raise DisconnectionError(f"idle connection lost: {type(exc).__name__}") from exc


def init_app(app: Flask, engine: Engine) -> None:
    """Attach a session factory for `engine` to the app."""
    app.extensions[EXTENSION_KEY] = sessionmaker(engine, expire_on_commit=False)


def bound_engine(factory: sessionmaker[Session]) -> Engine:
    """The engine a session factory is bound to (for Core work with no session around it)."""
    engine: Engine = factory.kw["bind"]
    return engine


def sessions(app: Flask | None = None) -> sessionmaker[Session]:
    """The app's session factory (the current app when none is given)."""
    target = app if app is not None else current_app
    factory: sessionmaker[Session] = target.extensions[EXTENSION_KEY]
    return factory


@contextmanager
def transaction(app: Flask | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error."""
    with sessions(app).begin() as session:
        yield session

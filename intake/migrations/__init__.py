"""Alembic migrations, run programmatically (`intake db upgrade`, and on start-up)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

HERE = Path(__file__).resolve().parent
MIGRATION_LOCK = 311_0012  # pg_advisory_lock key: one migrating process at a time


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to `revision` (idempotent).

    On PostgreSQL an advisory lock makes processes starting together (web, workers,
    poller) migrate one after the other: the first does the work, the others find it done.
    """
    if engine.dialect.name != "postgresql":
        command.upgrade(alembic_config(engine), revision)
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        try:
            command.upgrade(alembic_config(engine), revision)
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            conn.commit()


def ensure_sandbox_tables(engine: Engine) -> None:
    """The built-in sandbox's tables, made where it is mounted (not by the migrations)."""
    from intake.db import Base
    from intake.sandbox.models import SANDBOX_TABLES

    if engine.dialect.name != "postgresql":
        Base.metadata.create_all(engine, tables=list(SANDBOX_TABLES), checkfirst=True)
        return
    with engine.connect() as conn:  # app processes starting together: one creates them
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        try:
            Base.metadata.create_all(engine, tables=list(SANDBOX_TABLES), checkfirst=True)
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            conn.commit()


def schema_head() -> str | None:
    """The revision this code's migrations end at."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    return ScriptDirectory.from_config(cfg).get_current_head()


def schema_revision(conn: Connection) -> str | None:
    """The revision the database is at (None: never migrated)."""
    return MigrationContext.configure(conn).get_current_revision()

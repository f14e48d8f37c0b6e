"""Alembic environment: the engine comes from the caller (see `intake.migrations.upgrade`)."""

from alembic import context

import intake.sandbox.models  # noqa: F401  (registers the sandbox tables)
import intake.storage  # noqa: F401  (registers the intake tables)
from intake.db import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch migration copies a table and drops the old one; tables pointing at it
        # would refuse the drop. Foreign keys are off for the migration (SQLite ignores
        # this PRAGMA inside a transaction, so before it) and checked after it.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=sqlite,
        # the sandbox's tables are the app's to make where it is mounted (see 0008)
        include_name=lambda name, kind, _parent: not (
            kind == "table" and str(name).startswith("sandbox_")),
    )
    try:
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
    finally:
        if sqlite:
            connection.commit()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()

"""the sandbox's tables leave the schema: created by the app only where the sandbox is mounted

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 02:00:00

A database that never used the sandbox (empty tables) loses them; one holding sandbox requests
(a demo) keeps them, so nothing is lost. `intake.migrations.ensure_sandbox_tables` creates
them when the app mounts the sandbox.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('sandbox_tokens', 'sandbox_notes', 'sandbox_requests')  # children first


def upgrade() -> None:
    bind = op.get_bind()
    present = set(sa.inspect(bind).get_table_names())
    if not set(TABLES) <= present:
        return
    if bind.execute(sa.text('SELECT count(*) FROM sandbox_requests')).scalar():
        return  # a demo's requests: kept
    for table in TABLES:
        op.drop_table(table)


def downgrade() -> None:
    from intake.db import Base
    from intake.sandbox.models import SANDBOX_TABLES

    Base.metadata.create_all(op.get_bind(), tables=list(SANDBOX_TABLES), checkfirst=True)

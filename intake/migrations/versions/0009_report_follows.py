"""reports that follow the city's existing request; index for reports of a kind near a place

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 02:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follows', sa.Boolean(), server_default=sa.text('false'),
                                      nullable=False))
        batch_op.create_index('ix_reports_service_place', ['service_code', 'lat'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_service_place')
        batch_op.drop_column('follows')

"""indexes for per-resident lookups, the outbox and texts queues, and conversation keys

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index('ix_conversations_key', ['key', 'channel'], unique=False)
        batch_op.create_index('ix_conversations_phone', ['phone'], unique=False)
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_conversation_id'), ['conversation_id'],
                              unique=False)
    with op.batch_alter_table('outbound_texts', schema=None) as batch_op:
        batch_op.create_index('ix_outbound_texts_due', ['status', 'not_before'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbound_texts', schema=None) as batch_op:
        batch_op.drop_index('ix_outbound_texts_due')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_conversation_id'))
        batch_op.drop_index(batch_op.f('ix_reports_phone'))
        batch_op.drop_index('ix_reports_due')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_phone')
        batch_op.drop_index('ix_conversations_key')

"""live messages with a lease: exactly one bot process edits each tally, another takes it over

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 09:30:00

Before this revision a live tally was edited by the process that posted it, and by nobody after
that process stopped; tallies posted before it are not in the table and stay as they are.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=True),
        sa.Column("thread_id", sa.String(length=32), nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("last_text", sa.Text(), nullable=True),
        sa.Column("last_edit_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_live_messages_round_id_rounds"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_messages")),
    )
    with op.batch_alter_table("live_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_live_messages_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_live_messages_lease_until"), ["lease_until"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("live_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_messages_lease_until"))
        batch_op.drop_index(batch_op.f("ix_live_messages_round_id"))
    op.drop_table("live_messages")

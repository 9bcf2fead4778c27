"""presses already applied to a ballot, so a redelivered press changes nothing

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "presses",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_presses_round_id_rounds"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_presses")),
    )
    with op.batch_alter_table("presses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_presses_round_id"), ["round_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("presses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_presses_round_id"))
    op.drop_table("presses")

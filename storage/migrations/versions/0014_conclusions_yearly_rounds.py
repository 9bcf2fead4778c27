"""conclusions of rounds (/slutsats) and the processes' yearly rounds (/arsomgang, /trend)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conclusions",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_conclusions_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_conclusions")),
    )
    op.create_table(
        "yearly_rounds",
        sa.Column("process_key", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_yearly_rounds_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("process_key", "year", name=op.f("pk_yearly_rounds")),
        sa.UniqueConstraint("round_id", name=op.f("uq_yearly_rounds_round_id")),
    )


def downgrade() -> None:
    op.drop_table("yearly_rounds")
    op.drop_table("conclusions")

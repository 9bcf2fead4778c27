"""round deadlines, co-facilitators and used co-facilitator invitations (issue 20)

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-02 12:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "round_deadlines",
        sa.Column("round_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_round_deadlines_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_round_deadlines")),
    )
    op.create_index("ix_round_deadlines_state_closes_at", "round_deadlines", ["state", "closes_at"])
    op.create_table(
        "co_leaders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=48), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("user_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_co_leaders")),
        sa.UniqueConstraint("scope", "user_key", name="uq_co_leaders_scope_user_key"),
    )
    op.create_index(op.f("ix_co_leaders_scope"), "co_leaders", ["scope"])
    op.create_index(op.f("ix_co_leaders_user_key"), "co_leaders", ["user_key"])
    op.create_table(
        "used_invitations",
        sa.Column("signature", sa.String(length=32), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("signature", name=op.f("pk_used_invitations")),
    )


def downgrade() -> None:
    op.drop_table("used_invitations")
    op.drop_index(op.f("ix_co_leaders_user_key"), table_name="co_leaders")
    op.drop_index(op.f("ix_co_leaders_scope"), table_name="co_leaders")
    op.drop_table("co_leaders")
    op.drop_index("ix_round_deadlines_state_closes_at", table_name="round_deadlines")
    op.drop_table("round_deadlines")

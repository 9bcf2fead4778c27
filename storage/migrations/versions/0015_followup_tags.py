"""follow-up rounds keep their commitments' parties and principles as asked

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 12:00:00

A follow-up round (``/uppfoljning``) groups its results by the party that made each commitment
and the principles it serves. Those come from the process file, which may change; this table
keeps them with the round, so a closed round's grouping never changes. Rounds of other kinds
have no row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "followup_tags",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_followup_tags_round_id_rounds"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_followup_tags")),
    )


def downgrade() -> None:
    op.drop_table("followup_tags")

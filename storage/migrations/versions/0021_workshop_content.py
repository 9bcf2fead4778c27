"""a workshop's own statements and principles (changes over the process file) and proposal rounds

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 12:30:00

Nothing existing changes: a workshop without rows here runs the process file as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workshop_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("catalogue", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("text_en", sa.Text(), nullable=True),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("reworded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshops.id"], name=op.f("fk_workshop_items_workshop_id_workshops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_items")),
        sa.UniqueConstraint("workshop_id", "catalogue", "key", name="uq_workshop_items_key"),
    )
    op.create_table(
        "proposal_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("catalogue", sa.String(length=16), nullable=False),
        sa.Column("per_person", sa.Integer(), nullable=False),
        sa.Column("per_round", sa.Integer(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshops.id"], name=op.f("fk_proposal_rounds_workshop_id_workshops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_rounds")),
    )
    with op.batch_alter_table("proposal_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_rounds_workshop_id"), ["workshop_id"], unique=False)
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("author_key", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("item_key", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"], ["proposal_rounds.id"], name=op.f("fk_proposals_round_id_proposal_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
        sa.UniqueConstraint("round_id", "number", name="uq_proposals_number"),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposals_author_key"), ["author_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_author_key"))
    op.drop_table("proposals")
    with op.batch_alter_table("proposal_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_rounds_workshop_id"))
    op.drop_table("proposal_rounds")
    op.drop_table("workshop_items")

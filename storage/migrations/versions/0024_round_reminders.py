"""reminders to the undecided before a deadline round closes: sealed private addresses

Revision ID: 0024
Revises: 0022
Create Date: 2026-12-02 15:40:00

Adds the reminder's time and claim to ``round_deadlines`` (existing deadlines get none) and the
``sealed_addresses`` table (encrypted addresses beside a keyed tag; nothing in clear).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("round_deadlines") as batch:
        batch.add_column(sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("remind_state", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("remind_holder", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("remind_until", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "sealed_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=32), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=True),
        sa.Column("stopped", sa.Boolean(), nullable=False),
        sa.Column("reminded_round", sa.Integer(), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_sealed_addresses_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sealed_addresses")),
        sa.UniqueConstraint("tag", name=op.f("uq_sealed_addresses_tag")),
    )
    op.create_index(op.f("ix_sealed_addresses_workshop_id"), "sealed_addresses", ["workshop_id"])
    op.create_index(op.f("ix_sealed_addresses_sealed_at"), "sealed_addresses", ["sealed_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sealed_addresses_sealed_at"), table_name="sealed_addresses")
    op.drop_index(op.f("ix_sealed_addresses_workshop_id"), table_name="sealed_addresses")
    op.drop_table("sealed_addresses")
    with op.batch_alter_table("round_deadlines") as batch:
        batch.drop_column("remind_until")
        batch.drop_column("remind_holder")
        batch.drop_column("remind_state")
        batch.drop_column("remind_at")

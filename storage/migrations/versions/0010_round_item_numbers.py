"""round items keep the number people see (their place in the process's catalogue)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL for the rounds made before: they keep showing position + 1, as they did.
    with op.batch_alter_table("round_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("round_items", schema=None) as batch_op:
        batch_op.drop_column("number")

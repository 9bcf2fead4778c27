"""RSVP per organisation: how many persons come, and a substitute's name-free note

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 12:00:00

An answer stays one row per contact and occurrence; the organisation's answer is its contacts'
latest. Rows from before this revision have no count and no note.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rsvps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("persons", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("note", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rsvps", schema=None) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("persons")

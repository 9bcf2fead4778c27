"""when each part of a reminder was last about to be sent (the attempt marks)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 15:30:00

A dispatcher writes the mark in the same UPDATE that renews its claim right before a platform
call. A dispatcher that takes a row over from a dead one then knows which parts may already have
gone out (mark set, no record) and asks the platform first where it can (Slack: the message's
metadata in the DM's history), instead of sending blindly.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("text_attempt_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("text_attempt_at")
        batch_op.drop_column("file_attempt_at")

"""a reminder's calendar file recorded apart from its text

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 18:00:00

Before this revision only the text's send was recorded, and the calendar file went with the
first reminder of an occurrence that was sent; so every reminder already sent is taken to have
had its file, and later reminders of the same occurrence keep coming without one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_sent_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE deliveries SET file_sent_at = sent_at WHERE status = 'sent'")


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("file_sent_at")

"""seen requests expire each at its own time (Telegram updates are kept longer than Slack requests)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 02:00:00
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SLACK_RETENTION = timedelta(minutes=15)  # what every row recorded before this revision was kept for


def upgrade() -> None:
    with op.batch_alter_table("seen_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    seen = sa.table("seen_requests", sa.column("key", sa.String), sa.column("seen_at", sa.DateTime(timezone=True)),
                    sa.column("expires_at", sa.DateTime(timezone=True)))
    connection = op.get_bind()
    for key, seen_at in connection.execute(sa.select(seen.c.key, seen.c.seen_at)).all():  # 15 minutes' worth
        connection.execute(seen.update().where(seen.c.key == key).values(expires_at=seen_at + SLACK_RETENTION))
    with op.batch_alter_table("seen_requests", schema=None) as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.drop_index(batch_op.f("ix_seen_requests_seen_at"))
        batch_op.create_index(batch_op.f("ix_seen_requests_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("seen_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seen_requests_expires_at"))
        batch_op.create_index(batch_op.f("ix_seen_requests_seen_at"), ["seen_at"], unique=False)
        batch_op.drop_column("expires_at")

"""chat bindings remember whether the workshop was created in the chat

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 10:00:00

With ``group_admins_are_facilitators`` a group's admins lead only the workshops created in
their group. Bindings made before this revision cannot tell how they were made, so they are
all marked as not the origin: configured facilitators keep every right, and the admins of a
group lead again once they start a workshop there with ``/workshop``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat_bindings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("chat_bindings", schema=None) as batch_op:
        batch_op.drop_column("origin")

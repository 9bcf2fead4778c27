"""indexes for what every bot process reads ahead: open rounds, and a workshop's chat bindings

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 08:00:00

Each process looks for the open rounds once a second and reads the bindings of all the chats of
each workshop with an open round together (facilitation.service.WorkshopService.warm_open_rounds):
without these both are scans of tables that grow with every workshop held.
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rounds_status"), ["status"], unique=False)
    with op.batch_alter_table("chat_bindings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_bindings_workshop_id"), ["workshop_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("chat_bindings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_bindings_workshop_id"))
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rounds_status"))

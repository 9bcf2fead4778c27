"""e-mail contacts get a welcome at once: a flag set when such a contact is created

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 15:30:00

``contacts.welcome_pending`` is set in the transaction that inserts an e-mail contact (a file
import or ``dialogbot contacts add --email``); the dispatcher plans the welcome (the next
meeting with its calendar invitation) and clears it. Existing contacts start without it, so an
upgrade sends nobody an unexpected welcome.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("welcome_pending", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("welcome_pending")

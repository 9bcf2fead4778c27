"""contacts reached by e-mail: an address column long enough for an e-mail address

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 12:30:00

An e-mail address is up to 254 characters (RFC 5321); chat ids and Slack ids fitted in 64.
Downgrading shortens the column again and refuses while a contact's address is longer than 64.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.alter_column(
            "address", existing_type=sa.String(length=64), type_=sa.String(length=254), existing_nullable=False
        )


def downgrade() -> None:
    long = op.get_bind().execute(sa.text("SELECT COUNT(*) FROM contacts WHERE LENGTH(address) > 64")).scalar()
    if long:
        raise RuntimeError(
            f"{long} contact address(es) are longer than 64 characters (e-mail contacts): "
            "remove them (dialogbot contacts remove) before downgrading"
        )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.alter_column(
            "address", existing_type=sa.String(length=254), type_=sa.String(length=64), existing_nullable=False
        )

"""calendar entries that stay right: occurrence sequences, file holders, notice deliveries

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 12:40:00

Deliveries get a ``kind`` (existing rows are reminders), the SEQUENCE of an update or cancel and
the occurrence's place in the series; meetings get ``directions`` and ``nudge_offsets_s``;
``meeting_occurrences`` keeps what the contacts were last told of each occurrence and
``calendar_copies`` who holds a calendar file of it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=8), server_default="reminder", nullable=False))
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("occurrence_no", sa.Integer(), nullable=True))
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("directions", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("nudge_offsets_s", sa.JSON(), nullable=True))
    op.create_table(
        "meeting_occurrences",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_occurrences_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "number", name=op.f("pk_meeting_occurrences")),
    )
    op.create_table(
        "calendar_copies",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_calendar_copies_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_calendar_copies_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("meeting_id", "number", "contact_id", name=op.f("pk_calendar_copies")),
    )
    with op.batch_alter_table("calendar_copies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_copies_contact_id"), ["contact_id"], unique=False)


def downgrade() -> None:
    op.drop_table("calendar_copies")
    op.drop_table("meeting_occurrences")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("nudge_offsets_s")
        batch_op.drop_column("directions")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("occurrence_no")
        batch_op.drop_column("sequence")
        batch_op.drop_column("kind")

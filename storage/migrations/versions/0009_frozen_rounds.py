"""frozen rounds: keyless final answers, a round's frame and turnout, frozen items

A closed round's published figures must never move: results are computed from
``frozen_answers`` (value, the sector it was given in, a shuffled ballot number — no key),
written when an item's answers become final. Rounds closed before this revision are frozen here
from their answers and each participant's sector as it is now; their frame (minimum group size
and sectors) is fixed the first time their results are read afterwards.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch: on SQLite a batch may copy and drop round_items, and with
    # foreign keys on, dropping it would cascade into every answer.
    op.add_column("rounds", sa.Column("min_group_size", sa.Integer(), nullable=True))
    op.add_column("rounds", sa.Column("sectors", sa.JSON(), nullable=True))
    op.add_column("rounds", sa.Column("turnout", sa.Integer(), nullable=True))
    op.add_column("round_items", sa.Column("frozen", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "frozen_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("ballot", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=16), nullable=True),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["round_id", "item_id"], ["round_items.round_id", "round_items.id"],
                                name="fk_frozen_answers_item", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_frozen_answers_round_id_rounds"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frozen_answers")),
    )
    with op.batch_alter_table("frozen_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_frozen_answers_round_id"), ["round_id"], unique=False)
    _freeze_closed_rounds(op.get_bind())


def _freeze_closed_rounds(connection: sa.Connection) -> None:
    """Copy every closed round's answers into frozen_answers (keys replaced by shuffled ballot
    numbers, rows shuffled), mark its items frozen and fix its turnout."""
    rounds = sa.table("rounds", sa.column("id"), sa.column("workshop_id"), sa.column("status"),
                      sa.column("turnout"))
    items = sa.table("round_items", sa.column("round_id"), sa.column("frozen"))
    responses = sa.table("responses", sa.column("round_id"), sa.column("item_id"), sa.column("participant_key"),
                         sa.column("value"))
    participants = sa.table("participants", sa.column("workshop_id"), sa.column("key"), sa.column("sector"))
    frozen = sa.table("frozen_answers", sa.column("round_id"), sa.column("item_id"), sa.column("ballot"),
                      sa.column("sector"), sa.column("value"))
    shuffle = secrets.SystemRandom().shuffle
    closed = connection.execute(sa.select(rounds.c.id, rounds.c.workshop_id).where(rounds.c.status == "closed"))
    for round_id, workshop_id in closed.all():
        answers = connection.execute(
            sa.select(responses.c.participant_key, responses.c.item_id, responses.c.value, participants.c.sector)
            .select_from(responses.outerjoin(participants, (participants.c.workshop_id == workshop_id)
                                             & (participants.c.key == responses.c.participant_key)))
            .where(responses.c.round_id == round_id)
        ).all()
        keys = sorted({answer[0] for answer in answers})
        shuffle(keys)
        ballot = {key: number for number, key in enumerate(keys, start=1)}
        rows = [{"round_id": round_id, "item_id": item, "ballot": ballot[key], "sector": sector, "value": value}
                for key, item, value, sector in answers]
        shuffle(rows)
        if rows:
            connection.execute(frozen.insert(), rows)
        connection.execute(items.update().where(items.c.round_id == round_id).values(frozen=True))
        connection.execute(rounds.update().where(rounds.c.id == round_id).values(turnout=len(keys)))


def downgrade() -> None:
    with op.batch_alter_table("frozen_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_frozen_answers_round_id"))
    op.drop_table("frozen_answers")
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+ too), never a batch copy that would cascade into answers
    for table, column in (("round_items", "frozen"), ("rounds", "turnout"), ("rounds", "sectors"),
                          ("rounds", "min_group_size")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")

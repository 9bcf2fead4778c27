"""participants get a key per workshop: a database copy cannot link one person across workshops

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:00:00

Before this revision a participant was stored under one key in every workshop (a keyed hash of
platform and user id, :meth:`Pseudonymizer.user_key`), so a copy of the database alone grouped
each person's answers across workshops and years. Now the key is per workshop,
:meth:`Pseudonymizer.workshop_key` of that user key and the workshop's id. This data migration
re-keys every stored participation and answer the same way, which takes the installation's
secret: ``dialogbot db upgrade`` (and an SQLite file's first start) pass it from the settings, so
run it with the bot's own settings. Without a secret it refuses (before changing anything) if
there is anything to re-key. Language preferences stay under the user key. Not reversible: the
user keys cannot be derived back from the per-workshop keys.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from facilitation.pseudonym import Pseudonymizer
from storage.migrate import SECRET_ATTRIBUTE

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    stored = bind.execute(sa.text(
        "SELECT workshop_id, key FROM participants "
        "UNION SELECT rounds.workshop_id, responses.participant_key FROM responses "
        "JOIN rounds ON rounds.id = responses.round_id")).all()
    if not stored:
        return
    secret = context.config.attributes.get(SECRET_ATTRIBUTE)
    if not secret:
        raise RuntimeError(
            "revision 0011 re-keys the stored participants per workshop and needs the installation's "
            "secret: run `dialogbot db upgrade` with the bot's own settings (the same `secret` or data "
            "directory with secret.key)")
    pseudonymizer = Pseudonymizer(secret)
    keys = [{"workshop_id": workshop_id, "old": key, "new": pseudonymizer.workshop_key(key, workshop_id)}
            for workshop_id, key in stored]
    bind.execute(sa.text("UPDATE participants SET key = :new WHERE workshop_id = :workshop_id AND key = :old"),
                 keys)
    bind.execute(sa.text(
        "UPDATE responses SET participant_key = :new WHERE participant_key = :old "
        "AND round_id IN (SELECT id FROM rounds WHERE workshop_id = :workshop_id)"), keys)


def downgrade() -> None:
    raise NotImplementedError("per-workshop keys cannot be turned back into one key per person")

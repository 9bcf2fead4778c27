"""Tables of issue 20's people side: round deadlines, co-facilitators and used invitations.

Kept apart from :mod:`storage.models` (same metadata) so the workshop tables stay as they were.
No table here holds a platform user id: a co-facilitator is stored under their pseudonymous
user key (a keyed hash) with the name they chose to be listed under.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import KEY, Base


class RoundDeadlineRow(Base):
    """When an open round closes itself, and which bot process is closing it.

    ``state``: ``pending`` until ``closes_at``; ``claimed`` by ``holder`` while it closes the round
    and posts the results (until ``lease_until``; a lease run out is taken over); ``done`` after.
    ``attempts`` counts claims, so a takeover knows an earlier holder may have closed the round.
    """

    __tablename__ = "round_deadlines"
    __table_args__ = (Index("ix_round_deadlines_state_closes_at", "state", "closes_at"),)

    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(8), default="pending")
    holder: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The reminder to the undecided (facilitation.people.reminders): due at ``remind_at``,
    # ``remind_state`` pending → claimed (by ``remind_holder`` until ``remind_until``) → done.
    remind_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    remind_state: Mapped[str | None] = mapped_column(String(8), nullable=True)
    remind_holder: Mapped[str | None] = mapped_column(String(64), nullable=True)
    remind_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CoLeaderRow(Base):
    """A co-facilitator of one workshop (``scope`` ``w:<id>``) or one process (``p:<key>``)."""

    __tablename__ = "co_leaders"
    __table_args__ = (UniqueConstraint("scope", "user_key", name="uq_co_leaders_scope_user_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(48), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_key: Mapped[str] = mapped_column(KEY, index=True)
    name: Mapped[str] = mapped_column(String(80))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UsedInvitationRow(Base):
    """A co-facilitator invitation that was accepted: each is good for one person only."""

    __tablename__ = "used_invitations"

    signature: Mapped[str] = mapped_column(String(32), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SealedAddressRow(Base):
    """A participant's private address, sealed (facilitation.people.reach): no address, user id
    or participant key in clear; ``tag`` is a keyed hash the bot finds the row by. ``sealed`` is
    None once the person said ``/stoppa`` (the tag stays, so joining again does not seal it again).
    ``reminded_round``: the last round they were reminded of (a reminder is marked before it is sent)."""

    __tablename__ = "sealed_addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(32), unique=True)
    sealed: Mapped[str | None] = mapped_column(Text, nullable=True)
    stopped: Mapped[bool] = mapped_column(Boolean, default=False)
    reminded_round: Mapped[int] = mapped_column(Integer, default=0)
    sealed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

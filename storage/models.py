"""Tables. Votes are linked to a pseudonymous participant key, never to a platform user id.

Uniqueness of an answer (one per participant, round and item) is a database constraint, so
concurrent presses from several bot processes cannot create two rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

KEY = String(64)
ROOM_TITLE_LENGTH = 128  # Telegram group titles are at most 128 characters, Slack channel names 80


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class WorkshopRow(Base):
    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    language: Mapped[str] = mapped_column(String(2), default="sv")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The closed round (often last year's meeting) the next barometer is to be drawn against.
    compare_round_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ParticipantRow(Base):
    __tablename__ = "participants"

    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(KEY, primary_key=True)
    sector: Mapped[str | None] = mapped_column(String(16), nullable=True)
    organisation: Mapped[str | None] = mapped_column(String(120), nullable=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_participants_key", "key"),)


class RoundRow(Base):
    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    # Indexed: every bot process looks for the open rounds once a second.
    status: Mapped[str] = mapped_column(String(8), default="draft", index=True)
    settings: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    current_position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    compare_round_id: Mapped[int | None] = mapped_column(
        ForeignKey("rounds.id", ondelete="SET NULL"), nullable=True
    )
    # The frame its results are judged by, fixed when its first answers became final, and its
    # turnout, fixed when it closed (see facilitation.model.Round): published figures never move.
    min_group_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sectors: Mapped[list[list[str]] | None] = mapped_column(JSON, nullable=True)
    turnout: Mapped[int | None] = mapped_column(Integer, nullable=True)

    items: Mapped[list[RoundItemRow]] = relationship(
        order_by="RoundItemRow.position", cascade="all, delete-orphan", lazy="selectin"
    )


class RoundItemRow(Base):
    __tablename__ = "round_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    ref_key: Mapped[str] = mapped_column(String(40), default="")
    # Its answers are final (a step on, or the close): none are taken, they are in frozen_answers.
    frozen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The number people see (the statement's or principle's number in the process's catalogue);
    # NULL for rounds created before it was stored: they show position + 1, as they always did.
    number: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (
        UniqueConstraint("round_id", "position", name="uq_round_items_round_position"),
        UniqueConstraint("round_id", "id", name="uq_round_items_round_id_id"),
    )


class ResponseRow(Base):
    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(Integer)
    participant_key: Mapped[str] = mapped_column(KEY)
    value: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("round_id", "item_id", "participant_key", name="uq_responses_one_per_item"),
        ForeignKeyConstraint(
            ["round_id", "item_id"],
            ["round_items.round_id", "round_items.id"],
            name="fk_responses_item",
            ondelete="CASCADE",
        ),
        Index("ix_responses_participant_key", "participant_key"),
    )


class PressRow(Base):
    """A button press already applied to a ballot, stored with its effect in one transaction.

    ``key`` is a keyed hash of the platform's press id (never linked to the participant), so a
    press Telegram delivers again, also after a crash or to another process, changes nothing.
    Rows go when their round closes (a press on a closed round is refused anyway).
    """

    __tablename__ = "presses"

    key: Mapped[str] = mapped_column(KEY, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)


class FrozenAnswerRow(Base):
    """A final answer with no key: the value, the sector it was given in, and a ballot number.

    Written when its item froze (a step on, or the close) from the answer and the participant's
    sector at that moment, in shuffled order; what closed rounds publish is computed from these
    rows only, so a later change of sector, or ``/glom``, cannot move a published figure.
    """

    __tablename__ = "frozen_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(Integer)
    ballot: Mapped[int] = mapped_column(Integer)
    sector: Mapped[str | None] = mapped_column(String(16), nullable=True)
    value: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        ForeignKeyConstraint(
            ["round_id", "item_id"],
            ["round_items.round_id", "round_items.id"],
            name="fk_frozen_answers_item",
            ondelete="CASCADE",
        ),
    )


class ChatBindingRow(Base):
    """Which workshop a chat is in; the chat is stored as a keyed hash (private chats are people)."""

    __tablename__ = "chat_bindings"

    chat_key: Mapped[str] = mapped_column(KEY, primary_key=True)
    # Indexed: every bot process reads the bindings of each workshop with an open round together.
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    # The workshop was created in this chat: with group_admins_are_facilitators its admins lead it.
    origin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class RoomRow(Base):
    """A group chat or channel where a workshop runs (groups, not people, so ids are kept).

    ``title`` names the room to the facilitator when a post to it fails; ``thread_id`` is the
    forum topic (Telegram) the room was bound in, where its posts go.
    """

    __tablename__ = "rooms"

    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace: Mapped[str | None] = mapped_column(String(64), nullable=True)
    title: Mapped[str | None] = mapped_column(String(ROOM_TITLE_LENGTH), nullable=True)
    thread_id: Mapped[str | None] = mapped_column(String(32), nullable=True)


class PreferenceRow(Base):
    __tablename__ = "preferences"

    user_key: Mapped[str] = mapped_column(KEY, primary_key=True)
    language: Mapped[str] = mapped_column(String(2))


class SeenRequestRow(Base):
    """A platform request or update already handled (a hash of its identity), so a repeat changes nothing.

    Each row is kept as long as the platform may send it again (``expires_at``: a Slack request's
    replay window, a Telegram update's redelivery period), then deleted; bot processes share them.
    """

    __tablename__ = "seen_requests"

    key: Mapped[str] = mapped_column(KEY, primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class RateSlotRow(Base):
    """One place in a platform rate limit shared by every bot process (see storage.rate_budget).

    A budget (a bot token's overall messages, a Slack workspace's posts) has one row per message
    its window allows; ``budget`` is a hash, never the token or a platform id.
    """

    __tablename__ = "rate_slots"

    budget: Mapped[str] = mapped_column(KEY, primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holder: Mapped[str | None] = mapped_column(String(64), nullable=True)
    taken_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LiveMessageRow(Base):
    """A live message (an open round's tally in a room) and which bot process edits it.

    ``holder`` edits it while ``lease_until`` lies ahead, and renews the lease as it goes; a
    lease run out (its process died or stopped) is taken over by another process, or by the
    same one after a restart. ``last_edit_at`` and ``last_text`` carry the edit budget and the
    text shown over to the next holder. Rooms are groups, not people, so the ids are kept.
    """

    __tablename__ = "live_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    workspace: Mapped[str | None] = mapped_column(String(64), nullable=True)
    thread_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    message_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    last_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_edit_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    holder: Mapped[str] = mapped_column(String(64))
    lease_until: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class FollowupTagsRow(Base):
    """The commitments of a follow-up round (``/uppfoljning``) as they were asked: per item
    position the party that made it and the principles it serves, ``[[party, [key, …]], …]``.

    Kept once per round (the first keeper wins), so a later edit of the process file never
    regroups a closed round's published figures (see :mod:`facilitation.followup.records`).
    """

    __tablename__ = "followup_tags"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    tags: Mapped[list[list[object]]] = mapped_column(JSON)


class WorkshopItemRow(Base):
    """What a workshop changed of one statement or principle of its process (by key), or an item
    the process lacks (added in chat, or an accepted proposal). See :mod:`facilitation.content`."""

    __tablename__ = "workshop_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    catalogue: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(40))
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    text_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str] = mapped_column(String(16), default="template")
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reworded: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("workshop_id", "catalogue", "key", name="uq_workshop_items_key"),)


class ProposalRoundRow(Base):
    """A workshop's call for proposals of statements or principles."""

    __tablename__ = "proposal_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    catalogue: Mapped[str] = mapped_column(String(16))
    per_person: Mapped[int] = mapped_column(Integer)
    per_round: Mapped[int] = mapped_column(Integer)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProposalRow(Base):
    """One proposal, under its author's pseudonymous key in the workshop (limits, forgetting);
    no time is stored with it, and its number runs over the whole round."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("proposal_rounds.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    author_key: Mapped[str] = mapped_column(KEY, index=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    merged_into: Mapped[int | None] = mapped_column(Integer, nullable=True)
    item_key: Mapped[str | None] = mapped_column(String(40), nullable=True)

    __table_args__ = (UniqueConstraint("round_id", "number", name="uq_proposals_number"),)


class ConclusionRow(Base):
    """What the room concluded about a round, in the facilitator's words (the latest counts; no
    author is kept). Not a figure: it may be written after the round closed."""

    __tablename__ = "conclusions"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class YearlyRoundRow(Base):
    """A closed barometer that is its process's round of a year (``/arsomgang``): one per year and
    process, a round for one year at most."""

    __tablename__ = "yearly_rounds"

    process_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), unique=True)

"""The reminder to the undecided before a deadline round closes, through the REAL
python-telegram-bot Application against the Bot API stand-in (the rig of tests/test_telegram_flow.py).

Participants join in their private chats; the one who answered, the one who said ``/stoppa`` and
the one who blocked the bot get nothing; the undecided get one reminder in their language, and
ticking again (in this or another "process") sends nothing more. A copy of the database holds
no participant's id: the addresses are sealed under the installation's secret.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from facilitation.model import RoundStatus
from facilitation.people.reach import Sealer
from facilitation.people.reminders import DeadlineReminder, remind_at
from storage.people_repository import SqlDeadlines, SqlReach
from tests.test_telegram_flow import GROUP, Rig
from tests.test_telegram_flow import rig as rig  # the real python-telegram-bot app on the stand-in

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")

ANSWERED = 913_572_468_001
STOPPED = 913_572_468_002
UNDECIDED = 913_572_468_003
ENGLISH = 913_572_468_004
BLOCKED = 913_572_468_005
EVERYONE = (ANSWERED, STOPPED, UNDECIDED, ENGLISH, BLOCKED)


async def _deadline_round(rig: Rig) -> tuple[str, int]:
    """A workshop in GROUP, a barometer closing in 2 h, and everyone joined in a private chat."""
    await rig.command("/workshop varmland-2015 Workshop i Karlstad", chat_title="Karlstad")
    created = next(m.text for m in rig.api.sent_messages(GROUP) if m.text and "Anslutningskod" in m.text)
    code = created.split("Anslutningskod: ")[1].split()[0]
    await rig.command("/barometer 1,2 slut=2h")
    workshop = await rig.app.service.workshop_by_code(code)
    round_ = await rig.app.service.open_round_of(workshop.id)
    assert round_ is not None
    for person in EVERYONE:
        await rig.command(f"/start {code}", user=person, chat=person)
    return code, round_.id


def _reminders(rig: Rig, person: int) -> list[str]:
    return [
        m.text or ""
        for m in rig.api.sent_messages(person)
        if "Påminnelse: omgång" in (m.text or "") or "Reminder: round" in (m.text or "")
    ]


def _later(rig: Rig, by: timedelta) -> None:
    """Move the app's clock on (the injected clock every part of it reads)."""
    real = rig.app.service.clock
    rig.app.service.clock = lambda: real() + by


async def test_one_reminder_goes_to_exactly_the_undecided(rig: Rig) -> None:
    _, round_id = await _deadline_round(rig)
    # One answers (in the group), one stops reminders, one reads English, one blocks the bot.
    [(message_id, data), *_] = rig.markups(GROUP, "b.")
    await rig.process(rig.api.callback_update(ANSWERED, GROUP, message_id, data[0]))
    await rig.command("/stoppa", user=STOPPED, chat=STOPPED)
    assert "inga fler påminnelser om omgångar" in (rig.api.last_text(STOPPED) or "")
    await rig.command("/sprak en", user=ENGLISH, chat=ENGLISH)
    rig.api.block_bot(BLOCKED)
    assert rig.app.reach is not None
    reach_store = rig.app.reach.store
    assert len(await reach_store.rows(1)) == 4  # the stopped one keeps only a tag

    first = DeadlineReminder(SqlDeadlines(rig.app.engine), rig.app.reach, "first-process")
    second = DeadlineReminder(SqlDeadlines(rig.app.engine), rig.app.reach, "second-process")
    assert await first.tick() == 0  # not due yet: 2 h minus 12 min (10 % of the round)
    _later(rig, timedelta(hours=1, minutes=47))
    assert await first.tick() == 0
    _later(rig, timedelta(minutes=2))
    assert await first.tick() + await second.tick() == 2

    [swedish] = _reminders(rig, UNDECIDED)
    assert swedish.startswith(f"Påminnelse: omgång {round_id} i Workshop i Karlstad stänger kl. ")
    assert "du har inte svarat än" in swedish and "/rosta" in swedish and "/stoppa" in swedish
    [english] = _reminders(rig, ENGLISH)
    assert english.startswith(f"Reminder: round {round_id} in Workshop i Karlstad closes at ")
    assert "/vote" in english
    assert _reminders(rig, ANSWERED) == [] and _reminders(rig, STOPPED) == []
    assert len(await reach_store.rows(1)) == 3  # the blocked one's address is gone for good

    # Ticking again, here or in another process, reminds nobody a second time.
    _later(rig, timedelta(minutes=5))
    assert await first.tick() + await second.tick() == 0
    assert len(_reminders(rig, UNDECIDED)) == 1 and len(_reminders(rig, ENGLISH)) == 1
    # The reminder's "/rosta here" works in that private chat.
    await rig.command("/rosta", user=UNDECIDED, chat=UNDECIDED)
    assert rig.markups(UNDECIDED, "b.")
    # The round still closes at its deadline, not at the reminder.
    assert (await rig.app.service.require_round(round_id)).status == RoundStatus.OPEN


async def test_a_claim_taken_over_after_a_crash_reminds_nobody_twice(rig: Rig) -> None:
    _, round_id = await _deadline_round(rig)
    assert rig.app.reach is not None
    store, deadlines = rig.app.reach.store, SqlDeadlines(rig.app.engine)
    _later(rig, timedelta(hours=1, minutes=50))
    now = rig.app.service.clock()
    # A process claims the reminder, marks (and sends to) one person, and dies.
    assert await deadlines.claim_reminders(now, "crashed", now + timedelta(minutes=2)) == [round_id]
    first = (await store.rows(1))[0]
    assert await store.claim(first.id, round_id)
    taker = DeadlineReminder(deadlines, rig.app.reach, "taker")
    assert await taker.tick() == 0  # the lease still holds
    _later(rig, timedelta(minutes=3))
    assert await taker.tick() == len(EVERYONE) - 1  # taken over: everyone but the one marked
    assert await taker.tick() == 0
    reached = [person for person in EVERYONE if _reminders(rig, person)]
    assert len(reached) == len(EVERYONE) - 1
    assert not await deadlines.reminded(round_id, "crashed")  # the dead holder's claim is not theirs now


async def test_stop_and_resume_and_forget(rig: Rig) -> None:
    await _deadline_round(rig)
    assert rig.app.reach is not None
    store = rig.app.reach.store
    await rig.command("/stoppa", user=UNDECIDED, chat=UNDECIDED)
    # Joining again does not seal the address again after /stoppa.
    code_text = next(m.text for m in rig.api.sent_messages(GROUP) if m.text and "Anslutningskod" in m.text)
    code = code_text.split("Anslutningskod: ")[1].split()[0]
    await rig.command(f"/delta {code}", user=UNDECIDED, chat=UNDECIDED)
    assert len(await store.rows(1)) == len(EVERYONE) - 1
    await rig.command("/paminnelser", user=UNDECIDED, chat=UNDECIDED)
    assert "påminnelser om omgångar du inte har svarat på igen" in (rig.api.last_text(UNDECIDED) or "")
    assert len(await store.rows(1)) == len(EVERYONE)
    # /glom deletes the row (tag and all).
    await rig.command("/glom", user=UNDECIDED, chat=UNDECIDED)
    [(message_id, [data])] = rig.markups(UNDECIDED, "fg")
    await rig.process(rig.api.callback_update(UNDECIDED, UNDECIDED, message_id, data))
    assert len(await store.rows(1)) == len(EVERYONE) - 1
    tag = rig.app.reach.tag_in("telegram", str(UNDECIDED), 1)
    assert await store.rows_of([tag]) == []
    # Someone who is no contact and has no reminders is still told so by /stoppa.
    await rig.command("/stoppa", user=424242, chat=424242)
    assert "inte som kontaktperson" in (rig.api.last_text(424242) or "")


async def test_a_copy_of_the_database_holds_no_address(rig: Rig) -> None:
    await _deadline_round(rig)
    database = rig.app.settings.data_dir / "dialogbot.sqlite3"
    with sqlite3.connect(database) as copy:
        dump = "\n".join(copy.iterdump())
        rows = copy.execute("SELECT workshop_id, tag, sealed FROM sealed_addresses").fetchall()
    assert len(rows) == len(EVERYONE)
    for person in EVERYONE:
        assert str(person) not in dump
    raw = b"".join(p.read_bytes() for p in rig.app.settings.data_dir.glob("dialogbot.sqlite3*"))
    assert not any(str(person).encode() in raw for person in EVERYONE)
    # The installation's secret opens them; another secret (a copy without it) opens none.
    secret = rig.app.settings.secret
    opened = {Sealer(secret).open(sealed, workshop_id, tag) for workshop_id, tag, sealed in rows}
    assert {a.user_id for a in opened if a is not None} == {str(p) for p in EVERYONE}
    stranger = Sealer("another-secret-0123456789")
    assert [stranger.open(sealed, workshop_id, tag) for workshop_id, tag, sealed in rows] == [None] * len(
        rows
    )
    # A sealed address moved to another row (another tag or workshop) does not open either.
    (w1, t1, s1), (_, t2, _) = rows[0], rows[1]
    assert Sealer(secret).open(s1, w1, t2) is None and Sealer(secret).open(s1, w1 + 1, t1) is None
    # The reach store reads them back sealed, never in clear.
    stored = await SqlReach(rig.app.engine).rows(w1)
    assert all(str(p) not in (r.sealed or "") for r in stored for p in EVERYONE)


def test_the_reminder_time_is_an_hour_before_or_a_tenth_of_a_short_round() -> None:
    from datetime import UTC, datetime

    opened = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert remind_at(opened, opened + timedelta(days=2)) == opened + timedelta(days=2, hours=-1)
    assert remind_at(opened, opened + timedelta(minutes=90)) == opened + timedelta(minutes=81)
    assert remind_at(opened, opened + timedelta(minutes=1)) > opened  # never before the launch


async def test_one_who_joined_in_the_group_and_never_started_is_tried_once_and_kept_for_later(
    rig: Rig,
) -> None:
    """Telegram refuses the reminder (403 "bot can't initiate conversation"): tried once this round,
    the address kept (unlike a blocked chat's), so the next round reaches them after their Start."""
    code, _ = await _deadline_round(rig)
    in_group = 913_572_468_006
    rig.api.never_started(in_group)
    await rig.command(f"/delta {code}", user=in_group)  # joined in the group, never in private
    assert rig.app.reach is not None
    store = rig.app.reach.store
    kept = len(await store.rows(1))
    reminder = DeadlineReminder(SqlDeadlines(rig.app.engine), rig.app.reach, "one-process")

    def tried() -> list[int]:
        return [c.status for c in rig.api.calls_to("sendMessage") if c.params.get("chat_id") == in_group]

    _later(rig, timedelta(hours=1, minutes=49))
    assert await reminder.tick() == len(EVERYONE)
    assert tried() == [403]
    assert len(await store.rows(1)) == kept
    _later(rig, timedelta(minutes=5))
    await reminder.tick()
    assert tried() == [403]  # not again this round

    await rig.command("/start", user=in_group, chat=in_group)  # the Start button
    await rig.command("/stang")
    await rig.command("/barometer 1,2 slut=2h")
    _later(rig, timedelta(hours=1, minutes=50))
    assert await reminder.tick() >= 1
    assert _reminders(rig, in_group), "the next round's reminder did not reach them after their Start"

"""A reminder to a chat that is gone for good (blocked, kicked, deleted) is not retried: it fails
with its reason, the organisers are told once, every other contact gets theirs; a group that
became a supergroup is followed to its new id."""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from bot.meetings_runner import Dispatcher
from facilitation.meetings import due_time, parse_meetings
from facilitation.meetings.chat import install
from storage.meetings_repository import SqlMeetingStore
from tests.harness import LocalHarness
from tests.reminder_platforms import telegram
from tests.test_reminders_dispatch import Clock, local

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")
MEETING = local(2027, 3, 9, 10)
ORGANISER = 4242
CONTACTS = {"anna": 101, "bo": 102, "cilla": 103, "styrgrupp": -5001, "kommun": -5002}


async def imported(store: SqlMeetingStore) -> None:
    await store.import_config(
        parse_meetings(
            {
                "signatories": [
                    {
                        "key": "region",
                        "name": "Region Värmland",
                        "contacts": [
                            {"key": key, "name": key.title(), "telegram": chat}
                            for key, chat in CONTACTS.items()
                        ],
                    }
                ],
                "meetings": [
                    {
                        "key": "dialogmote",
                        "title": "Årligt dialogmöte",
                        "start": "2027-03-09T10:00",
                        "reminder_offsets": ["7d", "1d"],
                    }
                ],
            },
            "gone.toml",
            "varmland-2015",
        )
    )


async def test_gone_chats_fail_for_good_the_organisers_are_told_once_the_others_get_theirs(
    meetings_sqlite: SqlMeetingStore,
) -> None:
    await imported(meetings_sqlite)
    clock = Clock(due_time(MEETING, timedelta(days=7)).astimezone(UTC))
    async with telegram() as platform:
        platform.api.block_bot(CONTACTS["bo"])
        platform.api.kick_bot(CONTACTS["styrgrupp"])
        platform.api.delete_chat(CONTACTS["kommun"])
        dispatcher = Dispatcher(
            meetings_sqlite,
            {"telegram": platform.port},
            None,
            clock=clock,
            organisers={"telegram": [str(ORGANISER)]},
        )
        result = await dispatcher.tick()
        assert (result.sent, result.failed) == (2, 3)
        # the others' reminders: each one document, the text as its caption (and the calendar file)
        assert platform.sends("sendDocument") == {CONTACTS["anna"]: 1, CONTACTS["cilla"]: 1}
        assert set(platform.sends("sendMessage")) == {ORGANISER}
        told = [m.text for m in platform.api.sent_messages(ORGANISER)]
        assert len(told) == 3 and all(
            "Årligt dialogmöte" in text and "Region Värmland" in text for text in told
        )
        assert any("Bo (Region Värmland) på Telegram: kontot har blockerat boten" in text for text in told)
        assert any(
            "Styrgrupp (Region Värmland) på Telegram: boten har tagits bort ur gruppen" in text
            for text in told
        )
        assert any("Kommun (Region Värmland) på Telegram: chatten finns inte längre" in text for text in told)
        failed = await meetings_sqlite.deliveries("failed")
        assert len(failed) == 3
        clock.set(clock.now + timedelta(hours=2))
        assert (await dispatcher.tick()).failed == 0, "a gone chat was tried again"
        # The next reminder is tried once more (the person may have come back), but the organiser
        # is not told again about the same contact.
        clock.set(due_time(MEETING, timedelta(days=1)))
        result = await dispatcher.tick()
        assert (result.sent, result.failed) == (2, 3)
        assert len(platform.api.sent_messages(ORGANISER)) == 3
    errors = {row.contact_id: row for row in await meetings_sqlite.deliveries("failed")}
    assert len(errors) == 3


async def test_a_group_that_became_a_supergroup_is_followed(meetings_sqlite: SqlMeetingStore) -> None:
    await imported(meetings_sqlite)
    clock = Clock(due_time(MEETING, timedelta(days=7)).astimezone(UTC))
    async with telegram() as platform:
        new_id, _ = platform.api.upgrade_group(CONTACTS["kommun"])
        dispatcher = Dispatcher(meetings_sqlite, {"telegram": platform.port}, None, clock=clock, ics="none")
        first = await dispatcher.tick()
        second = await dispatcher.tick()
        assert first.sent + second.sent == 5
        assert platform.sends("sendMessage")[new_id] == 1
    (kommun,) = [c for c in await meetings_sqlite.contacts() if c.contact.key == "kommun"]
    assert kommun.contact.address == str(new_id)
    assert (await meetings_sqlite.status_counts())["sent"] == 5


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_reminders_status_and_osa_name_the_contacts_no_reminder_reaches(
    backend: str,
    tmp_path: Path,
    cli,
    request: pytest.FixtureRequest,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A contact whose chat is gone hears of no meeting until they add the bot again: the organisers
    are told once, and ``/osa`` and ``dialogbot reminders status`` keep naming them until then."""
    settings = {}
    if backend == "postgres":
        settings["database_url"] = request.getfixturevalue("pg_database")
        monkeypatch.setenv("DIALOGBOT_DATABASE_URL", settings["database_url"])
    harness = await LocalHarness.start(tmp_path / "data", **settings)
    try:
        store = SqlMeetingStore(
            harness.app.engine, write_lock=getattr(harness.app.store, "_write_lock", None)
        )
        await imported(store)
        clock = Clock(due_time(MEETING, timedelta(days=7)).astimezone(UTC))
        install(harness.app.conversation, store, clock=clock)
        async with telegram() as platform:
            platform.api.block_bot(CONTACTS["bo"])
            platform.api.kick_bot(CONTACTS["styrgrupp"])
            dispatcher = Dispatcher(store, {"telegram": platform.port}, None, clock=clock, ics="none")
            assert (await dispatcher.tick()).failed == 2
            told = "\n".join(await harness.run("/osa"))
            assert "Påminnelserna når inte 2 kontaktperson(er)" in told, told
            assert "• Bo (Region Värmland) på Telegram: kontot har blockerat boten eller är avstängt" in told
            assert "• Styrgrupp (Region Värmland) på Telegram: boten har tagits bort ur gruppen" in told
            assert "Anna" not in told and "Kommun" not in told
            assert not any(
                "når inte" in line for line in await harness.run("@anna /osa")
            )  # facilitators only

            code, out, _ = await asyncio.to_thread(cli, "reminders", "status")  # it runs its own loop
            assert code == 0
            listed = out.split("unreachable (", 1)[1].splitlines()[1:]
            assert [line.split("\t")[:5] for line in listed] == [
                [
                    "  varmland-2015",
                    "bo",
                    "Bo",
                    "Region Värmland (region)",
                    "telegram: the account has blocked the bot or is deactivated",
                ],
                [
                    "  varmland-2015",
                    "styrgrupp",
                    "Styrgrupp",
                    "Region Värmland (region)",
                    "telegram: the bot was removed from the group",
                ],
            ]

            # Bo starts the bot again: the next reminder reaches him and he is no longer named.
            platform.api.unblock_bot(CONTACTS["bo"])
            clock.set(due_time(MEETING, timedelta(days=1)))
            assert ((result := await dispatcher.tick()).sent, result.failed) == (4, 1)
            told = "\n".join(await harness.run("/osa"))
            assert "Påminnelserna når inte 1 kontaktperson(er)" in told and "Bo (" not in told, told
            assert "\tbo\t" not in (await asyncio.to_thread(cli, "reminders", "status"))[1]
    finally:
        await harness.close()

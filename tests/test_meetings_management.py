"""Signatories and contacts managed from the TOML import, the CLI and chats side by side, and
``dialogbot reminders status`` showing what is scheduled right after an import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from facilitation.meetings import STOCKHOLM, Contact, parse_meetings
from facilitation.meetings.store import CHAT, CLI, FILE, DuplicateKey, ManagedByFile, UnknownSignatory
from facilitation.model import Language
from storage.database import create_engine
from storage.meetings_repository import SqlMeetingStore
from storage.migrate import upgrade

PROCESS = "varmland-2015"
EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "meetings" / "varmland-2015.toml"


def config(*contacts: str, signatories: tuple[str, ...] = ("region",)):  # type: ignore[no-untyped-def]
    doc = {
        "signatories": [
            {
                "key": key,
                "name": key.title(),
                "contacts": [{"key": c, "name": c.title(), "local": c} for c in contacts if key == "region"],
            }
            for key in signatories
        ],
        "meetings": [{"key": "dialogmote", "title": "Årligt dialogmöte", "start": "2027-03-09T10:00"}],
    }
    return parse_meetings(doc, "test.toml", PROCESS)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlMeetingStore]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'manage.sqlite3'}"
    engine = create_engine(url)
    await upgrade(url, engine)
    yield SqlMeetingStore(engine)
    await engine.dispose()


async def test_import_follows_only_file_rows(store: SqlMeetingStore) -> None:
    await store.import_config(config("anna", "bo", signatories=("region", "kommun")))
    await store.add_signatory(PROCESS, "forum", "Idéburet forum", CLI)
    await store.add_contact(PROCESS, "forum", Contact("forum-eva", "Eva", "local", "eva"), CHAT)
    await store.add_contact(PROCESS, "region", Contact("region-cli", "Cilla", "local", "cilla"), CLI)
    # the file drops bo and the kommun signatory; what the CLI and a chat added stays
    result = await store.import_config(config("anna"))
    assert result.deactivated == 1
    active = {c.contact.key: c.source for c in await store.contacts()}
    assert active == {"anna": FILE, "forum-eva": CHAT, "region-cli": CLI}
    signatories = {s.key: (s.active, s.source) for s in await store.signatories()}
    assert signatories == {"region": (True, FILE), "kommun": (False, FILE), "forum": (True, CLI)}


async def test_contacts_of_a_signatory_that_left_get_no_reminders(store: SqlMeetingStore) -> None:
    await store.import_config(config("anna", signatories=("region", "kommun")))
    await store.add_contact(PROCESS, "kommun", Contact("kommun-eva", "Eva", "local", "eva"), CHAT)
    await store.import_config(config("anna"))  # kommun left the file
    assert [c.contact.key for c in await store.contacts()] == ["anna"]
    eva = next(c for c in await store.contacts(active_only=False) if c.contact.key == "kommun-eva")
    assert not eva.active


async def test_opt_out_follows_the_person_when_the_file_renames_their_key(store: SqlMeetingStore) -> None:
    await store.import_config(config("anna"))
    (anna,) = await store.contacts()
    await store.opt_out([anna.id])
    renamed = parse_meetings(
        {
            "signatories": [
                {
                    "key": "region",
                    "name": "Region",
                    "contacts": [{"key": "region-anna", "name": "Anna", "local": "anna"}],
                }
            ]
        },
        "test.toml",
        PROCESS,
    )
    await store.import_config(renamed)
    assert [(c.contact.key, c.contact.opted_out) for c in await store.contacts()] == [("region-anna", True)]


async def test_store_refusals_change_nothing(store: SqlMeetingStore) -> None:
    await store.import_config(config("anna"))
    with pytest.raises(DuplicateKey):
        await store.add_signatory(PROCESS, "region", "Dubblett", CLI)
    with pytest.raises(UnknownSignatory):
        await store.add_contact(PROCESS, "saknas", Contact("x", "X", "local", "x"), CLI)
    with pytest.raises(DuplicateKey):  # another person under an existing key
        await store.add_contact(PROCESS, "region", Contact("anna", "Anna 2", "local", "anna2"), CLI)
    with pytest.raises(ManagedByFile):
        await store.remove_contact(PROCESS, "anna")
    with pytest.raises(ManagedByFile):
        await store.remove_signatory(PROCESS, "region")
    stored, created = await store.add_contact(
        PROCESS, "region", Contact("other-key", "Anna", "local", "anna"), CLI
    )
    assert not created and stored.contact.key == "anna"  # the same person is not added twice
    assert [c.contact.key for c in await store.contacts()] == ["anna"]
    assert [s.key for s in await store.signatories()] == ["region"]


# --- the command line ------------------------------------------------------------------------


def test_cli_manages_signatories_and_contacts(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("reminders", "import", str(EXAMPLE))[0] == 0
    code, out, _ = cli("signatories", "add", PROCESS, "forum", "Värmlands", "idéburna", "forum")
    assert code == 0 and "added signatory forum (Värmlands idéburna forum)" in out
    code, out, _ = cli(
        "contacts", "add", PROCESS, "forum", "--name", "Eva Ek", "--telegram", "555000111", "--language", "en"
    )
    assert code == 0 and "added contact forum.telegram-" in out and "555000111" not in out
    code, out, _ = cli(
        "contacts", "add", PROCESS, "forum", "--name", "Fredrik", "--slack", "U0FRED", "--workspace", "T0TEAM"
    )
    assert code == 0

    code, out, _ = cli("contacts", "list", PROCESS)
    assert code == 0
    eva = next(line for line in out.splitlines() if "Eva Ek" in line)
    assert (
        "Värmlands idéburna forum (forum)" in eva
        and "telegram, not reachable (telegram is not configured)" in eva
    )
    assert "\tactive\tfrom cli" in eva
    anna = next(line for line in out.splitlines() if "Anna Andersson" in line)
    assert "local, reachable" in anna and "from file" in anna
    assert "555000111" not in out and "U0FRED" not in out  # no platform ids in the listing

    code, out, _ = cli("signatories", "list", "--process", PROCESS)
    assert "forum\tVärmlands idéburna forum\t2 contacts\tfrom cli" in out

    # re-importing the file keeps what the CLI added
    assert cli("reminders", "import", str(EXAMPLE))[0] == 0
    assert "Eva Ek" in cli("contacts", "list")[1]

    listing = cli("contacts", "list", PROCESS)[1]
    key = next(line.split("\t")[1] for line in listing.splitlines() if "Fredrik" in line)
    code, out, _ = cli("contacts", "remove", PROCESS, key)
    assert code == 0 and f"removed contact {key}" in out
    code, out, _ = cli("signatories", "remove", PROCESS, "forum")
    assert code == 0 and "with its 1 contact(s)" in out
    assert "forum" not in cli("signatories", "list")[1] and "Eva Ek" not in cli("contacts", "list")[1]


def test_cli_refusals_exit_2_and_change_nothing(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("reminders", "import", str(EXAMPLE))[0] == 0
    assert cli("signatories", "add", PROCESS, "forum", "Forum")[0] == 0
    before = (cli("signatories", "list")[1], cli("contacts", "list")[1])
    refused = {
        ("signatories", "add", "narnia", "forum", "Forum"): "unknown process 'narnia'",
        ("signatories", "add", PROCESS, "forum", "Forum"): "signatory 'forum' already exists",
        ("signatories", "add", PROCESS, "Forum X", "Forum"): "'Forum X' must be lower-case",
        ("signatories", "add", PROCESS, "f" * 65, "Forum"): "is 65 characters long; at most 64 fit",
        ("signatories", "remove", PROCESS, "saknas"): "no active signatory 'saknas'",
        ("signatories", "remove", PROCESS, "region-varmland"): "comes from the configuration file",
        ("contacts", "add", "narnia", "forum", "--name", "Eva", "--local", "eva"): "unknown process 'narnia'",
        (
            "contacts",
            "add",
            PROCESS,
            "saknas",
            "--name",
            "Eva",
            "--local",
            "eva",
        ): "no active signatory 'saknas'",
        (
            "contacts",
            "add",
            PROCESS,
            "forum",
            "--name",
            "Eva",
            "--telegram",
            "@eva",
        ): "not a numeric Telegram chat id",
        (
            "contacts",
            "add",
            PROCESS,
            "forum",
            "--name",
            "Eva",
            "--slack",
            "eva",
        ): "not a Slack user or channel id",
        (
            "contacts",
            "add",
            PROCESS,
            "forum",
            "--name",
            "Eva",
            "--telegram",
            "5",
            "--workspace",
            "T1",
        ): "only Slack contacts have a workspace",
        ("contacts", "add", PROCESS, "forum", "--name", " ", "--local", "eva"): "the name is empty",
        (
            "contacts",
            "add",
            PROCESS,
            "forum",
            "--name",
            "Eva",
            "--local",
            "eva",
            "--key",
            "region-anna",
        ): "contact 'region-anna' already exists",
        (
            "contacts",
            "add",
            PROCESS,
            "region-varmland",
            "--name",
            "Anna",
            "--local",
            "anna",
        ): "Anna Andersson is already a contact of Region Värmland",
        ("contacts", "remove", PROCESS, "region-anna"): "comes from the configuration file",
        ("contacts", "remove", PROCESS, "saknas"): "no contact 'saknas'",
        ("contacts", "list", "narnia"): "unknown process 'narnia'",
    }
    for argv, message in refused.items():
        code, out, err = cli(*argv)
        assert (code, out) == (2, ""), argv
        assert err.startswith("error: ") and message in err, (argv, err)
    assert (cli("signatories", "list")[1], cli("contacts", "list")[1]) == before


def test_status_right_after_an_import_shows_what_is_scheduled(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    soon = (datetime.now(STOCKHOLM) + timedelta(days=10)).replace(hour=10, minute=0, second=0, microsecond=0)
    later = soon + timedelta(days=100)
    file = tmp_path / "halland.toml"
    file.write_text(
        f'''
[process]
key = "halland"
[[signatories]]
key = "region"
name = "Region Halland"
[[signatories.contacts]]
name = "Anna"
local = "anna"
[[signatories.contacts]]
name = "Bo"
local = "bo"
[[meetings]]
key = "traff"
title = "Dialogträff"
start = "{soon:%Y-%m-%dT%H:%M}"
reminder_offsets = ["7d", "1d"]
[[meetings]]
key = "konferens"
title = "Samverkanskonferens"
start = "{later:%Y-%m-%dT%H:%M}"
reminder_offsets = ["30d"]
''',
        encoding="utf-8",
    )
    assert cli("reminders", "import", str(file))[0] == 0
    code, out, _ = cli("reminders", "status")
    assert code == 0
    assert "pending 4," in out and "(total 4)" in out and "planned now: 4 new" in out
    next_due = next(line for line in out.splitlines() if line.startswith("next due:"))
    assert next_due == f"next due: {soon - timedelta(days=7):%Y-%m-%d %H:%M %Z}"
    upcoming = [line.split("\t")[1:] for line in out.split("upcoming:\n", 1)[1].splitlines()]
    assert upcoming == [
        ["halland/traff", "7d before", "2 contacts"],
        ["halland/traff", "1d before", "2 contacts"],
        ["halland/konferens", "30d before", "2 contacts"],
    ]  # the last beyond the bot's horizon
    # planning is idempotent: a second status adds nothing
    assert "planned now: 0 new" in cli("reminders", "status")[1]


@pytest.mark.postgres
async def test_values_at_every_limit_import_plan_and_claim_on_postgres(pg_database: str) -> None:
    long_process = "p" * 40
    doc = {
        "signatories": [
            {
                "key": "s" * 64,
                "name": "N" * 200,
                "contacts": [
                    {
                        "key": "c" * 100,
                        "name": "K" * 200,
                        "slack": "U" + "A" * 63,
                        "workspace": "T" + "B" * 63,
                    }
                ],
            }
        ],
        "meetings": [
            {
                "key": "m" * 64,
                "title": "T" * 300,
                "place": "P" * 300,
                "link": "https://" + "l" * 492,
                "start": "2027-03-09T10:00",
                "rrule": "FREQ=YEARLY;BYMONTH=3;BYDAY=2TU",
                "reminder_offsets": ["3650d", "1d"],
            }
        ],
    }
    config = parse_meetings(doc, "limits.toml", long_process)
    engine = create_engine(pg_database)
    try:
        store = SqlMeetingStore(engine)
        await store.import_config(config)
        occurrence = datetime(2027, 3, 9, 10, tzinfo=STOCKHOLM)
        from bot.meetings_runner import Dispatcher

        assert (
            await Dispatcher(store, {}, horizon=timedelta(days=4000)).plan(occurrence - timedelta(days=3651))
            > 0
        )
        assert await store.claim("w", occurrence, 10) != []
        (contact,) = await store.contacts()
        assert contact.contact.language == Language.SV
    finally:
        await engine.dispose()


def test_status_before_the_first_start_creates_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("reminders", "status")
    assert code == 0 and "nothing stored yet: there is no database file" in out and "upcoming" not in out
    assert not (tmp_path / "data").exists()


def test_status_of_an_empty_database(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("db", "upgrade")[0] == 0
    code, out, _ = cli("reminders", "status")
    assert code == 0 and "(total 0)" in out and "next due: –" in out and "upcoming" not in out


def test_status_with_a_meeting_that_cannot_be_planned(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A meeting row stored before offsets were validated ("1000000d") stops neither the others nor status."""
    from config.settings import load_settings
    from facilitation.meetings import Meeting, MeetingsConfig
    from tests.conftest import in_thread

    soon = (datetime.now(STOCKHOLM) + timedelta(days=10)).replace(hour=10, minute=0, second=0, microsecond=0)
    assert cli("db", "upgrade")[0] == 0  # creates the database (status, a listing, creates nothing)
    url = load_settings(None, env={}, env_file=None, data_dir=tmp_path / "data").effective_database_url

    async def store_rows() -> None:
        engine = create_engine(url)
        good = config("anna")
        broken = Meeting(
            "trasig", PROCESS, "Trasigt möte", soon, reminder_offsets=(timedelta(days=1_000_000),)
        )
        fine = Meeting(
            "dialogmote", PROCESS, "Årligt dialogmöte", soon, reminder_offsets=(timedelta(days=7),)
        )
        await SqlMeetingStore(engine).import_config(MeetingsConfig(PROCESS, good.signatories, (broken, fine)))
        await engine.dispose()

    in_thread(store_rows)
    code, out, err = cli("reminders", "status")
    assert code == 0, err
    assert "planned now: 1 new" in out and f"{PROCESS}/dialogmote\t7d before\t1 contacts" in out
    assert (
        f"problem: cannot plan {PROCESS}/trasig (OverflowError: date value out of range): fix it in its file "
        "and import it again"
    ) in out.splitlines()

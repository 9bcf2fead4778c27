"""Privacy by construction: keys are keyed hashes; stored rows never hold platform user ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from facilitation.buttons import ButtonCodec
from facilitation.errors import DomainError
from facilitation.pseudonym import Pseudonymizer
from tests.conftest import SECRET


def test_keys_are_stable_secret_dependent_and_platform_scoped() -> None:
    a = Pseudonymizer(SECRET)
    assert a.participant_key("telegram", "42", 1) == a.participant_key("telegram", "42", 1)
    assert a.participant_key("telegram", "42", 1) != a.participant_key("slack", "42", 1)
    assert a.participant_key("telegram", "42", 1) != Pseudonymizer(SECRET + "x").participant_key(
        "telegram", "42", 1
    )
    assert "42" not in a.participant_key("telegram", "42", 1)
    # One person, two workshops: unrelated keys, and neither is the key of their own settings.
    assert a.participant_key("telegram", "42", 1) != a.participant_key("telegram", "42", 2)
    assert a.user_key("telegram", "42") not in {a.participant_key("telegram", "42", w) for w in (1, 2)}
    with pytest.raises(ValueError):
        Pseudonymizer("short")
    # A forgotten contact's tombstone cannot be matched with their answers' key.
    assert a.contact_tombstone("telegram", "42") != a.participant_key("telegram", "42", 1)


def test_button_data_is_signed_and_fits_64_bytes() -> None:
    codec = ButtonCodec(Pseudonymizer(SECRET))
    data = codec.encode("b", 2_000_000_000, 2_000_000_000, 11)
    assert len(data.encode()) <= 64
    assert codec.decode(data) == ("b", (2_000_000_000, 2_000_000_000, 11))
    forged = data.replace(".11~", ".10~")
    for bad in [
        forged,
        "b.1.2.3",
        "b.1.2.3~AAAAAAAA",
        "",
        "x" * 80,
        data + "x",
        "b.1.1.1~ÅÄÖÅÄÖÅÄ",
        "b.1.2.3~" + "é" * 8,
        "s.1.1~\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000",
        ButtonCodec(Pseudonymizer(SECRET + "other")).encode("b", 1, 2, 3),
    ]:
        with pytest.raises(DomainError) as err:
            codec.decode(bad)
        assert err.value.key == "error.bad_button"


async def _dump(url: str) -> str:
    """Every row of every table as text (what someone with a copy of the database could read)."""
    from sqlalchemy import select

    import storage.meetings_models  # noqa: F401  (all tables)
    from storage.database import create_engine
    from storage.models import Base

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            lines = []
            for table in Base.metadata.sorted_tables:
                for row in (await connection.execute(select(table))).all():
                    lines.append(f"{table.name}: " + ",".join(repr(v) for v in row))
            return "\n".join(lines)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_database_holds_no_platform_ids(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from tests.harness import LocalHarness

    settings = {} if backend == "sqlite" else {"database_url": request.getfixturevalue("pg_database")}
    h = await LocalHarness.start(tmp_path, **settings)
    await h.run("/workshop varmland-2015 Test")
    code = h.port.messages[1].text.split("Anslutningskod: ")[1][:6]
    await h.run(":privat", f"@anna-svensson-4711 /delta {code}", "@anna-svensson-4711 /sprak en", ":rum")
    sector_message = h.last_message_with("Välj din sektor")
    await h.run(f"@anna-svensson-4711 {sector_message}.1", "/barometer 1,2")
    statement = h.last_message_with("1. Min organisation")
    await h.run(f"@anna-svensson-4711 {statement}.5")
    assert h.last_ack().startswith("Your answer: 5")
    secret = h.app.settings.secret
    url = h.app.settings.effective_database_url
    await h.close()
    dump = await _dump(url)
    assert "anna-svensson-4711" not in dump
    assert "dm-" not in dump  # private chats are people: stored only as keyed hashes
    assert "rooms: 1,'local','rum'" in dump  # a group room is not a person; kept to reach it again
    assert Pseudonymizer(secret).participant_key("local", "anna-svensson-4711", 1) in dump
    assert Pseudonymizer(secret).chat_key("local", "dm-anna-svensson-4711") in dump


async def _key_values_by_workshop(url: str) -> dict[int, set[str]]:
    """Every key-like value (32 hex digits) in the rows of every table, by the workshop the row
    belongs to (its ``workshop_id``, or its round's); rows of no workshop under 0."""
    import re

    from sqlalchemy import select

    import storage.meetings_models  # noqa: F401  (all tables)
    from storage.database import create_engine
    from storage.models import Base, RoundRow

    engine = create_engine(url)
    found: dict[int, set[str]] = {}
    try:
        async with engine.connect() as connection:
            workshop_of_round = dict(
                (await connection.execute(select(RoundRow.id, RoundRow.workshop_id))).all()
            )
            for table in Base.metadata.sorted_tables:
                for row in (await connection.execute(select(table))).mappings():
                    workshop = row.get("workshop_id") or workshop_of_round.get(row.get("round_id"), 0)
                    found.setdefault(workshop, set()).update(
                        v for v in row.values() if isinstance(v, str) and re.fullmatch(r"[0-9a-f]{32}", v)
                    )
    finally:
        await engine.dispose()
    return found


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_a_dump_cannot_link_a_person_across_workshops_and_forget_finds_both(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Issue 14: one person in two workshops (say two years' dialogue meetings) has unrelated keys
    in them, so a copy of the database alone cannot group their answers; ``/glom`` removes both."""
    from tests.harness import LocalHarness

    settings = {} if backend == "sqlite" else {"database_url": request.getfixturevalue("pg_database")}
    h = await LocalHarness.start(tmp_path, **settings)
    for year in (2025, 2026):
        await h.run(f"/workshop varmland-2015 Dialogmöte {year}")
        created = h.last_message_with("Anslutningskod")
        code = h.port.messages[created].text.split("Anslutningskod: ")[1][:6]
        await h.run(":privat", f"@anna /delta {code}", ":rum")
        await h.run(f"@anna {h.last_message_with('Välj din sektor')}.1", "/barometer 1")
        await h.run(f"@anna {h.last_message_with('1. Min organisation')}.4")  # the round stays open
    await h.run(":privat", "@anna /sprak en", ":rum")
    url = h.app.settings.effective_database_url
    pseudonymizer = Pseudonymizer(h.app.settings.secret)
    anna = {w: pseudonymizer.participant_key("local", "anna", w) for w in (1, 2)}
    values = await _key_values_by_workshop(url)
    assert anna[1] in values[1] and anna[2] in values[2]
    assert values[1] & values[2] == set()  # no key value common to the two workshops' rows
    assert pseudonymizer.user_key("local", "anna") not in values[1] | values[2]

    await h.run(":privat", "@anna /glom")
    await h.run(f"@anna {h.last_message_with('forget everything')}.1")
    assert h.last_ack().startswith("Done.")
    await h.close()
    values = await _key_values_by_workshop(url)
    assert not (set(anna.values()) | {pseudonymizer.user_key("local", "anna")}) & set().union(
        *values.values()
    )

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
    assert a.participant_key("telegram", "42") == a.participant_key("telegram", "42")
    assert a.participant_key("telegram", "42") != a.participant_key("slack", "42")
    assert a.participant_key("telegram", "42") != Pseudonymizer(SECRET + "x").participant_key("telegram", "42")
    assert "42" not in a.participant_key("telegram", "42")
    with pytest.raises(ValueError):
        Pseudonymizer("short")
    # A forgotten contact's tombstone cannot be matched with their answers' key.
    assert a.contact_tombstone("telegram", "42") != a.participant_key("telegram", "42")


def test_button_data_is_signed_and_fits_64_bytes() -> None:
    codec = ButtonCodec(Pseudonymizer(SECRET))
    data = codec.encode("b", 2_000_000_000, 2_000_000_000, 11)
    assert len(data.encode()) <= 64
    assert codec.decode(data) == ("b", (2_000_000_000, 2_000_000_000, 11))
    forged = data.replace(".11~", ".10~")
    for bad in [forged, "b.1.2.3", "b.1.2.3~AAAAAAAA", "", "x" * 80, data + "x", "b.1.1.1~ÅÄÖÅÄÖÅÄ",
                "b.1.2.3~" + "é" * 8, "s.1.1~\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000",
                ButtonCodec(Pseudonymizer(SECRET + "other")).encode("b", 1, 2, 3)]:
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
async def test_database_holds_no_platform_ids(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
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
    assert Pseudonymizer(secret).participant_key("local", "anna-svensson-4711") in dump
    assert Pseudonymizer(secret).chat_key("local", "dm-anna-svensson-4711") in dump

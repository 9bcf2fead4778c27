"""Privacy by construction: keys are keyed hashes; stored rows never hold platform user ids."""

from __future__ import annotations

import sqlite3
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


def test_button_data_is_signed_and_fits_64_bytes() -> None:
    codec = ButtonCodec(Pseudonymizer(SECRET))
    data = codec.encode("b", 2_000_000_000, 2_000_000_000, 11)
    assert len(data.encode()) <= 64
    assert codec.decode(data) == ("b", (2_000_000_000, 2_000_000_000, 11))
    forged = data.replace(".11~", ".10~")
    for bad in [forged, "b.1.2.3", "b.1.2.3~AAAAAAAA", "", "x" * 80, data + "x",
                ButtonCodec(Pseudonymizer(SECRET + "other")).encode("b", 1, 2, 3)]:
        with pytest.raises(DomainError) as err:
            codec.decode(bad)
        assert err.value.key == "error.bad_button"


async def test_database_file_holds_no_platform_ids(tmp_path: Path) -> None:
    from bot.app import App
    from bot.local import run_local
    from config.settings import load_settings

    settings = load_settings(None, env={}, env_file=None, data_dir=tmp_path,
                             facilitators={"local": ["facilitator"]}, chart_processes=0)
    app = await App.create(settings)
    script = "\n".join([
        "/workshop varmland-2015 Test",
        "@anna-svensson-4711 1.1",
        "@anna-svensson-4711 /sprak en",
        "/barometer 1,2",
        "@anna-svensson-4711 5.5",
    ])
    import io

    port = await run_local(app.conversation, tmp_path / "out", io.StringIO(script), write=lambda _: None)
    assert any("Your answer" in (text or "") for _, text in port.acks)
    await app.aclose()
    connection = sqlite3.connect(tmp_path / "dialogbot.sqlite3")
    dump = "\n".join(connection.iterdump())
    connection.close()
    assert "anna-svensson-4711" not in dump
    assert "rum" not in dump.replace("Jag håller", "")  # chat ids are hashed too
    key = Pseudonymizer(settings.secret).participant_key("local", "anna-svensson-4711")
    assert key in dump

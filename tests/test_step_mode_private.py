"""Step mode reaches people who vote in a private chat: /nasta sends them the next statement."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness import LocalHarness


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[LocalHarness]:
    h = await LocalHarness.start(tmp_path)
    yield h
    await h.close()


def private_messages(h: LocalHarness, who: str) -> list[str]:
    return [
        m.text
        for m in sorted(h.port.messages.values(), key=lambda m: m.id)
        if m.chat.is_private and m.chat.chat_id == f"dm-{who}"
    ]


def statement_buttons(h: LocalHarness, who: str, number: int) -> int:
    """The id of the newest message in ``who``'s private chat that carries statement ``number``."""
    return max(
        m.id
        for m in h.port.messages.values()
        if m.chat.chat_id == f"dm-{who}" and m.buttons and m.text.startswith(f"{number}. ")
    )


async def join_privately(h: LocalHarness, who: str, code: str) -> None:
    await h.run(":privat", f"@{who} /delta {code}")
    joined = max(m.id for m in h.port.messages.values() if m.chat.chat_id == f"dm-{who}")
    await h.run(f"@{who} {joined}.1", ":rum")  # idéburen sektor


async def test_next_statement_reaches_private_voters_without_rosta(harness: LocalHarness) -> None:
    h = harness
    await h.run("/workshop varmland-2015 Stegvis", "/barometer stegvis")
    code = re.search(r"Anslutningskod: (\w+)", h.port.messages[1].text).group(1)  # type: ignore[union-attr]
    for who in ("anna", "bertil", "cecilia"):
        await join_privately(h, who, code)
    # anna opens the round in private, bertil answers there; cecilia never opens it
    await h.run(":privat", "@anna /rosta", "@bertil /rosta", ":rum")
    await h.run(":privat", f"@bertil {statement_buttons(h, 'bertil', 1)}.4", ":rum")
    cecilia_before = len(private_messages(h, "cecilia"))
    await h.run("/nasta")
    for who in ("anna", "bertil"):
        texts = private_messages(h, who)
        assert any(text.startswith("Påstående 2 (2 av 7)") for text in texts), who
        message = statement_buttons(h, who, 2)
        assert len(h.port.messages[message].buttons[0]) == 5
    assert len(private_messages(h, "cecilia")) == cecilia_before
    # the buttons work: anna answers statement 2 in her private chat
    await h.run(":privat", f"@anna {statement_buttons(h, 'anna', 2)}.5", ":rum")
    assert h.last_ack().startswith("Ditt svar: 5")
    await h.run("/nasta")
    assert statement_buttons(h, "anna", 3) > statement_buttons(h, "anna", 2)


async def test_private_voter_in_english_and_forgotten_voters_get_nothing(harness: LocalHarness) -> None:
    h = harness
    await h.run("/workshop varmland-2015 Stegvis", "/barometer stegvis")
    code = re.search(r"Anslutningskod: (\w+)", h.port.messages[1].text).group(1)  # type: ignore[union-attr]
    await join_privately(h, "eva", code)
    await join_privately(h, "olof", code)
    await h.run(":privat", "@eva /sprak en", "@eva /rosta", "@olof /rosta", "@olof /glom", ":rum")
    confirm = max(m.id for m in h.port.messages.values() if m.chat.chat_id == "dm-olof" and m.buttons)
    await h.run(":privat", f"@olof {confirm}.1", ":rum")
    olof_before = len(private_messages(h, "olof"))
    await h.run("/nasta")
    assert any(text.startswith("Statement 2 (2 of 7)") for text in private_messages(h, "eva"))
    assert statement_buttons(h, "eva", 2)
    assert len(private_messages(h, "olof")) == olof_before


async def test_all_at_once_rounds_send_nothing_privately_on_next(harness: LocalHarness) -> None:
    """Outside step mode /nasta starts stepping in the rooms; private chats keep their buttons."""
    h = harness
    await h.run("/workshop varmland-2015 Alla", "/barometer")
    code = re.search(r"Anslutningskod: (\w+)", h.port.messages[1].text).group(1)  # type: ignore[union-attr]
    await join_privately(h, "anna", code)
    await h.run(":privat", "@anna /rosta", ":rum")
    before = len(private_messages(h, "anna"))
    await h.run("/stang")
    assert len(private_messages(h, "anna")) == before

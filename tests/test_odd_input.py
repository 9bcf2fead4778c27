"""Odd input gets a clear refusal in the user's language and changes nothing (issue 14, Low).

Huge or odd numbers, characters nobody can see, a selection that would build a huge list, a
forget-me confirmation pressed by someone else, and the generic error naming a command the
reader cannot use. Driven through the real conversation (local mode) on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from facilitation.barometer.flow import parse_selection
from facilitation.conversation import COMMANDS
from facilitation.errors import DomainError
from facilitation.i18n import t
from facilitation.model import Language
from facilitation.ports import ChatRef, CommandEvent, UserRef
from tests.harness import LocalHarness

HUGE = "99999999999999999999"
ROOM = ChatRef("local", "rum")
FACILITATOR = UserRef("local", "facilitator", "facilitator")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def h(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[LocalHarness]:
    settings = {} if request.param == "sqlite" else {"database_url": request.getfixturevalue("pg_database")}
    harness = await LocalHarness.start(tmp_path, **settings)
    try:
        yield harness
    finally:
        await harness.close()


async def test_huge_and_odd_round_numbers_are_refused_clearly(h: LocalHarness) -> None:
    await h.run("/workshop varmland-2015 Siffror", "/barometer 1", "/stang")
    no_round = t("error.no_round", Language.SV)
    for line in (
        f"/resultat {HUGE}",
        f"/status {HUGE}",
        f"/export #{HUGE}",
        f"/stang {HUGE}",
        f"/jamfor {HUGE}",
        f"/rummet 1 {HUGE}",
        "/resultat ²",
        "/jamfor ²",
        "/rummet 1 ²",
    ):
        printed = "\n".join(await h.run(line))
        assert "Något gick fel" not in printed, line
        assert no_round in printed or "Så här används kommandot" in printed, (line, printed)
    printed = "\n".join(
        await h.run(
            f"/rummet {HUGE}", "/rummet ²", "/poang ²", "/barometer steg=²", "/lamna ²", f"/lamna {HUGE}"
        )
    )
    assert "Något gick fel" not in printed
    assert printed.count("Så här används kommandot") + printed.count("har inget påstående") == 6, printed


@pytest.mark.parametrize(
    "title", ["Dialog\x00möte", "Dialog\u200bmöte", "\u202eetömgolaiD", "Dialog\u2066möte"]
)
async def test_characters_nobody_sees_are_refused_in_titles(h: LocalHarness, title: str) -> None:
    """A NUL byte failed on PostgreSQL with the generic error; zero-width and right-to-left
    override characters were stored and shown to the room (a title that reads differently)."""
    await h.app.conversation.handle(CommandEvent(FACILITATOR, ROOM, "workshop", ("varmland-2015", title)))
    printed = h.output[-1]
    assert "tecken som inte syns" in printed and "Inget ändrades" in printed, printed
    assert await h.app.store.workshop(1) is None
    # An emoji made of several (joined by a zero-width joiner) is a visible character, and welcome.
    await h.app.conversation.handle(
        CommandEvent(FACILITATOR, ROOM, "workshop", ("varmland-2015", "Familj 👨\u200d👩\u200d👧"))
    )
    workshop = await h.app.store.workshop(1)
    assert workshop is not None and workshop.title == "Familj 👨\u200d👩\u200d👧"


def test_a_selection_range_is_checked_before_any_list_is_built() -> None:
    """``/barometer 1-N`` built an N-item list first: a facilitator could exhaust the memory."""
    tracemalloc.start()
    try:
        with pytest.raises(DomainError) as refused:
            parse_selection("1-3000000", 7)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.key == "error.bad_selection"
    assert peak < 100_000, peak
    for spec in ("3-1", "0-2", "1-" + HUGE, "²", "1-²"):
        with pytest.raises(DomainError):
            parse_selection(spec, 7)
    assert parse_selection("1,3-4", 7) == [0, 2, 3]


async def test_a_forget_confirmation_works_only_for_the_one_who_asked(h: LocalHarness) -> None:
    """A ``/glom`` confirmation in a group pressed by a bystander deleted the bystander's data."""
    await h.run("/workshop varmland-2015 Glöm", "/barometer 1")
    statement = h.last_message_with("1. Min organisation")
    await h.run(f"@anna {statement}.4", f"@bo {statement}.2")
    await h.run("@anna /glom")
    confirm = h.last_message_with("glömmer allt")
    await h.run(f"@bo {confirm}.1")
    assert h.last_ack() == t("forget.not_yours", Language.SV)
    [round_] = await h.app.store.rounds(1)
    assert len(await h.app.store.responses(round_.id)) == 2  # nobody was forgotten
    await h.run(f"@anna {confirm}.1")
    assert h.last_ack().startswith("Klart.")
    assert [r.value for r in await h.app.store.responses(round_.id)] == [2]


@pytest.mark.parametrize("lang", list(Language))
def test_the_generic_error_names_no_command_the_reader_may_not_use(lang: Language) -> None:
    """It is shown to participants too: /status is for facilitators only."""
    text = t("error.internal", lang)
    named = re.findall(r"/([a-zåäö_]+)", text)
    assert all(name in COMMANDS and not COMMANDS[name].facilitator_only for name in named), named

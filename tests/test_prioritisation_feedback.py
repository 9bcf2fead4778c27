"""What a participant and a facilitator are told: incomplete points ballots, plurals, sector names."""

from __future__ import annotations

import re

import pytest

from facilitation.exercises import t_count
from facilitation.i18n import t
from facilitation.model import Language, Round, RoundStatus, Sector
from facilitation.prioritisation import PointsDraft
from facilitation.prioritisation.flow import ACK_LIMIT, NAME_LIMIT, PrioritisationExercise, fit_ack
from tests.harness import LocalHarness, ballot_message, button_at


async def _round(h: LocalHarness) -> Round:
    return max(await h.app.store.rounds(1), key=lambda r: r.id)


def _exercise(h: LocalHarness) -> PrioritisationExercise:
    return next(e for e in h.app.conversation.exercises.values() if isinstance(e, PrioritisationExercise))


async def test_an_incomplete_points_ballot_is_never_silently_lost(harness: LocalHarness) -> None:
    h = harness
    await h.run("/workshop varmland-2015 Test", "/poang 100")
    message = ballot_message(h)
    dialog = button_at(h, message, "2. Dialog")
    # Every press on a short ballot says it does not count yet, and how much is left.
    await h.run(*[f"@anna {dialog}"] * 3)
    assert h.last_ack().startswith("Dialog: 30\n⚠ Räknas inte förrän alla 100 poäng är fördelade: 70 kvar.")
    await h.run(*[f"@bertil {dialog}"] * 10)
    assert h.last_ack().startswith("Dialog: 100\n✓ Alla 100 poäng är fördelade – ditt svar räknas.")
    # The room's live tally can say how many would not count (never who).
    round_ = await _round(h)
    note = await _exercise(h).tally_note(h.app.conversation, round_, Language.SV)
    assert note == "⚠ 1 svar har ännu inte fördelat alla 100 poäng och räknas inte om omgången stängs nu."
    assert await _exercise(h).tally_note(h.app.conversation, round_, Language.EN) == (
        "⚠ 1 response has not given all 100 points yet and will not count if the round closes now."
    )
    printed = await h.run("/stang")
    # one complete ballot is too few to show (the minimum is 5), but the short one is still named
    summary = next(
        line for line in printed if "Resultatet visas inte: 1 svar – för få för att visas (minst 5)." in line
    )
    assert "1 svar fördelade inte alla 100 poäng och räknas inte." in summary
    closed = await _round(h)
    assert closed.status == RoundStatus.CLOSED
    assert await _exercise(h).tally_note(h.app.conversation, closed, Language.SV) is None
    # Pressing after the close: the one whose ballot fell short learns it was not counted.
    await h.run(f"@anna {dialog}")
    assert h.last_ack() == (
        "Omgången är stängd. Ditt svar (30 av 100 poäng) var inte fullständigt och räknades inte."
    )
    await h.run(f"@bertil {dialog}", f"@cecilia {dialog}")
    assert h.port.acks[-1][1] == h.port.acks[-2][1] == t("error.round_closed")


async def test_only_incomplete_dots_ballots_say_so_in_the_singular(harness: LocalHarness) -> None:
    h = harness
    await h.run("/workshop varmland-2015 Test", "/poang 10")
    message = ballot_message(h)
    await h.run(f"@anna {button_at(h, message, '2. Dialog')}")
    assert "⚠ Räknas inte förrän alla 10 prickar är utdelade: 9 kvar." in h.last_ack()
    printed = await h.run("/stang")
    assert any(
        "Inga fullständiga svar kom in (1 ofullständigt svar räknas inte)." in line for line in printed
    )
    await h.run(f"@anna {button_at(h, message, '2. Dialog')}")
    assert h.last_ack() == (
        "Omgången är stängd. Ditt svar (1 av 10 prickar) var inte fullständigt och räknades inte."
    )


@pytest.mark.parametrize("lang", [Language.SV, Language.EN])
@pytest.mark.parametrize(
    ("budget", "step", "given"),
    [(100, 10, [10] * 9), (100, 10, [10] * 10), (20, 1, [1] * 15), (1000, 100, [100] * 9)],
)
def test_points_ack_fits_telegram_and_keeps_the_counting_status(
    lang: Language, budget: int, step: int, given: list[int]
) -> None:
    items = tuple(range(1, 16))
    names = {i: "Självständighet och oberoende – lokalt"[:NAME_LIMIT] for i in items}
    draft = PointsDraft(items, budget, step, tuple(zip(items, given, strict=False)), dots=budget <= 20)
    ack = fit_ack(draft.render_state(names, lang), t("vote.need_sector", lang), drop_from_start=False)
    assert len(ack) <= ACK_LIMIT
    assert ack.endswith(draft.status(lang) + t("vote.need_sector", lang))
    counts = "counts" in ack if lang is Language.EN else "räknas." in ack
    assert counts == draft.is_complete


def test_count_texts_agree_with_their_number() -> None:
    assert t_count("prio.results.invalid", Language.SV, 1) == "1 ofullständigt svar räknas inte."
    assert t_count("prio.results.invalid", Language.SV, 3) == "3 ofullständiga svar räknas inte."
    assert t_count("prio.results.invalid", Language.EN, 1) == "1 incomplete response is not counted."
    assert t_count("prio.results.partial_rankings", Language.EN, 1, k=3) == (
        "1 response chose fewer than 3 (counted as a shorter ranking)."
    )
    assert t_count("prio.results.incomplete_points", Language.EN, 2, budget=100, unit="points") == (
        "2 responses did not give all 100 points and are not counted."
    )
    assert t("prio.draft.approval.count", Language.SV, count=1) == "Markerade: 1"


def test_condorcet_text_claims_no_majority() -> None:
    # With top-3 ballots a principle can beat another 20 to 13 of 40: more, not a majority.
    assert "majoritet" not in t("prio.results.condorcet", Language.SV)
    assert "fler föredrar den än tvärtom i varje parvis jämförelse" in t(
        "prio.results.condorcet", Language.SV
    )
    assert "majority" not in t("prio.results.condorcet", Language.EN)


async def test_ranking_of_one_and_sector_names_mid_sentence(harness: LocalHarness) -> None:
    h = harness
    await h.run("/workshop varmland-2015 Test")
    printed = await h.run("/rangordna 1")
    assert any("Tryck på den princip du tycker är viktigast." in line for line in printed)
    assert not any("de 1 principer" in line for line in printed)
    await h.run(":sim 30")
    printed = await h.run("/stang")
    summary = next(line for line in printed if "n = 30 svar" in line)
    difference = re.search(
        r"Störst skillnad mellan sektorerna: .* – högst för (.*), lägst för (.*)\.", summary
    )
    assert difference is not None
    # the same names as the charts' headings, in a sentence ("annan", not "övriga")
    assert {difference.group(1), difference.group(2)} <= {"idéburen sektor", "offentlig sektor", "annan"}


@pytest.mark.parametrize("lang", list(Language))
def test_a_sector_mid_sentence_is_named_as_on_the_charts(lang: Language) -> None:
    """The text says "annan" where the charts say "Annan" (it said "övriga")."""
    from facilitation.groups import group_names
    from facilitation.model import DEFAULT_SECTORS

    headings, inline = group_names(DEFAULT_SECTORS, lang), group_names(DEFAULT_SECTORS, lang, short=True)
    for sector in Sector:
        assert inline[sector.value].lower() == headings[sector.value].lower(), (inline, headings)

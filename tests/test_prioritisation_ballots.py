"""Ballot validation and the immutable phone drafts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facilitation.errors import DomainError
from facilitation.i18n import keys
from facilitation.model import Language, RoundKind
from facilitation.prioritisation import ApprovalDraft, PointsDraft, RankingDraft, validate_ballot
from facilitation.prioritisation.texts import TEXTS

ITEMS = (1, 2, 3, 4, 5, 6)
NAMES = {
    1: "Självständighet och oberoende",
    2: "Dialog",
    3: "Kvalitet",
    4: "Långsiktighet",
    5: "Öppenhet och insyn",
    6: "Mångfald",
}


def refused(kind: RoundKind, ballot: dict[int, int], **kw: int) -> DomainError:
    with pytest.raises(DomainError) as info:
        validate_ballot(kind, ballot, ITEMS, **kw)
    error = info.value
    # every refusal must read well in both languages
    assert error.message(Language.SV) != error.message(Language.EN)
    return error


@pytest.mark.parametrize(
    ("ballot", "top_k", "key", "params"),
    [
        ({}, None, "prio.error.empty_ballot", {}),
        ({1: 1, 99: 2}, None, "prio.error.unknown_item", {}),
        ({1: 0}, None, "prio.error.rank_invalid", {}),
        ({1: 1, 2: 1}, None, "prio.error.duplicate_rank", {"position": 1}),
        ({1: 1, 2: 3}, None, "prio.error.rank_gap", {"position": 2}),
        ({1: 1, 2: 2, 3: 3}, 2, "prio.error.rank_beyond_k", {"k": 2}),
    ],
)
def test_invalid_rankings(
    ballot: dict[int, int], top_k: int | None, key: str, params: dict[str, int]
) -> None:
    kw = {"top_k": top_k} if top_k else {}
    error = refused(RoundKind.RANKING, ballot, **kw)
    assert (error.key, error.params) == (key, params)


def test_valid_rankings_full_and_partial() -> None:
    validate_ballot(RoundKind.RANKING, {2: 1, 1: 2}, ITEMS, top_k=3)
    validate_ballot(RoundKind.RANKING, {i: 7 - i for i in ITEMS}, ITEMS)


def test_points_rules() -> None:
    assert refused(RoundKind.POINTS, {1: 110, 2: -10}, budget=100).key == "prio.error.negative_points"
    error = refused(RoundKind.POINTS, {1: 70}, budget=100)
    assert (error.key, error.params) == ("prio.error.points_sum", {"given": 70, "budget": 100})
    assert "70" in error.message() and "100" in error.message()
    validate_ballot(RoundKind.POINTS, {1: 70, 2: 30}, ITEMS, budget=100)


def test_approval_rules() -> None:
    assert refused(RoundKind.APPROVAL, {}).key == "prio.error.empty_ballot"
    assert refused(RoundKind.APPROVAL, {1: 2}).key == "prio.error.approval_value"
    validate_ballot(RoundKind.APPROVAL, {1: 1, 3: 1}, ITEMS)


def test_barometer_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        validate_ballot(RoundKind.BAROMETER, {1: 3}, ITEMS)


def test_every_prio_text_exists_in_both_languages() -> None:
    assert set(TEXTS["sv"]) == set(TEXTS["en"])
    assert set(TEXTS["sv"]) <= keys(Language.SV) and set(TEXTS["en"]) <= keys(Language.EN)


# --- drafts ---------------------------------------------------------------------------------


def test_ranking_draft_flow_and_render() -> None:
    draft = RankingDraft(ITEMS, top_k=3)
    assert draft.render_state(NAMES) == "Inget valt ännu\n— välj nummer 1 av 3"
    draft = draft.add(2).add(3)
    assert draft.render_state(NAMES) == "1. Dialog\n2. Kvalitet\n— välj nummer 3 av 3"
    assert draft.render_state(NAMES, Language.EN).endswith("— choose number 3 of 3")
    assert not draft.is_complete
    done = draft.add(5)
    assert done.is_complete and done.to_ballot() == {2: 1, 3: 2, 5: 3}
    assert draft.order == (2, 3)  # immutable: the earlier draft is unchanged
    assert done.undo() == draft and done.clear().order == ()
    with pytest.raises(DomainError, match="ranking_full"):
        done.add(1)
    with pytest.raises(DomainError, match="already_ranked"):
        draft.add(2)
    with pytest.raises(DomainError, match="unknown_item"):
        draft.add(42)
    with pytest.raises(DomainError, match="nothing_to_undo"):
        RankingDraft(ITEMS).undo()
    assert RankingDraft.from_ballot(ITEMS, {5: 3, 2: 1, 3: 2}, top_k=3) == done


def test_ranking_draft_without_k_ranks_all() -> None:
    draft = RankingDraft((1, 2))
    assert draft.k == 2 and draft.add(1).add(2).is_complete


def test_points_draft_flow_and_render() -> None:
    draft = PointsDraft(ITEMS, budget=100, step=10)
    for _ in range(5):
        draft = draft.add(2)
    draft = draft.add(3).add(3).remove(3)
    assert draft.remaining == 40 and draft.of(3) == 10
    # Until the budget is spent the participant is told, every time, that it does not count yet.
    assert draft.render_state(NAMES) == (
        "Dialog: 50\nKvalitet: 10\n⚠ Räknas inte förrän alla 100 poäng är fördelade: 40 kvar."
    )
    with pytest.raises(DomainError, match="points_sum"):
        draft.to_ballot()
    for _ in range(4):
        draft = draft.add(5)
    assert draft.is_complete and draft.to_ballot() == {2: 50, 3: 10, 5: 40}
    with pytest.raises(DomainError, match="no_points_left"):
        draft.add(1)
    with pytest.raises(DomainError, match="no_points_on_item"):
        draft.remove(1)
    assert draft.render_state(NAMES, Language.EN).endswith("✓ All 100 points are given – your answer counts.")
    assert draft.render_state(NAMES).endswith("✓ Alla 100 poäng är fördelade – ditt svar räknas.")


def test_dots_draft_says_dots_and_not_counted_yet() -> None:
    draft = PointsDraft.from_ballot(ITEMS, {2: 3}, budget=10, step=1, dots=True)
    assert draft.render_state(NAMES) == "Dialog: 3\n⚠ Räknas inte förrän alla 10 prickar är utdelade: 7 kvar."
    assert draft.status(Language.EN) == "⚠ Not counted until all 10 dots are given: 7 left."


def test_points_draft_last_step_is_cut_to_budget() -> None:
    draft = PointsDraft((1, 2), budget=25, step=10).add(1).add(1).add(2)
    assert draft.to_ballot() == {1: 20, 2: 5}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.sampled_from(ITEMS)), max_size=40),
    st.integers(1, 20),
    st.integers(1, 100),
)
def test_points_draft_never_exceeds_budget(presses: list[tuple[bool, int]], step: int, budget: int) -> None:
    draft = PointsDraft(ITEMS, budget=budget, step=step)
    for plus, item in presses:
        try:
            draft = draft.add(item) if plus else draft.remove(item)
        except DomainError:
            pass
        assert 0 <= draft.remaining <= budget
        assert all(v > 0 for _, v in draft.points)


def test_approval_draft_toggle_and_render() -> None:
    draft = ApprovalDraft(ITEMS)
    assert not draft.is_complete and draft.render_state(NAMES) == "Inget markerat ännu"
    with pytest.raises(DomainError, match="empty_ballot"):
        draft.to_ballot()
    draft = draft.toggle(6).toggle(2).toggle(4).toggle(4)
    assert draft.render_state(NAMES) == "✓ Dialog\n✓ Mångfald\nMarkerade: 2"
    assert draft.toggle(2).render_state(NAMES) == "✓ Mångfald\nMarkerade: 1"  # no "1 markerade"
    assert draft.to_ballot() == {2: 1, 6: 1}
    assert ApprovalDraft.from_ballot(ITEMS, {2: 1, 6: 1}) == draft

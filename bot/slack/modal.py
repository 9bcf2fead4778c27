"""The facilitator's launch modal: the view, reading a submission, and checking it before Slack closes it.

Statements (for an opinion barometer) and principles (for the prioritisation exercises) are
offered in two separate lists, and a submission whose items do not fit the chosen exercise is
answered with ``response_action: "errors"``: the modal stays open with the reason under the
field, in the facilitator's language, and nothing is created. The round itself is made by the
chosen exercise's :class:`~facilitation.exercises.RoundRules` (its catalogue and
:meth:`~facilitation.exercises.RoundRules.launch`); this module only translates the form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import bot.slack.texts  # noqa: F401  (registers the texts used here)
from bot.slack.port import plain_text
from facilitation.exercises import RoundRules
from facilitation.exercises.registry import round_rules
from facilitation.i18n import t
from facilitation.input_rules import has_hidden_characters
from facilitation.model import Language, Process, RoundKind, Workshop
from facilitation.people.deadlines import OPTION

LAUNCH_CALLBACK = "dialog-launch"
KIND_BLOCK, STATEMENTS_BLOCK, PRINCIPLES_BLOCK, TYPED_BLOCK = "kind", "statements", "principles", "typed"
COMMITMENTS_BLOCK = "commitments"
#: When the round closes by itself: read as ``slut=`` on a launch command is
#: (:func:`facilitation.people.deadlines.parse_deadline`), refused under this field.
DEADLINE_BLOCK = "deadline"
MAX_LABEL = 75  # an option's text
MAX_OPTIONS = 100  # a multi-select's options
MAX_CHECKBOXES = 10
MAX_HINT = 2000  # an input block's hint
MAX_PLACEHOLDER = 150  # an input's placeholder
MAX_DEADLINE = 30  # what the deadline field takes ("2026-12-03T15:30" is 16)
#: Each catalogue's list in the form, and what is said when it is ticked for a kind of round that
#: draws on the other one.
CATALOGUE_BLOCKS = {
    "statements": (STATEMENTS_BLOCK, "slack.modal.statements_not_for_priorities"),
    "principles": (PRINCIPLES_BLOCK, "slack.modal.principles_not_for_barometer"),
    "commitments": (COMMITMENTS_BLOCK, "slack.modal.commitments_only_for_followup"),
}
RULES: dict[RoundKind, RoundRules] = round_rules()


@dataclass(frozen=True)
class LaunchChoice:
    """What the facilitator submitted."""

    kind: RoundKind
    statements: tuple[str, ...]  # statement keys, in the process's order
    principles: tuple[str, ...]  # principle keys
    typed: tuple[str, ...]
    channel_id: str
    commitments: tuple[str, ...] = ()  # commitment keys (a follow-up, /uppfoljning)
    deadline: str = ""  # as after slut= ("15:30", "2d", …); empty: closed by hand

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> LaunchChoice:
        values = view.get("state", {}).get("values", {})
        kind = _selected(values, KIND_BLOCK)
        typed = tuple(
            line.strip() for line in (_text(values, TYPED_BLOCK) or "").splitlines() if line.strip()
        )
        try:
            channel = str(json.loads(view.get("private_metadata") or "{}").get("channel", ""))
        except (ValueError, AttributeError):
            channel = ""
        return cls(
            kind=RoundKind(kind)
            if kind is not None and kind in RoundKind._value2member_map_
            else RoundKind.BAROMETER,
            statements=_checked(values, STATEMENTS_BLOCK),
            principles=_checked(values, PRINCIPLES_BLOCK),
            typed=typed,
            channel_id=channel,
            commitments=_checked(values, COMMITMENTS_BLOCK),
            deadline=(_text(values, DEADLINE_BLOCK) or "").strip(),
        )

    @property
    def option_args(self) -> tuple[str, ...]:
        """The launch options the form stands for, as a launch command would carry them, so the
        conversation's launch options (``slut=``) read and refuse them exactly as in a chat."""
        return (f"{OPTION}{self.deadline}",) if self.deadline else ()

    @property
    def is_barometer(self) -> bool:
        return self.kind == RoundKind.BAROMETER

    @property
    def rules(self) -> RoundRules:
        """The rules of the chosen kind of round (every kind the form offers has them)."""
        return RULES[self.kind]

    def ticked(self, catalogue_name: str) -> tuple[str, ...]:
        """The keys ticked in the list of catalogue ``catalogue_name`` ("statements", "principles"
        or "commitments")."""
        return {"statements": self.statements, "commitments": self.commitments}.get(
            catalogue_name, self.principles
        )


def choice_errors(choice: LaunchChoice, process: Process, lang: Language) -> dict[str, str]:
    """Field errors (block id → text) for a submission that cannot make a round of its kind."""
    own = choice.rules.catalogue_name
    for name, (block, refusal) in CATALOGUE_BLOCKS.items():
        if name != own and choice.ticked(name):
            if own == "commitments":  # a follow-up draws on the commitments alone
                refusal = "slack.modal.followup_uses_commitments"
            return {block: t(refusal, lang)}
    if any(has_hidden_characters(text) for text in choice.typed):
        return {TYPED_BLOCK: t("error.hidden_characters", lang)}
    if not _chosen(choice, process, lang) and not choice.typed:
        block = CATALOGUE_BLOCKS[own][0] if choice.rules.catalogue(process, lang) else TYPED_BLOCK
        return {block: t("slack.modal.choose_items", lang)}
    return {}


def round_spec(
    choice: LaunchChoice, process: Process, workshop: Workshop
) -> tuple[str, list[tuple[str, str]], dict[str, int]]:
    """(title, items, settings) of the round, as the exercise's own start command would make them."""
    lang = workshop.language
    typed = [(text, f"egen-{i + 1}") for i, text in enumerate(choice.typed)]
    spec = choice.rules.launch(choice.kind, process, lang, _chosen(choice, process, lang), typed)
    return spec.title, spec.items, spec.settings


def _chosen(choice: LaunchChoice, process: Process, lang: Language) -> list[tuple[str, str]]:
    """The (text, key) catalogue entries of the chosen kind that were ticked, in the process's order."""
    ticked = choice.ticked(choice.rules.catalogue_name)
    return [(text, key) for text, key in choice.rules.catalogue(process, lang) if key in ticked]


def launch_view(process: Process, lang: Language, channel_id: str) -> dict[str, Any]:
    """The modal: the exercise, the process's statements and principles apart, or typed items."""
    kinds = [{"text": _plain(t(f"kind.{k.value}", lang)), "value": k.value} for k in RoundKind]
    blocks: list[dict[str, Any]] = [
        {
            "type": "input",
            "block_id": KIND_BLOCK,
            "label": _plain(t("slack.modal.kind", lang)),
            "element": {
                "type": "static_select",
                "action_id": KIND_BLOCK,
                "options": kinds,
                "initial_option": kinds[0],
            },
        },
    ]
    statements = [(s.text_in(lang), s.key) for s in process.statements]
    principles = [(p.name_in(lang), p.key) for p in process.principles]
    commitments = [(c.text_in(lang), c.key) for c in process.commitments]
    for block_id, label, entries in (
        (STATEMENTS_BLOCK, "slack.modal.statements", statements),
        (PRINCIPLES_BLOCK, "slack.modal.principles", principles),
        (COMMITMENTS_BLOCK, "slack.modal.commitments", commitments),
    ):
        if entries:
            blocks.append(_choice_block(block_id, t(label, lang), entries))
    blocks.append(
        {
            "type": "input",
            "block_id": TYPED_BLOCK,
            "optional": True,
            "label": _plain(t("slack.modal.typed", lang)),
            "element": {"type": "plain_text_input", "action_id": TYPED_BLOCK, "multiline": True},
        }
    )
    blocks.append(
        {
            "type": "input",
            "block_id": DEADLINE_BLOCK,
            "optional": True,
            "label": _plain(t("slack.modal.deadline", lang)),
            "hint": _plain(t("slack.modal.deadline_hint", lang), MAX_HINT),
            "element": {
                "type": "plain_text_input",
                "action_id": DEADLINE_BLOCK,
                "max_length": MAX_DEADLINE,
                "placeholder": _plain(t("slack.modal.deadline_placeholder", lang), MAX_PLACEHOLDER),
            },
        }
    )
    return {
        "type": "modal",
        "callback_id": LAUNCH_CALLBACK,
        "private_metadata": json.dumps({"channel": channel_id}),
        "title": _plain(t("slack.modal.title", lang)),
        "submit": _plain(t("slack.modal.submit", lang)),
        "blocks": blocks,
    }


def _choice_block(block_id: str, label: str, entries: list[tuple[str, str]]) -> dict[str, Any]:
    """Checkboxes for a short list, a multi-select (up to 100 options) for a longer one."""
    options = [{"text": _plain(text), "value": key} for text, key in entries][:MAX_OPTIONS]
    element: dict[str, Any] = (
        {"type": "checkboxes", "action_id": block_id, "options": options}
        if len(options) <= MAX_CHECKBOXES
        else {"type": "multi_static_select", "action_id": block_id, "options": options}
    )
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": _plain(label),
        "element": element,
    }


def _plain(text: str, limit: int = MAX_LABEL) -> dict[str, Any]:
    """A plain_text object: escaped (a statement may contain & < >) and within Slack's limit."""
    return plain_text(text, limit)


def _selected(values: dict[str, Any], block: str) -> str | None:
    option = values.get(block, {}).get(block, {}).get("selected_option")
    return option.get("value") if option else None


def _checked(values: dict[str, Any], block: str) -> tuple[str, ...]:
    element = values.get(block, {}).get(block, {})
    return tuple(str(o.get("value", "")) for o in element.get("selected_options") or [])


def _text(values: dict[str, Any], block: str) -> str | None:
    return values.get(block, {}).get(block, {}).get("value")

"""Slack's modal for a workshop's own statements and principles (``/dialog innehall``).

The modal shows the workshop's two lists as they stand and one change to make: which list, what
to do (add, reword, move, remove), the item's number, the new place, the Swedish and the English
text. A change that is refused keeps the modal open with the reason under the field concerned,
in the facilitator's language (``response_action: "errors"``), and changes nothing; the rules
are the domain's (:mod:`facilitation.content`), the same as for ``/innehall`` in a chat.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.slack.port import plain_text
from facilitation.content.chat import ADD, MOVE, OPERATIONS, REMOVE, Edit
from facilitation.content.model import CATALOGUES, STATEMENTS, TEXT_LIMIT, WorkshopItem
from facilitation.i18n import register, t
from facilitation.input_rules import whole_number
from facilitation.model import Language

CONTENT_CALLBACK = "dialog-content"
LIST_BLOCK, OPERATION_BLOCK, NUMBER_BLOCK, TO_BLOCK, TEXT_BLOCK, TEXT_EN_BLOCK = (
    "catalogue",
    "operation",
    "number",
    "to",
    "text",
    "text_en",
)
SECTION_LIMIT = 3000  # a section block's text
#: Words of ``/dialog`` that open this modal when given alone (with arguments they are the command).
CONTENT_WORDS = ("innehall", "innehåll", "content")
#: Which field a refusal belongs under (by its text key's start); the rest go under the operation.
_FIELD_OF = (
    ("content.error.no_such", NUMBER_BLOCK),
    ("content.error.used", NUMBER_BLOCK),
    ("content.error.last", NUMBER_BLOCK),
    ("content.error.", TEXT_BLOCK),
)

register(
    {
        "sv": {
            "slack.content.title": "Workshoppens innehåll",
            "slack.content.submit": "Spara",
            "slack.content.list": "Lista",
            "slack.content.operation": "Ändring",
            "slack.content.operation.add": "Lägg till",
            "slack.content.operation.reword": "Formulera om",
            "slack.content.operation.move": "Flytta",
            "slack.content.operation.remove": "Ta bort",
            "slack.content.number": "Nummer (för formulera om, flytta, ta bort)",
            "slack.content.to": "Ny plats (för flytta)",
            "slack.content.text": "Text på svenska",
            "slack.content.text_en": "Text på engelska (valfri)",
            "slack.content.need_number": "Skriv numret i listan.",
            "slack.content.need_place": "Skriv den nya platsen som ett nummer.",
            "slack.content.need_text": "Skriv texten.",
        },
        "en": {
            "slack.content.title": "Workshop content",
            "slack.content.submit": "Save",
            "slack.content.list": "List",
            "slack.content.operation": "Change",
            "slack.content.operation.add": "Add",
            "slack.content.operation.reword": "Reword",
            "slack.content.operation.move": "Move",
            "slack.content.operation.remove": "Remove",
            "slack.content.number": "Number (to reword, move, remove)",
            "slack.content.to": "New place (to move)",
            "slack.content.text": "Text in Swedish",
            "slack.content.text_en": "Text in English (optional)",
            "slack.content.need_number": "Write the number in the list.",
            "slack.content.need_place": "Write the new place as a number.",
            "slack.content.need_text": "Write the text.",
        },
    }
)


class FormErrors(Exception):
    """A submission refused field by field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def field_of(key: str) -> str:
    """The block a refusal with text key ``key`` is shown under."""
    return next((block for start, block in _FIELD_OF if key.startswith(start)), OPERATION_BLOCK)


def content_view(
    title: str, lists: dict[str, list[WorkshopItem]], lang: Language, channel_id: str
) -> dict[str, Any]:
    """The modal: the lists as they stand, then the fields of one change."""
    blocks: list[dict[str, Any]] = [{"type": "header", "text": plain_text(title, 150)}]
    for catalogue in CATALOGUES:
        lines = [f"*{t(f'content.catalogue.{catalogue}', lang)}*"] + [
            f"{n}. {item.text}" for n, item in enumerate(lists.get(catalogue, []), start=1)
        ]
        text = "\n".join(lines).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if len(text) > SECTION_LIMIT:
            text = text[: SECTION_LIMIT - 1] + "…"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    catalogues = [{"text": plain_text(t(f"content.catalogue.{c}", lang), 75), "value": c} for c in CATALOGUES]
    operations = [
        {"text": plain_text(t(f"slack.content.operation.{o}", lang), 75), "value": o} for o in OPERATIONS
    ]
    blocks += [
        _select(LIST_BLOCK, t("slack.content.list", lang), catalogues),
        _select(OPERATION_BLOCK, t("slack.content.operation", lang), operations),
        _input(NUMBER_BLOCK, t("slack.content.number", lang), 4),
        _input(TO_BLOCK, t("slack.content.to", lang), 4),
        _input(TEXT_BLOCK, t("slack.content.text", lang), TEXT_LIMIT[STATEMENTS]),
        _input(TEXT_EN_BLOCK, t("slack.content.text_en", lang), TEXT_LIMIT[STATEMENTS]),
    ]
    return {
        "type": "modal",
        "callback_id": CONTENT_CALLBACK,
        "private_metadata": json.dumps({"channel": channel_id}),
        "title": plain_text(t("slack.content.title", lang), 24),
        "submit": plain_text(t("slack.content.submit", lang), 24),
        "blocks": blocks,
    }


def _select(block_id: str, label: str, options: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain_text(label, 2000),
        "element": {
            "type": "static_select",
            "action_id": block_id,
            "options": options,
            "initial_option": options[0],
        },
    }


def _input(block_id: str, label: str, limit: int) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": plain_text(label, 2000),
        "element": {"type": "plain_text_input", "action_id": block_id, "max_length": limit},
    }


@dataclass(frozen=True)
class ContentForm:
    """What the facilitator submitted."""

    channel_id: str
    edit: Edit

    @classmethod
    def from_view(cls, view: dict[str, Any], lang: Language) -> ContentForm:
        """The submitted change; :class:`FormErrors` for a field left empty or not a number."""
        values = view.get("state", {}).get("values", {})
        channel = channel_of(view)
        catalogue = _selected(values, LIST_BLOCK)
        operation = _selected(values, OPERATION_BLOCK)
        if catalogue not in CATALOGUES or operation not in OPERATIONS:
            raise FormErrors({OPERATION_BLOCK: t("slack.content.operation", lang)})
        text = _text(values, TEXT_BLOCK)
        english = _text(values, TEXT_EN_BLOCK)
        number = whole_number(_text(values, NUMBER_BLOCK).strip())
        if operation != ADD and number is None:
            raise FormErrors({NUMBER_BLOCK: t("slack.content.need_number", lang)})
        to = whole_number(_text(values, TO_BLOCK).strip())
        if operation == MOVE and to is None:
            raise FormErrors({TO_BLOCK: t("slack.content.need_place", lang)})
        if operation not in (MOVE, REMOVE) and not text.strip():
            raise FormErrors({TEXT_BLOCK: t("slack.content.need_text", lang)})
        edit = Edit(catalogue, operation, number or 0, to or 0, text, english if english.strip() else None)
        return cls(channel, edit)


def channel_of(view: dict[str, Any]) -> str:
    """The channel the modal was opened from (kept in its private metadata)."""
    try:
        return str(json.loads(view.get("private_metadata") or "{}").get("channel", ""))
    except (ValueError, AttributeError):
        return ""


def _selected(values: dict[str, Any], block: str) -> str | None:
    option = values.get(block, {}).get(block, {}).get("selected_option")
    return str(option.get("value")) if option else None


def _text(values: dict[str, Any], block: str) -> str:
    return str(values.get(block, {}).get(block, {}).get("value") or "")

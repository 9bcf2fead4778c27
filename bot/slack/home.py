"""App Home: what the person opening it takes part in, and nothing about anybody else.

One section per workshop the user joined (its open round with the turnout, never answers), then
their upcoming dialogue meetings as a signatory's contact person.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import bot.slack.texts  # noqa: F401  (registers the texts used here)
from bot.slack.port import MAX_TEXT, PLATFORM, escape
from facilitation.conversation import Conversation
from facilitation.i18n import t
from facilitation.meetings.chat import installed_store, upcoming_meetings_text
from facilitation.model import Language, RoundStatus
from facilitation.ports import UserRef

MAX_VIEW_BLOCKS = 100
MAX_WORKSHOPS = 40  # leaves room for the headings and the meetings within a view's 100 blocks


async def home_view(
    conv: Conversation, user: UserRef, lang: Language, now: datetime | None = None
) -> dict[str, Any]:
    """The Home tab of one user: their workshops (found by their key in each) and their meetings."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Dialogbot"}},
        _section(f"*{escape(t('slack.home.workshops', lang))}*"),
    ]
    workshops = await _workshop_sections(conv, user, lang)
    blocks += workshops or [_section(escape(t("slack.home.none", lang)))]
    meetings = await _meetings_text(conv, user.user_id, lang, now or datetime.now(UTC))
    if meetings:
        blocks.append({"type": "divider"})
        blocks.append(_section(f"*{escape(t('slack.home.meetings', lang))}*\n{escape(meetings)}"))
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}


async def _workshop_sections(conv: Conversation, user: UserRef, lang: Language) -> list[dict[str, Any]]:
    store = conv.service.store
    sections = []
    for workshop_id in (await conv.service.workshops_of(conv.key_in(user)))[-MAX_WORKSHOPS:]:
        workshop = await store.workshop(workshop_id)
        if workshop is None:
            continue
        lines = [f"*{escape(workshop.title)}*"]
        for round_ in await store.rounds(workshop_id):
            if round_.status == RoundStatus.OPEN:
                lines.append(
                    "• "
                    + escape(
                        t(
                            "slack.home.open_round",
                            lang,
                            kind=t(f"kind.{round_.kind.value}", lang),
                            number=round_.id,
                            title=round_.title,
                            n=await conv.service.turnout(round_.id),
                        )
                    )
                )
        if len(lines) == 1:
            lines.append(escape(t("slack.home.no_open_round", lang)))
        sections.append(_section("\n".join(lines)))
    return sections


async def _meetings_text(conv: Conversation, user_id: str, lang: Language, now: datetime) -> str:
    store = installed_store(conv)
    if store is None or not user_id:
        return ""
    return await upcoming_meetings_text(store, PLATFORM, user_id, lang, now)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:MAX_TEXT]}}

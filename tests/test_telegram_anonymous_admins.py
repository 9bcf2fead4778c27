"""Anonymous Telegram group admins ("remain anonymous": ``sender_chat`` = the group, ``from`` =
GroupAnonymousBot) lead their own group's workshop with ``group_admins_are_facilitators``, and
the anonymous admins of different groups are never one participant."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.telegram.runner import telegram_running
from facilitation.model import RoundStatus
from tests.standins.telegram_api import GROUP_ANONYMOUS_BOT_ID, TelegramStandIn
from tests.test_telegram_flow import _deep_link, _markups, _until
from tests.test_telegram_runners import _app

GROUP, OTHER_GROUP = -1006001, -1006002
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")


def _texts(api: TelegramStandIn, chat: int) -> list[str]:
    return [m.text or "" for m in api.sent_messages(chat)]


async def test_an_anonymous_admin_leads_the_workshop_of_their_group(tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with (
        TelegramStandIn(token="123456:TEST-runner-token") as api,
        _app(api, tmp_path, telegram_mode="polling", group_admins_are_facilitators=True) as app,
    ):
        api.set_admins(GROUP, [501])  # GroupAnonymousBot is never listed among the admins
        async with telegram_running(app):
            api.anonymous_admin_update(GROUP, "/workshop varmland-2015 Anonymt ledd", push=True)
            await _until(api, lambda: _deep_link(api, GROUP))
            api.anonymous_admin_update(GROUP, "/barometer 1", push=True)
            await _until(api, lambda: _markups(api, GROUP, "b."))
            # Sent "as a channel" (sender_chat is a channel, not this group): no admin of the group.
            api.sent_as_channel_update(GROUP, -1006999, "/stang", push=True)
            await _until(api, lambda: any("bara för processledare" in t for t in _texts(api, GROUP)))
            api.anonymous_admin_update(GROUP, "/stang", push=True)
            await _until(api, lambda: any("är stängd" in t for t in _texts(api, GROUP)))
        [round_] = await app.store.rounds(1)
        assert round_.status == RoundStatus.CLOSED
        assert not api.calls_to("getChatMember")


async def test_without_the_setting_an_anonymous_admin_is_no_facilitator(tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with (
        TelegramStandIn(token="123456:TEST-runner-token") as api,
        _app(api, tmp_path, telegram_mode="polling") as app,
    ):
        async with telegram_running(app):
            api.anonymous_admin_update(GROUP, "/workshop varmland-2015 Nej", push=True)
            await _until(api, lambda: any("bara för processledare" in t for t in _texts(api, GROUP)))
        assert await app.store.workshop(1) is None


async def test_anonymous_admins_of_two_groups_are_two_participants(tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with (
        TelegramStandIn(token="123456:TEST-runner-token") as api,
        _app(api, tmp_path, telegram_mode="polling", group_admins_are_facilitators=True) as app,
    ):
        async with telegram_running(app):
            api.anonymous_admin_update(GROUP, "/sprak en", push=True)
            await _until(api, lambda: _texts(api, GROUP))
            api.anonymous_admin_update(OTHER_GROUP, "/hjalp", push=True)
            await _until(api, lambda: _texts(api, OTHER_GROUP))
        # The other group's anonymous admins did not inherit the first group's language.
        assert _texts(api, OTHER_GROUP)[0].startswith("Hej! Jag är Dialogbot")
        assert await _placeholder_has_no_language(app)


async def _placeholder_has_no_language(app: App) -> bool:
    """GroupAnonymousBot's own id is nobody's key: nothing is stored under it."""
    key = app.pseudonymizer.user_key("telegram", str(GROUP_ANONYMOUS_BOT_ID))
    return key not in await app.store.languages()

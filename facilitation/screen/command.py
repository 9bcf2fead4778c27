"""``/skarm`` (``/screen``): the facilitator's private, signed, expiring link to the screen page.

The command makes the workshop's screen a room of it (so every launch, tally edit, step and
result reaches it as it reaches a Telegram group) and, when a round is open and the screen
shows nothing yet, posts that round's live tally there. The link is given only in a private
chat (or privately where the platform can, Slack's ephemeral answer): a link in a group would
be a link anyone in it could open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from facilitation.errors import DomainError
from facilitation.i18n import t
from facilitation.menu import Menu
from facilitation.model import RoundStatus, Workshop
from facilitation.ports import ChatRef, CommandEvent
from facilitation.rooms import RoomLink
from facilitation.screen import texts as _texts  # noqa: F401  (registers the texts)
from facilitation.turn import Turn

if TYPE_CHECKING:
    from facilitation.conversation import Conversation


class ScreenLinks(Protocol):
    """What the domain needs of whoever serves screen pages (the web adapter)."""

    #: How many hours a screen link is valid.
    link_hours: int

    def screen_room(self, workshop: Workshop) -> ChatRef:
        """The room (a group-like chat) whose messages the workshop's screen page shows."""
        ...

    def screen_link(self, workshop: Workshop) -> str | None:
        """A signed link to the screen page valid for ``link_hours``; None when no page is served."""
        ...

    def is_blank(self, room: ChatRef) -> bool:
        """Whether the screen shows no message yet (new, or its process restarted)."""
        ...


class ScreenCommand:
    """The handler of ``/skarm`` for one conversation."""

    def __init__(self, links: ScreenLinks) -> None:
        self.links = links

    async def __call__(self, conversation: Conversation, turn: Turn, args: tuple[str, ...]) -> None:
        workshop = await conversation.bound_workshop(turn)
        link = self.links.screen_link(workshop)
        if link is None:
            raise DomainError("screen.not_served")
        text = t("screen.link", turn.lang, title=workshop.title, link=link, hours=self.links.link_hours)
        if not turn.chat.is_private:
            # Never in the group: Slack answers its author alone, elsewhere the link is asked for privately.
            assert isinstance(turn.event, CommandEvent)
            if not await turn.port.refuse(turn.event, text):
                await turn.reply(t("screen.ask_private", turn.lang))
                return
        else:
            await turn.reply(text)
        await self.show(conversation, workshop)

    async def show(self, conversation: Conversation, workshop: Workshop) -> None:
        """Make the screen a room of ``workshop``; post its open round's tally there if it shows nothing."""
        room = self.links.screen_room(workshop)
        port = conversation.ports.get(room.platform)
        if port is None:
            raise DomainError("screen.not_served")
        await conversation.service.store.add_room(workshop.id, room)
        conversation.service.room_left(workshop.id)  # the cached rooms are re-read with it
        round_ = await conversation.service.open_round_of(workshop.id)
        if round_ is None or round_.status != RoundStatus.OPEN or not self.links.is_blank(room):
            return
        link = RoomLink(port, room, conversation.rooms.moved_in_delivery)
        async with conversation.rooms.held(room):
            await conversation.tallies.post_round(link, round_, workshop.language)


def install(conversation: Conversation, links: ScreenLinks) -> ScreenCommand:
    """Register ``/skarm`` (``/screen``): a facilitator's command, led also by the admins of the
    room the workshop was created in, as launching a round is."""
    command = ScreenCommand(links)
    conversation.register_command(
        ("skarm", "skärm", "screen"),
        command,
        facilitator_only=True,
        room_admins=True,
        menu=Menu("skarm", "screen"),
    )
    return command

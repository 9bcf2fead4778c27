"""Who leads a workshop where: facilitator rights for commands and for drawing rounds together.

Split out of :class:`~facilitation.conversation.Conversation` (which owns one and delegates to
it) because the rule "a configured facilitator leads everywhere, a group's admin only the
workshop created in that group" is one security concern, best read and tested in one place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from facilitation.model import Round, Workshop
from facilitation.ports import ChatRef, UserRef
from facilitation.pseudonym import Pseudonymizer
from facilitation.service import WorkshopService
from facilitation.turn import Turn

if TYPE_CHECKING:
    from facilitation.people.coleaders import CoLeaderStore


class Leadership:
    """Decides whether a user may run facilitator commands, and on which workshop's rounds."""

    def __init__(
        self,
        service: WorkshopService,
        pseudonymizer: Pseudonymizer,
        *,
        is_facilitator: Callable[[UserRef], bool],
        chat_admins_lead: bool,
        admin_lookups: Mapping[str, Callable[[ChatRef, UserRef], Awaitable[bool]]],
    ) -> None:
        """``admin_lookups``: the conversation's own (shared: adapters add theirs after wiring)."""
        self.service = service
        self.pseudonymizer = pseudonymizer
        self.is_facilitator = is_facilitator
        self.chat_admins_lead = chat_admins_lead
        self.admin_lookups = admin_lookups
        #: Co-facilitators invited for a workshop or a process (:mod:`facilitation.people`), if installed.
        self.co_leaders: CoLeaderStore | None = None
        #: Told the user key of a co-facilitator who was removed (adapters take their menus away).
        self.removed_listeners: list[Callable[[str], Awaitable[None]]] = []

    async def may_lead(self, turn: Turn, *, room_admins: bool = True) -> bool:
        """Whether the user of ``turn`` may run facilitator commands here.

        A configured facilitator leads everywhere. With ``chat_admins_lead`` a group's admin leads
        in that group only, and only the workshop created there (or starts one in a group bound
        to none): being admin of *a* group must never give rights over a workshop created
        elsewhere, and anyone can make a group, add the bot and bind it with the join code.
        """
        if await self.leads_by_own_right(turn, room_admins=room_admins):
            return True
        return room_admins and await self.co_leads(turn.user, turn.chat)

    async def leads_by_own_right(self, turn: Turn, *, room_admins: bool = True) -> bool:
        """:meth:`may_lead` without co-facilitation: a configured facilitator, or a group's admin
        in the room the workshop was created in (they may invite and remove co-facilitators)."""
        if self.is_facilitator(turn.user):
            return True
        if not (
            room_admins and self.chat_admins_lead and turn.user.is_chat_admin and not turn.chat.is_private
        ):
            return False
        binding = await self.service.store.chat_binding(
            self.pseudonymizer.chat_key(turn.chat.platform, turn.chat.chat_id)
        )
        return binding is None or binding.origin

    async def co_leads(self, user: UserRef, chat: ChatRef) -> bool:
        """Whether ``user`` co-leads the workshop ``chat`` is bound to (or its whole process)."""
        if self.co_leaders is None:
            return False
        workshop_id = await self.service.store.bound_workshop(
            self.pseudonymizer.chat_key(chat.platform, chat.chat_id)
        )
        workshop = await self.service.store.workshop(workshop_id) if workshop_id is not None else None
        if workshop is None:
            return False
        return await self.co_leaders.leads(
            self.pseudonymizer.user_key(user.platform, user.user_id), co_lead_scopes(workshop)
        )

    async def may_compare_with(
        self, turn: Turn, workshop: Workshop, earlier_workshop: Workshop, earlier: Round
    ) -> bool:
        """Whether the caller (who leads ``workshop`` here) may draw ``earlier`` into it.

        Yes for the process's official earlier year, for a configured facilitator (they lead every
        workshop), for a round of this same workshop, and for a group admin who also administers a
        room where the earlier workshop was created (they lead that one too). Nothing else: a
        round of a workshop the caller does not lead stays in that workshop's rooms.
        """
        process = self.service.processes.get(workshop.process_key)
        if process is not None and earlier.id in process.official_rounds:
            return True
        if self.is_facilitator(turn.user) or earlier_workshop.id == workshop.id:
            return True
        return await self.leads_from_origin(turn.user, earlier_workshop.id)

    async def leads_from_origin(self, user: UserRef, workshop_id: int) -> bool:
        """Whether ``user`` is an admin of a room where workshop ``workshop_id`` was created (and
        which still runs it), so that they lead it under ``chat_admins_lead``."""
        lookup = self.admin_lookups.get(user.platform)
        if not self.chat_admins_lead or lookup is None:
            return False
        for room in await self.service.store.rooms(workshop_id):
            if room.platform != user.platform or room.is_private:
                continue
            binding = await self.service.store.chat_binding(
                self.pseudonymizer.chat_key(room.platform, room.chat_id)
            )
            if (
                binding is not None
                and binding.workshop_id == workshop_id
                and binding.origin
                and await lookup(room, user)
            ):
                return True
        return False


def co_lead_scopes(workshop: Workshop) -> list[str]:
    """The scopes whose co-facilitators lead ``workshop``: the workshop's own and its process's."""
    return [f"w:{workshop.id}", f"p:{workshop.process_key}"]

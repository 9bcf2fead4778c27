"""How a command is listed in the platforms' command menus, declared with the command itself.

A command is declared once (its names, who may use it, its menu entry); every menu a platform
shows (Telegram's per-scope command lists) is derived from those declarations, so no command
the bot understands is missing from a menu and no participant is shown a facilitator's command.
"""

from __future__ import annotations

from dataclasses import dataclass

PRIVATE = "private"  # used in a private chat with the bot
GROUP = "group"  # used in a group or channel (a workshop's room)
EVERYWHERE = frozenset({PRIVATE, GROUP})


@dataclass(frozen=True)
class Menu:
    """A command's menu entry: the name shown in the Swedish and the English menu (each one of the
    command's names, ASCII as Telegram requires) and where it is used. Its description is the text
    ``menu.<sv>`` in each language."""

    sv: str
    en: str
    places: frozenset[str] = EVERYWHERE

    @property
    def text_key(self) -> str:
        return f"menu.{self.sv}"

    def name(self, lang: str) -> str:
        return self.en if lang == "en" else self.sv


@dataclass(frozen=True)
class MenuItem:
    """One command as the menus see it: its entry and who may use it."""

    menu: Menu
    facilitator_only: bool
    #: A facilitator-only command that a group's admins lead too (``group_admins_are_facilitators``).
    room_admins: bool

    def shown_to(self, place: str, *, member: bool, admin: bool, facilitator: bool) -> bool:
        """Whether a person of that standing sees this command in a chat of ``place``."""
        if place not in self.menu.places:
            return False
        if not self.facilitator_only:
            return member or admin or facilitator
        return facilitator or (admin and self.room_admins)

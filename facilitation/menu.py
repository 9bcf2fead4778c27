"""The one table of commands, and everything derived from it: menus, /hjalp, Slack's /dialog words.

A command is declared once (:class:`CommandSpec`: its names, who may use it, its menu entry
with where it is used and its help line); the Telegram per-scope menus, the help text and the
Slack slash command's usage hint are derived from those declarations, so no command the bot
understands is missing from a menu or the help, none is listed that does not exist, and no
participant is shown a facilitator's command.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from facilitation.i18n import t
from facilitation.model import Language

PRIVATE = "private"  # used in a private chat with the bot
GROUP = "group"  # used in a group or channel (a workshop's room)
EVERYWHERE = frozenset({PRIVATE, GROUP})


@dataclass(frozen=True)
class Menu:
    """A command's menu entry: the name shown in the Swedish and the English menu (each one of the
    command's names, ASCII as Telegram requires) and where it is used. Its description is the text
    ``menu.<sv>`` in each language, its line in /hjalp the text ``help.cmd.<sv>``."""

    sv: str
    en: str
    places: frozenset[str] = EVERYWHERE

    @property
    def text_key(self) -> str:
        return f"menu.{self.sv}"

    @property
    def help_key(self) -> str:
        """The command's line in /hjalp, naming it as the language's menu does (``/delta KOD – …``)."""
        return f"help.cmd.{self.sv}"

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


@dataclass(frozen=True)
class CommandSpec:
    """One row of the table: a command's names (Swedish first, aliases together), who may use it
    (everyone; configured facilitators; or also the admins of the room the workshop was created
    in, ``room_admins``) and its menu entry (None only for ``/start``, Telegram's own Start button)."""

    names: tuple[str, ...]
    facilitator_only: bool
    room_admins: bool = False
    menu: Menu | None = None

    @property
    def item(self) -> MenuItem | None:
        return MenuItem(self.menu, self.facilitator_only, self.room_admins) if self.menu is not None else None


def menu_items(table: Iterable[CommandSpec]) -> list[MenuItem]:
    """The table as the menus list it (``/start`` is not listed)."""
    return [spec.item for spec in table if spec.item is not None]


def help_text(table: Sequence[CommandSpec], lang: Language, *, lead: bool) -> str:
    """/hjalp: a line for every command a participant may use, and for those who lead (``lead``)
    every facilitator command too, in the table's order."""
    listed = [spec for spec in table if spec.menu is not None]
    text = "\n".join(
        [
            t("help.participant", lang),
            *(t(spec.menu.help_key, lang) for spec in listed if spec.menu and not spec.facilitator_only),
            t("help.privacy", lang),
        ]
    )
    if lead:
        text += "\n\n" + "\n".join(
            [
                t("help.facilitator", lang),
                *(t(spec.menu.help_key, lang) for spec in listed if spec.menu and spec.facilitator_only),
            ]
        )
    return text


def usage_words(table: Iterable[CommandSpec], *extra: str) -> str:
    """A short list of commands for a platform's own hint (Slack's /dialog usage hint): the help
    first, ``extra`` (the platform's own words), then what anyone may type in a room."""
    words = [
        spec.menu.sv
        for spec in table
        if spec.menu is not None and not spec.facilitator_only and GROUP in spec.menu.places
    ]
    help_first = sorted(words, key=lambda word: word != "hjalp")
    return " | ".join([*help_first[:1], *extra, *help_first[1:]])

"""Every command is declared once, in one table, and /hjalp, the menus and Slack's /dialog come from it.

The table (:meth:`Conversation.command_table`) must hold exactly the commands the bot
understands: a command the dispatcher knows but the table lacks would be missing from every
menu and from the help; a name in the help, a menu or Slack's usage hint that the dispatcher
does not know would send people to "unknown command".
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.slack.runner import HELP_WORD, MODAL_WORDS, usage_hint
from facilitation.conversation import COMMANDS, Conversation
from facilitation.i18n import t
from facilitation.menu import PRIVATE, help_text, menu_items
from facilitation.model import Language
from tests.harness import LocalHarness

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = (ROOT / "slack" / "manifest.socket-mode.json", ROOT / "slack" / "manifest.http.json")
UNKNOWN = re.escape(t("error.unknown_command", "sv", name="XYZ")).replace("XYZ", ".*")


def _understood(conv: Conversation) -> set[str]:
    """Every name the dispatcher routes to a handler (core, feature modules, exercise starts)."""
    return set(COMMANDS) | set(conv._extra_commands) | set(conv._start_commands)


def _named(text: str) -> set[str]:
    """The commands a text names (``/word`` at a word's start)."""
    return set(re.findall(r"(?:^|[\s(])/([a-z_åäö]+)", text))


async def test_the_table_holds_each_command_the_bot_understands_once(harness: LocalHarness) -> None:
    conv = harness.app.conversation
    table = conv.command_table()
    names = [name for spec in table for name in spec.names]
    assert len(names) == len(set(names)), "a name in two rows"
    assert set(names) == _understood(conv)
    assert [spec.names for spec in table if spec.menu is None] == [("start",)]  # Telegram's Start button


async def test_every_name_in_the_table_is_dispatched_and_a_made_up_one_is_not(harness: LocalHarness) -> None:
    """Asked as a participant (private chat): never "unknown command" for a name in the table."""
    conv = harness.app.conversation
    for spec in conv.command_table():
        for name in spec.names:
            if name == "start":
                continue
            printed = "\n".join(await harness.run(f"@olle /{name}"))
            assert not re.search(UNKNOWN, printed), name
    assert re.search(UNKNOWN, "\n".join(await harness.run("@olle /finnsinte")))


async def test_help_lists_every_command_and_only_commands(harness: LocalHarness) -> None:
    conv = harness.app.conversation
    table = conv.command_table()
    understood = _understood(conv)
    for lang in Language:
        full = help_text(table, lang, lead=True)
        participant = help_text(table, lang, lead=False)
        assert _named(full) <= understood, (lang, _named(full) - understood)
        for spec in table:
            if spec.menu is None:
                continue
            line = t(spec.menu.help_key, lang)
            assert line.startswith(f"/{spec.menu.name(lang.value)}"), (lang, line)
            assert line in full.splitlines(), (lang, spec.names)
            # A participant's help never names a facilitator's command.
            assert (line in participant.splitlines()) is not spec.facilitator_only, (lang, spec.names)
    # What /hjalp answers is that text, with the lines a facilitator may use.
    printed = "\n".join(await harness.run("/hjalp"))
    assert help_text(table, Language.SV, lead=True) in printed
    printed = "\n".join(await harness.run("@olle /hjalp"))
    assert help_text(table, Language.SV, lead=False) in printed and t("help.facilitator", "sv") not in printed


async def test_menus_name_only_commands_of_the_table(harness: LocalHarness) -> None:
    conv = harness.app.conversation
    understood = _understood(conv)
    items = menu_items(conv.command_table())
    assert len(items) == len(conv.command_table()) - 1  # all but /start
    for item in items:
        for lang in ("sv", "en"):
            assert item.menu.name(lang) in understood and re.fullmatch(
                r"[a-z0-9_]{1,32}", item.menu.name(lang)
            )
            assert 1 <= len(t(item.menu.text_key, lang)) <= 256
    # Participants' menus hold no facilitator command.
    assert not any(
        i.facilitator_only for i in items if i.shown_to(PRIVATE, member=True, admin=False, facilitator=False)
    )


async def test_slack_dialog_words_come_from_the_table(harness: LocalHarness) -> None:
    conv = harness.app.conversation
    hint = usage_hint(conv)
    for manifest in MANIFESTS:
        [command] = json.loads(manifest.read_text(encoding="utf-8"))["features"]["slash_commands"]
        assert command["usage_hint"] == hint, manifest.name
    words = hint.split(" | ")
    assert set(words) - set(MODAL_WORDS) <= _understood(conv) and HELP_WORD in _understood(conv)
    facilitator_names = {n for spec in conv.command_table() if spec.facilitator_only for n in spec.names}
    assert not facilitator_names & set(words)  # the hint is seen by everyone in the workspace

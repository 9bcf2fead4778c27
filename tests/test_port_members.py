"""What differs between platforms is declared on the port, not discovered by probing it.

The core asks every port the same questions (how fast a press must be answered, how commands
are typed, a deep link, how to add the bot, a private refusal); :class:`PortDefaults` gives the
neutral answers and each adapter overrides only what its platform does differently.
"""

from __future__ import annotations

from pathlib import Path

from bot.local import LocalPort
from bot.slack.port import SlackPort
from bot.telegram.port import TelegramPort
from facilitation.model import Language
from facilitation.ports import ChatPort, ChatRef, CommandEvent, PortDefaults, UserRef

DIFFERENCES = ("press_answer_within", "command_prefix", "join_link", "how_to_add", "refuse")


class _WithoutDifferences:
    """A port with the sending methods only (what a port had to have before)."""

    platform = "bare"

    async def send_text(self, chat, text, buttons=None): ...  # type: ignore[no-untyped-def]
    async def edit_message(self, message, text, buttons=None): ...  # type: ignore[no-untyped-def]
    async def send_image(self, chat, png, caption, filename): ...  # type: ignore[no-untyped-def]
    async def send_file(self, chat, attachment): ...  # type: ignore[no-untyped-def]
    async def acknowledge(self, event, text=None, alert=False): ...  # type: ignore[no-untyped-def]
    def edit_interval(self, chat): ...  # type: ignore[no-untyped-def]


class _Bare(PortDefaults, _WithoutDifferences):
    pass


def test_the_port_protocol_declares_the_platform_differences(tmp_path: Path) -> None:
    assert isinstance(LocalPort(tmp_path), ChatPort)
    assert not isinstance(_WithoutDifferences(), ChatPort)  # a port must answer them all
    assert isinstance(_Bare(), ChatPort)
    for port in (TelegramPort, SlackPort, LocalPort):
        assert issubclass(port, PortDefaults), port


async def test_the_neutral_answers_and_each_platforms_own() -> None:
    bare = _Bare()
    event = CommandEvent(UserRef("bare", "1"), ChatRef("bare", "1"), "x")
    assert bare.press_answer_within is None and bare.command_prefix == "/"
    assert bare.join_link("CODE") is None
    assert await bare.how_to_add(Language.SV) == ""
    assert await bare.refuse(event, "nej") is False  # the core answers in the chat instead
    assert TelegramPort.press_answer_within == 5.0 and SlackPort.press_answer_within is None
    assert (
        SlackPort.command_prefix == "/dialog "
        and TelegramPort.command_prefix == LocalPort.command_prefix == "/"
    )
    assert SlackPort.refuse is not PortDefaults.refuse and SlackPort.how_to_add is not PortDefaults.how_to_add
    assert TelegramPort.join_link is not PortDefaults.join_link

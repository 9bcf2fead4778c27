"""/vem (``/dialog vem``) on Slack through the real Bolt app and slack_sdk against the stand-in:
the answer carries the person's id, so it is ephemeral, never a channel message."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from facilitation.model import RoundKind, RoundStatus
from facilitation.people.coleaders import Accepted
from facilitation.people.reach import ReachStore
from facilitation.people.reminders import DeadlineReminder
from storage.people_repository import SqlDeadlines
from tests.test_slack_flow import (
    CHANNEL,
    SlackRig,
    _errors_of,
    _fail,
    _open_modal,
    _submission,
    buttons,
    ephemerals_to,
    launch_barometer,
    settle,
    start_workshop,
    statement_messages,
    wait_for,
)
from tests.test_slack_flow import rig as rig  # the real Bolt app on the Slack stand-in


def _private_to(rig: SlackRig, needle: str) -> list[str]:
    """Texts shown to one person alone (ephemeral, or on the command's response_url) holding ``needle``."""
    texts = [e["text"] for e in rig.api.ephemerals]
    texts += [r.get("text", "") for r in rig.api.responses if r.get("response_type") == "ephemeral"]
    found = [text for text in texts if needle in text]
    assert found, f"nothing private with {needle!r} yet"
    return found


async def test_whoami_on_slack_is_ephemeral(rig: SlackRig) -> None:
    await start_workshop(rig)
    await settle(rig.api)
    await rig.command("vem", user="U7")
    [answer] = await wait_for(lambda: _private_to(rig, "Ditt id på Slack: U7"))
    assert "inte med i Test än" in answer
    await settle(rig.api)
    assert not [m for m in rig.api.messages_in(CHANNEL) if "U7" in (m.text or "")]


async def test_a_co_facilitator_on_slack_accepts_with_the_command_and_leads(rig: SlackRig) -> None:
    await start_workshop(rig)
    await settle(rig.api)
    await rig.command("processledare bjud")
    [invitation] = await wait_for(lambda: _private_to(rig, "/dialog medledare "))
    code = invitation.split("/dialog medledare ", 1)[1].split()[0]
    await rig.command(f"medledare {code}", user="U7")
    await wait_for(lambda: _private_to(rig, "Du leder nu workshopen Test"))
    [leader] = await rig.app.conversation.leadership.co_leaders.co_leaders(["w:1"])  # type: ignore[union-attr]
    assert leader.platform == "slack"
    await rig.command("barometer 1,2")
    await rig.wait_message("Åsiktsbarometer #")
    await settle(rig.api)
    await rig.command("status", user="U7")  # a facilitator command: answered, not refused
    await rig.wait_message("har svarat (öppen)")
    assert not [text for text in rig.api.ephemerals if "bara för processledare" in text.get("text", "")]
    assert (
        await rig.app.conversation.leadership.co_leaders.accept(  # type: ignore[union-attr]
            "other", "w:1", "slack", leader.user_key, "x", rig.app.service.clock()
        )
        == Accepted.ALREADY
    )


async def test_the_undecided_get_one_reminder_in_their_direct_messages(rig: SlackRig) -> None:
    """On Slack the bot may write first: people who joined in the channel are reminded in their DM
    with the bot (``chat.postMessage`` to their user id), with the commands as Slack spells them."""
    _, code = await start_workshop(rig)
    await settle(rig.api)
    statements = await launch_barometer(rig, "1,2 slut=2h", 2)
    assert rig.app.reach is not None
    store = rig.app.reach.store
    for user in ("U7", "U8", "U9"):
        await rig.command(f"delta {code}", user=user)
    await _until_rows(store, 3)
    url = rig.api.response_url()
    await rig.press("U8", statements[0], buttons(statements[0])[2]["value"], response_url=url)  # U8 answers
    await wait_for(lambda: ephemerals_to(rig, url) or _fail("the answer is not stored yet"))
    await rig.command("stoppa", user="U9")  # U9 wants no reminders
    await _until_rows(store, 2)
    await settle(rig.api)
    reminder = DeadlineReminder(SqlDeadlines(rig.app.engine), rig.app.reach, "slack-process")
    real = rig.app.service.clock
    rig.app.service.clock = lambda: real() + timedelta(hours=1, minutes=55)
    assert await reminder.tick() == 1
    assert await reminder.tick() == 0
    [sent] = rig.api.messages_in(rig.api.dm_channels["U7"])
    assert (sent.text or "").startswith("Påminnelse: omgång ")
    assert "/dialog rosta" in (sent.text or "") and "/dialog stoppa" in (sent.text or "")
    assert set(rig.api.dm_channels) == {"U7"}  # nobody else was written to
    assert not [m for m in rig.api.messages_in(CHANNEL) if "Påminnelse" in (m.text or "")]


async def _until_rows(store: ReachStore, count: int) -> None:
    """Slack's commands are handled after their ack: wait until the workshop has ``count`` addresses."""
    for _ in range(300):
        if len(await store.rows(1)) == count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not {count} sealed addresses: {len(await store.rows(1))}")


async def test_the_launch_modal_takes_a_deadline_and_refuses_a_bad_one_under_its_field(rig: SlackRig) -> None:
    """The modal's deadline is read as ``slut=`` is (15:30, 2d, …); a bad one stays in the open
    modal under the deadline field, in the facilitator's language, and nothing is started."""
    await start_workshop(rig)
    await settle(rig.api)
    view = await _open_modal(rig)
    [field] = [b for b in view["blocks"] if b["block_id"] == "deadline"]
    assert field["optional"] and field["label"]["text"] == "Stängs automatiskt (valfritt)"
    barometer = RoundKind.BAROMETER.value
    for bad, says in [
        ("25:00", "slut=25:00: det klockslaget finns inte (00:00–23:59). Inget startades."),
        ("igår", "Jag förstår inte slut=igår"),
        (
            "2020-01-01T10:00",
            "slut=2020-01-01T10:00 har redan passerat. Ange en tid framåt. Inget startades.",
        ),
        ("2026-02-30T10:00", "slut=2026-02-30T10:00: det datumet finns inte. Inget startades."),
        ("90d", "slut=90d ligger mer än 60 dagar fram. Inget startades."),
    ]:
        errors = await _errors_of(
            rig, _submission(rig, view, barometer, statements=["tillfora"], deadline=bad)
        )
        assert list(errors) == ["deadline"] and says in errors["deadline"], (bad, errors)
    # The items are checked first: a wrong list is named under its own field.
    errors = await _errors_of(rig, _submission(rig, view, barometer, principles=["dialog"], deadline="25:00"))
    assert list(errors) == ["principles"]
    await rig.command("sprak en")
    errors = await _errors_of(
        rig, _submission(rig, view, barometer, statements=["tillfora"], deadline="2020-01-01")
    )
    assert errors == {
        "deadline": "end=2020-01-01 has passed already. Give a time ahead. Nothing was started."
    }
    await rig.command("sprak sv")
    assert await rig.app.store.rounds(1) == []

    body = _submission(rig, view, barometer, statements=["tillfora", "kostnad"], deadline=" 2h ")
    response = await rig.dispatch(body)
    assert response.status == 200 and not response.body
    told = await rig.wait_message("stängs automatiskt")
    [round_] = await rig.app.store.rounds(1)
    assert round_.status == RoundStatus.OPEN
    assert f"Omgång {round_.id} stängs automatiskt" in (told.text or "")
    deadline = await SqlDeadlines(rig.app.engine).deadline(round_.id)
    assert deadline is not None
    assert timedelta(minutes=119) < deadline - rig.app.service.clock() <= timedelta(hours=2)


async def test_the_launch_modal_without_a_deadline_sets_none(rig: SlackRig) -> None:
    await start_workshop(rig)
    await settle(rig.api)
    view = await _open_modal(rig)
    body = _submission(rig, view, RoundKind.BAROMETER.value, statements=["tillfora"])
    assert not (await rig.dispatch(body)).body
    await wait_for(lambda: statement_messages(rig.api) or _fail("not posted yet"))
    [round_] = await rig.app.store.rounds(1)
    assert await SqlDeadlines(rig.app.engine).deadline(round_.id) is None
    await settle(rig.api, quiet=0.5)
    assert not [m for m in rig.api.messages_in(CHANNEL) if "stängs automatiskt" in (m.text or "")]

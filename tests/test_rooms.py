"""Rooms are isolated: one workshop in a Telegram group and Slack channels, one of which fails.

Through the real python-telegram-bot Application and the real Bolt app against the stand-ins,
which refuse what Telegram and Slack refuse (a kicked bot, an archived channel, an upgraded
group). Every fan-out (launch, step, results, live tally) reaches every room that works, a room
gone for good is unbound and the facilitator is told which, and a group upgraded to a supergroup
keeps its workshop at its new id.
"""

from __future__ import annotations

import pytest

from facilitation.model import RoundStatus
from tests.harness import until
from tests.rooms_rig import (
    TG_FACILITATOR,
    TG_GROUP,
    Rooms,
    posted_tg_statement,
    rooms,  # noqa: F401  (the fixture)
    rooms_settings,  # noqa: F401  (the fixture)
    rooms_speed,  # noqa: F401  (the fixture)
    statements,
    tg_statement,
    vote_in_telegram,
)

# PTB 22.8's own RetryAfter.__init__ reads the deprecated int-valued ``retry_after``.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")


async def test_closing_reaches_every_room_but_the_archived_one_which_is_unbound(rooms: Rooms) -> None:  # noqa: F811
    """/stang in the Telegram room: the results reach it and the live Slack channel although the
    other Slack channel (sorted first) is archived; the facilitator is told; the channel is unbound."""
    code = await rooms.workshop_in_telegram()
    await rooms.join_slack(code, "C1", "C2")
    await rooms.tg_command("/barometer 1")
    await until(
        lambda: statements(rooms.slack.messages_in("C1")) and statements(rooms.slack.messages_in("C2"))
    )
    await vote_in_telegram(rooms, TG_GROUP, 5)
    # The votes redraw every room's live tally (an edit at most every 0.2 s): C1 is archived once
    # its tally is drawn, so what fails there is the results, not a tally edit that came late.
    await until(lambda: any("5 har svarat" in t for t in rooms.slack_texts("C1")))
    rooms.slack.archive_channel("C1")

    await rooms.tg_command("/stang")

    await until(lambda: any("Här är resultatet" in t for t in rooms.slack_texts("C2")))
    assert any("Här är resultatet" in t for t in rooms.tg_texts())
    await until(
        lambda: (
            rooms.tg.calls_to("sendPhoto")
            and [f for f in rooms.slack.uploaded_files.values() if f.completed and f.channel == "C2"]
        )
    )
    report = next(t for t in rooms.tg_texts() if t.startswith("⚠️"))
    assert report == (
        "⚠️ Slack-kanalen #kanal-c1 fick inte resultatet av omgång #1: kanalen är arkiverad. Jag har "
        f"tagit bort rummet från workshopen. Vill ni ha med det igen: lägg till mig där och skriv "
        f"/delta {code}."
    )
    assert await rooms.room_keys(code) == [("slack", "C2"), ("telegram", str(TG_GROUP))]
    chat_key = rooms.app.conversation.pseudonymizer.chat_key("slack", "C1")
    assert await rooms.app.store.bound_workshop(chat_key) is None


async def test_a_round_opens_with_buttons_in_every_room_the_bot_can_still_reach(rooms: Rooms) -> None:  # noqa: F811
    """/barometer from Slack while the bot was kicked from the Telegram group: the round opens, the
    Slack channels get the intro, the tally and the buttons, and the facilitator (only) is told."""
    code = await rooms.workshop_in_telegram()
    await rooms.join_slack(code, "C1", "C2")
    rooms.tg.kick_bot(TG_GROUP)

    await rooms.slack_command("barometer 1,2", "C1")

    await until(
        lambda: (
            len(statements(rooms.slack.messages_in("C1"))) == 2
            and len(statements(rooms.slack.messages_in("C2"))) == 2
        )
    )
    workshop = await rooms.app.service.workshop_by_code(code)
    round_ = await rooms.app.service.open_round_of(workshop.id)
    assert round_ is not None and round_.status == RoundStatus.OPEN
    assert any("svarat" in t for t in rooms.slack_texts("C2"))  # the live tally
    # Told through the command's response_url: to the facilitator alone, wherever the command came from.
    report = await until(lambda: [r for r in rooms.slack.responses if "⚠️" in r.get("text", "")])
    assert report[0]["response_type"] == "ephemeral"
    assert (
        'Telegram-gruppen "Karlstad" fick inte omgång #1: boten har tagits bort ur gruppen.'
        in report[0]["text"]
    )
    assert await rooms.room_keys(code) == [("slack", "C1"), ("slack", "C2")]


async def test_a_room_failing_for_a_moment_stays_and_the_facilitator_is_told_what_to_do(rooms: Rooms) -> None:  # noqa: F811
    code = await rooms.workshop_in_telegram()
    await rooms.join_slack(code, "C1")
    await rooms.tg_command("/barometer stegvis")
    await until(lambda: statements(rooms.slack.messages_in("C1")))
    rooms.slack.fail_next("chat.postMessage", "service_unavailable", times=10)

    await rooms.tg_command("/nasta")

    assert any("Påstående 2 (2 av 7)" in t for t in rooms.tg_texts())
    report = next(t for t in rooms.tg_texts() if t.startswith("⚠️"))
    assert report.startswith(
        "⚠️ Slack-kanalen #kanal-c1 fick inte nästa påstående i omgång #1: plattformen svarade "
        "inte just då. Rummet är kvar i workshopen."
    )
    assert report.endswith("skriv /rosta där, så kommer påståendets knappar.")
    assert await rooms.room_keys(code) == [("slack", "C1"), ("telegram", str(TG_GROUP))]


async def test_a_live_tally_in_a_room_that_is_gone_unbinds_it_and_tells_the_facilitator(rooms: Rooms) -> None:  # noqa: F811
    code = await rooms.workshop_in_telegram()
    await rooms.join_slack(code, "C1")
    await rooms.tg_command("/barometer 1")
    statement = (await until(lambda: statements(rooms.slack.messages_in("C1"))))[0]
    rooms.slack.delete_channel("C1")
    value = next(e["value"] for b in statement.blocks or [] if b["type"] == "actions" for e in b["elements"])
    message, data = tg_statement(rooms, TG_GROUP)

    await rooms.tg_update(rooms.tg.callback_update(200, TG_GROUP, message.message_id, data))

    report = await until(lambda: [t for t in rooms.tg_texts() if t.startswith("⚠️")])
    assert report[0].startswith(
        "⚠️ Slack-kanalen #kanal-c1 fick inte livesiffrorna för omgång #1: chatten finns "
        "inte längre. Jag har tagit bort rummet från workshopen."
    )
    assert await rooms.room_keys(code) == [("telegram", str(TG_GROUP))]
    assert value.startswith("b.")


async def test_a_group_upgraded_mid_round_gets_its_tally_and_results_at_the_new_id(rooms: Rooms) -> None:  # noqa: F811
    """No service message reached the bot: the 400 with migrate_to_chat_id on the tally edit moves the
    room, posts the round again at the new id, and /stang from Slack reaches the supergroup."""
    basic = -4001
    code = await rooms.workshop_in_telegram(chat=basic)
    await rooms.join_slack(code, "C1")
    await rooms.tg_command("/barometer 1", chat=basic)
    message, data = tg_statement(rooms, basic)
    supergroup, _updates = rooms.tg.upgrade_group(basic)

    await rooms.tg_update(rooms.tg.callback_update(300, basic, message.message_id, data))

    await until(
        lambda: [m for m in rooms.tg.sent_messages(supergroup) if m.reply_markup]
    )  # round posted again
    assert await rooms.room_keys(code) == [("slack", "C1"), ("telegram", str(supergroup))]
    new_key = rooms.app.conversation.pseudonymizer.chat_key("telegram", str(supergroup))
    assert (
        await rooms.app.store.bound_workshop(new_key) == (await rooms.app.service.workshop_by_code(code)).id
    )
    await until(
        lambda: any(
            "1 har svarat" in t or "1 svar" in t or "svarat: 1" in t for t in rooms.tg_texts(supergroup)
        )
    )

    await rooms.slack_command("stang", "C1")
    await until(lambda: any("Här är resultatet" in t for t in rooms.tg_texts(supergroup)))
    assert not [t for t in rooms.slack_texts("C1") if "⚠️" in t]
    assert not [e for e in rooms.slack.ephemerals + rooms.slack.responses if "⚠️" in (e.get("text") or "")]


async def test_the_upgrade_service_messages_move_the_room_and_its_open_round_once(rooms: Rooms) -> None:  # noqa: F811
    basic = -4002
    code = await rooms.workshop_in_telegram(chat=basic)
    await rooms.tg_command("/barometer 1,2", chat=basic)
    supergroup, updates = rooms.tg.upgrade_group(basic)

    for update in updates:  # migrate_to_chat_id in the old group, migrate_from_chat_id in the new
        await rooms.tg_update(update)

    reposted = [m for m in rooms.tg.sent_messages(supergroup) if m.reply_markup]
    assert len(reposted) == 2  # the round's two statements, once
    assert sum("Åsiktsbarometer #1" in t for t in rooms.tg_texts(supergroup)) == 1
    assert await rooms.room_keys(code) == [("telegram", str(supergroup))]
    await rooms.tg_command("/stang", chat=supergroup)  # the supergroup is the workshop's room now
    assert any("Här är resultatet" in t for t in rooms.tg_texts(supergroup))


async def test_a_forum_topic_gets_the_replies_and_the_rooms_posts(rooms: Rooms) -> None:  # noqa: F811
    rooms.tg.make_forum(TG_GROUP, 7, 9)
    code = await rooms.workshop_in_telegram(message_thread_id=7)
    await rooms.join_slack(code, "C1")
    assert {m.thread_id for m in rooms.tg.sent_messages(TG_GROUP)} == {7}

    await rooms.slack_command("barometer 1", "C1")  # from another room: the topic the room was bound in
    # The statement's buttons, not the sector buttons posted at /workshop: until the launch from
    # Slack has reached the group the round may still be a draft, and /stang would close nothing.
    statement = await until(lambda: posted_tg_statement(rooms, TG_GROUP))
    assert statement[0].thread_id == 7
    await rooms.tg_command("/status", message_thread_id=9)  # a reply goes where the command was written
    assert rooms.tg.sent_messages(TG_GROUP)[-1].thread_id == 9
    assert "(öppen)" in (rooms.tg.sent_messages(TG_GROUP)[-1].text or "")
    await rooms.tg_command("/stang", message_thread_id=9)
    # the result text is posted by the close's fan-out, which may finish after the command's reply
    await until(lambda: any("Här är resultatet" in (m.text or "") for m in rooms.tg.sent_messages(TG_GROUP)))
    closing = next(m for m in rooms.tg.sent_messages(TG_GROUP) if "Här är resultatet" in (m.text or ""))
    assert closing.thread_id == 9
    assert all(m.thread_id in (7, 9) for m in rooms.tg.sent_messages(TG_GROUP))


async def test_a_deleted_forum_topic_falls_back_to_the_general_topic(rooms: Rooms) -> None:  # noqa: F811
    """The topic the workshop was started in is deleted: the room's posts go to General, no report,
    and the dead topic is tried once only."""
    rooms.tg.make_forum(TG_GROUP, 7)
    code = await rooms.workshop_in_telegram(message_thread_id=7)
    await rooms.join_slack(code, "C1")
    rooms.tg.delete_topic(TG_GROUP, 7)

    await rooms.slack_command("barometer 1", "C1")
    await until(
        lambda: [m for m in rooms.tg.sent_messages(TG_GROUP) if m.reply_markup and m.thread_id is None]
    )
    await vote_in_telegram(rooms, TG_GROUP, 5)
    await rooms.slack_command("stang", "C1")
    await until(
        lambda: any(
            "Här är resultatet" in (m.text or "") and m.thread_id is None
            for m in rooms.tg.sent_messages(TG_GROUP)
        )
    )
    await until(lambda: [c for c in rooms.tg.calls_to("sendPhoto") if c.status == 200])
    refused = [c for c in rooms.tg.calls if c.status == 400]
    assert len(refused) == 1 and refused[0].params.get("message_thread_id") == 7
    assert not [e for e in rooms.slack.responses if "⚠️" in (e.get("text") or "")]
    assert await rooms.room_keys(code) == [("slack", "C1"), ("telegram", str(TG_GROUP))]


async def test_a_group_that_removes_the_bot_is_unbound_at_once_and_the_facilitator_told(rooms: Rooms) -> None:  # noqa: F811
    """Telegram's my_chat_member update (the bot "kicked"): the room is unbound before any post
    fails there, and whoever launched the open round is told; a person blocking the bot in private
    changes nothing."""
    code = await rooms.workshop_in_telegram()
    await rooms.join_slack(code, "C1")
    await rooms.slack_command("barometer 1", "C1")
    await until(lambda: statements(rooms.slack.messages_in("C1")) and posted_tg_statement(rooms, TG_GROUP))
    await rooms.tg_update(rooms.tg.member_update(TG_FACILITATOR, "member", "kicked", by=TG_FACILITATOR))
    assert await rooms.room_keys(code) == [("slack", "C1"), ("telegram", str(TG_GROUP))]

    await rooms.tg_update(rooms.tg.kick_bot(TG_GROUP, by=TG_FACILITATOR))

    assert await rooms.room_keys(code) == [("slack", "C1")]
    chat_key = rooms.app.conversation.pseudonymizer.chat_key("telegram", str(TG_GROUP))
    assert await rooms.app.store.bound_workshop(chat_key) is None
    report = await until(lambda: [r["text"] for r in rooms.slack.responses if "⚠️" in r.get("text", "")])
    assert report == [
        f'⚠️ Telegram-gruppen "Karlstad" är inte längre med i workshopen Gemensam: boten har '
        f"tagits bort ur gruppen. Vill ni ha med det igen: lägg till mig där och skriv /dialog delta {code}."
    ]
    calls = len(rooms.tg.calls)
    await rooms.slack_command("stang", "C1")
    await until(lambda: any("Här är resultatet" in t for t in rooms.slack_texts("C1")))
    assert rooms.tg.calls[calls:] == []  # nothing tried in the group any more
    assert len([r for r in rooms.slack.responses if "⚠️" in r.get("text", "")]) == 1


async def test_lamna_unbinds_a_room_by_hand(rooms: Rooms) -> None:  # noqa: F811
    code = await rooms.workshop_in_telegram()
    await rooms.join_slack(code, "C1", "C2")
    await rooms.tg_command("/workshop varmland-2015 Annan", chat=TG_FACILITATOR)  # a private chat

    await rooms.tg_command("/lamna", chat=TG_GROUP)
    assert rooms.tg_texts()[-1].startswith("Det här rummet är inte längre med i workshopen Gemensam")
    assert await rooms.room_keys(code) == [("slack", "C1"), ("slack", "C2")]

    await rooms.slack_command("lamna", "C1")
    await until(lambda: any("inte längre med" in t for t in rooms.slack_texts("C1")))
    await rooms.tg_command(f"/delta {code}", chat=TG_FACILITATOR)
    await rooms.tg_command("/lamna", chat=TG_FACILITATOR)
    assert rooms.tg_texts(TG_FACILITATOR)[-1] == (
        "Rummen i workshopen Gemensam:\n1. Slack-kanalen #kanal-c2\nTa bort ett rum med /lamna NR."
    )
    await rooms.tg_command("/lamna 1", chat=TG_FACILITATOR)
    assert rooms.tg_texts(TG_FACILITATOR)[-1].startswith(
        "Slack-kanalen #kanal-c2 är inte längre med i workshopen Gemensam."
    )
    await until(
        lambda: rooms.slack_texts("C2")[-1] == "Det här rummet är inte längre med i workshopen Gemensam."
    )
    assert await rooms.room_keys(code) == []
    await rooms.tg_command("/lamna 3", chat=TG_FACILITATOR)
    assert rooms.tg_texts(TG_FACILITATOR)[-1] == "Workshopen har inget rum nummer 3. /lamna visar rummen."
    await rooms.tg_command("/lamna", user=555, chat=-1005555)  # not a facilitator
    assert "processledare" in rooms.tg_texts(-1005555)[-1].lower()


async def test_a_room_moved_to_another_workshop_leaves_the_first(rooms: Rooms) -> None:  # noqa: F811
    """A facilitator's /workshop in a room that already runs one moves the room: the first
    workshop's rounds no longer post there."""
    first = await rooms.workshop_in_telegram()
    await rooms.join_slack(first, "C1")
    await rooms.tg_command("/workshop varmland-2015 Nästa")
    second = next(t for t in reversed(rooms.tg_texts()) if "Anslutningskod" in t).split("Anslutningskod: ")[
        1
    ][:6]

    assert await rooms.room_keys(first) == [("slack", "C1")]
    assert await rooms.room_keys(second) == [("telegram", str(TG_GROUP))]
    before = len(rooms.tg_texts())
    await rooms.slack_command("barometer 1", "C1")
    await until(lambda: statements(rooms.slack.messages_in("C1")))
    assert len(rooms.tg_texts()) == before

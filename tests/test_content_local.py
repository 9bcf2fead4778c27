"""Issue 20 in the local mode: a workshop's own content, and a proposal round from submission to a
prioritisation of the accepted proposals with 30 simulated participants (``:sim 30``)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.local import run_local
from facilitation.content.chat import installed
from facilitation.content.model import ProposalStatus
from facilitation.model import RoundKind, RoundStatus
from tests.harness import LocalHarness, script

PROPOSAL_SCRIPT = [
    "/workshop varmland-2015 Förslag i Karlstad",
    "/forslag principer max=2",
    ":sim 30",
    "/forslag lista",
    "/forslag samma 4 1",
    "/forslag godta 1,2,3,5,6",
    "/forslag avvisa 7",
    "/forslag stang",
    "/rangordna",
    ":sim 30",
    "/stang",
    "/omgangar",
    "/export",
]


async def test_a_proposal_round_from_submission_to_a_prioritisation_with_30_simulated(
    harness: LocalHarness, tmp_path: Path
) -> None:
    printed: list[str] = []
    port = await run_local(
        harness.app.conversation, tmp_path / "out", script(PROPOSAL_SCRIPT), write=printed.append
    )
    text = "\n".join(printed)
    # 30 simulated people each proposed once in the room; blank, emoji-only and sworn proposals
    # were refused with their reason, the same text was merged at once.
    assert "30 förslag skickade" in text
    workshop = await harness.app.service.workshop_by_code(text.split("Anslutningskod: ")[1][:6])
    chat = installed(harness.app.conversation)
    assert chat is not None
    round_ = await chat.proposals.latest(workshop)
    assert not round_.is_open and round_.per_person == 2
    proposals = await chat.content.content.proposals(round_.id)
    assert len(proposals) == 21  # 30 − 3 × (blank, emoji only, offensive)
    by_number = {p.number: p for p in proposals}
    assert [by_number[n].status for n in (1, 2, 3, 5, 6)] == [ProposalStatus.ACCEPTED] * 5
    assert by_number[4].status == ProposalStatus.MERGED and by_number[4].merged_into == 1
    assert by_number[7].status == ProposalStatus.REJECTED
    assert sum(p.status == ProposalStatus.MERGED for p in proposals) == 15
    assert "#1 (väntar, stöd 3): Tillit" in text and "#8 (samma som #1): Tillit" in text
    # The facilitator's list never shows who: no simulated name appears beside a proposal.
    listing = next(line for line in printed if "Förslagsrunda om principer" in line)
    assert "deltagare-" not in listing
    # The prioritisation holds the process's 14 principles and the 5 accepted proposals.
    [ranking] = [r for r in await harness.app.store.rounds(workshop.id) if r.kind == RoundKind.RANKING]
    assert ranking.status == RoundStatus.CLOSED
    accepted = ["Tillit", "Barnets bästa", "Lokal förankring", "Hållbarhet", "Jämlikhet"]
    assert [item.text for item in ranking.items][14:] == accepted
    assert [item.number for item in ranking.items] == list(range(1, 20))
    assert [item.ref_key for item in ranking.items][14:] == [f"w{workshop.id}-p{n}" for n in range(1, 6)]
    assert await harness.app.service.turnout(ranking.id) == 30
    assert "Delaktighet" not in [item.text for item in ranking.items]  # rejected
    results = next(line for line in printed if "n = 30 svar" in line)
    assert "Topplistan" in results
    # /omgangar says what the chat changed; the export says where each principle comes from.
    assert "Ändrat i chatten för den här workshopen — godtagna förslag: 5." in text
    origins = next(p for p in port.files() if p.name.endswith("innehall.csv"))
    rows = list(csv.reader(io.StringIO(origins.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Nummer", "Nyckel", "Text", "Ursprung", "Omformulerad", "Processfilens text"]
    assert rows[15][:4] == ["15", f"w{workshop.id}-p1", "Tillit", "förslag från deltagare"]
    assert rows[1][3] == "processfilen" and rows[1][4] == "nej"


async def test_content_edited_in_a_private_chat_reaches_the_next_barometer(harness: LocalHarness) -> None:
    created = await harness.run("/workshop varmland-2015 Dialogmöte")
    code = "\n".join(created).split("Anslutningskod: ")[1][:6]
    out = await harness.run(
        ":privat",
        f"/delta {code}",
        "/innehall påstående ny Unga är med och formar dialogen. | Young people shape the dialogue.",
        "/innehall påstående 2 Samverkan i länet är god nog!",
        "/innehall påstående 8 flytta 1",
        "/innehall påstående 5 bort",
        "/innehall princip 3 bort",
        "/innehall",
    )
    text = "\n".join(out)
    assert "Tillagd som påstående 8 (nyckel w1-s1): Unga är med och formar dialogen." in text
    assert "Påstående 2 har nya ord (nyckeln" in text
    listing = out[-1]
    assert (
        "1. Unga är med och formar dialogen. | Young people shape the dialogue. (tillagd i chatten)"
        in listing
    )
    assert "3. Samverkan i länet är god nog! (omformulerad)\n" in listing  # the old English is dropped
    assert "(omformulerad)" in listing and "Kvalitet" not in listing
    # Bad input: a clear answer, nothing changed.
    workshop = await harness.app.service.workshop_by_code(code)
    chat = installed(harness.app.conversation)
    assert chat is not None
    before = await chat.content.content.item_changes(workshop.id)
    for line, answer in [
        ("/innehall påstående 99 bort", "Det finns inget påstående 99 (det finns 7)."),
        ("/innehall princip ny " + "x" * 81, "Texten är för lång: 81 tecken, högst 80."),
        ("/innehall påstående ny Dold\u202etext", "tecken som inte syns"),
        ("/innehall hemligt 1", "/innehall [påstående|princip]"),
        ("/innehall princip 1 Dialog", "Det finns redan ett likadant: ”Dialog”."),
    ]:
        assert answer in "\n".join(await harness.run(line)), line
    assert await chat.content.content.item_changes(workshop.id) == before
    # Not a facilitator: refused.
    assert "processledare" in "\n".join(await harness.run("@olle /innehall")).lower()
    # The next barometer, started in the room, draws on the workshop's list.
    await harness.run(":rum", "/barometer")
    [barometer] = await harness.app.store.rounds(workshop.id)
    assert [i.text for i in barometer.items][:3] == [
        "Unga är med och formar dialogen.",
        "Min organisation har något att tillföra till Värmlands utveckling!",
        "Samverkan i länet är god nog!",
    ]
    assert len(barometer.items) == 7
    # Used now: the reworded statement can no longer be reworded.
    refused = "\n".join(await harness.run("/innehall påstående 3 Något annat"))
    assert "har redan använts i en omgång" in refused
    # Closed, the added statement removed from the list: the export still says where each came from.
    await harness.run(":sim 10", "/stang", "/innehall påstående 1 bort", "/export")
    origins = next(p for p in harness.port.files() if p.name.endswith("innehall.csv"))
    rows = list(csv.reader(io.StringIO(origins.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[1][:5] == ["1", "w1-s1", "Unga är med och formar dialogen.", "tillagd i chatten", "nej"]
    assert rows[3][2:] == [
        "Samverkan i länet är god nog!",
        "processfilen",
        "ja",
        "Vi har redan tillräckligt bra samverkan mellan offentligt och idéburet i länet!",
    ]
    rounds = "\n".join(await harness.run("/omgangar"))
    # The statement added and then removed counts as removed (it is no longer in the list).
    assert (
        "Ändrat i chatten för den här workshopen — omformulerade: samverkan-nu ”Samverkan i länet är god "
        "nog!”; borttagna: 3." in rounds
    )


async def test_private_text_is_a_proposal_and_forget_deletes_it(harness: LocalHarness) -> None:
    created = await harness.run("/workshop varmland-2015 Förslag")
    code = "\n".join(created).split("Anslutningskod: ")[1][:6]
    await harness.run("/forslag påståenden")
    out = await harness.run(
        "@anna :privat", f"@anna /delta {code}", "@anna Kommunen svarar i tid på våra frågor.", "@anna ❤️❤️"
    )
    text = "\n".join(out)
    assert "Tack! Ditt förslag #1 är inskickat." in text
    assert "Förslaget behöver ord, inte bara emojier, siffror eller tecken." in text
    out = await harness.run("@olle :rum", "@olle /foresla Kommunen svarar i tid på våra frågor!")
    assert "Samma förslag finns redan (#1)" in "\n".join(
        out
    ) and "skriv förslag till mig privat" in "\n".join(out)
    workshop = await harness.app.service.workshop_by_code(code)
    chat = installed(harness.app.conversation)
    assert chat is not None
    round_ = await chat.proposals.latest(workshop)
    assert len(await chat.content.content.proposals(round_.id)) == 2
    # Anna asks to be forgotten: her proposal goes; Olle's, merged into it, waits again.
    await harness.run("@anna :privat", "@anna /glom")
    forget = harness.last_message_with("glömmer")
    await harness.run(f"@anna {forget}.1")
    [left] = await chat.content.content.proposals(round_.id)
    assert left.number == 2 and left.status == ProposalStatus.PENDING
    # Without an open round a private text is answered with the help, as before.
    await harness.run("@facilitator :rum", "@facilitator /forslag stang")
    out = await harness.run("@anna :privat", "@anna Ännu en idé")
    assert "Hej! Jag är Dialogbot" in "\n".join(out)
    assert len(await chat.content.content.proposals(round_.id)) == 1

"""Issue 17, the follow-up of commitments (``/uppfoljning``): the process file's commitments, the
round on the barometer's machinery with its own scale, results by principle and by party,
earlier years, exports, the report's chapter, and the SQL records behind them.

Flows go through the real python-telegram-bot against the Bot API stand-in and through the
local mode; the domain tests run the real service on the in-memory store. That no output of a
follow-up depends on what the disclosure rule hides is tests/test_followup_disclosure.py.
"""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from config.catalogue import load_process
from config.errors import ConfigError
from facilitation.conversation import Conversation
from facilitation.errors import DomainError
from facilitation.exercises import Image, Post
from facilitation.followup.flow import FollowupExercise
from facilitation.followup.records import CommitmentTag, MemoryFollowupRecords
from facilitation.memory_store import MemoryStore
from facilitation.model import Commitment, Language, Process, RoundKind, RoundStatus
from facilitation.pseudonym import Pseudonymizer
from facilitation.rendering import ChartRenderer
from facilitation.report.content import workshop_report
from facilitation.report.pdf import render_pdf
from facilitation.service import WorkshopService
from tests.conftest import SECRET
from tests.fixtures import PROCESSES
from tests.harness import LocalHarness, png_size, result_text
from tests.test_report import pdf_text
from tests.test_telegram_flow import GROUP, Rig, rig  # noqa: F401  (the Telegram rig fixture)

SEED = Path("/work/shared/seeds/001_67e6f571e67fdf2b.txt")
ROOT = Path(__file__).resolve().parent.parent
OREBRO = PROCESSES["orebro-2010"]


# --- the process file ------------------------------------------------------------------------
def test_the_orebro_file_holds_the_13_and_8_commitments_of_the_seed_verbatim_with_their_principles() -> None:
    public = [c for c in OREBRO.commitments if c.party == "offentlig"]
    civil = [c for c in OREBRO.commitments if c.party == "ideburen"]
    assert (len(public), len(civil), len(OREBRO.commitments)) == (13, 8, 21)
    assert [c.key for c in public] == [f"kommun-{n:02d}" for n in range(1, 14)]
    assert [c.key for c in civil] == [f"civil-{n:02d}" for n in range(1, 9)]
    by_key = {c.key: c for c in OREBRO.commitments}
    assert by_key["kommun-05"].principles == ("oppenhet", "dialog")
    assert by_key["kommun-12"].principles == ("oppenhet", "dialog", "mangfald")
    assert by_key["kommun-03"].principles == ("kvalitet",)  # "(principen om kvaliteten)"
    assert by_key["civil-07"].principles == ("oppenhet", "dialog")
    if SEED.exists():  # the seed is beside the project in the workspace, not in the repository
        seed = re.sub(r"\s+", " ", SEED.read_text(encoding="utf-8"))
        for number, commitment in enumerate(public, 1):
            assert f"{number} {commitment.text} (principen" in seed
        for number, commitment in enumerate(civil, 1):
            assert f"{number} {commitment.text} (principen" in seed


def _file(tmp_path: Path, commitments: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(
        '[process]\nkey = "p"\nname = "P"\n\n[[principles]]\nkey = "dialog"\nname = "Dialog"\n\n'
        '[[principles]]\nkey = "kvalitet"\nname = "Kvalitet"\n\n' + commitments,
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("commitments", "problem"),
    [
        (
            '[[commitments]]\nkey = "k1"\nparty = "offentlig"\nprinciples = ["dialog", "insyn"]\ntext = "A"\n',
            "commitments[0] ('k1') serves principle 'insyn', which is not one of this file's principles "
            "(dialog, kvalitet)",
        ),
        (
            '[[commitments]]\nkey = "k1"\nparty = "kommunen"\nprinciples = ["dialog"]\ntext = "A"\n',
            "commitments[0].party: Input should be 'offentlig', 'ideburen' or 'bada'",
        ),
        (
            '[[commitments]]\nkey = "k1"\nparty = "bada"\nprinciples = []\ntext = "A"\n',
            "commitments[0].principles",
        ),
        (
            '[[commitments]]\nkey = "k1"\nparty = "bada"\ntext = "A"\n',
            "commitments[0].principles: required key",
        ),
        (
            '[[commitments]]\nkey = "k1"\nparty = "bada"\nprinciples = ["dialog", "dialog"]\ntext = "A"\n',
            "principle 'dialog' is listed twice",
        ),
        (
            '[[commitments]]\nkey = "k1"\nparty = "bada"\nprinciples = ["dialog"]\ntext = "A"\n'
            '[[commitments]]\nkey = "k1"\nparty = "bada"\nprinciples = ["dialog"]\ntext = "B"\n',
            "duplicate key 'k1' at position 1",
        ),
        (
            '[[commitments]]\nkey = "k1"\nparty = "bada"\nprinciples = ["dialog"]\ntext = "A"\n'
            '[[commitments]]\nkey = "k2"\nparty = "bada"\nprinciples = ["dialog"]\ntext = "A"\n',
            "commitments: two have the same text 'A'",
        ),
        ('[[commitment]]\nkey = "k1"\n', "unknown key; did you mean commitments?"),
    ],
)
def test_a_malformed_commitment_is_named_precisely(tmp_path: Path, commitments: str, problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_process(_file(tmp_path, commitments))
    assert problem in str(raised.value)


def test_a_good_commitment_is_read(tmp_path: Path) -> None:
    process = load_process(
        _file(
            tmp_path,
            '[[commitments]]\nkey = "k1"\nparty = "bada"\nprinciples = ["kvalitet", "dialog"]\n'
            'text = " Vi ses varje år. "\ntext_en = "We meet every year."\n',
        )
    )
    assert process.commitments == (
        Commitment("k1", "Vi ses varje år.", "bada", ("kvalitet", "dialog"), "We meet every year."),
    )


# --- the round in the domain: scale, grouping, years, frozen tags ---------------------------------
@dataclass
class _Turn:
    """What a start command's turn gives the exercise (it reads the language only)."""

    lang: Language = Language.SV
    event: Any = None
    port: Any = None
    chat: Any = None
    user: Any = None


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def _conversation(
    service: WorkshopService, renderer: ChartRenderer | None = None
) -> tuple[Conversation, FollowupExercise]:
    exercise = FollowupExercise()
    conv = Conversation(
        service,
        Pseudonymizer(SECRET),
        is_facilitator=lambda _user: True,
        renderer=renderer or ChartRenderer(),
        exercises=[exercise],
    )
    return conv, exercise


async def _followup_year(
    service: WorkshopService,
    exercise: FollowupExercise,
    process: Process,
    people: dict[str, tuple[str, int]],
    title: str = "Dialogträff",
) -> Any:
    """A workshop of ``process`` with a follow-up of all its commitments, everyone answering
    ``value`` to each, closed; returns (workshop, round)."""
    workshop = await service.create_workshop(process.key, title)
    items = [(c.text, c.key) for c in process.commitments]
    draft = await service.create_round(workshop.id, RoundKind.FOLLOWUP, title, items, {"scale_steps": 5})
    await exercise.records_for(service.store).keep_tags(
        draft.id, [CommitmentTag(c.party, c.principles) for c in process.commitments]
    )
    round_ = await service.open_round(draft.id)
    for key, (sector, value) in people.items():
        await service.join(workshop.id, key, sector=sector)
        for item in round_.items:
            await service.answer(round_.id, item.id, key, value)
    return workshop, await service.close_round(round_.id)


def _room(ide: int, off: int, value_ide: int, value_off: int) -> dict[str, tuple[str, int]]:
    return {f"i{n}": ("ideburen", value_ide) for n in range(ide)} | {
        f"o{n}": ("offentlig", value_off) for n in range(off)
    }


async def test_the_scale_the_values_and_the_refusals() -> None:
    service = WorkshopService(MemoryStore(), PROCESSES, min_group_size=5)
    conv, exercise = _conversation(service)
    workshop = await service.create_workshop(OREBRO.key, "T")
    items = [(c.text, c.key) for c in OREBRO.commitments[:2]]
    with pytest.raises(DomainError) as wrong_scale:
        await service.create_round(workshop.id, RoundKind.FOLLOWUP, "T", items, {"scale_steps": 7})
    assert "alltid 5 steg" in wrong_scale.value.message(Language.SV)
    round_ = await service.open_round(
        (await service.create_round(workshop.id, RoundKind.FOLLOWUP, "T", items, {})).id
    )
    assert round_.settings == {"scale_steps": 5, "dont_know": 1}
    item = round_.items[0]
    for bad in (6, -1, 9):
        with pytest.raises(DomainError):
            await service.answer(round_.id, item.id, "p1", bad)
    await service.answer(round_.id, item.id, "p1", 0)  # "Vet inte"
    await service.answer(round_.id, item.id, "p1", 5)  # a change of mind replaces it
    assert [r.value for r in await service.store.responses(round_.id)] == [5]
    post = exercise.posts(conv, round_, Language.SV)[0]
    assert post.text.startswith("Åtagande 1: Det ska vara enkelt att kontakta kommunen.")
    assert post.buttons is not None
    assert [row[0].label for row in post.buttons] == [
        "1 Inte alls",
        "2 I liten grad",
        "3 Delvis",
        "4 I hög grad",
        "5 Helt och hållet",
        "Vet inte",
    ]
    english = exercise.posts(conv, round_, Language.EN)[0]
    assert english.buttons is not None and english.buttons[-1][0].label == "Don't know"
    assert english.buttons[0][0].label == "1 Not at all" and english.buttons[4][0].label == "5 Fully"


async def test_results_group_by_party_and_principle_and_compare_the_years() -> None:
    clock = Clock(datetime(2025, 3, 10, 12, tzinfo=UTC))
    service = WorkshopService(MemoryStore(), PROCESSES, clock, min_group_size=5)
    conv, exercise = _conversation(service)
    # 2025: everyone answered 2 ("I liten grad"), in a workshop of its own
    await _followup_year(service, exercise, OREBRO, _room(6, 6, 2, 2), "Dialogträff 2025")
    # the same year again, earlier in the year: not the one compared with (the latest of a year is)
    clock.at = datetime(2025, 1, 10, 12, tzinfo=UTC)
    await _followup_year(service, exercise, OREBRO, _room(6, 6, 5, 5), "Tidigt 2025")
    # another process's follow-up is never compared with
    other = replace(OREBRO, key="annan-process")
    service.processes[other.key] = other
    clock.at = datetime(2025, 6, 1, 12, tzinfo=UTC)
    await _followup_year(service, exercise, other, _room(6, 6, 1, 1), "Annan")
    # 2026: the idea-based sector says 5, the public sector 4
    clock.at = datetime(2026, 3, 9, 12, tzinfo=UTC)
    _, now = await _followup_year(service, exercise, OREBRO, _room(6, 6, 5, 4), "Dialogträff 2026")
    outputs = await exercise.results(conv, now, Language.SV)
    text = outputs[0].text if isinstance(outputs[0], Post) else ""
    assert text.startswith("Hur väl har vi hållit det vi lovade?")
    assert "Offentliga partens åtaganden (13 åtag.): hållit 100 %, medel 4,5 (n = 156 svar)" in text
    assert "Idéburna partens åtaganden (8 åtag.): hållit 100 %" in text
    assert "idéburen sektor 100 % · offentlig sektor 100 %" in text
    assert "Öppenhet (12 åtag.): hållit 100 %" in text and "Långsiktighet (1 åtag.)" in text
    assert text.index("Per part:") < text.index("Per princip:") < text.index("Per åtagande:")
    earlier_2025 = sorted(await service.store.rounds(1), key=lambda r: r.id)[0]
    assert f"2025: omgång {earlier_2025.id}" in text
    assert "Offentliga partens åtaganden: 2025 0 % → 2026 100 %" in text
    assert "Mångfald: 2025 0 % → 2026 100 %" in text
    charts = [o for o in outputs if isinstance(o, Image)]
    assert [c.filename for c in charts] == [
        f"uppfoljning-{now.id}.png",
        f"uppfoljning-{now.id}-grupper.png",
        f"uppfoljning-{now.id}-ar.png",
    ]
    assert all(c.png.startswith(b"\x89PNG") for c in charts)
    # the export holds the same figures, with the earlier year per group and per commitment
    files = {a.filename: a for a in await exercise.export(conv, now, Language.SV)}
    book = load_workbook(io.BytesIO(files[f"uppfoljning-{now.id}.xlsx"].data))
    assert book.sheetnames == ["Åtaganden", "Sektorer", "Per part och princip", "Tidigare år", "Skala"]
    years = [[cell.value for cell in row] for row in book["Tidigare år"].iter_rows()]
    assert years[0] == [
        "Gruppering",
        "Grupp",
        "Hållit 2025 (%)",
        "Hållit 2026 (%)",
        "Antal svar 2025",
        "Antal svar 2026",
    ]
    assert ["Part", "Offentliga partens åtaganden", 0, 100, 156, 156] in years
    assert years[-1][:3] == ["Åtagande", "21. " + OREBRO.commitments[-1].text, 0]
    csv = files[f"uppfoljning-{now.id}.csv"].data.decode("utf-8-sig")
    assert "Kommunen ska visa respekt för civilsamhällets självständighet och oberoende." in csv
    # a later year's follow-up changes nothing the 2026 round published, nor does the 2025 one
    earlier_before = await exercise.results(conv, earlier_2025, Language.SV)
    clock.at = datetime(2027, 3, 8, 12, tzinfo=UTC)
    await _followup_year(service, exercise, OREBRO, _room(6, 6, 1, 1), "Dialogträff 2027")
    again = await exercise.results(conv, now, Language.SV)
    assert [o.text if isinstance(o, Post) else o.png for o in again] == [
        o.text if isinstance(o, Post) else o.png for o in outputs
    ]
    assert [
        o.text if isinstance(o, Post) else o.png
        for o in await exercise.results(conv, earlier_2025, Language.SV)
    ] == [o.text if isinstance(o, Post) else o.png for o in earlier_before]
    assert isinstance(earlier_before[0], Post) and "Ingen tidigare års uppföljning" in earlier_before[0].text
    # English is complete
    english = await exercise.results(conv, now, Language.EN)
    assert isinstance(english[0], Post) and english[0].text.startswith(
        "How well have we kept what we promised?"
    )
    assert "The public party's commitments (13 commitm.): kept 100 %" in english[0].text


async def test_a_closed_rounds_grouping_never_follows_a_later_edit_of_the_process_file() -> None:
    service = WorkshopService(MemoryStore(), dict(PROCESSES), min_group_size=5)
    conv, exercise = _conversation(service)
    workshop = await service.create_workshop(OREBRO.key, "T")
    # started with the chat command: the tags are kept as the round is made
    turn = _Turn()
    draft = await exercise.create_round(conv, turn, workshop, OREBRO, "uppfoljning", ("1,6",))
    round_ = await service.open_round(draft.id)
    for key, (sector, value) in _room(6, 6, 4, 2).items():
        await service.join(workshop.id, key, sector=sector)
        for item in round_.items:
            await service.answer(round_.id, item.id, key, value)
    round_ = await service.close_round(round_.id)
    before = await exercise.results(conv, round_, Language.SV)
    # the administrator re-tags commitment 6 and renames the party: the closed round stays as it was
    edited = replace(
        OREBRO,
        commitments=tuple(
            replace(c, principles=("kvalitet",), party="bada") if c.key == "kommun-06" else c
            for c in OREBRO.commitments
        ),
    )
    service.processes[OREBRO.key] = edited
    after = await exercise.results(conv, round_, Language.SV)
    assert [o.text if isinstance(o, Post) else o.png for o in before] == [
        o.text if isinstance(o, Post) else o.png for o in after
    ]
    assert isinstance(after[0], Post) and "Självständighet och oberoende (1 åtag.)" in after[0].text
    assert "Gemensamma" not in after[0].text


async def test_a_round_launched_without_tags_keeps_the_process_files_at_its_first_result() -> None:
    """The Slack modal makes rounds through the rules alone: its first result keeps the tags."""
    service = WorkshopService(MemoryStore(), dict(PROCESSES), min_group_size=2)
    conv, exercise = _conversation(service)
    workshop = await service.create_workshop(OREBRO.key, "T")
    items = [(c.text, c.key) for c in OREBRO.commitments[:3]]
    round_ = await service.open_round(
        (await service.create_round(workshop.id, RoundKind.FOLLOWUP, "T", items, {})).id
    )
    records = exercise.records_for(service.store)
    assert isinstance(records, MemoryFollowupRecords) and await records.tags(round_.id) is None
    await service.join(workshop.id, "a", sector="ideburen")
    await service.answer(round_.id, round_.items[0].id, "a", 3)
    round_ = await service.close_round(round_.id)
    await exercise.results(conv, round_, Language.SV)
    assert await records.tags(round_.id) == [
        CommitmentTag(c.party, c.principles) for c in OREBRO.commitments[:3]
    ]


async def test_a_process_without_commitments_and_a_bad_argument_are_refused() -> None:
    service = WorkshopService(MemoryStore(), PROCESSES, min_group_size=5)
    conv, exercise = _conversation(service)
    turn = _Turn()
    varmland = PROCESSES["varmland-2015"]
    workshop = await service.create_workshop(varmland.key, "T")
    with pytest.raises(DomainError) as none:
        await exercise.create_round(conv, turn, workshop, varmland, "uppfoljning", ())
    assert none.value.message(Language.SV) == (
        "Processen varmland-2015 har inga åtaganden. Lägg till [[commitments]] i processfilen."
    )
    orebro = await service.create_workshop(OREBRO.key, "T")
    refusals = []
    for args in (("hoppsan",), ("1,99",), ("bada",), ("1-3", "ideburen")):
        with pytest.raises(DomainError) as refused:
            await exercise.create_round(conv, turn, orebro, OREBRO, "uppfoljning", args)
        refusals.append(refused.value.message(Language.SV))
    assert refusals[0].endswith("/uppfoljning [alla|stegvis|1,3,5|offentlig|ideburen]")
    assert refusals[2:] == [
        "Bland de valda åtagandena finns inga från båda parter.",
        "Bland de valda åtagandena finns inga från idéburna parten.",
    ]
    assert not await service.store.rounds(orebro.id)
    civil = await exercise.create_round(conv, turn, orebro, OREBRO, "uppfoljning", ("ideburen", "stegvis"))
    assert [i.ref_key for i in civil.items] == [f"civil-{n:02d}" for n in range(1, 9)]
    assert [i.number for i in civil.items] == list(range(14, 22)) and civil.current_position == 0


# --- the records on SQL ----------------------------------------------------------------------------
@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def sql_records(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    from storage.database import create_engine
    from storage.followup_records import SqlFollowupRecords
    from storage.migrate import upgrade
    from storage.repository import SqlStore

    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'f.sqlite3'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_database")
    )
    engine = create_engine(url)
    if url.startswith("sqlite"):
        await upgrade(url, engine)
    store = SqlStore(engine)
    try:
        yield store, SqlFollowupRecords(engine)
    finally:
        await store.aclose()
        await engine.dispose()


async def test_sql_records_keep_the_first_tags_and_find_a_process_s_closed_followups(
    sql_records: Any,
) -> None:
    store, records = sql_records
    memory_store = MemoryStore()
    for each_store, each in ((store, records), (memory_store, MemoryFollowupRecords(memory_store))):
        at = datetime(2026, 1, 1, tzinfo=UTC)
        a = await each_store.create_workshop("orebro-2010", "A", "AAAAAA", Language.SV, at)
        b = await each_store.create_workshop("annan", "B", "BBBBBB", Language.SV, at)
        rounds = [
            await each_store.create_round(w.id, kind, "R", [("x", "k")], {})
            for w, kind in (
                (a, RoundKind.FOLLOWUP),
                (a, RoundKind.FOLLOWUP),
                (a, RoundKind.BAROMETER),
                (b, RoundKind.FOLLOWUP),
            )
        ]
        for round_ in rounds:
            await each_store.transition_round(round_.id, RoundStatus.DRAFT, RoundStatus.OPEN, at)
        for round_ in (rounds[0], rounds[2], rounds[3]):
            assert await each_store.close_round(round_.id, at, await _frame())
        assert await each.closed_followups("orebro-2010") == [rounds[0].id]
        assert await each.tags(rounds[0].id) is None
        first = [CommitmentTag("offentlig", ("dialog", "oppenhet")), CommitmentTag()]
        assert await each.keep_tags(rounds[0].id, first) == first
        assert await each.keep_tags(rounds[0].id, [CommitmentTag("bada", ("kvalitet",))]) == first
        assert await each.tags(rounds[0].id) == first


async def _frame() -> Any:
    from facilitation.model import ResultFrame

    return ResultFrame(5)


# --- whole flows: local mode, Telegram ---------------------------------------------------------------
async def test_followup_end_to_end_in_local_mode_with_export_result_and_report(harness: LocalHarness) -> None:
    await harness.run("/workshop orebro-2010 Dialogträff i Örebro")
    printed = await harness.run("/uppfoljning")
    posts = [
        m for m in harness.port.messages.values() if m.buttons and m.buttons[0][0].data.startswith("uf.")
    ]
    assert len(posts) == 21 and all(len(m.buttons) == 6 for m in posts)
    assert posts[0].text == "Åtagande 1: " + OREBRO.commitments[0].text
    assert any("från ”Inte alls” till ”Helt och hållet”, eller ”Vet inte”" in line for line in printed)
    first = harness.last_message_with("Åtagande 1:")
    await harness.run(f"@anna {first}.6")
    assert harness.last_ack().startswith("Ditt svar på åtagande 1: Vet inte")
    await harness.run(f"@anna {first}.4")
    assert harness.last_ack().startswith("Ditt svar på åtagande 1: I hög grad")
    printed = await harness.run(":sim 30")
    assert "simulerade 30 deltagare: " in printed[-1] and "0 avvisade" in printed[-1]
    printed = await harness.run("/stang")
    summary = next(line for line in printed if "Hur väl har vi hållit det vi lovade?" in line)
    assert "Per part:" in summary and "Offentliga partens åtaganden (13 åtag.)" in summary
    assert "Idéburna partens åtaganden (8 åtag.)" in summary and "Per princip:" in summary
    assert "Ingen tidigare års uppföljning" in summary
    charts = [p for p in harness.port.files() if p.suffix == ".png"]
    assert len(charts) == 2 and all(png_size(p)[0] > 600 for p in charts)
    printed = await harness.run("/export")
    files = [p for p in harness.port.files() if p.suffix in (".csv", ".xlsx")]
    assert sorted(p.suffix for p in files) == [".csv", ".xlsx"]
    printed = await harness.run("/resultat")
    assert any("Hur väl har vi hållit det vi lovade?" in line for line in printed)
    workshop = await harness.app.service.require_workshop(1)
    conv = harness.app.conversation
    report = await workshop_report(conv, conv.exercises, workshop, Language.SV)
    text = pdf_text(render_pdf(report))
    for needle in (
        "Uppföljningavåtaganden",
        "Hurvälharvihållitdetvilovade?",
        "Perpart:",
        "Perprincip:",
        "Självständighetochoberoende(3åtag.)",
        "Uppföljningavåtaganden:varjeåtagandebedömdesfrån1(Intealls)till5(Heltochhållet)",
        re.sub(r"\s+", "", OREBRO.commitments[11].text),
    ):
        assert needle in text
    round_ = (await harness.app.store.rounds(1))[0]
    assert round_.status == RoundStatus.CLOSED
    assert await harness.app.conversation.exercises[RoundKind.FOLLOWUP].records_for(  # type: ignore[attr-defined]
        harness.app.store
    ).tags(round_.id) == [CommitmentTag(c.party, c.principles) for c in OREBRO.commitments]


async def test_followup_through_telegram_with_presses_changes_redelivery_and_the_report(rig: Rig) -> None:  # noqa: F811
    await rig.command("/workshop orebro-2010 Dialogträff", chat_title="Örebro")
    await rig.command("/uppfoljning 1,2,14")
    posts = rig.markups(GROUP, "uf.")
    assert len(posts) == 3 and all(len(data) == 6 for _, data in posts)
    sector_message, sector_data = rig.markups(GROUP, "s.")[0]
    users = [9000 + i for i in range(12)]
    for i, user in enumerate(users):
        await rig.process(rig.api.callback_update(user, GROUP, sector_message, sector_data[i % 2]))
        for message_id, data in posts:
            await rig.process(rig.api.callback_update(user, GROUP, message_id, data[(i + message_id) % 6]))
    # one changes their mind to "Helt och hållet", and Telegram delivers that press twice
    message_id, data = posts[0]
    change = rig.api.callback_update(users[0], GROUP, message_id, data[4])
    await rig.process(change)
    await rig.process(change)
    answers = rig.answers()
    assert answers[change["callback_query"]["id"]].startswith("Ditt svar på åtagande 1: Helt och hållet")
    workshop_round = next(r for r in await rig.app.store.rounds(1) if r.kind == RoundKind.FOLLOWUP)
    responses = await rig.app.store.responses(workshop_round.id)
    assert len(responses) == 36
    await rig.command("/stang")
    texts = [m.text or "" for m in rig.api.sent_messages(GROUP)]
    summary = next(t for t in map(result_text, texts) if t.startswith("Hur väl har vi hållit det vi lovade?"))
    assert (
        "Offentliga partens åtaganden (2 åtag.)" in summary
        and "Idéburna partens åtaganden (1 åtag.)" in summary
    )
    photos = [c for c in rig.api.calls_to("sendPhoto") if c.status == 200]
    assert len(photos) == 2 and all(c.params.get("caption") for c in photos)
    await rig.command("/rapport")
    [sent] = [c for c in rig.api.calls_to("sendDocument") if c.status == 200]
    [pdf] = sent.files.values()
    assert "Hurvälharvihållitdetvilovade?" in pdf_text(pdf)

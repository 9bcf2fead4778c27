"""Issue 17, the yearbook: conclusions (``/slutsats``), yearly rounds (``/arsomgang``), ``/trend``,
and the alt text of every posted chart.

* the store contract, on memory, SQLite and PostgreSQL: a conclusion is replaced (the latest
  counts), a year holds one round and a round one year;
* the whole flow in the local mode: conclusions under ``/resultat``, in the CSV and XLSX, bad
  input refused in the user's language with nothing changed;
* through the real Telegram and Slack libraries against the stand-ins: the conclusion command,
  every chart's one-line summary at the head of its Telegram caption (within 1024 characters)
  and as Slack's ``alt_txt``;
* the trend reads each yearly round's published figures, matched by statement key, and hides
  what each round hid;
* the report's PDF text holds every conclusion and, when the process has earlier yearly
  rounds, the chapter "Utveckling över åren".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from bench.report import PROCESS, demo_workshop
from config.catalogue import load_process
from facilitation.barometer.flow import BarometerExercise
from facilitation.barometer.results import barometer_report
from facilitation.conversation import Conversation
from facilitation.exercises import Image, Post
from facilitation.memory_store import MemoryStore
from facilitation.model import Language, Round, RoundKind, RoundStatus
from facilitation.pseudonym import Pseudonymizer
from facilitation.rendering import ChartRenderer
from facilitation.report.command import report_pdf
from facilitation.service import WorkshopService
from facilitation.yearbook.chat import install
from facilitation.yearbook.store import MAX_CONCLUSION, MemoryYearbook, YearbookStore
from facilitation.yearbook.trend import trend_alt, trend_lines, trend_of
from tests.conftest import SECRET
from tests.harness import LocalHarness
from tests.test_telegram_flow import FACILITATOR, GROUP, Rig, _workshop, rig  # noqa: F401  (the fixture)

AT = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
CONCLUSION = "Vi tar med Integration i nästa års överenskommelse"


# --- the store contract ---------------------------------------------------------------------------


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def stores(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[Any, YearbookStore]]:
    """A round store and a yearbook on the same database (the yearbook's rows refer to rounds)."""
    if request.param == "memory":
        yield MemoryStore(), MemoryYearbook()
        return
    from storage.database import create_engine
    from storage.migrate import upgrade
    from storage.repository import SqlStore
    from storage.yearbook import SqlYearbook

    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'yearbook.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_database")
    engine = create_engine(url)
    if url.startswith("sqlite"):
        await upgrade(url, engine)
    store = SqlStore(engine)
    try:
        yield store, SqlYearbook(engine)
    finally:
        await store.aclose()
        await engine.dispose()


async def test_the_store_keeps_the_latest_conclusion_and_one_round_per_year(
    stores: tuple[Any, YearbookStore],
) -> None:
    store, yearbook = stores
    workshop = await store.create_workshop("p", "W", "ABC123", Language.SV, AT)
    assert workshop is not None
    r1, r2, r3 = [
        (await store.create_round(workshop.id, RoundKind.BAROMETER, f"R{i}", [("a", "a")], {})).id
        for i in range(3)
    ]
    assert await yearbook.conclusions([]) == {}
    assert await yearbook.set_conclusion(r1, "Första", AT) is False
    assert await yearbook.set_conclusion(r1, "Andra", AT + timedelta(minutes=1)) is True
    found = await yearbook.conclusions([r1, r2])
    assert list(found) == [r1] and found[r1].text == "Andra"
    assert found[r1].recorded_at == AT + timedelta(minutes=1)

    assert await yearbook.mark_yearly("p", 2025, r1) is None
    assert await yearbook.mark_yearly("p", 2026, r2) is None
    assert await yearbook.mark_yearly("p", 2025, r3) == r1  # the year's round is replaced
    assert await yearbook.mark_yearly("p", 2024, r2) is None  # a round moves to another year
    assert await yearbook.mark_yearly("other", 2025, r1) is None  # another process's years are apart
    held = [(y.year, y.round_id) for y in await yearbook.yearly_rounds("p")]
    assert held == [(2024, r2), (2025, r3)]
    assert await yearbook.unmark_yearly(r3) is True
    assert await yearbook.unmark_yearly(r3) is False
    assert [(y.year, y.round_id) for y in await yearbook.yearly_rounds("p")] == [(2024, r2)]
    assert [(y.year, y.round_id) for y in await yearbook.yearly_rounds("other")] == [(2025, r1)]


# --- the local mode -------------------------------------------------------------------------------


async def _rounds(h: LocalHarness, workshop_title: str) -> list[Round]:
    workshops = [await h.app.service.store.workshop(i) for i in await h.app.service.store.workshop_ids()]
    [workshop] = [w for w in workshops if w is not None and w.title == workshop_title]
    return sorted(await h.app.service.store.rounds(workshop.id), key=lambda r: r.id)


async def _stored_conclusions(h: LocalHarness) -> dict[int, str]:
    from facilitation.yearbook.chat import _installed

    yearbook = _installed[h.app.conversation]
    ids = [
        r.id for w in await h.app.service.store.workshop_ids() for r in await h.app.service.store.rounds(w)
    ]
    return {i: c.text for i, c in (await yearbook.store.conclusions(ids)).items()}


async def test_conclusions_in_the_local_mode_results_and_exports(harness: LocalHarness) -> None:
    await harness.run("/workshop varmland-2015 Dialogmöte 2025", "/barometer 1,2,3", ":sim 20")
    printed = "\n".join(await harness.run(f"/slutsats {CONCLUSION}"))
    assert "har ingen stängd omgång" in printed  # the open round is no closed round
    printed = "\n".join(await harness.run("/slutsats 1 För tidigt"))
    assert "Omgång 1 är inte stängd än" in printed
    assert await _stored_conclusions(harness) == {}
    await harness.run("/stang")

    printed = "\n".join(await harness.run("/slutsats Ett första utkast"))
    assert "Slutsatsen för omgång 1" in printed and "är sparad" in printed
    printed = "\n".join(await harness.run(f"/slutsats 1 {CONCLUSION}"))
    assert "är ersatt. Den nya gäller" in printed
    assert await _stored_conclusions(harness) == {1: CONCLUSION}

    # bad input: a clear sentence, and nothing changes
    for line, answer in [
        ("/slutsats", "Skriv slutsatsen efter kommandot"),
        ("/slutsats 1", "Skriv slutsatsen efter kommandot"),
        ("/slutsats 1 " + "x" * (MAX_CONCLUSION + 1), f"högst {MAX_CONCLUSION} tecken"),
        ("/slutsats 99 Fel omgång", "Det finns ingen sådan omgång"),
        ("@bertil /slutsats 1 Kupp", "bara för processledare"),
    ]:
        printed = "\n".join(await harness.run(line))
        assert answer in printed, (line, printed)
        assert await _stored_conclusions(harness) == {1: CONCLUSION}

    printed = "\n".join(await harness.run("/resultat"))
    assert f"Slutsats för omgång 1: {CONCLUSION}" in printed
    assert "alt: Staplar: andel som håller med" in printed  # the chart says what it shows

    await harness.run("/export")
    files = sorted((harness.port.out_dir).glob("*-barometer-1.*"))
    data = {path.suffix: path.read_bytes() for path in files}
    rows = list(csv.reader(io.StringIO(data[".csv"].decode("utf-8-sig")), delimiter=";"))
    assert [CONCLUSION, "2026-12-02"] in rows or any(row and row[0] == CONCLUSION for row in rows)
    book = load_workbook(io.BytesIO(data[".xlsx"]))
    cells = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert CONCLUSION in cells

    # a round of another workshop is not this workshop's: refused, nothing stored
    await harness.run("/workshop varmland-2015 Dialogmöte 2026", "/barometer 2,3", ":sim 12", "/stang")
    printed = "\n".join(await harness.run("/slutsats 1 Fel workshop"))
    assert "Det finns ingen sådan omgång" in printed
    assert await _stored_conclusions(harness) == {1: CONCLUSION}

    await harness.run("/sprak en")
    printed = "\n".join(await harness.run("/conclusion"))
    assert "Write the conclusion after the command" in printed


async def test_yearly_rounds_and_the_trend_in_the_local_mode(harness: LocalHarness) -> None:
    await harness.run("/workshop varmland-2015 Dialogmöte 2025", "/barometer 1,2,3", ":sim 20", "/stang")
    printed = "\n".join(await harness.run("/arsomgang 1 2025"))
    assert "Omgång 1 (Åsiktsbarometer – Värmland) är nu processens årsomgång 2025." in printed
    printed = "\n".join(await harness.run("/trend"))
    assert "Utveckling över åren" in printed and "2025 (omgång 1)" in printed
    await harness.run("/workshop varmland-2015 Dialogmöte 2026", "/rangordna", ":sim 12", "/stang")
    await harness.run("/barometer 3,4", ":sim 20", "/stang")
    rounds = await _rounds(harness, "Dialogmöte 2026")
    prio, barometer = rounds
    printed = "\n".join(await harness.run(f"/arsomgang {prio.id}"))
    assert f"Omgång {prio.id} är ingen åsiktsbarometer" in printed
    for line, answer in [
        ("/arsomgang 1 2026", "Det finns ingen sådan omgång"),  # another workshop's round
        (f"/arsomgang {barometer.id} 3000", "3000 är inget år"),
        (f"/arsomgang {barometer.id} 2026 2027", "/arsomgang [omgång] [år]"),
        ("/arsomgang bort", "/arsomgang [omgång] [år]"),
        ("/trend 99", "Processen har inget påstående 99"),
    ]:
        printed = "\n".join(await harness.run(line))
        assert answer in printed, (line, printed)
    printed = "\n".join(await harness.run("/arsomgang"))  # the latest closed barometer, the year it closed
    year = datetime.now(UTC).year
    assert f"Omgång {barometer.id} (Åsiktsbarometer – Värmland) är nu processens årsomgång {year}." in printed

    printed = "\n".join(await harness.run("/trend 3"))
    assert "3. Vi i Värmland bör fortsätta" in printed
    assert "2025 (omgång 1)" in printed and f"{year} (omgång {barometer.id})" in printed
    assert "1. Min organisation" not in printed  # one statement asked for
    assert "alt: Linjer: medelvärde och andel som håller med" in printed
    printed = "\n".join(await harness.run(f"/arsomgang {barometer.id} bort", "/trend 4"))
    assert f"Omgång {barometer.id} är inte längre någon årsomgång." in printed
    assert "Påståendet ställdes inte i någon av processens årsomgångar (2025)." in printed


# --- the trend is made of published figures -------------------------------------------------------


async def _conversation(minimum: int = 5) -> tuple[Conversation, WorkshopService]:
    process = load_process(PROCESS)
    service = WorkshopService(MemoryStore(), {process.key: process}, min_group_size=minimum)
    conv = Conversation(
        service, Pseudonymizer(SECRET), is_facilitator=lambda _u: True, exercises=[BarometerExercise()]
    )
    return conv, service


async def _closed_barometer(
    service: WorkshopService, title: str, numbers: list[int], people: dict[str, int], seed: int
) -> Round:
    """A workshop with one closed barometer over statements ``numbers`` (catalogue numbers) and
    ``people`` per sector answering ``(i + seed) % 5 + 1``."""
    process = next(iter(service.processes.values()))
    workshop = await service.create_workshop(process.key, title)
    statements = [(process.statements[n - 1].text, process.statements[n - 1].key) for n in numbers]
    round_ = await service.create_round(
        workshop.id, RoundKind.BAROMETER, title, statements, {"scale_steps": 5}
    )
    round_ = await service.open_round(round_.id)
    i = 0
    for sector, count in people.items():
        for k in range(count):
            key = f"{title}-{sector}-{k}"
            await service.join(workshop.id, key, sector=sector)
            for item in round_.items:
                await service.answer(round_.id, item.id, key, (i + seed + item.position) % 5 + 1)
            i += 1
    return await service.close_round(round_.id)


async def test_the_trend_matches_statements_by_key_and_shows_only_what_each_year_published() -> None:
    conv, service = await _conversation(minimum=5)
    yearbook = MemoryYearbook()
    first = await _closed_barometer(
        service, "2024", [1, 2, 3], {"ideburen": 8, "offentlig": 8, "annan": 2}, 1
    )
    second = await _closed_barometer(service, "2025", [3], {"ideburen": 6, "offentlig": 3}, 2)
    third = await _closed_barometer(service, "2026", [2, 3], {"ideburen": 2, "offentlig": 1}, 3)
    for year, round_ in ((2024, first), (2025, second), (2026, third)):
        await yearbook.mark_yearly("varmland-2015", year, round_.id)
    process = service.processes["varmland-2015"]
    trend = await trend_of(service, process, await yearbook.yearly_rounds(process.key), Language.SV)
    assert trend.years == (2024, 2025, 2026)
    by_key = {s.key: s for s in trend.statements}
    third_key = process.statements[2].key
    series = by_key[third_key]
    assert series.number == 3 and [p.year for p in series.points] == [2024, 2025, 2026]
    # each year's figures are those its round published (statement 3 is item 3, 1 and 2 of the rounds)
    for point, round_ in zip(series.points, (first, second, third), strict=True):
        report = await barometer_report(conv, round_)
        position = next(i for i, item in enumerate(round_.items) if item.ref_key == third_key)
        breakdown = report.breakdowns[position]
        if breakdown.disclosure.overall:
            assert point.overall is not None
            assert (point.overall.n, point.overall.mean) == (breakdown.overall.n, breakdown.overall.mean)
        else:
            assert point.overall is None and point.note is not None
        shown = breakdown.shown if breakdown.compared else {}
        assert set(point.sectors) == set(shown)
        for key, figures in point.sectors.items():
            assert (figures.n, figures.mean) == (shown[key].n, shown[key].mean)
    # 2024: two large sectors compared (annan left out); 2025: offentlig too small, nothing split;
    # 2026: three people, below the minimum: no figure at all
    assert set(series.points[0].sectors) == {"ideburen", "offentlig"}
    assert series.points[1].overall is not None and not series.points[1].sectors
    assert series.points[2].overall is None and "för få" in (series.points[2].note or "")
    assert [p.year for p in by_key[process.statements[0].key].points] == [2024]
    lines = "\n".join(trend_lines(trend, Language.SV))
    assert "2026 (omgång" in lines and "Annan" not in lines
    alt = trend_alt(trend, Language.SV)
    assert alt.startswith("Linjer:") and "påstående 3:" in alt and len(alt) < 1000
    english = await trend_of(service, process, await yearbook.yearly_rounds(process.key), Language.EN)
    assert "Development over the years" in "\n".join(trend_lines(english, Language.EN))


# --- Telegram and Slack through their libraries ----------------------------------------------------


async def test_telegram_conclusion_and_chart_summaries_in_captions(rig: Rig) -> None:  # noqa: F811  (the fixture)
    _, round_id, statements = await _workshop(rig, "1,2,3")
    sector_message, sector_data = rig.markups(GROUP, "s.")[0]
    for i, user in enumerate(range(9000, 9018)):
        await rig.process(rig.api.callback_update(user, GROUP, sector_message, sector_data[i % 2]))
        for message_id, data in statements:
            await rig.process(rig.api.callback_update(user, GROUP, message_id, data[(i + message_id) % 5]))
    await rig.command("/stang")
    await rig.command(f"/slutsats {CONCLUSION}", user=9000)  # a participant: refused
    assert "bara för processledare" in (rig.api.last_text(GROUP) or "")
    from facilitation.yearbook.chat import _installed

    assert await _installed[rig.app.conversation].store.conclusions([round_id]) == {}
    await rig.command(f"/slutsats {CONCLUSION}")
    assert (
        rig.api.last_text(GROUP)
        == f"Slutsatsen för omgång {round_id} (Åsiktsbarometer – Värmland) är sparad."
    )
    before = len(rig.api.calls_to("sendPhoto"))
    await rig.command("/resultat", user=FACILITATOR)
    photos = [c for c in rig.api.calls_to("sendPhoto")[before:] if c.status == 200]
    assert len(photos) >= 2
    round_ = await rig.app.store.round(round_id)
    assert round_ is not None
    outputs = await rig.app.conversation.exercises[RoundKind.BAROMETER].results(
        rig.app.conversation, round_, Language.SV
    )
    alts = [o.alt for o in outputs if isinstance(o, Image)]
    assert len(alts) == len(photos) and all(alts)
    for call, alt in zip(photos, alts, strict=True):
        caption = str(call.params["caption"])
        assert caption.split("\n")[0] == alt and len(caption) <= 1024
    assert rig.api.last_text(GROUP) == f"Slutsats för omgång {round_id}: {CONCLUSION}"


async def test_slack_conclusion_and_chart_summaries_as_alt_txt(tmp_path: Path) -> None:
    from tests.test_slack_flow import CHANNEL, launch_barometer, slack_rig, start_workshop, wait_for

    async with slack_rig(tmp_path) as rig:  # noqa: F811  (not the Telegram fixture)
        _, code = await start_workshop(rig, "Dialogträff")
        await launch_barometer(rig, "1,2", count=2)
        service = rig.app.service
        workshop = await service.workshop_by_code(code)
        round_ = await service.open_round_of(workshop.id)
        assert round_ is not None
        for i in range(14):
            key = f"slack-{i}"
            await service.join(workshop.id, key, sector=("ideburen", "offentlig")[i % 2])
            for item in round_.items:
                await service.answer(round_.id, item.id, key, (i + item.position) % 5 + 1)
        await rig.command("stang")
        await rig.wait_message("Här är resultatet", within=60)  # the close runs after Slack's ack
        closed = await service.require_round(round_.id)
        assert closed.status == RoundStatus.CLOSED
        outputs = await rig.app.conversation.exercises[RoundKind.BAROMETER].results(
            rig.app.conversation, closed, Language.SV
        )
        alts = [o.alt for o in outputs if isinstance(o, Image)]
        assert len(alts) >= 2 and all(alts)

        def completed(count: int) -> None:
            done = [f for f in rig.api.uploaded_files.values() if f.completed]
            assert len(done) >= count, f"{len(done)} of {count} uploads"

        await wait_for(lambda: completed(len(alts)), within=60)  # the close's charts
        await rig.command(f"slutsats {round_.id} {CONCLUSION} & mer")
        await rig.wait_message("är sparad")
        uploaded = len(rig.api.uploaded_files)
        await rig.command("resultat")
        await rig.wait_message(f"Slutsats för omgång {round_.id}: {CONCLUSION}", within=60)
        await wait_for(lambda: completed(uploaded + len(alts)), within=60)
        files = list(rig.api.uploaded_files.values())[uploaded:]
        assert [f.alt_txt for f in files] == alts
        assert all(f.alt_txt != f.initial_comment for f in files)
        assert rig.message_with(CONCLUSION, CHANNEL).text.endswith("&amp; mer")  # type: ignore[union-attr]


# --- the report -----------------------------------------------------------------------------------


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("lang", [Language.SV, Language.EN])
async def test_the_report_holds_every_conclusion_and_the_trend_over_earlier_years(lang: Language) -> None:
    renderer = ChartRenderer()
    try:
        conv, workshop = await demo_workshop(renderer, rounds=5, people=30)
        yearbook = install(conv, MemoryYearbook())
        rounds = sorted(await conv.service.store.rounds(workshop.id), key=lambda r: r.id)
        texts = {
            r.id: f"Slutsats nummer {r.id}: vi följer upp Långsiktighet år {2020 + r.id}" for r in rounds[:4]
        }
        for round_id, text in texts.items():
            await yearbook.store.set_conclusion(round_id, text, AT)
        without = await report_pdf(conv, conv.exercises, workshop, lang)
        text = _squeezed("".join(p.extract_text() for p in PdfReader(io.BytesIO(without.data)).pages))
        for conclusion in texts.values():
            assert text.count(_squeezed(conclusion)) == 2  # in its round's section and in the summary
        heading = "Utvecklingöveråren" if lang is Language.SV else "Developmentovertheyears"
        assert heading not in text  # no earlier yearly round: no chapter
        assert ("Slutsatser" if lang is Language.SV else "Conclusions") in text

        # earlier years in other workshops of the process, and this workshop's barometer
        service = conv.service
        for year, seed in ((2022, 1), (2023, 2), (2024, 3)):
            earlier = await _closed_barometer(
                service, str(year), [1, 2, 3, 4, 5, 6, 7], {"ideburen": 9, "offentlig": 9, "annan": 3}, seed
            )
            await yearbook.store.mark_yearly(workshop.process_key, year, earlier.id)
        own = next(r for r in rounds if r.kind == RoundKind.BAROMETER and r.status == RoundStatus.CLOSED)
        await yearbook.store.mark_yearly(workshop.process_key, 2026, own.id)
        report = await report_pdf(conv, conv.exercises, workshop, lang)
        reader = PdfReader(io.BytesIO(report.data))
        text = _squeezed("".join(p.extract_text() for p in reader.pages))
        assert heading in text
        for conclusion in texts.values():
            assert _squeezed(conclusion) in text
        for year in (2022, 2023, 2024, 2026):
            assert str(year) in text
        assert len(report.data) < 5_000_000
    finally:
        renderer.close()


async def test_a_conclusion_may_be_written_after_close_and_the_round_publishes_the_same_figures() -> None:
    """A conclusion is the facilitator's text, not a figure: the round's results stay what they were."""
    conv, service = await _conversation(minimum=3)
    yearbook = install(conv, MemoryYearbook())
    round_ = await _closed_barometer(service, "R", [1, 2], {"ideburen": 5, "offentlig": 5}, 0)
    exercise = conv.exercises[RoundKind.BAROMETER]
    before = await exercise.results(conv, round_, Language.SV)
    await yearbook.store.set_conclusion(round_.id, CONCLUSION, AT)
    after = await exercise.results(conv, round_, Language.SV)
    assert [o for o in after if isinstance(o, Post)] == [o for o in before if isinstance(o, Post)]
    assert await yearbook.results(round_, Language.SV) == [
        Post(f"Slutsats för omgång {round_.id}: {CONCLUSION}")
    ]

"""The workshop report (issue 17): one PDF of every closed round, as it was published.

The PDF's text is read back (pypdf): every statement and principle as asked, every line the chat
posted about each round and every figure of every table must be in it as real text; å, ä and ö
must survive. A workshop without a closed round gets a sentence, not an empty PDF; participants
per sector obey the disclosure rule; the PDF is drawn in a chart worker process. (That no output
of the report depends on what the disclosure rule hides is part of the property test in
tests/test_disclosure.py.)
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from bench.report import demo_workshop
from bot.chart_workers import ProcessChartRenderer
from bot.cli import main
from facilitation.errors import DomainError
from facilitation.exercises import Post
from facilitation.groups import group_names
from facilitation.model import DEFAULT_SECTORS, Language, RoundStatus
from facilitation.rendering import ChartRenderer
from facilitation.report.command import report_pdf
from facilitation.report.content import participant_lines, workshop_report
from facilitation.report.pdf import _cell, render_pdf


def _squeezed(text: str) -> str:
    """Text without whitespace: a line wrapped in the PDF reads back with a line break in it."""
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    return _squeezed("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


@pytest.fixture(scope="module")
def renderer() -> Iterator[ChartRenderer]:
    charts = ChartRenderer()
    yield charts
    charts.close()


@pytest.mark.parametrize("lang", [Language.SV, Language.EN])
async def test_the_pdf_holds_every_statement_line_and_figure_as_text(
    renderer: ChartRenderer, lang: Language
) -> None:
    conv, workshop = await demo_workshop(renderer, rounds=5, people=40)
    report = await workshop_report(conv, conv.exercises, workshop, lang)
    data = render_pdf(report)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    rounds = sorted(await conv.service.store.rounds(workshop.id), key=lambda r: r.id)
    assert [s.number for s in report.sections] == [r.id for r in rounds] and len(rounds) == 5
    for round_ in rounds:
        for item in round_.items:
            assert _squeezed(item.text) in text, item.text
        for output in await conv.exercises[round_.kind].results(conv, round_, lang):
            if isinstance(output, Post):
                assert _squeezed(output.text) in text
        for table in await conv.exercises[round_.kind].tables(conv, round_, lang):
            for row in table.rows:
                for value in row:
                    if isinstance(value, int | float):
                        assert _squeezed(_cell(value, lang)) in text, (table.name, row)
    assert all(chart.caption for section in report.sections for chart in section.charts)
    assert sum(len(section.charts) for section in report.sections) >= 10
    heading = "Rapportfrånworkshop" if lang is Language.SV else "Workshopreport"
    assert heading in text and "Värmland" in text and "Överenskommelsen" in text


async def test_the_charts_are_images_with_alt_text(renderer: ChartRenderer) -> None:
    conv, workshop = await demo_workshop(renderer, rounds=1, people=20)
    report = await workshop_report(conv, conv.exercises, workshop, Language.SV)
    data = render_pdf(report)
    images = [image for page in PdfReader(io.BytesIO(data)).pages for image in page.images]
    assert len(images) == len(report.sections[0].charts) >= 2
    for chart in report.sections[0].charts:
        assert chart.alt  # every chart says in words what it shows, and that is its alt text
        assert (
            chart.alt.encode("utf-16-be") in data or chart.alt.encode() in data or _alt_texts(data, chart.alt)
        )


def _alt_texts(data: bytes, caption: str) -> bool:
    """Whether ``caption`` is an /Alt entry of the PDF (fpdf2 writes it as a UTF-16 string)."""
    return ("\ufeff" + caption).encode("utf-16-be").hex().upper().encode() in data.upper()


async def test_the_same_closed_rounds_give_the_same_pdf(renderer: ChartRenderer) -> None:
    conv, workshop = await demo_workshop(renderer, rounds=1, people=20)
    first = await workshop_report(conv, conv.exercises, workshop, Language.SV)
    second = await workshop_report(conv, conv.exercises, workshop, Language.SV)
    assert first == second and render_pdf(first) == render_pdf(second)


async def test_a_workshop_without_a_closed_round_gets_a_sentence(renderer: ChartRenderer) -> None:
    conv, workshop = await demo_workshop(renderer, rounds=0, people=10)
    with pytest.raises(DomainError) as refused:
        await workshop_report(conv, conv.exercises, workshop, Language.SV)
    assert "ingen stängd omgång" in refused.value.message(Language.SV)
    assert "no closed round" in refused.value.message(Language.EN)


def test_participants_per_sector_obey_the_disclosure_rule() -> None:
    names = group_names(DEFAULT_SECTORS, Language.SV)
    keys = [s.key for s in DEFAULT_SECTORS]
    lines = participant_lines({keys[0]: 10, keys[1]: 10, keys[2]: 4}, 5, names, Language.SV)
    assert lines[0] == "Deltagare: 24"
    assert f"{names[keys[0]]}: 10" in lines and f"{names[keys[1]]}: 10" in lines
    assert not any(line.startswith(names[keys[2]]) and "4" in line for line in lines)
    lone = participant_lines({keys[0]: 10, keys[2]: 3}, 5, names, Language.SV)
    assert not any(re.search(r": (3|10)$", line) for line in lone[1:]), lone  # 10 would give away the 3


async def test_the_pdf_is_drawn_in_a_chart_worker_process(renderer: ChartRenderer) -> None:
    conv, workshop = await demo_workshop(renderer, rounds=1, people=20)
    workers = ProcessChartRenderer(1)
    try:
        conv.renderer = workers
        attachment = await report_pdf(conv, conv.exercises, workshop, Language.SV)
    finally:
        workers.close()
        conv.renderer = renderer
    report = await workshop_report(conv, conv.exercises, workshop, Language.SV)
    assert attachment.mime_type == "application/pdf" and attachment.filename == f"rapport-{workshop.id}.pdf"
    assert attachment.data == render_pdf(report)


async def test_the_command_line_writes_the_report(tmp_path: Path) -> None:
    from tests.harness import LocalHarness

    h = await LocalHarness.start(tmp_path)
    try:
        await h.run("/workshop varmland-2015 Dialogträff", "/barometer 1,2", "/stang")
        [round_] = await h.app.service.store.rounds(1)
        assert round_.status == RoundStatus.CLOSED
    finally:
        await h.close()
    out = tmp_path / "rapport.pdf"
    # the command line runs its own event loop, as it does from a shell
    assert (
        await asyncio.to_thread(
            main, ["--data-dir", str(tmp_path), "report", "1", "--out", str(out), "--lang", "en"]
        )
        == 0
    )
    assert out.read_bytes().startswith(b"%PDF") and "Workshopreport" in pdf_text(out.read_bytes())
    assert await asyncio.to_thread(main, ["--data-dir", str(tmp_path), "report", "99"]) == 2

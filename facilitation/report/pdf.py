"""The workshop report as a PDF: real, searchable text in an embedded DejaVu Sans (å, ä, ö), the
round charts as embedded images with their captions as alt text.

:func:`render_pdf` is a pure function of a :class:`~facilitation.report.content.WorkshopReport`
(the same report gives the same bytes: the creation date is fixed), module-level and picklable,
so the bot runs it in a chart worker (``ChartRenderer.run``) and never on the event loop. fpdf2
is pure Python and needs no system library; the font is the one matplotlib ships.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import matplotlib
from fpdf import FPDF

from facilitation.exercises import Chapter
from facilitation.export import Cell, Table
from facilitation.i18n import number_text, t
from facilitation.model import Language
from facilitation.report import texts as _texts  # noqa: F401  (registers report.* texts)
from facilitation.report.content import RoundSection, WorkshopReport

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
#: A fixed creation date: a report of the same frozen rounds is the same file, byte for byte.
CREATED = datetime(2000, 1, 1, tzinfo=UTC)
WIDTH = 180  # mm of text width on A4 with 15 mm margins
CHART_WIDTH = 170


class _Pdf(FPDF):
    """A4 with a page number in the footer."""

    def __init__(self, lang: Language) -> None:
        super().__init__(format="A4")
        self.lang_code = lang

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.cell(0, 6, t("report.page", self.lang_code, page=self.page_no()), align="C")


def render_pdf(report: WorkshopReport) -> bytes:
    """The PDF of ``report``: cover, method note, one section per closed round, the appendix."""
    pdf = _Pdf(report.lang)
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_creation_date(CREATED)
    pdf.set_lang(report.lang.value)
    pdf.set_title(f"{t('report.heading', report.lang)}: {report.title}")
    pdf.set_creator("dialogbot")
    _cover(pdf, report)
    for section in report.sections:
        _section(pdf, section, report.lang)
    for chapter in report.chapters:
        _chapter(pdf, chapter)
    _appendix(pdf, report)
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str, size: float = 14) -> None:
    pdf.set_font(FONT, "B", size)
    pdf.multi_cell(WIDTH, size * 0.55, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _paragraph(pdf: FPDF, text: str, size: float = 10) -> None:
    pdf.set_font(FONT, "", size)
    pdf.multi_cell(WIDTH, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


def _cover(pdf: FPDF, report: WorkshopReport) -> None:
    lang = report.lang
    pdf.add_page()
    _heading(pdf, t("report.heading", lang), 20)
    _heading(pdf, report.title, 16)
    for line in (
        t("report.process", lang, name=report.process),
        t("report.date", lang, date=report.date),
        t("report.place", lang, place=report.place),
        t("report.rounds", lang, n=len(report.sections)),
    ):
        _paragraph(pdf, line, 11)
    pdf.ln(2)
    for line in report.participants:
        _paragraph(pdf, line, 11)
    pdf.ln(4)
    _heading(pdf, t("report.method.heading", lang), 13)
    for line in report.method:
        _paragraph(pdf, line)
    if report.summary:
        pdf.ln(2)
        _heading(pdf, t("report.summary", lang), 13)
        for line in report.summary:
            _paragraph(pdf, line)


def _section(pdf: FPDF, section: RoundSection, lang: Language) -> None:
    pdf.add_page(orientation="P")
    _heading(pdf, t("report.round", lang, number=section.number, title=section.title))
    _paragraph(pdf, t("report.round_kind", lang, kind=section.kind, date=section.closed), 9)
    for heading, text in section.notes:
        _heading(pdf, heading, 11)
        _paragraph(pdf, text, 10)
    for text in section.texts:
        _paragraph(pdf, text, 9)
    for chart in section.charts:
        _chart(pdf, chart.png, chart.caption, chart.alt)
    if section.tables:
        pdf.add_page(orientation="L")
        _heading_line(
            pdf,
            t("report.figures", lang)
            + f" – {t('report.round', lang, number=section.number, title=section.title)}",
            pdf.w - pdf.l_margin - pdf.r_margin,
        )
        for table in section.tables:
            _table(pdf, table, lang)


def _chapter(pdf: FPDF, chapter: Chapter) -> None:
    """A part after the rounds: heading, paragraphs, charts."""
    pdf.add_page(orientation="P")
    _heading(pdf, chapter.heading)
    for line in chapter.lines:
        _paragraph(pdf, line, 9)
    for image in chapter.charts:
        _chart(pdf, image.png, image.caption, image.alt)


def _chart(pdf: FPDF, png: bytes, caption: str, alt: str = "") -> None:
    """The chart at the text width (a new page first when it would not fit; a chart taller than
    a page is made narrower), its caption below; ``alt`` (else the caption) is its alt text."""
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # the PNG's IHDR
    room = pdf.h - pdf.t_margin - pdf.b_margin - 20
    shown = min(CHART_WIDTH, room * max(width, 1) / max(height, 1))
    if pdf.will_page_break(shown * height / max(width, 1) + 10):
        pdf.add_page()
    pdf.image(io.BytesIO(png), x=pdf.l_margin + (WIDTH - shown) / 2, w=shown, alt_text=alt or caption)
    pdf.set_font(FONT, "", 8)
    pdf.multi_cell(WIDTH, 4, caption, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _cell(value: Cell, lang: Language) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return number_text(value, lang, digits=2, trim=True)
    return str(value)


def _table(pdf: FPDF, table: Table, lang: Language) -> None:
    """A table of figures under its name, one line per row (drawn cell by cell: fpdf2's own table
    takes seconds for a workshop's tables). A wide table gets a landscape page of its own; a cell
    too long for its column is cut with "…" (every statement is whole in the text and appendix)."""
    rows = [[_cell(v, lang) for v in table.headers], *([_cell(v, lang) for v in row] for row in table.rows)]
    columns = max(len(row) for row in rows)
    if not columns:
        return
    rows = [row + [""] * (columns - len(row)) for row in rows]
    size = 6.5 if columns > 6 else 8
    if columns > 6 and pdf.w < pdf.h:
        pdf.add_page(orientation="L")
    width = pdf.w - pdf.l_margin - pdf.r_margin
    _heading_line(pdf, table.name, width)
    pdf.set_font(FONT, "", size)
    widths = _column_widths(pdf, rows, width)
    height = size * 0.5
    _header(pdf, rows[0], widths, height, size)
    for row in rows[1:]:
        if pdf.will_page_break(height):
            pdf.add_page(orientation="L" if pdf.w > pdf.h else "P")
        filled = [text for text in row if text]
        if len(filled) == 1 and len(filled[0]) > 30:  # a note under the table: one line of its own
            pdf.multi_cell(width, height, filled[0], border=1, align="L", new_x="LMARGIN", new_y="NEXT")
            continue
        for text, column_width in zip(row, widths, strict=True):
            pdf.cell(column_width, height, _fit(pdf, text, column_width - 1), border=1)
        pdf.ln(height)
    pdf.ln(3)


def _lines(pdf: FPDF, text: str, width: float, height: float) -> list[str]:
    """The lines ``text`` wraps to in a column of ``width`` (fpdf2 returns them for ``output="LINES"``)."""
    lines = pdf.multi_cell(width, height, text, dry_run=True, output="LINES")
    assert isinstance(lines, list)
    return lines


def _header(pdf: FPDF, headers: list[str], widths: list[float], height: float, size: float) -> None:
    """The header row in bold, each heading wrapped to its column (never cut)."""
    pdf.set_font(FONT, "B", size)
    lines = max(len(_lines(pdf, text, w - 1, height)) for text, w in zip(headers, widths, strict=True))
    if pdf.will_page_break(lines * height + height):
        pdf.add_page(orientation="L" if pdf.w > pdf.h else "P")
    x, y = pdf.get_x(), pdf.get_y()
    for text, w in zip(headers, widths, strict=True):
        pdf.rect(x, y, w, lines * height)
        pdf.set_xy(x + 0.5, y)
        pdf.multi_cell(w - 1, height, text, align="L")
        x += w
    pdf.set_xy(pdf.l_margin, y + lines * height)
    pdf.set_font(FONT, "", size)


def _heading_line(pdf: FPDF, text: str, width: float) -> None:
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(width, 5, text, align="L", new_x="LMARGIN", new_y="NEXT")


def _column_widths(pdf: FPDF, rows: list[list[str]], width: float) -> list[float]:
    """Widths in proportion to each column's longest entry (a statement at most 45 mm wide; a
    heading's longest word always fits), scaled to fill ``width``."""
    body = [row for row in rows[1:] if sum(1 for text in row if text) > 1] or rows

    def column(c: int) -> float:
        content = min(max(pdf.get_string_width(row[c]) for row in body) + 2, 45.0)
        words = max((pdf.get_string_width(word) for word in rows[0][c].split()), default=0.0)
        return max(content, min(words * 1.1 + 2, 22.0), 8.0)

    wanted = [column(c) for c in range(len(rows[0]))]
    scale = width / sum(wanted)
    return [w * scale for w in wanted]


def _fit(pdf: FPDF, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _appendix(pdf: FPDF, report: WorkshopReport) -> None:
    lang = report.lang
    pdf.add_page(orientation="P")
    _heading(pdf, t("report.appendix", lang))
    for section in report.sections:
        pdf.set_font(FONT, "B", 10)
        pdf.multi_cell(
            WIDTH,
            5,
            t("report.appendix_round", lang, number=section.number, kind=section.kind) + f": {section.title}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        for line in section.asked:
            _paragraph(pdf, line, 9)
        pdf.ln(2)

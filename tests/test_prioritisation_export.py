"""Aggregate-only exports of a prioritisation, safe in spreadsheets."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from facilitation.export import to_csv, to_xlsx
from facilitation.model import Language, RoundKind, Sector
from facilitation.prioritisation import aggregate, aggregate_by_sector
from facilitation.prioritisation.export import export_tables

NAMES = {1: "=HYPERLINK(\"http://evil\")", 2: "Dialog", 3: "Öppenhet och insyn"}
ITEMS = list(NAMES)
BALLOTS = [{2: 60, 3: 40}] * 5 + [{1: 100}] * 2


def tables(lang: Language = Language.SV):  # type: ignore[no-untyped-def]
    result = aggregate(RoundKind.POINTS, BALLOTS, ITEMS, budget=100)
    by_sector = aggregate_by_sector(
        RoundKind.POINTS,
        {Sector.IDEBUREN: BALLOTS[:5] * 2, Sector.OFFENTLIG: BALLOTS[:5], Sector.ANNAN: BALLOTS[5:]},
        ITEMS, budget=100, min_group_size=5,
    )
    return export_tables(result, by_sector, NAMES, lang)


def test_tables_hold_aggregates_only() -> None:
    summary, items, pairwise, sectors = tables()
    assert summary.rows[0] == ["Antal svar", 7]
    assert items.headers[:3] == ["Plats", "Princip", "Poäng totalt"]
    assert [row[1] for row in items.rows] == ["Dialog", "Öppenhet och insyn", NAMES[1]]
    assert [row[2] for row in items.rows] == [300, 200, 200]
    assert len(items.rows) == len(ITEMS) and len(pairwise.rows) == len(ITEMS)
    # Annan (2) is hidden and drags Offentlig (next smallest) with it; no size leaks
    assert sectors.headers == ["Princip", "Idéburen sektor (n = 10)", "Offentlig sektor", "Annan"]
    assert sectors.rows[0] == ["Dialog", 60.0, "för få svar för att visas", "för få svar för att visas"]


def test_english_headers() -> None:
    summary, items, _pairwise, _sectors = tables(Language.EN)
    assert summary.name == "Summary" and items.headers[1] == "Principle"


def test_formula_injection_neutralised_in_csv_and_xlsx() -> None:
    exported = tables()
    csv_text = to_csv(exported).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and ";=HYPERLINK" not in csv_text
    workbook = load_workbook(io.BytesIO(to_xlsx(exported)))
    assert workbook.sheetnames == ["Sammanfattning", "Principer", "Parvisa jämförelser", "Sektorer"]
    sheet = workbook["Principer"]
    names = [sheet.cell(row=r, column=2).value for r in range(2, sheet.max_row + 1)]
    assert names == ["Dialog", "Öppenhet och insyn", "'=HYPERLINK(\"http://evil\")"]
    assert sheet.cell(row=2, column=3).value == 300
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)

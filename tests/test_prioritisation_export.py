"""Aggregate-only exports of a prioritisation, safe in spreadsheets."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from facilitation.export import to_csv, to_xlsx
from facilitation.i18n import t
from facilitation.model import Language, RoundKind, Sector
from facilitation.prioritisation import aggregate, split_by_sector
from facilitation.prioritisation.export import export_tables

NAMES = {1: '=HYPERLINK("http://evil")', 2: "Dialog", 3: "Öppenhet och insyn"}
ITEMS = list(NAMES)
BALLOTS = [{2: 60, 3: 40}] * 5 + [{1: 100}] * 2


def tables(lang: Language = Language.SV):  # type: ignore[no-untyped-def]
    result = aggregate(RoundKind.POINTS, BALLOTS, ITEMS, budget=100)
    by_sector = split_by_sector(
        RoundKind.POINTS,
        {Sector.IDEBUREN: BALLOTS[:5] * 2, Sector.OFFENTLIG: BALLOTS[:5], Sector.ANNAN: BALLOTS[5:]},
        ITEMS,
        budget=100,
        min_group_size=5,
    ).by_sector
    return export_tables(result, by_sector, NAMES, lang)


def test_tables_hold_aggregates_only() -> None:
    summary, items, pairwise, sectors = tables()
    assert summary.rows[0] == ["Antal svar", 7]
    assert items.headers[:3] == ["Plats", "Princip", "Poäng totalt"]
    assert [row[1] for row in items.rows] == ["Dialog", "Öppenhet och insyn", NAMES[1]]
    assert [row[2] for row in items.rows] == [300, 200, 200]
    assert len(items.rows) == len(ITEMS) and len(pairwise.rows) == len(ITEMS)
    # Annan (2) is hidden with its reason and no size; the other two are compared
    assert sectors.headers == ["Princip", "Idéburen sektor (n = 10)", "Offentlig sektor (n = 5)", "Annan"]
    assert sectors.rows[0] == ["Dialog", 60.0, 60.0, "för få svar"]


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
    assert names == ["Dialog", "Öppenhet och insyn", '\'=HYPERLINK("http://evil")']
    assert sheet.cell(row=2, column=3).value == 300
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_every_formula_start_is_neutralised_in_csv_and_xlsx() -> None:
    import csv

    prefixes = ["=", "+", "-", "@", "\t", "\r"]
    names = {i: f"{prefix}SUM(1+1)*cmd|' /C calc'!A0" for i, prefix in enumerate(prefixes, start=1)}
    ballots = [{1: 1, 2: 2}, {3: 1}]
    exported = export_tables(aggregate(RoundKind.RANKING, ballots, list(names)), None, names)
    rows = list(csv.reader(io.StringIO(to_csv(exported).decode("utf-8-sig"), newline=""), delimiter=";"))
    principles = rows.index(["Principer"])
    written = {row[1] for row in rows[principles + 2 : principles + 2 + len(names)]}
    assert written == {"'" + name for name in names.values()}
    sheet = load_workbook(io.BytesIO(to_xlsx(exported)))["Principer"]
    cells = [sheet.cell(row=r, column=2) for r in range(2, 2 + len(names))]
    assert {c.value for c in cells} == {"'" + name.replace("\r", "\n") for name in names.values()}
    assert all(c.data_type == "s" for c in cells)


def test_swedish_csv_decimal_comma_english_point_xlsx_numbers() -> None:
    import csv

    def sector_row(lang: Language) -> list[str]:
        rows = list(csv.reader(io.StringIO(to_csv(tables(lang), lang).decode("utf-8-sig")), delimiter=";"))
        return next(row for row in rows if row[:1] == ["Dialog"] and row[3:4] == [t("hidden.too_few", lang)])

    assert sector_row(Language.SV)[1] == "60,0"  # points per participant in idéburen sektor
    assert sector_row(Language.EN)[1] == "60.0"
    rows = list(csv.reader(io.StringIO(to_csv(tables(), Language.SV).decode("utf-8-sig")), delimiter=";"))
    approval = next(row for row in rows if row[:2] == ["1", "Dialog"])
    assert approval[-2] == "0,7143"  # share who gave it points, 5 of 7
    sheet = load_workbook(io.BytesIO(to_xlsx(tables())))["Sektorer"]
    assert sheet["B2"].value == 60.0 and sheet["B2"].data_type == "n"

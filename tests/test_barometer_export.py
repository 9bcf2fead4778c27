"""Barometer export: aggregates only, suppressed groups as text, formula-safe CSV/XLSX."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from facilitation.barometer import sector_stats, statement_stats
from facilitation.barometer.export import export_tables
from facilitation.export import to_csv, to_xlsx
from facilitation.model import Language, Sector, SectorValues

EVIL = '=HYPERLINK("http://example.invalid","klicka")'
TEXTS = ["Vi i Värmland bör fortsätta arbetet med att få till en överenskommelse i länet!", EVIL]
VALUES = [
    SectorValues(
        TEXTS[0],
        {Sector.IDEBUREN: [5, 5, 4, 4, 3, 5], Sector.OFFENTLIG: [1, 2, 2, 3, 1], Sector.ANNAN: [4, 4]},
    ),
    SectorValues(TEXTS[1], {Sector.IDEBUREN: [1, 1, 1, 1, 1], Sector.OFFENTLIG: [5, 5, 5, 5, 5]}),
]
BREAKDOWNS = [sector_stats(v, 5, 5) for v in VALUES]
STATS = [b.overall for b in BREAKDOWNS]  # statement 1: annan's two 4s are left out


@pytest.fixture(scope="module")
def tables():  # type: ignore[no-untyped-def]
    return export_tables(TEXTS, STATS, BREAKDOWNS, 5, Language.SV)


def test_statement_table_holds_aggregates(tables) -> None:  # type: ignore[no-untyped-def]
    overview = tables[0]
    assert overview.name == "Påståenden"
    assert overview.headers[:4] == ["Nr", "Påstående", "Antal svar", "1 – Jag håller INTE med"]
    assert overview.headers[7] == "5 – Jag håller med"
    assert len(overview.rows) == 2  # one row per statement, never per person
    row = dict(zip(overview.headers, overview.rows[0], strict=True))
    assert row["Antal svar"] == 11 and row["Svar som inte ingår (små grupper)"] == 2
    assert [row[h] for h in overview.headers[3:8]] == [2, 2, 2, 2, 3]
    assert row["Medelvärde"] == round(35 / 11, 2) and row["Median"] == 3.0
    assert row["Håller med (%)"] == round(500 / 11, 1) and row["Håller inte med (%)"] == round(400 / 11, 1)
    assert row["Enighet A (van der Eijk)"] == round(STATS[0].agreement, 3)  # type: ignore[arg-type]
    assert row["Spridning D (Leik)"] == round(STATS[0].leik, 3)  # type: ignore[arg-type]
    split = dict(zip(overview.headers, overview.rows[1], strict=True))
    assert split["Enighet A (van der Eijk)"] == -1.0 and split["Mönster"] == "polariserat"


def test_sector_table_never_shows_values_of_hidden_groups(tables) -> None:  # type: ignore[no-untyped-def]
    sectors = tables[1]
    assert sectors.name == "Sektorer"
    rows = {(r[0], r[2]): r for r in sectors.rows if r[0] is not None}
    assert len(rows) == 6
    # statement 1: annan (2) hidden and left out; idéburen and offentlig (exactly 5) are compared
    assert rows[(1, "Annan")][3:] == ["för få svar"]
    assert rows[(1, "Offentlig sektor")][3:9] == [5, 2, 2, 1, 0, 0]
    assert rows[(1, "Idéburen sektor")][3:9] == [6, 0, 0, 1, 2, 3]
    # statement 2: both sectors at exactly the minimum size are shown; annan is simply empty
    assert rows[(2, "Offentlig sektor")][3] == 5 and rows[(2, "Annan")][3:] == [0]
    assert sectors.rows[-1][1] == "2 svar från grupper med färre än 5 ingår inte i jämförelsen."
    assert tables[2].rows[0] == [1, "Jag håller INTE med"]


def test_csv_neutralises_formulas_and_keeps_swedish_letters(tables) -> None:  # type: ignore[no-untyped-def]
    text = to_csv(tables).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert ";=HYPERLINK" not in text and "\n=HYPERLINK" not in text
    assert "överenskommelse i länet" in text and "för få svar" in text


def test_xlsx_reads_back(tables) -> None:  # type: ignore[no-untyped-def]
    workbook = load_workbook(io.BytesIO(to_xlsx(tables)))
    assert workbook.sheetnames == ["Påståenden", "Sektorer", "Skala"]
    sheet = workbook["Påståenden"]
    assert [c.value for c in sheet[1]][:3] == ["Nr", "Påstående", "Antal svar"]
    assert sheet["C2"].value == 11 and sheet["B2"].value == TEXTS[0]
    evil = sheet["B3"]
    assert evil.value == "'" + EVIL and evil.data_type == "s"
    assert workbook["Sektorer"].max_row == 1 + 6 + 1


def test_english_headers_and_mismatched_lengths() -> None:
    tables = export_tables(TEXTS, STATS, BREAKDOWNS, 5, Language.EN)
    assert [t.name for t in tables] == ["Statements", "Sectors", "Scale"]
    assert tables[0].headers[3] == "1 – I do not agree"
    with pytest.raises(ValueError):
        export_tables(TEXTS, STATS[:1], BREAKDOWNS, 5)


# --- formula injection, decimals and number types -------------------------------------------------

PREFIXES = ["=", "+", "-", "@", "\t", "\r"]


def _evil_tables():  # type: ignore[no-untyped-def]
    texts = [f"{prefix}cmd|' /C calc'!A0" for prefix in PREFIXES]
    values = [SectorValues(text, {Sector.IDEBUREN: [1, 2, 3, 4, 5]}) for text in texts]
    return texts, export_tables(
        texts,
        [statement_stats(v.all_values, 5) for v in values],
        [sector_stats(v, 5, 5) for v in values],
        5,
        Language.SV,
    )


def test_csv_neutralises_every_formula_start() -> None:
    import csv

    texts, tables = _evil_tables()
    rows = list(csv.reader(io.StringIO(to_csv(tables).decode("utf-8-sig"), newline=""), delimiter=";"))
    cells = [row[1] for row in rows[2 : 2 + len(texts)]]
    assert cells == ["'" + text for text in texts]  # each read back as text, behind an apostrophe
    for row in rows:
        for cell in row:
            assert not cell.startswith(tuple(PREFIXES)) or cell.lstrip("-").replace(",", "").isdigit(), cell


def test_xlsx_neutralises_every_formula_start() -> None:
    texts, tables = _evil_tables()
    sheet = load_workbook(io.BytesIO(to_xlsx(tables)))["Påståenden"]
    cells = [sheet.cell(row=r, column=2) for r in range(2, 2 + len(texts))]
    # a workbook stores a carriage return as a line break; the apostrophe is what matters
    assert [c.value for c in cells] == ["'" + text.replace("\r", "\n") for text in texts]
    assert all(c.data_type == "s" for c in cells)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_swedish_csv_writes_decimal_commas_and_english_decimal_points(tables) -> None:  # type: ignore[no-untyped-def]
    import csv

    mean = str(round(35 / 11, 2))  # 3.18
    swedish = list(csv.reader(io.StringIO(to_csv(tables, Language.SV).decode("utf-8-sig")), delimiter=";"))
    row = dict(zip(swedish[1], swedish[2], strict=True))
    assert row["Medelvärde"] == mean.replace(".", ",") and row["Median"] == "3,0"
    assert row["Antal svar"] == "11"  # whole numbers stay whole
    assert row["Enighet A (van der Eijk)"] == str(round(STATS[0].agreement, 3)).replace(".", ",")  # type: ignore[arg-type]
    split = dict(zip(swedish[1], swedish[3], strict=True))
    assert split["Enighet A (van der Eijk)"] == "-1,0"  # a negative number, not a formula
    english_tables = export_tables(TEXTS, STATS, BREAKDOWNS, 5, Language.EN)
    english = list(
        csv.reader(io.StringIO(to_csv(english_tables, Language.EN).decode("utf-8-sig")), delimiter=";")
    )
    assert dict(zip(english[1], english[2], strict=True))["Mean"] == mean


def test_csv_numbers_never_use_an_exponent() -> None:
    from facilitation.export import csv_number

    assert csv_number(0.00001, ",") == "0,00001" and csv_number(1e-7, ".") == "0.0000001"
    assert csv_number(12, ",") == "12" and csv_number(-0.5, ",") == "-0,5"


def test_xlsx_stores_numbers_as_numbers(tables) -> None:  # type: ignore[no-untyped-def]
    sheet = load_workbook(io.BytesIO(to_xlsx(tables)))["Påståenden"]
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    for name in ("Antal svar", "Medelvärde", "Median", "Håller med (%)", "Enighet A (van der Eijk)"):
        assert row[name].data_type == "n" and isinstance(row[name].value, int | float), name
    assert row["Medelvärde"].value == round(35 / 11, 2)


def test_xlsx_drops_characters_a_workbook_cannot_hold() -> None:
    from facilitation.export import Table

    book = load_workbook(io.BytesIO(to_xlsx([Table("Blad", ["Text"], [["Dialog\x01\x0b"]])])))
    assert book["Blad"]["A2"].value == "Dialog"


def test_dividing_and_comparison_tables() -> None:
    from facilitation.barometer import dividing_statements

    divisions = dividing_statements(BREAKDOWNS, TEXTS)
    earlier = [statement_stats([3] * 4, 5), None]
    tables = export_tables(
        TEXTS, STATS, BREAKDOWNS, 5, Language.SV, divisions=divisions, earlier=earlier, earlier_round=7
    )
    assert [t.name for t in tables] == [
        "Påståenden",
        "Sektorer",
        "Skillnad mellan sektorer",
        "Jämförelse",
        "Skala",
    ]
    dividing = tables[2]
    # statement 2 (1 vs 5) divides most; statement 1 compares idéburen and offentlig without annan
    assert [row[:2] for row in dividing.rows[:2]] == [[1, 2], [2, 1]]
    assert dividing.rows[0][3:8] == [1.0, 4.0, 1.0, "Offentlig sektor", "Idéburen sektor"]
    assert dividing.headers[8:] == ["Idéburen sektor: medelvärde", "Offentlig sektor: medelvärde"]
    assert dividing.rows[0][8:] == [1.0, 5.0]
    assert dividing.rows[1][8:] == [round(26 / 6, 2), 1.8]
    comparison = tables[3]
    assert comparison.rows[0][2:10] == [
        4,
        11,
        3.0,
        round(35 / 11, 2),
        round(35 / 11 - 3, 2),
        0.0,
        round(500 / 11, 1),
        round(500 / 11, 1),
    ]
    assert (
        comparison.rows[1][2] is None and comparison.rows[1][-1] == "fanns inte med i den tidigare omgången"
    )
    assert comparison.rows[-1] == [None, "Jämfört med omgång #7"]

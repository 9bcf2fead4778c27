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
    SectorValues(TEXTS[0], {Sector.IDEBUREN: [5, 5, 4, 4, 3, 5], Sector.OFFENTLIG: [1, 2, 2, 3, 1],
                            Sector.ANNAN: [4, 4]}),
    SectorValues(TEXTS[1], {Sector.IDEBUREN: [1, 1, 1, 1, 1], Sector.OFFENTLIG: [5, 5, 5, 5, 5]}),
]
STATS = [statement_stats(v.all_values, 5) for v in VALUES]
BREAKDOWNS = [sector_stats(v, 5, 5) for v in VALUES]


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
    assert row["Antal svar"] == 13
    assert [row[h] for h in overview.headers[3:8]] == [2, 2, 2, 4, 3]
    assert row["Medelvärde"] == round(43 / 13, 2) and row["Median"] == 4.0
    assert row["Håller med (%)"] == round(700 / 13, 1) and row["Håller inte med (%)"] == round(400 / 13, 1)
    assert row["Enighet A (van der Eijk)"] == round(STATS[0].agreement, 3)  # type: ignore[arg-type]
    assert row["Spridning D (Leik)"] == round(STATS[0].leik, 3)  # type: ignore[arg-type]
    split = dict(zip(overview.headers, overview.rows[1], strict=True))
    assert split["Enighet A (van der Eijk)"] == -1.0 and split["Mönster"] == "polariserat"


def test_sector_table_never_shows_values_of_hidden_groups(tables) -> None:  # type: ignore[no-untyped-def]
    sectors = tables[1]
    assert sectors.name == "Sektorer"
    rows = {(r[0], r[2]): r for r in sectors.rows if r[0] is not None}
    assert len(rows) == 6
    # statement 1: annan (2) hidden; 2 < 5 so offentlig (5, the smallest shown) is hidden as well
    assert rows[(1, "Annan")][3:] == ["för få svar för att visas"]
    assert rows[(1, "Offentlig sektor")][3:] == ["för få svar för att visas"]
    assert rows[(1, "Idéburen sektor")][3:9] == [6, 0, 0, 1, 2, 3]
    # statement 2: both sectors at exactly the minimum size are shown; annan is simply empty
    assert rows[(2, "Offentlig sektor")][3] == 5 and rows[(2, "Annan")][3:] == [0]
    assert sectors.rows[-1][1] == "Grupper med färre än 5 svar visas inte"
    assert tables[2].rows[0] == [1, "Jag håller INTE med"]


def test_csv_neutralises_formulas_and_keeps_swedish_letters(tables) -> None:  # type: ignore[no-untyped-def]
    text = to_csv(tables).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert ";=HYPERLINK" not in text and "\n=HYPERLINK" not in text
    assert "överenskommelse i länet" in text and "för få svar för att visas" in text


def test_xlsx_reads_back(tables) -> None:  # type: ignore[no-untyped-def]
    workbook = load_workbook(io.BytesIO(to_xlsx(tables)))
    assert workbook.sheetnames == ["Påståenden", "Sektorer", "Skala"]
    sheet = workbook["Påståenden"]
    assert [c.value for c in sheet[1]][:3] == ["Nr", "Påstående", "Antal svar"]
    assert sheet["C2"].value == 13 and sheet["B2"].value == TEXTS[0]
    evil = sheet["B3"]
    assert evil.value == "'" + EVIL and evil.data_type == "s"
    assert workbook["Sektorer"].max_row == 1 + 6 + 1


def test_english_headers_and_mismatched_lengths() -> None:
    tables = export_tables(TEXTS, STATS, BREAKDOWNS, 5, Language.EN)
    assert [t.name for t in tables] == ["Statements", "Sectors", "Scale"]
    assert tables[0].headers[3] == "1 – I do not agree"
    with pytest.raises(ValueError):
        export_tables(TEXTS, STATS[:1], BREAKDOWNS, 5)

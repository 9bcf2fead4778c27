"""CSV and XLSX export of aggregate tables, safe against spreadsheet formula injection.

Exports hold aggregates only (never one row per person). Any text cell that a spreadsheet
would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is
prefixed with an apostrophe, as OWASP recommends for CSV injection.

The CSV is written for the spreadsheet its reader most likely has: ``;`` between cells (what
Excel expects where the decimal separator is a comma) and, in the Swedish export, decimals with
a comma, since Swedish Excel reads "3.71" in such a file as text, not as a number. The English
export keeps the decimal point. XLSX cells carry numbers as numbers, so no locale is involved.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime

from facilitation.model import Language

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


@dataclass
class Table:
    """A named sheet of aggregate rows."""

    name: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


def safe_cell(value: Cell) -> Cell:
    """``value`` with text that looks like a formula neutralised; numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_number(value: int | float, decimal: str) -> str:
    """A number as a CSV cell: integers as they are, decimals with ``decimal`` and no exponent."""
    if isinstance(value, int):
        return str(value)
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = f"{value:.12f}".rstrip("0").rstrip(".")
    return text.replace(".", decimal)


def _csv_cell(value: Cell, decimal: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return csv_number(value, decimal)
    return str(safe_cell(value))


def to_csv(tables: list[Table], lang: Language | str = Language.SV) -> bytes:
    """The tables as one UTF-8 CSV (with BOM so Excel shows å/ä/ö), a blank line between tables.

    Cells are separated by ``;``; decimals use a comma in Swedish and a point in English.
    """
    decimal = "," if Language(lang) is Language.SV else "."
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        if len(tables) > 1:
            writer.writerow([_csv_cell(table.name, decimal)])
        writer.writerow([_csv_cell(h, decimal) for h in table.headers])
        for row in table.rows:
            writer.writerow([_csv_cell(c, decimal) for c in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(tables: list[Table], stamp: datetime | None = None) -> bytes:
    """The tables as an XLSX workbook, one sheet each; text cells are stored as text, not formulas.

    The same tables give the same bytes: the workbook's created/modified dates and every zip
    entry's date are ``stamp`` (e.g. when the round closed; default 1980-01-01, the zip format's
    first day), not the moment of writing, so two exports of a closed round can be compared
    byte for byte.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    stamp = (stamp or _ZIP_EPOCH).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    workbook = Workbook()
    workbook.properties.created = stamp
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in tables:
        title = _sheet_title(table.name, used)
        sheet = workbook.create_sheet(title)
        sheet.append([_xlsx_cell(h) for h in table.headers])
        for row in table.rows:
            sheet.append([_xlsx_cell(c) for c in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            for cell in column:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _restamped(buffer.getvalue(), stamp)


_ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _restamped(xlsx: bytes, stamp: datetime) -> bytes:
    """``xlsx`` with every zip entry dated ``stamp`` and the document's modified date ``stamp``
    (openpyxl writes the time of saving into both)."""
    written = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source, target = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + written + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            out.writestr(entry, data)
    return target.getvalue()


def _xlsx_cell(value: Cell) -> Cell:
    """Numbers stay numbers; text is neutralised and stripped of characters XML cannot hold."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = safe_cell(value)
    return ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell


def _sheet_title(name: str, used: set[str]) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'") or "Blad"
    title = cleaned[:31]
    counter = 2
    while title in used:
        suffix = f" ({counter})"
        title = cleaned[: 31 - len(suffix)] + suffix
        counter += 1
    used.add(title)
    return title

"""A lead page's own tables, for download as CSV and XLSX beside the HTML and the JSON twin.

A page names each table it shows (`Page.table`), with its columns in words, from the same rows
the template draws; so the page, its JSON twin, and the two downloads give the same cells. Both
downloads are spreadsheet-safe: every text cell goes through `answers.spreadsheet.neutralise`
(a cell a spreadsheet would run as a formula gets a leading apostrophe), the function the API's
CSV answers use too.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterable

from ...answers.spreadsheet import csv_bytes, neutralise

CSV = "text/csv"  # Flask adds "; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"csv": CSV, "xlsx": XLSX}


@dataclass(frozen=True)
class Table:
    name: str  # its name in ?table=
    title: str  # what it holds, in words
    columns: tuple[tuple[str, str], ...]  # (key in each row, heading in words)
    # the rows, or a function that gives them: called only when the table is read (a download, the
    # JSON twin), so a page at national size does not convert every row for its HTML
    source: tuple[dict, ...] | Callable[[], Iterable[dict]]

    @property
    def rows(self) -> tuple[dict, ...]:
        return tuple(self.source()) if callable(self.source) else self.source

    def cells(self) -> list[list]:
        """Each row's cells in column order: a whole number as an int, any other value as text
        (an amount keeps its exact decimal digits), nothing as None."""
        return [[cell(row.get(key)) for key, _ in self.columns] for row in self.rows]

    def as_json(self) -> dict:
        return {"title": self.title, "columns": [heading for _, heading in self.columns], "rows": self.cells()}


def cell(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return value
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value if v not in (None, ""))
    return str(value)


def csv_file(table: Table) -> bytes:
    header = [heading for _, heading in table.columns]
    return csv_bytes([header] + [[None if c is None else str(c) for c in row] for row in table.cells()])


# Characters an XLSX file cannot hold (XML 1.0 control characters); openpyxl refuses them.
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_cell(value):
    """A number stays a number (so a spreadsheet can add it up); text is neutralised, never a formula."""
    if value is None or isinstance(value, int):
        return value
    try:
        number = Decimal(value)
        if number.is_finite() and re.fullmatch(r"-?\d+(\.\d+)?", value):
            return number
    except ArithmeticError:
        pass
    return neutralise(ILLEGAL.sub("", value))


def xlsx_file(table: Table) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table.name[:31])
    sheet.append([heading for _, heading in table.columns])
    for row in table.cells():
        sheet.append([xlsx_cell(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def file_bytes(table: Table, fmt: str) -> bytes:
    return csv_file(table) if fmt == "csv" else xlsx_file(table)

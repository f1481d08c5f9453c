"""CSV for spreadsheets: text cells a spreadsheet would run as a formula are neutralised (CSV injection).

A spreadsheet reads a cell that starts with `=`, `+`, `-`, `@`, a tab, a carriage return or a NUL
as a formula (OWASP "CSV Injection", ASVS 1.2.10). Such a cell gets a leading apostrophe, which
spreadsheets take as "this is text"; a cell that is a plain number ("-5", "+3.2", "-1.5E3") is data
and stays as it is. Every cell is quoted, so a `;` or `,` inside a cell never starts a new one
whatever separator the spreadsheet guesses. `restore` undoes `neutralise` exactly, for reading
back a CSV folder this module wrote.

The SPARQL endpoint's CSV is the W3C format, exact, and never goes through here.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from typing import TextIO

TRIGGERS = frozenset("=+-@\t\r\0")
# The characters of a decimal or scientific number as SPARQL and spreadsheets write it; anything
# else (digits of other scripts, '_', spaces, 'inf', 'nan') is not a plain number to a spreadsheet.
NUMBER_CHARACTERS = frozenset("0123456789+-.eE")


def is_number(text: str) -> bool:
    """True for a plain finite number such as 12, -5, +3.2, .5 or -1.5E3."""
    if not text or not set(text) <= NUMBER_CHARACTERS:
        return False
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _triggers(text: str) -> bool:
    # Leading apostrophes are looked through so that `restore` can tell ours from the data's.
    bare = text.lstrip("'")
    return bare[:1] in TRIGGERS and bare != "" and not is_number(bare)


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet should get it: a leading apostrophe if it would run as a formula."""
    return "'" + cell if _triggers(cell) else cell


def restore(cell: str) -> str:
    """The cell as it was before `neutralise` (for reading back a CSV folder cspkg wrote)."""
    return cell[1:] if cell.startswith("'") and _triggers(cell[1:]) else cell


def writer(out: TextIO):
    """A csv writer for spreadsheet files: CRLF line ends (RFC 4180) and every cell quoted."""
    return csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)


def write_rows(out: TextIO, rows: Iterable[Iterable[str | None]]) -> None:
    """Rows of text cells (None is an empty cell) as spreadsheet CSV, every cell neutralised."""
    w = writer(out)
    for row in rows:
        w.writerow(neutralise("" if cell is None else cell) for cell in row)


def csv_bytes(rows: Iterable[Iterable[str | None]]) -> bytes:
    """UTF-8 spreadsheet CSV of the rows: for downloads meant for spreadsheets."""
    out = io.StringIO()
    write_rows(out, rows)
    return out.getvalue().encode("utf-8")


def from_sparql_csv(body: bytes) -> bytes:
    """A SPARQL CSV answer (W3C format) rewritten for spreadsheets: the same header and rows, read
    with the csv module, each cell neutralised."""
    return csv_bytes(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))

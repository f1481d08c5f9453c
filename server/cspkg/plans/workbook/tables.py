"""Reading and writing workbook tables: an XLSX file (openpyxl) or a folder of CSV files.

A table is a sheet's header and its rows, each row with its number as a spreadsheet shows it, so
every problem can be reported as "Actions row 12, column F (Lead agency)". Uploaded files are
untrusted: sizes are capped before anything is unpacked, and openpyxl parses the XML through
defusedxml (installed with cspkg), so entity expansion is refused. CSV files are written for
spreadsheets (cspkg.spreadsheet: formula-like cells neutralised) and read back exactly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ...answers import spreadsheet
from ...errors import BadInput
from . import dropdowns
from .mapping import Mapping

MAX_FILE_BYTES = 20_000_000  # a plan workbook is well under 1 MB
MAX_UNPACKED_BYTES = 200_000_000  # the XML inside an XLSX, all parts together
MAX_ROWS = 20_000  # per sheet
MAX_COLUMNS = 200
ABOUT = "About"  # the sheet that explains the others; never read back
LISTS = dropdowns.LISTS  # the hidden sheet the drop-down lists draw on; never read back
OPENS_ON = "Action plan"  # the sheet a workbook opens on when it has one: the table an officer already keeps


@dataclass
class Table:
    sheet: str
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (row number, cells)


def column_letter(index: int) -> str:
    return get_column_letter(index + 1)


def _text(value) -> str:
    """A cell's value as the text a person typed (numbers and dates as Excel shows them)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read(path: Path, mapping: Mapping) -> dict[str, Table]:
    """The tables of a workbook file or CSV folder, keyed by sheet name."""
    if path.is_dir():
        return _read_csv_folder(path, mapping)
    if not path.is_file():
        raise BadInput(f"{path}: file not found")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise BadInput(f"{path}: {size:,} bytes is more than a workbook may hold ({MAX_FILE_BYTES:,})")
    return read_xlsx(path.read_bytes(), str(path))


def read_xlsx(data: bytes, name: str) -> dict[str, Table]:
    if len(data) > MAX_FILE_BYTES:
        raise BadInput(f"{name}: {len(data):,} bytes is more than a workbook may hold ({MAX_FILE_BYTES:,})")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data.startswith(LOCAL_HEADER):
            raise BadInput(f"{name}: the workbook is damaged: {_truncated(data)}")
        raise BadInput(f"{name}: not an Excel workbook (.xlsx); save it as an Excel Workbook, or give a folder of CSV files")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
            if unpacked > MAX_UNPACKED_BYTES:
                raise BadInput(f"{name}: unpacks to {unpacked:,} bytes, more than a workbook may ({MAX_UNPACKED_BYTES:,})")
            if "xl/workbook.xml" not in z.namelist():
                raise BadInput(f"{name}: a zip file but not an Excel workbook (.xlsx)")
            for item in z.infolist():
                _check_part(z, item, name)
    except zipfile.BadZipFile as err:  # the zip directory itself cannot be read
        raise BadInput(f"{name}: the workbook is damaged: {err}; save it again from Excel and send it again") from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for a damaged file
        raise BadInput(f"{name}: cannot read the workbook: {err}") from None
    tables = {}
    try:
        for ws in book.worksheets:
            if ws.title in (ABOUT, LISTS):
                continue
            tables[ws.title] = _table(ws.title, ws.iter_rows(values_only=True), name)
    except BadInput:
        raise
    except Exception as err:
        raise BadInput(f"{name}: cannot read the workbook: {err}") from None
    finally:
        book.close()
    return tables


LOCAL_HEADER = b"PK\x03\x04"  # the signature a zip file (and so every .xlsx) starts with
CHUNK = 1 << 16


def _check_part(z: zipfile.ZipFile, item: zipfile.ZipInfo, name: str) -> None:
    """Unpack one part whole before openpyxl sees it: zipfile stops at the size the zip directory
    declares and checks the CRC at the end, so a forged size or CRC, or cut-off data, is found
    here (and named) rather than deep inside openpyxl. Unpacked bytes stay within the declared
    sizes already capped above."""
    damaged = f"{name}: the workbook is damaged: part {item.filename}"
    got = 0
    try:
        with z.open(item) as part:
            head = part.read(4096)
            # A DTD can only come before the root element, so the head of each part is enough to look at.
            if b"<!DOCTYPE" in head.upper():
                raise BadInput(f"{name}: cannot read the workbook: {item.filename} declares a DTD (XML entities), "
                               "which workbooks never need; it is refused")
            got = len(head)
            while chunk := part.read(CHUNK):
                got += len(chunk)
    except BadInput:
        raise
    except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, ValueError, OSError) as err:
        raise BadInput(f"{damaged}: {err}; save it again from Excel and send it again") from None
    if got != item.file_size:
        raise BadInput(f"{damaged}: it unpacks to {got:,} bytes but the zip directory says {item.file_size:,}; "
                       "save it again from Excel and send it again")


def _truncated(data: bytes) -> str:
    """What a zip file without its directory (at its end) still shows: the last part it starts,
    and whether that part's data is all there (the sizes in each part's own header say)."""
    last, whole, at = None, True, 0
    while (at := data.find(LOCAL_HEADER, at)) != -1 and at + 30 <= len(data):
        size, extra = int.from_bytes(data[at + 26:at + 28], "little"), int.from_bytes(data[at + 28:at + 30], "little")
        packed = int.from_bytes(data[at + 18:at + 22], "little")
        last = data[at + 30:at + 30 + size].decode("utf-8", "replace") or last
        whole = at + 30 + size + extra + packed <= len(data)
        at += 4
    if last is None:
        return "the file is cut short (its zip directory is missing); save or download it again and send it again"
    where = f"the last part it holds, {last}, is cut off" if not whole else f"its parts up to {last} are whole but the zip directory after them is cut off"
    return f"the file is cut short: {where}; save or download it again and send it again"


def _table(sheet: str, rows, name: str) -> Table:
    table = None
    for number, values in enumerate(rows, start=1):
        cells = [_text(v) for v in values]
        if table is None:
            while cells and not cells[-1]:
                cells.pop()
            if len(cells) > MAX_COLUMNS:
                raise BadInput(f"{name}: sheet {sheet}: more than {MAX_COLUMNS} columns")
            table = Table(sheet, cells)
            continue
        if number > MAX_ROWS + 1:
            raise BadInput(f"{name}: sheet {sheet}: more than {MAX_ROWS:,} rows")
        if any(cells):
            table.rows.append((number, cells))
    return table or Table(sheet, [])


def _read_csv_folder(folder: Path, mapping: Mapping) -> dict[str, Table]:
    files = {s.file: s.name for s in mapping.sheets}
    tables = {}
    for path in sorted(folder.glob("*.csv")):
        if path.name not in files:
            raise BadInput(f"{path}: not a sheet of the plan workbook (expected one of: {', '.join(files)})")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise BadInput(f"{path}: {path.stat().st_size:,} bytes is more than a sheet may hold")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as err:
            raise BadInput(f"{path}: not UTF-8 text (byte {err.start}); save it as CSV UTF-8") from None
        try:
            rows = ([spreadsheet.restore(c) for c in r] for r in csv.reader(io.StringIO(text, newline="")))
            tables[files[path.name]] = _table(files[path.name], rows, str(path))
        except csv.Error as err:
            raise BadInput(f"{path}: not a readable CSV file: {err}") from None
    if not tables:
        raise BadInput(f"{folder}: no sheets (CSV files such as plan.csv, actions.csv) in this folder")
    return tables


def write_xlsx(tables: list[Table], path: Path, mapping: Mapping, register=None) -> None:
    """register: when given, name columns get drop-down lists drawn from it (dropdowns.py)."""
    book = Workbook()
    about = book.active
    about.title = ABOUT
    _write_about(about, mapping)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F0")
    for table in tables:
        ws = book.create_sheet(table.sheet)
        ws.append(table.header)
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
        for _, cells in table.rows:
            ws.append(cells)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text, never a formula
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "B2"
        for i, title in enumerate(table.header):
            ws.column_dimensions[column_letter(i)].width = 14 if title in ("Key", "Number", "Source line") else 30
    if register is not None:
        dropdowns.add(book, mapping, register)
    if OPENS_ON in book.sheetnames:
        book.active = book.worksheets.index(book[OPENS_ON])
        for ws in book.worksheets:  # one selected tab: Excel opens on the active sheet
            ws.sheet_view.tabSelected = ws.title == OPENS_ON
    book.save(path)


def _write_about(ws, mapping: Mapping) -> None:
    ws.append(["cspkg plan workbook"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["Fill in one sheet per part of the plan. Keys are short ids that never change: they become the web addresses of "
               "the plan's items. Separate several values in one cell with ';'. Agencies may be given by name or abbreviation."])
    ws.append([("Start on the Action plan sheet: one row per action, in the columns a plan's action table has. The Actions sheet "
                "holds the same actions with every detail; use either, or both with the same Key. In Excel, name columns offer "
                "drop-down lists (organisations from the agency register, priorities from the Priorities sheet, duties, "
                "funding); a name not in a list only gets a warning. A folder of CSV files cannot hold drop-down lists: "
                "the lists are the register files in data/reference/ and your Priorities sheet.")])
    ws.append([("Who is who: the Partnership, Organisations, Funding streams, Strategies and Police and Crime Plan sheets declare "
                "what the plan names that the graph may not hold yet. Each name is matched against the graph, ignoring word order, "
                "'&'/'and', punctuation and case: a match is reported as existing, a near match is a warning naming the candidates, "
                "and anything else becomes new, kept in data/reference/areas/<police area>.ttl for the area's next plan. "
                "'Police', 'Fire', 'PCC', 'County Council' and 'the council' mean the bodies the Partnership sheet names.")])
    ws.append([])
    ws.append(["Sheet", "Column", "Required", "What to write"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for sheet in mapping.sheets:
        ws.append([sheet.name, "", "", sheet.description])
        for col in sheet.columns:
            ws.append(["", col.title, "yes" if col.required else "", col.help])
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width, ws.column_dimensions["D"].width = 18, 26, 100


def write_csv_folder(tables: list[Table], folder: Path, mapping: Mapping) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    files = {s.name: s.file for s in mapping.sheets}
    for table in tables:
        with open(folder / files[table.sheet], "w", encoding="utf-8", newline="") as out:
            spreadsheet.write_rows(out, [table.header] + [cells for _, cells in table.rows])

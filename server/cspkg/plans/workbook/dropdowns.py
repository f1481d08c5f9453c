"""Drop-down lists (spreadsheet data validation) for a workbook's name columns, and the hidden Lists sheet they draw on.

Organisation columns offer the agency register's agencies and partnerships, Priority columns the
workbook's own Priorities sheet, duty columns the duty register's keys, funding columns the ways
funding is written, choice columns their words. Long lists live on a hidden Lists sheet and are
referred to by range, since Excel holds at most 255 characters in a list written into the rule.
Every rule only warns (or only suggests): a name not in a list can still be right, and the import
is what decides, with a message saying how to fix what it cannot read.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ...namespaces import ID
from .mapping import Column, Mapping
from .register import AGENCY_PREFIXES, Register

LISTS = "Lists"  # the hidden sheet holding the long lists; never read back
MIN_ROWS = 500  # rows of a sheet that get the rules, beyond the rows already filled
MAX_MESSAGE = 255  # characters Excel shows of a rule's error text
SEVERAL = "Several, separated by ';', always get this warning: choose Yes to keep them."
FUNDING_WORDS = ("None required", "In kind")  # amounts (£5,000; Approx £3,500) are typed


def organisation_names(register: Register, mapping: Mapping) -> list[str]:
    """The names an organisation column offers from the register: its agencies and partnerships.
    (The workbook's own Organisations sheet is added to the list by own_names, since its names are
    typed after the template is made.)"""
    iris = {i for p in AGENCY_PREFIXES for found in register.labels.get(p, {}).values() for i in found}
    return sorted({register.names.get(i, i) for i in iris if ";" not in register.names.get(i, i)}, key=str.casefold)


def keys_under(register: Register, segment: str) -> list[str]:
    prefix = f"{ID}{segment}/"
    return sorted(i[len(prefix):] for i in register.known if i.startswith(prefix) and "/" not in i[len(prefix):])


def _lists(register: Register, mapping: Mapping) -> dict[str, list[str]]:
    return {"Organisations": organisation_names(register, mapping), "Duties": keys_under(register, "duty"),
            "Funding streams": keys_under(register, "funding-stream"), "Funding": list(FUNDING_WORDS)}


def _rule(formula: str, what: str, how: str, strict_words: bool = True) -> DataValidation:
    assert len(how) <= MAX_MESSAGE, how  # a longer message would be cut short in Excel
    rule = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False,
                          showErrorMessage=strict_words, errorStyle="warning",
                          errorTitle=f"Not in the {what} list", error=how or None,
                          promptTitle=what.capitalize(), prompt="Pick from the list, or type; ';' between several.",
                          showInputMessage=True)
    return rule


def add(book, mapping: Mapping, register: Register) -> None:
    """Give every sheet in the book drop-down lists on its name columns, and add the hidden Lists sheet."""
    lists = _lists(register, mapping)
    ranges = {}
    ws = book.create_sheet(LISTS)
    for i, (title, names) in enumerate(lists.items()):
        letter = get_column_letter(i + 1)
        ws.cell(row=1, column=i + 1, value=title)
        for r, name in enumerate(names, start=2):
            ws.cell(row=r, column=i + 1, value=name).data_type = "s"
        end = len(names) + 1
        if title == "Organisations":
            end = own_names(book, mapping, ws, i + 1, end)
        ranges[title] = f"{quote_sheetname(LISTS)}!${letter}$2:${letter}${max(2, end)}"
    ws.sheet_state = "hidden"
    sheets = {s.name: s for s in mapping.sheets}
    priorities = sheets.get("Priorities")
    title_at = [c.name for c in priorities.columns].index("title") if priorities else None
    for sheet in book.worksheets:
        spec = sheets.get(sheet.title)
        if spec is None:
            continue
        last = max(sheet.max_row, 1) + MIN_ROWS
        for i, col in enumerate(spec.columns):
            rule = _for_column(col, ranges, title_at, priorities is not None and priorities.name in book.sheetnames)
            if rule is None:
                continue
            letter = get_column_letter(i + 1)
            rule.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(rule)


def own_names(book, mapping: Mapping, ws, column: int, last: int) -> int:
    """Below the register's names, formulas showing each name typed on the workbook's Organisations
    (and Partnership) sheet, so an organisation the workbook declares is offered wherever one is named.
    Returns the list's new last row. Empty rows show as blank entries at the end of the list."""
    sheets = {s.name: s for s in mapping.sheets}
    for sheet in ("Partnership", "Organisations"):
        spec = sheets.get(sheet)
        if spec is None or sheet not in book.sheetnames:
            continue
        names = [c.name for c in spec.columns]
        if "name" not in names:
            continue
        letter = get_column_letter(names.index("name") + 1)
        rows = 2 if sheet == "Partnership" else MIN_ROWS + 1
        for r in range(2, rows + 1):
            last += 1
            ref = f"{quote_sheetname(sheet)}!${letter}${r}"
            ws.cell(row=last, column=column, value=f'=IF(ISBLANK({ref}),"",{ref})')
    return last


def _for_column(col: Column, ranges: dict[str, str], title_at: int | None, has_priorities: bool) -> DataValidation | None:
    if col.kind == "agency":
        return _rule(f"{ranges['Organisations']}", "organisations",
                     "Not in the agency register or on this workbook's Organisations sheet. Check the spelling, or "
                     "declare a new organisation on the Organisations sheet (name, kind). " + SEVERAL)
    if col.kind == "priority" and has_priorities and title_at is not None:
        letter = get_column_letter(title_at + 1)
        return _rule(f"Priorities!${letter}$2:${letter}$1000", "priorities",
                     "Not a title on the Priorities sheet. Add the priority there first (a Key and a Title), "
                     "or write its number or key. " + SEVERAL)
    if col.kind == "ref:duty":
        return _rule(f"{ranges['Duties']}", "duties", "Not a duty key from the duty register; pick one from the list.")
    if col.kind == "inline:funding":
        # Amounts are typed, so the list only suggests the words: no warning for what is not in it.
        return _rule(f"{ranges['Funding']}", "funding", "", strict_words=False)
    if col.kind == "inline:funding-source":
        return _rule(f"{ranges['Funding streams']}", "funding streams",
                     "Not a funding stream key; a funder's name (an agency in the register) is also accepted.")
    if col.kind == "choice" and col.choices:
        words = ",".join(w for w, _ in col.choices)
        if len(words) <= 250 and '"' not in words:
            return _rule(f'"{words}"', "choices", f"Write one of: {', '.join(w for w, _ in col.choices)}.")
    return None

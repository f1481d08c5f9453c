"""The Action plan sheet: an officer's short action table, folded into the Actions sheet's rows.

A row of the Action plan sheet is an action exactly as if written on the Actions sheet (its columns
share the Actions columns' names, so every cell is read by the same reader). A row with a Key that
an Actions row also has is the same action: the Actions row adds the columns the short sheet lacks,
and a column both fill must say the same thing. A row without a Key gets a1, a2 … by its place.
Rows made here carry numbers from FOLDED up, so a problem found later is reported back at the
Action plan row and column it came from.
"""

from __future__ import annotations

from collections.abc import Callable

from .mapping import KEY_PATTERN, Column, Mapping
from .register import norm
from .tables import Table

SHEET = "Action plan"
FOLDED = 1_000_000  # row numbers of Actions rows made from Action plan rows: FOLDED + the Action plan row


def same(col: Column, a: str, b: str) -> bool:
    """Whether two cells say the same thing: equal ignoring case and spacing (and order, for lists)."""
    if col.multi:
        return {norm(p) for p in a.split(";") if p.strip()} == {norm(p) for p in b.split(";") if p.strip()}
    return norm(a) == norm(b)


def fold(tables: dict[str, Table], mapping: Mapping, positions: dict[str, dict[str, int]],
         report: Callable[[str, int, Column | None, str], None]) -> dict[tuple[int, str], int]:
    """Move the Action plan rows into the Actions table; returns (Actions row, column name) -> Action plan row
    for every cell that came from the Action plan sheet."""
    short = tables.get(SHEET)
    origin: dict[tuple[int, str], int] = {}
    if short is None or not short.rows:
        return origin
    sheet, detail = mapping.sheet(SHEET), mapping.sheet("Actions")
    actions = tables.setdefault("Actions", Table("Actions", [c.title for c in detail.columns]))
    at = positions.setdefault("Actions", {})
    if not actions.header:
        actions.header = [c.title for c in detail.columns]
    if not at:
        at.update({c.name: i for i, c in enumerate(detail.columns)})
    for name in positions.get(SHEET, {}):  # a detailed sheet without a column the short one fills gets it
        if name not in at:
            at[name] = len(actions.header)
            actions.header.append(detail.column(name).title)
    width = len(actions.header)
    by_key = {}
    for index, (number, cells) in enumerate(actions.rows):
        key = cells[at["key"]].strip() if "key" in at and at["key"] < len(cells) else ""
        if key:
            by_key.setdefault(key, index)
    given: dict[str, int] = {}
    ours = positions.get(SHEET, {})
    for place, (number, cells) in enumerate(short.rows, start=1):
        values = {name: cells[i].strip() for name, i in ours.items() if i < len(cells) and cells[i].strip()}
        key = values.get("key", "")
        if key:
            if not KEY_PATTERN.match(key):
                report(SHEET, number, sheet.column("key"), f"'{key}' is not a key: use letters, digits, '-', '.' or '_'")
                continue
            if key in given:
                report(SHEET, number, sheet.column("key"), f"the key '{key}' is already used on row {given[key]}; "
                       "give each action its own Key, or leave Key empty")
                continue
            given[key] = number
        else:
            key = f"a{place}"
            if key in by_key or key in given:
                report(SHEET, number, sheet.column("key"), f"this row has no Key, and the key it would get by its place, '{key}', "
                       "is already used on the Actions sheet or this sheet; write a Key for this row")
                continue
            values["key"] = key
        if key in by_key:  # the same action, with detail on the Actions sheet
            index = by_key[key]
            row, detailed = actions.rows[index]
            detailed = detailed + [""] * (width - len(detailed))
            for name, text in values.items():
                held = detailed[at[name]].strip()
                if held and not same(detail.column(name), held, text):  # reported; the rest still merge, so no knock-on problems
                    report(SHEET, number, sheet.column(name),
                           f"'{text}' contradicts the Actions sheet row {row}, which says '{held}' for the same action "
                           f"(Key '{key}'); make the two cells the same, or leave one of them empty")
                elif not held:
                    detailed[at[name]] = text
                    origin[(row, name)] = number
            actions.rows[index] = (row, detailed)
            continue
        made = [""] * width
        for name, text in values.items():
            made[at[name]] = text
            origin[(FOLDED + number, name)] = number
        actions.rows.append((FOLDED + number, made))
    return origin

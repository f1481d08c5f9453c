"""The return workbook: written pre-filled for a plan and period, read back with located errors.

Two sheets. "Return": the plan, the period, the "as of" date and who reports (an organisation or a
role in the agency register, never a person's name). "Updates": one row per action (and per
priority), with its key, text, due date, timing as stated and last status filled in; the reporter
writes the status (a drop-down of the delivery status scheme's words), per cent complete,
commentary and a measured value with its unit against one of the action's targets or measures,
and, where the partnership reports money, the pounds spent on the action up to the "as of" date
(the last column, optional: a return without it is read as giving no spend).
A further measured value for the same action goes on a row of its own with the same key and only
Value, Unit and Against filled in.

Every problem is reported with its place (sheet, cell, column) and how to fix it; a workbook
with any problem is refused whole.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..errors import BadInput
from ..plans.workbook import register as registers
from . import plan as plans
from .files import last_statuses
from .model import STATUSES, Observation, Return, Update
from .periods import Period, period as read_period

RETURN, UPDATES = "Return", "Updates"
FIELDS = ["Plan", "Period", "Period as written", "As of", "Reported by"]
COLUMNS = ["Key", "Action or priority", "Due date", "Timing as stated", "Last status", "Status", "Per cent complete",
           "Commentary", "Value", "Unit", "Against", "Targets and measures", "Spent to date (£)"]
SPENT = "Spent to date (£)"
OPTIONAL = ("Targets and measures", "Last status", SPENT)  # a workbook may lack these columns
COL = {name: i + 1 for i, name in enumerate(COLUMNS)}
SPARE_ROWS = 200  # rows below the filled ones that get the status drop-down, for extra measured values
WORDS = ", ".join(STATUSES)


def write_template(data_dir: Path, plan_key: str, period_key: str, output: Path) -> int:
    """Write the return workbook; returns the number of rows (actions and priorities) it lists."""
    view = plans.load(data_dir, plan_key)
    period = read_period(period_key)
    check_period(view, period, "period")
    labels = plans.result_label(data_dir, view)
    _, last = last_statuses(data_dir, view.key, period.key)
    book = Workbook()
    ws = book.active
    ws.title = RETURN
    values = [view.key, period.key, period.label, period.end, ""]
    notes = ["the plan's key (do not change)", "the reporting period's key (do not change)", "for reading only",
             "the day the statuses are true of (YYYY-MM-DD)",
             "an organisation or role in the agency register (e.g. Thurrock Council, or its key); never a person's name"]
    for r, (name, value, note) in enumerate(zip(FIELDS, values, notes), start=1):
        ws.cell(row=r, column=1, value=name).font = Font(bold=True)
        cell = ws.cell(row=r, column=2, value=value)
        if isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
        ws.cell(row=r, column=3, value=note)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 18, 40
    up = book.create_sheet(UPDATES)
    for c, name in enumerate(COLUMNS, start=1):
        up.cell(row=1, column=c, value=name).font = Font(bold=True)
    row = 1
    for item in view.items.values():
        row += 1
        results = "; ".join(f"{k}: {labels.get(iri, '')}".rstrip(": ") for k, iri in item.results.items())
        for name, value in (("Key", item.key), ("Action or priority", item.label), ("Due date", item.due),
                            ("Timing as stated", item.timing), ("Last status", last.get(item.iri, "")),
                            ("Targets and measures", results)):
            cell = up.cell(row=row, column=COL[name], value=value if value not in (None, "") else None)
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
    status = get_column_letter(COL["Status"])
    rule = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True, showErrorMessage=True,
                          errorStyle="stop", errorTitle="Not a status", error=f"Write one of: {WORDS}.",
                          promptTitle="Status", prompt="Pick the action's status for this period.", showInputMessage=True)
    rule.add(f"{status}2:{status}{row + SPARE_ROWS}")
    up.add_data_validation(rule)
    for name, width in (("Key", 14), ("Action or priority", 60), ("Commentary", 60), ("Targets and measures", 50), (SPENT, 16)):
        up.column_dimensions[get_column_letter(COL[name])].width = width
    up.freeze_panes = "C2"
    output.parent.mkdir(parents=True, exist_ok=True)
    book.save(output)
    return row - 1


def check_period(view: plans.PlanView, period: Period, where: str) -> None:
    if view.start and view.end and (period.end < view.start or period.start > view.end):
        raise BadInput(f"{where}: the period {period.key} ({period.start} to {period.end}) is outside plan {view.key}'s period "
                       f"({view.start} to {view.end}); give a period of the plan")


class Problems(list):
    def __init__(self):
        super().__init__()
        self.located: list[tuple[str, str]] = []  # (where, what to write), as the HTTP answer lists them

    def add(self, where: str, what: str) -> None:
        self.append(f"{where}: {what}")
        self.located.append((where, what))


class ReturnProblems(BadInput):
    """The return's located problems: the message lists them all; `located` holds (where, what) pairs."""

    def __init__(self, message: str, located: list[tuple[str, str]]):
        super().__init__(message)
        self.located = located


def where_parts(where: str) -> dict:
    """'Updates!D7 (Status)' as its sheet, cell and column."""
    m = re.match(r"^([^!]+)!(\S+)(?: \((.+)\))?$", where)
    return {"sheet": m[1], "cell": m[2], "column": m[3]} if m else {"sheet": None, "cell": None, "column": None}


def read(path: Path | bytes, data_dir: Path, received: datetime | None = None, name: str | None = None) -> Return:
    """Read a filled return workbook (a file, or its bytes as uploaded, called `name` in messages);
    BadInput lists every problem with its place (ReturnProblems when they are located cells)."""
    if isinstance(path, bytes):
        source, path = io.BytesIO(path), Path(name or "upload.xlsx")
    elif not path.is_file():
        raise BadInput(f"{path}: file not found")
    else:
        source = path
    try:
        book = load_workbook(source, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a file that is not a workbook
        raise BadInput(f"{path}: not a readable .xlsx workbook ({type(err).__name__}); write the return with `cspkg returns template`") from None
    for sheet in (RETURN, UPDATES):
        if sheet not in book.sheetnames:
            raise BadInput(f"{path}: no sheet named {sheet!r}; write the return with `cspkg returns template`")
    problems = Problems()
    head = {str(book[RETURN].cell(row=r, column=1).value or "").strip(): (r, book[RETURN].cell(row=r, column=2).value)
            for r in range(1, 20)}

    def field(name: str):
        if name not in head:
            problems.add(f"{RETURN}!A", f"the row {name!r} is missing; write the return with `cspkg returns template`")
            return None, f"{RETURN}!B?"
        r, value = head[name]
        return value, f"{RETURN}!B{r} ({name})"

    raw_plan, where_plan = field("Plan")
    raw_period, where_period = field("Period")
    try:  # without its plan and period nothing else can be checked: stop at the first
        view = plans.load(data_dir, str(raw_plan or "").strip())
    except BadInput as err:
        raise BadInput(f"{path}: {where_plan}: {err}") from None
    try:
        period = read_period(str(raw_period or ""), where_period)
        check_period(view, period, where_period)
    except BadInput as err:
        raise BadInput(f"{path}: {err}") from None
    raw_as_of, where_as_of = field("As of")
    as_of = as_date(raw_as_of)
    if as_of is None:
        problems.add(where_as_of, f"{raw_as_of!r} is not a date; write the day the statuses are true of as YYYY-MM-DD")
    elif as_of < period.start:
        problems.add(where_as_of, f"{as_of} is before the period {period.label} begins ({period.start}); write a date in or after it")
    raw_by, where_by = field("Reported by")
    reporter = resolve_reporter(str(raw_by or "").strip(), data_dir, where_by, problems)
    updates = read_updates(book[UPDATES], view, problems)
    if problems:
        raise ReturnProblems(f"{path}: the return was not imported ({len(problems)} problem(s)); nothing was written:\n  "
                             + "\n  ".join(problems), problems.located)
    return Return(view.key, period, as_of, reporter, received or datetime.now(timezone.utc), updates)


def resolve_reporter(text: str, data_dir: Path, where: str, problems: Problems) -> str:
    if not text:
        problems.add(where, "empty; write the organisation or role that reports (a name or key from the agency register)")
        return ""
    reg = registers.load(data_dir)
    found = reg.find(registers.AGENCY_PREFIXES, text)
    if len(found) == 1:
        return next(iter(found))
    near = reg.closest(registers.AGENCY_PREFIXES, text)
    hint = f" Did you mean: {'; '.join(near)}?" if near else ""
    problems.add(where, f"{text!r} is {'more than one' if found else 'not an'} organisation or role in the agency register "
                        f"(data/reference/agencies.ttl); write one from it, never a person's name.{hint}")
    return ""


def as_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            pass
    return None


def number(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    text = re.sub(r"[£,\s]", "", str(value or ""))
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def read_updates(ws, view: plans.PlanView, problems: Problems) -> list[Update]:
    header = [str(ws.cell(row=1, column=c).value or "").strip() for c in range(1, ws.max_column + 1)]
    missing = [c for c in COLUMNS if c not in header and c not in OPTIONAL]
    if missing:
        problems.add(f"{UPDATES}!1", f"the columns {', '.join(missing)} are missing; write the return with `cspkg returns template`")
        return []
    at = {name: header.index(name) + 1 for name in COLUMNS if name in header}
    seen: dict[str, Update] = {}
    for r in range(2, ws.max_row + 1):
        def cell(name):
            return ws.cell(row=r, column=at[name])

        def where(name):
            return f"{UPDATES}!{get_column_letter(at[name])}{r} ({name})"

        key = str(cell("Key").value or "").strip()
        given = {n: cell(n).value for n in ("Status", "Per cent complete", "Commentary", "Value", "Unit", "Against", SPENT) if n in at}
        given = {n: v for n, v in given.items() if v is not None and str(v).strip() != ""}
        if not key:
            if given:
                problems.add(where("Key"), "no action key on a row that reports something; write the key of one of the plan's actions")
            continue
        item = view.items.get(key)
        if item is None:
            keys = list(view.items)
            problems.add(where("Key"), f"{key!r} is not an action or priority of plan {view.key}; its keys are "
                                       f"{', '.join(keys[:8])}{' …' if len(keys) > 8 else ''} (as the template lists them)")
            continue
        if not given:
            continue  # not reported this period
        again = seen.get(key)
        if again is not None and set(given) - {"Value", "Unit", "Against"}:
            problems.add(where("Key"), f"{key!r} is given a status, per cent, commentary or spend twice; a second row for an action "
                                       "may only give another measured value (Value, Unit, Against)")
            continue
        update = again or Update(key, item.iri, "not stated")
        if again is None:
            raw = str(given.get("Status", "not stated")).strip().lower()
            if raw not in STATUSES:
                problems.add(where("Status"), f"{given['Status']!r} is not a status; write one of: {WORDS}")
            update.status = raw
            if "Per cent complete" in given:
                pct = number(given["Per cent complete"])
                if pct is not None and cell("Per cent complete").number_format.endswith("%"):
                    pct *= 100  # a cell formatted as a percentage holds 0.4 for 40%
                if pct is None or not 0 <= pct <= 100:
                    problems.add(where("Per cent complete"), f"{given['Per cent complete']!r} is not a number from 0 to 100")
                update.percent = pct
            update.commentary = str(given.get("Commentary", "")).strip()
            if SPENT in given:
                update.spent = spent(given[SPENT], key, where(SPENT), problems)
            seen[key] = update
        observation(given, item, update, where, problems)
    return list(seen.values())


def spent(raw, key: str, where: str, problems: Problems) -> Decimal | None:
    """The pounds spent on an action so far: a number of 0 or more (a £ sign and commas are allowed)."""
    if key.startswith("priority/"):
        problems.add(where, "spend is reported per action, not per priority; move it to the row of the action it was spent on")
        return None
    amount = number(raw)
    if amount is None or not amount.is_finite():
        problems.add(where, f"{raw!r} is not an amount of money; write the pounds spent on {key} so far as a number, e.g. 2500 or 1250.50")
        return None
    if amount < 0:
        problems.add(where, f"{raw!r} is negative; write the pounds spent on {key} so far, 0 or more (leave it empty if not known)")
        return None
    return amount


def observation(given: dict, item: plans.Item, update: Update, where, problems: Problems) -> None:
    if "Value" not in given and "Unit" not in given:
        if "Against" in given:
            problems.add(where("Against"), "names a target or measure but gives no Value; write the value and its unit")
        return
    value = number(given.get("Value"))
    if "Value" not in given or value is None:
        problems.add(where("Value"), f"{given.get('Value', '')!r} is not a number; write the measured value, e.g. 412 or 2150.00")
        return
    unit = str(given.get("Unit", "")).strip()
    if not unit:
        problems.add(where("Unit"), f"the value {given['Value']} has no unit; write what it counts (young people, percent, GBP)")
        return
    against = str(given.get("Against", "")).strip()
    iri = None
    if against:
        iri = item.results.get(against)
        if iri is None:
            options = ", ".join(item.results) or "none: leave Against empty"
            problems.add(where("Against"), f"{against!r} is not a target or measure of {item.key}; write one of: {options}")
            return
    update.observations.append(Observation(value, unit, iri, against[:1] if against else None))

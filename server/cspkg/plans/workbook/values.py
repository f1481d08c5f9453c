"""What people type in cells, read as RDF literals; what cannot be read unambiguously is an error.

Each reader returns a literal or raises ValueError with a message in an officer's words.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
INTEGER = re.compile(r"^[+-]?\d+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONTH = re.compile(r"^\d{4}-\d{2}$")
YEAR = re.compile(r"^\d{4}$")
UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
MONTHS = {m.lower(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"], 1)}
BOOLEANS = {"yes": "true", "y": "true", "true": "true", "1": "true", "no": "false", "n": "false", "false": "false", "0": "false"}


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def text(value: str) -> ox.Literal:
    return ox.Literal(value, language="en")


def string(value: str) -> ox.Literal:
    return ox.Literal(value)


def integer(value: str) -> ox.Literal:
    if not INTEGER.match(value.replace(",", "")):
        raise ValueError(f"'{value}' is not a whole number")
    return typed(value.replace(",", ""), "integer")


def decimal(value: str) -> ox.Literal:
    """A number, kept as typed when it is already a plain decimal; '£1,234.50' also reads."""
    if DECIMAL.match(value):
        return typed(value, "decimal")
    cleaned = value.replace("£", "").replace(",", "").strip()
    if DECIMAL.match(cleaned):
        return typed(cleaned, "decimal")
    raise ValueError(f"'{value}' is not a number")


def boolean(value: str) -> ox.Literal:
    if value.lower() not in BOOLEANS:
        raise ValueError(f"'{value}' is not yes or no")
    return typed(BOOLEANS[value.lower()], "boolean")


def date(value: str) -> ox.Literal:
    if DATE.match(value):
        _check_date(value)
        return typed(value, "date")
    m = UK_DATE.match(value)
    if m:
        day, month, year = (int(g) for g in m.groups())
        iso = f"{year:04d}-{month:02d}-{day:02d}"
        _check_date(iso)
        return typed(iso, "date")
    raise ValueError(f"'{value}' is not a date; write it as 2022-03-31 or 31/03/2022")


def _check_date(iso: str) -> None:
    try:
        dt.date.fromisoformat(iso)
    except ValueError:
        raise ValueError(f"'{iso}' is not a real date") from None


def month(value: str) -> ox.Literal:
    if MONTH.match(value) and 1 <= int(value[5:]) <= 12:
        return typed(value, "gYearMonth")
    parts = value.split()
    if len(parts) == 2 and parts[0].lower() in MONTHS and YEAR.match(parts[1]):
        return typed(f"{parts[1]}-{MONTHS[parts[0].lower()]:02d}", "gYearMonth")
    raise ValueError(f"'{value}' is not a month; write it as 2019-03 or March 2019")


def when(value: str) -> ox.Literal:
    """A date, a month or a year, whichever was written."""
    if YEAR.match(value):
        return typed(value, "gYear")
    try:
        return date(value)
    except ValueError:
        pass
    try:
        return month(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a date, month or year; write 2022-03-31, 2022-03 or 2022") from None


READERS = {"text": text, "string": string, "integer": integer, "decimal": decimal, "boolean": boolean,
           "date": date, "month": month, "when": when,
           "period": string}  # kept as written; the importer derives the dates (periods.py)
# The datatype each kind writes, so an export knows which literals a column can hold.
DATATYPES = {"integer": {"integer"}, "decimal": {"decimal"}, "boolean": {"boolean"}, "date": {"date"},
             "month": {"gYearMonth"}, "when": {"date", "gYearMonth", "gYear"}}


def fits(kind: str, literal: ox.Literal) -> bool:
    """Whether a column of this kind reads the literal's own text back as the same literal."""
    if literal.value != literal.value.strip() or not literal.value:
        return False
    if kind == "text":
        return literal.language == "en"
    if kind in ("string", "period"):
        return literal.language is None and literal.datatype.value == XSD + "string"
    if kind in DATATYPES:
        if literal.datatype.value.removeprefix(XSD) not in DATATYPES[kind]:
            return False
        try:
            return READERS[kind](literal.value) == literal
        except ValueError:
            return False
    return False


# --- funding as people write it -------------------------------------------------------------

@dataclass
class Funding:
    kind: str  # money | in kind | none required
    amount: str | None = None
    approximate: bool = False
    funder: str | None = None  # the name after "by"/"from" in "in kind by ..."


NONE = re.compile(r"^(none|none required|no funding required|not required|no cost|nil|no funding)\.?$", re.I)
IN_KIND = re.compile(r"\bin[- ]kind\b(?:.*?\b(?:by|from)\s+(?P<funder>.+?))?\.?$", re.I)
MONEY = re.compile(r"^(?P<approx>approx(?:imately)?\.?|c\.|circa|about|around|~|up to)?\s*£\s?(?P<n>\d{1,3}(?:,\d{3})+|\d+)"
                   r"(?P<pence>\.\d{1,2})?\s*(?P<k>k|m)?\s*(?P<tail>\(approx(?:imately)?\.?\)|approx(?:imately)?\.?)?$", re.I)


def funding(value: str) -> Funding:
    value = " ".join(value.split())
    if NONE.match(value):
        return Funding("none required")
    m = IN_KIND.search(value)
    if m:
        return Funding("in kind", funder=(m.group("funder") or "").strip() or None)
    m = MONEY.match(value)
    if m:
        try:
            amount = Decimal(m.group("n").replace(",", "") + (m.group("pence") or ""))
        except InvalidOperation:
            amount = None
        if amount is not None:
            scale = {"k": 1000, "m": 1_000_000}.get((m.group("k") or "").lower(), 1)
            return Funding("money", amount=str(amount * scale), approximate=bool(m.group("approx") or m.group("tail")))
    raise ValueError(f"cannot read '{value}' as funding; write an amount (£5,919.63 or Approx £3,500), "
                     "'None required', or 'In kind by <agency>'")

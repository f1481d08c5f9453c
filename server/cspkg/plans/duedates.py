"""Due dates from the timing a plan states ("by June 23", "Dec 18", "Q3", "2023-24").

The rules, explicit so a reader can check a parsed date against them:
- a period's due date is its last day: a month its last day, a quarter the last day of its third
  month, a financial year 31 March, a calendar year 31 December;
- two digits after a month are a year ("June 23" is June 2023, never the 23rd of June);
- a quarter is the plan's financial quarter (financial years run April to March: Q1 April-June,
  Q2 July-September, Q3 October-December, Q4 January-March), of the plan's first financial year
  unless the text names one ("Q3 2023/24");
- a month with no year is the one inside the plan's period (its first financial year);
- a day is written day first (31/03/2024), as in the UK;
- "ongoing", "throughout" and the like have no due date, and nor has anything else not read here.
Leading "by", "in", "end of", "before" are ignored. Nothing is guessed: text that matches no rule
gives None, and the timing as stated stays the plan's word.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
MONTHS |= {"sept": 9}
MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
NO_DATE = re.compile(r"^(ongoing|on-going|throughout( the year)?|continuous|continual|as required|as needed|tbc|n/?a|annual(ly)?|"
                     r"quarterly|monthly|weekly|all year|year[- ]round)$")
LEAD = re.compile(r"^(?:(?:by|in|before|due|from|until|to|end of|the end of|by the end of|by end of|end)\s+)+")
YEAR = r"(?P<year>\d{4}|'?\d{2})"
FY = r"(?P<fy1>\d{4}|\d{2})\s*[-/–]\s*(?P<fy2>\d{4}|\d{2})"
RULES = [
    ("iso", re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")),
    ("dmy", re.compile(r"^(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4}|\d{2})$")),
    ("day month year", re.compile(r"^(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + MONTH + r"[\s,-]*" + YEAR + r"$")),
    ("month year", re.compile(r"^" + MONTH + r"[\s,-]*" + YEAR + r"$")),
    ("quarter", re.compile(r"^(?:q|quarter\s*)(?P<q>[1-4])(?:\s+(?:of\s+)?" + FY + r")?$")),
    ("year quarter", re.compile(r"^" + FY + r"\s+(?:q|quarter\s*)(?P<q>[1-4])$")),
    ("financial year", re.compile(r"^(?:fy\s*)?" + FY + r"$")),
    ("year", re.compile(r"^(?P<year>\d{4})$")),
    ("month", re.compile(r"^" + MONTH + r"$")),
]


def last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _year(text: str) -> int:
    digits = text.lstrip("'")
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


def _financial_year(fy1: str, fy2: str) -> int | None:
    """The first calendar year of a financial year written "2023-24", "2023/2024" or "23-24"; None if
    the two years are not consecutive."""
    first, second = _year(fy1), _year(fy2) if len(fy2) == 4 else None
    if second is None:
        second = (first // 100) * 100 + int(fy2)
    return first if second == first + 1 else None


def fy_start_year(plan_start: date | None) -> int | None:
    """The calendar year in which the plan's first financial year begins (April)."""
    if plan_start is None:
        return None
    return plan_start.year if plan_start.month >= 4 else plan_start.year - 1


def quarter_end(fy: int, quarter: int) -> date:
    """The last day of financial quarter 1-4 of the financial year beginning in April of fy."""
    month = 3 + 3 * quarter  # 6, 9, 12, 15
    return last_day(fy + (month > 12), (month - 1) % 12 + 1)


def normalise(text: str) -> str:
    text = " ".join(text.strip().lower().replace("’", "'").split())
    text = text.rstrip(".")
    return LEAD.sub("", text).strip()


def parse(text: str, plan_start: date | None = None) -> date | None:
    """The due date the timing text states, or None (ongoing, or not readable by these rules).
    plan_start is the first day of the plan's period: quarters and months without a year need it."""
    words = normalise(text)
    if not words or NO_DATE.match(words):
        return None
    for name, rule in RULES:
        found = rule.match(words)
        if found:
            try:
                return _read(name, found.groupdict(), plan_start)
            except ValueError:  # 31/02/2024: matches the form, is no date
                return None
    return None


def _read(name: str, g: dict, plan_start: date | None) -> date | None:
    if name in ("iso", "dmy"):
        return date(_year(g["y"]), int(g["m"]), int(g["d"]))
    if name == "day month year":
        return date(_year(g["year"]), MONTHS[g["month"]], int(g["d"]))
    if name == "month year":
        return last_day(_year(g["year"]), MONTHS[g["month"]])
    if name in ("quarter", "year quarter"):
        fy = _financial_year(g["fy1"], g["fy2"]) if g.get("fy1") else fy_start_year(plan_start)
        return quarter_end(fy, int(g["q"])) if fy is not None else None
    if name == "financial year":
        fy = _financial_year(g["fy1"], g["fy2"])
        return date(fy + 1, 3, 31) if fy is not None else None
    if name == "year":
        return date(int(g["year"]), 12, 31)
    if name == "month":
        fy = fy_start_year(plan_start)
        if fy is None:
            return None
        month = MONTHS[g["month"]]
        return last_day(fy if month >= 4 else fy + 1, month)
    raise AssertionError(name)

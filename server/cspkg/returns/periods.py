"""Reporting periods: a financial quarter (2023-24-q2) or a financial year (2023-24), as keys.

Financial years run April to March; Q1 is April-June, Q2 July-September, Q3 October-December,
Q4 January-March. A key is what names a return's file and IRI, so it is checked strictly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..errors import BadInput
from ..plans.duedates import last_day

KEY = re.compile(r"^(?P<fy>\d{4})-(?P<next>\d{2})(?:-q(?P<q>[1-4]))?$")
HOW = "write it as a financial quarter, e.g. 2023-24-q2, or a financial year, e.g. 2023-24"


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date
    quarter: int | None

    @property
    def label(self) -> str:
        """As a board paper writes it: "Q2 2023/24", or "2023/24" for a year."""
        fy = f"{self.key[:4]}/{self.key[5:7]}"
        return f"Q{self.quarter} {fy}" if self.quarter else fy


def period(text: str, where: str = "period") -> Period:
    found = KEY.match(text.strip().lower())
    if not found:
        raise BadInput(f"{where}: {text!r} is not a reporting period; {HOW}")
    fy = int(found["fy"])
    if (fy + 1) % 100 != int(found["next"]):
        raise BadInput(f"{where}: {text!r}: {found['next']} does not follow {fy}; {HOW}")
    if found["q"] is None:
        return Period(found.group(0), date(fy, 4, 1), date(fy + 1, 3, 31), None)
    q = int(found["q"])
    first = 4 + 3 * (q - 1)  # 4, 7, 10, 13
    year, month = fy + (first > 12), (first - 1) % 12 + 1
    end_month = month + 2
    return Period(found.group(0), date(year, month, 1), last_day(year, end_month), q)

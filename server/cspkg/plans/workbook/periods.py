"""A plan's period as people write it ("2022/23", "April 2025 to March 2028", "FY 2023/24"), read
into a start and an end date, with a sentence saying how it was read.

No date library reads these: "2022/23" is a UK financial year, not a date, and general date
parsers (dateutil) fill a missing day or year from today, which would guess silently. So the text
is split into tokens (numbers, words, separators) and matched against a small grammar: a span of
years, or a start and an end joined by "to" or a dash, each a day, a month or a financial year.
A bare span of years is read as UK financial years (1 April to 31 March) unless the text says
"calendar". Whatever cannot be read one way only is an error in an officer's words.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

HOW_TO = "write the period as 2024/25 or April 2024 to March 2027"
FIRST_YEAR, LAST_YEAR = 1998, 2099  # partnerships date from the Crime and Disorder Act 1998
LONGEST = 10  # years: a longer span is a slip (2022-2032 for 2022-23), not a plan period
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name} | {"sept": 9}
RANGE_WORDS = {"to", "until", "till", "through", "thru"}
FY_WORDS = (("financial", "year"), ("financial", "years"), ("fiscal", "year"), ("fiscal", "years"), ("fy",), ("f", "/", "y"))
CY_WORDS = (("calendar", "year"), ("calendar", "years"), ("cy",))
TOKEN = re.compile(r"\d+|[^\W\d_]+|[/\-]")
DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-"})


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    reading: str  # how the dates were read from the words, for the record

    def note(self, written: str, what: str = "Start and end dates") -> str:
        return f'{what} derived from the period as stated, "{written}": {self.reading}.'


class Unreadable(ValueError):
    """The text is not a period this module can read one way only; the message says why and how to fix it."""


@dataclass(frozen=True)
class _Point:
    """One end of a period: a day, a month, or a span of years; a missing year comes from the other end."""
    kind: str  # day | month | years
    year: int | None
    month: int = 0
    day: int = 0
    last_year: int = 0  # for years: the span's last year

    def first(self, calendar_years: bool) -> dt.date:
        if self.kind == "years":
            return dt.date(self.year, 1, 1) if calendar_years else dt.date(self.year, 4, 1)
        return dt.date(self.year, self.month, self.day or 1)

    def last(self, calendar_years: bool) -> dt.date:
        if self.kind == "years":
            return dt.date(self.last_year, 12, 31) if calendar_years else dt.date(self.last_year, 3, 31)
        if self.kind == "month":
            return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return dt.date(self.year, self.month, self.day)


def _year(token: str) -> int | None:
    """A four-digit year, or a two-digit one (24 = 2024); None if the token is not a year."""
    if not token.isdigit() or len(token) not in (2, 4):
        return None
    year = int(token) if len(token) == 4 else 2000 + int(token)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Unreadable(f"{year} is not a year a partnership plan can cover ({FIRST_YEAR} to {LAST_YEAR})")
    return year


def _end_year(start: int, token: str, sep: str) -> int | None:
    """The second year of '2022/23', '2022-2025', '2023/4': completed from the first."""
    if not token.isdigit():
        return None
    if len(token) == 4:
        end = int(token)
    elif len(token) == 2:
        end = start - start % 100 + int(token)
    elif len(token) == 1 and sep == "/":
        end = start - start % 10 + int(token)
        end += 10 if end < start else 0
    else:
        return None
    if end <= start:
        raise Unreadable(f"the period's last year ({token}) is not after its first ({start})")
    if end - start > LONGEST:
        raise Unreadable(f"{start} to {end} is longer than {LONGEST} years")
    return end


def _years(tokens: list[str]) -> _Point | None:
    """'2022/23', '2022-2023', '2022 to 2023', '24/25', '2023/4'."""
    if len(tokens) != 3 or (tokens[1] not in ("/", "-") and tokens[1] not in RANGE_WORDS):
        return None
    if len(tokens[0]) == 2 and tokens[0].isdigit():  # 24/25: only consecutive years, since 04/05 may be a month
        if not (tokens[2].isdigit() and len(tokens[2]) == 2 and int(tokens[2]) == (int(tokens[0]) + 1) % 100):
            return None
    first = _year(tokens[0]) if len(tokens[0]) in (2, 4) else None
    if first is None:
        return None
    last = _end_year(first, tokens[2], tokens[1])
    return None if last is None else _Point("years", first, last_year=last)


def _day(token: str) -> int | None:
    return int(token) if token.isdigit() and len(token) <= 2 and 1 <= int(token) <= 31 else None


def _point(tokens: list[str]) -> _Point | None:
    """One end: '1 April 2023', 'April 1 2023', 'April 2023', '01/04/2023', '2023-04-01', '1 April', 'April', '2023/24'."""
    n = len(tokens)
    month = MONTHS.get(tokens[0]) if n else None
    if n == 1 and month:
        return _Point("month", None, month)
    if n == 2 and month and len(tokens[1]) == 4:
        return _Point("month", _year(tokens[1]), month)
    if n == 2 and _day(tokens[0]) and tokens[1] in MONTHS:
        return _Point("day", None, MONTHS[tokens[1]], _day(tokens[0]))
    if n == 3 and _day(tokens[0]) and tokens[1] in MONTHS and len(tokens[2]) == 4:
        return _Point("day", _year(tokens[2]), MONTHS[tokens[1]], _day(tokens[0]))
    if n == 3 and month and _day(tokens[1]) and len(tokens[2]) == 4:
        return _Point("day", _year(tokens[2]), month, _day(tokens[1]))
    if n == 5 and tokens[1] == tokens[3] == "/" and _day(tokens[0]) and tokens[2].isdigit() and len(tokens[4]) == 4:
        if not 1 <= int(tokens[2]) <= 12:
            raise Unreadable(f"{tokens[2]} is not a month in {'/'.join(tokens[0::2])} (dates are day/month/year)")
        return _Point("day", _year(tokens[4]), int(tokens[2]), _day(tokens[0]))
    if n == 5 and tokens[1] == tokens[3] == "-" and len(tokens[0]) == 4 and tokens[2].isdigit() and _day(tokens[4]):
        if not 1 <= int(tokens[2]) <= 12:
            raise Unreadable(f"{tokens[2]} is not a month in {'-'.join(tokens[0::2])} (dates are year-month-day)")
        return _Point("day", _year(tokens[0]), int(tokens[2]), _day(tokens[4]))
    return _years(tokens)


def _strip_words(tokens: list[str], words: tuple[tuple[str, ...], ...]) -> tuple[list[str], bool]:
    """Drop a leading or trailing 'FY', 'financial year', 'calendar year' ...; say whether one was there."""
    for phrase in words:
        k = len(phrase)
        if tuple(tokens[:k]) == phrase:
            return tokens[k:], True
        if tuple(tokens[-k:]) == phrase and len(tokens) > k:
            return tokens[:-k], True
    return tokens, False


def _tokens(text: str) -> list[str]:
    text = text.translate(DASHES).casefold()
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)  # 1st April
    return TOKEN.findall(text.replace(",", " ").replace(".", " "))


def _date(point: _Point, other: _Point, is_start: bool) -> _Point:
    """Fill a missing year ('April to March 2024', '1 April 2023 to 31 March') from the other end."""
    if point.year is not None:
        return point
    if other.year is None:
        raise Unreadable("neither end of the period gives a year")
    if other.kind == "years":
        raise Unreadable("one end of the period is a month without a year")
    year = other.year
    if is_start and (point.month, point.day or 1) > (other.month, other.day or 31):
        year -= 1
    if not is_start and (point.month, point.day or 31) < (other.month, other.day or 1):
        year += 1
    return _Point(point.kind, year, point.month, point.day)


def _describe(start: _Point, end: _Point, calendar_years: bool) -> str:
    if start.kind == end.kind == "years":
        kind = "calendar years (1 January to 31 December)" if calendar_years else "UK financial years (1 April to 31 March)"
        return f"a span of years, read as {kind}"
    kinds = {start.kind, end.kind}
    parts = []
    if "years" in kinds:
        parts.append("a financial year read from 1 April to 31 March" if not calendar_years else "a year read from 1 January to 31 December")
    if "month" in kinds:
        parts.append("a month without a day read from its first day (start) or last day (end)")
    if start.year is None or end.year is None:
        parts.append("a missing year taken from the other end")
    return "; ".join(parts) if parts else "the dates as written"


def parse(text: str) -> Period:
    """The start and end dates of a period as written; Unreadable (a ValueError) with how to fix it."""
    written = " ".join(text.split())
    if not written:
        raise Unreadable(f"no period is given; {HOW_TO}")
    tokens, fy = _strip_words(_tokens(written), FY_WORDS)
    tokens, cy = _strip_words(tokens, CY_WORDS)
    if fy and cy:
        raise Unreadable(f"'{written}' says both financial and calendar year; {HOW_TO}")
    try:
        return _parse(tokens, cy, written)
    except Unreadable as err:
        raise Unreadable(f"'{written}' cannot be read as a period: {err}; {HOW_TO}") from None


def _parse(tokens: list[str], calendar_years: bool, written: str) -> Period:
    if len(tokens) == 1 and tokens[0].isdigit() and len(tokens[0]) == 4:
        if calendar_years:
            year = _year(tokens[0])
            return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), f"a calendar year, 1 January {year} to 31 December {year}")
        raise Unreadable(f"a single year could be the calendar year or the financial year {tokens[0]}/{(int(tokens[0]) + 1) % 100:02d}")
    whole = _years(tokens)
    if whole is not None:
        return _period(whole, whole, calendar_years)
    found: dict[tuple[dt.date, dt.date], Period] = {}
    errors: list[str] = []
    for i, token in enumerate(tokens):
        if token not in RANGE_WORDS and token != "-":
            continue
        try:
            start, end = _point(tokens[:i]), _point(tokens[i + 1:])
            if start is None or end is None:
                continue
            period = _period(start, end, calendar_years)
            found[(period.start, period.end)] = period
        except Unreadable as err:
            errors.append(str(err))
    if len(found) == 1:
        return next(iter(found.values()))
    if len(found) > 1:
        raise Unreadable("it can be read more than one way")
    if errors:
        raise Unreadable(errors[0])
    raise Unreadable("it is not a span of years, months or dates")


def _period(start: _Point, end: _Point, calendar_years: bool) -> Period:
    how = _describe(start, end, calendar_years)
    start, end = _date(start, end, True), _date(end, start, False)
    try:
        first, last = start.first(calendar_years), end.last(calendar_years)
    except ValueError as err:  # 31 April
        raise Unreadable(f"a date in it does not exist ({err})") from None
    if last <= first:
        raise Unreadable(f"it ends ({last:%-d %B %Y}) before it starts ({first:%-d %B %Y})")
    if (last - first).days > LONGEST * 366:
        raise Unreadable(f"it is longer than {LONGEST} years")
    return Period(first, last, how + f", {first:%-d %B %Y} to {last:%-d %B %Y}")

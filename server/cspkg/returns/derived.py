"""Progress returns derived from a plan's own progress updates (`cspkg returns derive`).

Some plans carry updates of their own (csp:ProgressUpdate: Castle Point and Rochford's "Q1 update"
column, Colchester's outcomes "as at the last update, February 2019"). They stay in the plan's graph
as the plan states them. This module restates them as one progress return per period they name, the
same data `cspkg returns import` writes, so the delivery queries and pages read them like any return:

- each update is prov:wasDerivedFrom the plan's own, about the action (or priority) the plan gives it
  to (an activity's update is about its action), with the plan's text as commentary and the plan's
  status where it gives one, else "not stated" (a status is never read from the commentary);
- the period is the financial quarter the update names ("Q1 2017/18"), else the quarter holding its
  csp:asAt date ("2018-19, last update February 2019", as at 2019-02);
- "as of" is the latest csp:asAt of the period's updates (a month is read as its last day), else the
  last day of the period;
- who reports is the partnership whose plan it is;
- the return is a csp:DerivedReturn: derived from the plan and its source document, made by the
  return deriver (a prov:SoftwareAgent in data/reference/editors.ttl), dated, with an editorial note
  saying how its period and date were chosen, so it is never mistaken for a return a partnership gave.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from .. import namespaces as ns
from ..errors import BadInput
from ..plans import files as planfiles
from ..plans.duedates import last_day
from ..sources import Source, parse
from . import plan as plans
from .model import WORD, Derivation, Return, Update
from .periods import Period, period
from .workbook import check_period

CSP = str(ns.CSP)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
DERIVER = ns.ID + "agency/cspkg-return-deriver"
QUARTER = re.compile(r"\bQ([1-4])\s*(\d{4})\s*[/-]\s*(\d{2})\b", re.IGNORECASE)
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def quarter_of(day: date) -> Period:
    """The financial quarter (April to March) that holds the day."""
    fy = day.year if day.month >= 4 else day.year - 1
    return period(f"{fy}-{(fy + 1) % 100:02d}-q{(day.month - 4) % 12 // 3 + 1}")


def as_at(literal) -> tuple[date, str] | None:
    """A csp:asAt value as a day, and how precise the plan was: 'day' or 'month' (its last day)."""
    text = literal.value
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text), "day"
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = int(text[:4]), int(text[5:])
        return last_day(year, month), "month"
    return None


def derive(data_dir: Path, plan: str, created: date) -> list[Return]:
    """The returns the plan's own updates give, one per period, oldest first (none if it has none)."""
    key, path = planfiles.locate(data_dir, plan)
    by: dict[str, dict[str, list]] = {}
    for t in planfiles.read_plan(path):
        by.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object)
    plan_iri = ns.plan_iri(key)
    view = plans.load(data_dir, str(path))
    reportable = {item.iri for item in view.items.values()}
    holders = {o.value: s for s, props in by.items() for o in props.get(CSP + "hasUpdate", [])}

    def values(iri: str, prop: str) -> list:
        return by.get(iri, {}).get(prop, [])

    partnerships = [o.value for o in values(plan_iri, CSP + "partnership")]
    if len(partnerships) != 1:
        raise BadInput(f"{path}: plan {key} names {len(partnerships)} partnerships; a derived return is reported by "
                       "the one partnership whose plan it is")
    grouped: dict[str, list[tuple[Update, str, tuple[date, str] | None]]] = {}
    periods: dict[str, Period] = {}
    for iri in sorted((s for s, p in by.items() if any(o.value == CSP + "ProgressUpdate" for o in p.get(RDF_TYPE, []))),
                      key=plans.natural):
        name = iri.rsplit("/", 1)[1]
        about = next((o.value for o in values(iri, CSP + "updateOf")), holders.get(iri))
        about = next((o.value for o in values(about, CSP + "partOf")), about) if about else None  # an activity's action
        if about not in reportable:
            raise BadInput(f"{path}: the progress update {name} is not attached to an action or priority of plan {key}; "
                           "attach it with csp:hasUpdate or csp:updateOf")
        text = next((o.value for o in values(iri, CSP + "reportingPeriod")), "")
        dated = next((d for d in map(as_at, values(iri, CSP + "asAt")) if d), None)
        named = QUARTER.search(text)
        if named:
            fy = int(named[2])
            when = period(f"{fy}-{named[3]}-q{named[1]}", f"{path}: progress update {name}")
        elif dated:
            when = quarter_of(dated[0])
        else:
            raise BadInput(f"{path}: the progress update {name} names no quarter ({text!r}) and no date (csp:asAt), "
                           "so the period of its return cannot be told; give it csp:reportingPeriod as \"Q1 2017/18\"")
        check_period(view, when, f"{path}: progress update {name}")
        status = next((WORD[o.value] for o in values(iri, CSP + "status") if o.value in WORD), "not stated")
        commentary = next((o.value for o in values(iri, "http://purl.org/dc/terms/description")), "")
        update = Update(name, about, status, commentary=commentary, derived_from=iri)
        grouped.setdefault(when.key, []).append((update, text, dated))
        periods[when.key] = when
    sources = [plan_iri] + sorted(o.value for o in values(plan_iri, DERIVED_FROM))
    out = []
    for k in sorted(grouped):
        rows, when = grouped[k], periods[k]
        dates = [d for _, _, d in rows if d]
        as_of = max(dates)[0] if dates else when.end
        note = explain(rows, when, as_of, max(dates) if dates else None)
        out.append(Return(key, when, as_of, partnerships[0], None, [u for u, _, _ in rows],
                          Derivation(sources, DERIVER, created, note)))
    return out


def explain(rows: list, when: Period, as_of: date, latest: tuple[date, str] | None) -> str:
    """The derived return's editorial note: what it restates, and how its period and date were chosen."""
    texts = sorted({text for _, text, _ in rows if text})
    stated = "; ".join(f'"{t}"' for t in texts) or "no period"
    named = all(QUARTER.search(t) for _, t, _ in rows)
    if named:
        period_why = f"the quarter the plan names ({stated})"
    else:
        month = f"{MONTHS[latest[0].month - 1]} {latest[0].year}"
        period_why = f"the financial quarter holding {month}, the date the plan gives its updates ({stated})"
    if latest is None:
        as_of_why = "the plan gives no date for these updates, so the return is as of the last day of the period they name"
    elif latest[1] == "month":
        as_of_why = (f"the plan dates these updates {MONTHS[latest[0].month - 1]} {latest[0].year} and no more precisely, "
                     "so the return is as of that month's last day")
    else:
        as_of_why = "the date the plan gives these updates"
    statuses = {u.status for u, _, _ in rows}
    status_why = ("The plan gives no status, so each update is 'not stated'." if statuses == {"not stated"}
                  else "Each status is the plan's own where it gives one, else 'not stated'.")
    return (f"Derived by `cspkg returns derive` from the plan's own {len(rows)} progress update(s) for {when.label}, each "
            f"restated with the plan's text (prov:wasDerivedFrom it); the plan's graph is unchanged. {status_why} "
            f"Period {when.label} ({when.key}): {period_why}. As of {as_of.isoformat()}: {as_of_why}. "
            "Reported by the partnership whose plan it is.")


def is_derived(path: Path) -> bool:
    """Whether a return file is a derived one (so `derive` may replace it): never one a partnership gave."""
    return any(t.predicate.value == RDF_TYPE and t.object.value == CSP + "DerivedReturn"
               for t in parse(Source(path, "return")))


def created_in(path: Path) -> date | None:
    """The day a derived return file says it was derived (dct:created)."""
    for t in parse(Source(path, "return")):
        if t.predicate.value == "http://purl.org/dc/terms/created":
            return date.fromisoformat(t.object.value)
    return None

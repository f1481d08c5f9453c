"""What a return is written against: the plan's actions and priorities, their due dates, targets
and measures, read from the plan's file (never changed here)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..namespaces import plan_iri
from ..pipeline.parsed import plan_start
from ..plans import duedates, files as planfiles

CSP = "https://w3id.org/cspkg/def/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
PRIORITY = "priority/"  # how a workbook's Key column names a priority: priority/3


@dataclass
class Item:
    """An action (key r07) or a priority (key priority/3) a return can report on."""

    key: str
    iri: str
    label: str
    timing: str = ""
    due: date | None = None
    results: dict[str, str] = field(default_factory=dict)  # target or measure key (t:r01-1, m:r01-1) -> IRI


@dataclass
class PlanView:
    key: str
    iri: str
    start: date | None
    end: date | None
    items: dict[str, Item]  # by workbook key, in the plan's order


def natural(text: str) -> list:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


def load(data_dir: Path, key: str) -> PlanView:
    key, path = planfiles.locate(data_dir, key)
    triples = planfiles.read_plan(path)
    by: dict[str, dict[str, list]] = {}
    for t in triples:
        by.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object)
    plan = plan_iri(key)
    start = plan_start(key, triples)
    end = next((date.fromisoformat(o.value) for o in by.get(plan, {}).get(CSP + "endDate", [])), None)

    def first(iri: str, *props: str) -> str:
        return next((o.value for p in props for o in by.get(iri, {}).get(p, [])), "")

    items: dict[str, Item] = {}
    actions = sorted((s for s, p in by.items() if any(o.value == plan for o in p.get(CSP + "actionOf", []))), key=natural)
    priorities = sorted((o.value for o in by.get(plan, {}).get(CSP + "hasPriority", [])), key=natural)
    for iri in priorities:
        k = PRIORITY + iri.rsplit("/", 1)[1]
        items[k] = Item(k, iri, first(iri, PREF, RDFS_LABEL))
    for iri in actions:
        k = iri.rsplit("/", 1)[1]
        timing = first(iri, CSP + "timingAsStated")
        item = Item(k, iri, first(iri, RDFS_LABEL, "http://purl.org/dc/terms/description"), timing,
                    duedates.parse(timing, start) if timing else None)
        owners = [iri] + [o.value for o in by.get(iri, {}).get(CSP + "hasPart", [])]
        for owner in owners:
            for prop, tag in ((CSP + "hasTarget", "t"), (CSP + "hasMeasure", "m")):
                for o in by.get(owner, {}).get(prop, []):
                    item.results[f"{tag}:{o.value.rsplit('/', 1)[1]}"] = o.value
        item.results = dict(sorted(item.results.items(), key=lambda kv: natural(kv[0])))
        items[k] = item
    # priorities after actions in the workbook: actions are what most returns report on
    ordered = {k: v for k, v in items.items() if not k.startswith(PRIORITY)} | {k: v for k, v in items.items() if k.startswith(PRIORITY)}
    return PlanView(key, plan, start, end, ordered)


def result_label(data_dir: Path, view: PlanView) -> dict[str, str]:
    """Target and measure IRIs -> their labels, for the template's reading aid."""
    key, path = planfiles.locate(data_dir, view.key)
    wanted = {i for item in view.items.values() for i in item.results.values()}
    return {t.subject.value: t.object.value for t in planfiles.read_plan(path)
            if t.subject.value in wanted and t.predicate.value == RDFS_LABEL}



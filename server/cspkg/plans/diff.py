"""Year on year: which priorities a later plan carries over, adds and drops, and which actions continue.

Items are matched by their titles (similarity of the normalised text) and, for priorities, by
the themes the editorial graph gives them; each item is matched at most once, best pairs first.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import files as planfiles
from ..namespaces import sparql_prefixes

MATCH = 0.6  # a pair scoring below this is not the same item


@dataclass
class Item:
    iri: str
    title: str
    themes: frozenset = frozenset()


@dataclass
class Pair:
    before: Item
    after: Item
    score: float


@dataclass
class Changes:
    carried: list[Pair] = field(default_factory=list)
    added: list[Item] = field(default_factory=list)
    dropped: list[Item] = field(default_factory=list)


STOP = set("a an and are as at be by for from in into is it of on or our the their to we will with".split())


def words(text: str) -> set[str]:
    """Content words, cut to five letters so 'victims' meets 'victim' and 'reducing' meets 'reduce'."""
    plain = "".join(c if c.isalnum() else " " for c in text.casefold()).split()
    return {w[:5] for w in plain if w not in STOP and len(w) > 1}


def score(a: Item, b: Item) -> float:
    wa, wb = words(a.title), words(b.title)
    title = 2 * len(wa & wb) / (len(wa) + len(wb)) if wa and wb else 0.0
    if a.themes and b.themes:
        themes = len(a.themes & b.themes) / len(a.themes | b.themes)
        return 0.6 * title + 0.4 * themes
    return title


def match(before: list[Item], after: list[Item]) -> Changes:
    pairs = sorted(((score(a, b), i, j) for i, a in enumerate(before) for j, b in enumerate(after)), reverse=True)
    used_a, used_b, out = set(), set(), Changes()
    for s, i, j in pairs:
        if s < MATCH:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i), used_b.add(j)
        out.carried.append(Pair(before[i], after[j], round(s, 2)))
    out.dropped = [a for i, a in enumerate(before) if i not in used_a]
    out.added = [b for j, b in enumerate(after) if j not in used_b]
    out.carried.sort(key=lambda p: p.before.title)
    return out


def _items(store: ox.Store, plan: str, link: str, title: str) -> list[Item]:
    query = sparql_prefixes() + f"""
        SELECT ?plan ?item (SAMPLE(?t) AS ?title) (GROUP_CONCAT(DISTINCT STR(?theme); separator=" ") AS ?themes) WHERE {{
          ?plan {link} ?item . ?item {title} ?t .
          OPTIONAL {{ ?item csp:hasTheme ?theme }}
        }} GROUP BY ?plan ?item ORDER BY ?item"""
    # the plan is bound as a term (a bound variable must be projected); link and title are ours
    rows = store.query(query, substitutions={ox.Variable("plan"): ox.NamedNode(plan)})
    return [Item(r["item"].value, r["title"].value, frozenset(r["themes"].value.split() if r["themes"] else ())) for r in rows]


def load(data_dir: Path, plan: str) -> tuple[str, ox.Store]:
    key, path = planfiles.locate(data_dir, plan)
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    editorial = data_dir / "editorial" / f"{key}.ttl"
    if editorial.is_file() and path.parent.resolve() == (data_dir / "plans").resolve():
        store.bulk_load(path=str(editorial), format=ox.RdfFormat.TURTLE)
    return key, store


def compare(data_dir: Path, plan_a: str, plan_b: str) -> dict:
    (key_a, a), (key_b, b) = load(data_dir, plan_a), load(data_dir, plan_b)
    iri_a, iri_b = planfiles.ID + f"plan/{key_a}", planfiles.ID + f"plan/{key_b}"
    priorities = match(_items(a, iri_a, "csp:hasPriority", "skos:prefLabel"), _items(b, iri_b, "csp:hasPriority", "skos:prefLabel"))
    actions = match(_items(a, iri_a, "csp:hasAction", "rdfs:label"), _items(b, iri_b, "csp:hasAction", "rdfs:label"))
    return {"before": key_a, "after": key_b, "priorities": priorities, "actions": actions}


def as_json(result: dict) -> str:
    def plain(changes: Changes) -> dict:
        d = asdict(changes)
        for group in d.values():
            for entry in group:
                for item in (entry.get("before"), entry.get("after"), entry):
                    if isinstance(item, dict) and "themes" in item:
                        item["themes"] = sorted(item["themes"])
        return d
    return json.dumps({"before": result["before"], "after": result["after"],
                       "priorities": plain(result["priorities"]), "actions": plain(result["actions"])}, indent=1)


def as_text(result: dict) -> str:
    lines = [f"From {result['before']} to {result['after']}"]
    for name, verb in (("priorities", "carried over"), ("actions", "continued")):
        c: Changes = result[name]
        lines.append(f"\n{name.capitalize()}: {len(c.carried)} {verb}, {len(c.added)} added, {len(c.dropped)} dropped")
        lines += [f'  = "{p.before.title}" -> "{p.after.title}" (match {p.score:.2f})' for p in c.carried]
        lines += [f'  + "{i.title}"' for i in c.added]
        lines += [f'  - "{i.title}"' for i in c.dropped]
    return "\n".join(lines)

"""A canned query as a question for people (the HTML form of `/queries/<name>`): parameters chosen
by name, answers with labels linked to the lead pages and columns named in words.

The JSON, CSV and TSV answers are the API's and are not touched here. What a parameter may be is
what the catalogue says (its kind, and the IRIs the header enumerates, as grlc shows them); this
module only adds the names people know them by. A name typed for a parameter is looked up among
those names and replaced by its key before the query is bound (`catalogue.bind`), so the text a
person types never reaches a query but as a bound term: an action (too many to list) is found by
the canned action search, `search-actions`, whose words are bound like any parameter's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from .. import iris
from ..answers.catalogue import IS_A, KINDS, SHORT_KEY, CannedQuery, Param, short_key, term
from ..errors import BadInput
from ..answers.messages import Request
from ..namespaces import ID
from . import context
from .context import cached, remember

# Kinds whose members grow with every plan loaded (thousands at national size): found by words
# and then chosen from what was found, rather than listed in full.
SEARCHED = {"action/", "agency/"}
MAX_LISTED = 400  # a list longer than this is searched too, whatever its kind
MAX_FOUND = 50  # candidates offered after a search

NAMES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX csp: <https://w3id.org/cspkg/def/>
SELECT ?thing ?class (MIN(STR(?name)) AS ?label) (MIN(STR(?inName)) AS ?within)
WHERE {
  ?thing a ?class FILTER(isIRI(?thing))
  OPTIONAL { ?thing dct:title ?title }
  OPTIONAL { ?thing skos:prefLabel ?prefLabel }
  OPTIONAL { ?thing rdfs:label ?rdfsLabel }
  BIND(COALESCE(?title, ?prefLabel, ?rdfsLabel) AS ?name)
  OPTIONAL { ?thing csp:actionOf ?plan . ?plan dct:title ?inName }
}
GROUP BY ?thing ?class"""  # ?class is bound to the kind's class; `within` tells apart actions of the same name


@dataclass(frozen=True)
class Choice:
    iri: str
    key: str  # what the form sends: the short key, or the IRI where there is none
    label: str
    within: str = ""  # the plan an action is in

    @property
    def text(self) -> str:
        return f"{self.label} ({self.within})" if self.within else self.label


@dataclass
class Field:
    """One parameter as the form shows it."""

    param: Param
    label: str  # the parameter in words
    value: str
    choices: list[Choice] | None = None  # a <select> of these; None for a text box
    searched: bool = False  # a text box that finds candidates by name
    found: list[Choice] = field(default_factory=list)  # candidates for a searched value
    problem: str | None = None


def noun(param: Param, query: CannedQuery) -> str:
    """The parameter in words, for its label: "Legal duty", "Partnership plan", or the header's
    heading for it ("Words to look for")."""
    if param.kind:
        return re.sub(r"^(a|an) ", "", param.kind[2]).capitalize()
    return query.headings.get(param.name) or heading(param.name)


def heading(var: str) -> str:
    """A column heading from a variable name: fundedActions -> "Funded actions", amountGBP -> "Amount (£)"."""
    words = re.findall(r"[A-Z]{2,}(?![a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+", var)
    if not words:
        return var
    words = ["(£)" if w == "GBP" else w if w.isupper() and len(w) > 1 else w.lower() for w in words]
    return " ".join(words)[0].upper() + " ".join(words)[1:]


def choices(param: Param, query: CannedQuery) -> list[Choice]:
    """What a parameter of a kind can be, by name: the IRIs the query's header enumerates (all
    members of the kind where it lists none), those under the kind's own folder where there are
    any (a theme list without the priorities that are concepts too), sorted by name."""
    named = names(param.kind)
    listed = query.enumerate.get(param.name) or list(named)
    own = [iri for iri in listed if iri.startswith(ID + param.kind[0])] or listed
    found = [Choice(iri, short_key(param.kind, iri), *named.get(iri, (iri_words(iri), ""))) for iri in own]
    return sorted(found, key=lambda c: (c.label.casefold(), c.within.casefold(), c.key))


def names(kind) -> dict[str, tuple[str, str]]:
    """Each member of a kind: IRI -> (name, what it is within); per build."""
    cache_key = ("names", kind[0])
    found = cached(cache_key)
    if found is None:
        answer = context.runner().run(Request(NAMES, "json", substitutions={"class": str(ox.NamedNode(kind[1]))},
                                              max_rows=context.settings().max_rows))
        rows = json.loads(answer.body)["results"]["bindings"]
        found = remember(cache_key, {r["thing"]["value"]: ((r.get("label") or {}).get("value") or iri_words(r["thing"]["value"]),
                                                           (r.get("within") or {}).get("value", "")) for r in rows})
    return found


def plural(noun_: str) -> str:
    return noun_[:-1] + "ies" if noun_.endswith("y") else noun_ + "s"


def iri_words(iri: str) -> str:
    """Something to show for an IRI with no name: its last segment (never the whole IRI)."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


def resolve(query: CannedQuery, values: dict[str, str], search=None) -> tuple[dict[str, str], dict[str, Field]]:
    """The values with each name replaced by its key, and a Field for every parameter (with its
    problem, if the value is neither a key nor exactly one choice's name). `search(name, values)`
    answers a canned query (bound by the catalogue), for the kinds found by a search step."""
    values = dict(values)
    given = {**query.defaults, **{k: v for k, v in values.items() if v}}
    fields = {}
    for param in query.params:
        raw = given.get(param.name, "")
        f = Field(param, noun(param, query), raw)
        fields[param.name] = f
        if not param.kind:
            continue
        if param.kind[0] in SEARCHED:
            f.searched = True
            if not raw or raw.startswith(("http://", "https://")):
                continue  # an IRI: for the catalogue to judge, as the API does
            try:
                if SHORT_KEY.fullmatch(raw) and member(param, raw):
                    continue
                options = found_by_words(param, raw, search)
            except BadInput as err:  # words the search does not take (too long, say)
                f.problem = str(err)
                continue
        else:
            options = choices(param, query)
            f.searched = len(options) > MAX_LISTED
            f.choices = None if f.searched else options
            if not raw or raw.startswith(("http://", "https://")) or any(raw in (c.key, c.iri) for c in options):
                continue
            if f.searched:
                options = narrowed(options, raw)
        wanted = " ".join(raw.split()).casefold()
        exact = [c for c in options if wanted in (c.label.casefold(), c.key.casefold(), c.text.casefold())]
        if len(exact) == 1:
            values[param.name] = f.value = exact[0].key
            continue
        # a search found its words in the title or the text; a list is narrowed to the names with them
        f.found = (exact or (options if f.searched else narrowed(options, raw)))[:MAX_FOUND]
        kind = noun(param, query).lower()
        shown = iris.short(raw)
        if f.found:
            many = f"{len(f.found)} {plural(kind)}" if len(f.found) > 1 else f"one {kind}"
            f.problem = (f"parameter '{param.name}': “{shown}” is not the key of {param.kind[2]}; "
                         f"{many} found with those words: choose from the list")
            if not f.searched:
                f.problem += " (" + "; ".join(c.text for c in f.found[:10]) + (" …" if len(f.found) > 10 else "") + ")"
        elif f.searched:
            f.problem = f"parameter '{param.name}': no {kind} has “{shown}” in its name; try other words"
        else:
            f.problem = (f"parameter '{param.name}': “{shown}” is neither the key nor the name of {param.kind[2]}; "
                         f"choose one of the {len(options)} in the list")
    return values, fields


# The canned question that finds members of a kind by words (bound by the catalogue like any other),
# and its columns: the member, its name, and what it is within.
SEARCHES = {"action/": ("search-actions", "text", "action", "actionLabel", "planLabel")}


def found_by_words(param: Param, words: str, search) -> list[Choice]:
    """Members of the parameter's kind found by words: by the kind's canned search where it has
    one, else among every member's name."""
    if param.kind[0] in SEARCHES and search is not None:
        name, text, column, label, within = SEARCHES[param.kind[0]]
        out: dict[str, Choice] = {}
        for row in search(name, {text: words}):
            iri = row[column]
            out.setdefault(iri, Choice(iri, short_key(param.kind, iri), row.get(label) or iri_words(iri), row.get(within) or ""))
        return list(out.values())
    every = [Choice(iri, short_key(param.kind, iri), label, within) for iri, (label, within) in names(param.kind).items()]
    return sorted(narrowed(every, words), key=lambda c: c.text.casefold())


def narrowed(options: list[Choice], words: str) -> list[Choice]:
    """The choices whose name (or what they are within) has every one of the words, in any case."""
    wanted = words.casefold().split()
    return [c for c in options if all(w in c.text.casefold() for w in wanted)]


def member(param: Param, key: str) -> bool:
    """Whether a short key names a member of the parameter's kind (the check `bind` makes)."""
    thing = term(param, key)
    answer = context.runner().run(Request(IS_A, "json", substitutions={"thing": str(thing), "class": str(ox.NamedNode(param.kind[1]))}))
    return bool(json.loads(answer.body)["boolean"])


def lead_href(iri: str) -> str:
    """Where a person reads about a resource: a lead page where there is one, else its /doc page
    (or, outside our data, the resource's own home)."""
    for folder, page in (("plan/", "/plans/"), ("duty/", "/duties/"), ("agency/", "/organisations/"), ("partnership/", "/partnerships/")):
        if iri.startswith(ID + folder) and "/" not in iri[len(ID + folder):]:
            return page + iri[len(ID + folder):]
    if iri.startswith(ID):
        return "/doc/" + iri[len(ID):]
    return iri


NUMERIC = {"http://www.w3.org/2001/XMLSchema#" + t for t in
           ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger", "positiveInteger")}


def name_of(iri: str) -> str:
    """What to show for an IRI the answer gives no label for: the name of one of our resources of a
    known kind (a plan's title, say), else the IRI's last segment; never the whole IRI."""
    for kind in KINDS.values():
        if iri.startswith(ID + kind[0]):
            return names(kind).get(iri, (iri_words(iri),))[0]
    return iri_words(iri)


def iri_lists(cells: list) -> bool:
    """Whether a column's values are all lists of IRIs written as text (space-separated)."""
    given = [c for c in cells if c is not None]
    return bool(given) and all(c["type"] == "literal" and c["value"].split()
                               and all(t.startswith(("http://", "https://")) for t in c["value"].split()) for c in given)


def people_table(query: CannedQuery, table: dict, bound: dict) -> dict:
    """The answer as people read it: a column whose values are IRIs and that has a companion
    `<name>Label` column shows the label, linked to the resource's page; the raw label column and
    IRI columns are not shown apart; headings in words; numbers marked for right alignment. A column
    that only repeats what was asked (the parameter as a column) is said once, above the table."""
    names_ = table["head"]["vars"]
    bindings = table["results"]["bindings"]
    overrides = query.headings
    label_of = {v: v + "Label" for v in names_ if v + "Label" in names_}
    if "label" in names_:  # a bare `label` names the `item` (or the last IRI column before it)
        before = [v for v in names_[:names_.index("label")] if v not in label_of
                  and any((row.get(v) or {}).get("type") == "uri" for row in bindings)]
        owner = "item" if "item" in names_ else (before[-1] if before else None)
        if owner:
            label_of[owner] = "label"
    companions = set(label_of.values())
    asked = {term.value for term in bound.values()}
    columns, given = [], []
    for v in names_:
        if v in companions:
            continue
        cells = [row.get(v) for row in bindings]
        if cells and all(c is not None and c["value"] in asked for c in cells) and len({c["value"] for c in cells}) == 1:
            label, uri = bindings[0].get(label_of.get(v, "")), cells[0]["type"] == "uri"
            given.append({"heading": overrides.get(v) or heading(v), "href": lead_href(cells[0]["value"]) if uri else None,
                          "text": label["value"] if label else name_of(cells[0]["value"]) if uri else cells[0]["value"]})
            continue
        if iri_lists(cells):  # the IRIs behind a column of names (leadAgencies beside lead): for the data-minded
            continue
        numeric = bool(cells) and all(c is None or c.get("datatype") in NUMERIC for c in cells) and any(cells)
        columns.append({"var": v, "heading": overrides.get(v) or heading(v), "numeric": numeric})
    rows = []
    for row in bindings:
        out = []
        for col in columns:
            v = col["var"]
            term, label = row.get(v), row.get(label_of.get(v, ""))
            text, href = None, None
            if term is not None and term["type"] == "uri":
                href = lead_href(term["value"])
                text = label["value"] if label else name_of(term["value"])
            elif term is not None:
                text = term["value"]
            elif label is not None:
                text = label["value"]
            out.append({"text": text, "href": href, "numeric": col["numeric"]})
        rows.append(out)
    return {"columns": columns, "rows": rows, "given": given}

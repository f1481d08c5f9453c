"""The canned-query catalogue: `queries/*.rq` with grlc-style `#+ ` YAML headers.

Parameters follow grlc/BASIL: `?_name` is required, `?__name` optional; a suffix gives the type
(`_iri`, `_integer`, `_decimal`, `_boolean`, `_date`; none means a plain string). A value is checked
and made an RDF term, and that term stands wherever the variable is written (`prepared`): the query
grlc makes of the same file with the same value, read from tokens and written by the RDF library
rather than pasted from the user's text. The header is grlc's: `defaults` and `enumerate` give IRIs
in full, as grlc uses them verbatim; `headings` (cspkg's own, which grlc ignores) names columns in words
for the HTML page.
"""

from __future__ import annotations

import re
from datetime import date
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import yaml

from .. import iris
from . import sparqltext
from ..errors import BadInput
from ..namespaces import ID
from ..sources import REPO

QUERIES_DIR = REPO / "queries"
XSD = "http://www.w3.org/2001/XMLSchema#"
PARAM = re.compile(r"(__?)([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*)")  # a parameter's variable name
TYPES = {"iri": None, "integer": XSD + "integer", "decimal": XSD + "decimal", "boolean": XSD + "boolean", "date": XSD + "date"}

# What an IRI parameter names, by the first word of its name: where short keys live, and the
# class its value must have.
KINDS = {
    "plan": ("plan/", "https://w3id.org/cspkg/def/PartnershipPlan", "a partnership plan"),
    "duty": ("duty/", "https://w3id.org/cspkg/def/LegalDuty", "a legal duty"),
    "action": ("action/", "https://w3id.org/cspkg/def/Action", "an action"),
    "agency": ("agency/", "http://www.w3.org/ns/org#Organization", "an agency"),
    "agent": ("agency/", "http://www.w3.org/ns/prov#Agent", "an organisation, team or post"),
    "funder": ("agency/", "http://www.w3.org/ns/prov#Agent", "an organisation, team, post or partnership"),
    "theme": ("theme/", "https://w3id.org/cspkg/def/Theme", "a theme"),
    "partnership": ("partnership/", "https://w3id.org/cspkg/def/CommunitySafetyPartnership", "a partnership"),
}


@dataclass(frozen=True)
class Param:
    name: str  # e.g. "duty"
    var: str  # the variable as written, e.g. "_duty_iri"
    type: str  # iri | integer | decimal | boolean | date | string
    required: bool

    @property
    def kind(self):
        return KINDS.get(self.name.split("_")[0]) if self.type == "iri" else None


@dataclass
class CannedQuery:
    name: str
    path: Path
    text: str
    meta: dict
    params: list[Param] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return str(self.meta.get("summary", self.name))

    @property
    def description(self) -> str:
        return str(self.meta.get("description", ""))

    @property
    def tags(self) -> list[str]:
        return list(self.meta.get("tags", []))

    @property
    def defaults(self) -> dict[str, str]:
        """Each parameter's default as cspkg shows it (pages, OpenAPI, docs): the header's IRI, as a
        short key where it has one."""
        kinds = {p.name: p.kind for p in self.params}
        out = {}
        for item in self.meta.get("defaults", []) or []:
            out.update({str(k): short_key(kinds.get(str(k)), str(v)) for k, v in item.items()})
        return out

    @property
    def pagination(self) -> int | None:
        return int(self.meta["pagination"]) if self.meta.get("pagination") else None

    @property
    def precomputed(self) -> str | None:
        """The variable naming the unit (plan, partnership) by which the answer is kept with each
        build and rewritten when one plan changes, or `whole` for an answer kept whole and run
        again after each change (store/precomputed.py); cspkg's own key."""
        value = self.meta.get("precomputed")
        return str(value) if value else None

    @property
    def kept_by_value(self) -> Param | None:
        """A kept question's one required parameter, an IRI of a known kind: its answer is kept
        for each thing of that kind (store/precomputed.py); None when it has none."""
        required = [p for p in self.params if p.required]
        return required[0] if self.precomputed and len(required) == 1 and required[0].kind else None

    @property
    def anchors(self) -> dict[str, Param]:
        """The parameters that keep only the rows whose variable of the same name is their value
        (`anchors: [plan]`); cspkg's own key. Given one, cspkg also writes its value as a VALUES
        block where the query and each subquery that projects the variable begin, so the store
        starts from it instead of filtering every row at the end; the answer is the same
        (tests/test_anchors.py)."""
        by_name = {p.name: p for p in self.params}
        return {name: by_name[name] for name in anchor_names(self.meta)}

    @property
    def enumerate(self) -> dict[str, list[str]]:
        """The values listed for each enumerated parameter (grlc's form: a list of one-key maps,
        `- duty: [IRI, ...]`), in the header's order."""
        out = {}
        for item in self.meta.get("enumerate", []) or []:
            out.update({str(k): [str(v) for v in values or []] for k, values in item.items()})
        return out

    @property
    def headings(self) -> dict[str, str]:
        """Column headings in words where the one made from the variable's name reads badly
        (`- amountGBP: Amount (£)`); cspkg's own key, which grlc ignores."""
        out = {}
        for item in self.meta.get("headings", []) or []:
            out.update({str(k): str(v) for k, v in item.items()})
        return out


def parse_header(path: Path, text: str) -> dict:
    lines = [l[3:] for l in text.splitlines() if l.startswith("#+ ")]
    try:
        meta = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as err:
        raise BadInput(f"{path}: the #+ header is not valid YAML: {err}") from None
    if not isinstance(meta, dict) or "summary" not in meta:
        raise BadInput(f"{path}: the #+ header must be YAML with at least a 'summary'")
    for key in ("defaults", "enumerate", "headings"):  # grlc's form; a bare name here stops grlc loading the file
        items = meta.get(key) or []
        if not isinstance(items, list) or not all(isinstance(i, dict) and len(i) == 1 for i in items):
            raise BadInput(f"{path}: '{key}' must be a list of one-key maps, e.g. '- duty: ...'")
    return meta


def short_key(kind, value: str) -> str:
    """An IRI under the kind's short-key folder as its short key (what users type); else as given."""
    if kind and value.startswith(ID + kind[0]) and SHORT_KEY.fullmatch(value[len(ID + kind[0]):]):
        return value[len(ID + kind[0]):]
    return value


def prepared(query: "CannedQuery", bound: dict) -> str:
    """The query's text with each bound parameter's term where its variable stands (see `bind`)."""
    return sparqltext.substitute(query.text, {var: sparqltext.term_text(term) for var, term in bound.items()})


def anchored(query: "CannedQuery", bound: dict, text: str) -> str:
    """The prepared text with a VALUES block for each anchoring parameter given (the header's
    `anchors`): where the query and each subquery projecting its variable begin."""
    for name, param in query.anchors.items():
        if param.var in bound:
            text = sparqltext.with_value_list(text, name, [sparqltext.term_text(bound[param.var])])
    return text


def find_params(text: str, path: Path | None = None) -> list[Param]:
    """The query's parameters: its variables named ?_name or ?__name, read from its tokens (so never
    from a comment or a string)."""
    try:
        names = sparqltext.variables(text, sigil="?")
    except sparqltext.SparqlTextError as err:
        raise BadInput(f"{path or 'the query'}: {err}") from None
    params = []
    for var in names:
        match = PARAM.fullmatch(var)
        if match is None:
            continue
        prefix, name = match.groups()
        base, _, suffix = name.rpartition("_")
        kind, pname = (suffix, base) if base and suffix in TYPES else ("string", name)
        params.append(Param(pname, prefix + name, kind, prefix == "_"))
    return params


# The header's `precomputed` values: the unit a kept answer is rewritten by (store/precomputed.py),
# `whole`, or `shares`: added up from each plan's share (store/shares.py, queries/plan-shares/)
PRECOMPUTED = ("plan", "partnership", "whole", "shares")
SHARES_FOLDER = "plan-shares"  # beside the questions: the query giving each plan's share, by the question's name


def anchor_names(meta: dict) -> list[str]:
    """The header's `anchors`: one name or a list of names."""
    named = meta.get("anchors") or []
    return [str(n) for n in ([named] if isinstance(named, str) else named)]


def load(path: Path) -> CannedQuery:
    text = path.read_text(encoding="utf-8")
    query = CannedQuery(path.stem, path, text, parse_header(path, text), find_params(text, path))
    for name in anchor_names(query.meta):
        param = next((p for p in query.params if p.name == name), None)
        if param is None or param.type != "iri" or name not in sparqltext.variables(text, sigil="?"):
            raise BadInput(f"{path}: 'anchors' names '{name}', which must be an IRI parameter of the query"
                           f" and a variable of the same name (?{name}) whose rows it keeps")
    if query.precomputed is not None and query.precomputed not in PRECOMPUTED:
        raise BadInput(f"{path}: 'precomputed' is '{query.precomputed}'; it takes {', '.join(PRECOMPUTED)}"
                       " (the unit its answer is kept by, or the whole answer)")
    if query.precomputed == "shares" and not (path.parent / SHARES_FOLDER / path.name).is_file():
        raise BadInput(f"{path}: 'precomputed: shares' adds the answer up from each plan's share: write the query giving"
                       f" it as {path.parent / SHARES_FOLDER / path.name}, or keep the answer another way")
    if query.precomputed is not None and any(p.required for p in query.params) and query.kept_by_value is None:
        raise BadInput(f"{path}: 'precomputed' keeps an answer for each value of one required parameter, an IRI of a"
                       f" known kind ({', '.join(KINDS)}); this query requires"
                       f" {', '.join(p.name for p in query.params if p.required)}: drop 'precomputed' or the other parameters")
    return query


def catalogue(folder: Path = QUERIES_DIR) -> dict[str, CannedQuery]:
    return {p.stem: load(p) for p in sorted(folder.glob("*.rq"))}


MAX_VALUE = 500  # characters in a parameter value: more than any key, IRI we mint or search text needs
CHECKS = {"integer": r"[+-]?[0-9]{1,18}", "decimal": r"[+-]?([0-9]{1,18}(\.[0-9]{0,18})?|\.[0-9]{1,18})",
          "boolean": r"true|false|1|0", "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}"}
ACCEPTS = {"integer": "whole number of at most 18 digits (ASCII 0-9)", "decimal": "decimal number such as 12.5",
           "boolean": "true or false", "date": "date as YYYY-MM-DD", "string": "text"}
SHORT_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9._-]+)*")


def accepts(param: Param) -> str:
    """What a parameter takes, in words, for error messages and the OpenAPI document."""
    if param.type == "iri":
        return f"{param.kind[2]}: its short key or its https: IRI" if param.kind else "an absolute http: or https: IRI"
    return "a " + ACCEPTS[param.type]


def term(param: Param, raw: str) -> ox.NamedNode | ox.Literal:
    """An RDF term for a parameter value, or BadInput naming the parameter and saying what it takes."""
    where = f"parameter '{param.name}'"
    if len(raw) > MAX_VALUE:
        raise BadInput(f"{where}: the value is {len(raw)} characters long; at most {MAX_VALUE} are accepted")
    if param.type == "iri":
        if param.kind and SHORT_KEY.fullmatch(raw):
            raw = ID + param.kind[0] + raw  # a short key
        try:
            return iris.check(raw, where)
        except BadInput as err:
            raise BadInput(f"{err}; it takes {accepts(param)}") from None
    if param.type == "string":
        return ox.Literal(raw.strip())
    if not re.fullmatch(CHECKS[param.type], raw, flags=re.ASCII):
        raise BadInput(f"{where}: {iris.short(raw)!r} is not valid; it takes {accepts(param)}")
    if param.type == "date":
        try:
            date.fromisoformat(raw)
        except ValueError:
            raise BadInput(f"{where}: {raw!r} is not a calendar date; it takes {accepts(param)}") from None
    return ox.Literal(raw, datatype=ox.NamedNode(TYPES[param.type]))


IS_A = "ASK { ?thing a ?class }"
MEMBERS = "SELECT DISTINCT ?thing ?class WHERE { ?thing a ?class FILTER(isIRI(?thing)) } ORDER BY ?thing"  # ?class is bound


def members(store, cls: str) -> list[str]:
    """Every IRI of the class in the store, sorted: the values a parameter of that kind can take."""
    rows = store.query(MEMBERS, substitutions={ox.Variable("class"): ox.NamedNode(cls)})
    return [row["thing"].value for row in rows]


def bind(query: CannedQuery, values: dict[str, str], ask) -> dict[str, ox.NamedNode | ox.Literal]:
    """Check and convert the given values (defaults filled in) into variable substitutions.

    `ask(sparql, substitutions)` runs an ASK query with its variables bound to terms and returns a
    bool: it checks that an IRI names a thing of the expected class. Keys of the result are variable
    names without the `?`.
    """
    known = {p.name for p in query.params}
    unknown = sorted(set(values) - known)
    if unknown:
        raise BadInput(f"parameter '{unknown[0]}' is not a parameter of query '{query.name}' (it takes: {', '.join(sorted(known)) or 'none'})")
    given = {**query.defaults, **{k: v for k, v in values.items() if v != ""}}
    substitutions = {}
    for param in query.params:
        if param.name not in given:
            if param.required:
                raise BadInput(f"parameter '{param.name}' is required by query '{query.name}'")
            continue
        value = term(param, given[param.name])
        if param.kind and not ask(IS_A, {"thing": value, "class": ox.NamedNode(param.kind[1])}):
            raise BadInput(f"parameter '{param.name}': {value.value} is not {param.kind[2]} in the data")
        substitutions[param.var] = value
    return substitutions

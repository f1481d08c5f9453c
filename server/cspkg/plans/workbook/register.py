"""What a workbook's names resolve against: the agency register and the other reference data.

Agencies are found by key, name or abbreviation (skos:prefLabel / skos:altLabel), ignoring case
and spacing; an unknown name is never invented: the caller reports it with the closest names.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from ...namespaces import ID
from ...sources import DEFAULT_DATA

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
LABELS = (SKOS + "prefLabel", SKOS + "altLabel", RDFS + "label", "http://purl.org/dc/terms/title")
AGENCY_PREFIXES = (ID + "agency/", ID + "partnership/")
LEGISLATION = "http://www.legislation.gov.uk/id/"


def norm(text: str) -> str:
    return " ".join(text.casefold().replace("&", "and").split())


@dataclass
class Register:
    labels: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # IRI prefix -> normalised label -> IRIs
    names: dict[str, str] = field(default_factory=dict)  # IRI -> preferred label
    known: set[str] = field(default_factory=set)  # every subject in the reference data
    notations: dict[str, dict[str, str]] = field(default_factory=dict)  # scheme IRI -> notation -> priority IRI

    def find(self, prefixes: tuple[str, ...], text: str) -> set[str]:
        """IRIs under the prefixes named by key, full IRI or label."""
        text = text.strip()
        for prefix in prefixes:
            for candidate in (text, prefix + text):
                if candidate.startswith(prefix) and candidate in self.known:
                    return {candidate}
        found = set()
        for prefix in prefixes:
            found |= self.labels.get(prefix, {}).get(norm(text), set())
        return found

    def closest(self, prefixes: tuple[str, ...], text: str, n: int = 3) -> list[str]:
        names = {self.names.get(i, i) for p in prefixes for iris in self.labels.get(p, {}).values() for i in iris}
        by_norm = {norm(name): name for name in names}
        return [by_norm[m] for m in difflib.get_close_matches(norm(text), list(by_norm), n=n, cutoff=0.5)]

    def name_of(self, iri: str, prefixes: tuple[str, ...]) -> str:
        """How an export writes a reference: its name if that finds it again, else its key."""
        name = self.names.get(iri)
        if name and ";" not in name and self.find(prefixes, name) == {iri}:
            return name
        for prefix in prefixes:
            if iri.startswith(prefix):
                return iri[len(prefix):]
        return iri


def _prefix_of(iri: str) -> str | None:
    if iri.startswith(ID):
        head = iri[len(ID):].split("/", 1)[0]
        return f"{ID}{head}/"
    return None


@lru_cache(maxsize=2)
def load(data_dir: Path = DEFAULT_DATA) -> Register:
    store = ox.Store()
    for path in sorted((data_dir / "reference").glob("*.ttl")):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    reg = Register()
    for quad in store:
        s = quad.subject
        if not isinstance(s, ox.NamedNode):
            continue
        reg.known.add(s.value)
        p, o = quad.predicate.value, quad.object
        if p in LABELS and isinstance(o, ox.Literal):
            prefix = _prefix_of(s.value)
            if prefix:
                reg.labels.setdefault(prefix, {}).setdefault(norm(o.value), set()).add(s.value)
            if p == LABELS[0] or (p == RDFS + "label" and s.value not in reg.names):
                reg.names[s.value] = o.value
    for quad in store.quads_for_pattern(None, ox.NamedNode(SKOS + "notation"), None):
        for scheme in store.quads_for_pattern(quad.subject, ox.NamedNode(SKOS + "inScheme"), None):
            reg.notations.setdefault(scheme.object.value, {})[quad.object.value] = quad.subject.value
    return reg


def closest_text(options: list[str]) -> str:
    return f" Closest known: {', '.join(repr(o) for o in options)}." if options else ""

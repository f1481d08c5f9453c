"""What a workbook's names resolve against: the agency register and the other reference data.

Agencies are found by key, name or abbreviation (skos:prefLabel / skos:altLabel), compared as
names.key compares them (case, punctuation, '&'/'and' and word order ignored); an unknown name is
never invented here: the caller reports it with the closest names, or the workbook declares it.
Each body has the police area of the partnerships that declare it (csp:policeForce, ...), its
units and posts the area of what they belong to, and what data/reference/areas/<area>.ttl holds
that area: a name given by another area's alternative name never resolves silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from ...namespaces import ID
from ...sources import DEFAULT_DATA
from . import names

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
LABELS = (SKOS + "prefLabel", SKOS + "altLabel", RDFS + "label", "http://purl.org/dc/terms/title")
AGENCY_PREFIXES = (ID + "agency/", ID + "partnership/")
LEGISLATION = "http://www.legislation.gov.uk/id/"


CSP = "https://w3id.org/cspkg/def/"
ORG = "http://www.w3.org/ns/org#"
AREA_FOLDER = "areas"  # data/reference/areas/<area>.ttl: what plan workbooks declared, one file per police area
ROLE_PROPERTIES = {CSP + "policeForce": "police", CSP + "fireService": "fire", CSP + "countyCouncil": "county",
                   CSP + "policingBody": "pcc", CSP + "localCouncil": "council"}
BELONGS = (ORG + "unitOf", ORG + "postIn", ORG + "subOrganizationOf")


def norm(text: str) -> str:
    return names.key(text)


def reference_files(data_dir: Path) -> list[Path]:
    """The reference data's Turtle files: data/reference/*.ttl, then the area files under areas/."""
    folder = data_dir / "reference"
    return sorted(folder.glob("*.ttl")) + sorted((folder / AREA_FOLDER).glob("*.ttl"))


@dataclass
class Register:
    labels: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # IRI prefix -> normalised label -> IRIs
    names: dict[str, str] = field(default_factory=dict)  # IRI -> preferred label
    known: set[str] = field(default_factory=set)  # every subject in the reference data
    notations: dict[str, dict[str, str]] = field(default_factory=dict)  # plan IRI -> notation -> priority IRI
    loose: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # IRI prefix -> names.loose key -> IRIs
    preferred: dict[str, set[str]] = field(default_factory=dict)  # IRI -> keys of its skos:prefLabel
    area: dict[str, str] = field(default_factory=dict)  # IRI -> the police area key it belongs to
    roles: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # partnership IRI -> role -> IRIs
    area_names: dict[str, str] = field(default_factory=dict)  # area key -> area name as written
    jurisdictions: dict[str, set[str]] = field(default_factory=dict)  # IRI -> the jurisdictions it is in (csp:inJurisdiction)

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

    def closest(self, prefixes: tuple[str, ...], text: str, n: int = 3, area: str | None = None) -> list[str]:
        """The names nearest to text (names.similar), those of the given area (and of no area) first."""
        iris = {i for p in prefixes for found in self.labels.get(p, {}).values() for i in found}
        iris |= {i for p in prefixes for found in self.loose.get(p, {}).get(names.loose(text), set()) for i in found}
        scored = []
        for iri in iris:
            name = self.names.get(iri, iri)
            score = max([names.similar(text, name)] + [1.0 for p in prefixes if iri in self.loose.get(p, {}).get(names.loose(text), set())])
            if score >= names.NEAR:
                other = area is not None and self.area.get(iri) not in (None, area)
                scored.append((other, -score, name))
        seen, out = set(), []
        for _, _, name in sorted(scored):
            if name not in seen:
                seen.add(name)
                out.append(name)
        return out[:n]

    def police_area(self, name: str) -> str | None:
        """The police area (data/reference/police-areas.ttl) a name or alternative name gives, if exactly one."""
        found = self.find((ID + "police-area/",), name)
        return next(iter(found)) if len(found) == 1 else None

    def area_of(self, iri: str) -> str | None:
        return self.area.get(iri)

    def by_preferred_name(self, iri: str, text: str) -> bool:
        return names.key(text) in self.preferred.get(iri, set())

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


def load(data_dir: Path = DEFAULT_DATA) -> Register:
    """The register of the data folder's reference files as they are now (cached while no file changes:
    an import or upload that writes an area file is seen by the next one)."""
    files = reference_files(data_dir)
    return _load(data_dir, tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files))


@lru_cache(maxsize=4)
def _load(data_dir: Path, signature: tuple) -> Register:
    store = ox.Store()
    areas_dir = data_dir / "reference" / AREA_FOLDER
    for path in reference_files(data_dir):
        graph = ox.NamedNode(f"{ID}area-file/{path.stem}") if path.parent == areas_dir else ox.DefaultGraph()
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)
    reg = Register()
    # The build's own software (the due-date parser) is an agent of the data, not a body a plan can name.
    software = {q.subject.value for q in store.quads_for_pattern(
        None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode("http://www.w3.org/ns/prov#SoftwareAgent"))}
    for quad in store:
        s = quad.subject
        if not isinstance(s, ox.NamedNode):
            continue
        reg.known.add(s.value)
        if s.value in software:
            continue
        p, o = quad.predicate.value, quad.object
        if p in LABELS and isinstance(o, ox.Literal):
            prefix = _prefix_of(s.value)
            if prefix:
                reg.labels.setdefault(prefix, {}).setdefault(norm(o.value), set()).add(s.value)
                reg.loose.setdefault(prefix, {}).setdefault(names.loose(o.value), set()).add(s.value)
            if p == LABELS[0] or (p == RDFS + "label" and s.value not in reg.names):
                reg.names[s.value] = o.value
            if p == LABELS[0]:
                reg.preferred.setdefault(s.value, set()).add(norm(o.value))
        if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value.startswith(f"{ID}area-file/"):
            reg.area.setdefault(s.value, quad.graph_name.value.rsplit("/", 1)[1])
    for quad in store.quads_for_pattern(None, ox.NamedNode(CSP + "inJurisdiction"), None):
        reg.jurisdictions.setdefault(quad.subject.value, set()).add(quad.object.value)
    for quad in store.quads_for_pattern(None, ox.NamedNode(CSP + "policeArea"), None):
        key = names.slug(quad.object.value)
        reg.area_names.setdefault(key, quad.object.value)
        reg.area[quad.subject.value] = key
        for role_quad in store.quads_for_pattern(quad.subject, None, None):
            role = ROLE_PROPERTIES.get(role_quad.predicate.value)
            if role and isinstance(role_quad.object, ox.NamedNode):
                reg.roles.setdefault(quad.subject.value, {}).setdefault(role, set()).add(role_quad.object.value)
                reg.area.setdefault(role_quad.object.value, key)
    belongs = [(q.subject.value, q.object.value) for p in BELONGS for q in store.quads_for_pattern(None, ox.NamedNode(p), None)
               if isinstance(q.object, ox.NamedNode)]
    for _ in range(5):  # units of units: a few levels are all a register holds
        for child, parent in belongs:
            if parent in reg.area:
                reg.area.setdefault(child, reg.area[parent])
    # A plan's priorities are in its priority scheme: numbers are kept by the plan that sets them.
    plan_of = {q.object.value: q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(CSP + "priorityScheme"), None)}
    for quad in store.quads_for_pattern(None, ox.NamedNode(SKOS + "notation"), None):
        for scheme in store.quads_for_pattern(quad.subject, ox.NamedNode(SKOS + "inScheme"), None):
            owner = plan_of.get(scheme.object.value, scheme.object.value)
            reg.notations.setdefault(owner, {})[quad.object.value] = quad.subject.value
    return reg


def closest_text(options: list[str]) -> str:
    return f" Closest known: {', '.join(repr(o) for o in options)}." if options else ""

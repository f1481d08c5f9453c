"""A synthetic national corpus for the pages' tests: `cspkg synth` partnerships, each in a police area.

Where the synthesised register says no police area for a partnership, one is given here, in turn
over the 43 police areas of data/reference/police-areas.ttl, and where it says no county, the county
of the same name as the partnership's police area where there is one, in a reference file of its
own; what the register says is kept.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from cspkg.synth.generate import synthesise

CSP = "https://w3id.org/cspkg/def/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def labels(path: Path, kind: str) -> dict[str, str]:
    """IRI -> prefLabel of each thing of a class in a reference file, in the file's order."""
    triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    typed = [t.subject.value for t in triples if t.predicate.value == RDF_TYPE and t.object.value == CSP + kind]
    names = {t.subject.value: t.object.value for t in triples if t.predicate.value == SKOS + "prefLabel"}
    return {iri: names[iri] for iri in typed}


def national(data: Path, partnerships: int, seed: int = 1) -> Path:
    """Writes a synthetic corpus of `partnerships` partnerships x 1 year into `data`; returns `data`."""
    synthesise(data, partnerships=partnerships, years=1, seed=seed)
    reference = data / "reference"
    areas = list(labels(reference / "police-areas.ttl", "PoliceArea").values())
    counties = {label: iri for iri, label in labels(reference / "counties.ttl", "County").items()}
    area_of: dict[str, str] = {}
    with_county: set[str] = set()
    found: list[str] = []
    for path in sorted(reference.glob("*.ttl")):
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if t.predicate.value == CSP + "policeArea":
                area_of[t.subject.value] = t.object.value
            if t.predicate.value == CSP + "inCounty":
                with_county.add(t.subject.value)
            if t.predicate.value == RDF_TYPE and t.object.value == CSP + "CommunitySafetyPartnership":
                found.append(t.subject.value)
    lines = ["# Test data: a police area for each synthetic partnership the register leaves without one, and the\n"
             "# county of the same name as its police area where there is one and the register gives none.\n"]
    for n, iri in enumerate(sorted(set(found) - set(area_of))):
        area_of[iri] = areas[n % len(areas)]
        lines.append(f'<{iri}> <{CSP}policeArea> "{area_of[iri]}" .\n')
    for iri in sorted(set(found) - with_county):
        area = area_of[iri]
        if area in counties:
            lines.append(f'<{iri}> <{CSP}inCounty> <{counties[area]}> .\n')
    (reference / "test-areas.ttl").write_text("".join(lines), encoding="utf-8")
    return data

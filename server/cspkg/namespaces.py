"""The project's persistent namespaces and the graph each source file loads into."""

from __future__ import annotations

from pathlib import Path

from rdflib import Namespace

BASE = "https://w3id.org/cspkg/"
CSP = Namespace(BASE + "def/")
SHAPES = Namespace(BASE + "def/shapes/")
ID = BASE + "id/"
GRAPH = BASE + "graph/"

ONTOLOGY_GRAPH = GRAPH + "ontology"
SHAPES_GRAPH = GRAPH + "shapes"
REFERENCE_INFERRED_GRAPH = GRAPH + "inferred/reference"

PREFIXES = {
    "csp": str(CSP),
    "cspsh": str(SHAPES),
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "p-plan": "http://purl.org/net/p-plan#",
    "dct": "http://purl.org/dc/terms/",
    "time": "http://www.w3.org/2006/time#",
    "schema": "http://schema.org/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
}


def sparql_prefixes() -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def plan_graph(key: str) -> str:
    return f"{GRAPH}plan/{key}"


def editorial_graph(key: str) -> str:
    return f"{GRAPH}editorial/{key}"


def parsed_graph(key: str) -> str:
    """Values the build parsed from a plan's words (due dates), apart from what the plan says."""
    return f"{GRAPH}parsed/{key}"


def return_graph(key: str, period: str) -> str:
    """One progress return: plan `key`, reporting period `period` (2023-24-q2)."""
    return f"{GRAPH}return/{key}/{period}"


def return_iri(key: str, period: str) -> str:
    return f"{ID}return/{key}/{period}"


ROLLUP = "https://w3id.org/cspkg/def/rollup/"  # the roll-ups' own terms (ontology/rollups.ttl)


def rollup_graph(key: str) -> str:
    """A plan's share of the national answers, computed by the build (pipeline/rollups.py)."""
    return f"{GRAPH}rollup/{key}"


def inferred_graph(key: str) -> str:
    return f"{GRAPH}inferred/{key}"


def validation_graph(key: str) -> str:
    """The SHACL results about one scope ("reference" or a plan key), kept by the build."""
    return f"{GRAPH}validation/{key}"


def reference_graph(name: str) -> str:
    return f"{GRAPH}reference/{name}"


def plan_iri(key: str) -> str:
    return f"{ID}plan/{key}"


def graph_for(path: Path, kind: str) -> str:
    """The named graph a source file loads into: derived from its place, never from its content."""
    stem = path.stem
    return {
        "ontology": lambda: ONTOLOGY_GRAPH,
        "reference": lambda: reference_graph(f"areas/{stem}" if path.parent.name == "areas" else stem),
        "plan": lambda: plan_graph(stem),
        "editorial": lambda: editorial_graph(stem),
        "return": lambda: return_graph(path.parent.name, stem),  # data/returns/<plan>/<period>.ttl
    }[kind]()

"""Turning terms into what a reader sees: labels instead of IRIs, links that stay on this server
for our own IRIs and go to their home for others (legislation.gov.uk), plain text for literals.

`href` is the one gate every link target in a page passes (the templates' `href` filter): only a
path on this server or an http(s) IRI becomes a link; any other scheme (javascript:, data:, ...)
is shown as text."""

from __future__ import annotations

import re

from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urlsplit

import pyoxigraph as ox

from ..namespaces import BASE, PREFIXES
from .documents import Description

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# Reused-vocabulary terms the ontology does not label: how a reader should see them.
KNOWN = {
    RDF_TYPE: "type",
    "http://www.w3.org/2004/02/skos/core#prefLabel": "name",
    "http://www.w3.org/2004/02/skos/core#altLabel": "also called",
    "http://www.w3.org/2004/02/skos/core#notation": "number",
    "http://www.w3.org/2004/02/skos/core#definition": "definition",
    "http://www.w3.org/2004/02/skos/core#note": "note",
    "http://www.w3.org/2004/02/skos/core#editorialNote": "editorial note",
    "http://www.w3.org/2004/02/skos/core#inScheme": "in scheme",
    "http://www.w3.org/2004/02/skos/core#broader": "broader",
    "http://www.w3.org/2004/02/skos/core#narrower": "narrower",
    "http://www.w3.org/2004/02/skos/core#related": "related",
    "http://www.w3.org/2004/02/skos/core#topConceptOf": "top concept of",
    "http://www.w3.org/2000/01/rdf-schema#label": "label",
    "http://www.w3.org/2000/01/rdf-schema#subClassOf": "subclass of",
    "http://www.w3.org/2000/01/rdf-schema#subPropertyOf": "subproperty of",
    "http://www.w3.org/2000/01/rdf-schema#isDefinedBy": "defined by",
    "http://purl.org/dc/terms/title": "title",
    "http://purl.org/dc/terms/description": "description",
    "http://purl.org/dc/terms/publisher": "publisher",
    "http://purl.org/dc/terms/creator": "creator",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "source document",
    "http://www.w3.org/ns/org#unitOf": "unit of",
    "http://www.w3.org/ns/org#hasUnit": "has unit",
    "http://www.w3.org/ns/org#postIn": "post in",
    "http://data.europa.eu/eli/ontology#is_part_of": "part of",
    "http://data.europa.eu/eli/ontology#has_part": "has part",
}


@dataclass(frozen=True)
class Value:
    text: str
    href: str | None = None
    note: str | None = None  # language, or datatype in words


LINK_SCHEMES = ("http", "https")
# whitespace (as str.isspace), C0 and C1 control characters, and a backslash; one character class
# because a page of 2,000 plans checks some 5,000 links
REFUSED_IN_LINK = re.compile(r"[\s\x00-\x1f\x7f-\x9f\\]")


def href(target: str | None) -> str | None:
    """`target` if a browser may follow it as a link, else None: an absolute http(s) IRI with a
    host, or a path, query or fragment on this server. Whitespace and control characters are refused
    outright (a browser drops a tab or newline inside "javascript:")."""
    if not target or REFUSED_IN_LINK.search(target):
        return None
    if target.startswith(("/", "?", "#")):
        return None if target.startswith("//") else target  # '//host' would leave this server
    try:
        parts = urlsplit(target)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    return target if parts.scheme.lower() in LINK_SCHEMES and parts.netloc else None


def local_path(iri: str) -> str | None:
    """Our IRIs are served by this server under the same path as in the namespace."""
    return "/" + iri[len(BASE):] if iri.startswith(BASE) else None


def compact(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    if iri.startswith(BASE):
        return iri[len(BASE):]
    return iri


def term_value(term, labels: dict[str, str]) -> Value:
    if isinstance(term, ox.NamedNode):
        iri = term.value
        text = labels.get(iri) or KNOWN.get(iri) or compact(iri)
        return Value(text, href(local_path(iri) or iri))
    if isinstance(term, ox.BlankNode):
        return Value("(a list or structure)")
    note = term.language or (None if term.datatype.value.endswith("#string") else compact(term.datatype.value))
    return Value(term.value, None, note)


def property_rows(quads: list[ox.Quad], labels: dict[str, str]) -> list[tuple[Value, list[Value]]]:
    """Statements grouped by property, the type first, then by property label."""
    grouped: OrderedDict[str, list[Value]] = OrderedDict()
    for quad in quads:
        if not isinstance(quad.subject, ox.NamedNode):
            continue
        values = grouped.setdefault(quad.predicate.value, [])
        value = term_value(quad.object, labels)
        if value not in values:
            values.append(value)
    keys = sorted(grouped, key=lambda p: (p != RDF_TYPE, term_value(ox.NamedNode(p), labels).text.lower()))
    return [(term_value(ox.NamedNode(p), labels), sorted(grouped[p], key=lambda v: v.text.lower())) for p in keys]


def incoming_rows(description: Description) -> list[tuple[Value, Value]]:
    rows = {(term_value(q.subject, description.labels), term_value(q.predicate, description.labels)) for q in description.incoming}
    return sorted(rows, key=lambda r: (r[1].text.lower(), r[0].text.lower()))


def title(description: Description) -> str:
    return description.labels.get(description.iri) or compact(description.iri)

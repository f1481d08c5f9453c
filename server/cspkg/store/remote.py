"""The remote backend: the store verbs over any SPARQL 1.1 store, by HTTP.

Queries go to the store's query endpoint with SPARQLWrapper; answers come back as SPARQL JSON
results or N-Triples and are parsed into the same objects the embedded store gives, so the code
above cannot tell the two apart. The store must treat its default graph as the union of its named
graphs (docs/other-stores.md); cspkg checks this and says so when it does not.
"""

from __future__ import annotations

import ast
import math
import re
import socket
import warnings
from typing import Iterable
from urllib.error import HTTPError, URLError
from urllib.parse import unquote, urlsplit, urlunsplit

import pyoxigraph as ox

from ..answers import sparqltext
from ..errors import BadInput, CspkgError, QueryTimeout, StoreUnavailable
from .interface import BUILD_GRAPH, DATASET, LABELS, ROLLUPS, VERSION, pick_label

DEFAULT_TIMEOUT = 120.0  # seconds, for the command line and builds; the server uses CSPKG_QUERY_TIMEOUT
RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"
ANY = "<urn:cspkg:no-such-property>"


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """An endpoint URL may carry `user:password@`: take it out, to answer the store's request for them."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=host)), (unquote(parts.username), unquote(parts.password or ""))


def _response_text(err: Exception) -> str:
    """The store's own message, which SPARQLWrapper keeps only inside its exception text."""
    match = re.search(r"Response:\n(b['\"].*)\Z", str(err), re.S)
    if not match:
        return str(err)
    try:
        return ast.literal_eval(match.group(1)).decode("utf-8", "replace").strip()
    except (ValueError, SyntaxError):
        return match.group(1)


class RemoteStore:
    """A SPARQL 1.1 store reached over HTTP, with the same verbs as the embedded one."""

    def __init__(self, settings, timeout: float | None = DEFAULT_TIMEOUT):
        self.query_url, self.auth = split_credentials(settings.sparql_query)
        self.update_url, update_auth = split_credentials(settings.sparql_update) if settings.sparql_update else ("", None)
        self.gsp_url, gsp_auth = split_credentials(settings.sparql_gsp) if settings.sparql_gsp else ("", None)
        self.write_auth = update_auth or gsp_auth or self.auth  # writing often needs credentials that reading does not
        self.settings, self.timeout = settings, timeout

    # ---- reading ------------------------------------------------------------------------

    def fetch(self, sparql: str, accept: str, default_graphs=None, named_graphs=None) -> tuple[bytes, str]:
        """The store's answer to a query (bytes and media type), or an error that says what went wrong."""
        from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import (
            QueryBadFormed,
            SPARQLWrapperException,
        )

        client = SPARQLWrapper(self.query_url, returnFormat=JSON if accept == RESULTS_ACCEPT else TURTLE)
        client.setOnlyConneg(True)  # no format=/output= parameters: plain content negotiation
        client.setMethod(POST)  # bound values and long queries fit in a body, not a URL
        if self.timeout:
            client.setTimeout(math.ceil(self.timeout))
        if self.auth:
            client.setCredentials(*self.auth)
        client.addCustomHttpHeader("Accept", accept)
        for graph in default_graphs or []:
            client.addDefaultGraph(graph)
        for graph in named_graphs or []:
            client.addNamedGraph(graph)
        try:
            with warnings.catch_warnings():  # it warns when it cannot guess the query's form; the store decides
                warnings.simplefilter("ignore")
                client.setQuery(sparql)
                # Its own guess reads words like ADD in comments as updates; ours skips comments and strings.
                client.queryType = sparqltext.form(sparql) or "SELECT"
                response = client.query().response
            return response.read(), response.headers.get_content_type()
        except QueryBadFormed as err:
            raise BadInput(f"SPARQL syntax error: {_response_text(err)}") from None
        except SPARQLWrapperException as err:
            raise StoreUnavailable(f"{self.query_url}: the store answered {type(err).__name__}: {_response_text(err)[:500]}") from None
        except HTTPError as err:
            raise StoreUnavailable(f"{self.query_url}: the store answered HTTP {err.code}: {err.read()[:500].decode('utf-8', 'replace')}") from None
        except (TimeoutError, socket.timeout):
            raise self._timeout() from None
        except URLError as err:
            if isinstance(err.reason, (TimeoutError, socket.timeout)):
                raise self._timeout() from None
            raise StoreUnavailable(f"{self.query_url}: cannot reach the SPARQL store ({err.reason})") from None

    def _timeout(self) -> CspkgError:
        return QueryTimeout(f"the store at {self.query_url} did not answer within {self.timeout:g} s")

    def query(self, sparql: str, *, union: bool = True, substitutions: dict | None = None,
              default_graphs: list[str] | None = None, named_graphs: list[str] | None = None, base: str | None = None):
        """As the embedded store's query. `union` is the store's to decide (see the module's note)."""
        if substitutions:
            try:
                sparql = sparqltext.with_values(sparql, {getattr(k, "value", k): str(v) for k, v in substitutions.items()})
            except ValueError as err:
                raise BadInput(str(err)) from None
        if base:
            try:  # written by the RDF library, which refuses anything but an IRI
                sparql = f"BASE {ox.NamedNode(base)}\n{sparql}"
            except ValueError as err:
                raise BadInput(f"the base IRI {base!r} is not an IRI: {err}") from None
        form = sparqltext.form(sparql)
        graph = form in ("CONSTRUCT", "DESCRIBE")
        body, media = self.fetch(sparql, GRAPH_ACCEPT if graph else RESULTS_ACCEPT, default_graphs, named_graphs)
        try:
            if graph:  # Turtle also reads N-Triples, which some stores label text/plain
                return [q.triple for q in ox.parse(body, format=ox.RdfFormat.from_media_type(media) or ox.RdfFormat.TURTLE)]
            results = ox.QueryResultsFormat.from_media_type(media)
            if results is None:
                raise ValueError("not a SPARQL results format")
            return ox.parse_query_results(body, format=results)
        except (SyntaxError, ValueError) as err:
            raise CspkgError(f"{self.query_url}: the store's answer ({media}) cannot be read: {err}") from None

    def rows(self, sparql: str) -> list:
        return list(self.query(sparql))

    def graphs(self) -> list[str]:
        return sorted(r["g"].value for r in self.rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))

    def count(self, graph: str | None = None) -> int:
        where = f"GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        return int(self.rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0]["n"].value)

    def triples(self, graph: str) -> list[ox.Triple]:
        return self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}")

    def quads(self) -> list[ox.Quad]:
        rows = self.rows("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]

    def dump(self, format: ox.RdfFormat, graph: str | None = None) -> bytes:
        """A graph, or every named graph (the store's own default graph is not part of a cspkg build)."""
        return ox.serialize(self.triples(graph) if graph else self.quads(), format=format)

    def describe(self, iri: str, cap: int) -> tuple[list[ox.Quad], list[ox.Quad], int]:
        """As the embedded store's. Blank-node labels hold only within one answer, so the blank
        nodes are fetched in the same query as the statements that lead to them. The IRI (it may
        come from a request) is written into the query by the RDF library, which refuses a malformed one."""
        node = ox.NamedNode(iri)
        own = [ox.Quad(node, r["p"], r["o"], r["g"])
               for r in self.rows(f"SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ {node} ?p ?o }} }}")]
        if any(isinstance(q.object, ox.BlankNode) for q in own):
            own = self._closure(iri)
        # the roll-ups' rows left out, as the embedded store leaves them out
        rows = self.rows(f"""SELECT ?s ?p ?g ?n WHERE {{
            {{ SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p {node} }} FILTER(!STRSTARTS(STR(?g), "{ROLLUPS}")) }} }}
            UNION {{ SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p {node} }} FILTER(!STRSTARTS(STR(?g), "{ROLLUPS}")) }} LIMIT {int(cap)} }} }}""")
        total = next(int(r["n"].value) for r in rows if r["n"] is not None)
        incoming = [ox.Quad(r["s"], r["p"], node, r["g"]) for r in rows if r["s"] is not None]
        return own, incoming, total

    def _closure(self, iri: str) -> list[ox.Quad]:
        # Every blank node reachable from the IRI in its graph, with their statements; then only
        # those reached through blank nodes alone are kept, as the embedded store keeps them.
        node = ox.NamedNode(iri)
        rows = self.rows(f"""SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{
            {{ {node} ?p ?o BIND({node} AS ?s) }}
            UNION {{ {node} (!{ANY})+ ?s FILTER(isBlank(?s)) ?s ?p ?o }} }} }}""")
        by_subject: dict = {}
        for r in rows:
            by_subject.setdefault(r["s"], []).append(ox.Quad(r["s"], r["p"], r["o"], r["g"]))
        own, queue, seen = [], [node], set()
        while queue:
            node = queue.pop()
            if node in seen:
                continue
            seen.add(node)
            quads = list(dict.fromkeys(by_subject.get(node, [])))
            own += quads
            queue += [q.object for q in quads if isinstance(q.object, ox.BlankNode)]
        return own

    def labels(self, iris: set[ox.NamedNode]) -> dict[str, str]:
        if not iris:
            return {}
        values = " ".join(str(i) for i in iris)
        props = " ".join(str(p) for p in LABELS)
        rows = self.rows(f"SELECT ?s ?p ?l WHERE {{ VALUES ?s {{ {values} }} VALUES ?p {{ {props} }} ?s ?p ?l FILTER(isLiteral(?l)) }}")
        found: dict = {}
        for r in rows:
            found.setdefault(r["s"].value, {}).setdefault(r["p"], []).append(r["l"])
        out = {}
        for iri, by_prop in found.items():
            prop = next(p for p in LABELS if p in by_prop)
            out[iri] = pick_label(by_prop[prop])
        return out

    def build_id(self) -> str:
        """The id the last build wrote into the store; it also proves the default graph is the union."""
        # The same statement read without GRAPH is there only if the default graph is the union.
        rows = self.rows(f"SELECT ?v ?union WHERE {{ GRAPH <{BUILD_GRAPH}> {{ <{DATASET}> <{VERSION}> ?v }} "
                         f"OPTIONAL {{ <{DATASET}> <{VERSION}> ?union }} }}")
        if not rows:
            raise StoreUnavailable(f"{self.query_url}: no cspkg build in this store; run `cspkg build` with CSPKG_BACKEND=remote")
        if all(r["union"] is None for r in rows):
            raise StoreUnavailable(union_advice(self.query_url))
        return rows[0]["v"].value

    # ---- writing (remote_load.py) -------------------------------------------------------

    def update(self, sparql: str) -> None:
        from .remote_write import post_update

        post_update(self, sparql.encode("utf-8"))

    def load(self, triples: Iterable[ox.Triple], graph: str) -> None:
        from .remote_write import add_graph

        add_graph(self, list(triples), graph)


def union_advice(url: str) -> str:
    return (f"{url}: the store's default graph is not the union of its named graphs, and cspkg's queries need it to be; "
            "for Oxigraph start it with --union-default-graph, for Fuseki set tdb2:unionDefaultGraph true "
            "(see docs/other-stores.md)")

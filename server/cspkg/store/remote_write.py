"""Writing to a remote SPARQL 1.1 store over HTTP: SPARQL Update and the Graph Store Protocol,
with the store's credentials (Basic or Digest)."""

from __future__ import annotations

from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import (
    HTTPBasicAuthHandler,
    HTTPDigestAuthHandler,
    HTTPPasswordMgrWithDefaultRealm,
    Request,
    build_opener,
)

import pyoxigraph as ox

from ..errors import BadInput, StoreUnavailable

NTRIPLES = "application/n-triples"


def _opener(store):
    """Answers the store's challenge for credentials, Basic or Digest (Virtuoso's /sparql-auth asks for Digest)."""
    if not store.write_auth:
        return build_opener()
    passwords = HTTPPasswordMgrWithDefaultRealm()
    for url in (store.update_url, store.gsp_url):
        if url:
            passwords.add_password(None, url, *store.write_auth)
    return build_opener(HTTPBasicAuthHandler(passwords), HTTPDigestAuthHandler(passwords))


def _send(store, url: str, method: str, body: bytes, content_type: str) -> None:
    request = Request(url, data=body, method=method, headers={"Content-Type": content_type})
    try:
        with _opener(store).open(request, timeout=store.timeout) as response:
            response.read()
    except HTTPError as err:
        message = err.read()[:1000].decode("utf-8", "replace").strip()
        if err.code == 400:
            raise BadInput(f"{url}: the store refused the request: {message}") from None
        if err.code in (401, 403):
            raise StoreUnavailable(f"{url}: the store refused access (HTTP {err.code}); give its credentials in the "
                                   "endpoint URL, as http://user:password@host/...") from None
        raise StoreUnavailable(f"{url}: the store answered HTTP {err.code}: {message}") from None
    except URLError as err:
        raise StoreUnavailable(f"{url}: cannot reach the SPARQL store ({err.reason})") from None
    except TimeoutError:
        raise StoreUnavailable(f"{url}: no answer within {store.timeout:g} s") from None


def post_update(store, update: bytes) -> None:
    if not store.update_url:
        raise BadInput("CSPKG_SPARQL_UPDATE is not set: give the store's SPARQL Update endpoint")
    _send(store, store.update_url, "POST", update, "application/sparql-update; charset=utf-8")


def _ntriples(triples) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def _gsp(store, graph: str) -> str:
    return f"{store.gsp_url}{'&' if '?' in store.gsp_url else '?'}{urlencode({'graph': graph})}"


def add_graph(store, triples: list[ox.Triple], graph: str) -> None:
    """Add triples to a graph (as the embedded store's load does)."""
    if store.gsp_url:
        _send(store, _gsp(store, graph), "POST", _ntriples(triples), NTRIPLES)
    else:
        post_update(store, b"INSERT DATA { GRAPH <" + graph.encode() + b"> {\n" + _ntriples(triples) + b"} }")

"""IRIs given by a user (a request parameter, a path): checked to be absolute, well formed and of
an allowed scheme, and returned as an RDF term to bind, never as text to paste into a query."""

from __future__ import annotations

from urllib.parse import urlsplit

import pyoxigraph as ox

from .errors import BadInput

WEB = ("http", "https")
GRAPHS = ("http", "https", "urn")  # graph names may be URNs as well as web addresses
MAX_IRI = 2000  # longer than any IRI this project mints or links to, and far under gunicorn's request line limit


def check(raw: str, where: str, schemes: tuple[str, ...] = WEB) -> ox.NamedNode:
    """The IRI as a term, or BadInput saying which parameter (`where`) was wrong and what it accepts.

    The RDF library decides what an IRI is (RFC 3987, absolute); the scheme is read from the
    parsed value, so `JavaScript:` and `file:` are refused whatever their spelling."""
    accepted = f"an absolute {' or '.join(s + ':' for s in schemes)} IRI"
    if len(raw) > MAX_IRI:
        raise BadInput(f"{where}: the IRI is {len(raw)} characters long; give {accepted} of at most {MAX_IRI} characters")
    try:
        node = ox.NamedNode(raw)
        scheme = urlsplit(node.value).scheme.lower()
    except ValueError as err:
        raise BadInput(f"{where}: {short(raw)!r} is not an IRI ({err}); give {accepted}") from None
    if scheme not in schemes:
        raise BadInput(f"{where}: {short(raw)!r} has the scheme '{scheme}'; give {accepted}")
    return node


def short(text: str, limit: int = 80) -> str:
    """A value as quoted back in an error message: cut, so a huge value does not make a huge answer."""
    return text if len(text) <= limit else text[:limit] + "…"

"""What SPARQL text is, read from its tokens (sparqllex): which form a query has, whether it is an
update, whether it asks for a remote SERVICE or names its own dataset; and the same query with
VALUES blocks added, for a store that cannot be handed bindings, or with terms written where
variables stood (how canned queries take their parameters, as grlc does). The engine's own parser still
decides whether the text is valid SPARQL; text the tokenizer cannot read raises SparqlTextError."""

from __future__ import annotations

from typing import NamedTuple

import pyoxigraph as ox

from .sparqllex import PUNCT, VAR, WORD, SparqlTextError, Tokens, tokenize

__all__ = ["FORMS", "UPDATES", "Reading", "SparqlTextError", "read", "keywords", "form", "uses_service",
           "has_dataset", "is_update", "variables", "with_values", "substitute"]

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
# Keywords that occur only in SPARQL Update, never in a query.
UPDATES = frozenset({"LOAD", "INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING"})


class Reading(NamedTuple):
    tokens: Tokens
    keywords: list[str]  # every keyword, upper case, in order
    form: str | None  # the first query form at the top level
    update: bool  # an update keyword occurs (or, with no form, the text can only be an update)
    service: bool  # SERVICE occurs as a keyword
    dataset: bool  # FROM or FROM NAMED occurs
    depth: int  # the deepest bracket nesting


def read(text: str) -> Reading:
    tokens = tokenize(text)
    words = [t.value for t in tokens.tokens if t.kind == WORD]
    top = next((t.value for t in tokens.tokens if t.kind == WORD and t.depth == 0 and t.value in FORMS), None)
    update = bool(UPDATES.intersection(words))
    return Reading(tokens, words, top, update or top is None, "SERVICE" in words, "FROM" in words, tokens.depth)


def keywords(text: str) -> list[str]:
    return read(text).keywords


def form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query-form keyword at the top level, or None."""
    return read(text).form


def uses_service(text: str) -> bool:
    return read(text).service


def has_dataset(text: str) -> bool:
    """True when the query names its own dataset with FROM or FROM NAMED."""
    return read(text).dataset


def is_update(text: str) -> bool:
    return read(text).update


def variables(text: str, sigil: str = "?$") -> list[str]:
    """The names of the variables the text mentions, first mention first, each once; only those
    written with a sigil in `sigil`."""
    tokens = tokenize(text)
    seen: dict[str, None] = {}
    for t in tokens.tokens:
        if t.kind == VAR and tokens.text[t.start] in sigil:
            seen.setdefault(t.value, None)
    return list(seen)


def _where_brace(tokens: list, start: int, depth: int) -> int | None:
    """The index of the `{` that opens the WHERE clause after token `start` (WHERE itself is optional)."""
    for i in range(start, len(tokens)):
        t = tokens[i]
        if t.depth == depth and t.kind == PUNCT and t.value == "{":
            return i
        if t.depth < depth:
            return None
    return None


def _value_sites(text: str, names: list[str]) -> dict[int, list[str]]:
    """Where VALUES blocks for these variables go: the token index of each opening brace (the
    query's WHERE clause, and each subquery's that projects one of them), with the names for it."""
    reading = read(text)
    toks, pairs = reading.tokens.tokens, reading.tokens.pairs
    top = None
    for i, t in enumerate(toks):
        if t.depth == 0 and t.kind == WORD and t.value == "WHERE":
            top = _where_brace(toks, i + 1, 0)
            break
        if t.depth == 0 and t.kind == PUNCT and t.value == "{":
            top = i
            if reading.form == "CONSTRUCT":  # CONSTRUCT {template} {pattern}: skip the template
                top = _where_brace(toks, pairs[i] + 1, 0)
            break
    if top is None:
        raise ValueError("the query has no WHERE clause to bind its parameters in")
    inserts = {top: list(names)}
    for i, t in enumerate(toks):
        if not (t.kind == WORD and t.value == "SELECT" and t.depth > 0):
            continue
        brace = _where_brace(toks, i + 1, t.depth)
        if brace is None:
            continue
        projection, body = toks[i + 1:brace], toks[brace + 1:pairs[brace]]
        named = {p.value for p in projection if p.kind == VAR}
        star = any(p.kind == PUNCT and p.value == "*" and p.depth == t.depth for p in projection)
        if star:
            named |= {b.value for b in body if b.kind == VAR}
        inner = [n for n in names if n in named]
        if inner:
            inserts[brace] = inner
    return {reading.tokens.original(toks[brace].end): chosen for brace, chosen in inserts.items()}


def _insert(text: str, sites: dict[int, list[str]], block) -> str:
    for at in sorted(sites, reverse=True):
        text = text[:at] + block(sites[at]) + text[at:]
    return text


def with_values(text: str, bindings: dict[str, str]) -> str:
    """The query with VALUES blocks that bind each variable to a term (in N-Triples form): for a
    store that cannot be handed bindings, the same as binding the variables before evaluation.
    The block goes first in the query's WHERE clause, and in each subquery that projects one of the
    variables (the answer is the same, as the subquery's rows are joined on it, but the store need
    not compute the rows for other values). The terms come from the RDF library, never from a user."""
    if not bindings:
        return text
    return _insert(text, _value_sites(text, list(bindings)),
                   lambda names: f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(bindings[n] for n in names)}) }}")


def with_value_list(text: str, name: str, terms: list[str]) -> str:
    """The query with its variable `name` limited to these terms (N-Triples forms from the RDF
    library or our own index, never from a user), placed as `with_values` places a binding; no
    terms gives no rows."""
    listed = " ".join(terms)
    return _insert(text, _value_sites(text, [name]), lambda names: f" VALUES ?{name} {{ {listed} }}")


ECHARS = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
ESCAPES = str.maketrans(ECHARS)
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def term_text(term) -> str:
    """An RDF term (pyoxigraph) as SPARQL text. IRIs as N-Triples writes them; a literal's string
    with SPARQL's own escapes for the quote, the backslash and line breaks, and every other
    character as itself: N-Triples writes a control character as a \\u escape, which SPARQL
    processors read differently (some before parsing), so the endpoint refuses it."""
    if not isinstance(term, ox.Literal):
        return str(term)
    body = '"' + term.value.translate(ESCAPES) + '"'
    if term.language:
        return f"{body}@{term.language}"
    return body if term.datatype.value == XSD_STRING else f"{body}^^<{term.datatype.value}>"


def substitute(text: str, terms: dict[str, str], sigil: str = "?") -> str:
    """The text with each variable named in `terms` (written with a sigil in `sigil`) replaced by
    its term (in N-Triples form), wherever it stands, subqueries included: what grlc's textual
    substitution gives, but read from the tokens (never inside a string, an IRI or a comment, never
    a longer name) and with terms the RDF library wrote, never a user's text."""
    if not terms:
        return text
    tokens = tokenize(text)
    spans = [(tokens.original(t.start), tokens.original(t.end), terms[t.value]) for t in tokens.tokens
             if t.kind == VAR and t.value in terms and tokens.text[t.start] in sigil]
    for start, end, term in reversed(spans):
        text = text[:start] + term + text[end:]
    return text

"""A light look at SPARQL text before it reaches the engine: which form a query has, and whether it
asks for a remote SERVICE. Strings, IRIs and comments are blanked first, so words inside them
never count. The engine's own parser still decides whether the query is valid."""

from __future__ import annotations

import re

# Long strings first, then short ones, IRIs and comments; each is replaced by a space.
OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
    re.S,
)
KEYWORD = re.compile(r"(?<![\w:?$])(SELECT|ASK|CONSTRUCT|DESCRIBE|SERVICE|FROM|LOAD|INSERT|DELETE|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)(?![\w:])", re.I)
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def keywords(text: str) -> list[str]:
    # \uXXXX escapes apply anywhere in SPARQL text: decode them before looking, as the parser will.
    text = re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})", lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    return [k.upper() for k in KEYWORD.findall(OPAQUE.sub(" ", text))]


def form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query-form keyword, or None."""
    return next((k for k in keywords(text) if k in FORMS), None)


def uses_service(text: str) -> bool:
    return "SERVICE" in keywords(text)


def has_dataset(text: str) -> bool:
    """True when the query names its own dataset with FROM or FROM NAMED."""
    return "FROM" in keywords(text)


WHERE = re.compile(r"(?<![\w:?$])WHERE(?![\w:])", re.I)


def _blanked(text: str) -> str:
    """The text with strings, IRIs and comments blanked out, every character kept in its place."""
    return OPAQUE.sub(lambda m: " " * len(m.group()), text)


def _closing(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return len(text)


SELECT = re.compile(r"(?<![\w:?$])SELECT(?![\w:])", re.I)


def _where_brace(blank: str, start: int) -> int:
    """Where the WHERE clause after `start` opens (the keyword WHERE is optional before it)."""
    brace, where = blank.find("{", start), WHERE.search(blank, start)
    if where and (brace < 0 or where.start() < brace):
        brace = blank.find("{", where.end())
    return brace


def with_values(text: str, bindings: dict[str, str]) -> str:
    """The query with VALUES blocks that bind each variable to a term (in N-Triples form): for a
    store that cannot be handed bindings, the same as binding the variables before evaluation.
    The block goes first in the query's WHERE clause, and in each subquery that projects one of the
    variables (the answer is the same, as the subquery's rows are joined on it, but the store need
    not compute the rows for other values). The terms come from the RDF library, never from a user."""
    if not bindings:
        return text
    blank = _blanked(text)
    top = _where_brace(blank, 0)
    if form(text) == "CONSTRUCT" and not WHERE.search(blank, 0, max(top, 0)) and top >= 0:
        top = blank.find("{", _closing(blank, top) + 1)  # CONSTRUCT {template} {pattern}: skip the template
    if top < 0:
        raise ValueError("the query has no WHERE clause to bind its parameters in")
    inserts = {top: list(bindings)}
    for match in SELECT.finditer(blank):
        brace = _where_brace(blank, match.end())
        if brace <= top:
            continue
        projection, body = blank[match.end():brace], blank[brace:_closing(blank, brace)]
        mentioned = lambda name, where: re.search(rf"[?$]{re.escape(name)}(?!\w)", where)
        names = [n for n in bindings if mentioned(n, projection) or ("*" in projection and mentioned(n, body))]
        if names:
            inserts[brace] = names
    for brace in sorted(inserts, reverse=True):
        names = inserts[brace]
        block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(bindings[n] for n in names)}) }}"
        text = text[:brace + 1] + block + text[brace + 1:]
    return text

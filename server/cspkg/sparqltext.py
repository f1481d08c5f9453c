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


def with_values(text: str, bindings: dict[str, str]) -> str:
    """The query with a VALUES block that binds each variable to a term (in N-Triples form), put
    first in the query's WHERE clause: the same as binding the variables before evaluation, for a
    store that cannot be handed bindings. The terms come from the RDF library, never from a user."""
    if not bindings:
        return text
    blank = _blanked(text)
    brace, where = blank.find("{"), WHERE.search(blank)
    if where and where.start() < brace:
        brace = blank.find("{", where.end())
    elif form(text) == "CONSTRUCT" and brace >= 0:  # CONSTRUCT {template} {pattern}: skip the template
        brace = blank.find("{", _closing(blank, brace) + 1)
    if brace < 0:
        raise ValueError("the query has no WHERE clause to bind its parameters in")
    names = " ".join(f"?{name}" for name in bindings)
    return f"{text[:brace + 1]} VALUES ({names}) {{ ({' '.join(bindings.values())}) }}{text[brace + 1:]}"

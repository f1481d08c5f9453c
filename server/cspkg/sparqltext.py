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

"""SPARQL text as the terminals of the SPARQL 1.1 grammar (Query section 19.8, which Update shares),
read in one pass in time linear in the text's length, with the bracket nesting of every token.

Each terminal is a `re` pattern matched at a position with possessive quantifiers only, so no
pattern backtracks; `<` is read as an operator or as the start of an IRI from where it stands (an
operator only right after an operand inside an expression), the way a parser of the grammar does.

Where SPARQL processors read the same text differently, the text is refused rather than guessed
at: a `\\u` escape that stands for a quote, a bracket, `#`, `\\` or white space (the spec decodes
it before parsing, Oxigraph only inside strings and IRIs), and a lone carriage return in a comment
(the spec ends the comment there, Oxigraph at the next line feed).
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import NamedTuple

from ..errors import BadInput

MAX_DEPTH = 200  # brackets ({ ( [) nested deeper than this are refused

# Token kinds.
IRI, PNAME, BNODE, VAR, LANGTAG, NUMBER, STRING, NIL, ANON, WORD, PUNCT = (
    "IRI", "PNAME", "BNODE", "VAR", "LANGTAG", "NUMBER", "STRING", "NIL", "ANON", "WORD", "PUNCT")


class Token(NamedTuple):
    kind: str
    start: int  # offsets in the decoded text (see Tokens.original)
    end: int
    value: str  # WORD: upper case ('a' as written); VAR: the name; otherwise the text
    depth: int  # brackets open around the token (an opening bracket is outside itself)


class SparqlTextError(BadInput, ValueError):
    """SPARQL text that no terminal of the grammar reads, with the line and column where."""


# Character classes of section 19.8.
_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
         "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_VARNAME = f"[{_U}0-9][{_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*+"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
# (X|'.')* X, i.e. no trailing dot, as "dots then X" repeated: possessive, so never backtracking.
_PREFIX = f"[{_BASE}](?:\\.*+[{_CHARS}])*+"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:\\.*+(?:[{_CHARS}:]|{_PLX}))*+"
_ECHAR = r"""\\[tbnrf"'\\]"""

# White space first, then one token; '<' and quotes are read on their own (see tokenize).
_MASTER = re.compile(r"[ \t\r\n]*+(?:" + "|".join(f"(?P<{name}>{pattern})" for name, pattern in [
    ("comment", r"#[^\r\n]*+"),
    ("PNAME", f"(?:{_PREFIX})?+:(?:{_LOCAL})?+"),
    ("BNODE", f"_:[{_U}0-9](?:\\.*+[{_CHARS}])*+"),
    ("VAR", f"[?$]{_VARNAME}"),
    ("LANGTAG", r"@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+(?:--[a-zA-Z]++)?+"),  # (the suffix: SPARQL 1.2 direction)
    ("NUMBER", r"[+-]?+(?:[0-9]++(?:\.[0-9]*+)?+[eE][+-]?+[0-9]++|\.[0-9]++[eE][+-]?+[0-9]++|[0-9]*+\.[0-9]++|[0-9]++)"),
    ("WORD", r"[A-Za-z_][A-Za-z0-9_]*+"),
    ("NIL", r"\([ \t\r\n]*+\)"),
    ("ANON", r"\[[ \t\r\n]*+\]"),
    ("PUNCT", r"\^\^|\|\||&&|!=|>=|[{}()\[\];,.=>!*/+\-|^?~]"),
    ("lt", "<"),
    ("quote", "[\"']"),
    ("end", r"\Z"),
]) + ")")
_WS = re.compile(r"[ \t\r\n]*+")
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*+>')
_STRINGS = {  # (whole, longest valid start) for each opening
    '"""': (re.compile(f'"""(?:(?:""|")?+(?:[^"\\\\]|{_ECHAR}))*+"""'), re.compile(f'"""(?:(?:""|")?+(?:[^"\\\\]|{_ECHAR}))*+')),
    "'''": (re.compile(f"'''(?:(?:''|')?+(?:[^'\\\\]|{_ECHAR}))*+'''"), re.compile(f"'''(?:(?:''|')?+(?:[^'\\\\]|{_ECHAR}))*+")),
    '"': (re.compile(f'"(?:[^"\\\\\\r\\n]|{_ECHAR})*+"'), re.compile(f'"(?:[^"\\\\\\r\\n]|{_ECHAR})*+')),
    "'": (re.compile(f"'(?:[^'\\\\\\r\\n]|{_ECHAR})*+'"), re.compile(f"'(?:[^'\\\\\\r\\n]|{_ECHAR})*+")),
}
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# Characters a \u escape may not stand for: ones that open, close or end a token, so that the
# spec's reading (decode first) and one that decodes only inside strings and IRIs cannot differ.
_SIGNIFICANT = set("\"'\\<>#{}()[]|^`") | {chr(c) for c in range(0x21)}
_LINE_BREAK = re.compile(r"\r\n?|\n")

_OPERAND_END = {VAR, IRI, PNAME, STRING, NUMBER, LANGTAG, NIL, ANON, BNODE}
_OPERAND_WORDS = {")", "]", "}", "TRUE", "FALSE"}  # punctuation and words that end an operand
_NOT_FUNCTIONS = {"a", "VALUES", "TRUE", "FALSE", "UNDEF"}  # words a pattern's '(' may follow
_CLOSES = {")": "(", "]": "[", "}": "{"}
_PROJECTION, _MODIFIERS = "projection", "modifiers"  # where every '(' opens an expression
_MODE_ENDS = {"WHERE", "FROM", "LIMIT", "OFFSET", "VALUES"}


class Tokens(NamedTuple):
    text: str  # the text with \u escapes decoded, which the offsets index
    tokens: list[Token]
    pairs: dict[int, int]  # index of each opening bracket token -> index of its closing one
    depth: int  # the deepest nesting
    shifts: tuple[list[int], list[int]] | None  # where decoding shortened the text, for original()

    def original(self, pos: int) -> int:
        """The offset in the text as given of an offset in the decoded text."""
        if self.shifts is None:
            return pos
        at, total = self.shifts
        i = bisect.bisect_right(at, pos)
        return pos + (total[i - 1] if i else 0)


def _where(text: str, pos: int) -> str:
    line = len(_LINE_BREAK.findall(text, 0, pos)) + 1
    start = max(text.rfind("\n", 0, pos), text.rfind("\r", 0, pos)) + 1
    return f"line {line}, column {pos - start + 1}"


def _decode(text: str) -> tuple[str, tuple[list[int], list[int]] | None]:
    """Apply \\uXXXX and \\UXXXXXXXX before reading (section 19.2); where the text got shorter."""
    if "\\u" not in text and "\\U" not in text:
        return text, None
    at, total, parts, last, shrunk = [], [], [], 0, 0
    for m in _ESCAPE.finditer(text):
        code = int(m.group(1) or m.group(2), 16)
        char = chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else None
        if char is None:
            raise SparqlTextError(f"SPARQL syntax error at {_where(text, m.start())}: {m.group()} is not a character")
        if char in _SIGNIFICANT:
            raise SparqlTextError(
                f"SPARQL syntax error at {_where(text, m.start())}: the escape {m.group()} stands for {char!r}, which "
                "SPARQL processors read differently (some before parsing, some only inside strings); write a "
                "string escape such as \\\" \\' \\n \\\\ or the character itself instead")
        parts.append(text[last:m.start()])
        parts.append(char)
        last = m.end()
        shrunk += len(m.group()) - 1
        at.append(m.start() - (shrunk - len(m.group()) + 1) + 1)  # decoded offset just after the char
        total.append(shrunk)
    parts.append(text[last:])
    return "".join(parts), (at, total)


@lru_cache(maxsize=256)
def tokenize(given: str) -> Tokens:
    """The tokens of SPARQL text (white space and comments dropped), or SparqlTextError. Kept for
    the texts read last (the Tokens are never changed): a canned question's text is read for every
    request that binds it, and a replace reads each kept question's text again, about 3 ms each in
    this loop."""
    text, shifts = _decode(given)
    tokens: list[Token] = []
    pairs: dict[int, int] = {}
    frames: list[tuple[str, bool, int]] = [("", False, -1)]  # (bracket, opens an expression?, token index)
    modes: list[str | None] = [None]
    deepest, n, pos = 0, len(text), 0
    match, append, new = _MASTER.match, tokens.append, tuple.__new__  # (the loop's hot path: no lookups)

    def fail(at: int, message: str):
        offset = at if shifts is None else Tokens(text, [], {}, 0, shifts).original(at)
        raise SparqlTextError(f"SPARQL syntax error at {_where(given, offset)}: {message}")

    while True:
        m = match(text, pos)
        if m is None:
            at = _WS.match(text, pos).end()
            c = text[at]
            if c == "\\":
                fail(at, "a backslash is allowed only in strings and, before one of _~.-!$&'()*+,;=/?#@%, "
                         "in prefixed names")
            fail(at, f"no SPARQL token starts with {c!r} (U+{ord(c):04X})")
        kind = m.lastgroup
        if kind == "end":
            break
        start, end = m.start(kind), m.end()
        if kind == "comment":
            if end < n and text[end] == "\r" and not text.startswith("\n", end + 1):
                fail(end, "a carriage return not followed by a line feed inside a comment: SPARQL processors "
                          "disagree on whether it ends the comment; end lines with LF or CRLF")
            pos = end
            continue
        if kind == "lt":
            if frames[-1][1] and tokens and (tokens[-1].kind in _OPERAND_END or tokens[-1].value in _OPERAND_WORDS):
                # after an operand in an expression, a comparison: ?a<?b is never an IRI
                kind, end = PUNCT, start + (2 if text.startswith("<=", start) else 1)
            elif text.startswith("<<", start):  # SPARQL 1.2 triple term: no IRI starts with <<
                kind, end = PUNCT, start + 2
            else:
                m = _IRIREF.match(text, start)
                kind, end = (IRI, m.end()) if m else (PUNCT, start + (2 if text.startswith("<=", start) else 1))
            value = text[start:end]
        elif kind == "quote":
            c = text[start]
            opening = c * 3 if text.startswith(c * 3, start) else c
            whole, valid = _STRINGS[opening]
            m = whole.match(text, start)
            if m is None:
                stop = valid.match(text, start).end()
                while stop < n and text[stop] == c:
                    stop += 1
                if stop < n and text[stop] == "\\":
                    fail(stop, f"invalid escape {text[stop:stop + 2]!r} in a string (SPARQL strings allow "
                               "\\t \\b \\n \\r \\f \\\" \\' \\\\)")
                if len(opening) == 1 and stop < n:
                    fail(start, f"unterminated string: a string in {opening} quotes must end on the line it starts "
                                f"(use {opening * 3} for text over several lines)")
                fail(start, f"unterminated string: no closing {opening} before the end of the query")
            kind, end, value = STRING, m.end(), m.group()
        else:
            value = m.group(kind)
            if kind == WORD:
                value = value if value == "a" else value.upper()
            elif kind == VAR:
                value = value[1:]
        depth = len(frames) - 1
        if kind == PUNCT:
            if value == "{" or value == "(" or value == "[":
                if value == "{":
                    modes[-1] = None
                    expr = False
                elif value == "(":
                    prev = tokens[-1] if tokens else None
                    expr = (frames[-1][1] or modes[-1] is not None
                            or (prev is not None and prev.kind == WORD and prev.value not in _NOT_FUNCTIONS)
                            or (prev is not None and prev.kind in (IRI, PNAME) and len(tokens) > 1
                                and tokens[-2].kind == WORD and tokens[-2].value == "FILTER"))
                else:
                    expr = False
                frames.append((value, expr, len(tokens)))
                modes.append(None)
                if depth + 1 > MAX_DEPTH:
                    fail(start, f"brackets nested more than {MAX_DEPTH} deep")
                if depth + 1 > deepest:
                    deepest = depth + 1
            elif value in _CLOSES:
                opener, _, index = frames[-1]
                if opener != _CLOSES[value]:
                    if not opener:
                        fail(start, f"{value!r} closes no bracket")
                    opened = Tokens(text, [], {}, 0, shifts).original(tokens[index].start)
                    fail(start, f"{value!r} does not close the {opener!r} at {_where(given, opened)}")
                frames.pop()
                modes.pop()
                pairs[index] = len(tokens)
                depth -= 1
            elif value == ";" and not frames[-1][1]:
                modes[-1] = None
        elif kind == WORD:
            if value == "SELECT":
                modes[-1] = _PROJECTION
            elif value == "BY" or value == "HAVING":
                modes[-1] = _MODIFIERS
            elif value in _MODE_ENDS:
                modes[-1] = None
        append(new(Token, (kind, start, end, value, depth)))
        pos = end
    if len(frames) > 1:
        opener, _, index = frames[-1]
        fail(tokens[index].start, f"this {opener!r} is never closed")
    return Tokens(text, tokens, pairs, deepest, shifts)

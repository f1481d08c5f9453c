"""The values a canned query's header lists under `enumerate:` (grlc's form, `- duty: [IRI, ...]`):
every IRI of the parameter's kind in the built graph, the same IRIs cspkg offers for it, so that grlc
shows the same choices. The header holds them because grlc reads nothing else; a test checks them
against the repository's data.

    python -m cspkg.answers.choices [STORE]   # rewrite the lists in queries/*.rq from the built store
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .catalogue import QUERIES_DIR, CannedQuery, catalogue, members

BLOCK = re.compile(r"^#\+ enumerate:\n(?:#\+   .*\n)*", re.M)  # the header's enumerate block


def lists(query: CannedQuery, store) -> dict[str, list[str]]:
    """What the query's header should enumerate: each IRI parameter of a known kind, with its members."""
    return {p.name: members(store, p.kind[1]) for p in query.params if p.kind}


def block(values: dict[str, list[str]]) -> str:
    lines = ["#+ enumerate:"]
    for name, iris in values.items():
        lines.append(f"#+   - {name}:")
        lines.extend(f"#+     - {iri}" for iri in iris)
    return "\n".join(lines) + "\n"


def rewrite(text: str, values: dict[str, list[str]]) -> str:
    """The query text with its enumerate block replaced (or, if it has none, added after the defaults
    or the tags); unchanged when there is nothing to enumerate."""
    if not values:
        return BLOCK.sub("", text)
    if BLOCK.search(text):
        return BLOCK.sub(lambda _: block(values), text, count=1)
    header_end = max(m.end() for m in re.finditer(r"^#\+.*\n", text, re.M))
    return text[:header_end] + block(values) + text[header_end:]


if __name__ == "__main__":
    from ..settings import Settings
    from ..store.backends import open_store

    store = open_store(Settings.from_env(store=Path(sys.argv[1]) if len(sys.argv) > 1 else None))
    for query in catalogue(QUERIES_DIR).values():
        query.path.write_text(rewrite(query.text, lists(query, store)), encoding="utf-8")

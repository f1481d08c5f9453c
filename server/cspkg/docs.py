"""The README's generated parts: the canned-query table, from the queries' headers.

`python -m cspkg.docs README.md` rewrites the table between its markers; a test checks it is current.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .catalogue import catalogue

START, END = "<!-- queries:start -->", "<!-- queries:end -->"


def queries_table() -> str:
    lines = ["| query | question | parameters | formats |", "|---|---|---|---|"]
    for q in catalogue().values():
        params = ", ".join(
            f"`{p.name}`" + ("" if p.required else " (optional)") + (f" = `{q.defaults[p.name]}`" if p.name in q.defaults else "")
            for p in q.params
        ) or "none"
        paged = f"; {q.pagination} rows a page" if q.pagination else ""
        lines.append(f"| [`{q.name}`](queries/{q.name}.rq) | {q.summary} | {params} | html, json, csv, tsv{paged} |")
    return "\n".join(lines)


def rewrite(text: str) -> str:
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    return pattern.sub(f"{START}\n{queries_table()}\n{END}", text)


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(rewrite(path.read_text(encoding="utf-8")), encoding="utf-8")

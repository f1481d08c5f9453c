"""The documentation's generated parts: the canned-query table in docs/web-service.md, from the queries' headers.

`python -m cspkg.docs` rewrites the table between its markers (in docs/web-service.md, or the page
given as an argument); a test checks it is current.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from .answers.catalogue import QUERIES_DIR, catalogue
from .sources import REPO

START, END = "<!-- queries:start -->", "<!-- queries:end -->"
PAGE = REPO / "docs" / "web-service.md"  # the page that holds the canned-query table


def queries_link_base(page: Path = PAGE) -> str:
    """The queries folder as a link relative to the page's folder (`../queries` from docs/)."""
    return Path(os.path.relpath(QUERIES_DIR, Path(page).resolve().parent)).as_posix()


def queries_table(link_base: str = "queries") -> str:
    lines = ["| query | question | parameters | formats |", "|---|---|---|---|"]
    for q in catalogue().values():
        params = ", ".join(
            f"`{p.name}`" + ("" if p.required else " (optional)") + (f" = `{q.defaults[p.name]}`" if p.name in q.defaults else "")
            for p in q.params
        ) or "none"
        paged = f"; {q.pagination} rows a page" if q.pagination else ""
        lines.append(f"| [`{q.name}`]({link_base}/{q.name}.rq) | {q.summary} | {params} | html, json, csv, tsv{paged} |")
    return "\n".join(lines)


def rewrite(text: str, link_base: str = "queries") -> str:
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    return pattern.sub(lambda _: f"{START}\n{queries_table(link_base)}\n{END}", text)


def rewrite_page(page: Path = PAGE) -> str:
    """The page's text with its table regenerated, links relative to where the page lives."""
    return rewrite(Path(page).read_text(encoding="utf-8"), queries_link_base(page))


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else PAGE
    path.write_text(rewrite_page(path), encoding="utf-8")

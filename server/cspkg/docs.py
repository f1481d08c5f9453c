"""The documentation's generated parts: the canned-query table in docs/web-service.md, from the
queries' headers, and the table of pages for leads in README.md and docs/pages.md, from the
registry of lead pages (web/leads/registry.py).

`python -m cspkg.docs` rewrites each table between its markers (or, given a page, that page's);
tests check they are current.
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
PAGES_START, PAGES_END = "<!-- pages:start -->", "<!-- pages:end -->"
PAGE_LISTS = (REPO / "README.md", REPO / "docs" / "pages.md")  # the pages that list every page for leads


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


def pages_table() -> str:
    from .web.leads.registry import LEAD_PAGES

    lines = ["| page | the question it answers | for example |", "|---|---|---|"]
    for p in LEAD_PAGES:
        lines.append(f"| `{p.rule.replace('<key>', '<' + (p.key or 'key') + '>')}` | {p.answers} | `{p.example}` |")
    return "\n".join(lines)


def rewrite(text: str, link_base: str = "queries") -> str:
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    text = pattern.sub(lambda _: f"{START}\n{queries_table(link_base)}\n{END}", text)
    pages = re.compile(re.escape(PAGES_START) + ".*?" + re.escape(PAGES_END), re.S)
    return pages.sub(lambda _: f"{PAGES_START}\n{pages_table()}\n{PAGES_END}", text)


def rewrite_page(page: Path = PAGE) -> str:
    """The page's text with its tables regenerated, links relative to where the page lives."""
    return rewrite(Path(page).read_text(encoding="utf-8"), queries_link_base(page))


if __name__ == "__main__":
    for path in [Path(a) for a in sys.argv[1:]] or [PAGE, *PAGE_LISTS]:
        path.write_text(rewrite_page(path), encoding="utf-8")

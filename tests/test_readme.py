"""The README is a front door (the two set-up commands first, short, every docs/ link resolving), and
the reference in docs/ documents every route (docs/web-service.md), every canned query (its table is
generated from the headers) and every setting (docs/settings.md); relative links in docs/ resolve."""

from __future__ import annotations

import pytest

import re
from dataclasses import fields
from pathlib import Path

from cspkg.docs import PAGE, rewrite_page
from cspkg.settings import Settings
from cspkg.web import create_app

LINK = re.compile(r"\]\(([^)\s]+)\)")  # the target of a Markdown link or image


def page(repo, name: str) -> str:
    return (repo / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["README.md", "docs/pages.md"])
def test_every_page_for_leads_is_listed(repo, name):
    from cspkg.docs import PAGE_LISTS
    from cspkg.web.leads.registry import LEAD_PAGES

    assert repo / name in PAGE_LISTS
    text = page(repo, name)
    assert "<!-- pages:start -->" in text
    assert rewrite_page(repo / name) == text, f"run: python -m cspkg.docs (it rewrites the table of pages in {name})"
    assert all(f"`{p.example}`" in text for p in LEAD_PAGES)


def test_query_table_is_current(repo):
    assert PAGE == repo / "docs" / "web-service.md"
    text = page(repo, "docs/web-service.md")
    assert "<!-- queries:start -->" in text
    assert rewrite_page(PAGE) == text, "run: python -m cspkg.docs (it rewrites the table in docs/web-service.md)"


def test_every_route_is_documented(repo, store_root):
    text = page(repo, "docs/web-service.md")
    app = create_app(Settings(store=store_root))
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule)
        assert f"`{path}" in text or f" {path}`" in text or f"`{' '.join(sorted(rule.methods - {'HEAD'}))} {path}" in text \
            or re.search(rf"`[A-Z, ]+ {re.escape(path)}", text), f"route {path} is not in docs/web-service.md"


def test_every_setting_is_documented(repo):
    text = page(repo, "docs/settings.md")
    for f in fields(Settings):
        assert f"`CSPKG_{f.name.upper()}`" in text, f"CSPKG_{f.name.upper()} is not in docs/settings.md"


def test_first_screen_gives_the_two_setup_commands(repo):
    first = "\n".join(page(repo, "README.md").splitlines()[:25])
    assert "make up" in first and "make test" in first


def test_readme_is_short_and_links_every_docs_page(repo):
    text = page(repo, "README.md")
    assert len(text.splitlines()) < 220, "the README is the front door: move reference text into docs/"
    targets = {t.split("#")[0] for t in LINK.findall(text) if t.startswith("docs/")}
    missing = sorted(t for t in targets if not (repo / t).is_file())
    assert not missing, f"README links to docs/ files that do not exist: {missing}"
    pages = {p.relative_to(repo).as_posix() for p in (repo / "docs").glob("*.md")}
    assert pages <= targets, f"docs/ pages the README does not link: {sorted(pages - targets)}"


def anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation other than - and _ dropped, spaces to -."""
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"#{1,6} (.*)", line):
            found.add(re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-"))
    return found


def test_relative_links_in_readme_and_docs_resolve(repo):
    broken = []
    for doc in [repo / "README.md", *sorted((repo / "docs").glob("*.md"))]:
        in_code = False
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("```"):
                in_code = not in_code
            if in_code:
                continue
            for target in LINK.findall(line):
                if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
                    continue
                file, _, anchor = target.partition("#")
                path = (doc.parent / file).resolve() if file else doc
                if not path.exists() or (anchor and path.suffix == ".md" and anchor not in anchors(path)):
                    broken.append(f"{doc.relative_to(repo)}:{number}: {target}")
    assert not broken, broken

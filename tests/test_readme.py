"""The README documents every route, every canned query (its table is generated from the headers)
and every setting."""

from __future__ import annotations

import re
from dataclasses import fields

from cspkg.docs import rewrite
from cspkg.settings import Settings
from cspkg.web import create_app


def readme(repo) -> str:
    return (repo / "README.md").read_text(encoding="utf-8")


def test_query_table_is_current(repo):
    text = readme(repo)
    assert rewrite(text) == text, "run: python -m cspkg.docs README.md"


def test_every_route_is_documented(repo, store_root):
    text = readme(repo)
    app = create_app(Settings(store=store_root))
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule)
        assert f"`{path}" in text or f" {path}`" in text or f"`{' '.join(sorted(rule.methods - {'HEAD'}))} {path}" in text \
            or re.search(rf"`[A-Z, ]+ {re.escape(path)}", text), f"route {path} is not in the README"


def test_every_setting_is_documented(repo):
    text = readme(repo)
    for f in fields(Settings):
        assert f"`CSPKG_{f.name.upper()}`" in text


def test_first_screen_gives_the_two_setup_commands(repo):
    first = "\n".join(readme(repo).splitlines()[:25])
    assert "make up" in first and "make test" in first

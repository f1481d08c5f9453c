"""Questions asked ahead (Page.ahead, queries.rows_together): a page whose questions run at once, each
on a query process of its own, is the page they give asked one after another, byte for byte, and
each question runs once."""

from __future__ import annotations

import pytest

from cspkg.settings import Settings
from cspkg.web import create_app
from cspkg.web.leads import kit
from cspkg.web.leads.registry import LEAD_PAGES
from test_pages_http import twin

HTML = {"Accept": "text/html"}
# every lead page's example, and those that ask ahead with a key the data lack (a 404 either way)
PATHS = [p.example for p in LEAD_PAGES] + ["/plans/no-such-plan", "/plans/no-such-plan/trace", "/duties/no-such-duty",
                                          "/organisations/no-such-body", "/partnerships/no-such-csp",
                                          "/plans/thurrock-2023-24/actions/no-such-action"]


@pytest.fixture(scope="module")
def clients(built):
    """(one query process a worker: questions in turn, two: asked at once) over the seed store, cache off."""
    root = built[1].path.parent
    apps = [create_app(Settings.from_env(store=root, cache_size=0, query_processes=n)) for n in (1, 2)]
    yield [app.test_client() for app in apps]
    for app in apps:
        app.extensions["cspkg"]["runner"].close()


@pytest.mark.parametrize("path", PATHS)
def test_a_page_asked_at_once_is_the_page_asked_in_turn(clients, path):
    in_turn, at_once = clients
    for suffix_path, headers in ((path, HTML), (twin(path), {})):
        one, other = in_turn.get(suffix_path, headers=headers), at_once.get(suffix_path, headers=headers)
        assert (one.status_code, one.data) == (other.status_code, other.data), suffix_path


def test_each_question_asked_ahead_runs_once(clients, monkeypatch):
    """The plan page asks its twelve questions ahead; none is run again when the page reads it."""
    _, at_once = clients
    again = []
    real = kit.rows
    monkeypatch.setattr(kit, "rows", lambda name, values=None, units=None: again.append(name) or real(name, values, units))
    page = at_once.get("/plans/tendring-2021-22.json")
    assert page.status_code == 200
    assert len(page.json["computedBy"]) >= 12 and again == []

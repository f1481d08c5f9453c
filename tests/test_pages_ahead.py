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


@pytest.mark.parametrize("path, after", [("/plans/tendring-2021-22", ["partnership-plans"]),
                                         ("/duties/serious-violence-duty?area=county-essex", []),
                                         ("/duties/serious-violence-duty", ["duty-holders"])])
def test_each_question_asked_ahead_runs_once(clients, monkeypatch, path, after):
    """The plan page asks its twelve questions ahead, then its partnership's rows of the kept
    `partnership-plans` once `plan-summary` has named the partnership; the duty page asks its five or
    six (one of them for one duty's rows of a national answer); none is run again when the page
    reads it. The duty page
    asks for the register's bodies ahead when an area is given; with none, it lists them only when
    it finds there is no area to choose (the seed data), and asks then."""
    _, at_once = clients
    again, ahead = [], []
    real, together = kit.rows, kit.rows_together
    monkeypatch.setattr(kit, "rows", lambda name, *args, **kwargs: again.append(name) or real(name, *args, **kwargs))
    monkeypatch.setattr(kit, "rows_together", lambda asks: ahead.extend(asks) or together(asks))
    page = at_once.get(path, headers=HTML)
    assert page.status_code == 200
    assert len(ahead) >= 5 and again == after, (ahead, again)


def test_a_page_checks_each_value_it_is_given_once(clients, monkeypatch, built):
    """Each question checks that the plan it is asked about is a plan in the data (an ASK query): a
    page of twelve questions about one plan asks that once."""
    from cspkg.answers.catalogue import IS_A

    _, at_once = clients
    runner = at_once.application.extensions["cspkg"]["runner"]
    checks = []
    real = runner.run
    monkeypatch.setattr(runner, "run", lambda request: (checks.append(request) if request.sparql == IS_A else None) or real(request))
    page = at_once.get("/plans/tendring-2021-22.json")
    assert page.status_code == 200 and len(page.json["computedBy"]) >= 12
    assert len(checks) == 1 and checks[0].substitutions["thing"] == "<https://w3id.org/cspkg/id/plan/tendring-2021-22>"

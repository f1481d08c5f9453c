"""A parameter that keeps only its own rows (a query header's `anchors`) is also written as a VALUES
block where the query and each subquery projecting its variable begin, so the store starts from
the plan given instead of filtering every plan's rows at the end (at 3M quads, `overdue-actions`
for one plan went from 0.6 s to 3 ms). The answer must be the same: checked here for every plan of
the seed build and of a synthetic corpus with progress returns, through the store and through the
HTTP API."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from cspkg.answers.catalogue import anchored, bind, catalogue, load, prepared
from cspkg.errors import BadInput
from cspkg.pipeline.build import run
from cspkg.store.embedded import EmbeddedStore
from cspkg.synth.generate import synthesise
from server import serving

CATALOGUE = catalogue()
ANCHORED = {name: q for name, q in CATALOGUE.items() if q.anchors}
TSV = ox.QueryResultsFormat.TSV


def plans(store) -> list[str]:
    return sorted(r["p"].value for r in store.query("SELECT ?p WHERE { ?p a <https://w3id.org/cspkg/def/PartnershipPlan> }"))


def test_the_plan_questions_that_filter_by_plan_are_anchored():
    assert set(ANCHORED) >= {"actions-at-risk", "overdue-actions", "funding-by-source", "plan-score"}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    """A built synthetic corpus: a third of its plans have progress returns, with actions at risk and overdue."""
    data = tmp_path_factory.mktemp("anchor-data")
    synthesise(data, 8, 2, seed=5, force=True)
    root = tmp_path_factory.mktemp("anchor-store")
    result = run(data, root)
    assert not result.violations, [f.message for f in result.violations][:3]
    return root


@pytest.mark.parametrize("name", sorted(ANCHORED))
def test_an_anchored_question_answers_as_the_filter_alone(store, synthetic, name):
    query = ANCHORED[name]
    rows = 0
    for plan, store in [(p, store) for p in plans(store)] + [(p, s) for s in [EmbeddedStore.open(synthetic)] for p in plans(s)]:
        bound = bind(query, {"plan": plan}, lambda *_: True)  # the plans are the store's own
        plain = prepared(query, bound)
        text = anchored(query, bound, plain)
        assert text.count("VALUES ?plan") >= 1 and text != plain
        want = store.query(plain).serialize(format=TSV)
        assert store.query(text).serialize(format=TSV) == want, f"{name} for {plan}: the anchored answer differs"
        rows += want.count(b"\n") - 1
    assert rows > 0, f"{name}: no plan of the seed build has a row, so nothing was compared"


def test_no_value_given_leaves_the_question_as_written():
    query = ANCHORED["overdue-actions"]
    assert anchored(query, {}, prepared(query, {})) == prepared(query, {})


def test_the_api_gives_the_filtered_answer(synthetic):
    store = EmbeddedStore.open(synthetic)
    rows = 0
    with serving(synthetic, workers=1, cache_size=0) as base:
        for name in ("actions-at-risk", "overdue-actions", "funding-by-source"):
            query = ANCHORED[name]
            for plan in plans(store):
                bound = bind(query, {"plan": plan}, lambda *_: True)
                want = json.loads(store.query(prepared(query, bound)).serialize(format=ox.QueryResultsFormat.JSON))["results"]["bindings"]
                got = requests.get(f"{base}/queries/{name}.json", params={"plan": plan}, timeout=30)
                assert got.status_code == 200, got.text
                assert got.json()["results"]["bindings"] == want, f"{name} for {plan}"
                rows += len(want)
    assert rows > 0


def test_an_anchor_that_is_no_parameter_is_refused(tmp_path: Path):
    bad = tmp_path / "bad.rq"
    bad.write_text("#+ summary: x\n#+ anchors: [plan]\nSELECT ?x WHERE { ?x ?p ?o }\n", encoding="utf-8")
    with pytest.raises(BadInput, match="'anchors' names 'plan'"):
        load(bad)

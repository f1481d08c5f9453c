"""One bad plan does not stop the others: a build publishes every conforming plan, keeps the last
good version of a plan that now fails (its four graphs together, unchanged, marked stale), leaves
out one that never passed, names each and exits 1. And a replace refuses a plan no page would show."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from cspkg import namespaces as ns
from cspkg.errors import BadInput
from cspkg.pipeline import validation
from cspkg.pipeline.build import run
from cspkg.pipeline.replace import background, replace_plan
from cspkg.pipeline.staleness import plan_graphs, stale_graph, stale_plans
from cspkg.pipeline.visibility import Invisible, why_invisible
from cspkg.sources import DEFAULT_DATA, REPO, Source, parse
from cspkg.store.embedded import EmbeddedStore
from server import serving

CSPKG = str(Path(sys.executable).with_name("cspkg"))
SEED = ["braintree-2022-23", "castle-point-rochford-2017-18", "colchester-2018-19", "tendring-2021-22", "thurrock-2023-24"]
BROKEN, GARBLED = "brokenville-2024-25", "garbled-2024-25"  # one with a violation, one that does not parse
HIDDEN = "hiddenham-2024-25"  # conforms, but names a partnership the reference data lacks: no page would show it
NO_TITLE = "The plan has no title."
BAD_AMOUNT = "The amount must be one number of pounds, for example 3500.00."


def cspkg(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSPKG_")}
    return subprocess.run([CSPKG, *args], capture_output=True, text=True, env=env, timeout=300)


def copy_plan(data: Path, key: str, new: str) -> Path:
    """A new plan: a seed plan's file with every mention of its key renamed."""
    target = data / "plans" / f"{new}.ttl"
    target.write_text((data / "plans" / f"{key}.ttl").read_text(encoding="utf-8").replace(key, new), encoding="utf-8")
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def with_broken_plans(data: Path) -> Path:
    """The seed data plus a plan with a violation (an amount that is no number) and one with a syntax error at line 40."""
    shutil.copytree(DEFAULT_DATA, data)
    broken = copy_plan(data, "tendring-2021-22", BROKEN)
    amount = broken.read_text(encoding="utf-8").split("csp:amount ", 1)[1].split(" ", 1)[0]
    edit(broken, f"csp:amount {amount}", 'csp:amount "lots"')
    garbled = copy_plan(data, "colchester-2018-19", GARBLED)
    lines = garbled.read_text(encoding="utf-8").splitlines()
    lines.insert(39, "this is not turtle ;")
    garbled.write_text("\n".join(lines) + "\n", encoding="utf-8")
    hidden = copy_plan(data, "thurrock-2023-24", HIDDEN)
    edit(hidden, "csp:partnership pt:thurrock-csp", "csp:partnership pt:nowhere-csp")
    return data


def snapshot(store: EmbeddedStore | object, graphs: list[str]) -> dict[str, set[str]]:
    """The graphs as sets of N-Triples lines, blank nodes canonically relabelled (compared up to isomorphism)."""
    from rdflib.compare import to_canonical_graph

    out = {}
    for g in graphs:
        triples = store.triples(g)
        out[g] = {" ".join(term.n3() for term in t) for t in to_canonical_graph(validation.to_rdflib(triples))}
    return out


def plans_listed(store) -> set[str]:
    """The plans the home page lists: the rows of the canned query it runs (queries/plans.rq)."""
    text = (REPO / "queries" / "plans.rq").read_text(encoding="utf-8")
    return {row["plan"].value.removeprefix(ns.ID + "plan/") for row in store.query(text)}


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """`cspkg build` of the seed data with the two broken plans, into a new store."""
    data = with_broken_plans(tmp_path_factory.mktemp("partial") / "data")
    root = data.parent / "store"
    done = cspkg("build", "--data", str(data), "--store", str(root))
    return data, root, done


def test_a_build_publishes_every_conforming_plan_and_names_the_others(first):
    data, root, done = first
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    # each left-out plan is named, with why and what became of it
    assert f"({BROKEN}): 2 violations (listed above); left out: it has never conformed" in done.stdout
    assert BAD_AMOUNT in done.stdout
    garbled = data / "plans" / f"{GARBLED}.ttl"
    assert f"({GARBLED}): {garbled}:40:1: Turtle syntax error" in done.stdout
    # a plan that conforms but that no page would show is left out the same way, saying what to add
    assert (f"plan {HIDDEN} names partnership nowhere-csp, which the store's reference data does not hold: run `cspkg build` "
            "after adding it") in done.stdout
    assert "3 plans left out of this build" in done.stdout
    assert f"left out or kept at an earlier version ({BROKEN}, {GARBLED}, {HIDDEN})" in done.stderr
    store = EmbeddedStore.open(root)
    assert plans_listed(store) == set(SEED)
    held = set(store.graphs())
    for key in (BROKEN, GARBLED, HIDDEN):  # no graph of a plan that never conformed
        assert not {*plan_graphs(key), stale_graph(key)} & held
    for key in SEED:
        assert set(plan_graphs(key)) <= held
    assert stale_plans(store) == {}


def test_a_plan_that_now_fails_keeps_its_last_good_version(first, tmp_path):
    data, root, _ = first
    before = EmbeddedStore.open(root)
    first_build = before.build_id()
    kept = snapshot(before, plan_graphs("braintree-2022-23"))
    other = snapshot(before, plan_graphs("tendring-2021-22"))
    del before
    edit(data / "plans" / "braintree-2022-23.ttl", "dct:title", "dct:alternative")  # a required field removed
    edit(data / "plans" / "tendring-2021-22.ttl", "Strategic Priorities Delivery Plan", "Strategic Priorities Delivery Plan (revised)")
    result = run(data, root)
    assert not result.refused and result.store_path is not None
    assert {k: o.kept for k, o in result.left_out.items()} == {"braintree-2022-23": first_build, BROKEN: None, GARBLED: None, HIDDEN: None}
    assert [f.message for f in result.violations if f.scope == "braintree-2022-23"] == [NO_TITLE]
    after = EmbeddedStore.open(root)
    assert after.build_id() != first_build
    # the kept plan's four graphs are those of the earlier store, unchanged; the others are rebuilt
    assert snapshot(after, plan_graphs("braintree-2022-23")) == kept
    assert snapshot(after, plan_graphs("tendring-2021-22")) != other
    titles = {t.object.value for t in after.triples(ns.plan_graph("tendring-2021-22"))
              if t.subject == ox.NamedNode(ns.plan_iri("tendring-2021-22")) and t.predicate.value.endswith("/title")}
    assert any(title.endswith("(revised)") for title in titles)
    assert plans_listed(after) == set(SEED)  # the kept version is still shown
    assert stale_plans(after) == {"braintree-2022-23": first_build}
    second_build = after.build_id()
    del after
    # the pages say so: the plan page in words, the home page beside the plan's title
    with serving(root, workers=1) as base:
        page = requests.get(base + "/plans/braintree-2022-23", timeout=60)
        assert page.status_code == 200
        notice = page.text.split('id="kept">', 1)[1].split("</p>", 1)[0]
        assert "Shown at an earlier version." in notice and f"Kept at the version built at {first_build}" in notice
        assert "did not conform to the shapes" in notice
        row = requests.get(base + "/", timeout=60).text.split('href="/plans/braintree-2022-23"', 1)[1].split("</td>", 1)[0]
        assert "shown at an earlier version" in row
        assert 'id="kept"' not in requests.get(base + "/plans/tendring-2021-22", timeout=60).text
        assert requests.get(base + "/plans/braintree-2022-23.json", timeout=60).json()["data"]["kept"]["build"] == first_build

    # Built again, still failing: the version kept is still the first build's, not the second's.
    done = cspkg("build", "--data", str(data), "--store", str(root))
    assert done.returncode == 1
    assert f"(braintree-2022-23): 1 violation (listed above); kept the version built at {first_build}" in done.stdout
    third = EmbeddedStore.open(root)
    assert third.build_id() != second_build
    assert snapshot(third, plan_graphs("braintree-2022-23")) == kept
    assert stale_plans(third) == {"braintree-2022-23": first_build}
    del third

    # Fixed (and the never-conforming plans removed): a clean build, exit 0, and nothing stale.
    edit(data / "plans" / "braintree-2022-23.ttl", "dct:alternative", "dct:title")
    for key in (BROKEN, GARBLED, HIDDEN):
        (data / "plans" / f"{key}.ttl").unlink()
    done = cspkg("build", "--data", str(data), "--store", str(root))
    assert done.returncode == 0, done.stderr
    assert "left out" not in done.stdout
    fixed = EmbeddedStore.open(root)
    assert stale_plans(fixed) == {} and plans_listed(fixed) == set(SEED)


def test_reference_data_violations_still_publish_nothing(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    root = tmp_path / "store"
    assert not run(data, root).left_out
    link = os.readlink(root / "current")
    # a duty with two legal statuses breaks a reference shape (a duty must have one)
    edit(data / "reference" / "duties.ttl", "csp:legalStatus csp:statutoryDuty ;",
         "csp:legalStatus csp:statutoryDuty, csp:statutoryPower ;")
    edit(data / "plans" / "thurrock-2023-24.ttl", "dct:title", "dct:alternative")
    done = cspkg("build", "--data", str(data), "--store", str(root))
    assert done.returncode == 1, done.stdout
    assert "violation(s) in the reference data" in done.stderr and "Nothing was published" in done.stderr
    assert os.readlink(root / "current") == link


def test_a_syntax_error_in_the_reference_data_still_stops_the_build(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    path = data / "reference" / "themes.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\nthis is not turtle ;\n", encoding="utf-8")
    done = cspkg("build", "--data", str(data), "--store", str(tmp_path / "store"))
    assert done.returncode == 2 and f"{path}:" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "store" / "current").exists()


# ---- replace: a plan no page would show is refused ----------------------------------------------

@pytest.fixture
def seed_store(tmp_path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    root = tmp_path / "store"
    assert not run(data, root).left_out
    return data, root


def unknown_partnership(data: Path, tmp_path: Path) -> Path:
    """Thurrock's plan, naming a partnership the reference data does not hold."""
    path = tmp_path / "thurrock-2023-24.ttl"
    text = (data / "plans" / "thurrock-2023-24.ttl").read_text(encoding="utf-8")
    path.write_text(text.replace("csp:partnership pt:thurrock-csp", "csp:partnership pt:nowhere-csp"), encoding="utf-8")
    return path


def test_replace_refuses_a_plan_naming_an_unknown_partnership(seed_store, tmp_path):
    data, root = seed_store
    link, saved = os.readlink(root / "current"), (data / "plans" / "thurrock-2023-24.ttl").read_bytes()
    path = unknown_partnership(data, tmp_path)
    done = cspkg("replace", str(path), "--data", str(data), "--store", str(root))
    assert done.returncode == 2, done.stdout + done.stderr
    assert ("plan thurrock-2023-24 names partnership nowhere-csp, which the store's reference data does not hold: "
            "run `cspkg build` after adding it") in done.stderr
    assert "nothing was changed" in done.stderr and "Replaced" not in done.stdout and "Traceback" not in done.stderr
    assert os.readlink(root / "current") == link
    assert (data / "plans" / "thurrock-2023-24.ttl").read_bytes() == saved
    assert not any((data / "history").glob("**/*.ttl"))  # no old version was filed away
    # the Python API refuses it the same way, and the plan is still listed
    with pytest.raises(Invisible, match="nowhere-csp") as refused:
        replace_plan(root, "thurrock-2023-24", parse(Source(path, "plan")))
    assert isinstance(refused.value, BadInput)
    assert os.readlink(root / "current") == link
    assert plans_listed(EmbeddedStore.open(root)) == set(SEED)


def test_replace_refuses_a_plan_without_a_period_and_accepts_it_with_one(seed_store, tmp_path):
    data, root = seed_store
    link = os.readlink(root / "current")
    path = tmp_path / "thurrock-2023-24.ttl"
    text = (data / "plans" / "thurrock-2023-24.ttl").read_text(encoding="utf-8")
    path.write_text(text.replace('csp:periodAsStated "2023/24" ;', ""), encoding="utf-8")
    refused = replace_plan(root, "thurrock-2023-24", parse(Source(path, "plan")))  # the period is a violation
    assert refused.store_path is None and any("period" in f.message.lower() for f in refused.violations)
    assert os.readlink(root / "current") == link
    path.write_text(text.replace('"2023/24"', '"2023 to 2024"'), encoding="utf-8")
    result = replace_plan(root, "thurrock-2023-24", parse(Source(path, "plan")))
    assert result.store_path is not None and plans_listed(EmbeddedStore.open(root)) == set(SEED)


def test_why_invisible_agrees_with_the_home_page_query(store):
    """Each reason names what plans.rq needs: with it removed, the query no longer lists the plan."""
    reference = background(store)
    key = "thurrock-2023-24"
    own = {t for g in plan_graphs(key)[:3] for t in store.triples(g)}  # plan, editorial, inferred
    assert why_invisible(reference, key, own) == []
    plan = ox.NamedNode(ns.plan_iri(key))
    for predicate in ("http://purl.org/dc/terms/title", str(ns.CSP.partnership),
                      "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"):
        without = {t for t in own if not (t.subject == plan and t.predicate.value == predicate)}
        mem = ox.Store()
        mem.extend(ox.Quad(*t, ox.NamedNode(ns.reference_graph("all"))) for t in reference)
        mem.extend(ox.Quad(*t, ox.NamedNode(ns.plan_graph(key))) for t in without)
        listed = {row["plan"].value for row in mem.query((REPO / "queries" / "plans.rq").read_text(encoding="utf-8"),
                                                         use_default_graph_as_union=True)}
        assert ns.plan_iri(key) not in listed and why_invisible(reference, key, without), predicate


# ---- the remote backend: a failing plan's graphs are left where they are --------------------------

def completeness(store, key: str, query: Path) -> list[tuple]:
    """plan-completeness for one plan, asked with the canned query or its companion (from the plans)."""
    from cspkg.answers import catalogue

    canned = catalogue.load(query)
    bound = {p.var: ox.NamedNode(ns.plan_iri(key)) for p in canned.params if p.name == "plan"}
    solutions = store.query(catalogue.prepared(canned, bound))
    names = [v.value for v in solutions.variables]
    return [tuple(None if s[n] is None else str(s[n]) for n in names) for s in solutions]


def test_a_kept_plan_s_roll_ups_are_computed_again_by_the_build(tmp_path):
    """A plan kept at an earlier version keeps its graphs, but its roll-ups are computed again from
    them: rows of an older form (here plan-completeness's row without the report it now names)
    would leave its page saying it has no gaps."""
    from cspkg.pipeline.rollups import ROLLUP

    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    root = tmp_path / "store"
    assert run(data, root).store_path is not None
    key, report = "braintree-2022-23", ox.NamedNode(ROLLUP + "report")
    canned, reference = REPO / "queries" / "plan-completeness.rq", REPO / "queries" / "from-plans" / "plan-completeness.rq"
    built = EmbeddedStore.open(root, read_only=False)
    rolled = snapshot(built, [ns.rollup_graph(key)])
    gaps = completeness(built, key, canned)
    assert gaps and gaps == completeness(built, key, reference)
    older = [t for t in built.triples(ns.rollup_graph(key)) if t.predicate != report]
    built.replace_graphs([(ns.rollup_graph(key), older)])  # as a build before the row named the report stored it
    assert completeness(built, key, canned) == []
    del built
    edit(data / "plans" / f"{key}.ttl", "dct:title", "dct:alternative")
    result = run(data, root)
    assert list(result.left_out) == [key] and result.left_out[key].kept is not None
    after = EmbeddedStore.open(root)
    assert snapshot(after, [ns.rollup_graph(key)]) == rolled
    assert completeness(after, key, canned) == gaps


@pytest.mark.parametrize("gsp", [False, True], ids=["update", "graph-store"])
def test_the_remote_backend_keeps_a_failing_plan_untouched(tmp_path, gsp):
    from cspkg.settings import Settings
    from cspkg.store.remote import RemoteStore
    from server import oxigraph_server, remote_settings

    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    with oxigraph_server(tmp_path / "db") as base:
        settings = Settings(**remote_settings(base, sparql_gsp=f"{base}/store" if gsp else ""))
        remote = RemoteStore(settings)
        assert not run(data, tmp_path / "unused", settings=settings).left_out
        first_build = remote.build_id()
        kept = snapshot(remote, plan_graphs("braintree-2022-23"))
        edit(data / "plans" / "braintree-2022-23.ttl", "dct:title", "dct:alternative")
        broken = copy_plan(data, "tendring-2021-22", BROKEN)
        edit(broken, "csp:amount 3500", 'csp:amount "lots"')
        result = run(data, tmp_path / "unused", settings=settings)
        assert {k: o.kept for k, o in result.left_out.items()} == {"braintree-2022-23": first_build, BROKEN: None}
        assert remote.build_id() != first_build and remote.build_id() in str(result.store_path)
        assert snapshot(remote, plan_graphs("braintree-2022-23")) == kept
        assert stale_plans(remote) == {"braintree-2022-23": first_build}
        assert plans_listed(remote) == set(SEED)
        assert not [g for g in remote.graphs() if BROKEN in g]
        # fixed: published anew, and no longer marked
        edit(data / "plans" / "braintree-2022-23.ttl", "dct:alternative", "dct:title")
        broken.unlink()
        assert not run(data, tmp_path / "unused", settings=settings).left_out
        assert stale_plans(remote) == {} and plans_listed(remote) == set(SEED)


def test_validate_names_every_plan_that_does_not_parse(tmp_path):
    data = with_broken_plans(tmp_path / "data")
    done = cspkg("validate", "--data", str(data))
    assert done.returncode == 2 and f"{data / 'plans' / GARBLED}.ttl:40:1: Turtle syntax error" in done.stderr
    assert f"({GARBLED}): not read: " in done.stdout and BAD_AMOUNT in done.stdout  # the other plans are still checked


def test_an_upload_of_a_plan_no_page_would_show_is_refused(seed_store, tmp_path):
    import requests

    from server import serving

    data, root = seed_store
    key = "newtown-2025-26"
    text = (data / "plans" / "thurrock-2023-24.ttl").read_text(encoding="utf-8").replace("thurrock-2023-24", key)
    body = text.replace("pt:thurrock-csp", "pt:nowhere-csp").encode()  # a partnership the store does not hold
    link = os.readlink(root / "current")
    with serving(root, workers=1, data=data, write_token="correct-horse-battery-staple") as base:
        r = requests.post(base + "/plans", data=body, timeout=120,
                          headers={"Content-Type": "text/turtle", "X-Filename": f"{key}.ttl",
                                   "Authorization": "Bearer correct-horse-battery-staple"})
        assert r.status_code == 400, r.text
        assert "names partnership nowhere-csp, which the store's reference data does not hold" in r.json()["error"]
        assert requests.get(f"{base}/plans/{key}", timeout=30).status_code == 404
    assert os.readlink(root / "current") == link and not (data / "plans" / f"{key}.ttl").exists()

"""Replacing one plan in a built store: only that plan's graphs change, a non-conforming plan is
refused, a crash leaves the old store serving, and only the plan's scope is reasoned and validated.
Also: the synthetic corpus, the per-plan checker against plain pyshacl, and the store's durability."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from cspkg.pipeline import build, replace as update, validation
from cspkg import namespaces as ns
from cspkg.pipeline.build import run
from cspkg.sources import DEFAULT_DATA, Source, parse
from cspkg.store.embedded import EmbeddedStore
from cspkg.synth.generate import synthesise

CSPKG = str(Path(sys.executable).with_name("cspkg"))


def cspkg(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSPKG_")}
    return subprocess.run([CSPKG, *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("synth") / "data"
    assert synthesise(data, partnerships=3, years=2, seed=7) == 6
    return data


@pytest.fixture
def built_store(corpus, tmp_path) -> Path:
    root = tmp_path / "store"
    result = run(corpus, root)
    assert not result.violations, [f.message for f in result.violations]
    return root


def snapshot(root: Path) -> dict[str, set]:
    """Every graph of the current store, as sets of N-Triples lines (but the build's own id, which every
    write changes). Blank nodes are canonically relabelled: graphs are compared up to isomorphism, as
    RDF compares them (a store's loader gives blank nodes labels of its own)."""
    from rdflib.compare import to_canonical_graph

    from cspkg.store.interface import BUILD_GRAPH

    store = EmbeddedStore.open(root)
    out = {}
    for g in store.graphs():
        if g == BUILD_GRAPH:
            continue
        triples = store.triples(g)
        if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
            out[g] = {" ".join(term.n3() for term in t) for t in to_canonical_graph(validation.to_rdflib(triples))}
        else:
            out[g] = {str(t) for t in triples}
    return out


def plan_files(corpus: Path) -> list[Path]:
    return sorted((corpus / "plans").glob("*.ttl"))


def canonical(triples) -> set[str]:
    """Triples as the store keeps them (Oxigraph canonicalises typed literals)."""
    mem = ox.Store()
    mem.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return {str(q.triple) for q in mem}


def scope_graphs(key: str) -> set[str]:
    """A plan's graphs a replace makes again: its own, its inferences and its roll-ups (whose rows
    are blank nodes, new at each replace)."""
    return {ns.plan_graph(key), ns.editorial_graph(key), ns.inferred_graph(key), ns.rollup_graph(key)}


def edited(path: Path, old: str, new: str) -> list[ox.Triple]:
    text = path.read_text(encoding="utf-8")
    assert old in text
    copy = path.with_name(f"edit-{path.name}")
    copy.write_text(text.replace(old, new), encoding="utf-8")
    try:
        return parse(Source(copy, "plan"))
    finally:
        copy.unlink()


def test_replacing_a_plan_with_itself_changes_nothing(corpus, built_store):
    """The incremental path reasons exactly as the full build did: same inferences, same graphs."""
    before = snapshot(built_store)
    path = plan_files(corpus)[0]
    result = update.replace_plan(built_store, path.stem, parse(Source(path, "plan")))
    assert result.store_path is not None and not result.violations
    assert snapshot(built_store) == before


def test_replacing_one_plan_changes_only_its_graphs(corpus, built_store):
    before = snapshot(built_store)
    path = plan_files(corpus)[1]
    key = path.stem
    triples = edited(path, "Community Safety Partnership Plan", "Community Safety Partnership Delivery Plan")
    result = update.replace_plan(built_store, key, triples)
    assert result.store_path is not None and os.readlink(built_store / "current") == result.store_path.name
    after = snapshot(built_store)
    assert after[ns.plan_graph(key)] == canonical(triples) != before[ns.plan_graph(key)]
    assert after[ns.editorial_graph(key)] == before[ns.editorial_graph(key)]  # kept when not given
    for graph in set(before) | set(after):
        if graph not in scope_graphs(key):
            assert after.get(graph) == before.get(graph), graph


def test_a_plan_with_a_violation_is_refused_and_nothing_changes(corpus, built_store):
    before, link = snapshot(built_store), os.readlink(built_store / "current")
    path = next(p for p in plan_files(corpus) if "csp:amount" in p.read_text(encoding="utf-8"))
    amount = path.read_text(encoding="utf-8").split("csp:amount ", 1)[1].split(" ", 1)[0]
    triples = edited(path, f"csp:amount {amount}", 'csp:amount "a lot"')
    result = update.replace_plan(built_store, path.stem, triples)
    assert result.store_path is None
    assert {f.message for f in result.violations} == {"The amount must be one number of pounds, for example 3500.00."}
    assert os.readlink(built_store / "current") == link and snapshot(built_store) == before
    assert len([p for p in built_store.glob("build-*") if p.is_dir()]) == 1  # no half-made copy left behind


def test_a_crash_before_the_swap_leaves_the_old_store_serving(corpus, built_store):
    before, link = snapshot(built_store), os.readlink(built_store / "current")
    path = plan_files(corpus)[2]
    triples = edited(path, "Community Safety Partnership Plan", "Plan that never lands")

    def crash(new_store: Path):
        assert new_store.is_dir()
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        update.replace_plan(built_store, path.stem, triples, before_swap=crash)
    assert os.readlink(built_store / "current") == link and snapshot(built_store) == before
    assert len([p for p in built_store.glob("build-*") if p.is_dir()]) == 1


def test_replacing_one_plan_reasons_and_validates_exactly_one_scope(corpus, built_store, monkeypatch):
    from cspkg.pipeline import scopes

    calls = {"reasoned": [], "validated": []}
    real_add, real_validate = scopes.ScopeStore.add, scopes.validate_scopes

    def counting_add(self, name, triples):
        calls["reasoned"].append(name)
        return real_add(self, name, triples)

    def counting_validate(store, background, wanted, shapes):
        calls["validated"] += [name for name, _, _ in wanted]
        return real_validate(store, background, wanted, shapes)

    monkeypatch.setattr(scopes.ScopeStore, "add", counting_add)
    monkeypatch.setattr(scopes, "validate_scopes", counting_validate)
    path = plan_files(corpus)[3]
    result = update.replace_plan(built_store, path.stem, parse(Source(path, "plan")))
    assert result.store_path is not None
    assert calls == {"reasoned": [path.stem], "validated": [path.stem]}
    # a full build, counted the same way, sees every plan (and the reference data, validated as a scope)
    calls["reasoned"].clear(), calls["validated"].clear()
    run(corpus, None)
    assert sorted(calls["reasoned"]) == sorted(calls["validated"]) == sorted([p.stem for p in plan_files(corpus)] + ["reference"])


def test_the_plan_checker_finds_what_plain_pyshacl_finds(corpus):
    """Reusing the background graph and targeting only the plan's nodes gives the same findings
    as validating a fresh copy of background + plan with the shapes as written."""
    from rdflib import Graph

    for data in (DEFAULT_DATA, corpus):
        reference, plans = build.group(build.discover(data))
        reference.inferred = build.infer(set(), reference.asserted)
        background = reference.asserted | reference.inferred
        shapes = validation.load_shapes(build.shape_files())
        checker = validation.PlanChecker(background, shapes)
        base = validation.to_rdflib(background)
        for scope in plans:
            scope.inferred = build.infer(background, scope.asserted)
            fresh = Graph()
            fresh += base
            fresh += validation.to_rdflib(scope.asserted | scope.inferred)
            expected = validation.check(scope.name, fresh, shapes, build.subjects(scope.asserted))
            assert expected, scope.name  # every plan has some warnings or notes: the comparison is not vacuous
            assert checker.check(scope.name, scope.asserted | scope.inferred, build.subjects(scope.asserted)) == expected


def test_parallel_build_gives_the_same_inferences_and_findings(corpus, monkeypatch):
    sequential = run(corpus, None)
    monkeypatch.setattr(build, "PARALLEL_FROM", 2)
    parallel = run(corpus, None)
    assert parallel.findings == sequential.findings
    assert [s.inferred for s in parallel.scopes] == [s.inferred for s in sequential.scopes]


def test_readers_see_the_replaced_plan_at_once(corpus, built_store):
    from server import serving

    path = plan_files(corpus)[4]
    with serving(built_store, workers=1) as base:
        url = f"{base}/queries/plan-summary.json?plan={path.stem}"
        old = requests.get(url).json()["results"]["bindings"][0]["title"]["value"]
        update.replace_plan(built_store, path.stem, edited(path, "Community Safety Partnership Plan", "Safer Streets Plan"))
        new = requests.get(url).json()["results"]["bindings"][0]["title"]["value"]
    assert "Community Safety Partnership Plan" in old and new == old.replace("Community Safety Partnership Plan", "Safer Streets Plan")


def test_cli_replace(corpus, built_store, tmp_path):
    path = plan_files(corpus)[5]
    data = tmp_path / "data"
    done = cspkg("replace", str(path), "--store", str(built_store), "--data", str(data))
    assert done.returncode == 0, done.stderr
    assert f"Replaced plan '{path.stem}'" in done.stdout and (data / "plans" / path.name).read_bytes() == path.read_bytes()
    bad = tmp_path / path.name
    bad.write_text(path.read_text(encoding="utf-8").replace("csp:Action ;", "csp:Action ; csp:sourceLine 1.5 ;", 1), encoding="utf-8")
    refused = cspkg("replace", str(bad), "--store", str(built_store), "--data", str(data))
    assert refused.returncode == 1 and "source line must be a single whole number" in refused.stdout
    bad.write_text("this is not turtle", encoding="utf-8")
    broken = cspkg("replace", str(bad), "--store", str(built_store))
    assert broken.returncode == 2 and f"{bad}:1:" in broken.stderr


def test_synth_is_deterministic_and_refuses_unsafe_folders(corpus, tmp_path):
    again = tmp_path / "again"
    synthesise(again, partnerships=3, years=2, seed=7)
    files = sorted(p.relative_to(corpus) for p in corpus.rglob("*.ttl"))
    assert files == sorted(p.relative_to(again) for p in again.rglob("*.ttl"))
    assert all((corpus / f).read_bytes() == (again / f).read_bytes() for f in files)
    other = tmp_path / "other"
    synthesise(other, partnerships=3, years=2, seed=8)
    plans_of = lambda root: {p.name: p.read_bytes() for p in (root / "plans").glob("*.ttl")}  # noqa: E731
    assert len(plans_of(other)) == 6 and plans_of(other) != plans_of(corpus)
    refused = cspkg("synth", "--partnerships", "2", "--years", "1", "--out", str(DEFAULT_DATA))
    assert refused.returncode == 2 and "real data folder" in refused.stderr
    refused = cspkg("synth", "--partnerships", "2", "--years", "1", "--out", str(again))
    assert refused.returncode == 2 and "not empty" in refused.stderr
    forced = cspkg("synth", "--partnerships", "2", "--years", "1", "--out", str(again), "--force")
    assert forced.returncode == 0 and len(list((again / "plans").glob("*.ttl"))) == 2


def test_synthetic_plans_follow_the_iri_scheme_and_build_cleanly(corpus, built_store):
    store = EmbeddedStore.open(built_store)
    plans = [g for g in store.graphs() if g.startswith(ns.GRAPH + "plan/")]
    assert len(plans) == 6
    for graph in plans:
        key = graph.rsplit("/", 1)[1]
        subjects = {t.subject.value for t in store.triples(graph)}
        assert ns.plan_iri(key) in subjects
        assert all(s.startswith(ns.ID) and f"/{key}" in s for s in subjects), graph


def test_the_store_survives_a_restart_without_a_rebuild(built_store):
    """A fresh process opens the built store from disk and answers at once."""
    code = ("import sys; from pathlib import Path; from cspkg.store.embedded import EmbeddedStore; "
            "s = EmbeddedStore.open(Path(sys.argv[1])); "
            "print(len(list(s.query('SELECT ?p WHERE { ?p a <https://w3id.org/cspkg/def/PartnershipPlan> }'))))")
    done = subprocess.run([sys.executable, "-c", code, str(built_store)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "6"


def test_a_broken_plan_file_in_a_parallel_build_names_its_line_and_keeps_the_plans_last_version(corpus, built_store, tmp_path,
                                                                                                  monkeypatch):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(corpus, data)
    broken = plan_files(data)[2]
    broken.write_text(broken.read_text() + "\n<oops\n")
    before, link = snapshot(built_store), os.readlink(built_store / "current")
    monkeypatch.setattr(build, "PARALLEL_FROM", 2)  # the workers parse the plan files
    result = run(data, built_store)
    outcome = result.left_out[broken.stem]
    assert list(result.left_out) == [broken.stem] and outcome.kept == link
    assert re.search(rf"{broken.name}:\d+:\d+: Turtle syntax error", outcome.unreadable)
    after = snapshot(built_store)
    assert os.readlink(built_store / "current") != link
    for graph in [*scope_graphs(broken.stem), ns.validation_graph(broken.stem)]:  # the plan's graphs are those of the last build, unchanged
        assert after.get(graph) == before.get(graph), graph
    assert len([p for p in built_store.glob("build-*") if p.is_dir()]) == 2  # the new one, and the previous for rollback

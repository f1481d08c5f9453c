"""Returns derived from the seed plans' own progress updates (`cspkg returns derive`): the committed
files are what the command writes, every update a plan states is restated exactly once (status not
stated, the plan's text, derived from the plan's update), the plans' graphs are untouched, and a
return a partnership gives for the period replaces the derived one and keeps it in history."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from cspkg.returns import derived
from cspkg.sources import DEFAULT_DATA, Source, parse
from test_returns import EXAMPLES, cspkg

CSP = "https://w3id.org/cspkg/def/"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
PLANS = sorted(p.stem for p in (DEFAULT_DATA / "plans").glob("*.ttl"))
# what the seed plans' updates give: plan -> (period key, as of, updates); checked against the plans below
EXPECTED = {"castle-point-rochford-2017-18": ("2017-18-q1", "2017-06-30", 41),
            "colchester-2018-19": ("2018-19-q4", "2019-02-28", 24)}
CREATED = re.compile(rb'dct:created "\d{4}-\d{2}-\d{2}"\^\^xsd:date')


def committed() -> dict[str, bytes]:
    return {p.relative_to(DEFAULT_DATA).as_posix(): p.read_bytes() for p in sorted((DEFAULT_DATA / "returns").glob("*/*.ttl"))}


def plan_updates(plan: str) -> dict[str, str]:
    """The plan's own progress updates, IRI -> text, read from its file."""
    store = ox.Store()
    store.load(path=str(DEFAULT_DATA / "plans" / f"{plan}.ttl"), format=ox.RdfFormat.TURTLE)
    q = f"SELECT ?u ?text WHERE {{ ?u a <{CSP}ProgressUpdate> OPTIONAL {{ ?u <{DCT}description> ?text }} }}"
    return {row["u"].value: row["text"].value if row["text"] else "" for row in store.query(q)}


def return_graph(path: Path) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in parse(Source(path, "return")))
    return store


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """A copy of data/ without its returns, each plan derived through the real CLI."""
    data = tmp_path_factory.mktemp("derive") / "data"
    shutil.copytree(DEFAULT_DATA, data, ignore=shutil.ignore_patterns("returns", "history"))
    for plan in PLANS:
        done = cspkg("returns", "derive", plan, "--data", str(data))
        assert done.returncode == 0, done.stderr
        if plan in EXPECTED:
            period, as_of, n = EXPECTED[plan]
            assert f"as of {as_of}: {n} not stated" in done.stdout and "Run `cspkg build`" in done.stdout
        else:
            assert "states no progress updates of its own" in done.stdout
    return data


def test_the_committed_returns_are_what_derive_writes(fresh):
    """The same bytes, but for the day each was derived (dct:created), which a fresh derivation sets to today."""
    made = {p.relative_to(fresh).as_posix(): p.read_bytes() for p in sorted((fresh / "returns").glob("*/*.ttl"))}
    assert sorted(made) == sorted(committed()) == sorted(f"returns/{plan}/{period}.ttl" for plan, (period, _, _) in EXPECTED.items())
    for name, body in committed().items():
        assert len(CREATED.findall(body)) == 1
        assert CREATED.sub(b"", made[name]) == CREATED.sub(b"", body), name


def test_deriving_again_over_the_committed_returns_changes_nothing(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    for plan in EXPECTED:
        done = cspkg("returns", "derive", plan, "--data", str(data))
        assert done.returncode == 0 and "Unchanged " in done.stdout and "Wrote " not in done.stdout, done.stdout + done.stderr
    assert {p.relative_to(data).as_posix(): p.read_bytes() for p in sorted((data / "returns").glob("*/*.ttl"))} == committed()
    assert not (data / "history").exists()


@pytest.mark.parametrize("plan", PLANS)
def test_every_update_a_plan_states_is_derived_exactly_once_not_stated_with_its_text(plan):
    own = plan_updates(plan)
    files = sorted((DEFAULT_DATA / "returns" / plan).glob("*.ttl"))
    assert bool(own) == (plan in EXPECTED) and len(files) == (1 if own else 0)
    if not own:
        return
    period, as_of, n = EXPECTED[plan]
    assert len(own) == n and files[0].stem == period
    store = return_graph(files[0])
    rows = list(store.query(
        f"SELECT ?u ?from ?status ?text ?about WHERE {{ ?r <{CSP}includesUpdate> ?u . ?u <{PROV}wasDerivedFrom> ?from ; "
        f"<{CSP}status> ?status ; <{CSP}updateOf> ?about OPTIONAL {{ ?u <{DCT}description> ?text }} }}"))
    sources = [r["from"].value for r in rows]
    assert sorted(sources) == sorted(own)  # each of the plan's updates exactly once, and nothing else
    for r in rows:
        assert r["status"].value == CSP + "notStated"
        assert (r["text"].value if r["text"] else "") == own[r["from"].value]
        assert r["about"].value.startswith(f"https://w3id.org/cspkg/id/action/{plan}/")
    head = {(t.predicate.value, t.object.value) for t in store.quads_for_pattern(ox.NamedNode(f"https://w3id.org/cspkg/id/return/{plan}/{period}"), None, None)}
    assert (CSP + "asAt", as_of) in head and ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", CSP + "DerivedReturn") in head
    assert (PROV + "wasDerivedFrom", f"https://w3id.org/cspkg/id/plan/{plan}") in head
    assert (PROV + "wasDerivedFrom", f"https://w3id.org/cspkg/id/document/{plan}") in head
    assert (DCT + "creator", derived.DERIVER) in head
    assert not [o for p, o in head if p == PROV + "generatedAtTime"]  # derived, not received
    reporter = [o for p, o in head if p == PROV + "wasAttributedTo"]
    assert len(reporter) == 1 and reporter[0].startswith("https://w3id.org/cspkg/id/partnership/")
    note = next(o for p, o in head if p == "http://www.w3.org/2004/02/skos/core#editorialNote")
    assert f"As of {as_of}" in note and "not stated" in note


def test_the_notes_say_how_each_period_and_date_were_chosen():
    cpr = (DEFAULT_DATA / "returns" / "castle-point-rochford-2017-18" / "2017-18-q1.ttl").read_text(encoding="utf-8")
    assert 'the quarter the plan names (\\"Q1 2017/18\\")' in cpr
    assert "the plan gives no date for these updates, so the return is as of the last day of the period" in cpr
    col = (DEFAULT_DATA / "returns" / "colchester-2018-19" / "2018-19-q4.ttl").read_text(encoding="utf-8")
    assert "the financial quarter holding February 2019" in col
    assert "dates these updates February 2019 and no more precisely, so the return is as of that month's last day" in col


def test_deriving_leaves_the_plan_graphs_unchanged(fresh):
    for folder in ("plans", "editorial"):
        for path in sorted((DEFAULT_DATA / folder).glob("*.ttl")):
            assert (fresh / folder / path.name).read_bytes() == path.read_bytes(), path
    # and the committed plan files still hold their own updates as the plans state them
    assert len(plan_updates("castle-point-rochford-2017-18")) == 41 and len(plan_updates("colchester-2018-19")) == 24


def test_a_given_return_replaces_the_derived_one_keeps_it_in_history_and_is_never_derived_over(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    plan, period = "castle-point-rochford-2017-18", "2017-18-q1"
    target = data / "returns" / plan / f"{period}.ttl"
    before = target.read_bytes()
    done = cspkg("returns", "import", str(EXAMPLES / plan / f"{period}.xlsx"), "--data", str(data))
    assert done.returncode == 0 and "The earlier return for the period is kept as" in done.stdout, done.stdout + done.stderr
    kept = sorted((data / "history" / "returns" / plan / period).glob("*.ttl"))
    assert len(kept) == 1 and kept[0].read_bytes() == before
    imported = target.read_bytes()
    assert imported != before and not derived.is_derived(target) and b"prov:generatedAtTime" in imported
    # deriving again leaves the return the partnership gave
    again = cspkg("returns", "derive", plan, "--data", str(data))
    assert again.returncode == 0 and f"Kept {target}" in again.stdout, again.stdout + again.stderr
    assert target.read_bytes() == imported and len(sorted((data / "history" / "returns" / plan / period).glob("*.ttl"))) == 1
    listed = cspkg("returns", "history", plan, period, "--data", str(data))
    assert listed.returncode == 0 and str(kept[0]) in listed.stdout


def test_a_changed_plan_update_is_derived_again_and_the_earlier_return_kept(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    plan, period = "colchester-2018-19", "2018-19-q4"
    path = data / "plans" / f"{plan}.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace('"Ongoing update from ExPol"@en', '"Ongoing update from Essex Police"@en'),
                    encoding="utf-8")
    target = data / "returns" / plan / f"{period}.ttl"
    before = target.read_bytes()
    done = cspkg("returns", "derive", plan, "--data", str(data))
    assert done.returncode == 0 and "Wrote " in done.stdout and "kept as" in done.stdout, done.stdout + done.stderr
    assert b"Ongoing update from Essex Police" in target.read_bytes()
    kept = sorted((data / "history" / "returns" / plan / period).glob("*.ttl"))
    assert [k.read_bytes() for k in kept] == [before]


def test_an_unknown_plan_is_a_clear_error(tmp_path):
    done = cspkg("returns", "derive", "nowhere-2020-21", "--data", str(DEFAULT_DATA))
    assert done.returncode == 2 and "nowhere-2020-21" in done.stderr and "Traceback" not in done.stderr


def test_the_build_loads_each_derived_return_as_its_own_graph_with_no_violation(tmp_path):
    store = tmp_path / "store"
    done = cspkg("build", "--store", str(store))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Validation: 0 violations" in done.stdout
    for plan, (period, _, n) in EXPECTED.items():
        assert re.search(rf"return/{plan}/{period}\s+\d", done.stdout)
    q = ("PREFIX csp: <https://w3id.org/cspkg/def/> SELECT ?g (COUNT(?u) AS ?n) WHERE { GRAPH ?g { ?r a csp:DerivedReturn ; "
         "csp:includesUpdate ?u . ?u csp:status csp:notStated } } GROUP BY ?g")
    out = cspkg("sparql", q, "--format", "csv", "--store", str(store))
    assert out.returncode == 0, out.stderr
    found = dict(line.split(",") for line in out.stdout.strip().splitlines()[1:])
    assert found == {f"https://w3id.org/cspkg/graph/return/{plan}/{period}": str(n) for plan, (period, _, n) in EXPECTED.items()}

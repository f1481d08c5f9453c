"""The national answers a build keeps (store/precomputed.py) are the answers the questions give.

Each kept answer is compared, byte for byte, with its question run over the same built store: after
a build of the seed data and of a synthetic corpus built by worker processes, and after replaces
that change one plan's rows, add a plan's rows, and move a plan from one partnership to another
(so a question kept by partnership rewrites both). The query process serves a kept answer in every
format and page exactly as it serves the query, and runs the query when the build keeps nothing.
"""

from __future__ import annotations

import gc
import math
import shutil
import sqlite3
from pathlib import Path

import pyoxigraph as ox
import pytest

from cspkg import namespaces as ns
from cspkg.answers import runner_child
from cspkg.answers.catalogue import catalogue, load, prepared
from cspkg.answers.messages import Request
from cspkg.errors import BadInput
from cspkg.pipeline import build
from cspkg.pipeline.build import run
from cspkg.pipeline.replace import replace_plan
from cspkg.sources import DEFAULT_DATA, Source, parse
from cspkg.store import precomputed
from cspkg.store.commits import current_build
from cspkg.store.embedded import EmbeddedStore
from cspkg.synth.generate import synthesise

KEPT = precomputed.kept_questions()
WHOLE = [name for name, query in KEPT.items() if query.precomputed == precomputed.WHOLE]
SUMMED = [name for name, query in KEPT.items() if query.precomputed == precomputed.SHARES]  # added up from plans' shares
PARTNERSHIP = ox.NamedNode(str(ns.CSP["partnership"]))


def live(store: EmbeddedStore, name: str) -> bytes:
    return store.query(precomputed.kept_answers(store)[name].text).serialize(format=ox.QueryResultsFormat.TSV)


def assert_kept_as_asked(root: Path) -> int:
    """Every kept answer of the current build (one for each duty, for a question kept by value)
    equals its question run now; the rows compared."""
    build_path = current_build(root)
    store = EmbeddedStore(ox.Store.read_only(str(build_path)), build_path)
    compared = 0
    answers = precomputed.kept_answers(store)
    assert len(answers) > len(KEPT), "the questions kept by value keep an answer for each value"
    for name, answer in answers.items():
        kept = precomputed.read(build_path, name)
        assert kept is not None, f"the build keeps no answer to {name}"
        want = store.query(answer.text).serialize(format=ox.QueryResultsFormat.TSV)
        rows = want.count(b"\n") - 1
        assert kept == want, f"{name}: the kept answer ({kept.count(b'?') and len(kept.splitlines()) - 1} rows) differs from the query's ({rows})"
        compared += rows
    return compared


def test_the_kept_questions_are_national_and_say_so():
    assert set(KEPT) >= {"plans", "duties-without-funded-actions", "priorities-without-actions", "duty-coverage",
                         "actions-without-lead", "actions-without-measures", "theme-coverage", "plan-score",
                         "actions-at-risk", "overdue-actions", "delivery-across-partnerships", "partnership-areas"}
    for name, query in KEPT.items():
        assert query.kept_by_value or not any(p.required for p in query.params), f"{name}: a question with a required parameter is not kept"
        if query.precomputed == precomputed.WHOLE:  # kept whole, rewritten in full after every change
            continue
        order = precomputed._order_clause(query.text)
        assert order is not None, f"{name}: its ORDER BY cannot be read, so a replace would rewrite it in full"
        if query.precomputed == precomputed.SHARES:  # added up from each plan's share, then ordered
            continue
        assert query.precomputed in order[2], f"{name}: its unit ({query.precomputed}) is not in its ORDER BY"
    unkept = catalogue()["plan-summary"]
    assert not unkept.precomputed


def test_a_kept_question_names_a_unit_or_whole(tmp_path: Path):
    assert set(precomputed.UNITS) | {precomputed.WHOLE, precomputed.SHARES} == {"plan", "partnership", "whole", "shares"}
    bad = tmp_path / "bad.rq"
    bad.write_text("#+ summary: x\n#+ precomputed: wholle\nSELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x\n", encoding="utf-8")
    with pytest.raises(BadInput, match="'precomputed' is 'wholle'; it takes plan, partnership, whole, shares"):
        load(bad)
    unshared = tmp_path / "unshared.rq"  # added up from shares, with no query giving them
    unshared.write_text("#+ summary: x\n#+ precomputed: shares\nSELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"unshared.rq: 'precomputed: shares' adds the answer up from each plan's share: write the query giving it as .*plan-shares/unshared.rq"):
        load(unshared)


def test_a_seed_build_keeps_each_answer_as_the_query_gives_it(built):
    root = built[1].path.parent
    assert assert_kept_as_asked(root) > 50


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "xml"])
def test_the_query_process_serves_a_kept_answer_as_it_serves_the_query(built, fmt):
    store = built[1]
    for name, answer in precomputed.kept_answers(store).items():
        text = answer.text
        for max_rows, offset, limit in ((10_000, 0, None), (3, 0, None), (5, 2, 6)):
            paged = text + (f"\nLIMIT {limit} OFFSET {offset}" if limit else "")
            asked = runner_child.execute(store, Request(paged, fmt, max_rows=max_rows, store=str(store.path)))
            served = runner_child.execute(store, Request(paged, fmt, max_rows=max_rows, store=str(store.path),
                                                         precomputed=name, offset=offset, limit=limit))
            assert (served.body, served.truncated) == (asked.body, asked.truncated), (name, fmt, max_rows, offset)


def test_without_a_kept_answer_the_question_runs_as_written(built, tmp_path):
    root = tmp_path / "store"
    shutil.copytree(built[1].path.parent, root, symlinks=True)
    build_path = current_build(root)
    store = EmbeddedStore(ox.Store.read_only(str(build_path)), build_path)
    with sqlite3.connect(precomputed.path_for(build_path)) as db:  # a kept answer that is not the query's
        db.execute("UPDATE answers SET head = ?, body = ? WHERE question = 'plans'", (b"?plan", b"<urn:x:kept>\n"))
    db.close()
    asked = runner_child.execute(store, Request("SELECT * {}", "tsv", store=str(build_path), precomputed="plans"))
    assert asked.body == b"?plan\n<urn:x:kept>\n"  # served from the file when there is one
    precomputed.remove(build_path)
    asked = runner_child.execute(store, Request(prepared(KEPT["plans"], {}), "tsv", store=str(build_path), precomputed="plans"))
    assert asked.body == live(store, "plans")


def full_writes(monkeypatch) -> list[str]:
    """The questions a change wrote in full (a replace should write none: only its plan's units)."""
    written, write_full = [], precomputed._write_full
    monkeypatch.setattr(precomputed, "_write_full", lambda db, store, name, query, body=None: (written.append(name), write_full(db, store, name, query, body))[1])
    return written


def shares_asked(monkeypatch) -> list[tuple[str, str | None]]:
    """(first line of the share query, the plan it was limited to or None) for each time a plan's
    share was asked."""
    asked, ask = [], precomputed.shares.ask
    monkeypatch.setattr(precomputed.shares, "ask", lambda store, text, plan=None: (asked.append((text.splitlines()[0], plan)), ask(store, text, plan))[1])
    return asked


def runs(monkeypatch) -> list[str]:
    """The texts the kept answers were computed by, in order."""
    ran, run_text = [], precomputed._run
    monkeypatch.setattr(precomputed, "_run", lambda store, text: (ran.append(text), run_text(store, text))[1])
    return ran


# The questions kept by value with a query answering every value at once (queries/every-value/)
EVERY_VALUE = {name: query for name, query in KEPT.items() if precomputed.every_value.companion(query)}


def assert_every_value_at_once(ran: list[str], limited: bool) -> None:
    """The answers kept for each value of a question with a query answering every value came from
    one run of that query (limited to some units by a VALUES block, after a replace), never from the
    question run for one value. Each text is known by its first line: the companion's first comment,
    the question's `#+ summary:` header."""
    assert set(EVERY_VALUE) >= {"theme-across-partnerships", "actions-for-duty"}
    for name, query in EVERY_VALUE.items():
        every = precomputed.every_value.companion(query)
        first, summary = every.splitlines()[0], query.text.splitlines()[0]
        assert first.startswith("# ") and summary.startswith("#+ summary:")
        from_every = [text for text in ran if text.splitlines()[0] == first]
        assert len(from_every) == 1, f"{name}: the query answering every value ran {len(from_every)} times"
        assert (from_every[0] != every) == limited, f"{name}: limited to the units changed only after a replace"
        if limited:
            assert f"VALUES ?{query.precomputed} " in from_every[0]
        assert not [text for text in ran if text.splitlines()[0] == summary], f"{name}: the question ran for one value"


def test_a_build_answers_every_value_with_one_query(built, tmp_path, monkeypatch):
    root = tmp_path / "store"
    shutil.copytree(built[1].path.parent, root, symlinks=True)
    build_path = current_build(root)
    store = EmbeddedStore(ox.Store.read_only(str(build_path)), build_path)
    precomputed.remove(build_path)
    ran = runs(monkeypatch)
    assert precomputed.write(store, build_path) == precomputed.path_for(build_path)
    assert_every_value_at_once(ran, limited=False)
    keys = precomputed.kept_answers(store)
    assert len([k for k in keys if k.startswith("theme-across-partnerships ")]) >= 30, "an answer for each theme"
    assert len([k for k in keys if k.startswith("actions-for-duty ")]) >= 40, "an answer for each duty"
    assert assert_kept_as_asked(root) > 50


def test_a_replace_rewrites_its_plan_and_keeps_the_others(built, tmp_path, monkeypatch):
    root = tmp_path / "store"
    shutil.copytree(built[1].path.parent, root, symlinks=True)
    before = precomputed.path_for(current_build(root))
    with sqlite3.connect(before) as db:
        kept_before = dict(db.execute("SELECT unit, lines FROM units WHERE question = 'duties-without-funded-actions'"))
    db.close()
    # Tendring without the lead of its first actions, and with a priority no action addresses
    plan = set(parse(Source(DEFAULT_DATA / "plans" / "tendring-2021-22.ttl", "plan")))
    lead = ox.NamedNode(str(ns.CSP["leadAgency"]))
    dropped = {t for t in plan if t.predicate == lead and t.subject.value.endswith(("/r01", "/r02"))}
    priority = ox.NamedNode(ns.ID + "priority/tendring-2021-22/kept-answers")
    added = {ox.Triple(priority, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(str(ns.CSP["LocalPriority"]))),
             ox.Triple(priority, ox.NamedNode(str(ns.CSP["priorityOf"])), ox.NamedNode(ns.plan_iri("tendring-2021-22"))),
             ox.Triple(priority, ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"), ox.Literal("A priority no action addresses", language="en"))}
    done = replace_plan(root, "tendring-2021-22", (plan - dropped) | added)
    assert not done.violations, [f.message for f in done.violations]
    assert assert_kept_as_asked(root) > 50
    after = precomputed.path_for(current_build(root))
    assert after != before
    with sqlite3.connect(after) as db:
        kept_after = dict(db.execute("SELECT unit, lines FROM units WHERE question = 'duties-without-funded-actions'"))
        gaps = b"".join(lines for (lines,) in db.execute("SELECT lines FROM units WHERE question = 'priorities-without-actions'"))
    db.close()
    tendring = ns.plan_iri("tendring-2021-22")
    assert {u: v for u, v in kept_after.items() if u != tendring} == {u: v for u, v in kept_before.items() if u != tendring}
    assert b"A priority no action addresses" in gaps


def test_an_answer_added_up_from_shares_asks_only_the_changed_plans_share(built, tmp_path, monkeypatch):
    """agency-workload is added up from each plan's share: a replace asks the changed plan's share
    only, unless the teams and posts belong elsewhere than when the shares were kept (an area's
    reference data changed), when every plan's share is asked again; the answer is the question's
    either way."""
    assert SUMMED == ["agency-workload"]
    root = tmp_path / "store"
    shutil.copytree(built[1].path.parent, root, symlinks=True)
    plan = set(parse(Source(DEFAULT_DATA / "plans" / "tendring-2021-22.ttl", "plan")))
    support = ox.NamedNode(str(ns.CSP["supportingAgency"]))
    dropped = {t for t in plan if t.predicate == support}  # Tendring's supporting agencies, gone
    assert dropped
    asked = shares_asked(monkeypatch)
    assert not replace_plan(root, "tendring-2021-22", plan - dropped).violations
    assert [p for _, p in asked] == [ns.plan_iri("tendring-2021-22")]
    assert assert_kept_as_asked(root) > 50
    with sqlite3.connect(precomputed.path_for(current_build(root))) as db:
        db.execute("UPDATE share_basis SET belonging = ?", (b"?name\t?top\n<urn:x:team>\t<urn:x:elsewhere>\n",))
    db.close()
    asked.clear()
    assert not replace_plan(root, "tendring-2021-22", plan).violations
    assert [p for _, p in asked] == [None], "every plan's share is asked again"
    assert assert_kept_as_asked(root) > 50


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A synthetic corpus big enough for the build's worker processes, with partnerships of several plans."""
    data = tmp_path_factory.mktemp("kept-data")
    count = synthesise(data, (build.PARALLEL_FROM + 5) // 2, 2, seed=11, force=True)
    assert count >= build.PARALLEL_FROM
    # one plan is held back from the build, for a test to add it as an upload does
    held = tmp_path_factory.mktemp("kept-held")
    last = sorted((data / "plans").glob("*.ttl"))[-1]
    shutil.move(last, held / last.name)
    for folder in ("editorial", "returns"):  # its editorial graph and returns go with it
        for path in (data / folder).glob(last.stem + "*"):
            shutil.move(path, held / f"{folder}-{path.name}")
    root = tmp_path_factory.mktemp("kept-store")
    result = run(data, root)
    assert not result.violations
    return data, root, held / last.name


def test_a_synthetic_build_keeps_each_answer_as_the_query_gives_it(synthetic):
    assert assert_kept_as_asked(synthetic[1]) > 500


def test_a_new_plan_goes_where_each_answer_orders_it(synthetic, tmp_path, monkeypatch):
    _, built_root, held = synthetic
    root = tmp_path / "store"
    shutil.copytree(built_root, root, symlinks=True)
    written, ran, asked = full_writes(monkeypatch), runs(monkeypatch), shares_asked(monkeypatch)
    done = replace_plan(root, held.stem, set(parse(Source(held, "plan"))), what="upload")
    assert not done.violations, [f.message for f in done.violations][:5]
    assert sorted(written) == sorted(WHOLE + SUMMED), "adding a plan rewrites only the units it is in (and the answers kept whole or added up)"
    assert [plan for _, plan in asked] == [ns.plan_iri(held.stem)] * len(SUMMED), "only the new plan's share is asked"
    assert_every_value_at_once(ran, limited=True)
    assert assert_kept_as_asked(root) > 500
    assert ns.plan_iri(held.stem).encode() in precomputed.read(current_build(root), "plans")


def test_a_plan_moved_to_another_partnership_rewrites_both(synthetic, tmp_path, monkeypatch):
    data, built_root, _ = synthetic
    root = tmp_path / "store"
    shutil.copytree(built_root, root, symlinks=True)
    plans = sorted((data / "plans").glob("*.ttl"))
    moved = set(parse(Source(plans[0], "plan")))
    iri = ns.plan_iri(plans[0].stem)
    home = next(t.object for t in moved if t.predicate == PARTNERSHIP and t.subject.value == iri)
    other = next(t.object for path in plans[1:] for t in parse(Source(path, "plan"))
                 if t.predicate == PARTNERSHIP and t.object != home)
    moved = {ox.Triple(t.subject, t.predicate, other) if t.predicate == PARTNERSHIP and t.object == home else t for t in moved}
    written, ran, asked = full_writes(monkeypatch), runs(monkeypatch), shares_asked(monkeypatch)
    done = replace_plan(root, plans[0].stem, moved)
    assert not done.violations, [f.message for f in done.violations][:5]
    assert sorted(written) == sorted(WHOLE + SUMMED), "a replace rewrites only the units its plan is in (and the answers kept whole or added up)"
    assert [plan for _, plan in asked] == [iri] * len(SUMMED), "only the moved plan's share is asked"
    assert_every_value_at_once(ran, limited=True)
    assert assert_kept_as_asked(root) > 500
    with sqlite3.connect(precomputed.path_for(current_build(root))) as db:
        units = {u for (u,) in db.execute("SELECT unit FROM plan_units WHERE question = 'duty-coverage' AND plan = ?", (iri,))}
    db.close()
    assert units == {other.value}


def test_units_placed_one_by_one_keep_the_question_order():
    """A unit rewritten by a change goes where the ORDER BY puts it, found by Oxigraph's own
    comparisons; thirty units placed into the same gap use up its room, and the positions are
    spread out again without losing the order."""
    db = sqlite3.connect(":memory:")
    precomputed._create(db)
    head = b"?u\t?x"
    order = precomputed._order_clause("SELECT ?u ?x WHERE { } ORDER BY ?x ?u")

    def line(i: int, x: str) -> bytes:
        return f'<urn:u:{i}>\t"{x}"^^<http://www.w3.org/2001/XMLSchema#decimal>\n'.encode()

    db.executemany("INSERT INTO units (question, position, unit, lines) VALUES ('q', ?, ?, ?)",
                   [(i * precomputed.SPACING, f"urn:u:{i}", line(i, f"{i}.0")) for i in range(3)])
    values = {0: 0.0, 1: 1.0, 2: 2.0}
    for k in range(30):  # each between unit 0 and the one placed before it: the gap halves each time
        i, x = 100 + k, 2.0 ** -(k + 1)
        assert precomputed._place(db, "q", head, order, f"urn:u:{i}", line(i, f"{x:.40f}".rstrip("0")))
        values[i] = x
    got = [u for (u,) in db.execute("SELECT unit FROM units WHERE question = 'q' ORDER BY position")]
    assert got == [f"urn:u:{i}" for i in sorted(values, key=lambda i: (values[i], i))]
    # two units whose positions leave no number between them: the positions are spread out again
    (last,) = db.execute("SELECT position FROM units WHERE question = 'q' AND unit = 'urn:u:2'").fetchone()
    db.execute("UPDATE units SET position = ? WHERE question = 'q' AND unit = 'urn:u:1'", (math.nextafter(last, -math.inf),))
    assert precomputed._place(db, "q", head, order, "urn:u:98", line(98, "1.5"))
    values[98] = 1.5
    got = [u for (u,) in db.execute("SELECT unit FROM units WHERE question = 'q' ORDER BY position")]
    assert got == [f"urn:u:{i}" for i in sorted(values, key=lambda i: (values[i], i))]
    positions = [p for (p,) in db.execute("SELECT position FROM units WHERE question = 'q' ORDER BY position")]
    assert len(set(positions)) == len(positions)


def test_the_pages_read_every_row_of_a_kept_answer_given_a_page_at_a_time(store_root, store):
    """A kept question answered a page at a time through the API (its `pagination`) is read whole
    by the pages for leads: at 3M the coverage page once drew only the first 101 of 16,374 gaps."""
    from cspkg.settings import Settings
    from cspkg.web import context, create_app, queries

    name = "actions-without-measures"
    size = KEPT[name].pagination
    want = live(store, name).count(b"\n") - 1
    assert size and want > size + 1, "the seed answer must be longer than a page for this test to say anything"
    app = create_app(Settings.from_env(store=store_root, cache_size=0))
    try:
        with app.test_request_context("/"):
            assert len(queries.rows(name)) == want
            page = app.test_client().get(f"/queries/{name}.json")
            assert len(page.get_json()["results"]["bindings"]) == size  # the API still gives one page
            context.runner().runner.close()
    finally:
        gc.collect()


@pytest.mark.parametrize("name", sorted(n for n, q in KEPT.items() if q.precomputed in precomputed.UNITS))
def test_a_kept_answer_read_for_some_units_is_their_rows_of_the_whole(synthetic, name):
    """The pages read a kept answer for the partnerships or plans they show (precomputed.read with
    units): exactly those units' rows of the whole answer, in its order, under its header. A
    question kept by value is read for the value with the most rows."""
    build_path = current_build(synthetic[1])
    if KEPT[name].kept_by_value:
        with sqlite3.connect(f"file:{precomputed.path_for(build_path)}?mode=ro", uri=True) as db:
            name = db.execute("SELECT question FROM units WHERE question LIKE ? GROUP BY question ORDER BY SUM(LENGTH(lines)) DESC",
                              (name + " %",)).fetchone()[0]
        db.close()
    whole = precomputed.read(build_path, name)
    head, _, body = whole.partition(b"\n")
    unit = KEPT[name.split(" ")[0]].precomputed
    solutions = list(ox.parse_query_results(whole, format=ox.QueryResultsFormat.TSV))
    lines = body.split(b"\n")[:-1]
    units = sorted({s[unit].value for s in solutions if s[unit] is not None})
    assert units, f"{name}: no rows to read by {unit}"
    some = units[::3] + ["https://w3id.org/cspkg/id/plan/no-such-plan"]  # every third, and one with no rows
    wanted = [line for line, s in zip(lines, solutions) if s[unit] is not None and s[unit].value in some]
    assert precomputed.read(build_path, name, units=some) == head + b"\n" + b"".join(line + b"\n" for line in wanted)
    assert precomputed.read(build_path, name, units=[]) == head + b"\n"


@pytest.mark.parametrize("name, column", [("duty-coverage", "duty"), ("plans", "partnership"), ("duties", "duty")])
def test_a_kept_answer_read_where_a_column_holds_an_iri_is_those_rows_of_the_whole(synthetic, name, column):
    """The pages read one duty's rows of a national answer (precomputed.read with `where`): exactly
    the rows whose cell in that column is the IRI, in the answer's order, under its header; every
    IRI in the column in turn, one the answer lacks, and a column the answer lacks (every row)."""
    build_path = current_build(synthetic[1])
    whole = precomputed.read(build_path, name)
    head, _, body = whole.partition(b"\n")
    solutions = list(ox.parse_query_results(whole, format=ox.QueryResultsFormat.TSV))
    lines = body.split(b"\n")[:-1]
    values = sorted({s[column].value for s in solutions if s[column] is not None})
    assert len(values) > 1, f"{name}: one {column} or none"
    for value in [*values, "https://w3id.org/cspkg/id/duty/no-such-duty"]:
        wanted = [line for line, s in zip(lines, solutions) if s[column] is not None and s[column].value == value]
        assert precomputed.read(build_path, name, where=(column, value)) == head + b"\n" + b"".join(line + b"\n" for line in wanted)
    assert precomputed.read(build_path, name, where=("noSuchColumn", values[0])) == whole
    # through the query process, in a format other than TSV too
    one = values[len(values) // 2]
    for fmt in ("tsv", "json"):
        served = runner_child.kept(Request("", fmt, store=str(build_path), precomputed=name, where=(column, one)))
        rows = list(ox.parse_query_results(served.body, format=ox.QueryResultsFormat.TSV if fmt == "tsv" else ox.QueryResultsFormat.JSON))
        assert served.rows == len(rows) > 0 and all(r[column].value == one for r in rows)


def test_a_question_kept_by_value_is_kept_for_each_thing_of_its_kind(built):
    """`actions-for-duty` (one required duty) is kept for every legal duty in the build; it is read
    under its key only when asked with that one value, and a question with another required
    parameter cannot be kept."""
    store = built[1]
    query = catalogue()["actions-for-duty"]
    assert query.kept_by_value is not None and query.kept_by_value.name == "duty"
    answers = precomputed.kept_answers(store)
    duties = {a.bound[0][1].value for a in answers.values() if a.query.name == "actions-for-duty"}
    every = {r["d"].value for r in store.query("SELECT ?d WHERE { ?d a <https://w3id.org/cspkg/def/LegalDuty> }")}
    assert duties == every and len(duties) > 20
    svd = ox.NamedNode(ns.ID + "duty/serious-violence-duty")
    assert precomputed.key(query, {"_duty_iri": svd}) == f"actions-for-duty duty={svd.value}"
    assert precomputed.key(query, {}) is None  # no value: the question runs (and says what it needs)
    assert precomputed.key(query, {"_duty_iri": ox.Literal("x")}) is None
    assert precomputed.key(catalogue()["plans"], {}) == "plans"
    plan = ox.NamedNode(ns.plan_iri("tendring-2021-22"))
    assert precomputed.key(catalogue()["overdue-actions"], {"_plan_iri": plan}) is None  # an optional value given: run
    assert precomputed.key(catalogue()["plan-summary"], {"_plan_iri": plan}) is None  # not kept


def test_a_kept_question_with_a_required_parameter_of_no_kind_is_refused(tmp_path: Path):
    bad = tmp_path / "bad.rq"
    bad.write_text("#+ summary: x\n#+ precomputed: plan\nSELECT ?plan WHERE { ?plan ?p ?_text } ORDER BY ?plan\n", encoding="utf-8")
    with pytest.raises(BadInput, match="'precomputed' keeps an answer for each value of one required parameter.*requires text"):
        load(bad)


def test_the_api_serves_a_question_kept_by_value_from_the_build(store_root, monkeypatch):
    """Through the app, actions-for-duty for a duty is read from the kept answer (the query process
    is asked for its key), every page and format the same bytes as the question run over the store."""
    from cspkg.settings import Settings
    from cspkg.web import create_app
    from cspkg.web import queries as web_queries

    asked, kept_answer = [], web_queries.kept_answer

    def served_from(keep: bool):
        def choose(*args, **kwargs):
            fields = kept_answer(*args, **kwargs) if keep else {}
            asked.append(fields.get("precomputed"))
            return fields
        monkeypatch.setattr(web_queries, "kept_answer", choose)

    app = create_app(Settings.from_env(store=store_root, cache_size=0))
    try:
        client = app.test_client()
        for duty in ("serious-violence-duty", "cda-crime-disorder-strategies", "mappa"):
            for fmt in ("csv", "json"):
                for page in (1, 2):
                    served_from(True)
                    served = client.get(f"/queries/actions-for-duty.{fmt}?duty={duty}&page={page}")
                    served_from(False)
                    run = client.get(f"/queries/actions-for-duty.{fmt}?duty={duty}&page={page}")
                    assert served.status_code == run.status_code == 200
                    assert served.data == run.data, (duty, fmt, page)
        assert f"actions-for-duty duty={ns.ID}duty/serious-violence-duty" in asked
    finally:
        app.extensions["cspkg"]["runner"].close()
        gc.collect()


def test_a_kept_answer_limited_to_units_is_the_question_limited_after_its_value_is_written(built):
    """A replace limits each kept answer's question to the changed plan's units before writing its
    value in (so the question's text is read once for all its values): the same text as limiting
    the question as asked."""
    from cspkg.answers.sparqltext import with_value_list

    plans = [ns.plan_iri("tendring-2021-22"), ns.plan_iri("thurrock-2023-24")]
    for answer in precomputed.kept_answers(built[1]).values():
        unit = answer.query.precomputed
        if unit in precomputed.UNITS:
            assert answer.limited(unit, plans) == with_value_list(answer.text, unit, [f"<{p}>" for p in plans]), answer.key

"""Progress returns: the workbook round trip, located errors, and end to end through the real CLI
(import the examples into a copy of data/, build, replace a return and keep the earlier one)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from openpyxl import load_workbook

from cspkg.errors import BadInput
from cspkg.returns import model
from cspkg.returns.workbook import COL, read, write_template
from cspkg.sources import DEFAULT_DATA, discover

CSPKG = str(Path(sys.executable).with_name("cspkg"))
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "returns"
PLAN, PERIOD = "thurrock-2023-24", "2023-24-q1"
CSP = "https://w3id.org/cspkg/def/"
RECEIVED = datetime(2023, 7, 13, 9, 0, tzinfo=timezone.utc)


def cspkg(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSPKG_")}
    return subprocess.run([CSPKG, *args], capture_output=True, text=True, env=env, timeout=600)


def row_of(ws, key: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=COL["Key"]).value == key)


def filled(tmp_path: Path, plan: str = PLAN, period: str = PERIOD, edit=None) -> Path:
    """A template for the plan and period, filled in for two actions (and edited by `edit`)."""
    path = tmp_path / f"{plan}-{period}.xlsx"
    write_template(DEFAULT_DATA, plan, period, path)
    book = load_workbook(path)
    ret, up = book["Return"], book["Updates"]
    ret["B4"], ret["B5"] = "2023-07-12", "Thurrock Council"
    r = row_of(up, "pop-1")
    for name, value in (("Status", "at risk"), ("Per cent complete", 60), ("Commentary", "Sign-off moved to September."),
                        ("Value", 3), ("Unit", "workshops")):
        up.cell(row=r, column=COL[name], value=value)
    up.cell(row=row_of(up, "pop-2"), column=COL["Status"], value="complete")
    if edit:
        edit(ret, up)
    book.save(path)
    return path


def test_the_template_lists_the_plans_actions_with_due_dates_and_a_status_drop_down(tmp_path):
    path = tmp_path / "t.xlsx"
    rows = write_template(DEFAULT_DATA, PLAN, PERIOD, path)
    book = load_workbook(path)
    up = book["Updates"]
    keys = [up.cell(row=r, column=1).value for r in range(2, up.max_row + 1)]
    assert rows == len(keys) and "pop-1" in keys and "priority/1" in keys
    r = row_of(up, "pop-1")
    assert up.cell(row=r, column=COL["Timing as stated"]).value == "by June 23"
    assert up.cell(row=r, column=COL["Due date"]).value.date() == date(2023, 6, 30)
    rules = up.data_validations.dataValidation
    assert len(rules) == 1 and rules[0].formula1 == '"' + ",".join(model.STATUSES) + '"'
    assert "F2" in str(rules[0].sqref)
    assert book["Return"]["B1"].value == PLAN and book["Return"]["B2"].value == PERIOD


def test_round_trip_workbook_to_return_to_turtle(tmp_path):
    ret = read(filled(tmp_path), DEFAULT_DATA, received=RECEIVED)
    assert (ret.plan, ret.period.key, ret.as_of) == (PLAN, PERIOD, date(2023, 7, 12))
    assert ret.reporter == "https://w3id.org/cspkg/id/agency/thurrock-council"
    by = {u.key: u for u in ret.updates}
    assert set(by) == {"pop-1", "pop-2"}  # rows left blank are not reported
    assert (by["pop-1"].status, by["pop-1"].percent, by["pop-1"].commentary) == ("at risk", Decimal("60"), "Sign-off moved to September.")
    assert [(o.value, o.unit) for o in by["pop-1"].observations] == [(Decimal("3"), "workshops")]
    triples = {q.triple for q in ox.parse(model.turtle(ret), format=ox.RdfFormat.TURTLE)}
    status = {t.subject.value.rsplit("/", 1)[1]: t.object.value for t in triples if t.predicate.value == CSP + "status"}
    assert status == {"pop-1": CSP + "atRisk", "pop-2": CSP + "complete"}
    me = ox.NamedNode(ret.iri)
    assert ox.Triple(me, ox.NamedNode(CSP + "asAt"), ox.Literal("2023-07-12", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))) in triples
    # the return never states anything about the plan's own things (only points at them)
    plan_things = {t.subject for t in ox.parse(path=str(DEFAULT_DATA / "plans" / f"{PLAN}.ttl"), format=ox.RdfFormat.TURTLE)}
    assert not {t.subject for t in triples} & plan_things


def one_problem(tmp_path, edit) -> str:
    with pytest.raises(BadInput) as err:
        read(filled(tmp_path, edit=edit), DEFAULT_DATA)
    lines = [line.strip() for line in str(err.value).splitlines()[1:]]
    assert len(lines) == 1, lines
    return lines[0]


def cell_of(up, key, column):
    return up.cell(row=row_of(up, key), column=COL[column])


BAD = {
    "unknown action key": (lambda ret, up: setattr(cell_of(up, "pop-2", "Key"), "value", "pop-999"),
                           "Updates!A", "(Key): 'pop-999' is not an action or priority of plan thurrock-2023-24"),
    "status not in the scheme": (lambda ret, up: setattr(cell_of(up, "pop-2", "Status"), "value", "amber-ish"),
                                 "Updates!F", "(Status): 'amber-ish' is not a status; write one of: not started, on track"),
    "value without its unit": (lambda ret, up: setattr(cell_of(up, "pop-1", "Unit"), "value", None),
                               "Updates!J", "(Unit): the value 3 has no unit"),
    "per cent over 100": (lambda ret, up: setattr(cell_of(up, "pop-1", "Per cent complete"), "value", 140),
                          "Updates!G", "(Per cent complete): 140 is not a number from 0 to 100"),
    "a person's name as reporter": (lambda ret, up: ret.__setitem__("B5", "Jane Smith"),
                                    "Return!B5", "(Reported by): 'Jane Smith' is not an organisation or role in the agency register"),
    "as of not a date": (lambda ret, up: ret.__setitem__("B4", "end of June"),
                         "Return!B4", "(As of): 'end of June' is not a date"),
    "spend not a number": (lambda ret, up: setattr(cell_of(up, "pop-2", "Spent to date (£)"), "value", "about two grand"),
                           "Updates!M", "(Spent to date (£)): 'about two grand' is not an amount of money; write the pounds spent on pop-2"),
    "spend negative": (lambda ret, up: setattr(cell_of(up, "pop-2", "Spent to date (£)"), "value", -250),
                       "Updates!M", "(Spent to date (£)): -250 is negative; write the pounds spent on pop-2 so far, 0 or more"),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_each_kind_of_bad_return_gives_a_located_error(kind, tmp_path):
    edit, place, words = BAD[kind]
    problem = one_problem(tmp_path, edit)
    assert problem.startswith(place) and words in problem, problem


def test_spend_to_date_is_read_per_action_and_recorded_on_its_update(tmp_path):
    def edit(ret, up):
        cell_of(up, "pop-2", "Spent to date (£)").value = "£1,250.50"
        cell_of(up, "pop-3", "Spent to date (£)").value = 0

    book = filled(tmp_path, edit=edit)
    head = [c.value for c in load_workbook(book)["Updates"][1]]
    assert head[-1] == "Spent to date (£)", "the template writes the column, last, so older workbooks read the same"
    got = read(book, DEFAULT_DATA)
    spent = {u.key: u.spent for u in got.updates if u.spent is not None}
    assert spent == {"pop-2": Decimal("1250.50"), "pop-3": Decimal("0")}
    text = model.turtle(got).decode()
    assert "csp:spentToDate 1250.50" in text or 'csp:spentToDate "1250.50"^^xsd:decimal' in text, text


def test_a_workbook_without_the_spend_column_gives_no_spend(tmp_path):
    def edit(ret, up):
        up.delete_cols(COL["Spent to date (£)"])

    assert all(u.spent is None for u in read(filled(tmp_path, edit=edit), DEFAULT_DATA).updates)


def test_spend_on_a_priority_or_twice_for_an_action_is_a_located_error(tmp_path):
    def edit(ret, up):
        row = up.max_row + 1
        up.cell(row=row, column=COL["Key"], value="pop-2")
        up.cell(row=row, column=COL["Spent to date (£)"], value=100)

    problem = one_problem(tmp_path, edit)
    assert problem.startswith("Updates!A") and "given a status, per cent, commentary or spend twice" in problem, problem

    def on_priority(ret, up):
        row = next(r for r in range(2, up.max_row + 1) if str(up.cell(row=r, column=COL["Key"]).value).startswith("priority/"))
        up.cell(row=row, column=COL["Spent to date (£)"], value=100)

    problem = one_problem(tmp_path, on_priority)
    assert problem.startswith("Updates!M") and "spend is reported per action, not per priority" in problem, problem


def test_a_second_row_for_an_action_adds_a_value_but_not_a_second_status(tmp_path):
    def second_value(ret, up):
        r = up.max_row + 1
        for name, value in (("Key", "pop-1"), ("Value", 5), ("Unit", "schools")):
            up.cell(row=r, column=COL[name], value=value)
    ret = read(filled(tmp_path, edit=second_value), DEFAULT_DATA)
    assert [o.unit for o in next(u for u in ret.updates if u.key == "pop-1").observations] == ["workshops", "schools"]

    def second_status(ret, up):
        r = up.max_row + 1
        up.cell(row=r, column=COL["Key"], value="pop-1")
        up.cell(row=r, column=COL["Status"], value="complete")
    assert "given a status, per cent, commentary or spend twice" in one_problem(tmp_path, second_status)


def test_a_value_is_read_against_a_target_of_that_action(tmp_path):
    plan, period = "castle-point-rochford-2017-18", "2017-18-q1"

    def against(target):
        def edit(ret, up):
            ret["B4"], ret["B5"] = "2017-07-14", "Rochford District Council"
            r = row_of(up, "r04")
            for name, value in (("Status", "complete"), ("Value", 92), ("Unit", "percent"), ("Against", target)):
                up.cell(row=r, column=COL[name], value=value)
        return edit
    path = tmp_path / "cp.xlsx"
    write_template(DEFAULT_DATA, plan, period, path)
    book = load_workbook(path)
    against("t:r04-1")(book["Return"], book["Updates"])
    book.save(path)
    ret = read(path, DEFAULT_DATA)
    obs = next(u for u in ret.updates if u.key == "r04").observations[0]
    assert obs.against == "https://w3id.org/cspkg/id/target/castle-point-rochford-2017-18/r04-1" and obs.kind == "t"
    book = load_workbook(path)
    book["Updates"].cell(row=row_of(book["Updates"], "r04"), column=COL["Against"], value="t:r02-1")
    book.save(path)
    with pytest.raises(BadInput, match=r"Updates!K\d+ \(Against\): 't:r02-1' is not a target or measure of r04; write one of: t:r04-1"):
        read(path, DEFAULT_DATA)


def test_a_period_outside_the_plan_is_refused(tmp_path):
    with pytest.raises(BadInput, match="outside plan thurrock-2023-24's period"):
        write_template(DEFAULT_DATA, PLAN, "2025-26-q1", tmp_path / "x.xlsx")
    with pytest.raises(BadInput, match="not a reporting period"):
        write_template(DEFAULT_DATA, PLAN, "Q1", tmp_path / "x.xlsx")


def test_the_examples_are_not_in_the_published_data():
    from cspkg.returns.derived import is_derived

    assert not EXAMPLES.resolve().is_relative_to(DEFAULT_DATA.resolve())
    # the published returns are only those derived from the seed plans' own updates (tests/test_derived_returns.py)
    published = [s for s in discover(DEFAULT_DATA) if s.kind == "return"]
    assert published and all(is_derived(s.path) for s in published)
    assert len(sorted(EXAMPLES.glob("*/*.xlsx"))) == 4


# ---- end to end through the real CLI --------------------------------------------------------------

@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    """A copy of data/ with the four example returns imported through `cspkg returns import`."""
    data = tmp_path_factory.mktemp("returns") / "data"
    shutil.copytree(DEFAULT_DATA, data)
    for workbook in sorted(EXAMPLES.glob("*/*.xlsx")):
        done = cspkg("returns", "import", str(workbook), "--data", str(data))
        assert done.returncode == 0, done.stderr
        assert "Wrote " in done.stdout and "Run `cspkg build`" in done.stdout
    return data


def count_statuses(workbook: Path) -> dict[str, int]:
    up = load_workbook(workbook)["Updates"]
    words = [str(up.cell(row=r, column=COL["Status"]).value or "").strip() for r in range(2, up.max_row + 1)
             if up.cell(row=r, column=COL["Key"]).value]
    rows = [r for r in range(2, up.max_row + 1) if up.cell(row=r, column=COL["Key"]).value
            and any(up.cell(row=r, column=COL[c]).value not in (None, "") for c in ("Status", "Per cent complete", "Commentary", "Value"))]
    counts: dict[str, int] = {}
    for r in rows:
        word = str(up.cell(row=r, column=COL["Status"]).value or "not stated")
        counts[word] = counts.get(word, 0) + 1
    assert words
    return counts


def test_import_writes_one_file_per_plan_and_period_and_the_build_loads_each_as_a_graph(imported, tmp_path):
    files = sorted(p.relative_to(imported / "returns").as_posix() for p in (imported / "returns").glob("*/*.ttl"))
    # the examples, and Colchester's return derived from its plan's own updates (the example Q1 replaced the derived one)
    assert files == ["castle-point-rochford-2017-18/2017-18-q1.ttl", "castle-point-rochford-2017-18/2017-18-q2.ttl",
                     "colchester-2018-19/2018-19-q4.ttl", "thurrock-2023-24/2023-24-q1.ttl", "thurrock-2023-24/2023-24-q2.ttl"]
    plan_before = (DEFAULT_DATA / "plans" / f"{PLAN}.ttl").read_bytes()
    assert (imported / "plans" / f"{PLAN}.ttl").read_bytes() == plan_before  # a return never edits its plan
    store = tmp_path / "store"
    done = cspkg("build", "--data", str(imported), "--store", str(store))
    assert done.returncode == 0, done.stdout + done.stderr
    query = ("PREFIX csp: <https://w3id.org/cspkg/def/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
             "SELECT ?g ?word (COUNT(?u) AS ?n) WHERE { GRAPH ?g { ?r a csp:ProgressReturn ; csp:includesUpdate ?u . ?u csp:status ?s } "
             "?s skos:prefLabel ?label BIND(STR(?label) AS ?word) } GROUP BY ?g ?word")
    out = cspkg("sparql", query, "--format", "json", "--store", str(store))
    assert out.returncode == 0, out.stderr
    found: dict[str, dict[str, int]] = {}
    for b in json.loads(out.stdout)["results"]["bindings"]:
        found.setdefault(b["g"]["value"].split("/graph/return/")[1], {})[b["word"]["value"]] = int(b["n"]["value"])
    expected = {f"{w.parent.name}/{w.stem}": count_statuses(w) for w in sorted(EXAMPLES.glob("*/*.xlsx"))}
    expected["colchester-2018-19/2018-19-q4"] = {"not stated": 24}  # derived: every update the plan states, not stated
    assert found == expected
    # the return's updates hang off the plan's actions after reasoning (csp:hasUpdate, csp:hasReturn)
    ask = ("PREFIX csp: <https://w3id.org/cspkg/def/> ASK { <https://w3id.org/cspkg/id/plan/thurrock-2023-24> csp:hasReturn ?r . "
           "<https://w3id.org/cspkg/id/action/thurrock-2023-24/pop-1> csp:hasUpdate ?u . ?u csp:partOfReturn ?r ; csp:status csp:offTrack }")
    assert "true" in cspkg("sparql", ask, "--format", "json", "--store", str(store)).stdout
    # parsed due dates are in their own graph, attributed to the parser
    due = ("PREFIX csp: <https://w3id.org/cspkg/def/> PREFIX prov: <http://www.w3.org/ns/prov#> ASK { GRAPH ?g { "
           "<https://w3id.org/cspkg/id/action/thurrock-2023-24/pop-1> csp:dueDate \"2023-06-30\"^^<http://www.w3.org/2001/XMLSchema#date> } "
           "?g a csp:ParsedAssertion ; prov:wasAttributedTo <https://w3id.org/cspkg/id/agency/cspkg-due-date-parser> }")
    assert "true" in cspkg("sparql", due, "--format", "json", "--store", str(store)).stdout


def test_a_second_return_for_the_period_replaces_the_first_and_keeps_it_in_history(imported, tmp_path):
    target = imported / "returns" / PLAN / f"{PERIOD}.ttl"
    first = target.read_bytes()
    workbook = tmp_path / "again.xlsx"
    shutil.copyfile(EXAMPLES / PLAN / f"{PERIOD}.xlsx", workbook)
    book = load_workbook(workbook)
    book["Updates"].cell(row=row_of(book["Updates"], "pop-1"), column=COL["Status"], value="complete")
    book.save(workbook)
    done = cspkg("returns", "import", str(workbook), "--data", str(imported))
    assert done.returncode == 0, done.stderr
    assert "The earlier return for the period is kept as" in done.stdout
    kept = sorted((imported / "history" / "returns" / PLAN / PERIOD).glob("*.ttl"))
    assert len(kept) == 1 and kept[0].read_bytes() == first
    assert b"csp:status csp:complete" in target.read_bytes() and target.read_bytes() != first
    listed = cspkg("returns", "history", PLAN, PERIOD, "--data", str(imported))
    assert listed.returncode == 0 and str(kept[0]) in listed.stdout and str(target) in listed.stdout


@pytest.mark.parametrize("kind", sorted(BAD))
def test_a_bad_return_through_the_cli_is_a_located_error_and_writes_nothing(kind, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data, ignore=shutil.ignore_patterns("plans", "editorial", "returns"))
    shutil.copytree(DEFAULT_DATA / "plans", data / "plans")
    edit, place, words = BAD[kind]
    done = cspkg("returns", "import", str(filled(tmp_path, edit=edit)), "--data", str(data))
    assert done.returncode == 2, done.stdout + done.stderr
    assert place in done.stderr and words in done.stderr and "nothing was written" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (data / "returns").exists()


def test_the_build_validates_a_return_against_its_plan(imported, tmp_path):
    """A return whose update names an action of another plan is caught by the shapes in the build."""
    data = tmp_path / "data"
    shutil.copytree(imported, data)
    target = data / "returns" / PLAN / f"{PERIOD}.ttl"
    target.write_text(target.read_text(encoding="utf-8").replace("csp:updateOf act:pop-2 ;",
                      "csp:updateOf <https://w3id.org/cspkg/id/action/colchester-2018-19/r01> ;", 1), encoding="utf-8")
    done = cspkg("validate", "--data", str(data))
    assert done.returncode == 1, done.stdout
    assert "colchester-2018-19/r01, which is not an action or priority of the plan this return reports on" in done.stdout


def test_the_returns_use_only_declared_terms_of_the_right_kind(imported):
    """OWL 2 DL typing, as tests/test_ontology.py checks it for the plans: every class and predicate
    of the imported returns is declared; object properties hold things, datatype properties literals."""
    from rdflib import Graph, Literal
    from rdflib.namespace import OWL, RDF, RDFS

    onto = Graph().parse(Path(__file__).resolve().parents[1] / "ontology" / "cspkg.ttl")
    kinds = {p: k for k in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty) for p in onto.subjects(RDF.type, k)}
    classes = set(onto.subjects(RDF.type, OWL.Class))
    wrong = set()
    for path in sorted((imported / "returns").glob("*/*.ttl")):
        for s, p, o in Graph().parse(path):
            if p == RDF.type:
                if o not in classes:
                    wrong.add(("undeclared class", str(o)))
            elif p not in kinds and not str(p).startswith(str(RDFS)):  # RDF(S)'s own terms need no declaration
                wrong.add(("undeclared property", str(p)))
            elif kinds.get(p) == OWL.ObjectProperty and isinstance(o, Literal):
                wrong.add(("object property with a literal", str(p)))
            elif kinds.get(p) == OWL.DatatypeProperty and not isinstance(o, Literal):
                wrong.add(("datatype property with a thing", str(p)))
    assert not wrong, sorted(wrong)


def test_replacing_the_plan_keeps_its_returns_and_parses_its_due_dates_again(imported, tmp_path):
    """`cspkg replace` swaps in one plan without a build: its returns stay, and are reasoned with it."""
    data = tmp_path / "data"
    shutil.copytree(imported, data)
    store = tmp_path / "store"
    assert cspkg("build", "--data", str(data), "--store", str(store)).returncode == 0
    plan = tmp_path / f"{PLAN}.ttl"
    plan.write_text((data / "plans" / f"{PLAN}.ttl").read_text(encoding="utf-8").replace('"by June 23"', '"by July 23"'), encoding="utf-8")
    done = cspkg("replace", str(plan), "--data", str(data), "--store", str(store))
    assert done.returncode == 0, done.stdout + done.stderr
    ask = ("PREFIX csp: <https://w3id.org/cspkg/def/> ASK { GRAPH <https://w3id.org/cspkg/graph/return/thurrock-2023-24/2023-24-q2> "
           "{ ?u csp:updateOf <https://w3id.org/cspkg/id/action/thurrock-2023-24/pop-1> } "
           "GRAPH <https://w3id.org/cspkg/graph/inferred/thurrock-2023-24> { <https://w3id.org/cspkg/id/action/thurrock-2023-24/pop-1> csp:hasUpdate ?u } "
           "GRAPH <https://w3id.org/cspkg/graph/parsed/thurrock-2023-24> "
           "{ <https://w3id.org/cspkg/id/action/thurrock-2023-24/pop-1> csp:dueDate \"2023-07-31\"^^<http://www.w3.org/2001/XMLSchema#date> } }")
    out = cspkg("sparql", ask, "--format", "json", "--store", str(store))
    assert json.loads(out.stdout)["boolean"] is True, out.stdout + out.stderr


def test_the_next_periods_template_shows_each_actions_last_status(imported, tmp_path):
    path = tmp_path / "q3.xlsx"
    write_template(imported, PLAN, "2023-24-q3", path)
    up = load_workbook(path)["Updates"]
    # Q2's return (the latest before Q3) says pop-1 is off track
    assert cell_of(up, "pop-1", "Last status").value == "off track"
    assert cell_of(up, "pop-1", "Status").value is None

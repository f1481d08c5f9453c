"""A plan workbook says who is who: names matched against the graph, a generic name meaning the plan's
own body, new things kept in the area file; a new partnership's plan goes in from the workbook alone,
through `cspkg import` and through an upload to the real server."""

from __future__ import annotations

import copy
import shutil

import pyoxigraph as ox
import pytest
import requests

from cspkg.namespaces import ID
from cspkg.pipeline.build import run
from cspkg.plans.workbook import mapping, names, register
from cspkg.plans.workbook.importer import read_tables
from cspkg.sources import DEFAULT_DATA
from lichfield_workbook import FIXTURE, KEY, ROWS, tables_for, write
from server import serving
from test_cli import cspkg
from test_durability import AUTH as DURABLE_AUTH
from test_durability import FORWARD, SAYS, STEPS, file_triples, iso, links, seed, serving_logged, site  # noqa: F401 (fixtures)
from test_workbook import fingerprint

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOKEN = "declarations-test-token"
LEAD = "https://w3id.org/cspkg/def/leadAgency"


def imported(rows):
    tabs = {t.sheet: t for t in tables_for(rows)}
    return read_tables(tabs, mapping.load(), register.load(DEFAULT_DATA), "lichfield.xlsx")


def changed(**sheets):
    rows = copy.deepcopy(ROWS)
    for sheet, edits in sheets.items():
        for row, values in edits.items():
            rows[sheet][row].update(values)
    return rows


def lead_of(result, action: str) -> set[str]:
    s = ox.NamedNode(f"{ID}action/{KEY}/{action}")
    return {t.object.value for t in result.triples if t.subject == s and t.predicate.value == LEAD}


def problems(result) -> list[str]:
    return [str(p) for p in result.problems]


# --- matching names ----------------------------------------------------------------------------

def test_names_match_in_any_order_with_and_or_ampersand_and_csp():
    assert names.key("Rochford & Castle Point CSP") == names.key("Castle Point and Rochford Community Safety Partnership")
    assert names.key("Lichfield District Council") != names.key("Lichfield District Community Safety Partnership")
    reg = register.load(DEFAULT_DATA)
    assert reg.find(register.AGENCY_PREFIXES, "Rochford & Castle Point Community Safety Partnership") == {
        f"{ID}partnership/castle-point-rochford-csp"}


def test_another_place_is_not_a_near_name_but_a_misspelling_is():
    reg = register.load(DEFAULT_DATA)
    assert reg.closest(register.AGENCY_PREFIXES, "Lichfield District Community Safety Partnership", area="staffordshire") == []
    assert reg.closest(register.AGENCY_PREFIXES, "Tendring Comunity Safety Partnership")[0] == "Tendring Community Safety Partnership"


def test_a_new_partnership_and_its_bodies_are_new_things_of_its_area():
    result = imported(ROWS)
    assert problems(result) == []
    declared = result.declared
    assert declared.area == "staffordshire"
    assert f"{ID}partnership/lichfield-district-csp" in declared.new
    assert f"{ID}agency/staffordshire-police" in declared.new
    new = [n.text for n in declared.notices if n.kind == "new"]
    assert any("partnership 'Lichfield District Community Safety Partnership'" in t for t in new)
    # no Essex partnership is offered for Lichfield
    assert not [n for n in declared.notices if n.kind == "near" and "Lichfield District Community" in n.text]


def test_police_means_the_partnerships_own_force_never_essex_police():
    result = imported(ROWS)
    assert lead_of(result, "a1") == {f"{ID}agency/staffordshire-police"}
    rows = changed(Partnership={0: {"Police force": ""}})
    result = imported(rows)
    said = problems(result)
    assert any("Actions row 2, column" in p and "'Police' means the partnership's own police force" in p
               and "Police force column" in p for p in said), said
    assert not lead_of(result, "a1")


def test_the_plans_own_wording_of_an_existing_partnership_resolves_to_it():
    rows = copy.deepcopy(ROWS)
    rows["Plan"][0]["Partnership"] = "Rochford & Castle Point CSP"
    rows["Partnership"] = [{"Name": "Rochford & Castle Point Community Safety Partnership", "Police area": "Essex"}]
    rows["Organisations"], rows["Funding streams"], rows["Strategies"] = [], [], []
    rows["Police and Crime Plan"] = []
    rows["Plan"][0].update({"Police and Crime Plan": "essex-pcp-2021-24", "Strategies cited": ""})
    rows["Actions"] = [dict(rows["Actions"][0], **{"PFCC priorities": "", "Funding": "", "Funding source": "",
                                                   "Supporting agencies": "Fire; Rochford District Council"})]
    result = imported(rows)
    assert problems(result) == []
    existing = [n.text for n in result.declared.notices if n.kind == "existing"]
    assert any("castle-point-rochford-csp" in t for t in existing), existing
    assert result.declared.new == []
    assert lead_of(result, "a1") == {f"{ID}agency/essex-police"}


def test_another_areas_alternative_name_is_not_taken_and_unknown_names_say_how_to_declare():
    rows = changed(Actions={0: {"Lead agency": "Trading Standards"}, 1: {"Lead agency": "Cannock Chase Council"}})
    said = problems(imported(rows))
    trading = next(p for p in said if "'Trading Standards'" in p)
    assert "Essex County Council Trading Standards (of Essex)" in trading and "Organisations sheet" in trading
    unknown = next(p for p in said if "'Cannock Chase Council'" in p)
    assert "unknown organisation" in unknown and "Organisations sheet" in unknown
    assert "partnerships in data/reference/partnerships.ttl" in unknown and "areas/staffordshire.ttl" in unknown


def test_essex_wide_bodies_are_of_essex_so_their_short_names_do_not_resolve_elsewhere():
    reg = register.load(DEFAULT_DATA)
    for key in ("essex-vvu", "setdab", "ecfrs", "mid-south-essex-icb", "essex-pfcc"):
        assert reg.area_of(f"{ID}agency/{key}") == "essex", key
    rows = changed(Actions={0: {"Lead agency": "VVU"}})
    said = problems(imported(rows))
    vvu = next(p for p in said if "'VVU'" in p)
    assert "Essex Violence and Vulnerability Unit (of Essex)" in vvu


JURISDICTION = f"{ID}jurisdiction/"


def test_a_declared_partnership_and_its_new_bodies_are_in_the_jurisdiction_of_their_police_area():
    result = imported(ROWS)
    placed = {(t.subject.value, t.object.value) for t in result.declared.triples
              if t.predicate.value == "https://w3id.org/cspkg/def/inJurisdiction"}
    assert (f"{ID}partnership/lichfield-district-csp", JURISDICTION + "england") in placed
    assert (f"{ID}agency/staffordshire-police", JURISDICTION + "england") in placed
    reg = register.load(DEFAULT_DATA)
    assert reg.jurisdictions[reg.police_area("Gwent")] == {JURISDICTION + "wales"}
    assert reg.jurisdictions[reg.police_area("Metropolitan Police")] == {JURISDICTION + "england"}


def test_a_police_area_not_of_england_and_wales_is_a_warning_that_says_what_is_not_checked():
    rows = changed(Partnership={0: {"Police area": "Staffs"}})
    result = imported(rows)
    warned = [n for n in result.declared.notices if n.kind == "warning"]
    assert len(warned) == 1 and "'Staffs' is not a police area of England and Wales" in warned[0].text
    assert "police-areas.ttl" in warned[0].text and warned[0].sheet == "Partnership"
    assert not [t for t in result.declared.triples if t.predicate.value.endswith("inJurisdiction")]


def test_a_role_may_name_an_organisation_the_organisations_sheet_declares_with_its_kind():
    rows = copy.deepcopy(ROWS)
    rows["Organisations"].append({"Name": "Lichfield District Council", "Kind": "unitary authority"})
    result = imported(rows)
    assert problems(result) == []
    council = ox.NamedNode(f"{ID}agency/lichfield-district-council")
    types = {t.object.value.rsplit("/", 1)[1] for t in result.declared.triples if t.subject == council and t.predicate.value.endswith("#type")}
    assert types == {"UnitaryAuthority"}
    assert result.declared.roles["council"] == {council.value}


def test_a_near_name_is_a_warning_with_candidates_of_the_same_area_first():
    rows = copy.deepcopy(ROWS)
    rows["Organisations"].append({"Name": "Staffordshire Polise", "Kind": "police force"})
    result = imported(rows)
    near = [n.text for n in result.declared.notices if n.kind == "near"]
    # whichever of the two is declared first, the second is reported as close to it
    assert any(("'Staffordshire Polise' is close to Staffordshire Police" in t or "'Staffordshire Police' is close to Staffordshire Polise" in t)
               for t in near), near


def test_the_template_has_the_who_is_who_sheets_and_its_about_sheet_explains_them(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "template.xlsx"
    done = cspkg("template", "-o", str(out))
    assert done.returncode == 0, done.stderr
    book = load_workbook(out, read_only=True)
    assert {"Partnership", "Organisations", "Funding streams", "Strategies", "Police and Crime Plan"} <= set(book.sheetnames)
    about = [[c for c in row if c] for row in book["About"].iter_rows(values_only=True)]
    assert any(row and str(row[0]).startswith("Who is who") and "areas/<police area>.ttl" in row[0] for row in about)
    assert any(row[:2] == ["Organisations", next(iter(r for r in row[1:] if r))] for row in about if row and row[0] == "Organisations")
    assert any(row[:2] == ["Police area", "yes"] for row in about)


def test_an_uploads_area_file_may_add_only_things_new_to_the_store(store_root):
    from cspkg.plans import areas, ownership
    from cspkg.store.embedded import EmbeddedStore

    store = EmbeddedStore.open(store_root)
    declared = imported(ROWS).declared
    area = areas.change(DEFAULT_DATA, declared)
    assert ownership.area_refusals(store, area) == []
    # an area file that says something about Essex Police (hand-kept reference data) is refused, statement by statement
    essex = ox.NamedNode(f"{ID}agency/essex-police")
    label = ox.Triple(essex, ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"), ox.Literal("Police", language="en"))
    forged = areas.AreaChange(area.data_dir, area.area, area.body, area.new, area.declared | {label}, area.area_name)
    refused = ownership.area_refusals(store, forged)
    assert [r.subject for r in refused] == [essex.value]
    assert "already exists (graph https://w3id.org/cspkg/graph/reference/agencies)" in refused[0].reason


# --- through the command line and the server ---------------------------------------------------

@pytest.fixture
def data_copy(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    return data


@pytest.mark.slow
def test_a_new_partnerships_workbook_imports_builds_and_is_published(tmp_path, data_copy):
    book = write(tmp_path / "lichfield.xlsx")
    assert book.read_bytes()[:2] == FIXTURE.read_bytes()[:2] == b"PK"
    before = fingerprint(data_copy / "reference")
    done = cspkg("import", str(book), "--data", str(data_copy))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "new: partnership 'Lichfield District Community Safety Partnership'" in done.stdout
    assert "Plan lichfield-2024-25 conforms" in done.stdout
    area_file = data_copy / "reference" / "areas" / "staffordshire.ttl"
    text = area_file.read_text(encoding="utf-8")
    assert "# Staffordshire Police: introduced by plan lichfield-2024-25 on " in text
    assert {q.subject.value for q in ox.parse(path=str(area_file), format=ox.RdfFormat.TURTLE)} >= {
        f"{ID}partnership/lichfield-district-csp", f"{ID}funding-stream/safer-streets-fund"}
    after = fingerprint(data_copy / "reference")
    assert {k: v for k, v in after.items() if not k.startswith("areas/")} == before  # no hand-kept file was touched
    # the next import of the area finds them: nothing new, the area file unchanged
    again = cspkg("import", str(book), "--data", str(data_copy))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "existing: police force 'Staffordshire Police'" in again.stdout or "existing: " in again.stdout
    assert "new: " not in again.stdout and area_file.read_text(encoding="utf-8") == text
    store = tmp_path / "store"
    built = cspkg("build", "--data", str(data_copy), "--store", str(store))
    assert built.returncode == 0, built.stdout + built.stderr
    assert "reference/areas/staffordshire" in built.stdout
    with serving(store, workers=1) as base:
        home = requests.get(base + "/", timeout=30)
        page = requests.get(f"{base}/plans/{KEY}", timeout=30)
    assert home.status_code == 200 and KEY in home.text
    assert page.status_code == 200 and "Staffordshire Police" in page.text and "Lichfield District Community Safety Partnership" in page.text


@pytest.mark.slow
def test_a_new_partnerships_workbook_uploads_with_its_area_file_in_one_commit(tmp_path, data_copy):
    store = tmp_path / "store"
    assert not run(data_copy, store).violations
    body = write(tmp_path / "lichfield.xlsx").read_bytes()
    area_file = data_copy / "reference" / "areas" / "staffordshire.ttl"
    with serving(store, workers=2, data=data_copy, write_token=TOKEN) as base:
        r = requests.post(base + "/plans", data=body, timeout=120,
                          headers={"Content-Type": XLSX, "X-Filename": "lichfield.xlsx", "Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 201, r.text
        assert f"{ID}partnership/lichfield-district-csp" in r.json()["new"]
        assert area_file.is_file() and (data_copy / "plans" / f"{KEY}.ttl").is_file()
        assert not list(area_file.parent.glob(".*"))  # nothing left staged
        page = requests.get(f"{base}/plans/{KEY}", timeout=30)
        assert page.status_code == 200 and "Staffordshire Police" in page.text
        thing = requests.get(f"{base}/doc/agency/staffordshire-police", timeout=30)
        assert thing.status_code == 200 and "Staffordshire Police" in thing.text
        text = area_file.read_bytes()
        # the same workbook again: every name now resolves to what the first upload made
        again = requests.post(base + "/plans", data=body, timeout=120,
                              headers={"Content-Type": XLSX, "Authorization": f"Bearer {TOKEN}"})
        assert again.status_code == 200, again.text
        assert again.json()["new"] == [] and area_file.read_bytes() == text
    # a full build from the data folder agrees with what the upload made
    done = cspkg("build", "--data", str(data_copy), "--store", str(store))
    assert done.returncode == 0 and "0 violations" in done.stdout, done.stdout + done.stderr


# --- one commit: killed at each step, the area file and the store still agree -------------------



@pytest.mark.slow
@pytest.mark.parametrize("step", STEPS)
def test_an_upload_with_an_area_file_killed_at_each_step_is_recovered(site, tmp_path, step):  # noqa: F811
    data, store = site
    before = links(store)
    body = write(tmp_path / "lichfield.xlsx").read_bytes()
    area_file = data / "reference" / "areas" / "staffordshire.ttl"
    log = tmp_path / "server.log"
    with serving_logged(store, data, log, crash_at=step) as base, pytest.raises(requests.ConnectionError):  # the worker died
        requests.post(base + "/plans", data=body, headers={"Content-Type": XLSX, **DURABLE_AUTH}, timeout=120)
    started = log.stat().st_size
    with serving_logged(store, data, log) as base:
        said = log.read_text()[started:]
        assert f"cspkg: recovered: {SAYS[step]}" in said, said
        assert not list(area_file.parent.glob(".*")) if area_file.parent.exists() else True  # nothing left staged
        served = requests.get(f"{base}/graph/reference/areas/staffordshire", headers={"Accept": "application/n-triples"}, timeout=60)
        if step in FORWARD:  # the commit stands: the area file and the plan file are there, and say what the store says
            assert area_file.is_file() and (data / "plans" / f"{KEY}.ttl").is_file()
            assert served.status_code == 200 and iso(ox.parse(served.content, format=ox.RdfFormat.N_TRIPLES)) == file_triples(area_file)
        else:  # undone: neither file, nor the area's graph
            assert not area_file.exists() and not (data / "plans" / f"{KEY}.ttl").exists()
            assert served.status_code == 404 or not served.content.strip()
            assert links(store) == before
        again = requests.post(base + "/plans", data=body, headers={"Content-Type": XLSX, **DURABLE_AUTH}, timeout=120)
        assert again.status_code in (200, 201) and again.json()["recovered"] == [], again.text
        assert area_file.is_file()


@pytest.mark.slow
def test_a_mistaken_new_organisation_is_merged_into_the_existing_one(tmp_path, data_copy):
    rows = copy.deepcopy(ROWS)
    rows["Organisations"].append({"Name": "Staffordshire Polise", "Kind": "police force"})
    rows["Actions"][1]["Supporting agencies"] += "; Staffordshire Polise"
    book = write(tmp_path / "typo.xlsx", rows)
    done = cspkg("import", str(book), "--data", str(data_copy))
    assert done.returncode == 0 and "is close to Staffordshire Pol" in done.stdout, done.stdout + done.stderr
    plan_file = data_copy / "plans" / f"{KEY}.ttl"
    assert "staffordshire-polise" in plan_file.read_text(encoding="utf-8")
    merged = cspkg("merge", "agency/staffordshire-polise", "agency/staffordshire-police", "--data", str(data_copy))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert f"rewrote plan {KEY}" in merged.stdout
    assert "staffordshire-polise" not in plan_file.read_text(encoding="utf-8")
    area = {q.triple for q in ox.parse(path=str(data_copy / "reference" / "areas" / "staffordshire.ttl"), format=ox.RdfFormat.TURTLE)}
    old, new = ox.NamedNode(f"{ID}agency/staffordshire-polise"), ox.NamedNode(f"{ID}agency/staffordshire-police")
    assert ox.Triple(old, ox.NamedNode("http://purl.org/dc/terms/isReplacedBy"), new) in area
    assert ox.Triple(new, ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"), ox.Literal("Staffordshire Polise", language="en")) in area
    # the same workbook again finds the merged name as the existing force; hand-kept reference data cannot be merged
    again = cspkg("import", str(book), "--data", str(data_copy))
    assert again.returncode == 0 and "new: " not in again.stdout, again.stdout + again.stderr
    refused = cspkg("merge", "agency/essex-police", "agency/staffordshire-police", "--data", str(data_copy))
    assert refused.returncode == 2 and "not in an area file" in refused.stderr, refused.stderr
    built = cspkg("build", "--data", str(data_copy), "--store", str(tmp_path / "store"))
    assert built.returncode == 0 and "0 violations" in built.stdout, built.stdout + built.stderr


@pytest.mark.slow
def test_a_withdrawn_plans_iris_answer_with_what_replaced_it(tmp_path, data_copy):
    done = cspkg("withdraw", "colchester-2018-19", "--replaced-by", "tendring-2021-22", "--data", str(data_copy))
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (data_copy / "plans" / "colchester-2018-19.ttl").exists()
    assert len(list((data_copy / "history" / "plans" / "colchester-2018-19").glob("*.ttl"))) == 1
    # its progress return (derived from its own updates) is kept in history with it, so no return is left without its plan
    assert not (data_copy / "returns" / "colchester-2018-19").exists()
    assert len(list((data_copy / "history" / "returns" / "colchester-2018-19" / "2018-19-q4").glob("*.ttl"))) == 1
    store = tmp_path / "store"
    built = cspkg("build", "--data", str(data_copy), "--store", str(store))
    assert built.returncode == 0 and "0 violations" in built.stdout, built.stdout + built.stderr
    with serving(store, workers=1) as base:
        r = requests.get(f"{base}/id/plan/colchester-2018-19", headers={"Accept": "text/turtle"}, timeout=30)
        assert r.status_code == 200, r.status_code
        said = {q.triple for q in ox.parse(r.content, format=ox.RdfFormat.TURTLE)}
        replaced = {t.object.value for t in said if t.predicate.value == "http://purl.org/dc/terms/isReplacedBy"}
        assert replaced == {f"{ID}plan/tendring-2021-22"}
        assert any("Withdrawn on" in t.object.value for t in said if t.predicate.value.endswith("historyNote"))
        home = requests.get(base + "/", timeout=30)
        assert home.status_code == 200 and "colchester-2018-19" not in home.text


@pytest.mark.slow
def test_cspkg_replace_of_an_imported_plan_carries_its_area_file_into_the_store(tmp_path, data_copy):
    store = tmp_path / "store"
    assert not run(data_copy, store).violations  # the store knows nothing of Staffordshire
    done = cspkg("import", str(write(tmp_path / "lichfield.xlsx")), "--data", str(data_copy))
    assert done.returncode == 0, done.stdout + done.stderr
    plan_file = data_copy / "plans" / f"{KEY}.ttl"
    replaced = cspkg("replace", str(plan_file), "--data", str(data_copy), "--store", str(store))
    assert replaced.returncode == 0, replaced.stdout + replaced.stderr
    answer = cspkg("sparql", "--store", str(store), "--format", "csv",
                   f"SELECT ?label WHERE {{ GRAPH <https://w3id.org/cspkg/graph/reference/areas/staffordshire> "
                   f"{{ <{ID}agency/staffordshire-police> <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }} }}")
    assert answer.returncode == 0 and "Staffordshire Police" in answer.stdout, answer.stdout + answer.stderr

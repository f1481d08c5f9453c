"""What an upload may write, through the real server: only its own plan's resources and new ones;
partnership tokens write only their partnership's plans; a damaged workbook is refused clearly."""

from __future__ import annotations

import io
import shutil
import struct
import zipfile

import pytest
import requests

from cspkg.pipeline.build import run
from cspkg.sources import DEFAULT_DATA
from server import serving
from test_cli import cspkg
from test_workbook import EXAMPLE, EXAMPLE_XLSX, fingerprint

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TTL = {"Content-Type": "text/turtle"}
ADMIN = "admin-token-for-the-ownership-tests"
ID = "https://w3id.org/cspkg/id/"
DCT_TITLE = "http://purl.org/dc/terms/title"
PREFIXES = b"""@prefix dct: <http://purl.org/dc/terms/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix org: <http://www.w3.org/ns/org#> .
@prefix csp: <https://w3id.org/cspkg/def/> .
"""

pytestmark = pytest.mark.slow


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def issue(tokens_file, partnership: str, data) -> str:
    done = cspkg("token", "issue", "--partnership", partnership, "--label", f"{partnership} officer",
                 "--file", str(tokens_file), "--data", str(data))
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A data folder copy, its store, partnership tokens for Tendring and Braintree, and a server with writes on."""
    root = tmp_path_factory.mktemp("ownership")
    data = root / "data"
    shutil.copytree(DEFAULT_DATA, data)
    store = root / "store"
    assert not run(data, store).violations
    tokens_file = root / "write-tokens"
    scoped = {p: issue(tokens_file, p, data) for p in ("tendring-csp", "braintree-csp")}
    with serving(store, workers=2, data=data, write_token=ADMIN, tokens_file=tokens_file) as base:
        yield base, data, scoped, tokens_file


def plan_ttl(data, key: str) -> bytes:
    return (data / "plans" / f"{key}.ttl").read_bytes()


def with_extra(data, key: str, extra: bytes) -> bytes:
    """The stored plan's Turtle with more statements at the end (their own prefixes declared again)."""
    return plan_ttl(data, key) + b"\n" + PREFIXES + extra


def build_id(base: str) -> str:
    return requests.get(base + "/healthz", timeout=10).json()["build"]


def titles(base: str, iri: str) -> set[str]:
    r = requests.get(base + "/sparql", params={"query": f"SELECT ?t WHERE {{ <{iri}> <{DCT_TITLE}> ?t }}"},
                     headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200, r.text
    return {b["t"]["value"] for b in r.json()["results"]["bindings"]}


def refused(base: str, data, body: bytes, token: str, status: int) -> dict:
    """Post an upload that must be refused; check nothing changed, in the data folder or the store."""
    before, build = fingerprint(data), build_id(base)
    r = requests.post(base + "/plans", data=body, headers={**TTL, **bearer(token)}, timeout=60)
    assert r.status_code == status, r.text
    assert fingerprint(data) == before and build_id(base) == build
    return r.json()


def test_another_plans_title_cannot_be_changed(site):
    base, data, _, _ = site
    braintree = ID + "plan/braintree-2022-23"
    original = titles(base, braintree)
    body = refused(base, data, with_extra(data, "tendring-2021-22", f'<{braintree}> dct:title "Taken over"@en .'.encode()), ADMIN, 422)
    assert not body["ok"] and "nothing was changed" in body["error"]
    assert body["refused"] == [{"subject": braintree, "predicate": DCT_TITLE, "object": '"Taken over"@en',
                                "reason": "the resource belongs to plan braintree-2022-23"}]
    assert titles(base, braintree) == original and "Taken over" not in original


def test_reference_data_cannot_be_changed(site):
    base, data, _, _ = site
    extra = (b'<https://w3id.org/cspkg/id/agency/essex-police> rdfs:label "Essex Constabulary (renamed)"@en .\n'
             b'<https://w3id.org/cspkg/id/partnership/tendring-csp> skos:prefLabel "Renamed Partnership"@en .\n')
    body = refused(base, data, with_extra(data, "tendring-2021-22", extra), ADMIN, 422)
    reasons = {r["subject"].rsplit("/", 1)[1]: r["reason"] for r in body["refused"]}
    assert reasons == {
        "essex-police": "the resource is reference data in graph https://w3id.org/cspkg/graph/reference/agencies; "
                        "uploads cannot change reference data",
        "tendring-csp": "the resource is reference data in graph https://w3id.org/cspkg/graph/reference/partnerships; "
                        "uploads cannot change reference data"}
    assert {r["object"] for r in body["refused"]} == {'"Essex Constabulary (renamed)"@en', '"Renamed Partnership"@en'}


def test_schema_ontology_terms_and_the_build_record_cannot_be_stated(site):
    """A new property declared the inverse of dct:title would let the reasoner title another plan."""
    base, data, _, _ = site
    extra = (b'<https://w3id.org/cspkg/id/agency/new-thing> <http://www.w3.org/2002/07/owl#inverseOf> dct:title .\n'
             b'csp:brandNewTerm rdfs:label "New"@en .\n'
             b'<https://w3id.org/cspkg/id/dataset/cspkg> <http://www.w3.org/2002/07/owl#versionInfo> "build-forged" .\n')
    body = refused(base, data, with_extra(data, "tendring-2021-22", extra), ADMIN, 422)
    reasons = {r["subject"].rsplit("/", 1)[1]: r["reason"] for r in body["refused"]}
    assert reasons["new-thing"].startswith("a plan cannot state schema")
    assert reasons["brandNewTerm"] == ("the resource is a term of the ontology's namespace https://w3id.org/cspkg/def/; "
                                       "uploads cannot add to the ontology")
    assert reasons["cspkg"].startswith("the resource is reference data in graph https://w3id.org/cspkg/graph/build;")


def test_a_new_iri_in_another_plans_namespace_is_refused(site):
    base, data, _, _ = site
    body = refused(base, data, with_extra(data, "tendring-2021-22", b'<%saction/braintree-2022-23/r99> rdfs:label "Planted"@en .' % ID.encode()),
                   ADMIN, 422)
    assert body["refused"][0]["reason"] == "the resource belongs to plan braintree-2022-23 (its IRI is in that plan's namespace)"


def test_a_new_organisation_is_accepted(site):
    base, data, scoped, _ = site
    org = ID + "agency/tendring-youth-trust"
    extra = f'<{org}> a org:Organization ; skos:prefLabel "Tendring Youth Trust"@en .'.encode()
    r = requests.post(base + "/plans", data=with_extra(data, "tendring-2021-22", extra),
                      headers={**TTL, **bearer(scoped["tendring-csp"])}, timeout=60)
    assert r.status_code == 200, r.text
    q = requests.get(base + "/sparql", params={"query": f"SELECT ?g WHERE {{ GRAPH ?g {{ <{org}> ?p ?o }} }}"},
                     headers={"Accept": "application/sparql-results+json"}, timeout=30).json()
    assert {b["g"]["value"] for b in q["results"]["bindings"]} >= {"https://w3id.org/cspkg/graph/plan/tendring-2021-22"}
    # now it is Tendring's: another plan may name it, but not describe it
    body = refused(base, data, with_extra(data, "colchester-2018-19", f'<{org}> rdfs:label "Ours now"@en .'.encode()), ADMIN, 422)
    assert body["refused"][0]["reason"] == "the resource belongs to plan tendring-2021-22"


def test_a_partnership_token_writes_its_own_plans_only(site):
    base, data, scoped, _ = site
    tendring, braintree = scoped["tendring-csp"], scoped["braintree-csp"]
    # its own plan: written
    new = plan_ttl(data, "tendring-2021-22").replace(b'csp:periodAsStated "2021/2022"', b'csp:periodAsStated "2021-2022"')
    r = requests.post(base + "/plans", data=new, headers={**TTL, **bearer(tendring)}, timeout=60)
    assert r.status_code == 200, r.text
    # another partnership's plan: refused, naming both partnerships
    body = refused(base, data, plan_ttl(data, "braintree-2022-23"), tendring, 403)
    assert body["error"] == ("this token is for partnership tendring-csp; plan braintree-2022-23 belongs to partnership braintree-csp "
                             "in the upload and partnership braintree-csp in the store; nothing was changed")
    # nor by renaming that plan's partnership to its own: the stored plan still says Braintree
    taken = plan_ttl(data, "braintree-2022-23").replace(b"csp:partnership pt:braintree-csp", b"csp:partnership pt:tendring-csp")
    assert taken != plan_ttl(data, "braintree-2022-23")
    body = refused(base, data, taken, tendring, 403)
    assert "tendring-csp in the upload and partnership braintree-csp in the store" in body["error"]
    # a new plan (a workbook) of Braintree's: written by Braintree's token, refused to Tendring's
    before = fingerprint(data)
    r = requests.post(base + "/plans", data=EXAMPLE_XLSX.read_bytes(), headers={"Content-Type": XLSX, **bearer(tendring)}, timeout=60)
    assert r.status_code == 403 and f"plan {EXAMPLE} belongs to partnership braintree-csp in the upload;" in r.json()["error"]
    assert fingerprint(data) == before
    r = requests.post(base + "/plans", data=EXAMPLE_XLSX.read_bytes(), headers={"Content-Type": XLSX, **bearer(braintree)}, timeout=60)
    assert r.status_code == 201, r.text


def test_the_administrator_token_writes_any_plan(site):
    base, data, _, _ = site
    old = plan_ttl(data, "braintree-2022-23")
    new = old.replace(b'csp:periodAsStated "2022-23"', b'csp:periodAsStated "2022 to 2023"')
    assert new != old
    r = requests.post(base + "/plans", data=new, headers={**TTL, **bearer(ADMIN)}, timeout=60)
    assert r.status_code == 200, r.text
    assert plan_ttl(data, "braintree-2022-23") != old


def test_a_revoked_token_is_refused_at_once(site):
    base, data, _, tokens_file = site
    token = issue(tokens_file, "colchester-csp", data)
    body = plan_ttl(data, "colchester-2018-19")
    r = requests.post(base + "/plans", data=body, headers={**TTL, **bearer(token)}, timeout=60)
    assert r.status_code == 200, r.text  # issued while the server runs: it re-reads the file
    listed = cspkg("token", "list", "--file", str(tokens_file))
    line = next(l for l in listed.stdout.splitlines() if "colchester-csp" in l)
    done = cspkg("token", "revoke", line.split()[0], "--file", str(tokens_file))
    assert done.returncode == 0, done.stderr
    for _ in range(4):  # every worker
        r = requests.post(base + "/plans", data=body, headers={**TTL, **bearer(token)}, timeout=60)
        assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer"), r.text


# --- a damaged workbook: 400 (import: exit 2) naming the part; nothing written -------------------

def forged(field: str, part: str = "xl/worksheets/sheet2.xml", delta: int = 1000) -> bytes:
    """The example workbook with one central-directory field of one part changed."""
    data = bytearray(EXAMPLE_XLSX.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        assert part in z.namelist()
    at = 0
    while True:  # the part's central directory record: signature, then its name at offset 46
        at = data.index(b"PK\x01\x02", at)
        size = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + size] == part.encode():
            break
        at += 4
    offset = {"crc": 16, "size": 24}[field]
    value = struct.unpack_from("<I", data, at + offset)[0]
    struct.pack_into("<I", data, at + offset, value ^ 0x5A5A if field == "crc" else max(0, value + delta))
    return bytes(data)


DAMAGED = [
    (lambda: forged("size", delta=1000), "part xl/worksheets/sheet2.xml: it unpacks to"),
    (lambda: forged("size", delta=-500), "part xl/worksheets/sheet2.xml: Bad CRC-32"),
    (lambda: forged("crc", part="xl/workbook.xml"), "part xl/workbook.xml: Bad CRC-32"),
    (lambda: EXAMPLE_XLSX.read_bytes()[:len(EXAMPLE_XLSX.read_bytes()) // 2], "the file is cut short: the last part it holds, "),
    (lambda: EXAMPLE_XLSX.read_bytes()[:-30], "the zip directory after them is cut off"),
]


@pytest.mark.parametrize("make, text", DAMAGED, ids=["size-larger", "size-smaller", "crc", "truncated", "directory-cut"])
def test_a_damaged_workbook_is_refused_by_upload(site, make, text):
    base, data, _, _ = site
    before, build = fingerprint(data), build_id(base)
    r = requests.post(base + "/plans", data=make(), headers={"Content-Type": XLSX, "X-Filename": "plan.xlsx", **bearer(ADMIN)}, timeout=60)
    assert r.status_code == 400, r.text
    assert r.json()["error"].startswith("plan.xlsx: the workbook is damaged: ") and text in r.json()["error"]
    assert fingerprint(data) == before and build_id(base) == build


@pytest.mark.parametrize("make, text", DAMAGED, ids=["size-larger", "size-smaller", "crc", "truncated", "directory-cut"])
def test_a_damaged_workbook_is_refused_by_import(tmp_path, make, text):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    book = tmp_path / "plan.xlsx"
    book.write_bytes(make())
    before = fingerprint(data)
    done = cspkg("import", str(book), "--data", str(data))
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"cspkg: {book}: the workbook is damaged: " in done.stderr and text in done.stderr
    assert "Traceback" not in done.stderr and fingerprint(data) == before


def test_import_warns_of_what_an_upload_would_be_refused(tmp_path, site):
    """`cspkg import` is the administrator's: it writes the plan, and warns (the store given by CSPKG_STORE)."""
    import os
    import subprocess

    from test_cli import CSPKG

    _, data, _, _ = site
    copy = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, copy)
    plan = tmp_path / "tendring-2021-22.ttl"
    plan.write_bytes(with_extra(data, "tendring-2021-22", b'<https://w3id.org/cspkg/id/agency/essex-police> rdfs:label "Renamed"@en .'))
    store = data.parent / "store"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CSPKG_")}, "CSPKG_STORE": str(store)}
    done = subprocess.run([CSPKG, "import", str(plan), "--data", str(copy)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert ("warning: https://w3id.org/cspkg/id/agency/essex-police http://www.w3.org/2000/01/rdf-schema#label \"Renamed\"@en: "
            "the resource is reference data in graph https://w3id.org/cspkg/graph/reference/agencies") in done.stderr
    assert b"Renamed" in (copy / "plans" / "tendring-2021-22.ttl").read_bytes()

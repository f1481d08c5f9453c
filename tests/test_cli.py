"""End to end through the real `cspkg` command: build, validate, sparql, and their failures."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cspkg.sources import DEFAULT_DATA

CSPKG = str(Path(sys.executable).with_name("cspkg"))
PLAN = "thurrock-2023-24"


def cspkg(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSPKG_")}
    return subprocess.run([CSPKG, *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def good_store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli-store")
    done = cspkg("build", "--store", str(root))
    assert done.returncode == 0, done.stderr
    assert "0 violations" in done.stdout
    return root


@pytest.fixture
def data_copy(tmp_path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, copy)
    return copy


def current(root: Path) -> str:
    return os.readlink(root / "current")


def test_build_prints_graphs_triples_findings_and_stage_times(good_store):
    out = cspkg("build", "--store", str(good_store)).stdout
    assert "asserted" in out and "inferred" in out
    for stage in ("load", "reason", "validate", "store"):
        assert f"{stage} " in out.split("Seconds:")[1]
    assert "Warnings" in out  # the plans' real gaps are listed, and do not fail the build


def test_broken_turtle_names_file_line_and_keeps_the_plans_last_good_version(good_store, data_copy):
    before = current(good_store)
    plan = data_copy / "plans" / f"{PLAN}.ttl"
    lines = plan.read_text(encoding="utf-8").splitlines()
    lines.insert(40, "this is not turtle ;")
    plan.write_text("\n".join(lines), encoding="utf-8")
    done = cspkg("build", "--data", str(data_copy), "--store", str(good_store))
    assert done.returncode == 1
    assert f"{plan}:41:" in done.stdout and f"kept the version built at {before}" in done.stdout
    assert "Traceback" not in done.stderr
    assert current(good_store) != before  # the other plans were published
    query = cspkg("sparql", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <https://w3id.org/cspkg/graph/plan/{PLAN}> {{ ?s ?p ?o }} }}",
                  "--store", str(good_store))
    assert query.returncode == 0 and int(query.stdout.splitlines()[2]) > 1000


def test_violations_leave_the_plan_out_and_the_rest_are_published(good_store, data_copy):
    plan = data_copy / "plans" / f"{PLAN}.ttl"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text + "\n<https://w3id.org/cspkg/id/funding/thurrock-2023-24/pop-1-1> "
                    "<https://w3id.org/cspkg/def/amount> \"lots\" .\n", encoding="utf-8")
    done = cspkg("build", "--data", str(data_copy), "--store", str(good_store))
    assert done.returncode == 1
    assert "Violations" in done.stdout and "The amount must be one number of pounds" in done.stdout
    assert f"({PLAN}): " in done.stdout.split("left out of this build")[1]
    assert f"left out or kept at an earlier version ({PLAN})" in done.stderr


def test_validate_one_plan_file_reports_in_plain_words(data_copy):
    done = cspkg("validate", str(data_copy / "plans" / "tendring-2021-22.ttl"), "--data", str(data_copy))
    assert done.returncode == 0, done.stderr
    assert "Tendring" in done.stdout and "No lead agency is given" in done.stdout
    assert "Conforms" in done.stdout


def test_validate_reports_a_violation_with_exit_1(data_copy):
    plan = data_copy / "plans" / "braintree-2022-23.ttl"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("dct:title", "dct:alternative", 1), encoding="utf-8")
    done = cspkg("validate", "--data", str(data_copy))
    assert done.returncode == 1
    assert "The plan has no title." in done.stdout


def test_sparql_formats(good_store):
    query = "SELECT ?plan ?title WHERE { ?plan a csp:PartnershipPlan ; dct:title ?title } ORDER BY ?plan"
    prefixed = "PREFIX csp: <https://w3id.org/cspkg/def/> PREFIX dct: <http://purl.org/dc/terms/> " + query
    table = cspkg("sparql", prefixed, "--store", str(good_store))
    assert table.returncode == 0 and "(5 rows)" in table.stdout
    rows = json.loads(cspkg("sparql", prefixed, "--format", "json", "--store", str(good_store)).stdout)
    assert len(rows["results"]["bindings"]) == 5
    csv_rows = list(csv.DictReader(io.StringIO(cspkg("sparql", prefixed, "--format", "csv", "--store", str(good_store)).stdout)))
    assert {r["plan"].rsplit("/", 1)[1] for r in csv_rows} >= {"thurrock-2023-24", "braintree-2022-23"}


def test_sparql_from_a_file_and_construct_as_turtle(good_store, tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text("CONSTRUCT { ?d ?p ?o } WHERE { GRAPH <https://w3id.org/cspkg/graph/reference/duties> { ?d ?p ?o } } LIMIT 5")
    done = cspkg("sparql", str(rq), "--store", str(good_store))
    assert done.returncode == 0 and "@prefix" in done.stdout


def test_sparql_errors_say_what_is_wrong(good_store, tmp_path):
    bad = cspkg("sparql", "SELECT WHERE {", "--store", str(good_store))
    assert bad.returncode == 2 and "SPARQL syntax error" in bad.stderr and "Traceback" not in bad.stderr
    missing = cspkg("sparql", "SELECT * WHERE { ?s ?p ?o }", "--store", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "run `cspkg build` first" in missing.stderr
    nofile = cspkg("sparql", str(tmp_path / "absent.rq"), "--store", str(good_store))
    assert nofile.returncode == 2 and "absent.rq: query file not found" in nofile.stderr

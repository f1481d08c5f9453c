"""Shared fixtures: the real seed data built once per test session into a temporary store."""

from __future__ import annotations

from pathlib import Path

import pytest

from cspkg.pipeline.build import run
from cspkg.sources import DEFAULT_DATA, REPO
from cspkg.store.embedded import EmbeddedStore

PLANS = ["braintree-2022-23", "castle-point-rochford-2017-18", "colchester-2018-19", "thurrock-2023-24", "tendring-2021-22"]


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """(BuildResult, EmbeddedStore) for the repo's data, built into a temporary store."""
    root = tmp_path_factory.mktemp("store")
    result = run(DEFAULT_DATA, root)
    assert not result.violations, [f.message for f in result.violations]
    return result, EmbeddedStore.open(root)


@pytest.fixture(scope="session")
def store(built):
    return built[1]


def select(store, query: str) -> list[dict]:
    """Rows of a SELECT as dicts of plain values (IRIs and literal lexical forms)."""
    from cspkg.namespaces import sparql_prefixes

    solutions = store.query(sparql_prefixes() + query)
    names = [v.value for v in solutions.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in solutions]


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory):
    """A real Oxigraph server with the default graph as the union of the named graphs."""
    from server import oxigraph_server

    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as base:
        yield base


@pytest.fixture(scope="session")
def remote_settings(oxigraph, tmp_path_factory):
    """Settings for the remote backend, after a real build of the repo's data into the Oxigraph server."""
    from cspkg.settings import Settings
    from server import remote_settings

    settings = Settings(**remote_settings(oxigraph))
    result = run(DEFAULT_DATA, tmp_path_factory.mktemp("unused"), settings=settings)
    assert not result.violations and str(result.store_path).startswith(settings.sparql_query)
    return settings


@pytest.fixture(scope="session")
def remote_store(remote_settings):
    from cspkg.store.remote import RemoteStore

    return RemoteStore(remote_settings)


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def store_root(built) -> Path:
    return built[1].path.parent


@pytest.fixture(scope="session")
def server(store_root):
    """The real server (gunicorn via `cspkg serve`) over the built seed data."""
    from server import serving

    with serving(store_root, workers=2, query_timeout=2) as base:
        yield base


NEXT_YEAR = "castle-point-rochford-2018-19"  # the two_years fixture's second plan of one partnership


def _edit(path: Path, row: int, changes: dict[str, str]) -> None:
    """Set cells of one row of a CSV sheet (row numbered as a spreadsheet shows it: 2 is the first data row)."""
    import csv

    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    for column, value in changes.items():
        rows[row - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)


@pytest.fixture(scope="session")
def two_years(tmp_path_factory):
    """(server URL, data folder) for the seed data and a second Castle Point and Rochford plan, for 2018/19,
    written as a partnership writes next year's plan: this year's workbook with one priority replaced and
    one action replaced (through the real `cspkg export` and `cspkg import`), then built and served."""
    import os
    import shutil
    import subprocess
    import sys

    from server import serving

    root = tmp_path_factory.mktemp("two-years")
    data, book = root / "data", root / "book"
    shutil.copytree(DEFAULT_DATA, data, ignore=shutil.ignore_patterns("history", ".staging"))
    cspkg = [str(Path(sys.executable).with_name("cspkg"))]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSPKG_")}
    done = subprocess.run(cspkg + ["export", "castle-point-rochford-2017-18", "--format", "csv", "-o", str(book), "--data", str(data)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    _edit(book / "plan.csv", 2, {"Key": NEXT_YEAR, "Period": "2018/19", "Start date": "2018-04-01", "End date": "2019-03-31",
                                 "Title": "Castle Point and Rochford Community Safety Partnership Partnership Plan 2018/19",
                                 "Label": "Castle Point and Rochford Community Safety Partnership Partnership Plan 2018/19"})
    _edit(book / "priorities.csv", 2, {"Title": "Road safety around schools", "Label": "Road safety around schools"})
    _edit(book / "actions.csv", 2, {"Label": "Launch a new cycle safety scheme for primary schools"})
    done = subprocess.run(cspkg + ["import", str(book), "--data", str(data)], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    store = root / "store"
    result = run(data, store)
    assert not result.violations, [f.message for f in result.violations]
    with serving(store, data=data) as base:
        yield base, data


NATIONAL_PARTNERSHIPS = 300  # cspkg synth partnerships x 1 year; see tests/national.py


@pytest.fixture(scope="session")
def national_server(tmp_path_factory):
    """(server URL, seconds the build took) for a synthetic national corpus: NATIONAL_PARTNERSHIPS
    partnerships with a plan each, spread over the police areas, built and served (queries may run
    long here: the national questions are not yet fast at this size)."""
    import time

    from national import national
    from server import serving

    root = tmp_path_factory.mktemp("national")
    data = national(root / "data", NATIONAL_PARTNERSHIPS)
    started = time.monotonic()
    result = run(data, root / "store")
    took = time.monotonic() - started
    assert not result.violations, [f.message for f in result.violations][:5]
    with serving(root / "store", workers=2, query_timeout=120) as base:
        yield base, took

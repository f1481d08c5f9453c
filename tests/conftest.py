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

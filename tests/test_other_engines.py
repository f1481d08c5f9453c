"""Every canned query gives its golden answer on Apache Jena's ARQ too, not only on Oxigraph: the
queries use SPARQL 1.1 as every engine reads it. Each is sent as grlc and the service bind it (each
default's term written where its variable stands) over the seed data's N-Quads dump, in a TDB2 dataset whose default graph is the union
of the named graphs. Rows are compared as a multiset (numbers as numbers, lists as sets), then term by
term with the embedded store's answer (datatypes, language tags). Jena comes from Debian
(scripts/install-test-deps); without it this fails with the command that installs it."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from engines import EngineMissing, Jena, bound_text, compare, reference, store_ask

from cspkg.answers.catalogue import catalogue
from cspkg.sources import REPO

GOLDEN = REPO / "tests" / "golden"
QUERIES = catalogue()
TIMEOUT = 120  # seconds per query: a JVM start and a TDB2 open on a shared machine


@pytest.fixture(scope="module")
def jena(store, tmp_path_factory):
    work = tmp_path_factory.mktemp("jena")
    dump = work / "cspkg.nq"
    dump.write_bytes(store.dump(ox.RdfFormat.N_QUADS))
    try:
        return Jena(dump, work)
    except EngineMissing as err:
        pytest.fail(str(err), pytrace=False)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_gives_its_golden_answer_on_jena(jena, store, name):
    query = QUERIES[name]
    text = bound_text(query, store_ask(store))
    golden = (GOLDEN / f"{name}.csv").read_bytes().decode("utf-8")
    verdict = compare(golden, reference(store, text), jena.query(name, text, TIMEOUT), text)
    assert verdict.status == "same", verdict.detail
    assert "numbers written differently" not in verdict.detail, verdict.detail


def test_a_different_answer_is_caught(jena, store):
    """The comparison is not vacuous: a query that drops a row, or a language tag, differs."""
    query = QUERIES["plan-funding"]
    text = bound_text(query, store_ask(store))
    golden = (GOLDEN / "plan-funding.csv").read_bytes().decode("utf-8")
    assert golden.count("\r\n") >= 2, "the check needs a golden with at least one row"
    one_row_less = text.rstrip() + "\nOFFSET 1"
    assert compare(golden, reference(store, text), jena.query("less", one_row_less, TIMEOUT), text).status == "different"
    untagged = text.replace('"en")', '"fr")')
    assert untagged != text, "plan-funding's lists carry a language tag"
    assert compare(golden, reference(store, text), jena.query("fr", untagged, TIMEOUT), text).status == "different"

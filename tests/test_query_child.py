"""The query process's answers: the row cap holds at its edge in every format, whether or not the
answer is short enough to pass on without being read."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from cspkg.answers.messages import Request
from cspkg.answers.runner_child import ROW_BYTES, execute
from cspkg.answers.results import RESULT_FORMATS
from cspkg.store.embedded import EmbeddedStore

CAP = 1000


def rows_query(n: int) -> str:
    """n rows that bind nothing: the shortest rows a format can hold, the worst case for a bound on bytes."""
    return "SELECT ?x WHERE { VALUES ?x { " + "UNDEF " * n + "} }"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return EmbeddedStore(ox.Store(), tmp_path_factory.mktemp("empty"))


@pytest.mark.parametrize("fmt", sorted(ROW_BYTES))
@pytest.mark.parametrize("n", [CAP - 20, CAP - 1, CAP, CAP + 1, 3 * CAP])  # CAP - 20: JSON just under the bound
def test_the_row_cap_holds_at_its_edge(store, fmt, n):
    answer = execute(store, Request(rows_query(n), fmt, max_rows=CAP))
    rows = list(ox.parse_query_results(answer.body, format=RESULT_FORMATS[fmt]))
    assert len(rows) == min(n, CAP)
    assert answer.truncated is (n > CAP)
    assert answer.rows in (None, len(rows))  # None only when the answer was passed on uncounted


@pytest.mark.parametrize("fmt", sorted(ROW_BYTES))
def test_a_short_answer_is_passed_on_as_the_engine_wrote_it(store, fmt):
    text = rows_query(3)
    answer = execute(store, Request(text, fmt, max_rows=CAP))
    assert answer.body == store.query(text).serialize(format=RESULT_FORMATS[fmt]) and answer.rows is None


@pytest.mark.parametrize("n", [CAP, CAP + 1])
def test_a_graph_answer_is_cut_at_the_cap(store, n):
    text = "CONSTRUCT { ?x <urn:p> 1 } WHERE { VALUES ?x { " + " ".join(f"<urn:x{i}>" for i in range(n)) + " } }"
    answer = execute(store, Request(text, "ntriples", max_rows=CAP))
    assert len(list(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES))) == answer.rows == CAP
    assert answer.truncated is (n > CAP)

"""The parameter values the benchmarks give each canned query: its defaults, or, where a default
is missing from the corpus (a synthetic one has no Essex plans), the corpus's first item of the
parameter's kind; bound as the server binds them (`catalogue.bind`)."""

from __future__ import annotations

import pyoxigraph as ox

from cspkg.answers.catalogue import bind
from cspkg.errors import BadInput
from cspkg.store.embedded import EmbeddedStore


def chosen(store: EmbeddedStore, query) -> tuple[dict, dict]:
    """(values as given, the terms they bind) for one canned query on this store."""

    def ask(sparql: str, subs: dict) -> bool:
        return bool(store.query(sparql, substitutions={ox.Variable(k): v for k, v in subs.items()}))

    values = dict(query.defaults)
    for param in query.params:
        try:
            bind(query, {param.name: values[param.name]} if param.name in values else {}, ask)
        except (BadInput, KeyError):
            if param.kind:
                first = store.query(f"SELECT ?x WHERE {{ ?x a <{param.kind[1]}> }} ORDER BY ?x LIMIT 1")
                values[param.name] = next(iter(first))["x"].value
    return values, bind(query, values, ask)

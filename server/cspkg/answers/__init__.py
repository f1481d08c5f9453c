"""Answering questions: the catalogue of canned queries, reading SPARQL text, the sandboxed query
processes that run queries against a store, and the formats answers are written in."""

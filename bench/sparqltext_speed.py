"""Time to tokenize SPARQL text (cspkg.sparqllex) at 1 KB, 32 KB, 300 KB and 1 MB, and on hostile shapes.

Run from the repo: `.venv/bin/python bench/sparqltext_speed.py`. The queries repeat a chunk with
every kind of token (prefixed names with escapes, strings of each kind, IRIs, comments ended by CRLF,
numbers, a FILTER with comparisons); times are CPU seconds, the best of three, in milliseconds.
"""

from __future__ import annotations

import time

from cspkg.answers.sparqllex import SparqlTextError, tokenize

CHUNK = ('  ?s ex:p\\#q "a \\"string\\" here"@en ; <http://example.org/x?y=1#z> ?o . # a comment\r\n'
         "  FILTER(?o < 3.5e2 && ?x >= -12 || REGEX(STR(?s), '''long\nstring''', \"i\")) OPTIONAL { ?s a ex:T }\n")
SIZES = {"1 KB": 1024, "32 KB": 32 * 1024, "300 KB": 300 * 1024, "1 MB": 1024 * 1024}
HOSTILE = {
    "1 MB of unclosed quotes": '"\n' * 500_000,
    "1 MB run of <": "ASK { FILTER(" + "<" * 1_000_000 + ") }",
    "1 MB run of \\": "\\" * 1_000_000,
    "1 MB comment": "#" + "x" * 1_000_000 + "\nASK {}",
    "5,000 deep": "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
    "1 MB of unclosed IRIs": "ASK { " + "<a" * 500_000 + " }",
}


def best(text: str) -> tuple[float, str]:
    times, outcome = [], ""
    for _ in range(3):
        start = time.process_time()
        try:
            outcome = f"{len(tokenize(text).tokens)} tokens"
        except SparqlTextError as err:
            outcome = str(err)[:70]
        times.append(time.process_time() - start)
    return min(times) * 1000, outcome


def main() -> None:
    for name, size in SIZES.items():
        text = "PREFIX ex: <http://example.org/>\nSELECT * WHERE {\n" + CHUNK * max(1, size // len(CHUNK)) + "}"
        ms, outcome = best(text)
        print(f"{name:>8} ({len(text):>9,} chars): {ms:8.1f} ms  {outcome}")
    for name, text in HOSTILE.items():
        ms, outcome = best(text)
        print(f"{name:>24}: {ms:8.1f} ms  {outcome}")


if __name__ == "__main__":
    main()

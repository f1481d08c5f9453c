"""The canned queries on other SPARQL engines, and how their answers are compared with the goldens.

Each query is sent as grlc and the service bind it: its text with each default parameter's term
(a full IRI or a typed literal) written where the parameter's variable stands, the default graph being the union of the named graphs. An
answer is read from SPARQL JSON results and compared twice: with the golden CSV (values; numbers as
numbers) and with the embedded store's own answer (term kinds, datatypes and language tags, which
CSV cannot show). Used by tests/test_other_engines.py and bench/other_engines.py.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from cspkg.answers.catalogue import CannedQuery, bind, prepared

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                             "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
                             "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
STRING = XSD + "string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# Debian's Jena: the package and the jars `arq`/`tdb2` commands need (the package's own jars and
# those of its dependencies, by their unversioned names in /usr/share/java; one SLF4J binding).
JENA_PACKAGE = "libapache-jena-java"
JAVA_PACKAGE = "default-jre-headless"
JAVA_DIR = Path("/usr/share/java")
JENA_JARS = ["jena-arq", "jena-base", "jena-core", "jena-iri", "jena-cmds", "jena-dboe-base", "jena-dboe-index",
             "jena-dboe-storage", "jena-dboe-trans-data", "jena-dboe-transaction", "jena-tdb", "jena-tdb2",
             "commons-cli", "commons-io", "commons-lang3", "commons-codec", "commons-compress", "commons-csv",
             "dexx.collection", "gson", "guava", "jackson-core", "jackson-databind", "jackson-annotations",
             "httpclient", "httpcore", "jsonld-java", "titanium-json-ld", "jakarta.json-api", "thrift", "protobuf",
             "slf4j-api", "slf4j-nop"]
INSTALL = f"apt-get install -y {JENA_PACKAGE} {JAVA_PACKAGE}   (or scripts/install-test-deps)"


class EngineMissing(RuntimeError):
    pass


def bound_text(query: CannedQuery, ask) -> str:
    """The query text with its default parameters bound as the service (and grlc) binds them: each
    term written where its parameter's variable stands, so any engine can run it as it is."""
    return prepared(query, bind(query, {}, ask))


def store_ask(store):
    return lambda sparql, terms: bool(store.query(sparql, substitutions={ox.Variable(k): v for k, v in terms.items()}))


# --- answers -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    variables: list[str]
    rows: list[dict]  # variable -> SPARQL JSON term ({"type", "value", "xml:lang"?, "datatype"?}); unbound absent


def read_json(body: bytes | str) -> Answer:
    data = json.loads(body)
    rows = [{v: ({**t, "type": "literal"} if t["type"] == "typed-literal" else t) for v, t in row.items()}
            for row in data["results"]["bindings"]]  # "typed-literal": the 2005 draft's name, still sent by some stores
    return Answer(list(data["head"]["vars"]), rows)


def reference(store, text: str) -> Answer:
    """The embedded store's answer (the engine the goldens were made with), as SPARQL JSON."""
    return read_json(store.query(text).serialize(format=ox.QueryResultsFormat.JSON))


def _number(value: str) -> Decimal | None:
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        return None


def csv_value(term: dict | None) -> str:
    """What the W3C CSV format writes for a term: an IRI or literal's value, a blank node as _:label."""
    if term is None:
        return ""
    return "_:" + term["value"] if term["type"] == "bnode" else term["value"]


# A list the query joins with GROUP_CONCAT: its separator, and a constant it may append ("... (row lead)").
_GROUP_CONCAT = re.compile(r'GROUP_CONCAT\((?:[^()]|\([^()]*\))*?separator\s*=\s*"([^"]*)"\s*\)\s*(?:,\s*"([^"]*)"\s*\))?')
_ALIAS = re.compile(r"\bAS\s+\?(\w+)\s*\)")
_COALESCE = re.compile(r"BIND\s*\(\s*COALESCE\(([^()]*)\)\s+AS\s+\?(\w+)\s*\)")


def list_columns(text: str) -> dict[str, list[tuple[str, str]]]:
    """The variables the query binds to a GROUP_CONCAT list (directly, or through COALESCE of one),
    each with its (separator, appended text) forms. The order inside such a list is not defined by
    SPARQL (an ORDER BY in a subquery need not reach the aggregate), so lists are compared as sets."""
    lists: dict[str, list[tuple[str, str]]] = {}
    for alias in _ALIAS.finditer(text):
        depth, i = 0, alias.start()
        while i > 0:  # back to the bracket that opens this `(expression AS ?var)`
            i -= 1
            depth += {")": 1, "(": -1}.get(text[i], 0)
            if depth < 0:
                break
        found = _GROUP_CONCAT.search(text[i:alias.start()])
        if found:
            lists.setdefault(alias.group(1), []).append((found.group(1), found.group(2) or ""))
    for bind_ in _COALESCE.finditer(text):
        for var in re.findall(r"\?(\w+)", bind_.group(1)):
            lists.setdefault(bind_.group(2), []).extend(lists.get(var, []))
    return lists


def _as_set(value: str, forms: list[tuple[str, str]]):
    for separator, appended in sorted(forms, key=lambda f: -len(f[1])):
        if value.endswith(appended):
            items = value[:len(value) - len(appended)] if appended else value
            return ("list", tuple(sorted(items.split(separator))), appended)
    return ("s", value)


def _value_key(cell: str, forms=None):
    """A CSV cell for comparing: numbers as numbers (20500, 20500.0 and 2.05E4 are one value), lists
    as sets."""
    if forms and cell:
        return _as_set(cell, forms)
    number = _number(cell) if cell[:1].isdigit() or cell[:1] in "+-." else None
    return ("n", number.normalize()) if number is not None and number.is_finite() else ("s", cell)


def _term_key(term: dict | None, forms=None):
    """A term for comparing with the reference: its kind, numeric value or lexical form, language tag,
    and datatype (numeric datatypes are one family; a simple literal is an xsd:string)."""
    if term is None:
        return None
    if term["type"] in ("uri", "bnode"):
        return (term["type"], term["value"] if term["type"] == "uri" else "")
    datatype = term.get("datatype") or (LANG_STRING if "xml:lang" in term else STRING)
    if datatype in NUMERIC:
        number = _number(term["value"])
        return ("number", number.normalize() if number is not None else term["value"])
    value = _as_set(term["value"], forms) if forms else term["value"]
    return ("literal", value, term.get("xml:lang", "").lower(), datatype)


def describe_term(term: dict | None) -> str:
    if term is None:
        return "unbound"
    if term["type"] == "uri":
        return f"<{term['value']}>"
    if term["type"] == "bnode":
        return "_:" + term["value"]
    suffix = "@" + term["xml:lang"] if "xml:lang" in term else ("^^" + term["datatype"].replace(XSD, "xsd:")
                                                                if term.get("datatype") else "")
    return json.dumps(term["value"], ensure_ascii=False)[:60] + suffix


@dataclass
class Verdict:
    status: str  # same | different | timeout | error
    detail: str = ""
    seconds: float | None = None  # how long the engine took, where it answered


def compare(golden_csv: str, ref: Answer, got: Answer, text: str = "") -> Verdict:
    """The engine's answer against the golden CSV (values, numbers as numbers, lists as sets, rows as
    a multiset) and the reference answer (term kinds, datatypes, language tags); then whether the
    row order agrees, lists are in the same order, and computed numbers are written alike."""
    reader = list(csv.reader(io.StringIO(golden_csv)))
    header, golden_rows = reader[0], reader[1:]
    if got.variables != header:
        return Verdict("different", f"columns {got.variables} instead of {header}")
    lists = list_columns(text)
    forms = [lists.get(v) for v in header]
    got_rows = [[csv_value(r.get(v)) for v in header] for r in got.rows]
    row_key = lambda row: tuple(_value_key(c, f) for c, f in zip(row, forms))  # noqa: E731
    if sorted(map(row_key, got_rows), key=repr) != sorted(map(row_key, golden_rows), key=repr):
        return Verdict("different", _row_difference(header, golden_rows, got_rows, row_key))
    as_terms = lambda answer: sorted((tuple(_term_key(r.get(v), f) for v, f in zip(header, forms)) for r in answer.rows), key=repr)  # noqa: E731
    if as_terms(got) != as_terms(ref):
        return Verdict("different", _term_difference(header, ref, got))
    notes = []
    if list(map(row_key, got_rows)) != list(map(row_key, golden_rows)):
        notes.append("same rows in another order")
    plain = lambda row: tuple(_value_key(c) for c in row)  # noqa: E731
    if sorted(map(plain, got_rows), key=repr) != sorted(map(plain, golden_rows), key=repr):
        notes.append("lists in another order")
    lexical = _lexical_differences(header, ref, got)
    if lexical:
        notes.append("numbers written differently: " + lexical)
    return Verdict("same", "; ".join(notes))


def _row_difference(header, golden_rows, got_rows, row_key) -> str:
    golden = {row_key(r): r for r in golden_rows}
    got = {row_key(r): r for r in got_rows}
    missing = [golden[k] for k in golden if k not in got]
    extra = [got[k] for k in got if k not in golden]
    parts = [f"{len(got_rows)} rows instead of {len(golden_rows)}"] if len(got_rows) != len(golden_rows) else []
    if missing:
        parts.append(f"{len(missing)} golden rows missing")
    if extra:
        parts.append(f"{len(extra)} rows not in the golden")
    if len(golden) != len(golden_rows) or len(got) != len(got_rows):
        parts.append(f"duplicate rows: {len(got_rows) - len(got)} (golden {len(golden_rows) - len(golden)})")
    if missing and extra:  # name the columns that differ between the closest pair
        a, b = missing[0], min(extra, key=lambda row: sum(x != y for x, y in zip(row, missing[0])))
        cols = [f"{h}: {x[:40]!r} -> {y[:40]!r}" for h, x, y in zip(header, a, b) if _value_key(x) != _value_key(y)]
        parts.append("e.g. " + ", ".join(cols[:3]))
    return "; ".join(parts)


def _term_difference(header, ref: Answer, got: Answer) -> str:
    seen = {}
    for r_row, g_row in zip(sorted(ref.rows, key=lambda r: [csv_value(r.get(v)) for v in header]),
                            sorted(got.rows, key=lambda r: [csv_value(r.get(v)) for v in header])):
        for v in header:
            if _term_key(r_row.get(v)) != _term_key(g_row.get(v)) and v not in seen:
                seen[v] = f"{v}: {describe_term(r_row.get(v))} -> {describe_term(g_row.get(v))}"
    return "terms differ (" + "; ".join(seen.values()) + ")" if seen else "terms differ"


def _lexical_differences(header, ref: Answer, got: Answer) -> str:
    found = {}
    for r_row, g_row in zip(sorted(ref.rows, key=lambda r: [csv_value(r.get(v)) for v in header]),
                            sorted(got.rows, key=lambda r: [csv_value(r.get(v)) for v in header])):
        for v in header:
            a, b = csv_value(r_row.get(v)), csv_value(g_row.get(v))
            if a != b and v not in found:
                found[v] = f"{v} {a} as {b}"
    return ", ".join(found.values())


# --- Apache Jena (ARQ over a TDB2 dataset whose default graph is the union of its named graphs) ----

def jena_classpath(workdir: Path) -> str:
    """Debian's Jena jars, or EngineMissing with the command that installs them. Debian's jena-core
    moves Jena's bundled Xerces classes to `xerces.*` but leaves their message files under
    `org/apache/jena/ext/xerces/`, so Jena fails on start; the files are copied where the classes
    look for them, in a folder put on the class path."""
    if shutil.which("java") is None:
        raise EngineMissing(f"no `java` on PATH; install Java and Jena: {INSTALL}")
    missing = [j for j in JENA_JARS if not (JAVA_DIR / f"{j}.jar").exists()]
    if missing:
        raise EngineMissing(f"Jena jars missing from {JAVA_DIR} ({', '.join(missing[:4])}...); install: {INSTALL}")
    fix = workdir / "jena-resources"
    if not fix.exists():
        with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
            for name in jar.namelist():
                if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                    target = fix / name.removeprefix("org/apache/jena/ext/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(jar.read(name))
    return os.pathsep.join([str(JAVA_DIR / f"{j}.jar") for j in JENA_JARS] + [str(fix)])


class Jena:
    """ARQ, run as Jena's own `tdb2.tdbquery` command, one JVM per query."""

    name = "Apache Jena ARQ"

    def __init__(self, dump: Path, workdir: Path):
        self.workdir = workdir
        self.classpath = jena_classpath(workdir)
        self.location = workdir / "tdb2"
        done = subprocess.run(self._java("tdb2.tdbloader", "--loc", str(self.location), str(dump)),
                              capture_output=True, text=True, timeout=600)
        if done.returncode:
            raise RuntimeError(f"tdb2.tdbloader failed: {done.stderr[-2000:]}")

    def _java(self, main: str, *args: str) -> list[str]:
        return ["java", "-Xmx1g", "-cp", self.classpath, main, *args]

    def version(self) -> str:
        done = subprocess.run(self._java("arq.sparql", "--version"), capture_output=True, text=True, timeout=60)
        version = done.stdout.split("VERSION:", 1)[1].split()[0] if "VERSION:" in done.stdout else "?"
        return f"Jena {version}"

    def query(self, name: str, text: str, timeout: float) -> Answer:
        path = self.workdir / f"{name}.rq"
        path.write_text(text, encoding="utf-8")
        done = subprocess.run(self._java("tdb2.tdbquery", "--loc", str(self.location), "--set", "tdb:unionDefaultGraph=true",
                                         "--results=json", "--query", str(path)),
                              capture_output=True, timeout=timeout)
        if done.returncode:
            raise RuntimeError(done.stderr.decode(errors="replace")[-1500:])
        return read_json(done.stdout)

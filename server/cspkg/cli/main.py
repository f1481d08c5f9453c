"""The `cspkg` command: build, validate and query the knowledge graph."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from .. import __version__
from ..errors import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_NOT_CONFORMING, EXIT_OK, BadInput, CspkgError
from ..sources import DEFAULT_DATA, REPO, classify

DEFAULT_STORE = Path(os.environ.get("CSPKG_STORE", REPO / "store"))
DEFAULT_DATA_DIR = Path(os.environ.get("CSPKG_DATA", DEFAULT_DATA))


def cmd_build(args) -> int:
    from ..pipeline.build import run
    from ..pipeline.report import build_summary, left_out_report, validation_report
    from ..settings import Settings

    result = run(args.data, args.store, settings=Settings.from_env(store=args.store))
    say_recovered(result.recovered)
    print(build_summary(result))
    if result.findings or result.left_out:
        print()
        print(validation_report(result))
    if result.refused:
        n = sum(f.severity == "violation" and f.scope == "reference" for f in result.findings)
        print(f"\nBuild refused: {n} violation(s) in the reference data, on which every plan depends. "
              "Nothing was published: the previous store is unchanged.", file=sys.stderr)
        return EXIT_NOT_CONFORMING
    if result.left_out:
        print()
        print(left_out_report(result))
        print(f"\nBuild published with {len(result.left_out)} plan(s) left out or kept at an earlier version "
              f"({', '.join(sorted(result.left_out))}): fix them and build again.", file=sys.stderr)
        return EXIT_NOT_CONFORMING
    return EXIT_OK


def say_recovered(done: list[str]) -> None:
    """What the writer lock's recovery did (commits.recover), on stderr, before the command's own output."""
    for sentence in done:
        print(f"cspkg: recovered: {sentence}", file=sys.stderr)


def cmd_validate(args) -> int:
    from ..pipeline.build import run
    from ..pipeline.report import validation_report

    extra = [classify(Path(f)) for f in args.files] or None
    result = run(args.data, None, extra)
    print(validation_report(result, verbose=args.verbose))
    if result.unreadable:
        for message in result.unreadable.values():
            print(f"cspkg: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    conforms = not result.violations
    print(f"\n{'Conforms' if conforms else 'Does not conform'}: "
          f"{len(result.violations)} violation(s), {len(result.warnings)} warning(s).")
    return EXIT_OK if conforms else EXIT_NOT_CONFORMING


def cmd_sparql(args) -> int:
    from ..answers.results import render
    from ..settings import Settings
    from ..store.backends import open_store

    text = args.query
    path = Path(text)
    if text.endswith(".rq") or (len(text) < 4096 and "\n" not in text and path.is_file()):
        if not path.is_file():
            raise BadInput(f"{path}: query file not found")
        text = path.read_text(encoding="utf-8")
    store = open_store(Settings.from_env(store=args.store))
    print(render(store.query(text), args.format))
    return EXIT_OK


def cmd_query(args) -> int:
    import pyoxigraph as ox

    from ..answers.catalogue import bind, catalogue, prepared
    from ..answers.results import render
    from ..settings import Settings
    from ..store.backends import open_store

    queries = catalogue()
    if args.name not in queries:
        raise BadInput(f"no canned query named '{args.name}' (known: {', '.join(queries)})")
    values = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep:
            raise BadInput(f"--param {item!r}: write it as NAME=VALUE")
        values[name] = value
    store = open_store(Settings.from_env(store=args.store))
    query = queries[args.name]
    bound = bind(query, values, lambda sparql, terms: bool(store.query(sparql, substitutions={ox.Variable(k): v for k, v in terms.items()})))
    print(render(store.query(prepared(query, bound)), args.format))
    return EXIT_OK


def cmd_replace(args) -> int:
    from ..pipeline.report import finding_line
    from ..sources import Source, parse
    from ..pipeline.replace import replace_plan

    path = Path(args.planfile)
    if not path.is_file():
        raise BadInput(f"{path}: file not found")
    key = path.stem
    body = path.read_bytes()
    editorial_file = args.data / "editorial" / f"{key}.ttl"
    editorial = parse(Source(editorial_file, "editorial")) if editorial_file.is_file() else None
    from ..plans import areas

    triples = parse(Source(path, "plan"))
    # the plan file (and the area file of the new things it names) is written in the store's commit, not after it
    result = replace_plan(args.store, key, triples, editorial, data_dir=args.data, body=body, area=areas.for_plan(args.data, triples))
    say_recovered(result.recovered)
    for finding in sorted(result.findings, key=lambda f: ("violation", "warning", "info").index(f.severity)):
        print(f"{finding.severity}:{finding_line(finding)[5:]}")
    if result.violations:
        print(f"\nRefused: {len(result.violations)} violation(s) in plan '{key}'. The store is unchanged.", file=sys.stderr)
        return EXIT_NOT_CONFORMING
    saved = args.data / "plans" / f"{key}.ttl"
    print(f"Replaced plan '{key}': {result.asserted:,} triples asserted, {result.inferred:,} inferred; "
          f"{len(result.findings)} warning(s) and note(s). Store: {result.store_path} (now current); saved as {saved}"
          + (f"; the previous version is kept as {result.kept}" if result.kept else ""))
    return EXIT_OK


def cmd_synth(args) -> int:
    from ..synth.generate import synthesise

    count = synthesise(args.out, args.partnerships, args.years, args.seed, force=args.force, editorial=not args.no_editorial,
                       with_seed=args.with_seed)
    print(f"cspkg: wrote {count} plans ({args.partnerships} partnerships x {args.years} years, seed {args.seed}) to {args.out}")
    return EXIT_OK


def cmd_serve(args) -> int:
    from ..answers.runner import check
    from ..answers.sandbox import check_available
    from ..settings import Settings

    settings = Settings.from_env(store=args.store, host=args.host, port=args.port, workers=args.workers)
    if settings.backend == "embedded":
        from ..store.commits import recover_at_start

        say_recovered(recover_at_start(settings.store, settings.data))  # finish or undo a write a crash interrupted
    check(settings)  # fail now, clearly, if there is nothing to serve
    check_available(settings)  # or if query processes could not be kept off the network
    argv = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"{settings.host}:{settings.port}",
        "--workers", str(settings.workers),
        # threaded workers: a slow client holds one cheap thread, not a whole worker
        "--worker-class", "gthread",
        "--threads", str(settings.threads),
        # a worker takes only the connections it has threads for, so one held by slow clients leaves
        # new connections to the others (a busy worker would queue them); so no idle kept-alive ones
        "--worker-connections", str(settings.threads),
        "--keep-alive", "0",
        # a threaded worker's main loop reports to gunicorn while requests wait (at most query_wait
        # for a query process, then query_timeout for the query): this only catches a stuck worker
        "--timeout", str(int(settings.query_wait + settings.query_timeout) + 30),
        "--limit-request-line", "8190",
        "--access-logfile", "-",
        "--no-control-socket",  # gunicorn 27's local control socket (reload, scale): nothing here needs it
        "cspkg.web:create_app()",
    ]
    if settings.backend == "remote":
        from ..store.remote import split_credentials

        where = split_credentials(settings.sparql_query)[0]  # never print a password
    else:
        where = settings.store
    sandbox = "sandboxed" if settings.sandbox == "on" else "NOT sandboxed (CSPKG_SANDBOX=off)"
    print(f"cspkg: serving {where} on http://{settings.host}:{settings.port}/ with {settings.workers} workers "
          f"x {settings.threads} threads; {settings.workers * settings.query_processes} query processes "
          f"({sandbox}, {settings.query_memory} MB each)", flush=True)
    os.execve(sys.executable, argv, {**os.environ, **settings.to_env()})
    return EXIT_OK  # not reached


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cspkg", description="Community Safety Partnership plans as a knowledge graph.")
    p.add_argument("--version", action="version", version=f"cspkg {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="load, reason, validate and write the store")
    b.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="data folder (default: the repo's data/)")
    b.add_argument("--store", type=Path, default=DEFAULT_STORE, help="store folder (default: the repo's store/)")
    b.set_defaults(func=cmd_build)

    v = sub.add_parser("validate", help="reason and validate, and print the report; writes nothing")
    v.add_argument("files", nargs="*", help="plan files to check (default: everything in the data folder)")
    v.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="data folder (default: the repo's data/)")
    v.add_argument("--verbose", action="store_true", help="list every note, not only a count of each kind")
    v.set_defaults(func=cmd_validate)

    q = sub.add_parser("sparql", help="run a SPARQL query against the built store")
    q.add_argument("query", help="the query text, or a path to a .rq file")
    q.add_argument("--format", default="table", choices=["table", "json", "csv", "tsv", "xml", "turtle", "ntriples", "jsonld"])
    q.add_argument("--store", type=Path, default=DEFAULT_STORE, help="store folder (default: the repo's store/)")
    q.set_defaults(func=cmd_sparql)

    c = sub.add_parser("query", help="run a canned query from queries/ by name")
    c.add_argument("name", help="the query's name (its file name without .rq)")
    c.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="a parameter value (repeatable)")
    c.add_argument("--format", default="table", choices=["table", "json", "csv", "tsv", "xml"])
    c.add_argument("--store", type=Path, default=DEFAULT_STORE, help="store folder (default: the repo's store/)")
    c.set_defaults(func=cmd_query)
    r = sub.add_parser("replace", help="reason, validate and swap in one plan file, without a full build")
    r.add_argument("planfile", help="the plan's Turtle file, named <plan key>.ttl")
    r.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="data folder: its editorial/<key>.ttl is read, and the plan saved into plans/ (default: the repo's data/)")
    r.add_argument("--store", type=Path, default=DEFAULT_STORE, help="store folder (default: the repo's store/)")
    r.set_defaults(func=cmd_replace)

    y = sub.add_parser("synth", help="write a synthetic national corpus (a data folder) for scale tests")
    y.add_argument("--partnerships", type=int, default=300, help="partnerships (default 300)")
    y.add_argument("--years", type=int, default=10, help="plan years per partnership, from 2016 (default 10)")
    y.add_argument("--seed", type=int, default=1, help="random seed; the same seed writes the same bytes (default 1)")
    y.add_argument("--out", type=Path, required=True, help="the data folder to write (not the repo's data/)")
    y.add_argument("--force", action="store_true", help="replace the folder if it is not empty")
    y.add_argument("--with-seed", action="store_true", help="add the five real plans from the repo's data/ as well")
    y.add_argument("--no-editorial", action="store_true", help="write no editorial graphs")
    y.set_defaults(func=cmd_synth)

    s = sub.add_parser("serve", help="serve the built store over HTTP with gunicorn")
    s.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1, or CSPKG_HOST)")
    s.add_argument("--port", type=int, default=None, help="port (default 8000, or CSPKG_PORT)")
    s.add_argument("--workers", type=int, default=None, help="worker processes (default 4, or CSPKG_WORKERS)")
    s.add_argument("--store", type=Path, default=None, help="store folder (default: the repo's store/, or CSPKG_STORE)")
    s.set_defaults(func=cmd_serve)

    from .plans import add_commands
    from . import returns

    add_commands(sub, DEFAULT_DATA_DIR)
    returns.add_commands(sub, DEFAULT_DATA_DIR)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except CspkgError as err:
        print(f"cspkg: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERNAL
    except BrokenPipeError:  # the reader stopped early (`cspkg query ... | head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes stdout at exit
        return 0
    except Exception:  # a bug: say so plainly, keep the details for a report
        print("cspkg: internal error (please report it with the details below)", file=sys.stderr)
        traceback.print_exc(limit=3, file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())

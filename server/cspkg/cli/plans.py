"""The `cspkg` commands for plans in and out: template, import, export, diff, history; and write tokens."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from ..errors import EXIT_BAD_INPUT, EXIT_NOT_CONFORMING, EXIT_OK, BadInput

EXPORT_FORMATS = ("xlsx", "csv", "stratml", "ttl", "jsonld")


def cmd_template(args) -> int:
    from ..plans.workbook import mapping, register, tables

    m = mapping.load()
    empty = [tables.Table(s.name, [c.title for c in s.columns]) for s in m.sheets]
    _write_tables(empty, args.output, args.format, m, register.load(args.data))
    print(f"Wrote an empty plan workbook to {args.output}")
    return EXIT_OK


def _write_tables(tabs, output: Path, fmt: str, m, reg=None) -> None:
    from ..plans.workbook import tables

    if fmt == "csv":
        if output.exists() and not output.is_dir():
            raise BadInput(f"{output}: exists and is not a folder (CSV export writes a folder of CSV files)")
        tables.write_csv_folder(tabs, output, m)
        shutil.copyfile(m_file(), output / "plan-workbook.json")  # the tables' metadata travels with them
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        tables.write_xlsx(tabs, output, m, reg)


def m_file() -> Path:
    from ..plans.workbook.mapping import MAPPING_FILE

    return MAPPING_FILE


def cmd_import(args) -> int:
    from ..plans import intake, files as planfiles

    source = Path(args.workbook)
    if source.suffix == ".ttl":
        plan = intake.from_turtle(source.read_bytes() if source.is_file() else _missing(source), str(source))
    else:
        plan = intake.from_workbook(source, data_dir=args.data)
    intake.check(plan, args.data)
    print(plan.report(verbose=args.verbose))
    _warn_foreign(plan)
    if plan.problems:
        return EXIT_BAD_INPUT
    if plan.violations:
        return EXIT_NOT_CONFORMING
    if args.dry_run:
        print("Dry run: nothing was written.")
        return EXIT_OK
    from ..store.commits import writer_lock

    # the data folder's writer lock: a build reading this folder either sees the new file or runs after it
    with writer_lock(None, args.data):
        staged = planfiles.staged_path(args.data, plan.plan)
        if plan.area is not None and not staged.exists():
            from ..plans import areas

            staged = areas.staged_path(args.data, plan.area.area)
            plan.area.refresh()  # from the area file as it is now, under the lock
        if staged.exists():
            raise BadInput(f"{staged}: a write of plan '{plan.plan}' into a store was interrupted and is not yet finished or "
                           "undone; any write to that store (`cspkg build`, `cspkg replace`) or `cspkg serve` settles it; "
                           "then import again")
        if plan.area is not None:  # first: a plan file never names things its area file does not hold yet
            plan.area.write()
        kept = planfiles.write_plan(args.data, plan.plan, plan.turtle)
    target = planfiles.plan_path(args.data, plan.plan)
    if plan.area is not None:
        print(f"Wrote {plan.area.target} ({len(plan.area.new)} new: {', '.join(i.rsplit('/', 2)[-2] + '/' + i.rsplit('/', 1)[1] for i in plan.area.new)}).")
    print(f"Wrote {target} ({len(plan.triples):,} triples)." + (f" The previous version is kept as {kept}." if kept else "")
          + " Run `cspkg build` to publish it.")
    return EXIT_OK


def _warn_foreign(plan) -> None:
    """An administrator's import may write anything; warn of what an upload would be refused for."""
    from ..plans import ownership
    from ..errors import CspkgError, StoreMissing
    from ..settings import Settings
    from ..store.backends import open_store

    if plan.problems:
        return
    try:
        refused = ownership.refusals(open_store(Settings.from_env()), plan.plan, plan.triples)
    except StoreMissing:
        return  # no built store to compare with: nothing to say
    except CspkgError as err:  # a check that cannot be made must not stop the administrator's import
        print(f"warning: could not check what the plan describes against the store: {err}", file=sys.stderr)
        return
    for r in refused:
        print(f"warning: {r} (an upload would be refused for it; an import, the administrator's, writes it)", file=sys.stderr)


def _missing(path: Path):
    raise BadInput(f"{path}: file not found")


def cmd_export(args) -> int:
    from ..plans import files as planfiles

    key, path = planfiles.locate(args.data, args.plan)
    triples = planfiles.read_plan(path)
    fmt = args.format
    if fmt in ("xlsx", "csv"):
        from ..plans.workbook import mapping, register
        from ..plans.workbook.exporter import write_tables

        if args.output is None:
            raise BadInput(f"--format {fmt} needs -o PATH (a .xlsx file, or a folder for csv)")
        m = mapping.load()
        reg = register.load(args.data)
        _write_tables(write_tables(triples, key, m, reg), args.output, fmt, m, reg)
        print(f"Wrote {key} to {args.output}", file=sys.stderr)
        return EXIT_OK
    if fmt == "stratml":
        from ..plans.stratml import export

        body = export(triples, key, args.data)
    elif fmt == "jsonld":
        body = planfiles.jsonld(triples, key)
    else:
        body = planfiles.turtle(triples, key)
    if args.output is None:
        sys.stdout.buffer.write(body)
    else:
        args.output.write_bytes(body)
        print(f"Wrote {key} to {args.output}", file=sys.stderr)
    return EXIT_OK


def cmd_diff(args) -> int:
    from ..plans.diff import as_json, as_text, compare

    result = compare(args.data, args.plan_a, args.plan_b)
    print(as_json(result) if args.format == "json" else as_text(result))
    return EXIT_OK


def cmd_history(args) -> int:
    from ..plans import files as planfiles

    key, _ = planfiles.locate(args.data, args.plan)
    found = planfiles.versions(args.data, key)
    if not found:
        print(f"{key}: no earlier versions")
    for path in found:
        print(path)
    return EXIT_OK


def cmd_merge(args) -> int:
    from ..plans.merge import merge
    from ..store.commits import writer_lock

    with writer_lock(None, args.data):
        done = merge(args.data, args.old, args.new)
    print(f"Merged {done.old} into {done.new}: the old IRI stays, with dct:isReplacedBy {done.new}.")
    for path in done.area_files:
        print(f"  rewrote {path}")
    for key, kept in done.plans:
        print(f"  rewrote plan {key}" + (f" (the previous version is kept as {kept})" if kept else ""))
    print("Run `cspkg build` to publish the change.")
    return EXIT_OK


def cmd_withdraw(args) -> int:
    from ..plans.withdraw import withdraw
    from ..store.commits import writer_lock

    with writer_lock(None, args.data):
        done = withdraw(args.data, args.plan, args.replaced_by)
    print(f"Withdrew plan {done.key}: its file is kept as {done.kept}; {done.items} IRI(s) recorded in {done.record}"
          + (f" as replaced by plan {args.replaced_by}" if args.replaced_by else "") + ". Run `cspkg build` to publish the change.")
    return EXIT_OK


def cmd_token(args) -> int:
    from ..plans import tokens
    from ..settings import Settings

    path = args.file or Settings.from_env().tokens_file
    if args.action == "issue":
        token, entry = tokens.issue(path, args.partnership, args.label, tokens.partnerships(args.data))
        print(f"Issued a write token for partnership {entry.partnership} (hash {entry.digest[:12]}), kept in {path}.", file=sys.stderr)
        print("It is shown only now: give it to the partnership, which sends it as 'Authorization: Bearer <token>'.", file=sys.stderr)
        print(token)
    elif args.action == "list":
        entries = tokens.read(path)
        print(f"{len(entries)} token(s) in {path}" + (":" if entries else ""))
        for e in entries:
            print(f"  {e.digest[:12]}  {e.partnership:<28} {e.issued:<10}  {e.label}")
    else:
        entry = tokens.revoke(path, args.prefix)
        print(f"Revoked token {entry.digest[:12]} of partnership {entry.partnership} ({entry.label or 'no label'}); "
              "servers refuse it from their next request.")
    return EXIT_OK


def add_commands(sub, data_default: Path) -> None:
    t = sub.add_parser("template", help="write an empty plan workbook (XLSX, or a folder of CSV files)")
    t.add_argument("-o", "--output", type=Path, required=True, help="the .xlsx file (or folder, with --format csv) to write")
    t.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    t.add_argument("--data", type=Path, default=data_default, help="data folder whose registers fill the drop-down lists (default: the repo's data/)")
    t.set_defaults(func=cmd_template)

    i = sub.add_parser("import", help="read a plan workbook (or CSV folder, or .ttl), validate it, write data/plans/<key>.ttl")
    i.add_argument("workbook", help="an .xlsx file, a folder of CSV files, or a plan .ttl")
    i.add_argument("--data", type=Path, default=data_default, help="data folder (default: the repo's data/)")
    i.add_argument("--dry-run", action="store_true", help="check and report, but write nothing")
    i.add_argument("--verbose", action="store_true", help="list every note, not only a count of each kind")
    i.set_defaults(func=cmd_import)

    e = sub.add_parser("export", help="write a plan as a workbook, CSV folder, StratML, Turtle or JSON-LD")
    e.add_argument("plan", help="the plan's key (e.g. tendring-2021-22) or its .ttl file")
    e.add_argument("--format", choices=EXPORT_FORMATS, default="ttl")
    e.add_argument("-o", "--output", type=Path, default=None, help="where to write (default: standard output; required for xlsx/csv)")
    e.add_argument("--data", type=Path, default=data_default, help="data folder (default: the repo's data/)")
    e.set_defaults(func=cmd_export)

    d = sub.add_parser("diff", help="compare two plans: priorities carried over, added, dropped; actions continued")
    d.add_argument("plan_a", help="the earlier plan: key or .ttl file")
    d.add_argument("plan_b", help="the later plan: key or .ttl file")
    d.add_argument("--format", choices=["text", "json"], default="text")
    d.add_argument("--data", type=Path, default=data_default, help="data folder (default: the repo's data/)")
    d.set_defaults(func=cmd_diff)

    h = sub.add_parser("history", help="list the kept earlier versions of a plan")
    h.add_argument("plan", help="the plan's key")
    h.add_argument("--data", type=Path, default=data_default, help="data folder (default: the repo's data/)")
    h.set_defaults(func=cmd_history)

    mg = sub.add_parser("merge", help="merge a thing a plan workbook declared as new (OLD) into the one it should have been (NEW)")
    mg.add_argument("old", help="the mistaken new thing: type/key (e.g. agency/staffordshire-polise) or its IRI")
    mg.add_argument("new", help="the thing it should have been: type/key or IRI")
    mg.add_argument("--data", type=Path, default=data_default, help="data folder (default: the repo's data/)")
    mg.set_defaults(func=cmd_merge)

    w = sub.add_parser("withdraw", help="take a plan out of the data folder; its IRIs answer that it was withdrawn (and by what it was replaced)")
    w.add_argument("plan", help="the plan's key")
    w.add_argument("--replaced-by", default=None, help="the key of the plan that replaces it")
    w.add_argument("--data", type=Path, default=data_default, help="data folder (default: the repo's data/)")
    w.set_defaults(func=cmd_withdraw)

    k = sub.add_parser("token", help="issue, list or revoke write tokens scoped to one partnership")
    ks = k.add_subparsers(dest="action", required=True)
    ki = ks.add_parser("issue", help="make a token for a partnership; it is printed once, only its hash is kept")
    ki.add_argument("--partnership", required=True, help="the partnership's key, e.g. tendring-csp")
    ki.add_argument("--label", default="", help="who or what the token is for")
    ki.add_argument("--data", type=Path, default=data_default, help="data folder whose reference data lists the partnerships")
    ks.add_parser("list", help="show each token's partnership, label, date and hash prefix")
    kr = ks.add_parser("revoke", help="remove a token, named by the start of its hash")
    kr.add_argument("prefix", help="the first hex digits of the token's hash, as `cspkg token list` shows them")
    for each in (ki, ks.choices["list"], kr):
        each.add_argument("--file", type=Path, default=None, help="the token file (default: CSPKG_TOKENS_FILE, or write-tokens in the repo)")
        each.set_defaults(func=cmd_token)

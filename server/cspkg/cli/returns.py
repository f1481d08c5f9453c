"""The `cspkg returns` commands: a progress return workbook out (template) and in (import), the returns
a plan's own updates give (derive), and a period's history."""

from __future__ import annotations

from pathlib import Path

from ..errors import EXIT_OK, BadInput


def cmd_template(args) -> int:
    from ..returns.workbook import write_template

    rows = write_template(args.data, args.plan, args.period, args.output)
    print(f"Wrote a return workbook for plan {args.plan}, period {args.period} ({rows} actions and priorities) to {args.output}")
    return EXIT_OK


def cmd_import(args) -> int:
    from ..returns import files, model
    from ..returns.workbook import read
    from ..store.commits import writer_lock

    ret = read(Path(args.workbook), args.data)
    body = model.turtle(ret)
    summary = model.summary(ret)
    if args.dry_run:
        print(f"Return for plan {ret.plan}, {ret.period.label}, as of {ret.as_of}: {summary}. Dry run: nothing was written.")
        return EXIT_OK
    with writer_lock(None, args.data):  # a build reading the data folder sees the old return or the new one
        kept = files.write(args.data, ret.plan, ret.period.key, body)
    target = files.return_path(args.data, ret.plan, ret.period.key)
    print(f"Wrote {target} (plan {ret.plan}, {ret.period.label}, as of {ret.as_of}: {summary})."
          + (f" The earlier return for the period is kept as {kept}." if kept else "") + " Run `cspkg build` to publish it.")
    return EXIT_OK


def cmd_derive(args) -> int:
    """Write data/returns/<plan>/<period>.ttl for each period the plan's own progress updates name
    (returns/derived.py): the updates restated, each prov:wasDerivedFrom the plan's, status "not
    stated" where the plan gives none. A derived return replaces only a derived one (the earlier kept
    in history, as import keeps it); a return a partnership gave for the period is left as it is."""
    from datetime import datetime, timezone

    from ..returns import derived, files, model
    from ..store.commits import writer_lock

    today = datetime.now(timezone.utc).date()
    found = derived.derive(args.data, args.plan, today)
    if not found:
        print(f"Plan {args.plan} states no progress updates of its own: no return to derive.")
        return EXIT_OK
    wrote = False
    with writer_lock(None, args.data):  # a build reading the data folder sees the old return or the new one
        for ret in found:
            target = files.return_path(args.data, ret.plan, ret.period.key)
            what = f"plan {ret.plan}, {ret.period.label}, as of {ret.as_of}: {model.summary(ret)}"
            if target.exists() and not derived.is_derived(target):
                print(f"Kept {target} ({ret.period.label}): it is a return given for the period, which a derived one never replaces.")
                continue
            if target.exists():  # derived before: the same content keeps the day it was first derived
                ret.derivation.created = derived.created_in(target) or today
                if model.turtle(ret) != target.read_bytes():
                    ret.derivation.created = today
            body = model.turtle(ret)
            if target.exists() and target.read_bytes() == body:
                print(f"Unchanged {target} ({what}).")
                continue
            kept = files.write(args.data, ret.plan, ret.period.key, body)
            wrote = True
            print(f"Wrote {target} ({what}; derived from the plan's own updates)."
                  + (f" The earlier return for the period is kept as {kept}." if kept else ""))
    if wrote:
        print("Run `cspkg build` to publish them.")
    return EXIT_OK


def cmd_history(args) -> int:
    from ..returns import files
    from ..returns.periods import period

    key = period(args.period).key
    current = files.return_path(args.data, args.plan, key)
    if not current.is_file():
        raise BadInput(f"no return for plan {args.plan}, period {key} in {current.parent}")
    print(f"current: {current}")
    for path in files.versions(args.data, args.plan, key):
        print(f"earlier: {path}")
    return EXIT_OK


def add_commands(sub, data_default: Path) -> None:
    r = sub.add_parser("returns", help="progress returns: a plan's status for a period, as a workbook out and in")
    rs = r.add_subparsers(dest="action", required=True)
    t = rs.add_parser("template", help="write a return workbook for a plan and period, pre-filled with its actions")
    t.add_argument("plan", help="the plan's key, e.g. thurrock-2023-24")
    t.add_argument("period", help="the reporting period: a financial quarter (2023-24-q2) or year (2023-24)")
    t.add_argument("-o", "--output", type=Path, required=True, help="the .xlsx file to write")
    t.set_defaults(func=cmd_template)
    i = rs.add_parser("import", help="read a filled return workbook and write data/returns/<plan>/<period>.ttl")
    i.add_argument("workbook", help="the filled .xlsx return")
    i.add_argument("--dry-run", action="store_true", help="check and report, but write nothing")
    i.set_defaults(func=cmd_import)
    d = rs.add_parser("derive", help="write the returns a plan's own progress updates give, one per period they name, "
                      "each update derived from the plan's (status 'not stated' where the plan gives none)",
                      description=cmd_derive.__doc__)
    d.add_argument("plan", help="the plan's key, e.g. castle-point-rochford-2017-18")
    d.set_defaults(func=cmd_derive)
    h = rs.add_parser("history", help="list a period's current return and the earlier ones it replaced")
    h.add_argument("plan", help="the plan's key")
    h.add_argument("period", help="the period's key, e.g. 2023-24-q2")
    h.set_defaults(func=cmd_history)
    for each in (t, i, d, h):
        each.add_argument("--data", type=Path, default=data_default, help="data folder (default: the repo's data/)")

"""`jembatan review`: the steward's loop over the names the matcher could not place.

    jembatan review export [--out FILE]     Excel queue: each unresolved name once, candidates, a dropdown
    jembatan review import FILE [--by NAME] [--revive]
                                            store the decisions as aliases; the next sync applies them (a
                                            decision bringing back a revoked alias is refused and named
                                            unless --revive)
    jembatan review list [--all]            the aliases in force (--all: revoked ones too)
    jembatan review revoke ID [--by NAME]   withdraw an alias; the next sync places those rows again without it
    jembatan review conflicts               rows one office sent under keys another office's rows hold (report
                                            numbers; village and year), both offices named: held until decided
    jembatan review accept ID [--by NAME]   the held rows replace the other office's (the next sync applies it)
    jembatan review refuse ID [--by NAME]   the held rows never count; the other office's rows stay
"""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import hashlib
import os
import sys
from pathlib import Path


def register(commands) -> None:
    review = commands.add_parser("review", help="the steward's review queue of village names the matcher "
                                 "could not place, and the decisions (aliases) taken on it")
    review.add_argument("--warehouse", help="warehouse folder (default $JEMBATAN_WAREHOUSE or ./warehouse)")
    actions = review.add_subparsers(dest="action", required=True)
    export = actions.add_parser("export", help="write the review queue as an Excel workbook")
    export.add_argument("--out", help="workbook to write (default warehouse/steward/review_<date>.xlsx)")
    export.set_defaults(func=run_export)
    imported = actions.add_parser("import", help="store the decisions filled in a review workbook")
    imported.add_argument("file")
    imported.add_argument("--by", help="who decided, when the workbook's 'Decided by' cell is empty "
                          "(default: the login name)")
    imported.add_argument("--revive", action="store_true", help="store a decision even when it brings back an "
                          "alias revoked earlier (without it such rows are refused and named)")
    imported.set_defaults(func=run_import)
    listed = actions.add_parser("list", help="list the aliases in force")
    listed.add_argument("--all", action="store_true", help="include revoked and superseded aliases")
    listed.set_defaults(func=run_list)
    revoke = actions.add_parser("revoke", help="withdraw an alias by its id")
    revoke.add_argument("id", type=int)
    revoke.add_argument("--by", help="who revokes (default: the login name)")
    revoke.set_defaults(func=run_revoke)
    listed_conflicts = actions.add_parser("conflicts", help="list the conflicts between offices and their decisions")
    listed_conflicts.set_defaults(func=run_conflicts)
    for verb, decision in (("accept", "accepted"), ("refuse", "refused")):
        decide = actions.add_parser(verb, help=f"{verb} a conflict between offices by its id")
        decide.add_argument("id")
        decide.add_argument("--by", help="who decides (default: the login name)")
        decide.add_argument("--note", default="", help="why, in a few words (kept with the decision)")
        decide.set_defaults(func=run_decide, decision=decision)


def _paths(args: argparse.Namespace):
    if args.warehouse:
        os.environ["JEMBATAN_WAREHOUSE"] = str(Path(args.warehouse).resolve())
    from assets.steps import Paths
    return Paths.from_env()


def _matcher(paths):
    from assets.harmonise.matcher import Matcher
    from assets.steps import stored_gazetteer
    if not (paths.reference_store / "areas.parquet").exists():
        raise SystemExit(f"no gazetteer in {paths.warehouse}: run `jembatan sync` first")
    return Matcher(stored_gazetteer(paths))


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def run_export(args: argparse.Namespace) -> int:
    import pandas as pd

    from assets.harmonise.review import review_queue, write_workbook
    from assets.steps import file_register, steward_dir
    paths = _paths(args)
    unresolved_path = paths.placed_store / "unresolved.parquet"
    if not unresolved_path.exists():
        print(f"nothing to review: no sync has placed rows in {paths.warehouse} yet", file=sys.stderr)
        return 1
    matcher = _matcher(paths)
    from assets.storage import read_parquet
    queue = review_queue(read_parquet(unresolved_path), file_register(paths.work), matcher)
    out = Path(args.out) if args.out else steward_dir(paths) / f"review_{dt.date.today():%Y%m%d}.xlsx"
    write_workbook(queue, out, matcher)
    print(f"{len(queue)} names to review ({int(queue['rows'].sum()) if len(queue) else 0} rows) written to {out}")
    print("Pick a candidate or 'not a village' in the Decision column, save, then "
          f"`jembatan review import {out}` and `jembatan sync`.")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from assets.harmonise import aliases
    from assets.harmonise.review import read_decisions
    from assets.steps import steward_dir
    paths = _paths(args)
    path = Path(args.file)
    decisions = read_decisions(path, _matcher(paths))
    for problem in decisions.problems:
        print(f"not imported: {problem}", file=sys.stderr)
    refused = []
    for decision, revoked in aliases.revoked_before(steward_dir(paths), decisions.accepted):
        what = (f"row {decision['row']}: {decision['written']!r} in {decision['scope_code'] or 'whole country'} -> "
                f"{decision['village_code']} brings back alias #{revoked.id}, revoked {revoked.revoked_at} "
                f"({revoked.revoked_by})")
        if args.revive:
            print(f"revived: {what}")
        else:
            print(f"not imported: {what}; pass --revive to store it again", file=sys.stderr)
            refused.append(decision)
    decisions.accepted = [d for d in decisions.accepted if not any(d is r for r in refused)]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    stored = aliases.add(steward_dir(paths), decisions.accepted, decided_by=args.by or getpass.getuser(),
                         decided_at=_now(), from_file=f"{path.name} (sha256 {digest})")
    print(f"{len(stored)} decisions stored as aliases in {aliases.store_path(steward_dir(paths))}; "
          "the next `jembatan sync` applies them")
    return 1 if decisions.problems or refused else 0


def run_list(args: argparse.Namespace) -> int:
    from assets.harmonise import aliases
    from assets.steps import steward_dir
    shown = [a for a in aliases.load_all(steward_dir(_paths(args))) if args.all or a.active]
    if not shown:
        print("no aliases")
    for a in shown:
        state = "" if a.active else f"  [revoked {a.revoked_at} by {a.revoked_by}]"
        area = a.scope_code or "whole country"
        print(f"#{a.id}  {a.written!r} in {area} -> {a.village_code}  (by {a.decided_by}, {a.decided_at}, "
              f"from {a.from_file}){state}")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    from assets.harmonise import aliases
    from assets.steps import steward_dir
    try:
        alias = aliases.revoke(steward_dir(_paths(args)), args.id, args.by or getpass.getuser(), _now())
    except (KeyError, ValueError) as problem:
        print(problem.args[0], file=sys.stderr)
        return 1
    print(f"alias #{alias.id} ({alias.written!r} -> {alias.village_code}) revoked; the next sync applies it")
    return 0


def run_conflicts(args: argparse.Namespace) -> int:
    from assets.harmonise import conflicts
    from assets.storage import read_parquet
    from assets.steps import steward_dir
    paths = _paths(args)
    stored = paths.placed_store / "conflicts.parquet"
    found = read_parquet(stored) if stored.exists() else None
    if found is None or found.empty:
        print("no conflicts between offices")
        return 0
    decided = conflicts.load(steward_dir(paths))
    for c in found.itertuples():
        state = c.status if c.status != "open" else "open: held until decided"
        if c.status != "open":
            state += f" by {decided.get(c.conflict_id, {}).get('decided_by', c.decided_by)} at {c.decided_at}"
        print(f"{c.conflict_id}  {c.dataset}: {c.rows} row(s) of {c.held_office} ({c.held_file_name}) "
              f"against {c.counting_office} ({c.counting_file_names})  [{state}]")
    print("`jembatan review accept ID` lets the held rows replace the other office's; `jembatan review refuse "
          "ID` keeps them out; then `jembatan sync`.")
    return 0


def run_decide(args: argparse.Namespace) -> int:
    from assets.harmonise import conflicts
    from assets.storage import read_parquet
    from assets.steps import steward_dir
    paths = _paths(args)
    stored = paths.placed_store / "conflicts.parquet"
    known = set(read_parquet(stored)["conflict_id"]) if stored.exists() else set()
    if args.id not in known:
        print(f"no conflict {args.id!r}: `jembatan review conflicts` lists them", file=sys.stderr)
        return 1
    conflicts.decide(steward_dir(paths), args.id, args.decision, args.by or getpass.getuser(), _now(), args.note)
    print(f"conflict {args.id} {args.decision}; the next `jembatan sync` applies it")
    return 0

"""`jembatan publications`: list the kept publications, or make an earlier one current again."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assets.paths import warehouse_folder
from assets.publish.publication import UnknownPublication, Warehouse, keep_count, restore
from pipelines.locks import SYNC_LOCK_NAME, exclusive_lock


def register(commands) -> None:
    parser = commands.add_parser("publications", help="list kept publications of the marts, or restore one",
                                 description="Each sync publishes a new warehouse/jembatan.duckdb and keeps the "
                                 "last JEMBATAN_KEEP_PUBLICATIONS (default 5) in warehouse/publications/.")
    parser.add_argument("--warehouse", help="warehouse folder (default $JEMBATAN_WAREHOUSE or ./warehouse)")
    actions = parser.add_subparsers(dest="action")
    actions.add_parser("list", help="kept publications, newest first (the default)")
    restore_parser = actions.add_parser("restore", help="make a kept publication current (atomic, like a sync)")
    restore_parser.add_argument("publication_id")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    folder = warehouse_folder(args.warehouse)
    warehouse = Warehouse(folder)
    if args.action == "restore":
        if not folder.is_dir():
            print(f"no warehouse at {folder}", file=sys.stderr)
            return 1
        def wait(holder: str) -> None:
            print(f"a sync is running on {folder} ({holder or 'pid unknown'}); waiting for it to finish",
                  file=sys.stderr, flush=True)
        try:
            with exclusive_lock(folder / SYNC_LOCK_NAME, on_wait=wait):     # never swapped under a sync
                restore(folder, args.publication_id)
        except UnknownPublication as error:
            print(error, file=sys.stderr)
            return 1
        print(f"restored {args.publication_id} as {warehouse.database}")
        return 0
    current = warehouse.current_id()
    print(f"kept publications in {warehouse.publications} (keeping {keep_count()}), newest first:")
    for publication_id in warehouse.history():
        print(f"  {publication_id}{'   <- current' if publication_id == current else ''}")
    return 0

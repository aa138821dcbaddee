"""`jembatan key init|rotate|status`: the pseudonym key, said explicitly (assets/pseudonym_key.py)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def register(commands) -> None:
    key = commands.add_parser("key", help="the pseudonym key: init, rotate, status")
    actions = key.add_subparsers(dest="action", required=True)
    for name, text in [("init", "make a key (if none) and record it as this warehouse's key"),
                       ("rotate", "a new key, every stored pseudonym made again with it (from the archive), "
                                  "then a sync"),
                       ("status", "the key file, its fingerprint and the warehouse's")]:
        action = actions.add_parser(name, help=text)
        action.add_argument("--warehouse", help="warehouse folder (default $JEMBATAN_WAREHOUSE or ./warehouse)")
        if name == "rotate":
            action.add_argument("--inbox", help="inbox folder for the sync that follows")
    key.set_defaults(func=run)


def _warehouse(args) -> Path:
    if args.warehouse:
        os.environ["JEMBATAN_WAREHOUSE"] = str(Path(args.warehouse).resolve())
    from assets.paths import warehouse_folder  # deferred: pandas and more; `jembatan --help` loads every command module
    return warehouse_folder()


def run(args: argparse.Namespace) -> int:
    from assets.pseudonym_key import KeyRefused
    warehouse = _warehouse(args)
    try:
        return {"init": init, "rotate": rotate, "status": status}[args.action](warehouse, args)
    except KeyRefused as refused:
        print(f"key refused: {refused}", file=sys.stderr)
        return 2


def init(warehouse: Path, args) -> int:
    """A new key when none exists; the key (new or existing, checked) recorded for the warehouse. A
    warehouse that already recorded another key is refused: that is what `rotate` is for."""
    from assets.pseudonym_key import fingerprint, key_file, read_key, record, recorded, write_new_key
    path = key_file()
    entry = recorded(warehouse)
    made = False
    if not path.exists() and not path.is_symlink():
        if entry is not None:
            print(f"warehouse {warehouse} was made with key {entry['fingerprint'][:12]}, and {path} is missing: "
                  "restore it from your backup, or `jembatan key rotate`", file=sys.stderr)
            return 2
        write_new_key(path)
        made = True
    key = read_key(path)
    if entry is not None and entry.get("fingerprint") != fingerprint(key):
        print(f"warehouse {warehouse} was made with key {entry.get('fingerprint', '?')[:12]}, not "
              f"{fingerprint(key)[:12]} ({path}); use `jembatan key rotate` to change it", file=sys.stderr)
        return 2
    record(warehouse, key, key_file=str(path))
    print(f"{'made' if made else 'kept'} key {path} (fingerprint {fingerprint(key)[:12]}), recorded for {warehouse}; "
          "keep a copy of it somewhere safe: without it new files cannot join the pseudonyms already stored")
    return 0


def rotate(warehouse: Path, args) -> int:
    from assets.key_rotation import RotationFailed
    from assets.key_rotation import rotate as rotate_key
    from pipelines.locks import SYNC_LOCK_NAME, exclusive_lock
    warehouse.mkdir(parents=True, exist_ok=True)
    try:
        # Never under a running sync: the stored pseudonyms are swapped while this holds the sync lock.
        with exclusive_lock(warehouse / SYNC_LOCK_NAME,
                            on_wait=lambda holder: print(f"a sync is running on {warehouse} ({holder}); "
                                                         "waiting for it to finish", file=sys.stderr)):
            done = rotate_key(warehouse)
    except RotationFailed as failed:
        print(f"rotation stopped, nothing replaced: {failed}", file=sys.stderr)
        return 2
    print(f"new key {done.fingerprint[:12]}: {done.stored_frames} stored tables of {done.files} received files "
          "pseudonymised again; syncing")
    from pipelines.commands import sync
    code = sync.run(sync.arguments(inbox=getattr(args, "inbox", None), warehouse=str(warehouse),
                                   no_settle_wait=True))      # files already received: nothing to settle
    if code != 0:
        print("the pseudonyms are re-keyed; the publications made before (old pseudonyms) are removed by the "
              "next sync that publishes", file=sys.stderr)
    return code


def status(warehouse: Path, args) -> int:
    """Prints the key file, the key, the warehouse's record and what a sync into it will do (exit 0 when
    it runs, 2 when it refuses), following assets.pseudonym_key.warehouse_key."""
    from assets.pseudonym_key import KeyRefused, fingerprint, holds_pseudonyms, key_file, read_key, recorded
    path = key_file()
    entry = recorded(warehouse) or {}
    pseudonyms = not entry and holds_pseudonyms(warehouse)
    missing = not path.exists() and not path.is_symlink()
    print(f"key file:  {path}")
    try:
        key = read_key(path)
        print(f"key:       usable, fingerprint {fingerprint(key)[:12]}, mode {path.stat().st_mode & 0o777:o}")
    except KeyRefused as refused:
        key = None
        print(f"key:       " + ("none yet" if missing and not entry and not pseudonyms else f"refused: {refused}"))
    print(f"warehouse: {warehouse}: "
          + (f"made with key {entry['fingerprint'][:12]}" if entry.get("fingerprint") else
             "holds pseudonyms, no key recorded" if pseudonyms else "new (no key recorded)")
          + (f"; rotation to {entry['rotating_to'][:12]} unfinished" if entry.get("rotating_to") else ""))
    if entry.get("rotating_to"):
        print("a sync refuses to run: run `jembatan key rotate` again to finish the rotation")
        return 2
    if pseudonyms:
        print("a sync refuses to run: " + ("run `jembatan key init` if this is the key the warehouse was made "
                                            "with, else `jembatan key rotate`" if key is not None else
                                            "restore the key the warehouse was made with, then `jembatan key "
                                            "init`; or `jembatan key rotate`"))
        return 2
    if not entry:
        if missing:
            print(f"a sync can run: it makes a new key at {path} (owner-only) and records its fingerprint "
                  "for this warehouse; back the key up then")
            return 0
        if key is None:
            print("a sync refuses to run: fix or replace the key file (see above)")
            return 2
        print("a sync can run: it records this key's fingerprint for this warehouse")
        return 0
    if key is None:
        print("a sync refuses to run: restore the key the warehouse was made with (see above), or "
              "`jembatan key rotate`")
        return 2
    if entry["fingerprint"] != fingerprint(key):
        print(f"a sync refuses to run: this is not the key the warehouse was made with; use that key, or "
              "`jembatan key rotate`")
        return 2
    print("a sync can run")
    return 0

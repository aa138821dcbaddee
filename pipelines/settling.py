"""A sync started by a person (or by the portal for an upload) waits the few seconds a file just dropped
needs to settle, instead of leaving it for the next sync.

The settle rule is the inbox's own (assets/ingest/inbox.being_written, JEMBATAN_SETTLE_SECONDS, default 5):
a file changed in the last few seconds may still be being copied. The inbox sensors and the daily schedule
come back on their own, so they never wait; `jembatan sync` does, once, up to MAX_WAIT_SECONDS: a file
that keeps changing longer than that (a copy that is really still under way) is left for the next sync and
listed as `waiting` in the summary, as before. Its last look at the folders is the sync's look: the planner
hashes what it listed (pipelines/defs/planning.py) and lists nothing again. The portal's sync is told its
uploads whole (JEMBATAN_WHOLE_FILES) and waits only for the reference lists: a clerk's answer never waits
on a file someone else is still copying onto the share.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Collection
from pathlib import Path

from assets.ingest.inbox import InboxScan, scan_inbox, settle_seconds

MAX_WAIT_SECONDS = 60.0


def inbox_scans(inbox: Path) -> dict[str, InboxScan]:
    """Every inbox folder (agency folders and reference/) listed once, by folder name."""
    folders = sorted(p for p in inbox.iterdir() if p.is_dir() and not p.is_symlink()) if inbox.is_dir() else []
    return {folder.name: scan_inbox(folder) for folder in folders}


def settling_files(scans: dict[str, InboxScan], folders: Collection[str] | None = None) -> list[str]:
    """The files of these folders' scans (of `folders` only, None: all) still settling, as "<folder>/<name>"
    (names as the summary shows them), sorted."""
    return sorted(f"{name}/{entry.name}" for name, scan in scans.items() for entry in scan.entries
                  if entry.status == "waiting" and (folders is None or name in folders))


def wait_for_settling(inbox: Path, say: Callable[[str], None], max_wait: float = MAX_WAIT_SECONDS,
                      sleep: Callable[[float], None] = time.sleep,
                      folders: Collection[str] | None = None) -> dict[str, InboxScan]:
    """Wait until no file of `inbox` (of its `folders` only, None: every folder) is still settling, or
    `max_wait` seconds have passed; `say` is told once what is waited for. Returns the last look at every
    folder (inbox_scans), a file still settling then among its entries (status waiting)."""
    scans = inbox_scans(inbox)
    waiting = settling_files(scans, folders)
    if not waiting or settle_seconds() == 0:
        return scans
    shown = ", ".join(waiting[:3]) + (f" and {len(waiting) - 3} more" if len(waiting) > 3 else "")
    say(f"waiting for {len(waiting)} file(s) still being written to settle ({settle_seconds():g} s unchanged): "
        f"{shown}")
    deadline = time.monotonic() + max_wait
    while waiting and time.monotonic() < deadline:
        sleep(min(0.5, max(0.0, deadline - time.monotonic())))
        scans = inbox_scans(inbox)
        waiting = settling_files(scans, folders)
    return scans

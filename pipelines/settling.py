"""A sync started by a person (or by the portal for an upload) waits the few seconds a file just dropped
needs to settle, instead of leaving it for the next sync.

The settle rule is the inbox's own (assets/ingest/inbox.being_written, JEMBATAN_SETTLE_SECONDS, default 5):
a file changed in the last few seconds may still be being copied. The inbox sensors and the daily schedule
come back on their own, so they never wait; `jembatan sync` does, once, up to MAX_WAIT_SECONDS: a file
that keeps changing longer than that (a copy that is really still under way) is left for the next sync and
listed as `waiting` in the summary, as before.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from assets.ingest.inbox import scan_inbox, settle_seconds

MAX_WAIT_SECONDS = 60.0


def settling_files(inbox: Path) -> list[str]:
    """The files of every inbox folder (agency folders and reference/) still settling, as
    "<folder>/<name>" (names as the summary shows them), sorted."""
    found = []
    for folder in sorted(p for p in inbox.iterdir() if p.is_dir() and not p.is_symlink()) if inbox.is_dir() else []:
        found += [f"{folder.name}/{entry.name}" for entry in scan_inbox(folder).entries if entry.status == "waiting"]
    return sorted(found)


def wait_for_settling(inbox: Path, say: Callable[[str], None], max_wait: float = MAX_WAIT_SECONDS,
                      sleep: Callable[[float], None] = time.sleep) -> list[str]:
    """Wait until no file of `inbox` is still settling, or `max_wait` seconds have passed; `say` is told
    once what is waited for. Returns the files still settling at the end ([] when all settled)."""
    waiting = settling_files(inbox)
    if not waiting or settle_seconds() == 0:
        return waiting
    shown = ", ".join(waiting[:3]) + (f" and {len(waiting) - 3} more" if len(waiting) > 3 else "")
    say(f"waiting for {len(waiting)} file(s) still being written to settle ({settle_seconds():g} s unchanged): "
        f"{shown}")
    deadline = time.monotonic() + max_wait
    while waiting and time.monotonic() < deadline:
        sleep(min(0.5, max(0.0, deadline - time.monotonic())))
        waiting = settling_files(inbox)
    return waiting

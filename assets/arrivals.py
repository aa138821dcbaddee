"""An arrival: the contents one sync (or one sensor tick) found new in the inbox, in drop order, each with
its agency folder and file name. It is recorded in the work area (work/arrivals/<key>.json, written whole
by atomic rename) under a key a person can tell apart from the others and that stays the same when the
same new contents are planned again (after a killed sync): the day its newest file was last modified
(WIB), its agency folders with their file counts, and a short digest of its contents' SHA-256, e.g.
`2026-12-07-bps3-polda1-1a2b3c4d5e6f` (arrival_key). File names are never in a key (they can hold personal
names). Keys recorded before this form (`arrival-` and 16 hex digits) keep working: a key is only ever
looked up, never taken apart.

An arrival is the unit of Dagster's bookkeeping (a partition: pipelines/defs/partitions.py); the file
stays the unit of reading, supersession and placing (its manifest, its accepted rows, its placement).

    files: [{"sha256": str (64 hex), "source": str (agency folder), "file_name": str}]
    (record_arrival also takes "mtime_ns": int, the inbox file's modification time, for the key's day)
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

from assets import storage
from assets.ingest.inbox import stored_name
from assets.ingest.report import LOCAL_ZONE
from assets.storage import atomic_write

DIGEST_LENGTH = 12      # hex digits of the contents' digest: 48 bits, for arrivals of one day and one shape


def arrival_key(files: list[dict]) -> str:
    """The partition key of an arrival of these files (the module's shape, in drop order):
    `YYYY-MM-DD-` (the WIB day of the newest "mtime_ns" given; left out when no file has one), then per
    agency folder in the order first met its name and file count (`bps3-polda1-`), then the first
    DIGEST_LENGTH hex digits of the SHA-256 of the contents' SHA-256 in drop order. Only [a-z0-9-]
    (Dagster refuses some characters in partition keys, `...` among them; the key is a file name too).
    The same files with the same modification times give the same key."""
    newest = max((f["mtime_ns"] for f in files if f.get("mtime_ns") is not None), default=None)
    day = ([dt.datetime.fromtimestamp(newest / 1e9, LOCAL_ZONE).strftime("%Y-%m-%d")]
           if newest is not None else [])
    counts: dict[str, int] = {}
    for f in files:
        folder = re.sub(r"[^a-z0-9]", "", f["source"].lower()) or "folder"
        counts[folder] = counts.get(folder, 0) + 1
    digest = hashlib.sha256("\n".join(f["sha256"] for f in files).encode()).hexdigest()[:DIGEST_LENGTH]
    return "-".join([*day, *(f"{folder}{count}" for folder, count in counts.items()), digest])


def _folder(work_root: Path) -> Path:
    return work_root / "arrivals"


def record_arrival(work_root: Path, files: list[dict]) -> str:
    """Record an arrival of these files (see the module's shape) unless recorded already; returns its key
    (arrival_key)."""
    key = arrival_key(files)
    path = _folder(work_root) / f"{key}.json"
    if not storage.exists(path):
        record = {"key": key, "recorded_at": dt.datetime.now(dt.timezone.utc).isoformat(),
                  "files": [{"sha256": f["sha256"], "source": f["source"],
                             "file_name": stored_name(f["file_name"])} for f in files]}   # as shown: masked
        atomic_write(path, lambda tmp: tmp.write_text(json.dumps(record, indent=1, ensure_ascii=False)))
    return key


def arrival_files(work_root: Path, key: str) -> list[dict]:
    """The files of an arrival (empty for a key never recorded or forgotten)."""
    try:
        return json.loads(storage.read_text(_folder(work_root) / f"{key}.json"))["files"]
    except FileNotFoundError:
        return []


def arrivals(work_root: Path) -> list[dict]:
    """Every arrival recorded, in the order recorded: {"key", "recorded_at", "files"}."""
    records = [json.loads(storage.read_text(path)) for path in storage.listing(_folder(work_root), "*.json")]
    return sorted(records, key=lambda r: (r["recorded_at"], r["key"]))


def forget_arrival(work_root: Path, key: str) -> None:
    storage.delete(_folder(work_root) / f"{key}.json")

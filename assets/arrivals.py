"""An arrival: the contents one sync (or one sensor tick) found new in the inbox, in drop order, each with
its agency folder and file name. It is recorded in the work area (work/arrivals/<key>.json, written whole
by atomic rename) under a key made of its contents' SHA-256, so the key leads straight to its files
(their archived copies are named by the same SHA-256) and planning the same new contents again (after a
killed sync) gives the same key.

An arrival is the unit of Dagster's bookkeeping (a partition: pipelines/defs/partitions.py); the file
stays the unit of reading, supersession and placing (its manifest, its accepted rows, its placement).

    files: [{"sha256": str (64 hex), "source": str (agency folder), "file_name": str}]
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from assets import storage
from assets.ingest.inbox import stored_name
from assets.storage import atomic_write

KEY_PREFIX = "arrival-"


def arrival_key(shas: list[str]) -> str:
    """`arrival-` and the first 16 hex digits of the SHA-256 of its contents' SHA-256 in drop order."""
    return KEY_PREFIX + hashlib.sha256("\n".join(shas).encode()).hexdigest()[:16]


def _folder(work_root: Path) -> Path:
    return work_root / "arrivals"


def record_arrival(work_root: Path, files: list[dict]) -> str:
    """Record an arrival of these files (see the module's shape) unless recorded already; returns its key."""
    key = arrival_key([f["sha256"] for f in files])
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

"""One look at the agency folders per sync: what each holds (inbox.scan_inbox) and each settled file's
SHA-256 (batch.known_hashes: taken into the archive when new or changed), made once by the planner and
recorded in the work area, so every step of the run reads the record instead of listing the folders again.

The record is work/scans/<id>.json, written whole by atomic rename; its id is a digest of what it
holds (the same inbox gives the same id), and a run finds it by its tag (pipelines/defs/scans.py). File
names are kept masked (inbox.stored_name), as everywhere but the archive's own record of names:
reading a new file takes its name as dropped from there (original_names.py).

    {"id": str, "folders": {source: {"files": [{"name": str (masked), "stamp": [size, mtime_ns,
      ctime_ns, inode], "sha256": str | "entry": Entry fields}], "entries": [Entry fields]}}}
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assets import storage
from assets.ingest.batch import hash_cache, known_hashes
from assets.ingest.inbox import Entry, InboxScan, scan_inbox, stamp, stored_name
from assets.ingest.work_area import WorkArea
from assets.storage import atomic_write

FOLDER = "scans"


@dataclass(frozen=True)
class Listed:
    """What inbox.stamp reads of a file's lstat when it was listed (a recorded look has no stat_result)."""
    st_size: int
    st_mtime_ns: int
    st_ctime_ns: int
    st_ino: int


@dataclass
class FolderLook:
    """One agency folder: its settled regular files in drop order, each one's lstat when listed and its
    SHA-256 (or the inbox.Entry saying why it was not taken), and every other entry with its reason."""
    files: list[Path] = field(default_factory=list)
    stats: dict[Path, object] = field(default_factory=dict)      # os.stat_result, or Listed when recorded
    shas: list[str | Entry] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)


def look_at_folder(folder: Path, source: str, work: WorkArea, archive_dir: Path,
                   scan: InboxScan | None = None) -> FolderLook:
    """List inbox/<source>/ once (scan_inbox; `scan`: as listed just before) and hash its files
    (known_hashes: a file unchanged since the last look keeps its SHA-256 from the hash cache; a new or
    changed one is copied into the archive while hashed). Raises OSError when the archive cannot be
    written."""
    scan = scan_inbox(folder) if scan is None else scan
    shas = known_hashes(scan.files, hash_cache(work, source), archive_dir, scan.stats)
    return FolderLook(scan.files, scan.stats, shas, scan.entries)


def _entry(entry: Entry) -> dict:
    return {**asdict(entry), "name": stored_name(entry.name)}


def _as_record(looks: dict[str, FolderLook]) -> dict:
    return {source: {"files": [{"name": stored_name(path.name), "stamp": stamp(look.stats[path]),
                                **({"sha256": sha} if isinstance(sha, str) else {"entry": _entry(sha)})}
                               for path, sha in zip(look.files, look.shas)],
                     "entries": [_entry(e) for e in look.entries]}
            for source, look in looks.items()}


def record_look(work_root: Path, looks: dict[str, FolderLook]) -> str:
    """Record these folders' look (see the module's shape) and forget the looks recorded before (a run
    whose record is gone looks at the inbox itself); returns its id."""
    folders = _as_record(looks)
    look_id = hashlib.sha256(json.dumps(folders, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
    folder = work_root / FOLDER
    path = folder / f"{look_id}.json"
    if not storage.exists(path):
        text = json.dumps({"id": look_id, "folders": folders}, ensure_ascii=False)
        atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    for other in storage.listing(folder, "*.json"):
        if other.name != path.name:
            storage.delete(other)
    return look_id


def recorded_look(work_root: Path, inbox: Path, look_id: str) -> dict[str, FolderLook] | None:
    """The folders' look recorded under `look_id` (paths inbox/<source>/<masked name>), or None when
    there is none (forgotten, or a warehouse moved without its work area)."""
    try:
        record = json.loads(storage.read_text(work_root / FOLDER / f"{look_id}.json"))
    except FileNotFoundError:
        return None
    looks = {}
    for source, held in record["folders"].items():
        look = FolderLook(entries=[Entry(**e) for e in held["entries"]])
        for item in held["files"]:
            path = inbox / source / item["name"]
            look.files.append(path)
            look.stats[path] = Listed(*item["stamp"])
            look.shas.append(item["sha256"] if "sha256" in item else Entry(**item["entry"]))
        looks[source] = look
    return looks

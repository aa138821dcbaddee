"""`jembatan key rotate`: a new pseudonym key, and every stored pseudonym made again with it.

A keyed HMAC cannot be undone and the clear NIKs and officer numbers are never stored, so pseudonyms are
re-made from the received files themselves: every file in the warehouse's work area is read again from
its archived copy (warehouse/archive/, by SHA-256, under the name it was received with) with the new
key, and its stored rows (current and superseded) are replaced. The old key is not needed, so this is
also how a warehouse whose key was lost or leaked is recovered. One person is then one (new) pseudonym
in every file again.

Crash-safe in three steps: (1) the new key is written beside the key file (`<key>.next`, 0600) and the
warehouse records that it is rotating to it (a sync refuses to run meanwhile); (2) every file is read
again into a scratch area and checked (same datasets and row counts as when it was received) before
any stored row is replaced; (3) the new key takes the old one's place, the fingerprint is recorded, the
derived caches are dropped (so the next sync places and publishes again). Run again after a crash, it
resumes with the same new key. The command then syncs; every publish removes the kept publications
made before the rotation (they hold pseudonyms under the retired key: `retire_publications`).
"""
from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from assets.access import restricted_dir
from assets.incremental import atomic_write
from assets.ingest.receive import read_received
from assets.ingest.work_area import WorkArea
from assets.publish.publication import Warehouse, remove_publication
from assets.pseudonym_key import (FINGERPRINT_FILE, fingerprint, key_file, read_key, record, recorded,
                                  write_new_key)
from assets.storage import delete, delete_tree, is_local, parquet_rows, put_file, storage_root


class RotationFailed(Exception):
    pass


@dataclass
class Rotation:
    files: int
    stored_frames: int
    fingerprint: str


def _next_key(path: Path, warehouse: Path) -> bytes:
    """The key being rotated to: the one a crashed rotation left, else a new one."""
    pending = path.with_name(path.name + ".next")
    entry = recorded(warehouse) or {}
    if pending.exists():
        key = read_key(pending)
        if entry.get("rotating_to") in (None, fingerprint(key)):
            return key
        pending.unlink()
    return write_new_key(pending)


def _stored_frames(work: WorkArea, sha: str) -> dict[str, Path]:
    """dataset -> where the file's accepted rows are stored (current or superseded)."""
    paths = [*work.root.glob(f"accepted/*/{sha}.parquet"), *work.root.glob(f"superseded/{sha}/accepted/*/{sha}.parquet")]
    return {p.parent.name: p for p in paths}


def _archived(archive: Path, sha: str) -> Path:
    found = sorted((archive / sha[:2]).glob(f"{sha}*"))
    if not found:
        raise RotationFailed(f"received file {sha[:12]} is not in {archive}; rotation needs every received file")
    return found[0]


def rotate(warehouse: Path, path: Path | None = None) -> Rotation:
    """Re-key every stored pseudonym of `warehouse` with a new key at `path` (default key_file()).
    Raises RotationFailed when a received file is missing from the archive or reads differently now:
    then nothing was replaced and the warehouse keeps its key (unless it was resuming a rotation)."""
    path = path or key_file()
    warehouse = warehouse.resolve()
    work = WorkArea(storage_root(warehouse) / "work")
    new_key = _next_key(path, warehouse)
    previous = recorded(warehouse) or {}
    _write_record(warehouse, {**previous, "rotating_to": fingerprint(new_key)})
    manifests = [m for m in work.manifests() if _stored_frames(work, m["sha256"])]
    scratch = Path(tempfile.mkdtemp(prefix=".rotate-",      # beside the work area when local (same file system)
                                    dir=restricted_dir(work.root) if is_local(work.root) else None))
    replacements: list[tuple[Path, Path]] = []      # (re-read rows, where they replace the stored ones)
    try:
        try:
            _read_again(warehouse, work, manifests, scratch, new_key, replacements)
        except BaseException:
            if not previous.get("rotating_to"):     # a resumed rotation may have replaced rows already
                _abandon(warehouse, previous, path)
            raise
        for fresh, target in replacements:
            put_file(fresh, target)             # a rename: the scratch area is in work/ (or one upload)
    finally:
        delete_tree(scratch)
    Path(path.with_name(path.name + ".next")).replace(path)
    for derived in ("placed", "placed_by_file"):
        delete_tree(work.root / derived)
    delete(work.root / "state.json")
    kept = Warehouse(warehouse).history()
    record(warehouse, new_key, key_file=str(path), rotated_from=previous.get("fingerprint"),
           retire_publications_up_to=kept[0] if kept else None)     # the newest made with the old key
    return Rotation(len(manifests), len(replacements), fingerprint(new_key))


def _read_again(warehouse: Path, work: WorkArea, manifests: list[dict], scratch: Path, new_key: bytes,
                replacements: list[tuple[Path, Path]]) -> None:
    """Read every received file again from the archive with the new key, into `scratch`; check it gives
    the rows stored; list what replaces what."""
    for manifest in manifests:
        sha, source = manifest["sha256"], manifest["source"]
        scratch_work = WorkArea(scratch / "work" / sha)
        # The archived copy is the bytes that were hashed; it is read as the name it was received under.
        read_received(_archived(storage_root(warehouse) / "archive", sha), manifest["file_name"], sha, source, scratch_work,
                      new_key)
        stored = _stored_frames(work, sha)
        for dataset, target in stored.items():
            fresh = scratch_work.accepted_path(dataset, sha)
            if not fresh.exists():
                raise RotationFailed(f"{manifest['file_name']} no longer gives {dataset} rows; run "
                                     "`jembatan sync --rebuild` first, then rotate")
            rows = pq.ParquetFile(fresh).metadata.num_rows
            if rows != parquet_rows(target):
                raise RotationFailed(f"{manifest['file_name']} reads {rows} {dataset} rows now, not as "
                                     "stored; run `jembatan sync --rebuild` first, then rotate")
            replacements.append((fresh, target))


def _abandon(warehouse: Path, previous: dict, path: Path) -> None:
    """Nothing was replaced: the warehouse goes back to its key, the new one is dropped."""
    if previous:
        _write_record(warehouse, previous)
    else:
        (warehouse / FINGERPRINT_FILE).unlink(missing_ok=True)
    path.with_name(path.name + ".next").unlink(missing_ok=True)


def _write_record(warehouse: Path, entry: dict) -> None:
    warehouse.mkdir(parents=True, exist_ok=True)
    atomic_write(warehouse / FINGERPRINT_FILE, lambda tmp: tmp.write_text(json.dumps(entry, indent=1)))


def retire_publications(warehouse: Path) -> int:
    """Remove the kept publications made before the last rotation (they hold pseudonyms under the retired
    key), except the current one while it is still current. Called after every publish; returns how
    many were removed."""
    up_to = (recorded(warehouse) or {}).get("retire_publications_up_to")
    if not up_to:
        return 0
    kept = Warehouse(warehouse)
    current = kept.current_id()
    retired = [p for p in kept.history() if p <= up_to and p != current]
    for old in retired:
        remove_publication(kept, old)
    return len(retired)

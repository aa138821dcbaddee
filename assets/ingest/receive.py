"""Receive one dropped file: keep it (content-addressed), read every sheet, recognise its dataset, and
store accepted rows (personal data already replaced) and rejections under the work folder.

Idempotent by content hash: a file whose content was already received is not read again, whatever
its name, so the same file dropped twice is counted once. Outputs are written before the manifest,
each by atomic rename, so a sync killed at any moment leaves either nothing or a complete result.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from assets.ingest.errors import CellError
from assets.ingest.layout import recognise
from assets.ingest.table import TableResult, read_table
from assets.ingest.workbook import SUPPORTED_SUFFIXES, UnreadableFile, read_file
from assets.privacy import pseudonym
from schemas import DATASETS, datasets_for_source
from schemas.base import DROP, PSEUDONYMISE


@dataclass
class Received:
    sha256: str
    source: str
    file_name: str
    status: str                      # accepted, partially_accepted, rejected, duplicate, unchanged
    datasets: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    skipped: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    layouts: dict[str, dict] = field(default_factory=dict)   # sheet -> field -> [column letter, header]
    received_at: str = ""
    duplicate_of: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _atomic_write_bytes(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    os.replace(tmp, path)


def archive_file(path: Path, sha: str, archive_dir: Path) -> Path:
    target = archive_dir / sha[:2] / f"{sha}{path.suffix.lower()}"
    if not target.exists():
        _atomic_write_bytes(target, lambda tmp: shutil.copyfile(path, tmp))
    return target


class WorkArea:
    """Where ingest results live between stages (warehouse/work)."""

    def __init__(self, root: Path):
        self.root = root

    def manifest_path(self, sha: str) -> Path:
        return self.root / "files" / f"{sha}.json"

    def accepted_path(self, dataset: str, sha: str) -> Path:
        return self.root / "accepted" / dataset / f"{sha}.parquet"

    def rejections_path(self, sha: str) -> Path:
        return self.root / "rejections" / f"{sha}.parquet"

    def manifest(self, sha: str) -> dict | None:
        path = self.manifest_path(sha)
        return json.loads(path.read_text()) if path.exists() else None

    def manifests(self) -> list[dict]:
        return [json.loads(p.read_text()) for p in sorted((self.root / "files").glob("*.json"))]

    def write_manifest(self, received: Received) -> None:
        _atomic_write_bytes(self.manifest_path(received.sha256),
                            lambda tmp: tmp.write_text(json.dumps(received.as_dict(), indent=1, default=str)))

    def write_frame(self, path: Path, frame: pd.DataFrame) -> None:
        _atomic_write_bytes(path, lambda tmp: frame.to_parquet(tmp, index=False))

    def accepted(self, dataset: str) -> pd.DataFrame:
        paths = sorted((self.root / "accepted" / dataset).glob("*.parquet"))
        frames = [pd.read_parquet(p) for p in paths]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def rejections(self) -> pd.DataFrame:
        frames = [pd.read_parquet(p) for p in sorted((self.root / "rejections").glob("*.parquet"))]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def pseudonymise(frame: pd.DataFrame, dataset_name: str, key: bytes) -> pd.DataFrame:
    """Drop personal columns and replace identifiers by keyed pseudonyms, before anything is stored."""
    dataset = DATASETS[dataset_name]
    frame = frame.copy()
    for column in dataset.columns:
        if column.personal == PSEUDONYMISE:
            frame[column.pseudonym] = [None if pd.isna(v) else pseudonym(key, column.name, str(v))
                                       for v in frame[column.name]]
        if column.personal in (DROP, PSEUDONYMISE):
            frame = frame.drop(columns=column.name)
    return frame


def receive_file(path: Path, source: str, work: WorkArea, archive_dir: Path, key: bytes) -> Received:
    sha = sha256_of(path)
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    known = work.manifest(sha)
    if known:
        status = "unchanged" if path.name == known["file_name"] else "duplicate"
        return Received(sha, source, path.name, status, known["datasets"], duplicate_of=known["file_name"])
    archive_file(path, sha, archive_dir)
    received = Received(sha, source, path.name, "rejected", received_at=now)
    results: list[TableResult] = []
    errors: list[tuple[str, CellError]] = []
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        received.notes.append(f"unsupported file type {path.suffix!r}; send .xlsx, .xls, .ods or .csv")
    else:
        try:
            sheets = read_file(path)
        except UnreadableFile as exc:
            sheets = []
            received.notes.append(str(exc))
        for sheet in sheets:
            layout, closest = recognise(sheet, datasets_for_source(source))
            label = f"sheet {sheet.name!r}" if sheet.name else "the file"
            if layout is None:
                if any(any(str(v).strip() for v in row) for row in sheet.rows):
                    received.notes.append(_unrecognised_note(label, closest))
                continue
            result = read_table(sheet, layout)
            results.append(result)
            errors += [(result.dataset, e) for e in result.errors]
            received.notes += [f"{label}: {s['reason']} row {s['row']} left out ({s['text']})"
                               for s in result.skipped if s["reason"] in ("subtotal", "note")]
    for result in results:
        received.rows_read += result.rows_read
        received.rows_accepted += len(result.rows)
        received.rows_rejected += len(result.rejected_rows)
        received.rows_skipped += len(result.skipped)
        received.skipped += [{"sheet": result.sheet, **s} for s in result.skipped]
        received.layouts[result.sheet] = result.columns
    received.datasets = sorted({r.dataset for r in results})
    for dataset in received.datasets:
        frames = [r.rows for r in results if r.dataset == dataset and not r.rows.empty]
        if frames:
            frame = pseudonymise(pd.concat(frames, ignore_index=True), dataset, key)
            frame.insert(0, "source_file", sha)
            work.write_frame(work.accepted_path(dataset, sha), frame)
    work.write_frame(work.rejections_path(sha), rejection_frame(errors, received, stage="ingest"))
    if received.rows_accepted and received.rows_rejected:
        received.status = "partially_accepted"
    elif received.rows_accepted:
        received.status = "accepted"
    work.write_manifest(received)
    return received


def rejection_frame(errors: list[tuple[str, CellError]], received: Received, stage: str) -> pd.DataFrame:
    columns = ["source_file", "file_name", "source", "dataset", "stage", "sheet", "row", "column", "header",
               "field", "value", "code", "expected", "message", "message_id"]
    records = [{"source_file": received.sha256, "file_name": received.file_name, "source": received.source,
                "dataset": dataset, "stage": stage, **e.as_dict()} for dataset, e in errors]
    return pd.DataFrame.from_records(records, columns=columns).astype({"row": "int64"})


def _unrecognised_note(label: str, closest) -> str:
    if closest is None:
        return f"{label}: no table header recognised"
    return (f"{label}: not recognised as any dataset; closest is {closest.dataset.name}, missing columns "
            f"{', '.join(closest.missing_required)}; unrecognised headers: "
            f"{', '.join(h for h in closest.unrecognised_headers if h) or 'none'}")


def inbox_files(inbox: Path, source: str) -> list[Path]:
    folder = inbox / source
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))

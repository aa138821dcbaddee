"""Nothing lost: per received file, the rows read must equal the rows stored as accepted, plus the rows
with a rejection, plus the rows skipped (subtotals, notes, blanks), each counted from what was stored.

Stored files are content-addressed and only ever moved whole (to superseded/), so what was counted in
one file is kept in work/reconciled/<source>.json beside the size and time of each stored file, and
counted again only when one of them changed."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from assets import storage
from assets.incremental import read_memo, write_memo
from assets.ingest.work_area import WorkArea


def stored_files(work: WorkArea, manifest: dict, accepted: dict[str, list[Path]] | None = None) -> tuple[list[Path], Path]:
    """A file's stored accepted rows (one Parquet file per dataset) and its rejections. `accepted`: the
    work area's accepted files by content (accepted_index), so that the folders are listed once for all
    files, not once per file."""
    sha = manifest["sha256"]
    if manifest.get("superseded_by"):
        root = work.root / "superseded" / sha
        return sorted(root.glob(f"accepted/*/{sha}.parquet")), root / "rejections" / f"{sha}.parquet"
    found = accepted.get(sha, []) if accepted is not None else sorted(work.root.glob(f"accepted/*/{sha}.parquet"))
    return found, work.root / "rejections" / f"{sha}.parquet"


def accepted_index(work: WorkArea) -> dict[str, list[Path]]:
    """SHA-256 -> the file's accepted Parquet files (work/accepted/<dataset>/<sha256>.parquet), in path order."""
    index: dict[str, list[Path]] = {}
    for path in sorted(work.root.glob("accepted/*/*.parquet")):
        index.setdefault(path.stem, []).append(path)
    return index


def stored_counts(accepted: list[Path], rejections: Path) -> dict[str, int]:
    """Rows stored as accepted, and rows with a rejecting error (a warning's row was accepted)."""
    return {"accepted": sum(storage.parquet_rows(p) for p in accepted),
            "rejected": len(_rejecting(rejections)[["sheet", "row"]].drop_duplicates()) if rejections.exists() else 0}


def _rejecting(rejections: Path) -> pd.DataFrame:
    frame = storage.read_parquet(rejections)
    if "severity" not in frame:
        return frame
    return frame[frame["severity"].fillna("error") == "error"]


def reconcile_line(manifest: dict, counts: dict[str, int]) -> dict:
    skipped = len(manifest["skipped"])
    return {"file_name": manifest["file_name"], "sha256": manifest["sha256"], "rows_read": manifest["rows_read"],
            **counts, "skipped": skipped,
            "skipped_rows": ", ".join(f"{s['sheet']}!{s['row']} {s['reason']}" for s in manifest["skipped"][:50])
            + (f" and {skipped - 50} more" if skipped > 50 else ""),
            "balanced": manifest["rows_read"] == counts["accepted"] + counts["rejected"] + skipped}


def reconcile_source(work: WorkArea, source: str) -> list[dict]:
    cache = work.root / "reconciled" / f"{source}.json"
    known = read_memo(cache)
    lines, counted, index = [], {}, accepted_index(work)
    for manifest in work.manifests():
        if manifest["source"] != source:
            continue
        accepted, rejections = stored_files(work, manifest, index)
        stamp = [[str(p), *st] for p in [*accepted, rejections] if (st := storage.stamp(p)) is not None]
        entry = known.get(manifest["sha256"])
        counts = entry["counts"] if entry and entry["stamp"] == stamp else stored_counts(accepted, rejections)
        counted[manifest["sha256"]] = {"stamp": stamp, "counts": counts}
        lines.append(reconcile_line(manifest, counts))
    write_memo(cache, counted, known)
    return lines

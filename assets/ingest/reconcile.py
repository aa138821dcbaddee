"""Nothing lost: per received file, the rows read must equal the rows stored as accepted, plus the rows
with a rejection, plus the rows skipped (subtotals, notes, blanks), each counted from what was stored."""
from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq

from assets.ingest.receive import WorkArea


def reconcile_file(work: WorkArea, manifest: dict) -> dict:
    sha = manifest["sha256"]
    root = work.root / "superseded" / sha if manifest.get("superseded_by") else work.root
    accepted = sum(pq.ParquetFile(p).metadata.num_rows for p in root.glob(f"accepted/*/{sha}.parquet"))
    rejections = root / "rejections" / f"{sha}.parquet"
    rejected = (len(pd.read_parquet(rejections, columns=["sheet", "row"]).drop_duplicates())
                if rejections.exists() else 0)
    skipped = len(manifest["skipped"])
    return {"file_name": manifest["file_name"], "sha256": sha, "rows_read": manifest["rows_read"],
            "accepted": accepted, "rejected": rejected, "skipped": skipped,
            "skipped_rows": ", ".join(f"{s['sheet']}!{s['row']} {s['reason']}" for s in manifest["skipped"][:50])
            + (f" and {skipped - 50} more" if skipped > 50 else ""),
            "balanced": manifest["rows_read"] == accepted + rejected + skipped}


def reconcile_source(work: WorkArea, source: str) -> list[dict]:
    return [reconcile_file(work, m) for m in work.manifests() if m["source"] == source]

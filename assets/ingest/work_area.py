"""The work area: where ingest results live between stages (work/ in the shared storage,
assets/storage.py): one manifest per received file (record.Received), its accepted rows per dataset and
its rejections, each content-addressed by the file's hash; and the Ledger, every manifest read once per
batch.
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from assets import storage
from assets.incremental import atomic_write, write_frame
from assets.ingest.record import Received


_PARSED_MANIFESTS: dict[str, tuple[tuple, dict]] = {}


class WorkArea:
    """Where ingest results live between stages (work/ in the shared storage, assets/storage.py)."""

    def __init__(self, root: storage.Location):
        self.root = root

    def manifest_path(self, sha: str) -> Path:
        return self.root / "files" / f"{sha}.json"

    def accepted_path(self, dataset: str, sha: str) -> Path:
        return self.root / "accepted" / dataset / f"{sha}.parquet"

    def rejections_path(self, sha: str) -> Path:
        return self.root / "rejections" / f"{sha}.parquet"

    def manifest(self, sha: str) -> dict | None:
        path = self.manifest_path(sha)
        try:
            return json.loads(storage.read_text(path))
        except FileNotFoundError:
            return None

    def manifests(self) -> list[dict]:
        """Every manifest, parsed once per process while its file is unchanged (a sync's stages each
        read all of them: thousands at national scale). Shared: treat them as read-only."""
        out = []
        for path, stamp in storage.stamps(self.root / "files", "*.json"):    # a rewrite: a new inode or ETag
            parsed = _PARSED_MANIFESTS.get(str(path))
            if parsed is None or parsed[0] != stamp:
                parsed = _PARSED_MANIFESTS[str(path)] = (stamp, json.loads(storage.read_text(path)))
            out.append(parsed[1])
        return out

    def write_manifest(self, received: Received) -> None:
        self.write_manifest_dict(received.as_dict())

    def write_manifest_dict(self, manifest: dict) -> None:
        atomic_write(self.manifest_path(manifest["sha256"]),
                            lambda tmp: tmp.write_text(json.dumps(manifest, indent=1, default=str,
                                                                  ensure_ascii=False)))

    def write_frame(self, path: Path, frame: pd.DataFrame) -> None:
        write_frame(path, frame)

    def accepted(self, dataset: str) -> pd.DataFrame:
        paths = sorted((self.root / "accepted" / dataset).glob("*.parquet"))
        frames = [storage.read_parquet(p) for p in paths]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def rejection_files(self) -> list[Path]:
        """One per current (not superseded) received file, named by its hash and never rewritten: their
        names say what they hold."""
        return sorted((self.root / "rejections").glob("*.parquet"))

    def rejections(self) -> pd.DataFrame:
        """Every current file's ingest rejections (one Parquet file each: thousands at national scale,
        read together by DuckDB, whose reader also copes with the all-empty files' null types)."""
        files = self.rejection_files()
        if not files:
            return pd.DataFrame()
        with storage.local_copies(files) as local:       # DuckDB reads local files (object storage: copies)
            paths = [str(p) for p in local]
            return duckdb.sql(f"SELECT * FROM read_parquet({paths}, union_by_name = true)").df()


class Ledger:
    """Every received file's manifest, read once per batch and kept in step with what is written: a
    batch of thousands of files would otherwise re-read every manifest for each file it records."""

    def __init__(self, work: WorkArea):
        self.work = work
        self.by_sha = {m["sha256"]: dict(m) for m in work.manifests()}     # own copies: changed here

    def get(self, sha: str) -> dict | None:
        return self.by_sha.get(sha)

    def manifests(self) -> list[dict]:
        return list(self.by_sha.values())

    def write(self, manifest: dict) -> None:
        self.work.write_manifest_dict(manifest)
        self.by_sha[manifest["sha256"]] = manifest

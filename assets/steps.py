"""The stages of a sync as plain functions: reference gazetteer -> ingest per source -> harmonise ->
publish. Dagster assets (assets/definitions.py) call these; tests call them directly."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from assets.harmonise import aliases
from assets.harmonise.gazetteer import Gazetteer, load_gazetteer
from assets.harmonise.matcher import Matcher
from assets.harmonise.places import place_rows
from assets.harmonise.quality import match_quality
from assets.ingest.receive import Received, WorkArea, inbox_files, receive_file, settle_supersessions
from assets.ingest.report import file_reports, write_report
from assets.ingest.table import typed_frame
from assets.privacy import load_key
from assets.publish.publication import DATABASE_NAME, publish
from assets.ingest.receive import pseudonymise
from schemas import DATASETS


@dataclass(frozen=True)
class Paths:
    inbox: Path
    warehouse: Path

    @classmethod
    def from_env(cls) -> "Paths":
        return cls(Path(os.environ.get("JEMBATAN_INBOX", "inbox")).resolve(),
                   Path(os.environ.get("JEMBATAN_WAREHOUSE", "warehouse")).resolve())

    @property
    def work(self) -> WorkArea:
        return WorkArea(self.warehouse / "work")

    @property
    def archive(self) -> Path:
        return self.warehouse / "archive"

    @property
    def database(self) -> Path:
        return self.warehouse / DATABASE_NAME

    @property
    def reports(self) -> Path:
        return self.warehouse / "reports"

    @property
    def reference_store(self) -> Path:
        return self.warehouse / "work" / "reference"

    @property
    def placed_store(self) -> Path:
        return self.warehouse / "work" / "placed"


# -- reference --------------------------------------------------------------------------------------
def refresh_gazetteer(paths: Paths) -> Gazetteer:
    gazetteer = load_gazetteer(paths.inbox / "reference")
    store = paths.reference_store
    for name in ("areas", "bridging", "changes"):
        paths.work.write_frame(store / f"{name}.parquet", getattr(gazetteer, name))
    return gazetteer


def stored_gazetteer(paths: Paths) -> Gazetteer:
    store = paths.reference_store
    return Gazetteer(*(pd.read_parquet(store / f"{name}.parquet") for name in ("areas", "bridging", "changes")))


def reference_notes(gazetteer: Gazetteer) -> str:
    """Each decree version with its title, as the reference asset reports it."""
    titles = gazetteer.areas.groupby("version")["decree"].first()
    return ", ".join(f"{v} ({t})" if t else v for v, t in titles.items())


# -- ingest ------------------------------------------------------------------------------------------
def ingest_source(paths: Paths, source: str) -> list[Received]:
    key = load_key()
    settle_supersessions(paths.work)      # finishes what a killed sync left half-done
    return [receive_file(path, source, paths.work, paths.archive, key)
            for path in inbox_files(paths.inbox, source)]


def agency_reports(paths: Paths) -> list[dict]:
    """A report for every received file (warehouse/reports/<source>/), rewritten only when it changed."""
    placed = paths.placed_store / "rejections.parquet"
    reports = file_reports(paths.work, pd.read_parquet(placed) if placed.exists() else pd.DataFrame())
    for report in reports:
        write_report(paths.reports, report)
    return reports


# -- harmonise ---------------------------------------------------------------------------------------
def harmonise(paths: Paths) -> dict[str, dict]:
    """Place every accepted row, with the steward's aliases; returns per dataset the rows placed, rejected
    and the match methods. Also stores the unresolved place tuples (for `jembatan review export`) and the
    match quality per file."""
    matcher = Matcher(stored_gazetteer(paths), aliases.load_active(steward_dir(paths)))
    work = paths.work
    layouts = {m["sha256"]: m.get("layouts", {}) for m in work.manifests()}
    stats, rejections, unresolved, methods = {}, [], [], []
    for name, dataset in DATASETS.items():
        accepted = work.accepted(name)
        if accepted.empty:
            accepted = pseudonymise(typed_frame([], dataset), name, b"")
            accepted.insert(0, "source_file", pd.Series(dtype=object))
        placed, rejected, unplaced, matched = place_rows(accepted, dataset, matcher, layouts)
        work.write_frame(paths.placed_store / f"{name}.parquet", placed)
        rejections += rejected
        unresolved.append(unplaced)
        methods.append(matched)
        stats[name] = {"placed": len(placed), "rejected": len(rejected),
                       "methods": placed["match_method"].value_counts().to_dict()}
    work.write_frame(paths.placed_store / "rejections.parquet",
                     pd.DataFrame.from_records(rejections, columns=_rejection_columns()))
    work.write_frame(paths.placed_store / "unresolved.parquet", pd.concat(unresolved, ignore_index=True))
    work.write_frame(paths.placed_store / "match_quality.parquet",
                     match_quality(pd.concat(methods, ignore_index=True), file_register(work)))
    return stats


def stored_match_quality(paths: Paths) -> pd.DataFrame:
    return pd.read_parquet(paths.placed_store / "match_quality.parquet")


def steward_dir(paths: Paths) -> Path:
    """The steward's decisions: beside the warehouse database, never inside it (it is rebuilt every sync)."""
    return paths.warehouse / "steward"


def _rejection_columns() -> list[str]:
    return ["source_file", "dataset", "stage", "sheet", "row", "column", "header", "field", "value", "code",
            "expected", "message", "message_id"]


# -- publish -----------------------------------------------------------------------------------------
def file_register(work: WorkArea) -> pd.DataFrame:
    columns = ["sha256", "source", "file_name", "status", "datasets", "rows_read", "rows_accepted",
               "rows_rejected", "rows_skipped", "received_at", "notes"]
    records = [{**{k: m.get(k) for k in columns}, "datasets": ", ".join(m["datasets"]),
                "notes": json.dumps(m["notes"], ensure_ascii=False)} for m in work.manifests()]
    return pd.DataFrame.from_records(records, columns=columns)


def all_rejections(paths: Paths, register: pd.DataFrame) -> pd.DataFrame:
    ingest = paths.work.rejections()
    placed_path = paths.placed_store / "rejections.parquet"
    harmonised = pd.read_parquet(placed_path) if placed_path.exists() else pd.DataFrame()
    frames = [f for f in (ingest.drop(columns=["file_name", "source"], errors="ignore"), harmonised) if not f.empty]
    rejections = (pd.concat(frames, ignore_index=True) if frames
                  else pd.DataFrame(columns=_rejection_columns()))
    names = register.set_index("sha256")[["file_name", "source"]]
    rejections = rejections.join(names, on="source_file")
    rejections["row"] = rejections["row"].astype("int64")
    return rejections[["source", "file_name", *_rejection_columns()]]


def publish_marts(paths: Paths) -> dict[str, int]:
    gazetteer = stored_gazetteer(paths)
    register = file_register(paths.work)
    inputs = {"ref_area": gazetteer.areas, "ref_bridging": gazetteer.bridging, "ref_change": gazetteer.changes}
    for name in DATASETS:
        inputs[f"stg_{name}"] = paths.placed_store / f"{name}.parquet"     # read in place by DuckDB
    tables = {"file_register": register, "data_quality_rejection": all_rejections(paths, register)}
    return publish(paths.warehouse, inputs, tables)

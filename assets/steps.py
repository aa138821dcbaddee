"""The stages of a sync as plain functions: reference gazetteer -> ingest per source -> harmonise ->
publish. Dagster assets (assets/definitions.py) call these; tests call them directly."""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from assets.harmonise import aliases
from assets.harmonise.gazetteer import Gazetteer, load_gazetteer
from assets.harmonise.matcher import Matcher
from assets.harmonise.places import drop_repeated_village_years, place_rows
from assets.harmonise.quality import match_quality
from assets.incremental import StageState, code_files, fingerprint
from assets.ingest.batch import receive_files
from assets.ingest.receive import Received, WorkArea, inbox_files, pseudonymise
from assets.ingest.report import write_file_reports
from assets.ingest.table import typed_frame
from assets.privacy import load_key
from assets.publish.publication import DATABASE_NAME, publish
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

    @property
    def placed_by_file(self) -> Path:
        return self.warehouse / "work" / "placed_by_file"

    @property
    def state(self) -> StageState:
        return StageState(self.warehouse / "work" / "state.json")


# -- reference --------------------------------------------------------------------------------------
def refresh_gazetteer(paths: Paths) -> Gazetteer:
    """Read the reference folder, unless its files (and the code reading them) are unchanged."""
    folder = paths.inbox / "reference"
    files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    key = fingerprint(*files, *code_files("assets/harmonise"))
    store = paths.reference_store
    stored = [store / f"{name}.parquet" for name in ("areas", "bridging", "changes")]
    if paths.state.unchanged("reference", key) is not None and all(p.exists() for p in stored):
        return stored_gazetteer(paths)
    gazetteer = load_gazetteer(folder)
    for name, path in zip(("areas", "bridging", "changes"), stored):
        paths.work.write_frame(path, getattr(gazetteer, name))
    paths.state.record("reference", key, {"versions": gazetteer.versions})
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
    return receive_files(inbox_files(paths.inbox, source), source, paths.work, paths.archive, load_key())


def agency_reports(paths: Paths) -> dict[str, int]:
    """A report for every received file (warehouse/reports/<source>/), rewritten only when it changed;
    skipped when no file, rejection or manifest changed. Returns the number of reports per status."""
    placed = paths.placed_store / "rejections.parquet"
    code = fingerprint(*code_files("assets/ingest"), *code_files("assets/privacy.py"))
    key = fingerprint(placed, paths.work.manifests(),
                      [p.name for p in sorted((paths.work.root / "rejections").glob("*.parquet"))], code)
    if (statuses := paths.state.unchanged("agency_reports", key)) is not None and paths.reports.is_dir():
        return statuses
    statuses = write_file_reports(paths.work, paths.reports,
                                  pd.read_parquet(placed) if placed.exists() else pd.DataFrame(), code)
    paths.state.record("agency_reports", key, statuses)
    return statuses


def analyst_report(paths: Paths, out: Path) -> list | None:
    """Draw the analyst report from the current publication; None when it was already drawn from it."""
    key = fingerprint(paths.database, *code_files("assets/publish"))
    if paths.state.unchanged("analyst_report", key) is not None and out.exists():
        return None
    from assets.publish.report import write_report as write_analyst_report      # matplotlib: slow to import
    drawn = write_analyst_report(paths.database, out)
    paths.state.record("analyst_report", key, {"charts": len(drawn)})
    return drawn


# -- harmonise ---------------------------------------------------------------------------------------
def harmonise(paths: Paths) -> dict[str, dict]:
    """Place every accepted row, with the steward's aliases; returns per dataset the rows placed, rejected
    and the match methods. Also stores the unresolved place tuples (for `jembatan review export`) and the
    match quality per file.

    Each received file is placed once per matching fingerprint (reference lists, steward aliases, the
    matching code) and kept in work/placed_by_file/; a sync places only the files it has not placed yet,
    rebuilds only the datasets whose files changed, and skips the stage when nothing changed."""
    work = paths.work
    matching = fingerprint(*sorted(paths.reference_store.glob("*.parquet")),
                           *sorted(steward_dir(paths).glob("*")), *code_files("assets/harmonise", "schemas"),
                           Path(__file__))
    accepted = {name: sorted((work.root / "accepted" / name).glob("*.parquet")) for name in DATASETS}
    key = fingerprint(matching, {name: [p.name for p in files] for name, files in accepted.items()})
    outputs = [paths.placed_store / f"{name}.parquet" for name in DATASETS]
    if (stats := paths.state.unchanged("harmonise", key)) is not None and all(p.exists() for p in outputs):
        return stats
    cache = paths.placed_by_file / matching[:16]
    _drop_other_caches(paths.placed_by_file, keep=cache)
    matcher = _LazyMatcher(paths)
    layouts = _LazyLayouts(work)
    stats, extras = {}, []
    for name, dataset in DATASETS.items():
        dataset_key = fingerprint(matching, [p.name for p in accepted[name]])
        stored = paths.placed_store / "datasets" / f"{name}.pickle"
        if paths.state.unchanged(f"harmonise.{name}", dataset_key) is not None and stored.exists() \
                and (paths.placed_store / f"{name}.parquet").exists():
            extras.append(pd.read_pickle(stored))       # the dataset's files did not change
            stats[name] = extras[-1]["stats"]
            continue
        parts = [_placed_file(work, path, cache / name, dataset, matcher, layouts) for path in accepted[name]]
        if not parts:      # no file yet: an empty frame of the right shape keeps the SQL valid
            empty = pseudonymise(typed_frame([], dataset), name, b"")
            empty.insert(0, "source_file", pd.Series(dtype=object))
            parts = [_placed(empty, dataset, matcher(), {})]
        placed = pd.concat([p["placed"] for p in parts], ignore_index=True)
        placed, repeated = drop_repeated_village_years(placed, dataset, layouts() if len(placed) else {})
        work.write_frame(paths.placed_store / f"{name}.parquet", placed)
        stats[name] = {"placed": len(placed), "rejected": sum(len(p["rejections"]) for p in parts) + len(repeated),
                       "methods": placed["match_method"].value_counts().to_dict()}
        extras.append({"stats": stats[name],
                       "rejections": pd.concat([p["rejections"] for p in parts]
                                               + [pd.DataFrame.from_records(repeated, columns=_rejection_columns())],
                                               ignore_index=True),
                       "unresolved": pd.concat([p["unresolved"] for p in parts], ignore_index=True),
                       "methods": pd.concat([p["methods"] for p in parts], ignore_index=True)})
        _write_pickle(stored, extras[-1])
        paths.state.record(f"harmonise.{name}", dataset_key, stats[name])
    work.write_frame(paths.placed_store / "rejections.parquet",
                     pd.concat([e["rejections"] for e in extras], ignore_index=True))
    work.write_frame(paths.placed_store / "unresolved.parquet",
                     pd.concat([e["unresolved"] for e in extras], ignore_index=True))
    work.write_frame(paths.placed_store / "match_quality.parquet",
                     match_quality(pd.concat([e["methods"] for e in extras], ignore_index=True), file_register(work)))
    paths.state.record("harmonise", key, stats)
    return stats


class _LazyMatcher:
    """Building the matcher takes seconds at national scale: only done when some file needs placing."""

    def __init__(self, paths: Paths):
        self.paths, self.matcher = paths, None

    def __call__(self) -> Matcher:
        if self.matcher is None:
            self.matcher = Matcher(stored_gazetteer(self.paths), aliases.load_active(steward_dir(self.paths)))
        return self.matcher


class _LazyLayouts:
    """Where each file's columns were (for rejection messages), from the manifests: read only if needed."""

    def __init__(self, work: WorkArea):
        self.work, self.layouts = work, None

    def __call__(self) -> dict:
        if self.layouts is None:
            self.layouts = {m["sha256"]: m.get("layouts", {}) for m in self.work.manifests()}
        return self.layouts


def _placed(frame: pd.DataFrame, dataset, matcher: Matcher, layouts: dict) -> dict[str, pd.DataFrame]:
    """A file's placed rows, rejections, unresolved place tuples, and rows per match method."""
    placed, rejected, unresolved, methods = place_rows(frame, dataset, matcher, layouts)
    return {"placed": placed, "rejections": pd.DataFrame.from_records(rejected, columns=_rejection_columns()),
            "unresolved": unresolved,
            "methods": methods.groupby(["source_file", "dataset", "match_method"]).size().reset_index(name="rows")}


def _placed_file(work: WorkArea, path: Path, folder: Path, dataset, matcher: _LazyMatcher,
                 layouts: _LazyLayouts) -> dict[str, pd.DataFrame]:
    """One received file's placement: from the cache, or computed now and cached. The cache is private
    to this warehouse and rebuilt from the work area at will, so one pickle per file (written by atomic
    rename) is enough, and much cheaper than four Parquet files."""
    target = folder / f"{path.stem}.pickle"
    if target.exists():
        return pd.read_pickle(target)
    parts = _placed(pd.read_parquet(path), dataset, matcher(), layouts())
    _write_pickle(target, parts)
    return parts


def _write_pickle(target: Path, value) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    pd.to_pickle(value, tmp)
    os.replace(tmp, target)


def _drop_other_caches(root: Path, keep: Path) -> None:
    """Placements made under an older fingerprint are never read again."""
    if root.is_dir():
        for folder in root.iterdir():
            if folder != keep:
                shutil.rmtree(folder, ignore_errors=True)


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


# Where things are, not what the marts say: not part of the publication's fingerprint.
LOCATIONS = {"JEMBATAN_INBOX", "JEMBATAN_WAREHOUSE", "JEMBATAN_KEY_FILE", "JEMBATAN_REFERENCE"}


def publish_marts(paths: Paths) -> dict[str, int]:
    """Build and publish the marts, unless nothing they are made of changed since the last publication."""
    register = file_register(paths.work)
    key = fingerprint(*sorted(paths.placed_store.glob("*.parquet")), register.to_json(),
                      *sorted((paths.work.root / "rejections").glob("*.parquet")),
                      *code_files("warehouse/sql", "assets/publish"),
                      {k: v for k, v in os.environ.items() if k.startswith("JEMBATAN_") and k not in LOCATIONS})
    if (counts := paths.state.unchanged("publish", key)) is not None and paths.database.exists():
        return counts
    gazetteer = stored_gazetteer(paths)
    inputs = {"ref_area": gazetteer.areas, "ref_bridging": gazetteer.bridging, "ref_change": gazetteer.changes}
    for name in DATASETS:
        inputs[f"stg_{name}"] = paths.placed_store / f"{name}.parquet"     # read in place by DuckDB
    tables = {"file_register": register, "data_quality_rejection": all_rejections(paths, register)}
    counts = publish(paths.warehouse, inputs, tables)
    paths.state.record("publish", key, counts)
    return counts

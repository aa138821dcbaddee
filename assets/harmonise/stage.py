"""The harmonise stage: every accepted row placed in one current village, with the steward's aliases.

Each received file is placed once per matching fingerprint (reference lists, steward aliases, the
matching code) and kept in work/placed_by_file/<fingerprint>/<dataset>/: its placed rows as Parquet and
the rest (rejections, unresolved place tuples, rows per match method) as a small pickle. A dataset's
placed rows are the union of its files' Parquet files, listed in work/placed/<dataset>.json, which is
what the publish step reads; only a dataset whose rule spans files (one row per village and year) is
combined into one file. A sync places only files it has not placed yet, rebuilds only datasets whose
files changed; the planner leaves the stage out of a sync when nothing it is built from changed
(assets/incremental.py).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Executor, Future
from pathlib import Path

import pandas as pd

from assets import storage
from assets.harmonise import aliases
from assets.harmonise.bulk import loaded_matcher, place_ahead, remember
from assets.harmonise.history_edits import history_rejections
from assets.harmonise.matcher import Matcher
from assets.harmonise import conflicts
from assets.harmonise.collisions import Outcome, settle_files, settle_rows
from assets.harmonise.places import drop_repeated_village_years, place_rows
from assets.harmonise.quality import match_quality
from assets.harmonise.read_as import likeness_rows, with_labels
from assets.incremental import atomic_write, code_files, fingerprint, write_frame
from assets.ingest.decisions import ordered
from assets.ingest.errors import REJECTION_COLUMNS
from assets.ingest.receive import pseudonymise
from assets.ingest.work_area import WorkArea
from assets.ingest.table import typed_frame
from assets.paths import Paths, has_gazetteer, steward_dir, stored_gazetteer
from schemas import DATASETS


def harmonise(paths: Paths) -> dict[str, dict]:
    """Returns per dataset the rows placed, rejected and the match methods. Also stores the unresolved
    place tuples (for `jembatan review export`), the rejections and the match quality per file."""
    work = paths.work
    if not has_gazetteer(paths):        # an empty inbox: no village list read yet, and so no row to place
        work.write_frame(paths.placed_store / "match_quality.parquet", match_quality(_no_methods(), file_register(work)))
        return {}
    matching = matching_fingerprint(paths)
    accepted = _accepted(work)
    decided = conflicts.load(steward_dir(paths))        # the steward's decisions on conflicts between offices
    key = harmonise_key(paths, matching, accepted)
    cache = paths.placed_by_file / matching[:16]
    _drop_other_caches(paths.placed_by_file, keep=cache)
    matcher, layouts = _LazyMatcher(paths, cache / "matcher.pickle"), _LazyLayouts(work)
    stats, extras = {}, []
    for name in DATASETS:
        dataset_key = fingerprint(matching, [p.name for p in accepted[name]], decided)
        stored = paths.placed_store / "datasets" / f"{name}.pickle"
        if paths.state.unchanged(f"harmonise.{name}", dataset_key) is not None and stored.exists() \
                and placed_list(paths, name).exists():
            extras.append(storage.read_pickle(stored))       # the dataset's files did not change
        else:
            extras.append(_place_dataset(paths, name, accepted[name], matching, cache / name, matcher, layouts,
                                         decided))
            _write_pickle(stored, extras[-1])
            paths.state.record(f"harmonise.{name}", dataset_key, extras[-1]["stats"])
        stats[name] = extras[-1]["stats"]
    work.write_frame(paths.placed_store / "rejections.parquet",
                     pd.concat([e["rejections"] for e in extras], ignore_index=True))
    work.write_frame(paths.placed_store / "read_as.parquet",          # placed by likeness: told to the clerk
                     with_labels(likeness_rows([f for name in DATASETS for f in placed_files(paths, name)],
                                               kept=paths.placed_store / "kept" / "likeness.parquet"),
                                 lambda: stored_gazetteer(paths).current()))
    work.write_frame(paths.placed_store / "file_notes.parquet",       # rows replaced or held: told to each file
                     pd.concat([e.get("notes", _no_notes()) for e in extras], ignore_index=True))
    work.write_frame(paths.placed_store / "conflicts.parquet",        # between offices: the steward's only
                     pd.concat([e.get("conflicts", _no_conflicts()) for e in extras], ignore_index=True))
    work.write_frame(paths.placed_store / "unresolved.parquet",
                     pd.concat([e["unresolved"] for e in extras], ignore_index=True))
    work.write_frame(paths.placed_store / "match_quality.parquet",
                     match_quality(pd.concat([e["methods"] for e in extras], ignore_index=True), file_register(work)))
    paths.state.record("harmonise", key, stats)
    return stats


UNPLACED = ("ambiguous", "unmatched", "not_a_village")


def _accepted(work: WorkArea) -> dict[str, list[Path]]:
    return {name: sorted((work.root / "accepted" / name).glob("*.parquet")) for name in DATASETS}


def harmonise_key(paths: Paths, matching: str | None = None, accepted: dict[str, list[Path]] | None = None) -> str:
    """What the stage's outputs are built from (assets/incremental.py): the matching fingerprint, the
    accepted files of every dataset and the steward's decisions on conflicts between offices."""
    accepted = _accepted(paths.work) if accepted is None else accepted
    return fingerprint(matching or matching_fingerprint(paths),
                       {name: [p.name for p in files] for name, files in accepted.items()},
                       conflicts.load(steward_dir(paths)))


def matching_fingerprint(paths: Paths) -> str:
    """What placing a row depends on: the reference lists, the steward's aliases, the matching code."""
    return fingerprint(*sorted(paths.reference_store.glob("*.parquet")),
                       *sorted(p for p in steward_dir(paths).glob("*") if p.name != conflicts.DECISIONS_FILE),
                       *code_files("assets/harmonise", "schemas"))


def placements_current(paths: Paths) -> bool:
    """Whether the files placed so far were placed under the reference lists, steward aliases and
    matching code now in force (False also before any list was read)."""
    return has_gazetteer(paths) and (paths.placed_by_file / matching_fingerprint(paths)[:16]).is_dir()


def place_contents(paths: Paths, shas: list[str]) -> dict[str, dict]:
    """Place the accepted rows of these received files (a run's file partitions), each dataset of each
    file into the cache of the current matching fingerprint (what `harmonise` then lists, without
    placing them again). Returns per file: rows placed and unplaced, and the rows per match method;
    a file with no accepted rows (rejected, superseded) gives zeros. Nothing is placed before a
    reference list was read."""
    if not has_gazetteer(paths):
        return {}
    matching = matching_fingerprint(paths)
    cache = paths.placed_by_file / matching[:16]
    _drop_other_caches(paths.placed_by_file, keep=cache)
    matcher, layouts = _LazyMatcher(paths, cache / "matcher.pickle"), _LazyLayouts(paths.work)
    place_ahead([(accepted, cache / name, name) for sha in shas for name in DATASETS
                 if (accepted := paths.work.accepted_path(name, sha)).exists()], matcher, layouts, _placed_file)
    out = {}
    for sha in shas:
        methods = pd.concat([_placed_file(accepted, cache / name, DATASETS[name], matcher, layouts)["methods"]
                             for name in DATASETS if (accepted := paths.work.accepted_path(name, sha)).exists()]
                            or [_no_methods()], ignore_index=True)
        by_method = methods.groupby("match_method")["rows"].sum()
        unplaced = by_method[by_method.index.isin(UNPLACED)]
        out[sha] = {"placed": int(by_method.sum() - unplaced.sum()), "unplaced": int(unplaced.sum()),
                    "methods": {k: int(v) for k, v in by_method.sort_values(ascending=False).items()}}
    return out


def _place_dataset(paths: Paths, name: str, accepted: list[Path], matching: str, folder: Path,
                   matcher: "_LazyMatcher", layouts: "_LazyLayouts", decided: dict | None = None) -> dict:
    """Place a dataset's files (each from its cache, or now), list its placed rows for the publish step,
    and gather its stats, rejections, unresolved place tuples and rows per match method; keys sent in
    several files settled by office (collisions.py, with the steward's `decided` conflicts)."""
    dataset, work = DATASETS[name], paths.work
    stored = paths.placed_store / "datasets" / f"{name}.pickle"
    previous = storage.read_pickle(stored) if stored.exists() else {}
    names = [p.stem for p in accepted]
    if previous.get("matching") == matching and previous.get("files") and set(previous["files"]) <= set(names) \
            and "placing" in previous:
        # Files were only added (the usual new drop): the earlier files' results stand as they were.
        known = set(previous["files"])
        place_ahead([(path, folder, name) for path in accepted if path.stem not in known], matcher, layouts,
                    _placed_file)
        # (its rejections of placing alone: those across files are settled again below)
        parts = [{**previous, "rejections": previous["placing"]}] + \
                [_placed_file(path, folder, dataset, matcher, layouts)
                              for path in accepted if path.stem not in known]
    else:
        place_ahead([(path, folder, name) for path in accepted], matcher, layouts, _placed_file)
        parts = [_placed_file(path, folder, dataset, matcher, layouts) for path in accepted]
    files, repeated, flagged, settled = [folder / f"{stem}.parquet" for stem in names], [], [], Outcome()
    methods = _by_file([p["methods"] for p in parts], _no_methods())
    by_method = methods[~methods["match_method"].isin(UNPLACED)].groupby("match_method")["rows"].sum()
    if dataset.one_row_per_village_year or dataset.unique_key:
        # Across files the one received first counts: files in the order received, named for messages.
        manifests = {m["sha256"]: m for m in work.manifests()}
        files = sorted(files, key=lambda f: (manifests.get(f.stem, {}).get("received_at", ""), f.stem))
    if dataset.one_row_per_village_year or not files:
        rows = pd.concat([storage.read_parquet(f) for f in files], ignore_index=True) if files \
            else _empty_placed(name, matcher)      # no file yet: an empty table keeps the SQL valid
        rows, repeated = drop_repeated_village_years(rows, dataset, layouts() if len(rows) else {})
        rows, settled = settle_rows(rows, dataset, manifests if files else {}, decided or {}, layouts)
        flagged = history_rejections(rows, dataset, layouts() if len(rows) else {})   # warnings: rows stay
        combined = paths.placed_store / f"{name}.parquet"
        work.write_frame(combined, rows)
        files, by_method, names = [combined], rows["match_method"].value_counts(), []
    elif dataset.unique_key:            # a report number in several files is counted once (collisions.py)
        files, settled = settle_files(files, dataset, manifests, decided or {}, layouts,
                                      kept_keys=paths.placed_store / "kept" / f"keys.{name}.parquet")
    repeated += settled.rejections
    listed = [str(f.relative_to(work.root)) for f in files]     # relative: the warehouse can move
    atomic_write(placed_list(paths, name), lambda tmp: tmp.write_text(json.dumps(listed)))
    rejections = _by_file([p["rejections"] for p in parts], pd.DataFrame(columns=REJECTION_COLUMNS))
    return {"stats": {"placed": int(by_method.sum()), "rejected": len(rejections) + len(repeated),
                      "methods": {k: int(v) for k, v in by_method.sort_values(ascending=False).items()}},
            "matching": matching, "files": names,       # which files' results these are, to add others to
            "placing": rejections,                      # each file's own, before keys across files
            "rejections": pd.concat([rejections, pd.DataFrame.from_records(repeated + flagged,
                                                                           columns=REJECTION_COLUMNS)],
                                    ignore_index=True),
            "unresolved": _by_file([p["unresolved"] for p in parts], pd.DataFrame()),
            "notes": pd.DataFrame(settled.notes, columns=NOTE_COLUMNS), "conflicts": settled.conflicts,
            "methods": methods}


def placed_list(paths: Paths, dataset: str) -> Path:
    """JSON list of the Parquet files whose rows together are the dataset's placed rows."""
    return paths.placed_store / f"{dataset}.json"


def placed_files(paths: Paths, dataset: str) -> list[Path]:
    return [paths.work.root / p for p in json.loads(storage.read_text(placed_list(paths, dataset)))]


def placed_rows(paths: Paths, dataset: str) -> pd.DataFrame:
    return pd.concat([storage.read_parquet(p) for p in placed_files(paths, dataset)], ignore_index=True)


def _by_file(frames: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    """Frames of several files as one, in file order (the same however they were gathered); with the
    columns of the first frame when none has rows."""
    filled = [f for f in frames if len(f)]
    if not filled:
        return frames[0].iloc[:0] if frames else empty
    return pd.concat(filled, ignore_index=True).sort_values("source_file", kind="stable", ignore_index=True)


NOTE_COLUMNS = ["source_file", "note", "note_id"]


def _no_notes() -> pd.DataFrame:
    return pd.DataFrame(columns=NOTE_COLUMNS)


def _no_conflicts() -> pd.DataFrame:
    return pd.DataFrame(columns=conflicts.CONFLICT_COLUMNS)


def _no_methods() -> pd.DataFrame:
    return pd.DataFrame({"source_file": pd.Series(dtype=object), "dataset": pd.Series(dtype=object),
                         "match_method": pd.Series(dtype=object), "rows": pd.Series(dtype="int64")})


def _empty_placed(name: str, matcher: "_LazyMatcher") -> pd.DataFrame:
    empty = pseudonymise(typed_frame([], DATASETS[name]), name, b"")
    empty.insert(0, "source_file", pd.Series(dtype=object))
    return place_rows(empty, DATASETS[name], matcher(), {})[0]


# The matchers being built ahead by the sync's workers (matcher_ahead): pickle path -> its job.
_AHEAD: dict[str, Future] = {}


def matcher_ahead(paths: Paths) -> Callable[[Executor], None] | None:
    """When the matcher of the matching fingerprint now in force is not built yet: what submits its
    building to the sync's workers (batch.read_ahead calls it before the first read), so that it is
    built while the files are read, not afterwards while the workers wait for it (9 s on one core for
    the whole country). None when there is nothing to build (no reference list read yet, or built)."""
    if not has_gazetteer(paths):
        return None
    stored = matcher_path(paths)
    if stored.exists() or str(stored) in _AHEAD:
        return None

    def submit(pool: Executor) -> None:
        _AHEAD[str(stored)] = pool.submit(_build_matcher, paths, stored)
    return submit


def matcher_path(paths: Paths) -> Path:
    """Where the matcher of the matching fingerprint now in force is pickled."""
    return paths.placed_by_file / matching_fingerprint(paths)[:16] / "matcher.pickle"


def _build_matcher(paths: Paths, stored: Path) -> None:
    """In a worker: the matcher built and pickled at `stored` (and kept for this worker's placing)."""
    _LazyMatcher(paths, stored)()


class _LazyMatcher:
    """Building the matcher takes seconds at national scale: only done when some file needs placing, and
    kept (pickled, in the cache folder of its matching fingerprint) for the next sync that needs it."""

    def __init__(self, paths: Paths, stored: Path):
        self.paths, self.stored, self.matcher = paths, stored, None

    def built(self) -> bool:
        """Whether the matcher is pickled at `stored`, once its building ahead (matcher_ahead) ended; a
        building that failed (a worker died) leaves it to be built here."""
        if (ahead := _AHEAD.pop(str(self.stored), None)) is not None:
            try:
                ahead.result()
            except Exception:       # BrokenProcessPool, or what building raised: raised again when built here
                pass
        return self.stored.exists()

    def __call__(self) -> Matcher:
        if self.matcher is None and self.built():
            self.matcher = loaded_matcher(self.stored)        # once per process
        if self.matcher is None:
            self.matcher = Matcher(stored_gazetteer(self.paths), aliases.load_active(steward_dir(self.paths)))
            _write_pickle(self.stored, self.matcher)       # before any use: its memo starts empty
            remember(self.stored, self.matcher)
        return self.matcher


class _LazyLayouts:
    """Where each file's columns were (for rejection messages), from the manifests: read only if needed."""

    def __init__(self, work: WorkArea):
        self.work, self.layouts = work, None

    def __call__(self) -> dict:
        if self.layouts is None:
            self.layouts = {m["sha256"]: m.get("layouts", {}) for m in self.work.manifests()}
        return self.layouts


def _placed_file(path: Path, folder: Path, dataset, matcher: _LazyMatcher, layouts: _LazyLayouts) -> dict:
    """One received file's placement, from the cache or computed now and cached: its placed rows'
    Parquet file ("rows"), its rejections, unresolved place tuples and rows per match method. Private
    to this warehouse and rebuilt from the work area at will; each file written by atomic rename, the
    pickle last."""
    extras = folder / f"{path.stem}.pickle"
    if extras.exists():
        return storage.read_pickle(extras)
    placed, rejected, unresolved, methods = place_rows(storage.read_parquet(path), dataset, matcher(), layouts())
    rows = folder / f"{path.stem}.parquet"
    write_frame(rows, placed)
    parts = {"rows": rows, "rejections": pd.DataFrame.from_records(rejected, columns=REJECTION_COLUMNS),
             "unresolved": unresolved,
             "methods": methods.groupby(["source_file", "dataset", "match_method"]).size().reset_index(name="rows")}
    _write_pickle(extras, parts)
    return parts


def _write_pickle(target: Path, value) -> None:
    atomic_write(target, lambda tmp: pd.to_pickle(value, tmp))


def _drop_other_caches(root: Path, keep: Path) -> None:
    """Placements made under an older fingerprint are never read again."""
    for folder in storage.subfolders(root):
        if folder != keep:
            storage.delete_tree(folder)


def stored_match_quality(paths: Paths) -> pd.DataFrame:
    return storage.read_parquet(paths.placed_store / "match_quality.parquet")


def file_register(work: WorkArea) -> pd.DataFrame:
    """One row per received file, from the manifests."""
    columns = ["sha256", "source", "file_name", "status", "datasets", "rows_read", "rows_accepted",
               "rows_rejected", "rows_skipped", "received_at", "notes", "decisions", "superseded_by"]
    records = [{**{k: m.get(k) for k in columns}, "datasets": ", ".join(m["datasets"]),
                "notes": json.dumps(m["notes"], ensure_ascii=False),
                "decisions": json.dumps(ordered(m.get("decisions", [])), ensure_ascii=False),
                "superseded_by": m.get("superseded_by") or None}
               for m in work.manifests()]
    return pd.DataFrame.from_records(records, columns=columns)

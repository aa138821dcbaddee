"""The stages of a sync as plain functions: reference gazetteer -> ingest per source -> harmonise
(assets/harmonise/stage.py) -> agency reports, publish, analyst report. Dagster assets
(pipelines/defs/assets.py) call these; tests call them directly."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from assets import storage
from assets.access import restricted_dir
from assets.harmonise.gazetteer import Gazetteer, load_gazetteer
from assets.harmonise.stage import (file_register, harmonise, harmonise_key, matcher_ahead,  # noqa: F401
                                    place_contents, placed_files, placed_list, placed_rows, placements_current,
                                    stored_match_quality)
from assets.incremental import code_files, fingerprint
from assets.ingest.errors import REJECTION_COLUMNS
from assets.ingest.batch import forget_ahead, read_ahead, receive_files
from assets.ingest.inbox import scan_inbox, stored_name
from assets.ingest.inbox_look import FolderLook, look_at_folder, record_look, recorded_look  # noqa: F401
from assets.ingest.record import NOT_RECEIVED, Received
from assets.ingest.report import replaced_files_rejections, write_file_reports, write_inbox_reports
from assets.paths import Paths, has_gazetteer, steward_dir, stored_gazetteer  # noqa: F401  (the stages' shared names)
from assets.key_rotation import retire_publications
from assets.pseudonym_key import warehouse_key
from assets.publish.publication import Warehouse, publish
from assets.workers import worker_pool
from schemas import DATASETS, SOURCES


# -- reference --------------------------------------------------------------------------------------
# The source files each stage's fingerprint counts: also its asset's code_version (pipelines/defs/assets.py).
REFERENCE_CODE = tuple(f"assets/harmonise/{m}.py" for m in ("reference_files", "gazetteer", "codes", "names"))
REPORT_CODE = ("assets/ingest", "assets/privacy.py", "assets/harmonise/read_as.py", "assets/harmonise/collisions.py")


def _reference_key(paths: Paths) -> str | None:
    """What the stored lists are read from: the reference folder's files and the code reading them;
    None for an empty folder (the lists read before stay in force)."""
    files = sorted(scan_inbox(paths.inbox / "reference").files)   # as read_reference_folder lists them
    if not files:
        return None
    return fingerprint(*files, *code_files(*REFERENCE_CODE))


def _reference_stored(paths: Paths) -> list[Path]:
    return [paths.reference_store / f"{name}.parquet" for name in ("areas", "bridging", "changes")]


def refresh_gazetteer(paths: Paths, looks: dict[str, FolderLook] | None = None) -> Gazetteer | None:
    """Read the reference folder (the planner runs this stage only when its files or the code reading
    them changed, or nothing was read yet). An empty folder keeps the lists read before; with none read
    before and no agency file either (an empty inbox) there is nothing to place yet: None. `looks`: the
    agency folders as the sync's look found them (None: listed now). Raises FileNotFoundError when agency
    files wait for a list."""
    folder = paths.inbox / "reference"
    key, stored = _reference_key(paths), _reference_stored(paths)
    if key is None and all(p.exists() for p in stored):
        return stored_gazetteer(paths)
    held = ([look.files or look.entries for look in looks.values()] if looks is not None else
            [(scan := scan_inbox(paths.inbox / source, settle=0)).files or scan.entries for source in SOURCES])
    if key is None and not any(held):
        return None
    gazetteer = load_gazetteer(folder)
    for name, path in zip(("areas", "bridging", "changes"), stored):
        paths.work.write_frame(path, getattr(gazetteer, name))
    paths.state.record("reference", key or fingerprint(*stored), {"versions": gazetteer.versions})
    return gazetteer


def reference_notes(gazetteer: Gazetteer) -> str:
    """Each decree version with its title, as the reference asset reports it."""
    titles = gazetteer.areas.groupby("version")["decree"].first()
    return ", ".join(f"{v} ({t})" if t else v for v, t in titles.items())


# -- ingest ------------------------------------------------------------------------------------------
def _receiving_key(paths: Paths) -> bytes:
    """The pseudonym key, with the archive and the work area made (owner-only) before anything is taken."""
    key = warehouse_key(paths.warehouse)          # refuses a missing, weak or other key (KeyRefused)
    for folder in (paths.archive, paths.work.root):
        restricted_dir(folder)
    return key


def ingest_source(paths: Paths, source: str, only: set[str] | None = None,
                  look: FolderLook | None = None) -> list[Received]:
    """A Received for every entry of inbox/<source>/: the files received (or known), then what was not
    received now (status waiting, refused or left_alone, with the reason in `problems`). Each refused
    entry also gets a report in warehouse/reports/<source>/. `only`: read only these contents (SHA-256;
    an empty set reads nothing and lists what the folder holds); None reads every new content. `look`:
    the folder as the sync's look found it (look_at_inbox); None looks at it now."""
    key = _receiving_key(paths)
    look = look_at_inbox(paths, [source])[source] if look is None else look
    received = receive_files(look.files, source, paths.work, paths.archive, key, listed=look.stats, only=only,
                             hashed=look.shas)
    received += [Received.not_received(entry, source) for entry in look.entries]
    write_inbox_reports(paths.reports, [r for r in received if r.status == "refused"])
    return received


def look_at_inbox(paths: Paths, sources: tuple[str, ...] | list[str] = SOURCES,
                  scans: dict | None = None) -> dict[str, FolderLook]:
    """The one look of a sync at these agency folders (assets/ingest/inbox_look.py): each listed once
    (or as `scans`, inbox.scan_inbox by folder name, found it just before), each new or changed file
    taken into the archive (hashed while copied) as receiving does. Raises KeyRefused (no usable
    pseudonym key) and OSError (the archive cannot be written)."""
    _receiving_key(paths)
    return {source: look_at_folder(paths.inbox / source, source, paths.work, paths.archive,
                                   (scans or {}).get(source)) for source in sources}


def inbox_key(paths: Paths, source: str, look: FolderLook) -> str:
    """What inbox/<source>/ holds as `look` (the sync's look) found it, as its folder asset reports it:
    each settled file's name (masked), size and modification time, and each entry not received and why
    (assets/incremental.py)."""
    return fingerprint([(stored_name(p.name), look.stats[p].st_size, look.stats[p].st_mtime_ns) for p in look.files],
                       [(stored_name(e.name), e.status) for e in look.entries],
                       sorted((m["sha256"], m.get("superseded_by") or "") for m in paths.work.manifests()
                              if m.get("source") == source))


def inbox_current(paths: Paths, source: str, look: FolderLook) -> bool:
    return paths.state.built_from(f"inbox.{source}") == inbox_key(paths, source, look)


def new_files(paths: Paths, looks: dict[str, FolderLook] | None = None) -> list[dict]:
    """Every inbox file whose content this warehouse has not received, in drop order (agency folders in
    SOURCES order), each content once: {"sha256", "source", "file_name", "mtime_ns"} (an arrival:
    assets/arrivals.py; mtime_ns: the file's modification time, the day in its key).
    `looks`: the agency folders as the sync's look found them (None: look_at_inbox now); a file still
    being written, a link or an unreadable file is left for the ingest assets to report."""
    looks = look_at_inbox(paths) if looks is None else looks
    work, new = paths.work, {}
    for source, look in looks.items():
        for path, sha in zip(look.files, look.shas):
            if isinstance(sha, str) and sha not in new and not work.manifest_path(sha).exists():
                new[sha] = {"sha256": sha, "source": source, "file_name": path.name,
                            "mtime_ns": look.stats[path].st_mtime_ns}
    return list(new.values())


def new_contents(paths: Paths) -> list[str]:
    """The SHA-256 of new_files, in drop order."""
    return [f["sha256"] for f in new_files(paths)]


def received_contents(paths: Paths) -> list[str]:
    """The SHA-256 of every received file that counts (not superseded by a corrected one), in the order
    received."""
    manifests = sorted(paths.work.manifests(), key=lambda m: (m.get("received_at", ""), m["sha256"]))
    return [m["sha256"] for m in manifests if not m.get("superseded_by")]


def receive_contents(paths: Paths, shas: list[str], sources: list[str] | None = None,
                     looks: dict[str, FolderLook] | None = None) -> dict[str, dict]:
    """Receive the inbox files holding these contents (a run's arrivals), in drop order; `sources`: the
    agency folders they were found in (default: every folder); `looks`: as the sync's look found them
    (a folder it does not hold is listed now). Returns per content its manifest
    (assets/ingest/record.Received.as_dict: source, file_name, status, rows_read, rows_accepted, ...) with
    `read_now` (True when read by this call, False when received before); a content no inbox file holds
    and never received is left out."""
    wanted = set(shas)
    read_now = set()
    looks = looks or {}
    with worker_pool():         # one pool for every folder's files (assets/workers.py)
        try:
            # The folders the sync's look found are read ahead together, so that no worker waits at the
            # end of one folder for the other's last file.
            # The matcher (when the reference lists were read before, as a sync orders it) is built by
            # a worker meanwhile, not after the reading while both workers wait for it.
            read_ahead([(source, looks[source].files, looks[source].shas) for source in SOURCES
                        if source in looks and (sources is None or source in sources)],
                       paths.work, paths.archive, _receiving_key(paths), only=wanted, first=matcher_ahead(paths))
            for source in SOURCES:
                if wanted - read_now and (sources is None or source in sources):
                    read_now |= {r.sha256 for r in ingest_source(paths, source, only=wanted - read_now,
                                                                 look=looks.get(source))
                                 if r.sha256 in wanted and r.status not in ("unchanged", "duplicate", *NOT_RECEIVED)}
        finally:
            forget_ahead()
    return {sha: {**manifest, "read_now": sha in read_now} for sha in shas
            if (manifest := paths.work.manifest(sha)) is not None}


def _agency_reports_key(paths: Paths) -> str:
    placed, read_as = paths.placed_store / "rejections.parquet", paths.placed_store / "read_as.parquet"
    notes = paths.placed_store / "file_notes.parquet"        # rows replaced or held (harmonise/collisions.py)
    return fingerprint(placed, read_as, notes, paths.work.manifests(), [p.name for p in paths.work.rejection_files()],
                       _report_code())


def _report_code() -> str:
    return fingerprint(*code_files(*REPORT_CODE))


def agency_reports(paths: Paths) -> dict[str, int]:
    """A report for every received file (warehouse/reports/<source>/), rewritten only when it changed
    (the planner runs this stage when a file, a rejection or a manifest changed). Returns the number of
    reports per status."""
    placed, read_as = paths.placed_store / "rejections.parquet", paths.placed_store / "read_as.parquet"
    notes = paths.placed_store / "file_notes.parquet"
    key = _agency_reports_key(paths)
    restricted_dir(paths.reports)
    statuses = write_file_reports(paths.work, paths.reports,
                                  storage.read_parquet(placed) if placed.exists() else pd.DataFrame(), _report_code(),
                                  storage.read_parquet(read_as) if read_as.exists() else None,
                                  storage.read_parquet(notes) if notes.exists() else None)
    paths.state.record("agency_reports", key, statuses)
    return statuses


def _analyst_report_key(paths: Paths) -> str:
    return fingerprint(paths.database, *code_files("assets/publish"))


def analyst_report(paths: Paths, out: Path) -> list:
    """Draw the analyst report from the current publication (the planner runs this stage when the
    publication or the report's code changed); [] when nothing is published yet (an empty inbox)."""
    if not paths.database.exists():         # nothing published yet (an empty inbox)
        return []
    key = _analyst_report_key(paths)
    from assets.publish.report import write_report as write_analyst_report      # matplotlib: slow to import
    drawn = write_analyst_report(paths.database, out)
    paths.state.record("analyst_report", key, {"charts": len(drawn)})
    return drawn


# -- publish -----------------------------------------------------------------------------------------
def all_rejections(paths: Paths, register: pd.DataFrame) -> pd.DataFrame:
    ingest = paths.work.rejections()
    placed_path = paths.placed_store / "rejections.parquet"
    harmonised = storage.read_parquet(placed_path) if placed_path.exists() else pd.DataFrame()
    replaced = replaced_files_rejections(paths.work)       # files a corrected one superseded: what they said
    frames = [f.drop(columns=["file_name", "source"], errors="ignore") for f in (ingest, harmonised, replaced)
              if not f.empty]
    rejections = (pd.concat(frames, ignore_index=True) if frames
                  else pd.DataFrame(columns=REJECTION_COLUMNS))
    names = register.set_index("sha256")[["file_name", "source"]]
    rejections = rejections.join(names, on="source_file")
    rejections["row"] = rejections["row"].astype("int64")
    # Rejections stored before warnings existed were all errors.
    rejections["severity"] = rejections["severity"].fillna("error") if "severity" in rejections else "error"
    rejections["expected_id"] = (rejections["expected_id"].fillna(rejections["expected"])
                                 if "expected_id" in rejections else rejections["expected"])
    return rejections[["source", "file_name", *REJECTION_COLUMNS]]


def _publish_key(paths: Paths) -> str:
    register = file_register(paths.work)
    return fingerprint(*sorted(paths.placed_store.glob("*.parquet")), *sorted(paths.placed_store.glob("*.json")),
                       register.to_json(), [p.name for p in paths.work.rejection_files()],
                       *code_files("warehouse/sql", "assets/publish"))
    # No JEMBATAN_ setting is in it (incremental.code_digest says why): a sync with nothing new publishes
    # nothing, whatever its settle time, workers or the portal's whole files.


def publish_marts(paths: Paths) -> dict[str, int]:
    """Build and publish the marts (the planner runs this stage when what they are made of changed since
    the last publication, or the last publish was killed half way)."""
    key = _publish_key(paths)
    if not has_gazetteer(paths):       # an empty inbox: no village list yet, nothing to publish
        return {}
    register = file_register(paths.work)
    gazetteer = stored_gazetteer(paths)
    inputs = {"ref_area": gazetteer.areas, "ref_bridging": gazetteer.bridging, "ref_change": gazetteer.changes}
    for name in DATASETS:
        inputs[f"stg_{name}"] = placed_files(paths, name)     # read in place by DuckDB
    tables = {"file_register": register, "data_quality_rejection": all_rejections(paths, register)}
    counts = publish(paths.warehouse, inputs, tables)
    retire_publications(paths.warehouse)          # those made under a key since rotated away
    paths.state.record("publish", key, counts)
    return counts


# -- what a sync must run ---------------------------------------------------------------------------
STAGES = ("reference", "harmonise", "agency_reports", "publish", "analyst_report")     # in the order they run


def stage_current(paths: Paths, stage: str) -> bool:
    """Whether the stage's outputs exist and were built from its inputs as they are now (the fingerprints
    of assets/incremental.py). Only meaningful once the stages before it are current: the planner runs
    every stage after one that runs."""
    built = paths.state.built_from(stage)
    if built is None:
        return stage == "analyst_report" and not paths.database.exists()     # nothing published to draw
    if stage == "reference":
        key = _reference_key(paths)
        return all(p.exists() for p in _reference_stored(paths)) and key in (None, built)
    if stage == "harmonise":
        return all(placed_list(paths, name).exists() for name in DATASETS) and harmonise_key(paths) == built
    if stage == "agency_reports":
        return paths.reports.is_dir() and _agency_reports_key(paths) == built
    if stage == "publish":
        return Warehouse(paths.warehouse).in_step() and _publish_key(paths) == built
    if stage == "analyst_report":
        out = paths.reports / "analyst_report.html"
        return not paths.database.exists() or (out.exists() and _analyst_report_key(paths) == built)
    raise ValueError(f"unknown stage {stage!r}: one of {', '.join(STAGES)}")


def stale_stages(paths: Paths) -> list[str]:
    """The stages a sync with no new file must run (in STAGES order): the first whose inputs changed
    and every stage after it (each is built from the one before). Empty for an unchanged warehouse."""
    for i, stage in enumerate(STAGES):
        if not stage_current(paths, stage):
            return list(STAGES[i:])
    return []

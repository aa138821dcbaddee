"""Dagster assets: thin wrappers over assets/steps.py, one per stage, with row-count metadata.

Each unpartitioned asset declares a `code_version` (a digest of the source it runs) and reports as its
`data_version` the fingerprint its outputs were built from (assets/incremental.py); the planner
(pipelines/defs/planning.py) leaves an asset out of a run when that fingerprint is current, so an asset
with nothing to do records nothing and the UI's history holds only builds that happened. A file
partition's version is its key, the file's content hash."""
from __future__ import annotations

import warnings

import dagster as dg
import pandas as pd

from assets import steps
from assets.incremental import code_files, fingerprint
from assets.arrivals import arrival_files
from pipelines.defs.partitions import ARRIVALS, arrival_metadata, read_in_run
from assets.ingest.record import NOT_RECEIVED
from assets.ingest.reconcile import reconcile_source
from pipelines.defs.metadata import chart_metadata, match_quality_metadata, table
from assets.privacy import scrub
from pipelines.defs.resources import JembatanPaths
from pipelines.defs.scans import run_looks
from schemas import SOURCES

def _code(*places: str) -> str:
    """An asset's code_version: a digest of the project's source files it runs (assets/incremental.py)."""
    return fingerprint(*code_files(*places))[:16]


def _stage_result(paths: JembatanPaths, stage: str, metadata: dict) -> dg.MaterializeResult:
    """What a stage's asset reports: its metadata, and as its data version the fingerprint its outputs
    were built from (none when the stage recorded none: nothing to build yet)."""
    built = paths.paths().state.built_from(stage)
    return dg.MaterializeResult(data_version=dg.DataVersion(built) if built else None, metadata=metadata)


# One run reads many files (BackfillPolicy.single_run); Dagster marks the parameter beta on every load.
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=dg.BetaWarning)


# Read first in a run (a step's priority): the files' reading can then have a worker build the matcher
# from the lists while the others read (assets/harmonise/stage.matcher_ahead).
@dg.asset(group_name="reference", code_version=_code(*steps.REFERENCE_CODE), op_tags={"dagster/priority": "1"},
          description="Official village lists (Kemendagri, by decree version) and "
          "the BPS-Kemendagri bridging, read from inbox/reference/")
def reference_gazetteer(context, paths: JembatanPaths) -> dg.MaterializeResult:
    gazetteer = steps.refresh_gazetteer(paths.paths(), run_looks(context, paths.paths()))
    if gazetteer is None:
        return _stage_result(paths, "reference", {"dagster/row_count": 0,
                                                  "versions": "none: the inbox holds no official village list yet"})
    villages = gazetteer.current("village")
    return _stage_result(paths, "reference", {
        "dagster/row_count": len(villages),
        "versions": steps.reference_notes(gazetteer),
        "current_version": gazetteer.current_version,
        "bridging_rows": len(gazetteer.bridging),
        "changes": table(gazetteer.changes[gazetteer.changes["change"] != "unchanged"],
                         "table dim_village_change in the published database"),
    })


@dg.asset(group_name="ingest", partitions_def=ARRIVALS, backfill_policy=dg.BackfillPolicy.single_run(),
          description="The files of each arrival (a partition per set of new contents a sync found, its key "
                      "leading to their SHA-256, folder and name): each archived by content hash, read, parsed "
                      "and validated; accepted rows stored with personal data replaced, rejections kept. One run "
                      "reads many files (in worker processes), in drop order; a row per file in `files_read`")
def received_file(context, paths: JembatanPaths) -> None:
    where = paths.paths()
    files = {key: arrival_files(where.work.root, key) for key in context.partition_keys}
    shas = [f["sha256"] for key in context.partition_keys for f in files[key]]
    read = steps.receive_contents(where, shas, sources=sorted({f["source"] for fs in files.values() for f in fs}),
                                  looks=run_looks(context, where))
    for key in context.partition_keys:
        context.add_asset_metadata(arrival_metadata(files[key], read, where.reports), partition_key=key)


@dg.asset(group_name="harmonise", partitions_def=ARRIVALS, backfill_policy=dg.BackfillPolicy.single_run(),
          deps=[received_file, reference_gazetteer],
          config_schema={"files": dg.Field([str], default_value=[], is_required=False, description=(
              "A steward's re-run of some files of an arrival: their SHA-256 (or its first characters); "
              "none for every file of the run's arrivals"))},
          description="The accepted rows of each arrival's files placed in current Kemendagri villages, file by "
                      "file (cached per file under the reference lists, steward aliases and matching code in "
                      "force); a re-run may name the files to place again (config `files`)")
def placed_file(context, paths: JembatanPaths) -> None:
    where, choice = paths.paths(), context.op_execution_context.op_config["files"]
    files = {key: [f["sha256"] for f in arrival_files(where.work.root, key)] for key in context.partition_keys}
    chosen = {key: [sha for sha in shas if not choice or any(sha.startswith(c) for c in choice)]
              for key, shas in files.items()}
    placed = steps.place_contents(where, [sha for shas in chosen.values() for sha in shas])
    for key, shas in chosen.items():
        stats = [placed.get(sha, {"placed": 0, "unplaced": 0, "methods": {}}) for sha in shas]
        done, left = sum(s["placed"] for s in stats), sum(s["unplaced"] for s in stats)
        methods: dict[str, int] = {}
        for s in stats:
            for method, rows in s["methods"].items():
                methods[method] = methods.get(method, 0) + rows
        context.add_asset_metadata({
            "dagster/row_count": done, "rows_unplaced": left, "files_placed": len(shas),
            "share_placed": round(done / (done + left), 4) if done + left else 1.0,
            "methods": dg.MetadataValue.json(methods),
            "files": dg.MetadataValue.json({sha: stats[i] for i, sha in enumerate(shas)})}, partition_key=key)


def ingest_asset(source: str) -> dg.AssetsDefinition:
    @dg.asset(name=f"{source}_files", group_name="ingest", deps=[received_file], code_version=_code("assets/ingest"),
              description=f"What inbox/{source}/ holds: the files this run read (their own partitions of "
                          "received_file), those received before, and what was not received now, and why")
    def _ingest(context, paths: JembatanPaths) -> dg.MaterializeResult:
        where = paths.paths()
        look = (run_looks(context, where) or {}).get(source) or steps.look_at_inbox(where, [source])[source]   # once
        received = steps.ingest_source(where, source, only=set(), look=look)     # lists; reads nothing
        listed = steps.inbox_key(where, source, look)
        where.state.record(f"inbox.{source}", listed, {})
        new = {m["sha256"]: m for m in read_in_run(context.instance, context.run.run_id, source)}
        left_out = [r for r in received if r.status in NOT_RECEIVED]
        rows = []
        for r in received:
            m = new.get(r.sha256) if r.status == "unchanged" else None      # read by this run
            rows.append((scrub(r.file_name), m["status"], m["rows_read"], m["rows_accepted"], m["rows_rejected"])
                        if m else (scrub(r.file_name), r.status, r.rows_read, r.rows_accepted, r.rows_rejected))
        files = pd.DataFrame(sorted(rows, key=lambda row: row[1] in ("unchanged", "duplicate")),
                             columns=["file", "status", "read", "accepted", "rejected"])   # new files first
        return dg.MaterializeResult(data_version=dg.DataVersion(listed), metadata={
            "dagster/row_count": sum(m["rows_accepted"] for m in new.values()),
            "files_in_inbox": len(received),
            "files_new": len(new),
            "files_waiting": sum(r.status == "waiting" for r in left_out),
            "files_refused": sum(r.status == "refused" for r in left_out),
            "rows_rejected": sum(m["rows_rejected"] for m in new.values()),
            "files": table(files, "table mart_data_quality, and warehouse/reports/"),
            # what the inbox holds that was not received now, and why (the sync's summary prints it)
            "not_received": dg.MetadataValue.json([
                {"file": scrub(r.file_name), "status": r.status, "code": p["code"], "reason": p["message"]}
                for r in left_out for p in r.problems[:1]]),
        })
    return _ingest


INGEST_ASSETS = [ingest_asset(source) for source in SOURCES]


@dg.asset(group_name="harmonise", deps=[reference_gazetteer, placed_file, *INGEST_ASSETS],
          code_version=_code("assets/harmonise", "schemas"),
          description="Every accepted row placed in one current Kemendagri village (codes in either scheme, "
                      "names scoped by district); rows that cannot be placed go to quarantine")
def harmonised_places(paths: JembatanPaths) -> dg.MaterializeResult:
    stats = steps.harmonise(paths.paths())
    placed = sum(s["placed"] for s in stats.values())
    rejected = sum(s["rejected"] for s in stats.values())
    quality = steps.stored_match_quality(paths.paths())
    return _stage_result(paths, "harmonise", {
        "dagster/row_count": placed,
        "rows_unplaced": rejected,
        "share_placed": round(placed / (placed + rejected), 4) if placed + rejected else 1.0,
        **match_quality_metadata(quality, paths.paths().reports / "match_quality_by_file.csv"),
        **{f"{name}_methods": dg.MetadataValue.json(s["methods"]) for name, s in stats.items()},
    })


@dg.asset(group_name="marts", deps=[harmonised_places], pool="duckdb_writer",
          code_version=_code("warehouse/sql", "assets/publish"),
          description="Dimensions, facts, marts and the public (perturbed) schema, built in a staging DuckDB, "
                      "checked and published atomically to warehouse/jembatan.duckdb, with Parquet exports and "
                      "the last publications kept")
def published_marts(paths: JembatanPaths) -> dg.MaterializeResult:
    counts = steps.publish_marts(paths.paths())
    return _stage_result(paths, "publish", {
        "dagster/row_count": counts.get("mart_village_year", 0),
        "tables": dg.MetadataValue.json(counts),
        "database": dg.MetadataValue.path(str(paths.paths().database)),
        "public_database": dg.MetadataValue.path(str(paths.paths().warehouse / "public" / "jembatan_public.duckdb")),
    })


@dg.asset(group_name="marts", deps=[published_marts], code_version=_code("assets/publish"),
          description="The analyst report (warehouse/reports/analyst_report.html, `jembatan report`): growth "
                      "without security by regency and year, program reach and dry spots, officer coverage, "
                      "data quality; the charts are attached here")
def analyst_report(paths: JembatanPaths) -> dg.MaterializeResult:
    out = paths.paths().reports / "analyst_report.html"
    drawn = steps.analyst_report(paths.paths(), out)
    return _stage_result(paths, "analyst_report", {
        "report": dg.MetadataValue.path(str(out)),
        **{chart.title: chart_metadata(chart) for chart in drawn},       # each chart under its title
    })


@dg.asset(group_name="reports", deps=[harmonised_places], code_version=_code(*steps.REPORT_CODE),
          description="The answer to each agency: per received file, an Excel workbook and a JSON twin in "
                      "warehouse/reports/<source>/ (summary; every rejected cell with sheet, row, column, value, "
                      "what was expected, messages in Bahasa Indonesia and English; candidate villages)")
def agency_reports(paths: JembatanPaths) -> dg.MaterializeResult:
    statuses = steps.agency_reports(paths.paths())
    return _stage_result(paths, "agency_reports", {
        "dagster/row_count": sum(statuses.values()),
        "statuses": dg.MetadataValue.json(statuses),
        "folder": dg.MetadataValue.path(str(paths.paths().reports)),
    })


def rows_reconcile_check(source: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=f"{source}_files", name="rows_reconcile",
                    description="Per file: rows read = rows accepted + rows rejected + rows skipped, counted "
                                "from what was stored (accepted rows, rejections), with the skipped rows listed")
    def _check(paths: JembatanPaths) -> dg.AssetCheckResult:
        lines = pd.DataFrame(reconcile_source(paths.paths().work, source),
                             columns=["file_name", "rows_read", "accepted", "rejected", "skipped", "skipped_rows",
                                      "balanced"])
        broken = lines[~lines["balanced"].astype(bool)]
        return dg.AssetCheckResult(passed=broken.empty, metadata={
            "files": len(lines), "unbalanced_files": ", ".join(broken["file_name"]) or "none",
            "reconciliation": table(lines.sort_values("balanced", kind="stable").drop(columns="balanced"),
                                    "the agency reports in warehouse/reports/")})
    return _check


ROWS_RECONCILE_CHECKS = [rows_reconcile_check(source) for source in SOURCES]

ALL_ASSETS = [reference_gazetteer, received_file, placed_file, *INGEST_ASSETS, harmonised_places, published_marts,
              analyst_report, agency_reports]

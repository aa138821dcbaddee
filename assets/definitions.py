"""Dagster assets: thin wrappers over assets/steps.py, one per stage, with row-count metadata."""
from __future__ import annotations

import dagster as dg
import pandas as pd

from assets import steps
from assets.ingest.receive import NOT_RECEIVED
from assets.ingest.reconcile import reconcile_source
from assets.metadata import chart_metadata, match_quality_metadata, table
from assets.privacy import scrub
from pipelines.resources import JembatanPaths
from schemas import SOURCES


@dg.asset(group_name="reference", description="Official village lists (Kemendagri, by decree version) and "
          "the BPS-Kemendagri bridging, read from inbox/reference/")
def reference_gazetteer(paths: JembatanPaths) -> dg.MaterializeResult:
    gazetteer = steps.refresh_gazetteer(paths.paths())
    if gazetteer is None:
        return dg.MaterializeResult(metadata={"dagster/row_count": 0,
                                              "versions": "none: the inbox holds no official village list yet"})
    villages = gazetteer.current("village")
    return dg.MaterializeResult(metadata={
        "dagster/row_count": len(villages),
        "versions": steps.reference_notes(gazetteer),
        "current_version": gazetteer.current_version,
        "bridging_rows": len(gazetteer.bridging),
        "changes": table(gazetteer.changes[gazetteer.changes["change"] != "unchanged"],
                         "table dim_village_change in the published database"),
    })


def ingest_asset(source: str) -> dg.AssetsDefinition:
    @dg.asset(name=f"{source}_files", group_name="ingest",
              description=f"Files dropped in inbox/{source}/: archived by content hash, read, parsed and "
                          "validated; accepted rows stored with personal data replaced, rejections kept")
    def _ingest(paths: JembatanPaths) -> dg.MaterializeResult:
        received = steps.ingest_source(paths.paths(), source)
        new = [r for r in received if r.status not in ("unchanged", "duplicate", *NOT_RECEIVED)]
        left_out = [r for r in received if r.status in NOT_RECEIVED]
        files = pd.DataFrame([(scrub(r.file_name), r.status, r.rows_read, r.rows_accepted, r.rows_rejected)
                              for r in sorted(received, key=lambda r: r.status in ("unchanged", "duplicate"))],
                             columns=["file", "status", "read", "accepted", "rejected"])   # new files first
        return dg.MaterializeResult(metadata={
            "dagster/row_count": sum(r.rows_accepted for r in new),
            "files_in_inbox": len(received),
            "files_new": len(new),
            "files_waiting": sum(r.status == "waiting" for r in left_out),
            "files_refused": sum(r.status == "refused" for r in left_out),
            "rows_rejected": sum(r.rows_rejected for r in new),
            "files": table(files, "table mart_data_quality, and warehouse/reports/"),
            # what the inbox holds that was not received now, and why (the sync's summary prints it)
            "not_received": dg.MetadataValue.json([
                {"file": scrub(r.file_name), "status": r.status, "code": p["code"], "reason": p["message"]}
                for r in left_out for p in r.problems[:1]]),
        })
    return _ingest


INGEST_ASSETS = [ingest_asset(source) for source in SOURCES]


@dg.asset(group_name="harmonise", deps=[reference_gazetteer, *INGEST_ASSETS],
          description="Every accepted row placed in one current Kemendagri village (codes in either scheme, "
                      "names scoped by district); rows that cannot be placed go to quarantine")
def harmonised_places(paths: JembatanPaths) -> dg.MaterializeResult:
    stats = steps.harmonise(paths.paths())
    placed = sum(s["placed"] for s in stats.values())
    rejected = sum(s["rejected"] for s in stats.values())
    quality = steps.stored_match_quality(paths.paths())
    return dg.MaterializeResult(metadata={
        "dagster/row_count": placed,
        "rows_unplaced": rejected,
        "share_placed": round(placed / (placed + rejected), 4) if placed + rejected else 1.0,
        **match_quality_metadata(quality, paths.paths().reports / "match_quality_by_file.csv"),
        **{f"{name}_methods": dg.MetadataValue.json(s["methods"]) for name, s in stats.items()},
    })


@dg.asset(group_name="marts", deps=[harmonised_places], pool="duckdb_writer",
          description="Dimensions, facts, marts and the public (suppressed) schema, built in a staging DuckDB, "
                      "checked and published atomically to warehouse/jembatan.duckdb, with Parquet exports and "
                      "the last publications kept")
def published_marts(paths: JembatanPaths) -> dg.MaterializeResult:
    counts = steps.publish_marts(paths.paths())
    return dg.MaterializeResult(metadata={
        "dagster/row_count": counts.get("mart_village_year", 0),
        "tables": dg.MetadataValue.json(counts),
        "database": dg.MetadataValue.path(str(paths.paths().database)),
        "public_database": dg.MetadataValue.path(str(paths.paths().warehouse / "public" / "jembatan_public.duckdb")),
    })


@dg.asset(group_name="marts", deps=[published_marts],
          description="The analyst report (warehouse/reports/analyst_report.html, `jembatan report`): growth "
                      "without security by regency and year, program reach and dry spots, officer coverage, "
                      "data quality; the charts are attached here")
def analyst_report(paths: JembatanPaths) -> dg.MaterializeResult:
    out = paths.paths().reports / "analyst_report.html"
    drawn = steps.analyst_report(paths.paths(), out)
    if drawn is None:       # the publication did not change since the report was drawn
        return dg.MaterializeResult(metadata={"report": dg.MetadataValue.path(str(out)), "unchanged": True})
    return dg.MaterializeResult(metadata={
        "report": dg.MetadataValue.path(str(out)),
        **{chart.title: chart_metadata(chart) for chart in drawn},       # each chart under its title
    })


@dg.asset(group_name="reports", deps=[harmonised_places],
          description="The answer to each agency: per received file, an Excel workbook and a JSON twin in "
                      "warehouse/reports/<source>/ (summary; every rejected cell with sheet, row, column, value, "
                      "what was expected, messages in Bahasa Indonesia and English; candidate villages)")
def agency_reports(paths: JembatanPaths) -> dg.MaterializeResult:
    statuses = steps.agency_reports(paths.paths())
    return dg.MaterializeResult(metadata={
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

ALL_ASSETS = [reference_gazetteer, *INGEST_ASSETS, harmonised_places, published_marts, analyst_report,
              agency_reports]

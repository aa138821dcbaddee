"""Dagster asset checks on `harmonised_places`: per source, the share of rows placed in a village must
reach the steward's threshold (JEMBATAN_MATCH_WARN_BELOW, default 0.95), else a warning naming the
files below it. A warning, not an error: the rows are already quarantined, the check says where to look."""
from __future__ import annotations

import dagster as dg

from assets import steps
from pipelines.defs.assets import harmonised_places
from assets.harmonise.quality import warn_below
from pipelines.defs.metadata import table
from pipelines.defs.resources import JembatanPaths
from schemas import SOURCES


def placed_share_check(source: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=harmonised_places, name=f"{source}_rows_placed",
                    description=f"Share of {source} rows placed in a village is at least the steward's threshold")
    def _check(paths: JembatanPaths) -> dg.AssetCheckResult:
        quality = steps.stored_match_quality(paths.paths())
        quality = quality[quality["source"] == source]
        threshold = warn_below()
        rows = int(quality["rows"].sum())
        placed = float((quality["rows"] * quality["share_placed"]).sum())
        below = quality[quality["share_placed"] < threshold]
        return dg.AssetCheckResult(
            passed=below.empty, severity=dg.AssetCheckSeverity.WARN,
            metadata={"threshold": threshold, "rows": rows,
                      "share_placed": round(placed / rows, 4) if rows else 1.0,
                      "ambiguous": int(quality["ambiguous"].sum()), "unmatched": int(quality["unmatched"].sum()),
                      "files_below": table(
                          below.sort_values("share_placed", kind="stable")[["file_name", "dataset", "rows"]]
                          .assign(**{"placed %": (100 * below["share_placed"].astype(float)).round(1)},
                                  ambiguous=below["ambiguous"], unmatched=below["unmatched"]),
                          "table mart_data_quality, and match_quality_file on harmonised_places")})
    return _check


MATCH_CHECKS = [placed_share_check(source) for source in SOURCES]

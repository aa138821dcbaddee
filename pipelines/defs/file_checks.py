"""An asset check on `received_file`: a run that read a file refused or wholly rejected (no row of it
accepted) is not plain green. The check `file_not_wholly_rejected` fails with WARN severity, naming each
such file (name masked), its folder, when it was received, why and where its agency report is; the Dagster
UI shows it on the run and on the asset's Checks tab, and `jembatan sync` lists it under "Checks that did
not pass". A warning, not an error: every row and cell is already recorded, the check says where to look.
"""
from __future__ import annotations

import dagster as dg

from pipelines.defs.assets import received_file
from pipelines.defs.partitions import read_in_run
from schemas import SOURCES

WHOLLY_REJECTED = ("rejected",)       # a file refused before reading, or none of whose rows was accepted


@dg.asset_check(asset=received_file, name="file_not_wholly_rejected",
                description="Every file this run read has rows accepted: a file refused or wholly rejected is "
                            "named here (a warning; its agency report says why, row by row)")
def file_not_wholly_rejected(context) -> dg.AssetCheckResult:
    read = [values for source in SOURCES for values in read_in_run(context.instance, context.run.run_id, source)]
    rejected = [values for values in read if values.get("status") in WHOLLY_REJECTED]
    return dg.AssetCheckResult(
        passed=not rejected, severity=dg.AssetCheckSeverity.WARN,
        description=(f"{len(rejected)} of {len(read)} file(s) read wholly rejected: "
                     + "; ".join(v.get("partition_label", v.get("file", "")) for v in rejected)) if rejected
        else f"{len(read)} file(s) read, each with rows accepted",
        metadata={"files_read": len(read), "files_wholly_rejected": len(rejected),
                  "wholly_rejected": dg.MetadataValue.md("\n".join(
                      f"- {v.get('partition_label', v.get('file', ''))}: {v.get('rows_read', 0)} rows read, "
                      f"report {v.get('report', '')}" for v in rejected) or "none")})


FILE_CHECKS = [file_not_wholly_rejected]

"""`jembatan sync`: read every inbox folder, harmonise, publish the marts (through Dagster)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def register(commands) -> None:
    sync = commands.add_parser("sync", help="read every inbox folder, harmonise, publish the marts")
    sync.add_argument("--inbox", help="inbox folder (default $JEMBATAN_INBOX or ./inbox)")
    sync.add_argument("--warehouse", help="warehouse folder (default $JEMBATAN_WAREHOUSE or ./warehouse)")
    sync.add_argument("--rebuild", action="store_true",
                      help="forget what was ingested and read every file in the inbox again")
    sync.add_argument("--verbose", action="store_true", help="print Dagster's step log")
    sync.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.inbox:
        os.environ["JEMBATAN_INBOX"] = str(Path(args.inbox).resolve())
    if args.warehouse:
        os.environ["JEMBATAN_WAREHOUSE"] = str(Path(args.warehouse).resolve())
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.resources import JembatanPaths
    from pipelines.summary import summary_lines

    paths = JembatanPaths(inbox=os.environ.get("JEMBATAN_INBOX", "inbox"),
                          warehouse=os.environ.get("JEMBATAN_WAREHOUSE", "warehouse"))
    if args.rebuild:
        import shutil
        shutil.rmtree(paths.paths().warehouse / "work", ignore_errors=True)
    if os.environ.get("DAGSTER_HOME"):
        Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
        instance = dg.DagsterInstance.get()      # runs show in `dagster dev` / `dg dev`
    else:
        instance = dg.DagsterInstance.ephemeral()
    job = defs.resolve_job_def("sync")
    log_level = "DEBUG" if args.verbose else "WARNING"
    result = job.execute_in_process(instance=instance, resources={"paths": paths}, raise_on_error=False,
                                    run_config={"loggers": {"console": {"config": {"log_level": log_level}}}})
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                print(f"sync failed in {event.step_key}: {event.step_failure_data.error.message.strip()}",
                      file=sys.stderr)
        return 1
    new_files = {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        name = materialization.asset_key.to_user_string()
        if name.endswith("_files"):
            new_files[name.removesuffix("_files")] = materialization.metadata["files_new"].value
    print("\n".join(summary_lines(paths.paths().database, new_files)))
    return 0

"""`jembatan sync`: read every inbox folder, harmonise, publish the marts (through Dagster)."""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path


def register(commands) -> None:
    sync = commands.add_parser("sync", help="read every inbox folder, harmonise, publish the marts")
    sync.add_argument("--inbox", help="inbox folder (default $JEMBATAN_INBOX or ./inbox)")
    sync.add_argument("--warehouse", help="warehouse folder (default $JEMBATAN_WAREHOUSE or ./warehouse)")
    sync.add_argument("--rebuild", action="store_true",
                      help="forget what was ingested and read every file in the inbox again")
    sync.add_argument("--verbose", action="store_true", help="print Dagster's step log")
    sync.add_argument("--executor", choices=("in_process", "multiprocess"), default="in_process",
                      help="in_process (default: one process, starts fastest; ingest still reads files in "
                           "worker processes) or multiprocess (Dagster runs independent steps, such as the "
                           "three inboxes, in parallel processes; the publish step is limited by its pool)")
    sync.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.inbox:
        os.environ["JEMBATAN_INBOX"] = str(Path(args.inbox).resolve())
    if args.warehouse:
        os.environ["JEMBATAN_WAREHOUSE"] = str(Path(args.warehouse).resolve())
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.resources import JembatanPaths

    paths = JembatanPaths(inbox=os.environ.get("JEMBATAN_INBOX", "inbox"),
                          warehouse=os.environ.get("JEMBATAN_WAREHOUSE", "warehouse"))
    from pipelines.commands.key import unusable_key
    if refused := unusable_key(paths.paths().warehouse):
        print(refused, file=sys.stderr)
        return 2
    if args.rebuild:
        shutil.rmtree(paths.paths().warehouse / "work", ignore_errors=True)
    log_level = "DEBUG" if args.verbose else "WARNING"
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    with _instance(persistent=args.executor == "multiprocess") as instance:
        if args.executor == "multiprocess":
            from pipelines.definitions import sync_job_definition
            result = dg.execute_job(dg.reconstructable(sync_job_definition), instance, run_config=run_config)
        else:
            result = defs.resolve_job_def("sync").execute_in_process(
                instance=instance, resources={"paths": paths}, raise_on_error=False,
                run_config=run_config)
        return _report(result, paths)


def _report(result, paths) -> int:
    from assets.privacy import scrub
    from pipelines.summary import summary_lines
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                error = event.step_failure_data.error
                while error.cause is not None:        # Dagster's wrapper around what the step raised
                    error = error.cause
                print(f"sync failed in {event.step_key}: {scrub(error.message.strip())}", file=sys.stderr)
        return 1
    new_files, not_received, new_rows = {}, {}, {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        name = materialization.asset_key.to_user_string()
        if name.endswith("_files"):
            new_files[name.removesuffix("_files")] = materialization.metadata["files_new"].value
            not_received[name.removesuffix("_files")] = materialization.metadata["not_received"].value
            new_rows[name.removesuffix("_files")] = materialization.metadata["dagster/row_count"].value
    print("\n".join(summary_lines(paths.paths().database, new_files, not_received, new_rows)))
    return 0


@contextmanager
def _instance(persistent: bool):
    """$DAGSTER_HOME's instance when set (runs show in `dagster dev`), with the project's dagster.yaml
    copied in if it has none; else a throw-away one (on disk when steps run in other processes)."""
    import dagster as dg
    if home := os.environ.get("DAGSTER_HOME"):
        Path(home).mkdir(parents=True, exist_ok=True)
        if not (Path(home) / "dagster.yaml").exists():
            shutil.copyfile(PROJECT_INSTANCE_SETTINGS, Path(home) / "dagster.yaml")
        with dg.DagsterInstance.get() as instance:
            yield instance
    elif persistent:
        with tempfile.TemporaryDirectory(prefix="jembatan-dagster-") as home:
            with dg.DagsterInstance.local_temp(home, overrides=yaml_settings()) as instance:
                yield instance
    else:
        with dg.DagsterInstance.ephemeral() as instance:
            yield instance


PROJECT_INSTANCE_SETTINGS = Path(__file__).resolve().parents[2] / "dagster.yaml"


def yaml_settings() -> dict:
    import yaml
    return yaml.safe_load(PROJECT_INSTANCE_SETTINGS.read_text())

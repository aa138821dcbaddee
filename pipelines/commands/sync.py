"""`jembatan sync`: read every inbox folder, harmonise, publish the marts (through Dagster)."""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

from pipelines.locks import INSTANCE_LOCK_NAME, SYNC_LOCK_NAME, LockHeld, exclusive_lock

BUSY_EXIT_CODE = 75     # EX_TEMPFAIL: another sync holds the warehouse; try again later


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
    sync.add_argument("--no-wait", action="store_true",
                      help="when another sync is running on the same warehouse, stop at once (exit code "
                           f"{BUSY_EXIT_CODE}) instead of waiting for it to finish")
    sync.add_argument("--no-settle-wait", action="store_true",
                      help="do not wait (up to a minute) for files dropped in the last JEMBATAN_SETTLE_SECONDS "
                           "to settle: leave them for the next sync")
    sync.add_argument("--start-on-line", action="store_true",
                      help="get ready (import Dagster, the code location, pandas, DuckDB), then wait for one line "
                           "on standard input and start: the stamps of files placed in the inbox whole "
                           "(JEMBATAN_WHOLE_FILES, comma-separated; empty: none); at the end of input exit "
                           "without syncing. The portal keeps one sync waiting so (pipelines/portal/sync_runs.py)")
    sync.add_argument("--cluster", action="store_true",
                      help="submit the sync to the running cluster (`make cluster`) and wait for it; the same "
                           "summary as a sync in this process")
    sync.set_defaults(func=run)


def arguments(**values) -> argparse.Namespace:
    """The arguments of `jembatan sync` as its parser gives them with no option, then `values` (for commands
    that run a sync themselves, e.g. key rotation): every option has its default, whatever is added later."""
    parser = argparse.ArgumentParser(prog="jembatan")
    register(parser.add_subparsers())
    args = parser.parse_args(["sync"])
    vars(args).update(values)
    return args


def run(args: argparse.Namespace) -> int:
    if args.inbox:
        os.environ["JEMBATAN_INBOX"] = str(Path(args.inbox).resolve())
    if args.warehouse:
        os.environ["JEMBATAN_WAREHOUSE"] = str(Path(args.warehouse).resolve())
    from assets.paths import warehouse_folder  # deferred: pandas and more; `jembatan --help` loads every command module
    warehouse = warehouse_folder()
    warehouse.mkdir(parents=True, exist_ok=True)
    if args.start_on_line:
        _get_ready()
        line = sys.stdin.readline()
        if not line:                   # the portal that started it ended: nothing to do
            return 0
        from assets.ingest.inbox import WHOLE_FILES
        os.environ[WHOLE_FILES] = line.strip()
    if args.cluster:
        return _sync_on_cluster(args, warehouse)

    def busy(holder: str) -> str:
        return f"another sync is running on {warehouse} ({holder or 'pid unknown'})"
    try:
        with exclusive_lock(warehouse / SYNC_LOCK_NAME, wait=not args.no_wait,
                            on_wait=lambda holder: _say(f"{busy(holder)}; waiting for it to finish")):
            return _sync(args)
    except LockHeld as held:
        _say(f"{busy(held.args[0])}; not starting (--no-wait): run it again when that one has finished")
        return BUSY_EXIT_CODE


# What a sync imports before its answers are written (its deferred imports, the Dagster storage): imported by
# `--start-on-line` before its line comes, so a sync waiting to start begins at once. (Not the analyst
# report's charts, drawn after the answers: a process started just before an upload would only be later.)
READY_MODULES = ("pipelines.sync_run", "pipelines.progress", "pipelines.summary", "pipelines.settling",
                 "pipelines.defs.resources", "pipelines.defs.dead_runs", "pipelines.instance_home",
                 "assets.pseudonym_key", "assets.privacy")


def _get_ready() -> None:
    """Import READY_MODULES (the seconds of CPU a sync spends importing, spent before it is asked for)."""
    import importlib
    for name in READY_MODULES:
        importlib.import_module(name)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _sync(args: argparse.Namespace) -> int:
    """The sync itself, run while this process holds the warehouse's sync lock."""
    from pipelines.defs.resources import JembatanPaths

    from assets.paths import inbox_setting, warehouse_setting
    paths = JembatanPaths(inbox=inbox_setting(), warehouse=warehouse_setting())
    from assets.pseudonym_key import unusable_key
    if refused := unusable_key(paths.paths().warehouse):
        print(refused, file=sys.stderr)
        return 2
    if args.rebuild:
        from assets.storage import delete_tree
        delete_tree(paths.paths().work.root)
    # Dagster's own console lines (a failed step's trace runs to hundreds) only with --verbose: a failure is
    # told in one line by _report, and stays whole in the run's event log (the Dagster UI).
    scans = None                       # the folders as last listed: the sync's look (nothing listed again)
    if not args.no_settle_wait:        # a file dropped seconds ago (a portal upload, a list just copied)
        from pipelines.settling import wait_for_settling
        # The portal's sync (--start-on-line) is told its uploads whole on its line: it waits only for the
        # reference lists, never for a file someone is still copying onto the share (left for the next sync).
        scans = wait_for_settling(paths.paths().inbox, _say, folders=("reference",) if args.start_on_line else None)
    log_level = "DEBUG" if args.verbose else "CRITICAL"
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    with _instance(persistent=args.executor == "multiprocess") as instance:
        from pipelines.progress import run_progress
        from pipelines.sync_run import execute_sync      # a partition per new file, then one run over them
        from assets.workers import worker_pool
        before = os.environ.get("JEMBATAN_EXECUTOR")
        if args.executor == "multiprocess":
            os.environ["JEMBATAN_EXECUTOR"] = "multiprocess"       # here and in the step processes
        try:
            _say(f"sync: reading {paths.paths().inbox} into {paths.paths().warehouse}")
            # a line as each step starts and ends (stderr); the steps' batches share one pool of workers
            with run_progress(instance, _say), worker_pool():
                result = execute_sync(instance, paths, run_config, args.executor, scans=scans)
        finally:
            if before is None:
                os.environ.pop("JEMBATAN_EXECUTOR", None)
            else:
                os.environ["JEMBATAN_EXECUTOR"] = before
        if result is None:                          # nothing changed: no run, nothing recorded
            return _report(True, [], paths)
        return _report(result.success, result.all_events, paths)


def _sync_on_cluster(args: argparse.Namespace, warehouse: Path) -> int:
    """Submit the sync to the cluster's webserver, wait for it (and the daemon's retry of it), report."""
    from pipelines.cluster import submit
    from pipelines.cluster.settings import ClusterSettings
    from pipelines.defs.resources import JembatanPaths

    if args.rebuild:
        _say("--rebuild is not sent to the cluster: run `jembatan sync --rebuild` on the warehouse's machine")
        return 2
    settings = ClusterSettings.from_env()
    from assets.paths import inbox_folder
    inbox = inbox_folder()
    paths = JembatanPaths(inbox=str(inbox), warehouse=str(warehouse))
    timeout = int(os.environ.get("JEMBATAN_CLUSTER_RUN_TIMEOUT", 3 * 3600))
    import dagster as dg
    os.environ.update({k: v for k, v in settings.env().items() if k != "PYTHONPATH"})
    from pipelines.definitions import definitions
    from pipelines.defs.planning import plan_run
    try:
        with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
            # the cluster's instance gets the new files' partitions, and the run is over them (as in-process)
            asset_keys = sorted(definitions(paths).resolve_asset_graph().get_all_asset_keys())
            _, tags, selection = plan_run(instance, paths.paths(), asset_keys)
            if selection == []:             # nothing changed: no run, nothing recorded
                return _report(True, [], paths)
            run_id = submit.launch(settings, str(inbox), str(warehouse), max_runtime_seconds=timeout,
                                   tags=tags, selection=selection)
            _say(f"submitted run {run_id} to the cluster ({settings.webserver_url}/runs/{run_id}); waiting")
            done = submit.wait(instance, run_id, timeout + 120, on_retry=lambda failed, retry: _say(
                f"run {failed} failed; the cluster retries it as run {retry}"))
    except submit.ClusterError as error:
        _say(f"sync --cluster: {error}")
        return 1
    return _report(done.success, done.events, paths)


def _report(success: bool, events, paths) -> int:
    """Print the summary of a finished sync from its Dagster events (of one run, or of a run and its
    retries): step failures when it failed; else the published figures, failed checks and duplicates. The
    first line says whether the run made a new publication (a materialization of published_marts); with no
    events (nothing changed, no run) it says that nothing changed and no new publication was made."""
    from assets.privacy import scrub
    from pipelines.summary import NEW, NO_RUN, UNCHANGED, check_lines, duplicate_lines, next_step_lines, summary_lines
    if not success:
        failed = False
        for event in events:
            if event.is_step_failure:
                failed = True
                error = event.step_failure_data.error
                while error.cause is not None:        # Dagster's wrapper around what the step raised
                    error = error.cause
                print(f"sync failed in {event.step_key}: {scrub(error.message.strip())}", file=sys.stderr)
        if not failed:
            for event in events:
                if event.is_run_failure:
                    print(f"sync failed: {scrub(event.message or 'the run failed')}", file=sys.stderr)
        return 1
    new_files, not_received, new_rows = {}, {}, {}
    publication = NO_RUN if not events else UNCHANGED       # no run at all; a run that did not publish
    for event in events:
        if not event.is_step_materialization:
            continue
        materialization = event.step_materialization_data.materialization
        name = materialization.asset_key.to_user_string()
        if name == "published_marts":
            publication = NEW
        if name.endswith("_files"):
            new_files[name.removesuffix("_files")] = materialization.metadata["files_new"].value
            not_received[name.removesuffix("_files")] = materialization.metadata["not_received"].value
            new_rows[name.removesuffix("_files")] = materialization.metadata["dagster/row_count"].value
    lines = summary_lines(paths.paths().database, new_files, not_received, new_rows, publication)
    lines += duplicate_lines(paths.paths()) + check_lines(events)
    if paths.paths().database.exists():
        lines += next_step_lines(paths.paths())
    print("\n".join(lines))
    return 0


@contextmanager
def _instance(persistent: bool):
    """The project's instance (pipelines/instance_home.py: `<project>/.dagster_home` or $DAGSTER_HOME, the one
    `make ui` shows), with the project's dagster.yaml copied in if it has none; a throw-away one only when
    JEMBATAN_DAGSTER_INSTANCE=ephemeral (on disk when steps run in other processes)."""
    import dagster as dg

    from assets.access import restricted_dir
    from pipelines.defs.dead_runs import clear_dead_runs
    from pipelines.instance_home import dagster_home
    if home := dagster_home():
        restricted_dir(home)                       # run metadata and event logs: owner-only (assets/access.py)
        os.environ["DAGSTER_HOME"] = str(home)     # the step processes of --executor multiprocess too
        with ExitStack() as stack:
            # One process at a time creates the storage (two first syncs would both build the SQLite
            # schema) and clears the runs killed processes left, which would otherwise hold pool slots.
            with exclusive_lock(home / INSTANCE_LOCK_NAME):
                if not (home / "dagster.yaml").exists():
                    partial = home / f".dagster.yaml.{os.getpid()}.tmp"
                    shutil.copyfile(PROJECT_INSTANCE_SETTINGS, partial)
                    os.replace(partial, home / "dagster.yaml")
                instance = stack.enter_context(dg.DagsterInstance.from_config(str(home)))
                instance.run_storage, instance.event_log_storage, instance.schedule_storage   # created here
                for run in clear_dead_runs(instance):
                    _say(run.describe())
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

"""Runs never wedge, with real processes and a persistent DAGSTER_HOME (as `make run`, `make ui` and the
daemon use it): a sync killed inside a step, even while it publishes and holds the `duckdb_writer` pool
slot, does not block the next sync; two syncs started at once on one warehouse take turns (or the second
refuses with --no-wait) without harming a fresh DAGSTER_HOME; a restored publication stays until the
inputs change."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster import DagsterEvent, DagsterEventType

from assets.publish.publication import Warehouse
from pipelines.cli import main
from pipelines.commands.sync import yaml_settings
from pipelines.defs.dead_runs import clear_dead_runs, dead_run_sweeper
from pipelines.locks import SYNC_LOCK_NAME, exclusive_lock
from tests.agency_files import crime_rows, crime_xlsx
from tests.test_ingest import msme_workbook
from tests.test_publication import wait_for

ROOT = Path(__file__).resolve().parents[1]
JEMBATAN = Path(sys.executable).with_name("jembatan")
SYNC_TIMEOUT = 300      # seconds: a wedged sync fails the test instead of hanging the suite

# The lines a sync says while it works (pipelines/progress.py): its first, then one per step event.
PROGRESS = re.compile(r"^(sync: reading .* into .*|  \d+:\d\d  \w+: .*)$")

# A real `jembatan sync` that stops for good right after one real step function returns, inside its
# Dagster step (so the run is STARTED and, in the publish step, holds the duckdb_writer slot), after
# writing its pid to a marker file: the test kills it there, at a known point, without guessing delays.
STOPPED_SYNC = """
import importlib, os, signal, sys
from pathlib import Path
module_name, function, marker = sys.argv[1], sys.argv[2], Path(sys.argv[3])
module = importlib.import_module(module_name)
real = getattr(module, function)
def run_then_stop(*args, **kwargs):
    real(*args, **kwargs)
    marker.write_text(str(os.getpid()))
    while True:
        signal.pause()
setattr(module, function, run_then_stop)
from pipelines.cli import main
sys.exit(main(sys.argv[4:]))
"""

STOP_POINTS = {
    # the staging DuckDB is built, the swap not done: the publish step holds the duckdb_writer slot
    "publishing": ("assets.publish.publication", "build_database", "published_marts"),
    # the bps folder is read, koperasi and polda not yet
    "ingesting": ("assets.steps", "ingest_source", "bps_files"),
}


@pytest.fixture
def inbox(reference_dir) -> Path:
    inbox = reference_dir.parent
    for source in ("bps", "koperasi", "polda"):
        (inbox / source).mkdir()
    msme_workbook(inbox / "bps" / "umkm_2023.xlsx")                       # 4 rows land (2 with a warning)
    crime_xlsx(inbox / "polda" / "lp_2023.xlsx", crime_rows(20))          # 20 rows land
    return inbox


def sync_env(dagster_home: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "DAGSTER_HOME": str(dagster_home),
            "JEMBATAN_INGEST_WORKERS": "1"}


def sync_command(inbox: Path, warehouse: Path, *extra: str) -> list[str]:
    """`jembatan sync ...` as a steward types it (the venv's console script)."""
    return [str(JEMBATAN), "sync", "--inbox", str(inbox), "--warehouse", str(warehouse), *extra]


def published(warehouse: Path) -> tuple[int, int]:
    """(crime reports, MSME count rows) in the current publication."""
    con = duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True)
    try:
        return con.execute("SELECT (SELECT count(*) FROM fact_crime_report), "
                           "(SELECT count(*) FROM fact_msme_count)").fetchone()
    finally:
        con.close()


def instance_at(dagster_home: Path) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(str(dagster_home))


def writer_slots(instance: dg.DagsterInstance) -> list[tuple[str, str]]:
    info = instance.event_log_storage.get_concurrency_info("duckdb_writer")
    return [(slot.run_id, slot.step_key) for slot in info.claimed_slots]


def killed_at(stop_point: str, inbox: Path, warehouse: Path, env: dict, marker: Path) -> tuple[int, str]:
    """Start `jembatan sync`, SIGKILL it at `stop_point` (inside that step); its pid and what it printed
    on stderr."""
    module, function, step = STOP_POINTS[stop_point]
    sync = subprocess.Popen([sys.executable, "-c", STOPPED_SYNC, module, function, str(marker),
                             *sync_command(inbox, warehouse)[1:]],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: marker.exists() or sync.poll() is not None, f"the sync to reach {step}", limit=6000)
    finally:
        sync.send_signal(signal.SIGKILL)
        _, err = sync.communicate(timeout=60)
    assert marker.exists(), f"the sync ended before reaching {step}: {err}"
    marker.unlink()
    return sync.pid, err


def test_syncs_killed_while_ingesting_and_while_publishing_do_not_block_the_next_sync(inbox, tmp_path):
    home, warehouse, marker = tmp_path / "dagster_home", tmp_path / "warehouse", tmp_path / "stopped"
    env = sync_env(home)
    ingesting_pid, _ = killed_at("ingesting", inbox, warehouse, env, marker)
    publishing_pid, publishing_err = killed_at("publishing", inbox, warehouse, env, marker)
    with instance_at(home) as instance:
        runs = {r.dagster_run.run_id: r.dagster_run.status for r in instance.get_run_records(ascending=True)}
        ingesting_run, publishing_run = runs
        # The sync killed while publishing had cleared the one killed while ingesting, before it ran.
        assert list(runs.values()) == [dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.STARTED]
        assert writer_slots(instance) == [(publishing_run, "published_marts")]   # the slot the next sync needs
    assert (f"run {ingesting_run} (STARTED) was left by a killed process (pids {ingesting_pid}): "
            "marked failed, its pool slots freed") in publishing_err
    assert list(warehouse.glob(".staging-*/jembatan.duckdb")) and not (warehouse / "jembatan.duckdb").exists()

    after = subprocess.run(sync_command(inbox, warehouse), cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=SYNC_TIMEOUT)

    assert after.returncode == 0, after.stderr
    said = [line for line in after.stderr.splitlines() if not PROGRESS.match(line)]      # what it did, step by step
    assert said == [f"run {publishing_run} (STARTED) was left by a killed process "
                                         f"(pids {publishing_pid}): marked failed, its pool slots freed"]
    assert published(warehouse) == (20, 4)
    assert not list(warehouse.glob(".staging-*"))
    with instance_at(home) as instance:
        runs = {r.dagster_run.run_id: r.dagster_run.status for r in instance.get_run_records(ascending=True)}
        assert list(runs.values()) == [dg.DagsterRunStatus.FAILURE] * 2 + [dg.DagsterRunStatus.SUCCESS]
        assert writer_slots(instance) == []


def test_syncs_started_at_once_take_turns_per_warehouse_on_a_fresh_dagster_home(inbox, tmp_path):
    home, north, south = tmp_path / "dagster_home", tmp_path / "north", tmp_path / "south"
    env = sync_env(home)
    syncs = {}
    with ExitStack() as busy:                   # a sync in progress on each warehouse, as the others see it
        for warehouse in (north, south):
            warehouse.mkdir()
            busy.enter_context(exclusive_lock(warehouse / SYNC_LOCK_NAME))
        holder = (north / SYNC_LOCK_NAME).read_text().strip()       # "pid <this test> since <when>"
        refused = subprocess.run(sync_command(inbox, north, "--no-wait"), cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=SYNC_TIMEOUT)
        for name, warehouse in (("north 1", north), ("north 2", north), ("south", south)):
            syncs[name] = subprocess.Popen(sync_command(inbox, warehouse), cwd=ROOT, env=env, text=True,
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        waiting = {name: sync.stderr.readline() for name, sync in syncs.items()}   # said, then blocked
        assert not home.exists()          # nobody touched DAGSTER_HOME while their warehouse was busy
    # Both locks go at once: a north sync and the south one now create the fresh instance together.
    results = {name: sync.communicate(timeout=SYNC_TIMEOUT) for name, sync in syncs.items()}

    assert refused.returncode == 75 and holder.startswith(f"pid {os.getpid()} since ")
    assert refused.stderr.strip() == (f"another sync is running on {north} ({holder}); "
                                      "not starting (--no-wait): run it again when that one has finished")
    assert {name: line.split(" (pid ")[0] for name, line in waiting.items()} == {
        "north 1": f"another sync is running on {north}", "north 2": f"another sync is running on {north}",
        "south": f"another sync is running on {south}"}
    assert all(line.endswith("; waiting for it to finish\n") for line in waiting.values())
    assert {name: sync.returncode for name, sync in syncs.items()} == dict.fromkeys(syncs, 0), results
    new_bps_files = sorted(int(next(line for line in results[name][0].splitlines() if line.startswith("bps ")).split()[2])
                           for name in ("north 1", "north 2"))
    assert new_bps_files == [0, 1]                  # one read the files; the other, after it, found them read
    assert published(north) == published(south) == (20, 4)
    assert len(Warehouse(north).history()) == 1
    with instance_at(home) as instance:
        # the later north sync found nothing new: no run (nothing recorded)
        assert [r.dagster_run.status for r in instance.get_run_records()] == [dg.DagsterRunStatus.SUCCESS] * 2
        assert writer_slots(instance) == []


def test_restored_publication_stays_until_the_inputs_change(inbox, tmp_path, capsys):
    warehouse = tmp_path / "warehouse"
    sync = ["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]
    assert main(sync) == 0
    first = Warehouse(warehouse).current_id()
    crime_xlsx(inbox / "polda" / "lp_2023_b.xlsx", crime_rows(5, 100))
    assert main(sync) == 0
    second = Warehouse(warehouse).current_id()
    assert second != first and published(warehouse) == (25, 4)

    assert main(["publications", "--warehouse", str(warehouse), "restore", first]) == 0
    assert main(sync) == 0                                               # nothing new in the inbox
    assert Warehouse(warehouse).current_id() == first and published(warehouse) == (20, 4)
    assert Warehouse(warehouse).history() == [second, first]

    crime_xlsx(inbox / "polda" / "lp_2023_c.xlsx", crime_rows(5, 200))    # the inputs change
    assert main(sync) == 0
    assert Warehouse(warehouse).current_id() not in (first, second) and published(warehouse) == (30, 4)
    capsys.readouterr()


@dg.op
def step():
    return 1


@dg.job
def tiny():
    step()


def started_by(instance: dg.DagsterInstance, pid: int) -> str:
    """A run of `tiny` that process `pid` started (its RUN_START event carries the pid, as Dagster's do)."""
    run = instance.create_run_for_job(tiny)
    instance.report_dagster_event(DagsterEvent(event_type_value=DagsterEventType.RUN_START.value,
                                               job_name="tiny", pid=pid), run_id=run.run_id)
    return run.run_id


def test_slots_still_held_by_a_run_that_ended_are_freed_and_live_runs_are_left_alone(tmp_path):
    with dg.DagsterInstance.local_temp(str(tmp_path), overrides=yaml_settings()) as instance:
        ended = tiny.execute_in_process(instance=instance).run_id
        storage = instance.event_log_storage
        storage.initialize_concurrency_limit_to_default("duckdb_writer")                # 1, from dagster.yaml
        storage.claim_concurrency_slot("duckdb_writer", ended, "published_marts")   # as if never released
        live = started_by(instance, os.getpid())          # this process: alive
        assert writer_slots(instance) == [(ended, "published_marts")]

        cleared = clear_dead_runs(instance)

        assert [c.describe() for c in cleared] == [f"run {ended} had ended (SUCCESS) but still held pool slots: freed"]
        assert writer_slots(instance) == []
        assert instance.get_run_by_id(live).status == dg.DagsterRunStatus.STARTED   # its process lives


def test_the_daemons_sweeper_fails_a_run_whose_process_is_gone_and_frees_its_slot(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()                                                      # a real process, now ended
    with dg.DagsterInstance.local_temp(str(tmp_path), overrides=yaml_settings()) as instance:
        dead = started_by(instance, gone.pid)
        instance.event_log_storage.initialize_concurrency_limit_to_default("duckdb_writer")
        instance.event_log_storage.claim_concurrency_slot("duckdb_writer", dead, "published_marts")

        result = dead_run_sweeper(dg.build_sensor_context(instance=instance))

        line = f"run {dead} (STARTED) was left by a killed process (pids {gone.pid}): marked failed, its pool slots freed"
        assert isinstance(result, dg.SkipReason) and result.skip_message == line
        assert instance.get_run_by_id(dead).status == dg.DagsterRunStatus.FAILURE
        assert writer_slots(instance) == []
        again = dead_run_sweeper(dg.build_sensor_context(instance=instance))
        assert again.skip_message == "no run left by a dead process"


def test_a_publish_killed_between_its_two_swaps_is_published_again_by_the_next_sync(inbox, tmp_path):
    warehouse = tmp_path / "warehouse"
    sync = ["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]
    assert main(sync) == 0
    public = warehouse / "public" / "jembatan_public.duckdb"
    with duckdb.connect(str(public)) as con:       # as if the public swap of a later publish had happened alone
        con.execute("UPDATE publication SET publication_id = '20990101T000000000000Z'")
    assert not Warehouse(warehouse).in_step()
    assert main(sync) == 0                          # nothing new in the inbox, and yet published again
    current = Warehouse(warehouse).current_id()
    with duckdb.connect(str(public), read_only=True) as con:
        assert con.execute("SELECT publication_id FROM publication").fetchone()[0] == current
    assert Warehouse(warehouse).in_step() and published(warehouse) == (20, 4)

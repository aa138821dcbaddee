"""One Dagster instance per project (pipelines/instance_home.py), the executor chosen by the deployment
(pipelines/defs/executors.py), and what the sync's summary names besides the figures: files received twice and
asset checks that did not pass. Two syncs of different warehouses started at once on one fresh instance:
tests/test_run_faults.py::test_syncs_started_at_once_take_turns_per_warehouse_on_a_fresh_dagster_home."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from pipelines.defs.executors import step_executor
from pipelines.instance_home import PROJECT_ROOT, dagster_home

ROOT = Path(__file__).resolve().parents[1]
JEMBATAN = Path(sys.executable).with_name("jembatan")


def test_the_instance_is_the_projects_own_unless_dagster_home_names_another(tmp_path):
    assert PROJECT_ROOT == ROOT and (PROJECT_ROOT / "workspace.yaml").exists()
    assert dagster_home({}) == ROOT / ".dagster_home"                       # whatever the shell says
    assert dagster_home({"JEMBATAN_DAGSTER_INSTANCE": "ephemeral"}) is None
    assert dagster_home({"DAGSTER_HOME": str(tmp_path), "JEMBATAN_DAGSTER_INSTANCE": "ephemeral"}) == tmp_path
    makefile = (ROOT / "Makefile").read_text()
    assert "export DAGSTER_HOME ?= $(CURDIR)/.dagster_home" in makefile     # `make ui` uses the same folder


def test_the_deployment_chooses_the_executor(monkeypatch):
    monkeypatch.delenv("JEMBATAN_EXECUTOR", raising=False)
    assert step_executor().name == "in_process"        # UI, sensors and schedule on one machine, like the CLI
    assert step_executor("multiprocess").name == "multiprocess"
    monkeypatch.setenv("JEMBATAN_CELERY_BROKER", "redis://127.0.0.1:1/0")
    assert step_executor("celery").name == "celery"
    monkeypatch.delenv("JEMBATAN_CELERY_BROKER")
    with pytest.raises(RuntimeError, match="JEMBATAN_CELERY_BROKER"):
        step_executor("celery")
    with pytest.raises(ValueError, match="in_process, multiprocess, celery"):
        step_executor("threads")


def test_summary_names_duplicates_and_checks_that_did_not_pass_and_the_run_is_in_the_instance(tmp_path):
    subprocess.run([sys.executable, "-m", "sample_data.generate", "--out", str(tmp_path / "sample")], cwd=ROOT,
                   check=True, capture_output=True, timeout=300)
    inbox, warehouse, home = tmp_path / "sample" / "inbox", tmp_path / "warehouse", tmp_path / "dagster_home"
    original = inbox / "bps" / "umkm_penduduk_tuban_2020_2024.csv"
    shutil.copyfile(original, inbox / "bps" / "salinan_umkm_tuban.csv")          # the same content again
    env = {**os.environ, "DAGSTER_HOME": str(home), "JEMBATAN_MATCH_WARN_BELOW": "0.999",
           "JEMBATAN_SETTLE_SECONDS": "0", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([str(JEMBATAN), "sync", "--inbox", str(inbox), "--warehouse", str(warehouse)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    at = lines.index("Duplicates (the same content under another name, counted once): 1")
    assert lines[at + 1].split() == ["bps", "salinan_umkm_tuban.csv", "=", "umkm_penduduk_tuban_2020_2024.csv"]
    at = next(i for i, line in enumerate(lines) if line.startswith("Checks that did not pass: "))
    failed = lines[at + 1:lines.index("Next:")]          # the summary ends with the next steps
    # every source has a file with fewer than 99.9% of its rows placed (the sample's unplaceable rows)
    assert lines[at] == f"Checks that did not pass: {len(failed)} (see each in the Dagster UI)"
    assert sorted(line.split(":")[0].strip() for line in failed) == [
        "harmonised_places.bps_rows_placed (warn)", "harmonised_places.koperasi_rows_placed (warn)",
        "harmonised_places.polda_rows_placed (warn)"]
    with dg.DagsterInstance.from_config(str(home)) as instance:             # the run, with its checks, is there
        (record,) = instance.get_run_records()
        assert record.dagster_run.status == dg.DagsterRunStatus.SUCCESS
        evaluations = [e.event_log_entry.dagster_event.event_specific_data for e in instance.get_records_for_run(
            record.dagster_run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records]
        assert sorted(e.check_name for e in evaluations if not e.passed) == [
            "bps_rows_placed", "koperasi_rows_placed", "polda_rows_placed"]


@pytest.mark.parametrize("executor, sweeper", [("in_process", True), ("celery", False)])
def test_the_dead_run_sweeper_runs_only_where_runs_are_on_this_machine(executor, sweeper):
    """It fails runs whose processes are gone from this machine: in the cluster they may be on another."""
    env = {**os.environ, "JEMBATAN_EXECUTOR": executor, "JEMBATAN_CELERY_BROKER": "redis://127.0.0.1:1/0",
           "PYTHONPATH": str(ROOT)}
    listed = subprocess.run([sys.executable, "-c", "from pipelines.definitions import defs; "
                             "print(' '.join(sorted(s.name for s in defs.sensors)))"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300, check=True).stdout.split()
    assert listed == sorted(["bps_inbox_sensor", "koperasi_inbox_sensor", "polda_inbox_sensor"]
                            + (["dead_run_sweeper"] if sweeper else []))


def _sum_of_squares_in_spawned_processes(_):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:   # as batch.py reads
        return sum(pool.map(abs, range(-4, 1)))


def _worker_init(clear: bool):
    os.environ.setdefault("JEMBATAN_CELERY_BROKER", "redis://127.0.0.1:1/0")
    if clear:
        from pipelines.cluster.worker_app import _pool_process_may_start_processes
        _pool_process_may_start_processes()


@pytest.mark.parametrize("clear", [False, True])
def test_a_celery_pool_process_can_read_files_in_worker_processes(clear):
    """A step in a Celery worker runs in a billiard pool process (daemonic); the ingest of a large batch
    starts reader processes from it. The worker app's process-init hook makes that possible."""
    from billiard import Pool
    with Pool(1, initializer=_worker_init, initargs=(clear,)) as pool:
        if clear:
            assert pool.apply(_sum_of_squares_in_spawned_processes, (0,)) == 10
        else:
            with pytest.raises(AssertionError, match="daemonic processes are not allowed to have children"):
                pool.apply(_sum_of_squares_in_spawned_processes, (0,))

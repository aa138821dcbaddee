"""The UI's `sync` job is `jembatan sync`: its one op, run in process on a Dagster instance on disk, writes the
warehouse the command writes from a copy of the same inbox (the same marts, the same arrival key), prints the
command's summary into its log, and plans its own run (a run of `sync_partitions` over the new arrival); on
an unchanged inbox it runs nothing and publishes nothing; when the command fails, the op fails with its exit
code and last lines."""
from __future__ import annotations

import shutil
import subprocess

import dagster as dg

from assets.publish.publication import Warehouse
from pipelines.definitions import definitions
from pipelines.defs.jobs import LAUNCH_JOB, PLANNED_JOB
from pipelines.defs.resources import JembatanPaths
from pipelines.instance_home import PROJECT_ROOT
from pipelines.sync_process import sync_command
from tests.portal_fixture import FIRST_ROWS, crime_workbook
from tests.test_partitions import on_disk, tables


def op_lines(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """What the run's op wrote in its log (the sync's lines), in order."""
    return [entry.user_message for entry in instance.all_logs(run_id)
            if entry.dagster_event is None and entry.step_key == "jembatan_sync"]


def summary_table(lines: list[str]) -> list[str]:
    """The summary's table (from its `source` header to its `total` or last folder line)."""
    start = next(i for i, line in enumerate(lines) if line.startswith("source "))
    return [line for line in lines[start:start + 5] if line.split()[0] in ("source", "bps", "koperasi", "polda", "total")]


def test_the_sync_job_does_what_jembatan_sync_does(reference_dir, tmp_path):
    inbox = reference_dir.parent
    (inbox / "polda").mkdir()
    crime_workbook(inbox / "polda" / "lp_agustus.xlsx", FIRST_ROWS)
    twin = shutil.copytree(inbox, tmp_path / "twin_inbox")          # copy2: the same modification times too

    command = subprocess.run(sync_command(twin, tmp_path / "command_warehouse"), cwd=PROJECT_ROOT,
                             capture_output=True, text=True, timeout=600)
    assert command.returncode == 0, command.stderr[-3000:]

    warehouse = tmp_path / "warehouse"
    job = definitions(JembatanPaths(inbox=str(inbox), warehouse=str(warehouse))).resolve_job_def(LAUNCH_JOB)
    with on_disk(tmp_path / "dagster_home") as instance:
        first = job.execute_in_process(instance=instance)            # no config, no partition
        assert first.success
        lines = op_lines(instance, first.run_id)
        assert f"sync: reading {inbox.resolve()} into {warehouse.resolve()}" in lines
        assert summary_table(lines) == summary_table(command.stdout.splitlines())
        assert [line.split()[:3] for line in summary_table(lines)][1] == ["polda", "1", "1"]     # one new file
        # the same warehouse as the command's: the same arrival, the same marts
        arrivals = sorted(p.name for p in (warehouse / "work" / "arrivals").iterdir())
        assert arrivals == sorted(p.name for p in (tmp_path / "command_warehouse" / "work" / "arrivals").iterdir())
        assert tables(warehouse / "jembatan.duckdb") == tables(tmp_path / "command_warehouse" / "jembatan.duckdb")
        # the planned run: a run of sync_partitions over that arrival, on the same instance
        planned, = instance.get_runs(dg.RunsFilter(job_name=PLANNED_JOB))
        assert planned.status == dg.DagsterRunStatus.SUCCESS
        assert [f"{planned.tags['dagster/partition']}.json"] == arrivals
        published = Warehouse(warehouse).history()
        assert len(published) == 1

        again = job.execute_in_process(instance=instance)            # the inbox unchanged
        assert again.success
        assert [line.split()[:3] for line in summary_table(op_lines(instance, again.run_id))][1] == ["polda", "1", "0"]
        assert len(instance.get_runs(dg.RunsFilter(job_name=PLANNED_JOB))) == 1      # no run planned
        assert Warehouse(warehouse).history() == published                          # nothing published


def test_the_sync_job_fails_as_the_command_does(tmp_path):
    inbox = tmp_path / "inbox"                 # an agency file and no official village list: the sync stops
    (inbox / "polda").mkdir(parents=True)
    crime_workbook(inbox / "polda" / "lp_agustus.xlsx", FIRST_ROWS)
    command = subprocess.run(sync_command(inbox, tmp_path / "command_warehouse"), cwd=PROJECT_ROOT,
                             capture_output=True, text=True, timeout=600)
    assert command.returncode != 0
    job = definitions(JembatanPaths(inbox=str(inbox), warehouse=str(tmp_path / "warehouse"))).resolve_job_def(
        LAUNCH_JOB)
    with on_disk(tmp_path / "dagster_home") as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        failure, = [event for event in result.all_events if event.is_step_failure]
        told = failure.step_failure_data.user_failure_data
        assert told.description.startswith(f"jembatan sync ended with exit code {command.returncode}: ")
        assert told.metadata["exit_code"].value == command.returncode
        # its last lines hold the command's reason (the warehouse's path aside)
        reason = command.stderr.strip().splitlines()[-1].replace(str(tmp_path / "command_warehouse"),
                                                                  str(tmp_path / "warehouse"))
        assert reason in told.metadata["last_lines"].value.splitlines()

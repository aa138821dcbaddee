"""Runs left behind by dead processes, cleared so they never block a later run.

A run whose process is killed (SIGKILL, power cut, OOM killer) stays STARTED in Dagster's run storage and
keeps the pool slots its steps claimed: the `duckdb_writer` slot of the publish step is then held forever
and every later sync waits for it. Dagster's run monitoring cannot see this for the default run launcher
(it has no worker health check) nor for `jembatan sync`'s in-process runs, so `jembatan sync` calls
`clear_dead_runs` before it starts its own run: a run whose every process is gone is marked failed
(`report_run_failed`) and its slots are freed (`free_concurrency_slots_for_run`). Slots still held by runs
that already ended are freed as well (what the daemon's `free_slots_after_run_end_seconds` does later).

"Its processes" are the pids Dagster records on the run's start and step events; a pid counts as alive only
when a process with it exists and started before the event (so a pid reused after a reboot is not taken
for the run). Processes are looked up on this machine: an instance shared by several machines (Postgres
storage) needs Dagster's run monitoring with a launcher that checks worker health instead."""
from __future__ import annotations

from dataclasses import dataclass

import dagster as dg
from dagster import DagsterEventType

from assets.processes import alive

IN_PROGRESS = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
FINISHED_STATUSES = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]
PROCESS_EVENTS = {DagsterEventType.RUN_START, DagsterEventType.STEP_WORKER_STARTING,
                  DagsterEventType.STEP_WORKER_STARTED, DagsterEventType.STEP_START}


@dataclass(frozen=True)
class ClearedRun:
    run_id: str
    status: str              # the run's status before: STARTED, STARTING, CANCELING, or an ended one
    pids: tuple[int, ...]    # the dead processes the run had recorded (empty for an ended run)

    def describe(self) -> str:
        """One line for the operator."""
        if self.pids:
            return (f"run {self.run_id} ({self.status}) was left by a killed process "
                    f"(pids {', '.join(map(str, self.pids))}): marked failed, its pool slots freed")
        return f"run {self.run_id} had ended ({self.status}) but still held pool slots: freed"


def clear_dead_runs(instance: dg.DagsterInstance) -> list[ClearedRun]:
    """Fail the in-progress runs of `instance` whose processes are all gone, and free the pool slots of
    every run that is no longer running. Returns what was cleared, oldest run first."""
    cleared = []
    for record in reversed(instance.get_run_records(filters=dg.RunsFilter(statuses=IN_PROGRESS))):
        run = record.dagster_run
        pids = _run_processes(instance, run.run_id)
        if not pids or any(alive(pid, started_by) for pid, started_by in pids.items()):
            continue          # still running, or not started yet (run monitoring's start timeout covers that)
        instance.report_run_failed(run, message=(
            f"Marked failed by jembatan sync: every process of this run is gone (pids {', '.join(map(str, pids))}); "
            "it was killed. Its pool slots are freed so later runs do not wait for it."))
        _free_slots(instance, run.run_id)
        cleared.append(ClearedRun(run.run_id, run.status.value, tuple(pids)))
    if instance.event_log_storage.supports_global_concurrency_limits:
        holding = instance.event_log_storage.get_concurrency_run_ids()
        if holding:
            for record in instance.get_run_records(filters=dg.RunsFilter(run_ids=list(holding),
                                                                         statuses=FINISHED_STATUSES)):
                _free_slots(instance, record.dagster_run.run_id)
                cleared.append(ClearedRun(record.dagster_run.run_id, record.dagster_run.status.value, ()))
    return cleared


def _free_slots(instance: dg.DagsterInstance, run_id: str) -> None:
    if instance.event_log_storage.supports_global_concurrency_limits:
        instance.event_log_storage.free_concurrency_slots_for_run(run_id)


def _run_processes(instance: dg.DagsterInstance, run_id: str) -> dict[int, float]:
    """pid -> the time (epoch seconds) of the first event that process recorded for the run."""
    found: dict[int, float] = {}
    for record in instance.get_records_for_run(run_id, of_type=PROCESS_EVENTS).records:
        entry = record.event_log_entry
        pid = entry.dagster_event.pid if entry.dagster_event else None
        if pid is not None:
            found.setdefault(pid, entry.timestamp)
    return found


@dg.sensor(name="dead_run_sweeper", minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Every minute, while the daemon runs (`make ui`): marks failed the runs whose processes "
                       "were killed and frees their pool slots (and those of ended runs still holding one), so "
                       "the inbox sensors' and the daily schedule's runs never wait for a dead run. Starts nothing.")
def dead_run_sweeper(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    cleared = clear_dead_runs(context.instance)
    for run in cleared:
        context.log.warning(run.describe())
    return dg.SkipReason("; ".join(run.describe() for run in cleared) or "no run left by a dead process")

"""The Dagster code location: `dagster dev -w workspace.yaml` (or `dg dev`) loads `defs`.

Every Dagster object (assets, checks, jobs, sensors, schedules, resources, executors) lives in
pipelines/defs/; this file only gathers them.
"""
from __future__ import annotations

import dagster as dg

from pipelines.defs.assets import ALL_ASSETS, ROWS_RECONCILE_CHECKS
from pipelines.defs.checks import MATCH_CHECKS
from pipelines.defs.dead_runs import dead_run_sweeper
from pipelines.defs.executors import step_executor
from pipelines.defs.file_checks import FILE_CHECKS
from pipelines.defs.jobs import PLANNED_JOB, STEP_EXECUTOR, sync_job, sync_partitions_job
from pipelines.defs.resources import JembatanPaths
from pipelines.defs.sensors import INBOX_SENSORS, daily_full_sync

ASSET_CHECKS: list = [*ROWS_RECONCILE_CHECKS]
ASSET_CHECKS += MATCH_CHECKS + FILE_CHECKS
SENSORS: list = [*INBOX_SENSORS]
if STEP_EXECUTOR.name != "celery":
    # It judges runs by their processes on this machine; in the cluster, runs and steps may live on other
    # machines, and run monitoring with the run's max runtime fails a hung run instead.
    SENSORS.append(dead_run_sweeper)
SCHEDULES: list = [daily_full_sync]


def definitions(paths: JembatanPaths) -> dg.Definitions:
    """Every definition, with `paths` as the paths resource (`jembatan sync --inbox/--warehouse`)."""
    return dg.Definitions(assets=ALL_ASSETS, asset_checks=ASSET_CHECKS, jobs=[sync_job, sync_partitions_job],
                          sensors=SENSORS, schedules=SCHEDULES, resources={"paths": paths},
                          executor=STEP_EXECUTOR)


defs = definitions(JembatanPaths())


def sync_job_definition() -> dg.JobDefinition:
    """The planner's job (`sync_partitions`) with the executor JEMBATAN_EXECUTOR names now (`jembatan sync
    --executor multiprocess` sets it), reconstructable in the multiprocess executor's step processes."""
    return defs.resolve_job_def(PLANNED_JOB).with_executor_def(step_executor())

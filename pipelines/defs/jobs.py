"""The two jobs of the code location.

- `sync`: what a steward launches from the Dagster UI, with no config and no partition to pick. Its one op
  runs `jembatan sync` (the command a steward types, and the one the portal starts for an upload) on the
  `paths` resource's inbox and warehouse and on the run's own Dagster instance, in a child process, and
  writes each line the command prints into the op's log. So it does exactly what the command does: the
  warehouse's lock, the wait for files still being written, the plan (the new contents recorded as one
  arrival, only the stale assets selected; pipelines/defs/planning.py), no run and nothing published when
  nothing changed, and the same summary (in the op's log). The planned run shows in the UI as a run of
  `sync_partitions` of its own. The op fails when the command does (its exit code and last lines).
- `sync_partitions`: every asset, over the arrivals' partitions, with the deployment's step executor. It is
  the job the planner runs (`jembatan sync`, the inbox sensors, the daily schedule), with the partitions
  and the assets the plan chose; launched by hand it asks for arrivals and runs what is selected, changed
  or not.

In the cluster (JEMBATAN_EXECUTOR=celery) the op runs `jembatan sync --cluster` in the run's own process:
the planned run is submitted through the webserver to the queue (one run per warehouse) and its steps go
to the Celery workers, as from the command line.
"""
from __future__ import annotations

import os
import subprocess
from collections import deque

import dagster as dg

from pipelines.defs.executors import step_executor
from pipelines.defs.resources import JembatanPaths
from pipelines.instance_home import PROJECT_ROOT
from pipelines.sync_process import child_environment, sync_command

PLANNED_JOB = "sync_partitions"
LAUNCH_JOB = "sync"
TAIL_LINES = 5          # the command's last lines, told in the op's failure

# Runs launched from the UI, a sensor or the schedule use the deployment's executor (pipelines/defs/executors.py:
# in-process on one machine, as `jembatan sync`; Celery workers in the cluster).
STEP_EXECUTOR = step_executor()
sync_partitions_job = dg.define_asset_job(
    PLANNED_JOB, selection=dg.AssetSelection.all(), executor_def=STEP_EXECUTOR,
    description="Run by the planner (`jembatan sync`, the `sync` job, the inbox sensors, the daily schedule) with "
                "the new files' arrival as partition and only what changed: reference, every inbox, "
                "harmonise, publish marts. Launch `sync` instead: this asks for arrivals and runs them again.")


@dg.op(name="jembatan_sync", description="Runs `jembatan sync` on the paths resource's inbox and warehouse and "
                                          "this run's instance; its lines are this op's log")
def jembatan_sync(context, paths: JembatanPaths) -> None:
    where = paths.paths()
    command = sync_command(where.inbox, where.warehouse, cluster=os.environ.get("JEMBATAN_EXECUTOR") == "celery")
    context.log.info(f"jembatan sync --inbox {where.inbox} --warehouse {where.warehouse}")
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=child_environment(context.instance),
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, errors="replace", bufsize=1)
    try:
        for line in process.stdout:
            if line.strip():
                context.log.info(line.rstrip())
                tail.append(line.rstrip())
        code = process.wait()
    finally:
        if process.poll() is None:      # the run was stopped from the UI: the sync stops with it
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    if code != 0:
        raise dg.Failure(description=f"jembatan sync ended with exit code {code}" +
                         (": " + " | ".join(tail) if tail else ""),
                         metadata={"exit_code": code, "last_lines": "\n".join(tail)})


@dg.job(name=LAUNCH_JOB, executor_def=dg.in_process_executor,   # the op only waits for its child
        description="Exactly `jembatan sync`, launched from the UI with no config and no partition to pick: new "
                    "files read (recorded as one arrival), only what changed run, nothing run and nothing "
                    "published when nothing changed, the command's summary in this op's log. The run it plans "
                    f"shows as a run of `{PLANNED_JOB}`.")
def sync_job() -> None:
    jembatan_sync()

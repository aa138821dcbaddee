"""Which executor runs the steps of the planned job (`sync_partitions`: pipelines/defs/jobs.py), chosen by
the deployment (JEMBATAN_EXECUTOR):

- unset or `in_process` (`make ui`: runs from the UI, the sensors and the schedule on one machine, like
  `jembatan sync`): every step in the run's own process. A run with nothing new to do then costs one process
  start, not one per step (benchmarks/bench_cluster.py: a UI run with nothing new took 131-147 s with a
  fresh process per step against 15-19 s for the CLI). Files are still read in parallel worker processes
  (JEMBATAN_INGEST_WORKERS) and the `duckdb_writer` pool still holds across runs.
- `multiprocess`: Dagster's multiprocess executor, two steps at a time (the three inboxes at once), each
  step forked from a server process that has already imported the project (forkserver with
  `pipelines.definitions` preloaded; JEMBATAN_STEP_START_METHOD=spawn starts a fresh interpreter per step,
  Dagster's default) - `jembatan sync --executor multiprocess`;
- `celery` (`make cluster`, every machine of a multi-machine deployment): dagster-celery's executor, each
  step a task on the broker JEMBATAN_CELERY_BROKER (a Redis URL) run by whichever Celery worker takes it.
"""
from __future__ import annotations

import os

import dagster as dg

# Celery settings shared by the run's executor (the producer) and the workers (pipelines/cluster/worker_app.py).
CELERY_SETTINGS = {
    "worker_prefetch_multiplier": 1,          # a worker takes one step at a time, the next only when free
    # A step whose worker process is killed goes back on the queue and another worker runs it again (the
    # steps finish the same way when run again). Without this the step's result never comes and
    # dagster-celery's executor waits for it forever. A worker killed with its main process gives its step
    # back when the broker's visibility timeout passes (an hour: longer than any step).
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
    "broker_connection_retry_on_startup": True,
    "broker_connection_timeout": 10,
    "result_expires": 7 * 24 * 3600,
    # Redis: a socket that goes silent (broker restarted) raises within 30 s instead of waiting forever.
    "broker_transport_options": {"socket_timeout": 30, "socket_connect_timeout": 10, "visibility_timeout": 3600},
    "result_backend_transport_options": {"socket_timeout": 30, "socket_connect_timeout": 10},
    "redis_socket_timeout": 30,
    "redis_socket_connect_timeout": 10,
}
EXECUTORS = ("in_process", "multiprocess", "celery")


def celery_broker() -> str | None:
    return os.environ.get("JEMBATAN_CELERY_BROKER") or None


def step_executor(kind: str | None = None) -> dg.ExecutorDefinition:
    """The executor `kind` (default: JEMBATAN_EXECUTOR, else in_process). ValueError for an unknown kind."""
    kind = kind or os.environ.get("JEMBATAN_EXECUTOR") or "in_process"
    if kind == "celery":
        from dagster_celery import celery_executor
        broker = celery_broker()
        if not broker:
            raise RuntimeError("JEMBATAN_EXECUTOR=celery needs JEMBATAN_CELERY_BROKER (a redis:// URL)")
        return celery_executor.configured({"broker": broker, "backend": broker,
                                           "config_source": CELERY_SETTINGS})
    if kind == "multiprocess":
        start = ({"spawn": {}} if os.environ.get("JEMBATAN_STEP_START_METHOD") == "spawn"
                 else {"forkserver": {"preload_modules": ["pipelines.definitions"]}})
        return dg.multiprocess_executor.configured({"max_concurrent": 2, "start_method": start})
    if kind == "in_process":
        return dg.in_process_executor
    raise ValueError(f"JEMBATAN_EXECUTOR must be one of {', '.join(EXECUTORS)}, not {kind!r}")

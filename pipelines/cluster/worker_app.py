"""The Celery application of the cluster's workers: `celery -A pipelines.cluster.worker_app worker`.

The same task (dagster-celery's `execute_plan`) and settings as the executor that sends the steps
(pipelines/defs/executors.py), on the broker JEMBATAN_CELERY_BROKER. A worker runs a step in its own process
against the instance named in the task (the cluster's PostgreSQL storage)."""
from __future__ import annotations

from celery.signals import worker_process_init
from dagster_celery.executor import CeleryExecutor
from dagster_celery.make_app import make_app
from dagster_celery.tasks import create_task

from pipelines.defs.executors import CELERY_SETTINGS, celery_broker

broker = celery_broker()
if not broker:
    raise RuntimeError("the Celery worker needs JEMBATAN_CELERY_BROKER (a redis:// URL)")
app = make_app(CeleryExecutor.for_cli(broker=broker, backend=broker, config_source=CELERY_SETTINGS).app_args())
execute_plan = create_task(app)


@worker_process_init.connect
def _pool_process_may_start_processes(**_) -> None:
    """Celery's pool processes are daemonic, and a daemonic process may not start processes; the ingest step
    reads large batches of files in a pool of its own (assets/ingest/batch.py). The step's readers are
    waited for by the step itself (the pool is closed before the step returns), and exit when the step's
    process dies (their pipe closes), so nothing is left behind without the flag."""
    import multiprocessing.process

    import billiard.process
    for process in (multiprocessing.process.current_process(), billiard.process.current_process()):
        process._config.pop("daemon", None)
    # multiprocessing's own process record in a pool process carries billiard's authentication key type,
    # which multiprocessing refuses to hand to a spawned child: give it its own type, same bytes.
    config = multiprocessing.process.current_process()._config
    if config.get("authkey") is not None and not isinstance(config["authkey"],
                                                             multiprocessing.process.AuthenticationString):
        config["authkey"] = multiprocessing.process.AuthenticationString(bytes(config["authkey"]))

"""The Celery application of the cluster's workers: `celery -A pipelines.cluster.worker_app worker`.

The same task (dagster-celery's `execute_plan`) and settings as the executor that sends the steps
(pipelines/executors.py), on the broker JEMBATAN_CELERY_BROKER. A worker runs a step in its own process
against the instance named in the task (the cluster's PostgreSQL storage)."""
from __future__ import annotations

from dagster_celery.executor import CeleryExecutor
from dagster_celery.make_app import make_app
from dagster_celery.tasks import create_task

from pipelines.executors import CELERY_SETTINGS, celery_broker

broker = celery_broker()
if not broker:
    raise RuntimeError("the Celery worker needs JEMBATAN_CELERY_BROKER (a redis:// URL)")
app = make_app(CeleryExecutor.for_cli(broker=broker, backend=broker, config_source=CELERY_SETTINGS).app_args())
execute_plan = create_task(app)

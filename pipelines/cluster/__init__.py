"""The Dagster deployment on one machine (`make cluster`): PostgreSQL as the instance's storage, Redis as
the Celery broker, the Dagster daemon and webserver, and Celery workers that execute the sync's steps.

settings.py  where everything lives and listens (environment variables, defaults on loopback)
services.py  start, check and stop each service (`python -m pipelines.cluster up|down|status`)
submit.py    `jembatan sync --cluster`: submit the sync to the running cluster and wait for it
worker_app.py the Celery application the workers run (`celery -A pipelines.cluster.worker_app worker`)
"""

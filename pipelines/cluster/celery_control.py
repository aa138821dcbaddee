"""Asking the Celery workers over the broker (a Celery client: no task is sent)."""
from __future__ import annotations

from pipelines.cluster.settings import ClusterSettings


def ping(settings: ClusterSettings, timeout: float = 2.0) -> set[str]:
    """The short names (`worker1`, ...) of the workers that answer a ping within `timeout` seconds."""
    from celery import Celery
    app = Celery("jembatan-control", broker=settings.redis_url, backend=settings.redis_url)
    try:
        replies = app.control.ping(timeout=timeout) or []
    finally:
        app.close()
    return {name.split("@", 1)[0] for reply in replies for name in reply}

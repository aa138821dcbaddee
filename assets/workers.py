"""The worker processes a sync shares its batches among: files read (assets/ingest/batch.py), files placed
(assets/harmonise/bulk.py) and agency reports written (assets/ingest/report.py).

Inside `worker_pool()` (a whole `jembatan sync`) every batch runs on one pool, started when the first batch
needs it and kept to the end: its processes are spawned and import their modules once, not once per batch
(about 2-3 s of both cores each time at national scale). Outside it, a batch gets a pool of its own, shut
down after it. Spawned, not forked: the caller (Dagster, pytest) runs threads, and a forked child can
inherit a held lock.
"""
from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor

DEFAULT_WORKERS = 2
_OPEN: list[dict] = []          # the enclosing worker_pool: its size and its pool (None until first asked)


def worker_count() -> int:
    """JEMBATAN_INGEST_WORKERS (default 2, the cores of the machine this is sized for; 1 = no workers)."""
    return max(1, int(os.environ.get("JEMBATAN_INGEST_WORKERS", DEFAULT_WORKERS)))


@contextlib.contextmanager
def worker_pool(workers: int | None = None):
    """Every batch inside runs on one pool of `workers` processes (default worker_count()), made when a
    batch first needs it and shut down on leaving. Inside another worker_pool: that one's pool."""
    if _OPEN:
        yield
        return
    holder = {"workers": workers or worker_count(), "pool": None}
    _OPEN.append(holder)
    try:
        yield
    finally:
        _OPEN.remove(holder)
        if holder["pool"] is not None:
            holder["pool"].shutdown(wait=True, cancel_futures=True)


def pool_open() -> bool:
    """Whether a worker_pool encloses the caller."""
    return bool(_OPEN)


@contextlib.contextmanager
def pool_for(workers: int):
    """A pool for one batch: the enclosing worker_pool's, or outside one a pool of `workers` processes
    of its own, shut down (waiting for its tasks) after the batch."""
    holder = _OPEN[-1] if _OPEN else None
    if holder is None:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            yield pool
        return
    if holder["pool"] is None:
        holder["pool"] = ProcessPoolExecutor(holder["workers"], mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_end_without_teardown)
    yield holder["pool"]


def _end_without_teardown() -> None:
    """In each worker of a sync's pool: once its work is done and it exits, it ends at once (os._exit,
    after its output is flushed), without freeing object by object what it read, placed and wrote (a
    matcher and a reader's heap: seconds of both cores at the end of a national sync). Every file it
    writes is complete (atomic renames) before its task returns."""
    atexit.register(_exit_now)


def _exit_now() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(0)


def broken(pool: ProcessPoolExecutor) -> None:
    """A worker of `pool` died (out of memory, killed; concurrent.futures.process.BrokenProcessPool): the
    enclosing worker_pool starts a new pool for the next batch."""
    for holder in _OPEN:
        if holder["pool"] is pool:
            pool.shutdown(wait=False, cancel_futures=True)
            holder["pool"] = None

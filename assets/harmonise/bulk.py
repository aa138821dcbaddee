"""Placing many received files at once: the files not placed yet are shared among worker processes
(JEMBATAN_INGEST_WORKERS, default 2: the machine's cores), each loading the pickled matcher once and
writing each file's placement to the cache (stage._placed_file) as placing it in this process would.
The caller then reads the cached placements in its own order, so what lands does not depend on which
process placed which file: a place tuple gets the same match in every process (matcher.py).

A few small files are placed in the calling process: starting a worker and loading the matcher costs
seconds (about 1.5 s to unpickle the national matcher), more than placing them.
"""
from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from assets import storage
from assets.workers import broken, pool_for, worker_count
from schemas import DATASETS

PARALLEL_MIN_BYTES = 8 << 20        # accepted rows (Parquet) to place, in total, before workers pay off
PARALLEL_MIN_FILES = 4

_matchers: dict[tuple, object] = {}     # this process's matcher per pickle (path, size, time)


def loaded_matcher(stored: Path):
    """The matcher pickled at `stored`, read once per process (and again only if the file changed)."""
    st = stored.stat()
    key = (str(stored), st.st_size, st.st_mtime_ns)
    if key not in _matchers:
        _matchers.clear()
        _matchers[key] = storage.read_pickle(stored)
    return _matchers[key]


def remember(stored: Path, matcher) -> None:
    """A matcher this process built and pickled at `stored`: the one loaded_matcher gives from now on."""
    st = stored.stat()
    _matchers.clear()
    _matchers[(str(stored), st.st_size, st.st_mtime_ns)] = matcher


def place_ahead(jobs: list[tuple[Path, Path, str]], matcher, layouts, place) -> int:
    """Place in worker processes the jobs (accepted Parquet, cache folder, dataset name) whose placement
    is not cached yet, when they are enough to pay for the workers. `matcher`, `layouts`: the caller's
    stage._LazyMatcher and stage._LazyLayouts (the matcher is built and pickled here if it was not);
    `place`: stage._placed_file, called in each worker as (path, folder, dataset, matcher, layouts).
    Returns how many files the workers placed; the rest (and any a dead worker left) are placed by the
    caller as it reads them."""
    todo = [job for job in jobs if not (job[1] / f"{job[0].stem}.pickle").exists()]
    workers = min(worker_count(), len(todo))
    if workers < 2 or len(todo) < PARALLEL_MIN_FILES or \
            sum(path.stat().st_size for path, _, _ in todo if path.exists()) < PARALLEL_MIN_BYTES:
        return 0
    stored = matcher.stored
    if not matcher.built():
        matcher()                 # built and pickled once, before the workers read it
    every = layouts()
    tasks = [(place, path, folder, name, stored, {path.stem: every.get(path.stem, {})}) for path, folder, name in todo]
    done = 0
    with pool_for(workers) as pool:         # the sync's pool (assets/workers.py), or one of its own
        try:
            for _ in pool.map(_place_job, tasks, chunksize=max(1, len(tasks) // (workers * 8))):
                done += 1
        except BrokenProcessPool:
            broken(pool)        # a worker died (out of memory, killed): the caller places what is left
    return done


def _place_job(task: tuple) -> None:
    place, path, folder, name, stored, layouts = task
    place(path, folder, DATASETS[name], lambda: loaded_matcher(stored), lambda: layouts)


"""Receive every file of an inbox folder: new files are read in parallel worker processes, then
recorded one at a time in drop order (supersession depends on the files before). Within a sync the
workers are the sync's own (assets/workers.py).

Reading is per file and content-addressed, so workers never write the same path; only the recording
step writes manifests. Small batches are read in this process: starting workers costs about a second
each, more than a few small files take to read.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from assets.incremental import read_memo, write_memo
from assets.ingest.inbox import (Entry, NotTaken, archived_path, clear_stale_copies, shown_name, stamp, stored_name,
                                 take, waiting)
from assets.ingest.original_names import as_dropped, remember
from assets.ingest.receive import known_file, read_received, record_received
from assets.ingest.record import Received
from assets.ingest.supersede import settle_supersessions
from assets.ingest.work_area import Ledger, WorkArea
from assets.workers import broken, pool_for, pool_open, worker_count

PARALLEL_MIN_BYTES = 32 << 20       # new files smaller than this in total ...
PARALLEL_MIN_FILES = 64             # ... and fewer than this are read in-process (a small file: ~0.1 s)


def receive_files(files: list[Path], source: str, work: WorkArea, archive_dir: Path, key: bytes,
                  workers: int | None = None, listed: dict[Path, os.stat_result] | None = None,
                  only: set[str] | None = None, hashed: list[str | Entry] | None = None) -> list[Received]:
    """One Received per file, in the order given (the drop order): a file that could not be taken into
    the archive (inbox.take: still being written, or unreadable) has status waiting or refused and the
    reason in `problems`. `listed`: each file's lstat when the inbox was listed (inbox.scan_inbox), so
    a file that changed since is left for the next sync. `only`: the contents (SHA-256) to read now (a
    run's file partitions); another new content is left waiting for its own run (`read_apart`).
    `hashed`: each file's SHA-256 or Entry as the sync's look found it (inbox_look.py; the names may be
    masked: a file read now is read under its name as dropped, original_names.py); None hashes now."""
    ledger = Ledger(work)
    settle_supersessions(ledger)          # finishes what a killed sync left half-done
    clear_stale_copies(archive_dir)
    shas = known_hashes(files, hash_cache(work, source), archive_dir, listed) if hashed is None else hashed
    new = _new_contents(files, shas, ledger, only)
    read = _read_in_order(_jobs(new, source, work, archive_dir, key, hashed is not None), source,
                          workers or worker_count())
    received = []
    for path, sha in zip(files, shas):
        if isinstance(sha, Entry):
            received.append(Received.not_received(sha, source))
        elif new.get(sha) is path:
            received.append(record_received(next(read), ledger))
        elif ledger.get(sha) is None and sha not in new:       # new content, not one of this run's files
            received.append(Received.not_received(read_apart(path.name, sha), source))
        else:       # received before, or the same content under a second name in this batch
            received.append(known_file(path, sha, source, ledger))
    return received


def hash_cache(work: WorkArea, source: str) -> Path:
    """Each file of inbox/<source>/ by name: its stamp (size, times, inode) and SHA-256 (known_hashes)."""
    return work.root / "hashes" / f"{source}.json"


def read_apart(name: str, sha: str) -> Entry:
    """A new content that is not one of this run's file partitions: its own run reads it."""
    return Entry(shown_name(name), "waiting", "read_apart",
                 f"New content ({sha[:12]}): read by the run of its own file partition, or the next sync.",
                 f"Isi baru ({sha[:12]}): dibaca oleh proses partisi berkasnya sendiri, atau sinkronisasi "
                 "berikutnya.", sha256=sha)


def known_hashes(files: list[Path], cache: Path, archive_dir: Path,
                 listed: dict[Path, os.stat_result] | None = None) -> list[str | Entry]:
    """SHA-256 of each file, or the inbox.Entry saying why it was not taken. A file is taken into the
    archive (hashed while copied, inbox.take) only when its size, times or inode changed since the last
    sync (as git and rsync decide) or its archived copy is missing: an unchanged national inbox is
    450 MB that need not be read again."""
    known = read_memo(cache)
    current, shas = {}, []
    for path in files:
        try:
            st = (listed or {}).get(path) or path.lstat()
        except FileNotFoundError:
            shas.append(waiting(path.name))
            continue
        entry = known.get(stored_name(path.name))        # masked: two names alike only cost a new hash
        if entry and entry[0] == stamp(st) and archived_path(archive_dir, entry[1], path.suffix).exists():
            sha = entry[1]
        else:
            try:
                sha, _, st = take(path, archive_dir, listed=st)
                remember(archive_dir, sha, path.name)
            except NotTaken as exc:
                shas.append(exc.entry)
                continue
        current[stored_name(path.name)] = [stamp(st), sha]
        shas.append(sha)
    write_memo(cache, current, known)
    return shas


def _new_contents(files: list[Path], shas: list, ledger: Ledger, only: set[str] | None,
                  taken: set[str] = frozenset()) -> dict[str, Path]:
    """SHA-256 -> the first of `files` holding each content not received before (nor in `taken`), of
    `only` when given; `shas`: each file's SHA-256, or an Entry for a file not taken."""
    new: dict[str, Path] = {}
    for path, sha in zip(files, shas):
        if isinstance(sha, str) and sha not in taken and ledger.get(sha) is None and (only is None or sha in only):
            new.setdefault(sha, path)
    return new


def _jobs(new: dict[str, Path], source: str, work: WorkArea, archive_dir: Path, key: bytes,
          masked: bool) -> list[tuple]:
    """read_received's arguments for each new content (SHA-256 -> its first path in the folder): its
    archived copy, read under its name as dropped (`masked`: the look's names are masked)."""
    dropped = {sha: path.with_name(as_dropped(archive_dir, sha, path.name)) for sha, path in new.items()} \
        if masked else new
    return [(archived_path(archive_dir, sha, path.suffix), path.name, sha, source, work, key)
            for sha, path in dropped.items()]


def _worth_workers(jobs: list[tuple], workers: int) -> bool:
    return workers >= 2 and len(jobs) >= 2 and (len(jobs) >= PARALLEL_MIN_FILES or
                                                 sum(path.stat().st_size for path, *_ in jobs) >= PARALLEL_MIN_BYTES)


_AHEAD: dict[tuple, object] = {}     # a job's _ahead_key -> its Future, submitted by read_ahead


def _ahead_key(job: tuple) -> tuple:
    archived, name, sha, source, work, _ = job
    return str(archived), name, sha, source, str(work.root)


def read_ahead(folders: list[tuple[str, list[Path], list]], work: WorkArea, archive_dir: Path, key: bytes,
               only: set[str] | None = None, first: Callable[[Executor], None] | None = None) -> int:
    """Inside a sync's worker_pool (assets/workers.py; else nothing is done): submit now the reading of
    every new content of these agency folders ((source, files, each file's SHA-256 or Entry as the sync's
    look found it), in the order they are received), largest file first, so that both workers stay busy
    from the first file of the first folder to the last of the last; receive_files then takes each read
    from there (forget_ahead drops what was not taken). A content in two folders is read ahead for the
    first only. `only`: as receive_files'. `first(pool)`: submits work the sync needs after reading (the
    matcher, assets/harmonise/stage.matcher_ahead) before the reads, when they go to the workers.
    Returns the number of files submitted."""
    if not pool_open():
        return 0
    ledger, seen, jobs = Ledger(work), set(), []
    for source, files, shas in folders:
        new = _new_contents(files, shas, ledger, only, seen)
        seen |= set(new)
        jobs += _jobs(new, source, work, archive_dir, key, True)
    if not _worth_workers(jobs, worker_count()):
        return 0
    with pool_for(worker_count()) as pool:
        if first is not None:
            first(pool)
        for job in sorted(jobs, key=lambda job: -job[0].stat().st_size):
            _AHEAD[_ahead_key(job)] = pool.submit(_read_job, job)
    return len(jobs)


def forget_ahead() -> None:
    """Drop the reads submitted ahead that no receive_files took (their pool ends with the sync)."""
    for future in _AHEAD.values():
        future.cancel()
    _AHEAD.clear()


def _read_in_order(jobs: list[tuple], source: str, workers: int):
    """Yield read_received(...) for each job, in order."""
    ahead = {_ahead_key(job): _AHEAD.pop(_ahead_key(job)) for job in jobs if _ahead_key(job) in _AHEAD}
    if not ahead and not _worth_workers(jobs, workers):
        for job in jobs:
            yield read_received(*job)
        return
    done = 0
    with pool_for(min(workers, len(jobs))) as pool:      # the sync's pool (assets/workers.py), or its own
        try:
            futures = [ahead.get(_ahead_key(job)) or pool.submit(_read_job, job) for job in jobs]
            for future in futures:
                result = future.result()
                done += 1
                yield result
        except BrokenProcessPool:
            broken(pool)        # a worker died (out of memory, killed): the rest are read here, one at a time
    for job in jobs[done:]:
        yield read_received(*job)


def _read_job(job: tuple) -> Received:
    return read_received(*job)

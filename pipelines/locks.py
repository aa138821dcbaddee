"""Advisory file locks (POSIX `flock`) that the kernel releases when their holder exits or is killed, so a
lock is never left behind by a dead process.

Two are used by `jembatan sync`: `warehouse/.sync.lock` (one sync per warehouse) and
`$DAGSTER_HOME/.jembatan-instance.lock` (held only while the Dagster instance is created and dead runs are
cleared, so two first syncs never build the same SQLite storage at once)."""
from __future__ import annotations

import datetime as dt
import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

SYNC_LOCK_NAME = ".sync.lock"
INSTANCE_LOCK_NAME = ".jembatan-instance.lock"


class LockHeld(Exception):
    """The lock is held by another live process (raised only when not waiting)."""


@contextmanager
def exclusive_lock(path: Path, wait: bool = True, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold an exclusive `flock` on `path` (created owner-only if missing; its folder must exist) for the
    `with` block.

    When another process holds it: with `wait`, call `on_wait(holder)` once and block until it is free;
    else raise LockHeld(holder). `holder` is what the holder wrote ("pid 123 since 2025-01-01T10:00:00+07:00"),
    or "" when unknown. The lock goes when the block ends or the process dies, whichever comes first."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip()
            if not wait:
                raise LockHeld(holder) from None
            if on_wait is not None:
                on_wait(holder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {dt.datetime.now().astimezone().isoformat(timespec='seconds')}\n"
                  .encode(), 0)
        yield
    finally:
        os.close(fd)          # closing the only descriptor releases the flock

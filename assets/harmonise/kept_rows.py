"""Rows taken from many placed files, kept beside them from one harmonise to the next, so that a new file
is read alone and not with every file before it: the key rows settled across files (collisions.py) and
the rows placed by likeness told to the clerks (read_as.py).

A file's rows are taken again when its stamp changed (storage.stamp: a rewrite is a new inode, time or
ETag), the way git and rsync decide a file changed, so a filtered copy rewritten in place
(`<sha>.unique.parquet`) is read again. What is kept is a Parquet file with two more columns, `_path`
and `_stamp`, and the list of files it holds; an unreadable one is read again whole.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from assets import storage
from assets.storage import atomic_write

READERS = 4         # threads reading files not kept


def kept_rows(files: list[Path], read: Callable[[Path], pd.DataFrame], kept: Path | None) -> pd.DataFrame:
    """`read(path)` of every file of `files`, in file order and each file's own row order, with `_file`
    (the file's index in `files`): each taken from `kept` when the file is unchanged since it was kept,
    else read now; `kept` is written again when it changed (None: every file read, nothing kept).

    Which files `kept` holds (a file may have no rows) is listed beside it (`<kept>.json`, written after
    it): rows of a file not listed there are not used, so a sync killed between the two writes reads that
    file again rather than counting its rows twice."""
    stamps = [repr(storage.stamp(path)) for path in files]
    current = {(str(path), stamp): n for n, (path, stamp) in enumerate(zip(files, stamps))}
    known, seen = _known(kept)
    usable = seen & set(current)
    held = pd.Series([key in usable for key in zip(known["_path"], known["_stamp"])], index=known.index, dtype=bool)
    # Read on threads (the Parquet reader works outside the GIL): a first sync reads thousands of files.
    unread = [(path, stamp) for path, stamp in zip(files, stamps) if (str(path), stamp) not in usable]
    with ThreadPoolExecutor(READERS) as readers:
        new = list(readers.map(lambda item: read(item[0]).assign(_path=str(item[0]), _stamp=item[1]), unread))
    parts = ([known[held]] if held.any() else []) + [f for f in new if len(f)]
    rows = pd.concat(parts, ignore_index=True) if parts else \
        pd.DataFrame({"_path": pd.Series(dtype=object), "_stamp": pd.Series(dtype=object)})
    if kept is not None and (new or usable != seen):
        storage.write_parquet(kept, rows, index=False)
        atomic_write(_listed(kept), lambda tmp: tmp.write_text(json.dumps(sorted(current))))
    rows["_file"] = [current[key] for key in zip(rows["_path"], rows["_stamp"])]
    return rows.sort_values("_file", kind="stable", ignore_index=True).drop(columns=["_path", "_stamp"])


def _listed(kept: Path) -> Path:
    return kept.with_name(kept.name + ".json")


def _known(kept: Path | None) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    """The rows kept, and the files they were kept for ((path, stamp) pairs; none: nothing usable)."""
    empty = pd.DataFrame({"_path": pd.Series(dtype=object), "_stamp": pd.Series(dtype=object)})
    if kept is None or not storage.exists(kept) or not storage.exists(_listed(kept)):
        return empty, set()
    try:
        known = storage.read_parquet(kept)
        seen = {tuple(pair) for pair in json.loads(storage.read_text(_listed(kept)))}
    except (OSError, ValueError, TypeError):
        return empty, set()
    return (known, seen) if {"_path", "_stamp"} <= set(known.columns) else (empty, set())

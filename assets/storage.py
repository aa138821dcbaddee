"""The storage the workers share: where the work area, the archive and the agency reports are read and
written. A local or shared folder, or S3-compatible object storage, chosen by one setting:

    JEMBATAN_STORAGE    unset: the warehouse folder itself (JEMBATAN_WAREHOUSE), as before;
                        a folder (a local disk or a shared mount, e.g. /mnt/jembatan);
                        or s3://bucket/prefix: S3-compatible object storage through fsspec (s3fs), with
                        the endpoint from JEMBATAN_S3_ENDPOINT (e.g. http://minio.local:9000; unset: AWS,
                        or botocore's AWS_ENDPOINT_URL) and the credentials from the standard AWS
                        variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ...).

A place in the storage (a `Location`) is a `pathlib.Path` for a folder and a `upath.UPath` (fsspec's
pathlib) for object storage: both join with `/`, have `.name`, `.exists()`, `.glob()`, `.read_text()`;
what differs between them goes through the functions here. Local places keep the plain `Path` and
the operations they had (the default is no slower). The inbox and the published DuckDB databases stay
on the local disk: they are not places of this storage.

Atomic writes stay atomic: locally a temporary file beside the target and one `os.replace`; on object
storage the file is made locally and uploaded by one put (an object appears whole or not at all).
Everything written here is restricted (the work area, the archive, the agency reports): locally a file
is 0600 and a folder this layer creates 0700 (0640/0750 with JEMBATAN_GROUP; assets/access.py),
whatever the umask.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd

from assets.access import restrict
from assets.location import Location, UPath, is_local, is_place  # noqa: F401  (the storage's names)

STORAGE_ENV = "JEMBATAN_STORAGE"
ENDPOINT_ENV = "JEMBATAN_S3_ENDPOINT"



# -- where ------------------------------------------------------------------------------------------------
def storage_root(warehouse: Path) -> Location:
    """The storage's root: JEMBATAN_STORAGE (a folder, or s3://bucket/prefix), else `warehouse`."""
    setting = os.environ.get(STORAGE_ENV, "").strip()
    if not setting:
        return warehouse
    return location(setting)


def location(text: str) -> Location:
    """A place from its text (`str()` of a Location, or a setting): a URL with a scheme other than
    file:// is object storage (with this process's endpoint settings), anything else a local path."""
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    if scheme in ("", "file", "local"):
        path = Path(text.split("://", 1)[1] if scheme else text)
        return path if path.is_absolute() else path.resolve()
    if UPath is None:
        raise RuntimeError(f"{STORAGE_ENV}={text!r} needs universal_pathlib and fsspec installed")
    return UPath(text, **storage_options(scheme))


def storage_options(scheme: str) -> dict:
    """fsspec options for object storage: the endpoint (JEMBATAN_S3_ENDPOINT) and no listing cache
    (other workers write the same prefixes: a listing is always asked for again)."""
    if scheme not in ("s3", "s3a"):
        return {}
    options: dict = {"use_listings_cache": False}
    if endpoint := os.environ.get(ENDPOINT_ENV, "").strip():
        options["endpoint_url"] = endpoint
    return options


def _remote(place: Location):
    """(fsspec file system, path inside it) of an object-storage place."""
    return place.fs, place.path


# -- writing ----------------------------------------------------------------------------------------------
def atomic_write(path: Location, write: Callable[[Path], object]) -> None:
    """`write(tmp)` writes a local file, which then replaces `path` whole: a reader, or a sync killed
    half-way, sees the old content or the new, never half of it. Locally the temporary file is beside
    `path` and one rename puts it in place; on object storage it is uploaded by one put."""
    if is_local(path):
        _restricted_parents(path)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        write(tmp)
        restrict(tmp)
        os.replace(tmp, path)
        return
    with tempfile.TemporaryDirectory(prefix=".jembatan-put-") as folder:      # owner-only (0700)
        tmp = Path(folder) / path.name
        write(tmp)
        put_file(tmp, path)


def _restricted_parents(path: Path) -> None:
    """Create the missing folders above a local `path`, each restricted (existing ones left as they are)."""
    missing = [p for p in [path.parent, *path.parent.parents] if not p.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:                # made at the same moment by another worker
            continue
        restrict(folder)


def put_file(local: Path, path: Location) -> None:
    """Put a local file at `path` whole (locally: by rename when on the same file system, else a copy
    renamed into place; on object storage: one upload, which appears whole or not at all)."""
    if is_local(path):
        _restricted_parents(path)
        try:
            restrict(local)
            os.replace(local, path)
        except OSError:                  # another file system (EXDEV): copy beside it, then rename
            atomic_write(path, lambda tmp: shutil.copyfile(local, tmp))
        return
    fs, key = _remote(path)
    fs.put_file(str(local), key)


def write_bytes(path: Location, data: bytes) -> None:
    """Atomic (see atomic_write)."""
    atomic_write(path, lambda tmp: tmp.write_bytes(data))


def write_parquet(path: Location, frame: pd.DataFrame, **options) -> None:
    """`frame.to_parquet(..., **options)`, written atomically."""
    atomic_write(path, lambda tmp: frame.to_parquet(tmp, **options))


# -- reading ----------------------------------------------------------------------------------------------
def read_bytes(path: Location) -> bytes:
    """The whole content, as of one moment (object storage: one GET, never parts of two versions).
    Raises FileNotFoundError when missing."""
    if is_local(path):
        return path.read_bytes()
    fs, key = _remote(path)
    return fs.cat_file(key)


def read_text(path: Location) -> str:
    """read_bytes, decoded as UTF-8."""
    return read_bytes(path).decode("utf-8")


def exists(path: Location) -> bool:
    return path.exists()


def read_parquet(path: Location, **options) -> pd.DataFrame:
    """`pd.read_parquet(path, **options)`; on object storage read through fsspec (pyarrow), with the
    same result."""
    if is_local(path):
        return pd.read_parquet(path, **options)
    fs, key = _remote(path)
    return pd.read_parquet(key, filesystem=fs, **options)


def parquet_rows(path: Location) -> int:
    """Rows of a Parquet file, from its footer."""
    import pyarrow.parquet as pq
    if is_local(path):
        return pq.ParquetFile(path).metadata.num_rows
    with path.open("rb") as handle:
        return pq.ParquetFile(handle).metadata.num_rows


def read_pickle(path: Location):
    if is_local(path):
        return pd.read_pickle(path)
    with path.open("rb") as handle:
        return pd.read_pickle(handle)


@contextlib.contextmanager
def local_copy(path: Location) -> Iterator[Path]:
    """A local file with `path`'s content, for readers that need one (spreadsheet readers, DuckDB): the
    file itself when local, else a downloaded copy (owner-only, same name), removed afterwards."""
    with local_copies([path]) as (copy,):
        yield copy


@contextlib.contextmanager
def local_copies(paths: Iterable[Location], under: Path | None = None) -> Iterator[list[Path]]:
    """local_copy for several files: the files themselves when local, else copies in a temporary folder
    (in `under` when given) removed afterwards."""
    paths = list(paths)
    if all(is_local(p) for p in paths):
        yield paths
        return
    with tempfile.TemporaryDirectory(prefix=".jembatan-get-", dir=under) as folder:
        copies = []
        for n, path in enumerate(paths):
            if is_local(path):
                copies.append(path)
                continue
            copy = Path(folder) / str(n) / path.name
            copy.parent.mkdir()
            fs, key = _remote(path)
            fs.get_file(key, str(copy))
            copies.append(copy)
        yield copies


# -- listing ----------------------------------------------------------------------------------------------
def listing(folder: Location, pattern: str = "*") -> list[Location]:
    """What `folder.glob(pattern)` finds, sorted; nothing when the folder is missing."""
    return sorted(folder.glob(pattern))


def stamp(path: Location) -> tuple | None:
    """What says a stored file is unchanged between two looks, or None when it is missing: locally its
    inode, modification time (ns) and size (a rewrite is a rename: a new inode); on object storage its
    ETag and size (a rewrite is a new ETag)."""
    if is_local(path):
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)
    fs, key = _remote(path)
    try:
        info = fs.info(key)
    except FileNotFoundError:
        return None
    return (_etag(info), info.get("size"))


def stamps(folder: Location, pattern: str) -> list[tuple[Location, tuple]]:
    """(path, stamp) of every file `folder.glob(pattern)` finds, sorted by path: one listing on object
    storage rather than a request per file."""
    if is_local(folder):
        found = []
        for path in sorted(folder.glob(pattern)):
            if (st := stamp(path)) is not None:
                found.append((path, st))
        return found
    fs, key = _remote(folder)
    infos = fs.glob(f"{key.rstrip('/')}/{pattern}", detail=True)
    return sorted(((folder / name[len(key.rstrip('/')) + 1:], (_etag(info), info.get("size")))
                   for name, info in infos.items() if info.get("type", "file") == "file"), key=lambda e: str(e[0]))


def _etag(info: dict) -> str:
    return str(info.get("ETag") or info.get("etag") or info.get("LastModified") or "")


# -- moving and removing ----------------------------------------------------------------------------------
def move(source: Location, target: Location) -> None:
    """Move a file (locally one rename; on object storage a copy, then the source removed: repeating a
    move that was cut short finishes it, since the copy is whole before the source goes)."""
    if is_local(source) and is_local(target):
        _restricted_parents(target)
        os.replace(source, target)
        return
    fs, key = _remote(source)
    fs.copy(key, _remote(target)[1])
    fs.rm_file(key)


def delete(path: Location) -> None:
    """Remove a file; nothing when it is missing."""
    if is_local(path):
        path.unlink(missing_ok=True)
        return
    fs, key = _remote(path)
    try:
        fs.rm_file(key)
    except FileNotFoundError:
        pass


def delete_tree(folder: Location) -> None:
    """Remove a folder (a prefix) and everything under it; nothing when it is missing."""
    if is_local(folder):
        shutil.rmtree(folder, ignore_errors=True)
        return
    fs, key = _remote(folder)
    try:
        fs.rm(key.rstrip("/") + "/", recursive=True)
    except FileNotFoundError:
        pass


def subfolders(folder: Location) -> list[Location]:
    """The folders directly under `folder` (object storage: the common prefixes)."""
    if is_local(folder):
        return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    fs, key = _remote(folder)
    try:
        entries = fs.ls(key.rstrip("/"), detail=True)
    except FileNotFoundError:
        return []
    return sorted(folder / e["name"].rstrip("/").rsplit("/", 1)[-1] for e in entries if e["type"] == "directory")

"""Publishing: a checked staging build becomes warehouse/jembatan.duckdb by one atomic rename.

Layout under the warehouse folder:
    jembatan.duckdb                  the current publication (analysts open it read-only)
    publications/<id>.duckdb         the last JEMBATAN_KEEP_PUBLICATIONS publications (default 5), restorable
    parquet/<id>/                    each publication's tables as Parquet (public ones under public/)
    parquet/current -> <id>          symlink swapped atomically; read parquet/current/<table>.parquet
    .staging-<pid>.duckdb            a build in progress (left by a killed build: removed by the next one)

DuckDB allows one writer and the published file is never written: a reader holding it keeps reading
the publication it opened, a reader opening it after the rename gets the new one. A build killed at
any point leaves jembatan.duckdb and parquet/current as they were.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from assets.publish.build import build_database, new_publication_id

DATABASE_NAME = "jembatan.duckdb"
DEFAULT_KEEP = 5


class UnknownPublication(Exception):
    pass


def keep_count() -> int:
    return max(1, int(os.environ.get("JEMBATAN_KEEP_PUBLICATIONS", DEFAULT_KEEP)))


@dataclass(frozen=True)
class Warehouse:
    folder: Path

    @property
    def database(self) -> Path:
        return self.folder / DATABASE_NAME

    @property
    def publications(self) -> Path:
        return self.folder / "publications"

    @property
    def parquet(self) -> Path:
        return self.folder / "parquet"

    def archived(self, publication_id: str) -> Path:
        return self.publications / f"{publication_id}.duckdb"

    def history(self) -> list[str]:
        """Kept publication ids, newest first."""
        return sorted((p.stem for p in self.publications.glob("*.duckdb")), reverse=True)

    def current_id(self) -> str | None:
        if not self.database.exists():
            return None
        con = duckdb.connect(str(self.database), read_only=True)
        try:
            return con.execute("SELECT publication_id FROM publication").fetchone()[0]
        finally:
            con.close()


def publish(folder: Path, inputs: dict[str, pd.DataFrame | Path | list[Path]], tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Build, check, archive, export, then swap in: the only step others can see is the last rename."""
    warehouse = Warehouse(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_builds(warehouse)
    publication_id = new_publication_id()
    staging = folder / f".staging-{os.getpid()}.duckdb"
    parquet_staging = warehouse.parquet / f".staging-{os.getpid()}"
    try:
        counts = build_database(staging, inputs, tables, publication_id, parquet=parquet_staging)
        _copy_atomically(staging, warehouse.archived(publication_id))
        os.replace(parquet_staging, warehouse.parquet / publication_id)
        _swap_in(warehouse, staging, publication_id)
    finally:
        staging.unlink(missing_ok=True)
        Path(f"{staging}.wal").unlink(missing_ok=True)
        shutil.rmtree(parquet_staging, ignore_errors=True)
    _prune(warehouse, keep_count(), publication_id)
    return counts


def restore(folder: Path, publication_id: str) -> None:
    """Make a kept publication current again, by the same atomic rename a sync uses."""
    warehouse = Warehouse(folder)
    source = warehouse.archived(publication_id)
    if not source.exists():
        raise UnknownPublication(f"no kept publication {publication_id!r}; kept: {', '.join(warehouse.history())}")
    staging = folder / f".staging-{os.getpid()}.duckdb"
    try:
        shutil.copyfile(source, staging)
        _swap_in(warehouse, staging, publication_id)
    finally:
        staging.unlink(missing_ok=True)


def _swap_in(warehouse: Warehouse, staging: Path, publication_id: str) -> None:
    os.replace(staging, warehouse.database)
    if (warehouse.parquet / publication_id).is_dir():
        link = warehouse.parquet / f".current-{os.getpid()}"
        link.unlink(missing_ok=True)
        link.symlink_to(publication_id, target_is_directory=True)
        os.replace(link, warehouse.parquet / "current")


def _copy_atomically(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)


def _prune(warehouse: Warehouse, keep: int, current: str) -> None:
    """Keep the newest `keep` publications (and never the current one's files)."""
    for old in warehouse.history()[keep:]:
        if old != current:
            warehouse.archived(old).unlink(missing_ok=True)
            shutil.rmtree(warehouse.parquet / old, ignore_errors=True)


def _remove_abandoned_builds(warehouse: Warehouse) -> None:
    """Staging files of builds whose process is gone (killed mid-build)."""
    leftovers = [*warehouse.folder.glob(".staging-*"), *warehouse.parquet.glob(".staging-*"),
                 *warehouse.parquet.glob(".current-*"), *warehouse.publications.glob(".*.partial")]
    for path in leftovers:
        pid = path.name.split("-", 1)[-1].split(".")[0]
        if pid.isdigit() and _alive(int(pid)):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

"""Publishing: a checked staging build becomes warehouse/jembatan.duckdb by one atomic rename, and its
public schema warehouse/public/jembatan_public.duckdb by another.

Layout under the warehouse folder:
    jembatan.duckdb                  the current publication, restricted (owner only, 0600, or
                                     JEMBATAN_GROUP); analysts open it read-only
    publications/<id>.duckdb         the last JEMBATAN_KEEP_PUBLICATIONS publications (default 5), restorable
    parquet/<id>/                    each publication's restricted tables as Parquet (folders 0700)
    parquet/current -> <id>          symlink swapped atomically; read parquet/current/<table>.parquet
    public/jembatan_public.duckdb    the public tables only (public.py), readable by everyone: hand it out
    public/parquet/<id>/, current    the same as Parquet, of the current publication only
    public-earlier/<id>/             the public Parquet of earlier publications, owner only (0700): only
                                     the current public release is handed out (two releases side by
                                     side tell more than either; see cell_key.py)
    .staging-<pid>/                  a build in progress (left by a killed build: removed by the next one)

Both files carry the same publication.publication_id. The public file is swapped in just before the
restricted one, each by one rename: a reader opening both between the two renames sees two ids.

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

from assets.access import restrict, restricted_dir, shareable
from assets.processes import alive
from assets.publish.build import build_database, new_publication_id
from assets.publish.public import PUBLIC_DATABASE_NAME, PUBLIC_DIR, build_public

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

    @property
    def public(self) -> Path:
        return self.folder / PUBLIC_DIR

    @property
    def public_database(self) -> Path:
        return self.public / PUBLIC_DATABASE_NAME

    @property
    def public_parquet(self) -> Path:
        return self.public / "parquet"

    @property
    def earlier_public_parquet(self) -> Path:
        """Public Parquet of earlier publications: owner only, never handed out."""
        return self.folder / "public-earlier"

    def staging(self) -> Path:
        """This process's build folder, empty (owner only: it holds a restricted build)."""
        folder = self.folder / f".staging-{os.getpid()}"
        shutil.rmtree(folder, ignore_errors=True)
        return restricted_dir(folder)

    def archived(self, publication_id: str) -> Path:
        return self.publications / f"{publication_id}.duckdb"

    def history(self) -> list[str]:
        """Kept publication ids, newest first."""
        return sorted((p.stem for p in self.publications.glob("*.duckdb")), reverse=True)

    def current_id(self) -> str | None:
        return _publication_id(self.database)

    def in_step(self) -> bool:
        """The restricted and the public file are of one publication (a publish killed between their two
        swaps leaves them apart: the next sync publishes again, whatever else changed)."""
        return self.database.exists() and _publication_id(self.public_database) == self.current_id()


def _publication_id(database: Path) -> str | None:
    if not database.exists():
        return None
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute("SELECT publication_id FROM publication").fetchone()[0]
    finally:
        con.close()


def publish(folder: Path, inputs: dict[str, pd.DataFrame | Path | list[Path]], tables: dict[str, pd.DataFrame],
            pseudonym_key: bytes | None = None) -> dict[str, int]:
    """Build, check, archive, export, then swap in: the only steps others can see are the last renames.
    pseudonym_key: see build_database (default: the key at JEMBATAN_KEY_FILE)."""
    warehouse = Warehouse(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _prepare(warehouse)
    _remove_abandoned_builds(warehouse)
    publication_id = new_publication_id()
    staging_dir = warehouse.staging()
    staging = staging_dir / DATABASE_NAME
    try:
        counts = build_database(staging, inputs, tables, publication_id, parquet=staging_dir / "parquet",
                                pseudonym_key=pseudonym_key)
        restrict(staging)
        public = build_public(staging, staging_dir / PUBLIC_DATABASE_NAME, parquet=staging_dir / "public-parquet")
        _copy_atomically(staging, warehouse.archived(publication_id))
        restrict_parquet(staging_dir / "parquet")
        os.replace(staging_dir / "parquet", warehouse.parquet / publication_id)
        os.replace(staging_dir / "public-parquet", warehouse.public_parquet / publication_id)
        _swap_in(warehouse, staging, staging_dir / PUBLIC_DATABASE_NAME, publication_id)
    finally:
        shutil.rmtree(staging_dir, ignore_errors=True)
    _prune(warehouse, keep_count(), publication_id)
    return {**counts, **{f"{PUBLIC_DIR}/{t}": n for t, n in public.items()}}


def restore(folder: Path, publication_id: str) -> None:
    """Make a kept publication current again, by the same atomic renames a sync uses (its public file
    made again from it)."""
    warehouse = Warehouse(folder)
    source = warehouse.archived(publication_id)
    if not source.exists():
        raise UnknownPublication(f"no kept publication {publication_id!r}; kept: {', '.join(warehouse.history())}")
    _prepare(warehouse)
    staging_dir = warehouse.staging()
    staging = staging_dir / DATABASE_NAME
    try:
        shutil.copyfile(source, staging)
        restrict(staging)
        kept = warehouse.earlier_public_parquet / publication_id
        if kept.is_dir():
            os.replace(kept, warehouse.public_parquet / publication_id)
        parquet = None if (warehouse.public_parquet / publication_id).is_dir() else staging_dir / "public-parquet"
        build_public(staging, staging_dir / PUBLIC_DATABASE_NAME, parquet=parquet)
        if parquet is not None:
            os.replace(parquet, warehouse.public_parquet / publication_id)
        shareable_parquet(warehouse.public_parquet / publication_id)
        _swap_in(warehouse, staging, staging_dir / PUBLIC_DATABASE_NAME, publication_id)
    finally:
        shutil.rmtree(staging_dir, ignore_errors=True)


def _prepare(warehouse: Warehouse) -> None:
    """Restricted folders owner-only (or JEMBATAN_GROUP), the public ones readable by everyone."""
    for restricted in (warehouse.publications, warehouse.parquet, warehouse.earlier_public_parquet):
        restricted_dir(restricted)
    for public in (warehouse.public, warehouse.public_parquet):
        public.mkdir(parents=True, exist_ok=True)
        shareable(public)


def restrict_parquet(folder: Path) -> None:
    restrict(folder)
    for path in folder.iterdir():
        restrict(path)


def shareable_parquet(folder: Path) -> None:
    shareable(folder)
    for path in folder.iterdir():
        shareable(path)


def _withdraw_earlier_public(warehouse: Warehouse, current: str) -> None:
    """Only the current public release stays in public/: earlier ones move to the owner-only
    public-earlier/ (kept for `jembatan publications restore`)."""
    for folder in warehouse.public_parquet.iterdir():
        if folder.name == current or folder.is_symlink() or not folder.is_dir() or folder.name.startswith("."):
            continue
        target = warehouse.earlier_public_parquet / folder.name
        shutil.rmtree(target, ignore_errors=True)
        restrict_parquet(folder)
        os.replace(folder, target)


def _swap_in(warehouse: Warehouse, staging: Path, public_staging: Path, publication_id: str) -> None:
    """The public file, then the restricted one; each file's Parquet `current` link right after it."""
    os.replace(public_staging, warehouse.public_database)
    _point_current(warehouse.public_parquet, publication_id)
    os.replace(staging, warehouse.database)
    _point_current(warehouse.parquet, publication_id)
    _withdraw_earlier_public(warehouse, publication_id)


def _point_current(parquet: Path, publication_id: str) -> None:
    if (parquet / publication_id).is_dir():
        link = parquet / f".current-{os.getpid()}"
        link.unlink(missing_ok=True)
        link.symlink_to(publication_id, target_is_directory=True)
        os.replace(link, parquet / "current")


def _copy_atomically(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(source, partial)
    restrict(partial)
    os.replace(partial, target)


def _prune(warehouse: Warehouse, keep: int, current: str) -> None:
    """Keep the newest `keep` publications (and never the current one's files)."""
    for old in warehouse.history()[keep:]:
        if old != current:
            remove_publication(warehouse, old)


def remove_publication(warehouse: Warehouse, publication_id: str) -> None:
    """A kept publication's files: its database, restricted Parquet and public Parquet."""
    warehouse.archived(publication_id).unlink(missing_ok=True)
    for parquet in (warehouse.parquet, warehouse.public_parquet, warehouse.earlier_public_parquet):
        shutil.rmtree(parquet / publication_id, ignore_errors=True)


def _remove_abandoned_builds(warehouse: Warehouse) -> None:
    """Staging files of builds whose process is gone (killed mid-build)."""
    leftovers = [*warehouse.folder.glob(".staging-*"), *warehouse.parquet.glob(".staging-*"),
                 *warehouse.parquet.glob(".current-*"), *warehouse.public_parquet.glob(".current-*"),
                 *warehouse.publications.glob(".*.partial")]
    for path in leftovers:
        pid = path.name.split("-", 1)[-1].split(".")[0]
        if pid.isdigit() and alive(int(pid)):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)



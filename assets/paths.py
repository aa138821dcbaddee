"""Where a sync reads and writes: the inbox and the published database on the local disk; the archive,
the work area between stages and the reports in the shared storage (assets/storage.py:
JEMBATAN_STORAGE, by default the warehouse folder itself)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from assets.harmonise.gazetteer import Gazetteer
from assets.incremental import StageState
from assets.ingest.work_area import WorkArea
from assets.publish.publication import DATABASE_NAME
from assets.storage import Location, read_parquet, stamp, storage_root


INBOX_ENV, DEFAULT_INBOX = "JEMBATAN_INBOX", "inbox"
WAREHOUSE_ENV, DEFAULT_WAREHOUSE = "JEMBATAN_WAREHOUSE", "warehouse"


def inbox_setting(given: str | None = None) -> str:
    """The inbox folder as given (a command's --inbox), else JEMBATAN_INBOX, else ./inbox; not resolved."""
    return given or os.environ.get(INBOX_ENV, DEFAULT_INBOX)


def warehouse_setting(given: str | None = None) -> str:
    """The warehouse folder as given (--warehouse), else JEMBATAN_WAREHOUSE, else ./warehouse; not resolved."""
    return given or os.environ.get(WAREHOUSE_ENV, DEFAULT_WAREHOUSE)


def inbox_folder(given: str | None = None) -> Path:
    """inbox_setting as an absolute path (relative to this process's working folder)."""
    return Path(inbox_setting(given)).resolve()


def warehouse_folder(given: str | None = None) -> Path:
    """warehouse_setting as an absolute path (relative to this process's working folder)."""
    return Path(warehouse_setting(given)).resolve()


@dataclass(frozen=True)
class Paths:
    inbox: Path
    warehouse: Path

    @classmethod
    def from_env(cls) -> "Paths":
        return cls(inbox_folder(), warehouse_folder())

    @property
    def storage(self) -> Location:
        """The shared storage's root (JEMBATAN_STORAGE, default the warehouse folder)."""
        return storage_root(self.warehouse)

    @property
    def work(self) -> WorkArea:
        return WorkArea(self.storage / "work")

    @property
    def archive(self) -> Location:
        return self.storage / "archive"

    @property
    def database(self) -> Path:
        return self.warehouse / DATABASE_NAME

    @property
    def reports(self) -> Location:
        return self.storage / "reports"

    @property
    def reference_store(self) -> Location:
        return self.storage / "work" / "reference"

    @property
    def placed_store(self) -> Location:
        return self.storage / "work" / "placed"

    @property
    def placed_by_file(self) -> Location:
        return self.storage / "work" / "placed_by_file"

    @property
    def state(self) -> StageState:
        return StageState(self.storage / "work" / "state.json")


def has_gazetteer(paths: Paths) -> bool:
    """Whether a sync has read an official village list into this warehouse (False: an empty inbox)."""
    return all((paths.reference_store / f"{name}.parquet").exists() for name in ("areas", "bridging", "changes"))


def stored_gazetteer(paths: Paths) -> Gazetteer:
    """The reference lists as the last sync read them (work/reference/); read once per process while
    the files are unchanged (several stages need them). Shared: treat as read-only."""
    files = [paths.reference_store / f"{name}.parquet" for name in ("areas", "bridging", "changes")]
    stamps = [(str(f), stamp(f)) for f in files]
    if _STORED_GAZETTEER.get("stamp") != stamps:
        _STORED_GAZETTEER.update(stamp=stamps, gazetteer=Gazetteer(*(read_parquet(f) for f in files)))
    return _STORED_GAZETTEER["gazetteer"]


_STORED_GAZETTEER: dict = {}


def steward_dir(paths: Paths) -> Path:
    """The steward's decisions: beside the warehouse database, never inside it (it is rebuilt every sync)."""
    return paths.warehouse / "steward"

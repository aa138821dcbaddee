"""Where a sync reads and writes: the inbox, and under the warehouse folder the archive, the work
area between stages, the reports and the published database."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from assets.harmonise.gazetteer import Gazetteer
from assets.incremental import StageState
from assets.ingest.receive import WorkArea
from assets.publish.publication import DATABASE_NAME


@dataclass(frozen=True)
class Paths:
    inbox: Path
    warehouse: Path

    @classmethod
    def from_env(cls) -> "Paths":
        return cls(Path(os.environ.get("JEMBATAN_INBOX", "inbox")).resolve(),
                   Path(os.environ.get("JEMBATAN_WAREHOUSE", "warehouse")).resolve())

    @property
    def work(self) -> WorkArea:
        return WorkArea(self.warehouse / "work")

    @property
    def archive(self) -> Path:
        return self.warehouse / "archive"

    @property
    def database(self) -> Path:
        return self.warehouse / DATABASE_NAME

    @property
    def reports(self) -> Path:
        return self.warehouse / "reports"

    @property
    def reference_store(self) -> Path:
        return self.warehouse / "work" / "reference"

    @property
    def placed_store(self) -> Path:
        return self.warehouse / "work" / "placed"

    @property
    def placed_by_file(self) -> Path:
        return self.warehouse / "work" / "placed_by_file"

    @property
    def state(self) -> StageState:
        return StageState(self.warehouse / "work" / "state.json")


def has_gazetteer(paths: Paths) -> bool:
    """Whether a sync has read an official village list into this warehouse (False: an empty inbox)."""
    return all((paths.reference_store / f"{name}.parquet").exists() for name in ("areas", "bridging", "changes"))


def stored_gazetteer(paths: Paths) -> Gazetteer:
    """The reference lists as the last sync read them (work/reference/); read once per process while
    the files are unchanged (several stages need them). Shared: treat as read-only."""
    files = [paths.reference_store / f"{name}.parquet" for name in ("areas", "bridging", "changes")]
    stamp = [(str(f), f.stat().st_ino, f.stat().st_mtime_ns) for f in files]
    if _STORED_GAZETTEER.get("stamp") != stamp:
        _STORED_GAZETTEER.update(stamp=stamp, gazetteer=Gazetteer(*(pd.read_parquet(f) for f in files)))
    return _STORED_GAZETTEER["gazetteer"]


_STORED_GAZETTEER: dict = {}


def steward_dir(paths: Paths) -> Path:
    """The steward's decisions: beside the warehouse database, never inside it (it is rebuilt every sync)."""
    return paths.warehouse / "steward"

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


def stored_gazetteer(paths: Paths) -> Gazetteer:
    """The reference lists as the last sync read them (work/reference/)."""
    store = paths.reference_store
    return Gazetteer(*(pd.read_parquet(store / f"{name}.parquet") for name in ("areas", "bridging", "changes")))


def steward_dir(paths: Paths) -> Path:
    """The steward's decisions: beside the warehouse database, never inside it (it is rebuilt every sync)."""
    return paths.warehouse / "steward"

"""Where a sync reads and writes, from environment variables with sensible defaults."""
from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from assets.steps import Paths


class JembatanPaths(dg.ConfigurableResource):
    """JEMBATAN_INBOX (default ./inbox, one sub-folder per source: bps/, koperasi/, polda/, reference/)
    and JEMBATAN_WAREHOUSE (default ./warehouse: archive, work area, reports, the published DuckDB)."""

    inbox: str = os.environ.get("JEMBATAN_INBOX", "inbox")
    warehouse: str = os.environ.get("JEMBATAN_WAREHOUSE", "warehouse")

    def paths(self) -> Paths:
        return Paths(Path(self.inbox).resolve(), Path(self.warehouse).resolve())

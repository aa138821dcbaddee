"""Where a sync reads and writes, from environment variables with sensible defaults."""
from __future__ import annotations

from pathlib import Path

import dagster as dg

from assets.paths import Paths, inbox_setting, warehouse_setting


class JembatanPaths(dg.ConfigurableResource):
    """JEMBATAN_INBOX (default ./inbox, one sub-folder per source: bps/, koperasi/, polda/, reference/)
    and JEMBATAN_WAREHOUSE (default ./warehouse: archive, work area, reports, the published DuckDB)."""

    inbox: str = inbox_setting()
    warehouse: str = warehouse_setting()

    def paths(self) -> Paths:
        return Paths(Path(self.inbox).resolve(), Path(self.warehouse).resolve())

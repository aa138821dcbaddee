"""The Dagster code location: `dagster dev -w workspace.yaml` (or `dg dev`) loads `defs`."""
from __future__ import annotations

import dagster as dg

from assets.definitions import ALL_ASSETS
from pipelines.resources import JembatanPaths

sync_job = dg.define_asset_job("sync", selection=dg.AssetSelection.all(),
                               description="Full sync: reference, every inbox, harmonise, publish marts")

defs = dg.Definitions(
    assets=ALL_ASSETS,
    jobs=[sync_job],
    resources={"paths": JembatanPaths()},
)

"""Which Dagster instance `jembatan sync`, `make ui`, the sensors and the schedule share.

The project's own: `<project>/.dagster_home` (the folder holding workspace.yaml), so a sync run from any
shell and the UI see one run history. DAGSTER_HOME, when set, overrides it (the Makefile sets it to the
same folder; a deployment may name another). JEMBATAN_DAGSTER_INSTANCE=ephemeral keeps no history at all
(the tests' in-process syncs, one-off scripts). The cluster (`make cluster`) is its own instance, on
PostgreSQL: see pipelines/cluster/settings.py."""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
EPHEMERAL = "ephemeral"


def dagster_home(env: Mapping[str, str] | None = None) -> Path | None:
    """The instance folder to use, or None for a throw-away instance."""
    env = os.environ if env is None else env
    if env.get("DAGSTER_HOME"):
        return Path(env["DAGSTER_HOME"]).resolve()
    if env.get("JEMBATAN_DAGSTER_INSTANCE") == EPHEMERAL:
        return None
    return PROJECT_ROOT / ".dagster_home"

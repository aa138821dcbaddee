"""`jembatan sync` in a child process, as the portal (an upload) and the UI's `sync` job
(pipelines/defs/jobs.py) start it: the same command a steward types, on the same inbox and warehouse.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from pipelines.instance_home import EPHEMERAL


def sync_command(inbox, warehouse, cluster: bool = False, start_on_line: bool = False) -> list[str]:
    """`jembatan sync --inbox INBOX --warehouse WAREHOUSE` (and `--cluster`; `--start-on-line`: the process
    imports, then waits for the line that starts it, as the portal keeps one ready) as this interpreter runs it."""
    return [sys.executable, "-m", "pipelines.cli", "sync", *(["--start-on-line"] if start_on_line else []),
            "--inbox", str(inbox), "--warehouse", str(warehouse), *(["--cluster"] if cluster else [])]


def child_environment(instance, env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """`env` for a `jembatan sync` on the Dagster instance `instance`: DAGSTER_HOME its folder, or a
    throw-away instance (JEMBATAN_DAGSTER_INSTANCE=ephemeral) for an ephemeral one."""
    env = dict(env)
    if instance.is_ephemeral:
        env.pop("DAGSTER_HOME", None)
        env["JEMBATAN_DAGSTER_INSTANCE"] = EPHEMERAL
    else:
        env["DAGSTER_HOME"] = instance.root_directory
    return env

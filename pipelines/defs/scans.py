"""The run's look at the inbox: the planner (pipelines/defs/planning.py) looks at the agency folders
once and records it (assets/ingest/inbox_look.py); the run's tag names the record, and every step of
that run reads it instead of listing the folders again. A run without it (launched from the UI, by a
sensor, or whose record is gone) looks at the folders it needs itself, once per step."""
from __future__ import annotations

from assets import steps

LOOK_TAG = "jembatan/inbox_look"


def run_looks(context, paths: steps.Paths) -> dict[str, steps.FolderLook] | None:
    """The agency folders as the run's planner found them, or None when the run has no recorded look."""
    look_id = context.run.tags.get(LOOK_TAG)
    return steps.recorded_look(paths.work.root, paths.inbox, look_id) if look_id else None

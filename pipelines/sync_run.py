"""The in-process side of `jembatan sync`: plan the run over the new files' partitions
(pipelines/defs/planning.py), then run the code location's planned job, `sync_partitions`
(pipelines/defs/jobs.py), in this process or with Dagster's multiprocess executor.
"""
from __future__ import annotations

import dagster as dg

from pipelines.definitions import definitions, sync_job_definition
from pipelines.defs.jobs import PLANNED_JOB
from pipelines.defs.partitions import FILE_ASSETS
from pipelines.defs.planning import plan_run
from pipelines.progress import own_run_tags


def execute_sync(instance: dg.DagsterInstance, paths, run_config: dict, executor: str = "in_process",
                 scans: dict | None = None):
    """Run the `sync_partitions` job over the new files' partitions (plan_run); `paths`: the JembatanPaths
    resource; `scans`: the inbox folders as just listed (pipelines/settling.py), by name, None to list them now.
    in_process: this process (`raise_on_error=False`: a failed step is in the result); multiprocess:
    Dagster's multiprocess executor, the job reconstructed in each step's process. Returns the result,
    or None when nothing changed (no run: nothing is recorded)."""
    defs = definitions(paths)
    job = defs.resolve_job_def(PLANNED_JOB)
    asset_keys = sorted(defs.resolve_asset_graph().get_all_asset_keys())
    try:
        _, tags, selection = plan_run(instance, paths.paths(), asset_keys, scans)
    except OSError:
        # The inbox or warehouse could not be read or written (permissions, a full disk): the run goes on
        # without file partitions, and its folder assets meet the same error in a step, told in one line.
        tags, selection = {}, [key for key in asset_keys if key not in FILE_ASSETS]
    if selection == []:
        return None
    tags = {**tags, **own_run_tags()}        # its progress lines follow this run (pipelines/progress.py)
    if executor == "multiprocess":
        return dg.execute_job(dg.reconstructable(sync_job_definition), instance, run_config=run_config,
                              tags=tags, asset_selection=selection)
    return job.execute_in_process(instance=instance, raise_on_error=False, run_config=run_config, tags=tags,
                                  asset_selection=selection)

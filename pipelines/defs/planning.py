"""A sync over just the new files: a partition of `received_files` is added per inbox content the
warehouse has not received (pipelines/defs/partitions.py), then one run reads and places those
partitions (BackfillPolicy.single_run: one step each over all of them) and runs every unpartitioned
asset after them (each folder's status, harmonise, publish in its pool, reports). An unchanged inbox
runs no file partition at all.
"""
from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from assets import steps
from pipelines.defs.partitions import FILE_ASSETS, add_partitions, retire_partitions, run_tags


def plan_run(instance: dg.DagsterInstance, paths: steps.Paths,
             asset_keys: Sequence[dg.AssetKey]) -> tuple[list[str], dict[str, str], list[dg.AssetKey] | None]:
    """(the new contents' partition keys, the run's tags, the run's asset selection: None for every
    asset, else `asset_keys` without the file assets).

    The instance's partitions are made those of the warehouse: one per received file that counts (in
    the order received) and one per new content; a partition of neither (a file a corrected one
    superseded, a content taken out of the inbox before any run read it) is removed. When the steward's
    aliases or the matching code changed since the files were placed (or a key rotation dropped the
    placements), the run is over every file's partition: each is placed again, none read again."""
    received = steps.received_contents(paths)
    keys = steps.new_contents(paths)
    known = add_partitions(instance, [*received, *keys])
    current = {*received, *keys}
    if gone := [key for key in known if key not in current]:
        retire_partitions(instance, gone)
        known = [key for key in known if key in current]
    if received and steps.has_gazetteer(paths) and not steps.placements_current(paths):
        return keys, run_tags(known, known), None
    if not keys:
        return keys, {}, [key for key in asset_keys if key not in FILE_ASSETS]
    return keys, run_tags(keys, known), None


def execute_sync(instance: dg.DagsterInstance, paths, run_config: dict, executor: str = "in_process"):
    """Run the sync job over the new files' partitions (plan_run); `paths`: the JembatanPaths resource.
    in_process: this process (`raise_on_error=False`: a failed step is in the result); multiprocess:
    Dagster's multiprocess executor, the job reconstructed in each step's process. Returns the result."""
    from pipelines.definitions import definitions, sync_job_definition
    defs = definitions(paths)
    job = defs.resolve_job_def("sync")
    asset_keys = sorted(defs.resolve_asset_graph().get_all_asset_keys())
    try:
        _, tags, selection = plan_run(instance, paths.paths(), asset_keys)
    except OSError:
        # The inbox or warehouse could not be read or written (permissions, a full disk): the run goes on
        # without file partitions, and its folder assets meet the same error in a step, told in one line.
        tags, selection = {}, [key for key in asset_keys if key not in FILE_ASSETS]
    if executor == "multiprocess":
        return dg.execute_job(dg.reconstructable(sync_job_definition), instance, run_config=run_config,
                              tags=tags, asset_selection=selection)
    return job.execute_in_process(instance=instance, raise_on_error=False, run_config=run_config, tags=tags,
                                  asset_selection=selection)

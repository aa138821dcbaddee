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

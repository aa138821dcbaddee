"""What a sync runs, decided before the run (the one skip decision; assets/incremental.py says what it
compares): a partition of `received_files` is added per inbox content the warehouse has not received
(pipelines/defs/partitions.py), and the run selects those partitions' file assets, each folder asset
whose inbox folder changed, each stage whose inputs changed (assets/steps.stale_stages), and everything
downstream of them. An asset left out records nothing; an unchanged inbox starts no run at all.
"""
from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from assets import steps
from pipelines.defs.assets import ALL_ASSETS
from pipelines.defs.partitions import FILE_ASSETS, add_partitions, retire_partitions, run_tags
from schemas import SOURCES

STAGE_ASSETS = {"reference": "reference_gazetteer", "harmonise": "harmonised_places",
                "agency_reports": "agency_reports", "publish": "published_marts", "analyst_report": "analyst_report"}


def plan_run(instance: dg.DagsterInstance, paths: steps.Paths,
             asset_keys: Sequence[dg.AssetKey]) -> tuple[list[str], dict[str, str], list[dg.AssetKey] | None]:
    """(the new contents' partition keys, the run's tags, the run's asset selection: None for every
    asset of `asset_keys`, [] for no run at all, else the assets to run).

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
    seeds = [dg.AssetKey(STAGE_ASSETS[stage]) for stage in steps.stale_stages(paths)]
    seeds += [dg.AssetKey(f"{source}_files") for source in SOURCES if not steps.inbox_current(paths, source)]
    tags = {}
    if received and steps.has_gazetteer(paths) and not steps.placements_current(paths):
        seeds, tags = [*seeds, *FILE_ASSETS], run_tags(known, known)
    elif keys:
        seeds, tags = [*seeds, *FILE_ASSETS], run_tags(keys, known)
    selected = dg.AssetSelection.assets(*seeds).downstream().resolve(ALL_ASSETS) if seeds else set()
    if not tags:                    # no file partition to run: the file assets are not part of it
        selected -= set(FILE_ASSETS)
    selection = [key for key in asset_keys if key in selected]
    return keys, tags, None if len(selection) == len(asset_keys) else selection

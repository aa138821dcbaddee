"""What a sync runs, decided before the run (the one skip decision; assets/incremental.py says what it
compares): the contents the warehouse has not received are recorded as one arrival (assets/arrivals.py)
and added as a partition of `arrivals` (pipelines/defs/partitions.py), and the run selects that
partition's file assets, each folder asset whose inbox folder changed, each stage whose inputs changed
(assets/steps.stale_stages), and everything downstream of them. An asset left out records nothing; an
unchanged inbox starts no run at all. The agency folders are listed and hashed once, here, and the look
recorded for the run's steps (pipelines/defs/scans.py).
"""
from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from assets import steps
from assets.arrivals import arrival_files, arrivals, forget_arrival, record_arrival
from pipelines.defs.assets import ALL_ASSETS
from pipelines.defs.scans import LOOK_TAG
from pipelines.defs.partitions import FILE_ASSETS, add_partitions, retire_partitions, run_tags
from schemas import SOURCES

STAGE_ASSETS = {"reference": "reference_gazetteer", "harmonise": "harmonised_places",
                "agency_reports": "agency_reports", "publish": "published_marts", "analyst_report": "analyst_report"}


def plan_run(instance: dg.DagsterInstance, paths: steps.Paths, asset_keys: Sequence[dg.AssetKey],
             scans: dict | None = None) -> tuple[list[str], dict[str, str], list[dg.AssetKey] | None]:
    """(the new contents' SHA-256, the run's tags, the run's asset selection: None for every asset of
    `asset_keys`, [] for no run at all, else the assets to run). `scans`: the agency folders as just
    listed (inbox.scan_inbox by folder name: the settle wait's last look), None to list them here.

    The instance's partitions are made those of the warehouse: one per arrival recorded (in the order
    recorded), the new one last. An arrival no run has read yet (a sensor's whose run has not come, a
    killed sync's) runs again with the new one; if one of its files was taken out of the inbox first, it
    is forgotten (its partition removed) and the new arrival holds what remains. When the steward's
    aliases or the matching code changed since the files were placed (or a key rotation dropped the
    placements), the run is over every arrival: each file is placed again, none read again."""
    looks = steps.look_at_inbox(paths, scans=scans)         # the sync's one look at the agency folders
    new = steps.new_files(paths, looks)
    keys = [f["sha256"] for f in new]
    pending = []                # arrivals no run has read yet (a sensor's, a killed sync's), still to run
    for arrival in arrivals(paths.work.root):
        shas = [f["sha256"] for f in arrival["files"]]
        if any(paths.work.manifest_path(sha).exists() for sha in shas):
            continue
        if set(shas) <= set(keys):
            pending.append(arrival["key"])
        else:                   # a file taken out before any run read it: a new arrival holds what remains
            forget_arrival(paths.work.root, arrival["key"])
    waiting = {f["sha256"] for key in pending for f in arrival_files(paths.work.root, key)}
    rest = [f for f in new if f["sha256"] not in waiting]
    to_run = [*pending, *([record_arrival(paths.work.root, rest)] if rest else [])]
    recorded = [arrival["key"] for arrival in arrivals(paths.work.root)]
    known = add_partitions(instance, recorded)
    if gone := [key for key in known if key not in set(recorded)]:
        retire_partitions(instance, gone)
        known = [key for key in known if key in set(recorded)]
    # What changes before the run is seen now; what a step changes is seen by the stages built from it
    # (each run after it). Placing files changes every stage after reference: only reference is asked then.
    tags = {}
    if known and steps.has_gazetteer(paths) and not steps.placements_current(paths):
        tags = run_tags(known, known)
    elif to_run:
        tags = run_tags(to_run, known)
    stages = ([] if steps.stage_current(paths, "reference") else ["reference"]) if tags else steps.stale_stages(paths)
    seeds = [dg.AssetKey(STAGE_ASSETS[stage]) for stage in stages] + (list(FILE_ASSETS) if tags else [])
    selected = dg.AssetSelection.assets(*seeds).downstream().resolve(ALL_ASSETS) if seeds else set()
    if not tags:                    # no file partition to run: the file assets are not part of it
        selected -= set(FILE_ASSETS)
    # A folder asset runs when its folder changed (a file added, taken out, refused); what it reports
    # changes nothing the stages are built from, so nothing runs after it for that alone.
    folders = {dg.AssetKey(f"{source}_files") for source in SOURCES}
    selected = (selected - folders) | {dg.AssetKey(f"{source}_files") for source in SOURCES
                                       if not steps.inbox_current(paths, source, looks[source])}
    selection = [key for key in asset_keys if key in selected]
    if selection:               # the run's steps read the look recorded here (pipelines/defs/scans.py)
        tags = {**tags, LOOK_TAG: steps.record_look(paths.work.root, looks)}
    return keys, tags, None if len(selection) == len(asset_keys) else selection

"""The arrivals are Dagster's partitions: the dynamic partitions `arrivals`, one per set of contents a sync
(or a sensor tick) found new, keyed by assets/arrivals.arrival_key, so the key leads to its files (their
SHA-256, folder and name, and through the SHA-256 to their archived copies). A partition per file cost
Dagster's bookkeeping per file (a planned and a recorded materialization of two assets, their metadata:
~100 s of a national first sync of 2,049 files on SQLite); a partition per arrival costs it per sync.

The file stays the unit of reading, supersession and placing: what a run read and placed is recorded per
arrival with a row per file (`arrival_metadata`: a table to read in the UI, and the whole list as JSON);
the per-folder ingest assets read it back from the run's events (`read_in_run`) for the sync's summary.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import dagster as dg
import pandas as pd

from assets.ingest.report import report_path
from assets.privacy import scrub
from pipelines.defs.metadata import table

ARRIVALS = dg.DynamicPartitionsDefinition(name="arrivals")
READ_KEY = dg.AssetKey("received_file")
FILE_ASSETS = (READ_KEY, dg.AssetKey("placed_file"))      # the assets partitioned by arrival


def file_line(manifest: dict, reports: Path) -> dict:
    """One file of an arrival as the UI and the sync's summary show it: from its manifest
    (assets/ingest/record.Received.as_dict) with `read_now` (read by this run, or received before), and
    where its agency report is (under `reports`). Names masked (assets/privacy.scrub)."""
    return {
        "sha256": manifest["sha256"],
        "source": manifest["source"],
        "file": scrub(manifest["file_name"]),
        # The partition key is the hash: this names it for a person (folder, file name masked, day received).
        "partition_label": partition_label(manifest),
        "received_at": manifest.get("received_at") or "unknown",
        "status": "superseded" if manifest.get("superseded_by") else manifest["status"],
        "read_now": bool(manifest.get("read_now")),
        "datasets": ", ".join(manifest.get("datasets", [])) or "none",
        "rows_read": manifest["rows_read"],
        "rows_accepted": manifest["rows_accepted"],
        "rows_rejected": manifest["rows_rejected"],
        "rows_skipped": manifest.get("rows_skipped", 0),
        "cells_flagged": manifest.get("cells_flagged", 0),
        "also_received_as": ", ".join(scrub(n) for n in manifest.get("also_received_as", [])) or "none",
        "superseded_by": manifest.get("superseded_by") or "none",
        "supersedes": ", ".join(manifest.get("supersedes", [])) or "none",
        "report": str(report_path(reports, manifest["source"], manifest["file_name"], manifest["sha256"])),
    }


def arrival_metadata(files: list[dict], read: dict[str, dict], reports: Path) -> dict:
    """What an arrival's read shows in the UI: totals, a table of its files (the first rows; every file in
    `files_read`, JSON), a file no inbox file held when the run came (withdrawn) said so."""
    lines = [file_line(read[f["sha256"]], reports) if f["sha256"] in read else
             {"sha256": f["sha256"], "source": f["source"], "file": scrub(f["file_name"]),
              "status": "not in the inbox: withdrawn before it was read", "read_now": False,
              "rows_read": 0, "rows_accepted": 0, "rows_rejected": 0}
             for f in files]
    shown = pd.DataFrame(lines, columns=["source", "file", "status", "rows_read", "rows_accepted", "rows_rejected",
                                         "sha256"])
    return {
        "dagster/row_count": sum(line["rows_accepted"] for line in lines if line["read_now"]),
        "files": len(lines),
        "files_read_now": sum(line["read_now"] for line in lines),
        "rows_read": sum(line["rows_read"] for line in lines if line["read_now"]),
        "rows_rejected": sum(line["rows_rejected"] for line in lines if line["read_now"]),
        "files_table": table(shown.assign(sha256=shown["sha256"].str[:12]),
                             "files_read, table mart_data_quality and warehouse/reports/"),
        "files_read": dg.MetadataValue.json(lines),
    }


def partition_label(manifest: dict) -> str:
    """'bps / umkm_2023.xlsx / 2026-12-07': a file partition as a person tells it apart (its key is a hash)."""
    return f"{manifest['source']} / {scrub(manifest['file_name'])} / {str(manifest.get('received_at') or '')[:10]}"


def read_in_run(instance: dg.DagsterInstance, run_id: str, source: str) -> list[dict]:
    """The files of inbox/<source>/ a run read (the `files_read` of its `received_file` materializations
    with `read_now`)."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    found = []
    for record in records:
        materialization = record.event_log_entry.asset_materialization
        if materialization is None or materialization.asset_key != READ_KEY or "files_read" not in \
                materialization.metadata:
            continue
        found += [line for line in materialization.metadata["files_read"].value
                  if line["source"] == source and line["read_now"]]
    return found


def run_tags(keys: Sequence[str], known: Sequence[str]) -> dict[str, str]:
    """The tags of one run over these arrivals: a single key, or the range from the first to the last of
    them in the order `known` (the partitions as added) lists them."""
    if len(keys) == 1:
        return {"dagster/partition": keys[0]}
    position = {key: i for i, key in enumerate(known)}
    ordered = sorted(keys, key=position.__getitem__)
    return {"dagster/asset_partition_range_start": ordered[0], "dagster/asset_partition_range_end": ordered[-1]}


def add_partitions(instance: dg.DagsterInstance, keys: Iterable[str]) -> list[str]:
    """Add the keys that are not yet partitions (in the order given); returns every partition key."""
    existing = instance.get_dynamic_partitions(ARRIVALS.name)
    missing = [key for key in dict.fromkeys(keys) if key not in set(existing)]
    if missing:
        instance.add_dynamic_partitions(ARRIVALS.name, missing)
    return [*existing, *missing]


def retire_partitions(instance: dg.DagsterInstance, gone: Iterable[str]) -> None:
    """Delete the partitions of arrivals the warehouse no longer records."""
    existing = set(instance.get_dynamic_partitions(ARRIVALS.name))
    for key in gone:
        if key in existing:
            instance.delete_dynamic_partition(ARRIVALS.name, key)

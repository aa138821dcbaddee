"""Each received file is a Dagster partition: the dynamic partitions `received_files`, keyed by the
file's content hash (SHA-256, as the archive names it), so the same content dropped twice, under any
name or in any folder, is one partition. The sync (pipelines/defs/planning.py) and the inbox sensors add
a partition per new content before a run; a file superseded by a corrected one loses its partition.

What a run read, per file, is recorded on the partition's materialization (`file_metadata`); the
per-folder ingest assets read it back from the run's events (`read_in_run`) for the sync's summary.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import dagster as dg

from assets.ingest.report import report_path
from assets.privacy import scrub

RECEIVED_FILES = dg.DynamicPartitionsDefinition(name="received_files")
READ_KEY = dg.AssetKey("received_file")
FILE_ASSETS = (READ_KEY, dg.AssetKey("placed_file"))      # the assets partitioned by file


def file_metadata(manifest: dict, reports: Path) -> dict:
    """What a file partition's read shows in the UI: from its manifest (assets/ingest/record.Received.as_dict) with
    `read_now` (read by this run, or received before), and where its agency report is (every rejected
    cell; under `reports`, written by the agency_reports asset). Names masked (assets/privacy.scrub)."""
    return {
        "dagster/row_count": manifest["rows_accepted"],
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
        "report": dg.MetadataValue.path(str(report_path(reports, manifest["source"], manifest["file_name"],
                                                        manifest["sha256"]))),
    }


def partition_label(manifest: dict) -> str:
    """'bps / umkm_2023.xlsx / 2026-12-07': a file partition as a person tells it apart (its key is a hash)."""
    return f"{manifest['source']} / {scrub(manifest['file_name'])} / {str(manifest.get('received_at') or '')[:10]}"


def read_in_run(instance: dg.DagsterInstance, run_id: str, source: str) -> list[dict]:
    """The files of inbox/<source>/ a run read (its `received_file` materializations with `read_now`),
    as {metadata name: value}."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    found = []
    for record in records:
        materialization = record.event_log_entry.asset_materialization
        if materialization is None or materialization.asset_key != READ_KEY:
            continue
        values = {name: value.value for name, value in materialization.metadata.items()}
        if values.get("source") == source and values.get("read_now"):
            found.append(values)
    return found


def run_tags(keys: Sequence[str], known: Sequence[str]) -> dict[str, str]:
    """The tags of one run over these file partitions: a single key, or the range from the first to the
    last of them in the order `known` (the partitions as added) lists them. Keys added together are
    next to each other; a range over a gap also covers the files between (received before: their
    partitions only report again, nothing is read or placed twice)."""
    if len(keys) == 1:
        return {"dagster/partition": keys[0]}
    position = {key: i for i, key in enumerate(known)}
    ordered = sorted(keys, key=position.__getitem__)
    return {"dagster/asset_partition_range_start": ordered[0], "dagster/asset_partition_range_end": ordered[-1]}


def add_partitions(instance: dg.DagsterInstance, keys: Iterable[str]) -> list[str]:
    """Add the keys that are not yet partitions (in the order given); returns every partition key."""
    existing = instance.get_dynamic_partitions(RECEIVED_FILES.name)
    missing = [key for key in dict.fromkeys(keys) if key not in set(existing)]
    if missing:
        instance.add_dynamic_partitions(RECEIVED_FILES.name, missing)
    return [*existing, *missing]


def retire_partitions(instance: dg.DagsterInstance, superseded: Iterable[str], keep: Iterable[str] = ()) -> None:
    """Delete the partitions of files a corrected file replaced (their rows no longer count); `keep`:
    keys of the run about to start."""
    existing, keep = set(instance.get_dynamic_partitions(RECEIVED_FILES.name)), set(keep)
    for key in superseded:
        if key in existing and key not in keep:
            instance.delete_dynamic_partition(RECEIVED_FILES.name, key)

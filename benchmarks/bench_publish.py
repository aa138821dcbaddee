"""Publishing cost against the rest of a sync, and five analyst queries on the published file.

    .venv/bin/python benchmarks/bench_publish.py [--quick] [--sample DIR]

Side by side on the bundled sample (Bangka Belitung province + Tuban regency, 721 villages, ~26,000
agency rows), each from an empty warehouse: the Dagster sync job as `jembatan sync` runs it, once
with every asset but `published_marts` and once whole; the difference is what publishing adds
(build, check, comments, Parquet export, archive, swap; the analyst report, drawn afterwards
from the published file, is left out of both). Target: <= 10% of the sync without it.
The publish step alone (plain function, no Dagster) is timed too. Then each query in benchmarks/analyst_queries.sql, run
repeatedly on a read-only connection. Target: each < 100 ms.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JEMBATAN_SETTLE_SECONDS", "0")      # files generated just now are read at once

import duckdb  # noqa: E402

from assets import steps  # noqa: E402
from benchmarks import timed  # noqa: E402
from sample_data.generate import generate  # noqa: E402

QUERIES = ROOT / "benchmarks" / "analyst_queries.sql"


def analyst_queries() -> dict[str, str]:
    blocks = re.split(r"^-- name: (\w+)\n", QUERIES.read_text(), flags=re.M)[1:]
    return dict(zip(blocks[::2], blocks[1::2]))


def dagster_sync(inbox: Path, warehouse: Path, publish: bool) -> float:
    """Wall time of the sync job from an empty warehouse, with or without the publish asset."""
    import dagster as dg

    from pipelines.defs.assets import ALL_ASSETS
    from pipelines.definitions import ASSET_CHECKS
    from pipelines.defs.planning import plan_run
    from pipelines.defs.resources import JembatanPaths

    shutil.rmtree(warehouse, ignore_errors=True)
    # The report is drawn after publishing, from the published file: not part of either side.
    left_out = ["analyst_report"] if publish else ["analyst_report", "published_marts"]
    selection = dg.AssetSelection.all() - dg.AssetSelection.assets(*left_out)
    paths = JembatanPaths(inbox=str(inbox), warehouse=str(warehouse))
    start = time.perf_counter()
    instance = dg.DagsterInstance.ephemeral()
    _, tags, _ = plan_run(instance, paths.paths(), [])       # the new files' arrival, as `jembatan sync` adds it
    result = dg.materialize([*ALL_ASSETS, *ASSET_CHECKS], selection=selection, instance=instance, tags=tags,
                            resources={"paths": paths})
    assert result.success
    return time.perf_counter() - start


def publish_alone(inbox: Path, warehouse: Path) -> float:
    paths = steps.Paths(inbox, warehouse)
    paths.state.record("publish", "forget", {})     # the inputs are unchanged: make it build for real
    start = time.perf_counter()
    steps.publish_marts(paths)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 sync and 5 runs per query (default 5 and 30)")
    parser.add_argument("--sample", type=Path, help="an already generated sample (default: generate one)")
    args = parser.parse_args(argv)
    syncs, runs = (1, 5) if args.quick else (5, 30)
    with tempfile.TemporaryDirectory() as tmp:
        sample = args.sample or Path(tmp) / "sample"
        if not args.sample:
            generate(sample)
        warehouse = Path(tmp) / "warehouse"
        inbox = (sample / "inbox").resolve()
        without, whole, alone, loads = [], [], [], []
        for _ in range(syncs):        # interleaved, so load on the machine hits both alike
            loads.append(timed.load_average())
            without.append(dagster_sync(inbox, warehouse, publish=False))
            whole.append(dagster_sync(inbox, warehouse, publish=True))
            alone.append(publish_alone(inbox, warehouse))
        base, full = statistics.median(without), statistics.median(whole)
        print(f"sync without publish {base:6.2f} s   with publish {full:6.2f} s   publishing adds "
              f"{100 * (full - base) / base:4.1f}% (target <= 10%)   median of {syncs}\n"
              f"publish step alone {statistics.median(alone):5.2f} s = {100 * statistics.median(alone) / base:4.1f}% "
              f"of the sync without it   (load {min(loads):.2f} to {max(loads):.2f} before the rounds)")
        con = duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True)
        for name, sql in analyst_queries().items():
            con.execute(sql).fetchall()                      # warm: first touch reads the blocks
            samples, load = [], timed.load_average()
            for _ in range(runs):
                start = time.perf_counter()
                rows = con.execute(sql).fetchall()
                samples.append((time.perf_counter() - start) * 1000)
            print(f"query {name:<28} {len(rows):>6} rows   median {statistics.median(samples):6.1f} ms   "
                  f"max {max(samples):6.1f} ms (target < 100 ms; load {load:.2f} before)")
        con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

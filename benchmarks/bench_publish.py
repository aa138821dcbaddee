"""Publishing cost against the rest of a sync, and five analyst queries on the published file.

    .venv/bin/python benchmarks/bench_publish.py [--quick] [--sample DIR]

Side by side on the bundled sample (Bangka Belitung province + Tuban regency, 721 villages, ~26,000
agency rows): the sync's stages without publishing (reference, ingest, harmonise, from an empty
warehouse) and the publish step (build, check, comments, Parquet export, archive, swap). Target:
publish <= 10% of the sync without it. Then each query in benchmarks/analyst_queries.sql, run
repeatedly on a read-only connection. Target: each < 100 ms.
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from assets import steps  # noqa: E402
from sample_data.generate import generate  # noqa: E402
from schemas import SOURCES  # noqa: E402

QUERIES = ROOT / "benchmarks" / "analyst_queries.sql"


def analyst_queries() -> dict[str, str]:
    blocks = re.split(r"^-- name: (\w+)\n", QUERIES.read_text(), flags=re.M)[1:]
    return dict(zip(blocks[::2], blocks[1::2]))


def sync_once(inbox: Path, warehouse: Path) -> tuple[float, float]:
    shutil.rmtree(warehouse, ignore_errors=True)
    paths = steps.Paths(inbox, warehouse)
    start = time.perf_counter()
    steps.refresh_gazetteer(paths)
    for source in SOURCES:
        steps.ingest_source(paths, source)
    steps.harmonise(paths)
    stages = time.perf_counter() - start
    start = time.perf_counter()
    steps.publish_marts(paths)
    return stages, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 sync and 5 runs per query (default 3 and 30)")
    parser.add_argument("--sample", type=Path, help="an already generated sample (default: generate one)")
    args = parser.parse_args(argv)
    syncs, runs = (1, 5) if args.quick else (3, 30)
    with tempfile.TemporaryDirectory() as tmp:
        sample = args.sample or Path(tmp) / "sample"
        if not args.sample:
            generate(sample)
        warehouse = Path(tmp) / "warehouse"
        timings = [sync_once((sample / "inbox").resolve(), warehouse) for _ in range(syncs)]
        stages = statistics.median(t[0] for t in timings)
        publish = statistics.median(t[1] for t in timings)
        print(f"sync without publish {stages:6.2f} s   publish {publish:5.2f} s   "
              f"publish adds {100 * publish / stages:4.1f}% (target <= 10%)   median of {syncs}")
        con = duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True)
        for name, sql in analyst_queries().items():
            con.execute(sql).fetchall()                      # warm: first touch reads the blocks
            samples = []
            for _ in range(runs):
                start = time.perf_counter()
                rows = con.execute(sql).fetchall()
                samples.append((time.perf_counter() - start) * 1000)
            print(f"query {name:<28} {len(rows):>6} rows   median {statistics.median(samples):6.1f} ms   "
                  f"max {max(samples):6.1f} ms (target < 100 ms)")
        con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

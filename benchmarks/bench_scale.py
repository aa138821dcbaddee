"""End-to-end sync at growing scale, and incremental syncs, each as a real `jembatan sync` process.

    .venv/bin/python benchmarks/bench_scale.py [--quick] [--scales 1,4,16,national] [--data DIR]

For each scale: generate the agency files once (benchmarks/scale_data, cached under --data), then a
first sync into an empty warehouse: wall time, CPU time, rows per second, peak memory (the sync process's
max RSS), the slope against 1x (time ratio / size ratio; 1 is linear) and the load average before it
(benchmarks/timed.py). At the largest scale, side
by side with that first sync: a re-sync of the unchanged inbox, and a sync after one new file.
--quick runs 1x and 4x (a few minutes here).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JEMBATAN_SETTLE_SECONDS", "0")      # files generated just now are read at once

from benchmarks import timed  # noqa: E402
from benchmarks.scale_data import generate_scale  # noqa: E402


def timed_sync(inbox: Path, warehouse: Path) -> timed.Timed:
    """One `jembatan sync` process timed (benchmarks/timed.py); also prints when the marts were published
    (the new jembatan.duckdb written), which is before the process ends (analyst report, Dagster's own
    wrap-up)."""
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    figures = timed.sync(inbox, warehouse, env)
    database = warehouse / "jembatan.duckdb"
    if database.exists() and database.stat().st_mtime > figures.started_at:
        print(f"    (marts published {database.stat().st_mtime - figures.started_at:.1f} s after the sync started)",
              flush=True)
    return figures


def scale_data(data: Path, scale: str) -> tuple[Path, dict]:
    out = data / f"scale_{scale}"
    manifest = out / "manifest.json"
    if not manifest.exists():
        generate_scale(out, scale)
    return out / "inbox", json.loads(manifest.read_text())


def new_police_file(inbox: Path, tag: str) -> Path:
    """A corrected-month police file: a copy of the last crime file under new report numbers (LP/<tag>/...),
    new content for each tag."""
    source = sorted(p for p in (inbox / "polda").glob("lp_*.xlsx") if "_tambahan" not in p.name)[-1]
    target = source.with_name(f"{source.stem}_tambahan_{tag}.xlsx")
    workbook = openpyxl.load_workbook(source)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("LP/"):
                    cell.value = cell.value.replace("LP/", f"LP/{tag}/", 1)
    workbook.save(target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--scales", default="1,4,16,national")
    parser.add_argument("--data", type=Path, default=ROOT / "build" / "bench")
    args = parser.parse_args()
    scales = ["1", "4"] if args.quick else args.scales.split(",")
    print(f"{'scale':>9} {'villages':>9} {'rows':>10} {'sync s':>8} {'CPU s':>8} {'rows/s':>8} {'peak MiB':>9} "
          f"{'slope':>6} {'load':>5}")
    base = None
    for scale in scales:
        inbox, manifest = scale_data(args.data, scale)
        warehouse = args.data / f"warehouse_{scale}"
        shutil.rmtree(warehouse, ignore_errors=True)
        first = timed_sync(inbox, warehouse)
        rows = manifest["rows"]
        base = base or (first.wall, rows)
        slope = (first.wall / base[0]) / (rows / base[1]) if rows != base[1] else 1.0
        print(f"{scale:>9} {manifest['villages']:>9,} {rows:>10,} {first.wall:>8.1f} {first.cpu:>8.1f} "
              f"{rows / first.wall:>8,.0f} {first.peak_mib:>9,.0f} {slope:>6.2f} {first.load:>5.2f}", flush=True)
    unchanged = timed_sync(inbox, warehouse)
    new_file = new_police_file(inbox, "T")
    try:
        incremental = timed_sync(inbox, warehouse)
    finally:
        new_file.unlink()
    print(f"at scale {scale}: first sync {first.shown()}\n"
          f"  unchanged inbox re-sync {unchanged.shown()}\n"
          f"  one new file ({new_file.name}) {incremental.shown()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

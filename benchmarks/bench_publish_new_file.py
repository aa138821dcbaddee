"""The publish step alone after one new file: made whole, or from the previous publication.

    .venv/bin/python benchmarks/bench_publish_new_file.py WAREHOUSE [--whole] [--runs 3]

WAREHOUSE: a synced warehouse whose last sync added one file (e.g. bench_scale.py's or side_by_side.py's
after a new police file), so its newest publication was made with the file and the one before without
it. Each run copies the warehouse, makes the publication before the file current again (`jembatan
publications restore`), and publishes the current inputs as the sync's publish step does (the file's
crime facts and what is counted from them change): timed in this process, with the load average.
--whole builds every table anew (JEMBATAN_PUBLISH_WHOLE=1), as before publishing from the previous
publication. Run the two alternately (or pair them with a whole-process timer) on a shared machine.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assets.paths import Paths  # noqa: E402
from assets.publish.publication import Warehouse, restore  # noqa: E402
from assets.steps import publish_marts  # noqa: E402
from benchmarks import timed  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--whole", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.whole:
        os.environ["JEMBATAN_PUBLISH_WHOLE"] = "1"
    earlier = Warehouse(args.warehouse).history()[1]
    seconds = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(dir=args.warehouse.parent) as tmp:
            copy = Path(tmp) / "warehouse"
            shutil.copytree(args.warehouse, copy, symlinks=True)
            restore(copy, earlier)
            paths = Paths(inbox=copy / "inbox", warehouse=copy)
            paths.state.record("publish", "made again", {})      # what the sync recorded: not to be skipped
            load = timed.load_average()
            start = time.perf_counter()
            publish_marts(paths)
            seconds.append(time.perf_counter() - start)
            print(f"{'whole' if args.whole else 'from the previous'}: publish {seconds[-1]:.2f} s "
                  f"(load average {load:.2f})", flush=True)
    print(f"median {statistics.median(seconds):.2f} s over {len(seconds)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())

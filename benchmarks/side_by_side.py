"""Incremental syncs of two versions of the code side by side, alternated round by round on the same data,
so the machine's load falls on both alike: a re-sync of the unchanged inbox and a sync after one new file.

    .venv/bin/python benchmarks/side_by_side.py --baseline DIR [--this DIR] [--scale 16] [--rounds 3] [--data DIR]

DIR is a checkout of the baseline commit (`git worktree add DIR COMMIT`, or `git archive COMMIT | tar -x
-C DIR`), run with this .venv through PYTHONPATH (`--this`: a checkout of the version measured, default
this one). The data are benchmarks/scale_data's (cached under --data, as bench_scale.py makes them).
Each sync is a real `jembatan sync` process on its version's own Dagster instance on disk (SQLite, the
project's dagster.yaml, in a temporary DAGSTER_HOME); printed per sync: wall seconds, CPU seconds (user
+ system of the sync and the processes it waited for), the asset materializations it recorded and the
load average before it; then the medians per version. Each version has its own warehouse; the first sync
of each is timed too.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import dagster as dg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import timed  # noqa: E402
from benchmarks.bench_scale import new_police_file, scale_data  # noqa: E402


def timed_sync(inbox: Path, warehouse: Path, code: Path | None, home: Path | None = None) -> timed.Timed:
    """One `jembatan sync` process timed (benchmarks/timed.py); `code`: the checkout to run, else this one;
    `home`: the DAGSTER_HOME to use (default: none, the project's own instance)."""
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env["JEMBATAN_SETTLE_SECONDS"] = "0"
    if home:
        env["DAGSTER_HOME"] = str(home)
    if code:
        env["PYTHONPATH"] = str(code)
    return timed.sync(inbox, warehouse, env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="checkout of the baseline commit")
    parser.add_argument("--this", type=Path, help="checkout of the version measured (default: this one)")
    parser.add_argument("--scale", default="16")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", type=Path, default=ROOT / "build" / "bench")
    args = parser.parse_args()
    inbox, _ = scale_data(args.data, args.scale)
    versions = {"baseline": args.baseline.resolve(), "this": args.this.resolve() if args.this else None}
    homes = {name: Path(tempfile.mkdtemp(prefix=f"jembatan-side-{name}-")) for name in versions}
    figures: dict[tuple[str, str], list[tuple[float, float, int, float]]] = {}

    def measured(name: str, warehouse: Path) -> tuple[float, float, int, float]:
        """(wall, CPU, materializations recorded, 1-minute load average before) of one sync."""
        before = recorded(homes[name])
        figures = timed_sync(inbox, warehouse, versions[name], homes[name])
        return figures.wall, figures.cpu, recorded(homes[name]) - before, figures.load

    for name in versions:
        warehouse = args.data / f"side_by_side_{name}_{args.scale}"
        shutil.rmtree(warehouse, ignore_errors=True)
        figures[name, "first sync"] = [measured(name, warehouse)]
    for round_ in range(args.rounds):
        for name in list(versions)[::1 if round_ % 2 == 0 else -1]:       # who goes first alternates
            warehouse = args.data / f"side_by_side_{name}_{args.scale}"
            figures.setdefault((name, "unchanged inbox"), []).append(measured(name, warehouse))
            added = new_police_file(inbox, f"T{name[0].upper()}{round_}")
            try:
                figures.setdefault((name, "one new file"), []).append(measured(name, warehouse))
            finally:
                added.unlink()
    print(f"scale {args.scale}, {args.rounds} rounds: wall s / CPU s / materializations recorded (load average "
          "before), each run, then the medians")
    for what in ("first sync", "unchanged inbox", "one new file"):
        for name in versions:
            runs = figures[name, what]
            shown = "  ".join(f"{wall:.1f}/{cpu:.1f}/{n} ({load:.1f})" for wall, cpu, n, load in runs)
            print(f"{what:<16} {name:<9} {shown:<64} median {statistics.median(r[0] for r in runs):.1f} / "
                  f"{statistics.median(r[1] for r in runs):.1f}")
    for home in homes.values():
        shutil.rmtree(home, ignore_errors=True)
    return 0


def recorded(home: Path) -> int:
    """The asset materializations the instance in `home` has recorded (0 before its first sync)."""
    if not (home / "dagster.yaml").exists():
        return 0
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return sum(len(instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION,
                                                    limit=100_000).records)
                   for run in instance.get_runs())


if __name__ == "__main__":
    sys.exit(main())

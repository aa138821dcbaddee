"""Incremental syncs of two versions of the code side by side, alternated round by round on the same data,
so the machine's load falls on both alike: a re-sync of the unchanged inbox and a sync after one new file.

    .venv/bin/python benchmarks/side_by_side.py --baseline DIR [--scale 16] [--rounds 3] [--data DIR]
                                                [--first-rounds 1] [--keep] [--only-new-file]

DIR is a checkout of the baseline commit (`git worktree add DIR COMMIT`, or `git archive COMMIT | tar -x
-C DIR`), run with this .venv through PYTHONPATH. The data are benchmarks/scale_data's (cached under
--data, as bench_scale.py makes them). Each sync is a real `jembatan sync` process without DAGSTER_HOME;
printed: wall seconds and CPU seconds (user + system of the sync and the processes it waited for), when
the marts were published (the new jembatan.duckdb written, before the analyst report), the 1-minute load
average as each run started, the medians per version and the ratio this / baseline pair by pair. Each
version has its own warehouse; its first sync is timed too (--first-rounds N: N alternated pairs of first
syncs; --keep: keep warehouses already made and time no first sync).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
JEMBATAN = str(Path(sys.executable).with_name("jembatan"))

from benchmarks.bench_scale import scale_data  # noqa: E402


def timed_sync(inbox: Path, warehouse: Path, code: Path | None) -> tuple[float, float, float, float]:
    """(wall seconds, CPU seconds, seconds until the marts were published or NaN, load average at the
    start) of one `jembatan sync`; `code`: the baseline checkout, else this one."""
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env["JEMBATAN_SETTLE_SECONDS"] = "0"
    env["PYTHONPATH"] = str(code or ROOT)
    load = os.getloadavg()[0]
    started_at, start = time.time(), time.perf_counter()
    process = subprocess.Popen([JEMBATAN, "sync", "--inbox", str(inbox), "--warehouse", str(warehouse)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status:
        raise RuntimeError(f"sync failed: {process.stderr.read().decode()[-2000:]}")
    database = warehouse / "jembatan.duckdb"
    published = database.stat().st_mtime - started_at if database.exists() else float("nan")
    published = published if published > 0 else float("nan")
    figures = (wall, usage.ru_utime + usage.ru_stime, published, load)
    print(f"  {'baseline' if code else 'this':<9} wall {wall:.1f} s, CPU {figures[1]:.1f} s, marts published at "
          f"{published:.1f} s, load average {load:.2f}", flush=True)
    return figures


def new_police_file(inbox: Path, tag: str) -> Path:
    """A copy of the last crime file under new report numbers (LP/<tag>/...): new content every round."""
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
    parser.add_argument("--baseline", type=Path, required=True, help="checkout of the baseline commit")
    parser.add_argument("--scale", default="16")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--first-rounds", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep existing warehouses (no first sync timed)")
    parser.add_argument("--only-new-file", action="store_true", help="no unchanged-inbox runs")
    parser.add_argument("--data", type=Path, default=ROOT / "build" / "bench")
    args = parser.parse_args()
    inbox, _ = scale_data(args.data, args.scale)
    versions = {"baseline": args.baseline.resolve(), "this": None}
    figures: dict[tuple[str, str], list[tuple[float, float, float, float]]] = {}

    def warehouse_of(name: str) -> Path:
        return args.data / f"side_by_side_{name}_{args.scale}"

    for round_ in range(0 if args.keep and all(warehouse_of(n).exists() for n in versions) else args.first_rounds):
        for name in list(versions)[::1 if round_ % 2 == 0 else -1]:
            shutil.rmtree(warehouse_of(name), ignore_errors=True)
            figures.setdefault((name, "first sync"), []).append(timed_sync(inbox, warehouse_of(name), versions[name]))
    for round_ in range(args.rounds):
        for name in list(versions)[::1 if round_ % 2 == 0 else -1]:       # who goes first alternates
            if not args.only_new_file:
                figures.setdefault((name, "unchanged inbox"), []).append(
                    timed_sync(inbox, warehouse_of(name), versions[name]))
            added = new_police_file(inbox, f"T{name[0].upper()}{round_}")
            try:
                figures.setdefault((name, "one new file"), []).append(
                    timed_sync(inbox, warehouse_of(name), versions[name]))
            finally:
                added.unlink()
    print(f"scale {args.scale}: wall s / CPU s / marts published at s (load average), each run, then the medians")
    for what in ("first sync", "unchanged inbox", "one new file"):
        if ("this", what) not in figures:
            continue
        for name in versions:
            runs = figures[name, what]
            shown = "  ".join(f"{w:.1f}/{c:.1f}/{p:.1f} ({load:.1f})" for w, c, p, load in runs)
            print(f"{what:<16} {name:<9} {shown}  median {statistics.median(r[0] for r in runs):.1f} / "
                  f"{statistics.median(r[1] for r in runs):.1f} / {statistics.median(r[2] for r in runs):.1f}")
        pairs = list(zip(figures["baseline", what], figures["this", what]))
        ratios = [(t[0] / b[0], t[1] / b[1], t[2] / b[2]) for b, t in pairs]
        print(f"{what:<16} this / baseline, pair by pair (wall, CPU, marts published): "
              + "  ".join(f"{w:.2f} {c:.2f} {p:.2f}" for w, c, p in ratios)
              + f"  median {statistics.median(r[0] for r in ratios):.2f} {statistics.median(r[1] for r in ratios):.2f}"
                f" {statistics.median(r[2] for r in ratios):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

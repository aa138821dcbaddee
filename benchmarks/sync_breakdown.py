"""Where a sync's time goes: each `jembatan sync` a real process on a Dagster instance of its own on disk
(SQLite, the project's dagster.yaml, as `make ui` has it), then its run read back from the event log.

    .venv/bin/python benchmarks/sync_breakdown.py [--scale 16] [--code CHECKOUT] [--data DIR]

Three syncs into one fresh warehouse: the first sync, an unchanged re-sync, and one new police file.
`--code`: a checkout of another commit (`git archive COMMIT | tar -x -C DIR`), run with this .venv
through PYTHONPATH, so two commits can be measured alike. For each sync it prints, with the load
average beside it:

- the whole process (wall, CPU: user + system of the sync and the processes it waited for);
- before the run: process start to the run's first event (imports, the instance, planning: the
  partitions added before the run), and the run's creation (its first event to RUN_START: Dagster
  records an ASSET_MATERIALIZATION_PLANNED event per asset and partition there);
- each step (STEP_START to its end): the work (to the step's first output or materialization), and
  Dagster's records after it (materializations, their metadata, check results), with their number;
- the run's end (the last step's end to RUN_SUCCESS) and the process's end after it;
- bookkeeping: the run's creation plus every step's records, and its share of the process's wall time;
  the dynamic partitions on the instance and the asset materializations the run recorded.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import dagster as dg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import timed  # noqa: E402
from benchmarks.bench_scale import new_police_file, scale_data  # noqa: E402

RECORDS = {dg.DagsterEventType.STEP_OUTPUT, dg.DagsterEventType.ASSET_MATERIALIZATION,
           dg.DagsterEventType.ASSET_CHECK_EVALUATION, dg.DagsterEventType.HANDLED_OUTPUT}
SEEN: set[str] = set()          # runs already broken down
STEP_ENDS = {dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.STEP_SKIPPED}


def load() -> str:
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def sync(inbox: Path, warehouse: Path, home: Path, code: Path | None) -> timed.Timed:
    """One `jembatan sync` process on the instance `home`, timed (benchmarks/timed.py)."""
    env = {**os.environ, "DAGSTER_HOME": str(home), "JEMBATAN_SETTLE_SECONDS": "0"}
    if code:
        env["PYTHONPATH"] = str(code)
    return timed.sync(inbox, warehouse, env)


def breakdown(instance: dg.DagsterInstance, started: float, wall: float, cpu: float) -> list[str]:
    """The lines of one sync's breakdown from its run's event log (the instance's latest run, if the sync
    started one)."""
    runs = instance.get_runs(limit=1)
    if not runs or runs[0].run_id in SEEN:
        return [f"  process           {wall:8.2f} s wall {cpu:8.2f} s CPU",
                "  no run: nothing selected, nothing recorded"]
    run = runs[0]
    SEEN.add(run.run_id)
    entries = instance.all_logs(run.run_id)
    events = [(e.timestamp, e.dagster_event) for e in entries if e.dagster_event is not None]
    first = events[0][0]
    run_start = next(t for t, e in events if e.event_type == dg.DagsterEventType.RUN_START)
    run_end = next((t for t, e in events if e.event_type in (dg.DagsterEventType.RUN_SUCCESS,
                                                               dg.DagsterEventType.RUN_FAILURE)), events[-1][0])
    planned = sum(e.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED for _, e in events)
    steps: dict[str, dict] = {}
    for t, e in events:
        if not e.step_key or t < run_start:         # planned materializations name their step too
            continue
        step = steps.setdefault(e.step_key, {"start": t, "records_from": None, "end": t, "records": 0})
        if e.event_type == dg.DagsterEventType.STEP_START:
            step["start"] = t
        if e.event_type in RECORDS:
            step["records_from"] = step["records_from"] or t
            step["records"] += e.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION or \
                e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
        if e.event_type in STEP_ENDS or e.event_type in RECORDS:
            step["end"] = t
    lines = [f"  process           {wall:8.2f} s wall {cpu:8.2f} s CPU",
             f"  before the run    {first - started:8.2f} s  (imports, instance, planning and partition adds)",
             f"  run creation      {run_start - first:8.2f} s  ({planned} materializations planned)"]
    bookkeeping = run_start - first
    last_end = run_start
    for key, step in sorted(steps.items(), key=lambda kv: kv[1]["start"]):
        records_from = step["records_from"] or step["end"]
        work, records = records_from - step["start"], step["end"] - records_from
        bookkeeping += records
        last_end = max(last_end, step["end"])
        lines.append(f"  {key[:36]:<36} {work + records:7.2f} s: work {work:7.2f} s, records {records:6.2f} s "
                     f"({step['records']} events)")
    materialized = sum(e.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION for _, e in events)
    partitions = [key for name in ("received_files", "arrivals") for key in instance.get_dynamic_partitions(name)]
    lines += [f"  run end           {run_end - last_end:8.2f} s; after the run {started + wall - run_end:6.2f} s",
              f"  bookkeeping       {bookkeeping:8.2f} s = {100 * bookkeeping / wall:4.1f}% of the wall time "
              f"(run creation + step records); {materialized} materializations, "
              f"{len(partitions)} partitions (files or arrivals) on the instance"]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="16")
    parser.add_argument("--code", type=Path, help="checkout of the commit to measure (default: this one)")
    parser.add_argument("--data", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--syncs", default="first,unchanged,new", help="which of first,unchanged,new to run")
    args = parser.parse_args()
    inbox, manifest = scale_data(args.data, args.scale)
    name = args.code.name if args.code else "this"
    warehouse = args.data / f"breakdown_{name}_{args.scale}"
    shutil.rmtree(warehouse, ignore_errors=True)
    wanted = args.syncs.split(",")
    print(f"scale {args.scale} ({manifest['rows']:,} rows), code {args.code or ROOT}", flush=True)
    with tempfile.TemporaryDirectory(prefix="jembatan-breakdown-") as home:
        for what in ("first", "unchanged", "new"):
            if what not in wanted:
                continue
            added = new_police_file(inbox, "B") if what == "new" else None
            try:
                before = load()
                figures = sync(inbox, warehouse, Path(home), args.code.resolve() if args.code else None)
            finally:
                if added:
                    added.unlink()
            with dg.DagsterInstance.from_config(home) as instance:
                print(f"{what} sync ({before} before, {load()} after; peak {figures.peak_mib:,.0f} MiB)")
                print("\n".join(breakdown(instance, figures.started_at, figures.wall, figures.cpu)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The sync through the cluster (two Celery workers) against the in-process sync, side by side; and a run with
nothing new to do launched the way the UI launches it against the CLI's, on one instance.

    .venv/bin/python benchmarks/bench_cluster.py [--quick] [--scale national|1|4|...] [--data DIR] [--parts first,idle]

first: the cluster is started in a folder of its own (PostgreSQL, Redis, Dagster daemon and webserver, two
    Celery workers; `python -m pipelines.cluster up`, not timed), then the same inbox is synced into two
    empty warehouses: `jembatan sync` (in-process, the baseline) and `jembatan sync --cluster` (submitted,
    queued, each step a Celery task), each a real process timed by benchmarks/timed.py (wall, CPU, peak memory, the load average before); then each again
    with nothing new. The cluster run's steps are listed with their durations (from its event log) to show
    the stage that dominates.
idle: one Dagster instance on SQLite as `make ui` has it (project dagster.yaml), its daemon and webserver
    running; the bundled sample synced once, then with nothing new: `jembatan sync` (CLI, in-process) and a
    run launched through the webserver's GraphQL as the UI's "Materialize all" does (queued, dequeued by the
    daemon, run worker) with the in-process executor (the project's setting), and with the multiprocess
    executor starting each step by forkserver and by spawn (the setting before: a fresh interpreter per step).

--quick: scale 1 (one province) for `first`; the agency files come from benchmarks/scale_data (cached
under --data); national uses the real lists from $JEMBATAN_REFERENCE/national.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JEMBATAN_SETTLE_SECONDS", "0")      # files generated just now are read at once

from benchmarks import timed  # noqa: E402
from benchmarks.bench_scale import scale_data  # noqa: E402

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def step_durations(instance, run_id: str) -> list[tuple[str, float]]:
    from dagster import DagsterEventType
    started, spans = {}, []
    for entry in instance.all_logs(run_id, of_type={DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS}):
        if entry.dagster_event.event_type == DagsterEventType.STEP_START:
            started[entry.step_key] = entry.timestamp
        elif entry.step_key in started:
            spans.append((entry.step_key, entry.timestamp - started[entry.step_key]))
    return sorted(spans, key=lambda span: -span[1])


def cluster_env(root: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DAGSTER_HOME", "JEMBATAN_POSTGRES_URL", "JEMBATAN_REDIS_URL", "JEMBATAN_EXECUTOR")}
    return {**env, "JEMBATAN_CLUSTER_DIR": str(root / ".cluster"), "JEMBATAN_POSTGRES_PORT": str(free_port()),
            "JEMBATAN_REDIS_PORT": str(free_port()), "JEMBATAN_WEBSERVER_PORT": str(free_port()),
            "JEMBATAN_CELERY_WORKERS": "2", "PYTHONPATH": str(ROOT)}


def first_sync(inbox: Path, scratch: Path) -> None:
    from pipelines.cluster.settings import ClusterSettings
    env = cluster_env(scratch)
    subprocess.run([sys.executable, "-m", "pipelines.cluster", "up"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=600)
    try:
        baseline_env = {**env, "JEMBATAN_DAGSTER_INSTANCE": "ephemeral"}
        rows = []
        for label, argv, run_env in (
                ("in-process `jembatan sync` (baseline)", [timed.JEMBATAN, "sync"], baseline_env),
                ("`jembatan sync --cluster`, 2 Celery workers", [timed.JEMBATAN, "sync", "--cluster"], env)):
            warehouse = scratch / f"wh_{len(rows)}"
            command = [*argv, "--inbox", str(inbox), "--warehouse", str(warehouse)]
            first = timed.run(command, run_env, ROOT)
            again = timed.run(command, run_env, ROOT)
            rows.append((label, first.wall, again.wall))
            print(f"  {label}: first sync {first.shown()}; again with nothing new {again.shown()}", flush=True)
        print(f"  cluster / in-process: first {rows[1][1] / rows[0][1]:.2f}x, nothing new {rows[1][2] / rows[0][2]:.2f}x")
        settings = ClusterSettings.from_env(env)
        os.environ.update({k: v for k, v in settings.env().items() if k != "PYTHONPATH"})
        import dagster as dg
        with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
            runs = instance.get_runs(filters=dg.RunsFilter(tags={"jembatan/warehouse": str(scratch / "wh_1")}))
            first_run = runs[-1]           # newest first: the last is the first sync
            spans = step_durations(instance, first_run.run_id)
            total = first_run_seconds(instance, first_run.run_id)
        print(f"  cluster first sync's run: {total:.1f} s from run start to end; its steps, longest first:")
        for step, seconds in spans[:8]:
            print(f"    {step:<42}{seconds:8.1f} s")
    finally:
        subprocess.run([sys.executable, "-m", "pipelines.cluster", "down"], env=env, cwd=ROOT,
                       capture_output=True, timeout=300)


def first_run_seconds(instance, run_id: str) -> float:
    record = instance.get_run_record_by_id(run_id)
    return (record.end_time or time.time()) - (record.start_time or record.create_timestamp.timestamp())


def idle_run(scratch: Path) -> None:
    """Nothing-new runs on one SQLite instance: CLI against a UI-style launch (daemon + webserver)."""
    import dagster as dg

    from pipelines.cluster import submit
    from pipelines.cluster.settings import ClusterSettings
    subprocess.run([sys.executable, "-m", "sample_data.generate", "--out", str(scratch / "sample")], cwd=ROOT,
                   check=True, capture_output=True)
    inbox, warehouse, home = scratch / "sample" / "inbox", scratch / "wh_idle", scratch / "dagster_home"
    home.mkdir()
    shutil.copyfile(ROOT / "dagster.yaml", home / "dagster.yaml")
    port = free_port()
    base = {k: v for k, v in os.environ.items() if k not in ("JEMBATAN_EXECUTOR", "JEMBATAN_DAGSTER_INSTANCE")}
    env = {**base, "DAGSTER_HOME": str(home), "JEMBATAN_INBOX": str(inbox), "JEMBATAN_WAREHOUSE": str(warehouse)}
    command = [timed.JEMBATAN, "sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]
    print(f"  CLI first sync of the sample {timed.run(command, env, ROOT).shown()} (DAGSTER_HOME {home})", flush=True)
    cli = [timed.run(command, env, ROOT) for _ in range(2)]
    print(f"  CLI, nothing new: {'; '.join(t.shown() for t in cli)}", flush=True)
    settings = ClusterSettings(root=scratch, host="127.0.0.1", postgres_port=0, redis_port=0, webserver_port=port,
                               workers=0, external_postgres_url="-", external_redis_url="-")
    for executor, method in (("in_process", ""), ("multiprocess", "forkserver"), ("multiprocess", "spawn")):
        run_env = {**env, "JEMBATAN_EXECUTOR": executor, "JEMBATAN_STEP_START_METHOD": method}
        logs = [open(scratch / f"{name}-{executor}{method}.log", "wb") for name in ("daemon", "webserver")]
        daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-w", str(ROOT / "workspace.yaml")],
                                  env=run_env, cwd=ROOT, stdout=logs[0], stderr=subprocess.STDOUT)
        web = subprocess.Popen([str(BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(port), "-w",
                                str(ROOT / "workspace.yaml")], env=run_env, cwd=ROOT, stdout=logs[1],
                               stderr=subprocess.STDOUT)
        try:
            from pipelines.cluster.services import _webserver_answers, wait_for
            wait_for("webserver", lambda: _webserver_answers(settings), 300, None)
            seconds = []
            with dg.DagsterInstance.from_config(str(home)) as instance:
                for _ in range(2):
                    load, start = timed.load_average(), time.perf_counter()
                    run_id = submit.launch(settings, str(inbox), str(warehouse), 3600)
                    done = submit.wait(instance, run_id, 1800, poll_seconds=0.2)
                    seconds.append((time.perf_counter() - start, load))
                    if not done.success:
                        raise RuntimeError(f"UI-style run {run_id} failed")
            how = f"{executor} executor" + (f", steps started by {method}" if method else "")
            shown = ", ".join(f"{s:.1f} s wall (load {load:.2f} before)" for s, load in seconds)
            print(f"  UI-style launch (GraphQL, queued, daemon, {how}), nothing new: {shown}", flush=True)
        finally:
            for process in (web, daemon):
                process.terminate()
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
            for log in logs:
                log.close()


def missing_services() -> str | None:
    import glob
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb") and not shutil.which("initdb"):
        return "PostgreSQL's server is not installed (`make cluster` installs it)"
    if not shutil.which("redis-server"):
        return "redis-server is not installed (`make cluster` installs it)"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--scale", default="national")
    parser.add_argument("--data", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--parts", default="first,idle")
    args = parser.parse_args()
    scale = "1" if args.quick else args.scale
    scratch = Path(tempfile.mkdtemp(prefix="jembatan-bench-cluster-"))
    os.chmod(scratch, 0o711)         # PostgreSQL (run as `postgres` under root) passes through to its data
    try:
        if "first" in args.parts and (missing := missing_services()):
            print(f"== first sync through the cluster: not run, {missing}", flush=True)
        elif "first" in args.parts:
            inbox, manifest = scale_data(args.data, scale)
            files = manifest.get("files", [])
            print(f"== first sync, scale {scale} ({len(files) if isinstance(files, list) else files} files), "
                  "cluster vs in-process", flush=True)
            first_sync(inbox, scratch)
        if "idle" in args.parts:
            print("== nothing new: a UI-style launch against the CLI, one SQLite instance (sample)", flush=True)
            idle_run(scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

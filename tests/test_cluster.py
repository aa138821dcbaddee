"""The cluster (`make cluster`) with real services: PostgreSQL, Redis, the Dagster daemon and webserver and two
Celery workers, started by `python -m pipelines.cluster up` in a folder of the test's own, on free loopback
ports, and stopped at the end. The bundled sample is synced through `jembatan sync --cluster`; the marts
must equal an in-process sync's value for value, both workers must have run steps, and a worker process
SIGKILLed in the middle of the publish step must lose no row and double none.

Slow (a few minutes on 2 cores): marked `cluster`, run by `make test-cluster` (and `.ci/run`), not by
`make test`. Needs Debian's postgresql and redis-server (`make cluster` / `.ci/run` install them as root)."""
from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# Columns that say when, not what: they differ between any two syncs of the same files.
WHEN_COLUMNS = {"received_at", "publication_id", "published_at"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing_services() -> str | None:
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb") and not shutil.which("initdb"):
        return "PostgreSQL server not installed (apt-get install postgresql; .ci/run installs it)"
    if not shutil.which("redis-server"):
        return "redis-server not installed (apt-get install redis-server; .ci/run installs it)"
    return None


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if reason := _missing_services():
        pytest.skip(reason)
    # PostgreSQL runs as `postgres` under root and must pass through every folder above its data (pytest's
    # own temporary folder is closed to other users)
    root = Path(tempfile.mkdtemp(prefix="jembatan-cluster-test-"))
    os.chmod(root, 0o711)
    env = {**os.environ, "JEMBATAN_CLUSTER_DIR": str(root / ".cluster"),
           "JEMBATAN_POSTGRES_PORT": str(_free_port()), "JEMBATAN_REDIS_PORT": str(_free_port()),
           "JEMBATAN_WEBSERVER_PORT": str(_free_port()), "JEMBATAN_SETTLE_SECONDS": "0",
           "JEMBATAN_CLUSTER_RUN_TIMEOUT": "600", "PYTHONPATH": str(ROOT)}
    for name in ("JEMBATAN_POSTGRES_URL", "JEMBATAN_REDIS_URL", "DAGSTER_HOME", "JEMBATAN_EXECUTOR"):
        env.pop(name, None)
    up = subprocess.run([sys.executable, "-m", "pipelines.cluster", "up"], env=env, cwd=ROOT,
                        capture_output=True, text=True, timeout=400)
    try:
        assert up.returncode == 0, up.stderr
        again = subprocess.run([sys.executable, "-m", "pipelines.cluster", "up"], env=env, cwd=ROOT,
                               capture_output=True, text=True, timeout=200)    # idempotent
        assert again.returncode == 0 and "already running" in again.stderr, again.stderr
        subprocess.run([sys.executable, "-m", "sample_data.generate", "--out", str(root / "sample")], env=env,
                       cwd=ROOT, check=True, capture_output=True, timeout=300)
        yield {"root": root, "env": env, "inbox": root / "sample" / "inbox"}
    finally:
        down = subprocess.run([sys.executable, "-m", "pipelines.cluster", "down"], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        assert down.returncode == 0, down.stderr
        status = subprocess.run([sys.executable, "-m", "pipelines.cluster", "status"], env=env, cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
        assert status.returncode == 1 and "up" not in status.stdout.split(), status.stdout   # all of it stopped
        shutil.rmtree(root, ignore_errors=True)


def _sync(cluster, warehouse: Path, *extra: str, **popen) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "jembatan"), "sync", *extra, "--inbox", str(cluster["inbox"]),
                             "--warehouse", str(warehouse)], env=cluster["env"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


@pytest.fixture(scope="module")
def in_process(cluster):
    """The baseline: the same sample synced in this machine's process (its own throw-away instance)."""
    warehouse = cluster["root"] / "wh_in_process"
    env = {k: v for k, v in cluster["env"].items() if k != "JEMBATAN_CLUSTER_DIR"}
    process = subprocess.Popen([str(BIN / "jembatan"), "sync", "--inbox", str(cluster["inbox"]), "--warehouse",
                                str(warehouse)], env={**env, "JEMBATAN_DAGSTER_INSTANCE": "ephemeral"}, cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    return warehouse


def _instance(cluster):
    import dagster as dg
    from pipelines.cluster.settings import ClusterSettings
    settings = ClusterSettings.from_env(cluster["env"])
    os.environ.update({k: v for k, v in settings.env().items() if k != "PYTHONPATH"})
    return dg.DagsterInstance.from_config(str(settings.dagster_home))


def _runs(instance, warehouse: Path):
    import dagster as dg
    return instance.get_runs(filters=dg.RunsFilter(tags={"jembatan/warehouse": str(warehouse)}))


def _differences(left: Path, right: Path) -> dict[str, int]:
    """Per table of the restricted publication (schemas main and public): rows in one and not the other
    (as multisets), the columns that say when left out. Also fails when the two hold different tables."""
    con = duckdb.connect(str(left / "jembatan.duckdb"), read_only=True)
    try:
        con.execute(f"ATTACH '{right / 'jembatan.duckdb'}' AS other (READ_ONLY)")
        tables = lambda db: {(s, t) for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ?", [db]).fetchall()}
        assert tables("jembatan") == tables("other")
        found = {}
        for schema, table in sorted(tables("jembatan")):
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = 'jembatan' AND schema_name = ? "
                "AND table_name = ? ORDER BY column_index", [schema, table]).fetchall() if c not in WHEN_COLUMNS]
            listed = ", ".join(f'"{c}"' for c in columns)
            a, b = f"jembatan.{schema}.{table}", f"other.{schema}.{table}"
            count = con.execute(f"SELECT (SELECT count(*) FROM (SELECT {listed} FROM {a} EXCEPT ALL SELECT {listed} "
                                f"FROM {b})) + (SELECT count(*) FROM (SELECT {listed} FROM {b} EXCEPT ALL "
                                f"SELECT {listed} FROM {a}))").fetchone()[0]
            found[f"{schema}.{table}"] = count
        return found
    finally:
        con.close()


def test_sync_through_the_cluster_equals_in_process_and_uses_both_workers(cluster, in_process):
    from dagster import DagsterEventType
    warehouse = cluster["root"] / "wh_cluster"
    process = _sync(cluster, warehouse, "--cluster")
    out, err = process.communicate(timeout=900)
    assert process.returncode == 0, err
    assert "submitted run" in err
    assert "Published" in out and "mart_village_year: 721 villages" in out      # the in-process summary

    differences = _differences(warehouse, in_process)
    assert len(differences) > 20 and "main.mart_village_year" in differences
    assert {table: n for table, n in differences.items() if n} == {}
    rows = duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True).execute(
        "SELECT count(*) FROM mart_village_year").fetchone()[0]
    assert rows == 3605

    with _instance(cluster) as instance:
        (run,) = _runs(instance, warehouse)
        assert run.status.value == "SUCCESS"
        workers = {}
        for record in instance.get_records_for_run(run.run_id, of_type=DagsterEventType.ENGINE_EVENT).records:
            entry = record.event_log_entry
            metadata = entry.dagster_event.engine_event_data.metadata
            if "Celery worker" in metadata:
                workers.setdefault(metadata["Celery worker"].value.split("@")[0], []).append(entry.step_key)
        assert set(workers) == {"worker1", "worker2"}, workers
        assert sum(len(steps) for steps in workers.values()) >= 14          # every asset and check step


def test_a_worker_killed_during_the_publish_step_loses_no_row(cluster, in_process):
    from dagster import DagsterEventType
    warehouse = cluster["root"] / "wh_killed"
    process = _sync(cluster, warehouse, "--cluster")
    killed = None
    with _instance(cluster) as instance:
        deadline = time.monotonic() + 600
        while killed is None and time.monotonic() < deadline and process.poll() is None:
            for run in _runs(instance, warehouse):
                starts = instance.get_records_for_run(run.run_id, of_type=DagsterEventType.STEP_START).records
                publish = [r.event_log_entry for r in starts if r.event_log_entry.step_key == "published_marts"]
                if publish:
                    killed = publish[0].dagster_event.pid
                    os.kill(killed, signal.SIGKILL)       # the Celery pool process running the step
                    break
            time.sleep(0.05)
        assert killed is not None, "the publish step never started"
        out, err = process.communicate(timeout=900)
        assert process.returncode == 0, err
        (run,) = _runs(instance, warehouse)
        starts = [r.event_log_entry for r in instance.get_records_for_run(
            run.run_id, of_type=DagsterEventType.STEP_START).records if r.event_log_entry.step_key == "published_marts"]
    # the killed step went back on the queue and ran again in a fresh pool process
    assert len(starts) == 2 and starts[1].dagster_event.pid != killed
    assert {table: n for table, n in _differences(warehouse, in_process).items() if n} == {}
    assert "Published" in out


@pytest.mark.cluster_restarts
def test_broker_and_database_restarted_during_a_run_the_sync_still_finishes_right(cluster, in_process):
    """Redis restarted once the first step started, PostgreSQL once the first step succeeded: `jembatan sync
    --cluster` ends (never hangs). Either the run goes on (Celery reconnects, queued steps kept in Redis's
    append-only file; Dagster retries its database connection) and the marts are right, or a step's result
    was lost with the broker: the run is failed by its max runtime and said so in one line, and the next
    sync makes the marts right. (`make test-cluster-restarts`: which of the two happens depends on timing.)"""
    from dagster import DagsterEventType

    from pipelines.cluster import services
    from pipelines.cluster.settings import ClusterSettings
    settings = ClusterSettings.from_env(cluster["env"])
    warehouse = cluster["root"] / "wh_restarted"
    process = _sync(cluster, warehouse, "--cluster")
    restarted = []
    with _instance(cluster) as instance:
        deadline = time.monotonic() + 600
        while len(restarted) < 2 and time.monotonic() < deadline and process.poll() is None:
            for run in _runs(instance, warehouse):
                kinds = {DagsterEventType.STEP_START: "redis", DagsterEventType.STEP_SUCCESS: "postgres"}
                for kind, service in kinds.items():
                    if service not in restarted and instance.get_records_for_run(run.run_id, of_type=kind).records:
                        if service == "redis":
                            services._stop_pid("redis", settings.pid_dir / "redis.pid")
                            services.start_redis(settings)
                        else:
                            services.stop_postgres(settings)
                            services.start_postgres(settings)
                        restarted.append(service)
            time.sleep(0.1)
    out, err = process.communicate(timeout=900)
    assert restarted == ["redis", "postgres"]
    if process.returncode != 0:           # failed visibly, in one line, not a traceback; then synced again
        assert process.returncode == 1 and "sync failed" in err and "Traceback" not in err, err
        again = _sync(cluster, warehouse, "--cluster")
        out, err = again.communicate(timeout=900)
        assert again.returncode == 0, err
    assert {table: n for table, n in _differences(warehouse, in_process).items() if n} == {}

"""Start, check and stop the cluster's services on this machine (`make cluster`, `make cluster-down`).

    python -m pipelines.cluster up       # start what is not running; wait until each answers
    python -m pipelines.cluster down     # stop everything this folder started (workers finish or are killed)
    python -m pipelines.cluster status   # one line per service

Order up: PostgreSQL (unless JEMBATAN_POSTGRES_URL names one), Redis (unless JEMBATAN_REDIS_URL), then the
Dagster daemon, the webserver and the Celery workers; down in reverse. Each service has a pid file under
`run/` and a log under `log/` (PostgreSQL's own log is `postgres/server.log`). Both are idempotent: a service
already answering is left alone, one not running is not an error when stopping. Every wait has a timeout
and ends with ServiceError naming the service and its log.

PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as the `postgres` user (runuser) and the
data folder is owned by it."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from assets.processes import alive
from pipelines.cluster.celery_control import ping
from pipelines.cluster.settings import (CLUSTER_INSTANCE_SETTINGS, DATABASE, POSTGRES_USER, PROJECT_ROOT,
                                        WORKSPACE, ClusterSettings)

READY_TIMEOUT_SECONDS = float(os.environ.get("JEMBATAN_CLUSTER_READY_TIMEOUT", 120))
STOP_TIMEOUT_SECONDS = 30.0


class ServiceError(RuntimeError):
    """A service did not start or stop in time; the message says which and where its log is."""


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def wait_for(what: str, ready: Callable[[], bool], timeout: float, log: Path | None,
             alive: Callable[[], bool] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except Exception:      # not answering yet: connection refused, not ready, ...
            pass
        if alive is not None and not alive():
            raise ServiceError(f"{what} exited while starting; see {log}:\n{_tail(log)}")
        time.sleep(0.5)
    raise ServiceError(f"{what} did not become ready within {timeout:.0f} s; see {log}:\n{_tail(log)}")


def _tail(log: Path | None, lines: int = 15) -> str:
    if log is None or not log.exists():
        return "(no log)"
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except PermissionError:
        return "(log not readable)"


# ---------------------------------------------------------------- processes we start (pid files)

def _pid(pid_file: Path) -> int | None:
    """The pid in `pid_file` when that process is alive, else None."""
    try:
        pid = int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if alive(pid) else None


def _spawn(name: str, argv: list[str], settings: ClusterSettings) -> int:
    """Start `argv` detached (own session: a shell's Ctrl-C does not reach it), output to log/<name>.log."""
    log = settings.log_dir / f"{name}.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   cwd=PROJECT_ROOT, env=settings.env(), start_new_session=True)
    (settings.pid_dir / f"{name}.pid").write_text(f"{process.pid}\n")
    return process.pid


def _stop_pid(name: str, pid_file: Path, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
    pid = _pid(pid_file)
    if pid is None:
        pid_file.unlink(missing_ok=True)
        return
    try:
        os.killpg(pid, signal.SIGTERM)        # the service and the processes it started (its session)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _group_alive(pid):
        time.sleep(0.2)
    if _group_alive(pid):
        say(f"{name} did not stop within {timeout:.0f} s: killed")
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        while _group_alive(pid):
            time.sleep(0.1)
    pid_file.unlink(missing_ok=True)
    say(f"{name}: stopped")


def _group_alive(pgid: int) -> bool:
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":     # field 5: process group
            return True
    return False


# ---------------------------------------------------------------- PostgreSQL

def _postgres_bin(tool: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"), key=lambda p: int(p.split("/")[4]))
    if found:
        return found[-1]
    if path := shutil.which(tool):
        return path
    raise ServiceError(f"PostgreSQL's {tool} is not installed (Debian: apt-get install postgresql; "
                       "`make cluster` installs it as root), or set JEMBATAN_POSTGRES_URL to an existing server")


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _postgres_running(settings: ClusterSettings) -> bool:
    if not (settings.postgres_data / "PG_VERSION").exists():
        return False
    return subprocess.run(_as_postgres([_postgres_bin("pg_ctl"), "status", "-D", str(settings.postgres_data)]),
                          capture_output=True).returncode == 0


def _postgres_answers(settings: ClusterSettings) -> bool:
    import psycopg2
    psycopg2.connect(settings.postgres_url, connect_timeout=3).close()
    return True


def start_postgres(settings: ClusterSettings) -> None:
    data = settings.postgres_data
    if os.geteuid() == 0:
        os.chmod(settings.root, 0o711)     # the postgres user passes through to its own data folder
        if subprocess.run(["runuser", "-u", "postgres", "--", "test", "-x", str(settings.root)]).returncode:
            raise ServiceError(f"the postgres user cannot reach {settings.root} (a folder above it is closed to "
                               "other users): set JEMBATAN_CLUSTER_DIR to a folder it can pass through")
    password = settings.secret("postgres")
    if not (data / "PG_VERSION").exists():
        data.mkdir(mode=0o700, exist_ok=True)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(data, owner.pw_uid, owner.pw_gid)
        # the password in a file only the postgres user can read, beside the data folder, removed at once
        scratch = Path(tempfile.mkdtemp(prefix=".initdb-", dir=settings.root))
        pwfile = scratch / "password"
        pwfile.write_text(password + "\n")
        os.chmod(pwfile, 0o600)
        if os.geteuid() == 0:
            for path in (scratch, pwfile):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        try:
            done = subprocess.run(_as_postgres([_postgres_bin("initdb"), "-D", str(data), "-U", POSTGRES_USER,
                                                "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8",
                                                "--locale=C.UTF-8"]), capture_output=True, text=True)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        if done.returncode:
            raise ServiceError(f"initdb failed in {data}:\n{done.stdout}{done.stderr}")
        say(f"postgres: new data folder {data}")
    if _postgres_running(settings):
        say(f"postgres: already running ({data})")
    else:
        # listen on the cluster's address only, no Unix socket (nothing outside the folder can reach it)
        options = f"-p {settings.postgres_port} -h {settings.host} -k ''"
        done = subprocess.run(_as_postgres([_postgres_bin("pg_ctl"), "start", "-D", str(data), "-w", "-t",
                                            str(int(READY_TIMEOUT_SECONDS)), "-l", str(data / "server.log"),
                                            "-o", options]), capture_output=True, text=True)
        if done.returncode:
            raise ServiceError(f"PostgreSQL did not start (pg_ctl: {done.stdout.strip()} {done.stderr.strip()}); "
                               f"see {data / 'server.log'}:\n{_tail(data / 'server.log')}")
        say(f"postgres: started on {settings.host}:{settings.postgres_port}")
    _create_database(settings)


def _create_database(settings: ClusterSettings) -> None:
    import psycopg2
    admin = settings.postgres_url.rsplit("/", 1)[0] + "/postgres"
    wait_for("PostgreSQL", lambda: psycopg2.connect(admin, connect_timeout=3).close() is None,
             READY_TIMEOUT_SECONDS, settings.postgres_data / "server.log")
    connection = psycopg2.connect(admin, connect_timeout=5)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        connection.close()


def stop_postgres(settings: ClusterSettings) -> None:
    if not _postgres_running(settings):
        return
    done = subprocess.run(_as_postgres([_postgres_bin("pg_ctl"), "stop", "-D", str(settings.postgres_data),
                                        "-m", "fast", "-w", "-t", str(int(STOP_TIMEOUT_SECONDS))]),
                          capture_output=True, text=True)
    if done.returncode:
        raise ServiceError(f"PostgreSQL did not stop: {done.stdout}{done.stderr}")
    say("postgres: stopped")


# ---------------------------------------------------------------- Redis

def _redis_answers(settings: ClusterSettings) -> bool:
    import redis
    return bool(redis.Redis.from_url(settings.redis_url, socket_timeout=3, socket_connect_timeout=3).ping())


def start_redis(settings: ClusterSettings) -> None:
    pid_file = settings.pid_dir / "redis.pid"
    if _pid(pid_file):
        say("redis: already running")
    else:
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(server).exists():
            raise ServiceError("redis-server is not installed (Debian: apt-get install redis-server; `make "
                               "cluster` installs it as root), or set JEMBATAN_REDIS_URL to an existing server")
        settings.redis_dir.mkdir(mode=0o700, exist_ok=True)
        config = settings.secret_dir / "redis.conf"       # holds the password: owner-only, not on the command line
        fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(f"bind {settings.host}\nport {settings.redis_port}\nprotected-mode yes\n"
                      f"requirepass {settings.secret('redis')}\ndir {settings.redis_dir}\n"
                      # queued steps survive a restart of the broker
                      "appendonly yes\nappendfsync everysec\nsave \"\"\ndaemonize no\n")
        _spawn("redis", [server, str(config)], settings)
        say(f"redis: started on {settings.host}:{settings.redis_port}")
    wait_for("Redis", lambda: _redis_answers(settings), READY_TIMEOUT_SECONDS, settings.log_dir / "redis.log",
             alive=lambda: _pid(pid_file) is not None)


# ---------------------------------------------------------------- Dagster daemon, webserver, Celery workers

def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def start_dagster_home(settings: ClusterSettings) -> None:
    """The cluster's instance folder with its settings (replaced when the project's change)."""
    settings.dagster_home.mkdir(mode=0o700, exist_ok=True)
    target = settings.dagster_home / "dagster.yaml"
    if not target.exists() or target.read_text() != CLUSTER_INSTANCE_SETTINGS.read_text():
        partial = target.with_suffix(".tmp")
        shutil.copyfile(CLUSTER_INSTANCE_SETTINGS, partial)
        os.replace(partial, target)


def _instance(settings: ClusterSettings):
    import dagster as dg
    os.environ.update({k: v for k, v in settings.env().items() if k != "PYTHONPATH"})
    return dg.DagsterInstance.from_config(str(settings.dagster_home))


def _daemon_heartbeats_fresh(settings: ClusterSettings, since: float) -> bool:
    with _instance(settings) as instance:
        beats = instance.get_daemon_heartbeats()
        needed = {"SENSOR", "SCHEDULER", "QUEUED_RUN_COORDINATOR", "MONITORING"}
        return needed <= {kind for kind, beat in beats.items() if beat.timestamp >= since}


def start_daemon(settings: ClusterSettings) -> None:
    pid_file = settings.pid_dir / "daemon.pid"
    if _pid(pid_file):
        say("dagster-daemon: already running")
        return
    started = time.time()
    _spawn("daemon", [_bin("dagster-daemon"), "run", "-w", str(WORKSPACE)], settings)
    wait_for("the Dagster daemon", lambda: _daemon_heartbeats_fresh(settings, started), READY_TIMEOUT_SECONDS,
             settings.log_dir / "daemon.log", alive=lambda: _pid(pid_file) is not None)
    say("dagster-daemon: running (sensors, schedule, run queue, run monitoring, run retries)")


def _webserver_answers(settings: ClusterSettings) -> bool:
    with urllib.request.urlopen(f"{settings.webserver_url}/server_info", timeout=3) as response:
        return response.status == 200


def start_webserver(settings: ClusterSettings) -> None:
    pid_file = settings.pid_dir / "webserver.pid"
    if not _pid(pid_file):
        _spawn("webserver", [_bin("dagster-webserver"), "-h", settings.host, "-p", str(settings.webserver_port),
                             "-w", str(WORKSPACE)], settings)
    wait_for("the Dagster webserver", lambda: _webserver_answers(settings), READY_TIMEOUT_SECONDS,
             settings.log_dir / "webserver.log", alive=lambda: _pid(pid_file) is not None)
    say(f"dagster-webserver: {settings.webserver_url}")


def worker_names(settings: ClusterSettings) -> list[str]:
    return [f"worker{n}" for n in range(1, settings.workers + 1)]


def _workers_answering(settings: ClusterSettings) -> set[str]:
    return ping(settings)


def start_workers(settings: ClusterSettings) -> None:
    for name in worker_names(settings):
        if _pid(settings.pid_dir / f"{name}.pid"):
            continue
        _spawn(name, [_bin("celery"), "-A", "pipelines.cluster.worker_app", "worker", "-n", f"{name}@%h",
                      "-Q", "dagster", "-c", "1", "--prefetch-multiplier=1", "-l", "WARNING",
                      "--without-gossip", "--without-mingle"], settings)
    wanted = set(worker_names(settings))
    wait_for(f"Celery workers {', '.join(sorted(wanted))}", lambda: wanted <= _workers_answering(settings),
             READY_TIMEOUT_SECONDS, settings.log_dir / f"{worker_names(settings)[0]}.log")
    say(f"celery: {len(wanted)} workers answering ({', '.join(sorted(wanted))})")


# ---------------------------------------------------------------- all of it

def up(settings: ClusterSettings) -> None:
    for folder in (settings.root, settings.pid_dir, settings.log_dir):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(settings.log_dir, 0o700)
    start_dagster_home(settings)
    if settings.external_postgres_url:
        _create_database_check(settings)
    else:
        start_postgres(settings)
    if settings.external_redis_url:
        wait_for("Redis (JEMBATAN_REDIS_URL)", lambda: _redis_answers(settings), READY_TIMEOUT_SECONDS, None)
    else:
        start_redis(settings)
    with _instance(settings) as instance:         # creates or migrates the storage schema, once, here
        instance.upgrade()
    start_daemon(settings)
    start_webserver(settings)
    start_workers(settings)
    say(f"cluster up: UI and GraphQL at {settings.webserver_url}; jembatan sync --cluster submits to it")


def _create_database_check(settings: ClusterSettings) -> None:
    wait_for("PostgreSQL (JEMBATAN_POSTGRES_URL)", lambda: _postgres_answers(settings), READY_TIMEOUT_SECONDS, None)


def down(settings: ClusterSettings) -> None:
    if not settings.root.exists():
        say(f"nothing to stop: {settings.root} does not exist")
        return
    for name in [*reversed(worker_names(settings)), "webserver", "daemon"]:
        _stop_pid(name, settings.pid_dir / f"{name}.pid")
    for stray in settings.pid_dir.glob("worker*.pid"):       # workers of an earlier, larger JEMBATAN_CELERY_WORKERS
        _stop_pid(stray.stem, stray)
    _stop_pid("redis", settings.pid_dir / "redis.pid")
    if (settings.postgres_data / "PG_VERSION").exists():
        stop_postgres(settings)
    say("cluster down")


def status(settings: ClusterSettings) -> dict[str, bool]:
    """Which services answer now."""
    checks = {
        "postgres": lambda: _postgres_answers(settings),
        "redis": lambda: _redis_answers(settings),
        "daemon": lambda: _pid(settings.pid_dir / "daemon.pid") is not None
        and _daemon_heartbeats_fresh(settings, time.time() - 60),
        "webserver": lambda: _webserver_answers(settings),
    }
    result = {}
    for name, check in checks.items():
        try:
            result[name] = bool(check())
        except Exception:
            result[name] = False
    try:
        answering = _workers_answering(settings)
    except Exception:
        answering = set()
    for name in worker_names(settings):
        result[name] = name in answering
    return result

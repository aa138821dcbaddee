"""Where the cluster's services live and listen, from environment variables with loopback defaults.

| variable | default | what |
|---|---|---|
| JEMBATAN_CLUSTER_DIR | <project>/.cluster | run folder: postgres/ (data), redis/, dagster_home/, run/ (pid files), log/, secret/ |
| JEMBATAN_CLUSTER_HOST | 127.0.0.1 | the address every service listens on (loopback: nothing is reachable from outside) |
| JEMBATAN_POSTGRES_PORT | 54329 | port of the PostgreSQL server `make cluster` starts |
| JEMBATAN_POSTGRES_URL | (the server above) | an existing PostgreSQL database for Dagster's storage: then none is started |
| JEMBATAN_REDIS_PORT | 63790 | port of the Redis server `make cluster` starts |
| JEMBATAN_REDIS_URL | (the server above) | an existing Redis for the Celery broker and results: then none is started |
| JEMBATAN_WEBSERVER_PORT | 3030 | the Dagster webserver (UI and GraphQL) |
| JEMBATAN_CELERY_WORKERS | 2 | Celery workers started, one step at a time each |

Passwords are generated on first start and kept owner-only under secret/ (0600 in a 0700 folder).
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CLUSTER_INSTANCE_SETTINGS = PROJECT_ROOT / "dagster_cluster.yaml"
WORKSPACE = PROJECT_ROOT / "workspace.yaml"
DATABASE = "dagster"
POSTGRES_USER = "dagster"


@dataclass(frozen=True)
class ClusterSettings:
    root: Path
    host: str
    postgres_port: int
    redis_port: int
    webserver_port: int
    workers: int
    external_postgres_url: str | None
    external_redis_url: str | None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "ClusterSettings":
        env = os.environ if env is None else env
        return cls(root=Path(env.get("JEMBATAN_CLUSTER_DIR") or PROJECT_ROOT / ".cluster").resolve(),
                   host=env.get("JEMBATAN_CLUSTER_HOST", "127.0.0.1"),
                   postgres_port=int(env.get("JEMBATAN_POSTGRES_PORT", 54329)),
                   redis_port=int(env.get("JEMBATAN_REDIS_PORT", 63790)),
                   webserver_port=int(env.get("JEMBATAN_WEBSERVER_PORT", 3030)),
                   workers=int(env.get("JEMBATAN_CELERY_WORKERS", 2)),
                   external_postgres_url=env.get("JEMBATAN_POSTGRES_URL") or None,
                   external_redis_url=env.get("JEMBATAN_REDIS_URL") or None)

    # folders
    @property
    def postgres_data(self) -> Path:
        return self.root / "postgres"

    @property
    def redis_dir(self) -> Path:
        return self.root / "redis"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    @property
    def pid_dir(self) -> Path:
        return self.root / "run"

    @property
    def log_dir(self) -> Path:
        return self.root / "log"

    @property
    def secret_dir(self) -> Path:
        return self.root / "secret"

    # addresses
    @property
    def postgres_url(self) -> str:
        if self.external_postgres_url:
            return self.external_postgres_url
        return (f"postgresql://{POSTGRES_USER}:{quote(self.secret('postgres'), safe='')}@{self.host}:"
                f"{self.postgres_port}/{DATABASE}")

    @property
    def sqlalchemy_postgres_url(self) -> str:
        """postgres_url with its driver named (psycopg2, installed by dagster-postgres), as Dagster's storage
        takes it."""
        scheme, rest = self.postgres_url.split("://", 1)
        return f"postgresql+psycopg2://{rest}" if scheme in ("postgres", "postgresql") else self.postgres_url

    @property
    def redis_url(self) -> str:
        if self.external_redis_url:
            return self.external_redis_url
        return f"redis://:{quote(self.secret('redis'), safe='')}@{self.host}:{self.redis_port}/0"

    @property
    def webserver_url(self) -> str:
        return f"http://{self.host}:{self.webserver_port}"

    def secret(self, name: str) -> str:
        """The generated password `name`, made on first use (owner-only)."""
        path = self.secret_dir / name
        if not path.exists():
            self.secret_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(self.secret_dir, 0o700)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(24))
            os.replace(partial, path)
        return path.read_text().strip()

    def env(self) -> dict[str, str]:
        """The environment every Dagster process of the cluster runs with (daemon, webserver, run workers,
        Celery workers, and `jembatan sync --cluster`): the cluster's instance, storage and broker."""
        return {**os.environ, "DAGSTER_HOME": str(self.dagster_home),
                "JEMBATAN_POSTGRES_URL": self.sqlalchemy_postgres_url, "JEMBATAN_CELERY_BROKER": self.redis_url,
                "JEMBATAN_EXECUTOR": "celery", "PYTHONPATH": str(PROJECT_ROOT)}

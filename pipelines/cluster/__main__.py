"""`python -m pipelines.cluster up|down|status` (what `make cluster` and `make cluster-down` run)."""
from __future__ import annotations

import argparse
import sys

from pipelines.cluster.services import ServiceError, down, status, up
from pipelines.cluster.settings import ClusterSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.cluster",
                                     description="the Dagster cluster on this machine (see README, 'The cluster')")
    parser.add_argument("action", choices=("up", "down", "status"))
    args = parser.parse_args(argv)
    settings = ClusterSettings.from_env()
    try:
        if args.action == "up":
            up(settings)
        elif args.action == "down":
            down(settings)
        else:
            states = status(settings)
            for name, ok in states.items():
                print(f"{name:<10}{'up' if ok else 'DOWN'}")
            return 0 if all(states.values()) else 1
    except ServiceError as error:
        print(f"cluster {args.action} failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

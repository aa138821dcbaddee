"""`jembatan` command line. Each sub-command lives in pipelines/commands/ and registers itself."""
from __future__ import annotations

import argparse
import importlib
import sys

# Sub-command modules, in the order `jembatan --help` lists them.
COMMANDS = [
    "sync",
    "sample",
    "template",
    "report",
    "publications",
    "key",
    "dictionary",
    "review",
    "match",
    "portal",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jembatan", description="Data bridge: agency spreadsheets in, "
                                     "village-level DuckDB marts out.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"pipelines.commands.{name}").register(commands)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

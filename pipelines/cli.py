"""`jembatan` command line. Each sub-command lives in pipelines/commands/ and registers itself."""
from __future__ import annotations

import argparse
import importlib
import logging
import os
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


def entry() -> None:
    """The `jembatan` command (and `python -m pipelines.cli`): main(), then, once it has returned, the
    process ends at once with its exit status, its output flushed. Everything a command writes is written
    and closed by then; what is skipped is the interpreter's teardown, where a DuckDB or Arrow object
    collected from another thread now and then aborts the process ("terminate called without an active
    exception", duckdb/duckdb#13904) after a sync that succeeded. An exception or a usage error ends the
    process the ordinary way."""
    try:
        status = main()
    except BrokenPipeError:             # the reader of the output went away (`jembatan publications | head -1`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())     # nothing more reaches it
        status = 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):       # a closed or broken pipe: nothing more to say
            pass
    os._exit(status if isinstance(status, int) else 0 if status is None else 1)


if __name__ == "__main__":
    entry()

"""`jembatan sample`: write the bundled sample agency files and their ground truth."""
from __future__ import annotations

import argparse
from pathlib import Path


def register(commands) -> None:
    sample = commands.add_parser("sample", help="write the bundled sample agency files and ground truth")
    sample.add_argument("--out", default="build/sample")
    sample.add_argument("--seed", type=int, default=2025)
    sample.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import time

    from sample_data.generate import describe, generate
    start = time.perf_counter()
    print(describe(generate(Path(args.out), seed=args.seed), time.perf_counter() - start))
    return 0

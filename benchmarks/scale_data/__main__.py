"""Command line: python -m benchmarks.scale_data --out DIR --scale S [--reference DIR] [--seed N]"""
from __future__ import annotations

import argparse
from pathlib import Path

from .generate import default_reference, generate_scale, parse_scale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate agency files at a chosen scale for benchmarks.")
    parser.add_argument("--out", required=True, type=Path, help="output folder (inbox/ and manifest.json)")
    parser.add_argument("--scale", required=True, help="1 = one province, 4, 16, ... or 'national'")
    parser.add_argument("--reference", type=Path, default=None,
                        help="folder with national/ lists (default: $JEMBATAN_REFERENCE or ../shared/reference)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=None, help="writer processes (default: up to 2)")
    args = parser.parse_args(argv)
    parse_scale(args.scale)
    m = generate_scale(args.out, args.scale, args.reference or default_reference(), args.seed, args.workers)
    mb = m["bytes"] / 1e6
    print(f"scale {m['scale']} ({m['gazetteer']} gazetteer): {m['villages']} villages, "
          f"{sum(m['files_per_source'].values())} files {m['files_per_source']}, {m['rows']:,} rows, "
          f"{mb:.1f} MB in {m['seconds']:.1f}s (planning {m['seconds_planning']:.1f}s)")
    for dataset, n in m["rows_per_dataset"].items():
        print(f"  {dataset}: {n:,} rows ({m['bad_rows_per_dataset'][dataset]:,} bad)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Generate the synthetic inbox and its ground truth.

    python -m sample_data.generate --out DIR [--seed N]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from .bhabin import write_activities, write_roster
from .bps import write_bps
from .cooperatives import write_cooperatives
from .crime import write_crime
from .gazetteer import build_gazetteer
from .programs import write_programs
from .reference_files import write_reference
from .truth import Truth

DEFAULT_SEED = 2025


def generate(out_dir: Path, seed: int = DEFAULT_SEED) -> dict:
    """Write inbox/ and ground_truth/ under out_dir; deterministic for a seed. Returns a summary."""
    out_dir = Path(out_dir)
    inbox = out_dir / "inbox"
    gaz = build_gazetteer(seed)
    truth = Truth(gaz)
    write_reference(gaz, inbox / "reference")
    msme = write_bps(gaz, truth, inbox / "bps", seed)
    write_programs(gaz, msme, truth, inbox / "koperasi", seed)
    write_cooperatives(gaz, truth, inbox / "koperasi", seed)
    write_crime(gaz, truth, inbox / "polda", seed)
    plan = write_roster(gaz, truth, inbox / "polda", seed)
    write_activities(plan, truth, inbox / "polda", seed)
    totals = truth.write(out_dir / "ground_truth")
    files = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())
    return {
        "out_dir": str(out_dir),
        "seed": seed,
        "files": len(files),
        "villages": len(gaz.villages(year=2023)),
        "village_year_rows": len(gaz.villages()) * 5,
        "agency_rows": sum(f["rows_data"] for f in totals["files"].values()),
        "rejected_rows": len(truth.rejected),
        "crime_19": totals["province_19"]["crime_count"],
        "msme_19": totals["province_19"]["msme_count"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate jembatan sample agency files and ground truth.")
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    args.out.chmod(0o700)           # the sample files and their ground truth hold (made-up) personal data
    s = generate(args.out, args.seed)
    print(f"wrote {s['files']} files to {s['out_dir']} (seed {s['seed']}): {s['villages']} villages, "
          f"{s['agency_rows']} agency rows, {s['rejected_rows']} rejected rows, "
          f"in {time.perf_counter() - start:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`jembatan template DATASET`: an Excel template for agencies, made from the dataset's declaration."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(commands) -> None:
    from schemas import DATASETS
    template = commands.add_parser("template", help="write an Excel template an agency can fill in")
    template.add_argument("dataset", choices=sorted(DATASETS))
    template.add_argument("--out", help="file to write (default <dataset>_template.xlsx)")
    template.add_argument("--warehouse", help="warehouse whose village list feeds the dropdown "
                                              "(default $JEMBATAN_WAREHOUSE or ./warehouse)")
    template.set_defaults(func=run)


def current_villages(paths):
    """Villages (name, district, regency, code) of the warehouse's current official list, or None."""
    from assets.harmonise.read_as import official_villages
    from assets.steps import stored_gazetteer
    if not (paths.reference_store / "areas.parquet").exists():
        return None
    return official_villages(stored_gazetteer(paths).current())


def run(args: argparse.Namespace) -> int:
    import os

    from assets.ingest.template import write_template
    from assets.steps import Paths
    from schemas import DATASETS
    if args.warehouse:
        os.environ["JEMBATAN_WAREHOUSE"] = str(Path(args.warehouse).resolve())
    villages = current_villages(Paths.from_env())
    out = write_template(DATASETS[args.dataset], Path(args.out or f"{args.dataset}_template.xlsx"), villages)
    where = f"{len(villages)} villages in the dropdown" if villages is not None else \
        "no village list yet (run `jembatan sync` with inbox/reference/ first)"
    print(f"template written to {out} ({where})", file=sys.stdout)
    return 0

"""`jembatan report`: a self-contained HTML report of the study's pictures from the published marts."""
from __future__ import annotations

import argparse
from pathlib import Path

from assets.paths import warehouse_folder
from assets.publish.publication import DATABASE_NAME


def register(commands) -> None:
    parser = commands.add_parser("report", help="write the analyst report (HTML, charts embedded)")
    parser.add_argument("--warehouse", help="warehouse folder (default $JEMBATAN_WAREHOUSE or ./warehouse)")
    parser.add_argument("--out", type=Path, help="HTML file (default <warehouse>/reports/analyst_report.html)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assets.publish.report import write_report

    warehouse = warehouse_folder(args.warehouse)
    from assets.storage import storage_root
    out = args.out or storage_root(warehouse) / "reports" / "analyst_report.html"
    write_report(warehouse / DATABASE_NAME, out)
    print(f"wrote {out}")
    return 0

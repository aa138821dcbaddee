"""`jembatan dictionary`: write the data dictionary (docs/data_dictionary.md) from a published database."""
from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

from assets.paths import warehouse_folder
from assets.publish.build import SQL_DIR
from assets.publish.dictionary import parse_sql_docs, render_markdown

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "docs" / "data_dictionary.md"


def register(commands) -> None:
    parser = commands.add_parser("dictionary", help="write the data dictionary of the published marts")
    parser.add_argument("--database", help="published DuckDB (default $JEMBATAN_WAREHOUSE/jembatan.duckdb)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"markdown file (default {DEFAULT_OUT})")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    database = args.database or warehouse_folder() / "jembatan.duckdb"
    con = duckdb.connect(str(database), read_only=True)
    try:
        text = render_markdown(con, parse_sql_docs(SQL_DIR))
    finally:
        con.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"wrote {args.out}")
    return 0

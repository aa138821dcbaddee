"""Build the marts in a private staging database and publish them with an atomic rename.

Analysts open warehouse/jembatan.duckdb read-only; DuckDB allows one writer, so the build never
touches the published file: it writes `.staging-<pid>.duckdb` beside it, checks it, and `os.replace`s
it into place. A build killed at any point leaves the last good publication as it was.
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd

SQL_DIR = Path(__file__).resolve().parents[2] / "warehouse" / "sql"
DATABASE_NAME = "jembatan.duckdb"


class PublicationCheckFailed(Exception):
    pass


def build_database(path: Path, inputs: dict[str, pd.DataFrame], tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    """inputs are visible to the SQL as views (stg_*, ref_*), tables are stored as they are."""
    con = duckdb.connect(str(path))
    try:
        for name, frame in inputs.items():
            con.register(name, frame)
        for name, frame in tables.items():
            con.register("_incoming", frame)
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _incoming")
            con.unregister("_incoming")
        for sql in sorted(SQL_DIR.glob("*.sql")):
            con.execute(sql.read_text())
        for name in inputs:
            con.unregister(name)
        counts = {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                  for (name,) in con.execute("SELECT table_name FROM information_schema.tables "
                                             "WHERE table_schema = 'main' ORDER BY 1").fetchall()}
        _check(con, counts)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return counts


def _check(con: duckdb.DuckDBPyConnection, counts: dict[str, int]) -> None:
    """What must hold before anyone sees the build."""
    if not counts.get("dim_village"):
        raise PublicationCheckFailed("dim_village is empty: no reference gazetteer was loaded")
    villages, years = con.execute("SELECT count(DISTINCT village_code), count(DISTINCT year) "
                                  "FROM mart_village_year").fetchone()
    if counts["mart_village_year"] != villages * years or villages != counts["dim_village"]:
        raise PublicationCheckFailed("mart_village_year is not one row per village and year")
    orphans = con.execute("SELECT count(*) FROM fact_crime_report f ANTI JOIN dim_village v "
                          "USING (village_code)").fetchone()[0]
    if orphans:
        raise PublicationCheckFailed(f"{orphans} crime reports point at no village in dim_village")


def publish(warehouse: Path, inputs: dict[str, pd.DataFrame], tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    warehouse.mkdir(parents=True, exist_ok=True)
    staging = warehouse / f".staging-{os.getpid()}.duckdb"
    staging.unlink(missing_ok=True)
    try:
        counts = build_database(staging, inputs, tables)
        os.replace(staging, warehouse / DATABASE_NAME)
    finally:
        staging.unlink(missing_ok=True)
        Path(f"{staging}.wal").unlink(missing_ok=True)
    return counts

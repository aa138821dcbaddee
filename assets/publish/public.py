"""The public publication: the `public` schema of a restricted build, as a DuckDB file and Parquet files
of its own, holding nothing else, so it can be handed out whole.

    warehouse/public/jembatan_public.duckdb     public tables, under their own names (mart_village_year,
                                                crime_village_month, mart_program_reach, dim_village),
                                                with their comments, and `publication` (the same id as
                                                the restricted file it was made from)
    warehouse/public/parquet/<id>/<table>.parquet, and parquet/current -> <id>

Files are readable by everyone (0644, folders 0755) whatever the umask; the restricted ones are not.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from assets.access import shareable

PUBLIC_DIR = "public"
PUBLIC_DATABASE_NAME = "jembatan_public.duckdb"
PUBLIC_SCHEMA = "public"
# Besides the public schema's tables, only the publication's own record is copied (id, time, threshold).
RECORD = "publication"


class NotPublic(Exception):
    pass


def public_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND "
                                      "schema_name = ? AND NOT temporary ORDER BY 1",
                                      [catalog, PUBLIC_SCHEMA]).fetchall()]


def build_public(restricted: Path, target: Path, parquet: Path | None = None) -> dict[str, int]:
    """Copy the public schema of the restricted build `restricted` (and its publication record) into a
    new DuckDB file `target`, then export each table to `parquet`/<table>.parquet. Returns the row
    count per table. Raises NotPublic when `target` would hold anything else."""
    target.unlink(missing_ok=True)
    con = duckdb.connect(str(target))
    try:
        con.execute(f"ATTACH '{restricted}' AS restricted (READ_ONLY)")
        tables = public_tables(con, "restricted")
        for table in tables:
            con.execute(f'CREATE TABLE main."{table}" AS SELECT * FROM restricted.{PUBLIC_SCHEMA}."{table}"')
        con.execute(f"CREATE TABLE main.{RECORD} AS SELECT * FROM restricted.main.{RECORD}")
        _copy_comments(con, tables)
        con.execute("DETACH restricted")
        held = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = "
                                          "current_database()").fetchall()}
        if held != {*tables, RECORD}:
            raise NotPublic(f"the public file would hold {sorted(held - {*tables, RECORD})}")
        counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in sorted(held)}
        if parquet is not None:
            export_public_parquet(con, counts, parquet)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    shareable(target)
    return counts


def export_public_parquet(con: duckdb.DuckDBPyConnection, tables, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for table in tables:
        target = folder / f"{table}.parquet"
        con.execute(f"COPY \"{table}\" TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
        shareable(target)
    shareable(folder)


def _copy_comments(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    statements = []
    for table, comment in con.execute("SELECT table_name, comment FROM duckdb_tables() WHERE database_name = "
                                      "'restricted' AND schema_name = ? AND comment IS NOT NULL",
                                      [PUBLIC_SCHEMA]).fetchall():
        statements.append(f"COMMENT ON TABLE main.\"{table}\" IS {_quote(comment)}")
    for table, column, comment in con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE database_name = 'restricted' "
            "AND schema_name = ? AND comment IS NOT NULL", [PUBLIC_SCHEMA]).fetchall():
        statements.append(f'COMMENT ON COLUMN main."{table}"."{column}" IS {_quote(comment)}')
    if statements:
        con.execute("BEGIN TRANSACTION; " + "; ".join(statements) + "; COMMIT")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"

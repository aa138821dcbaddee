"""Whether two publications hold the same data: every table of both schemas of two jembatan.duckdb files,
compared as multisets of rows (the publication's own id and time, when each file was received and
the days counted up to then, left out). Used to check that a faster path lands exactly what the slower
one did, e.g. a sync of the same inbox with the code of two commits:

    .venv/bin/python benchmarks/same_publication.py WAREHOUSE_A WAREHOUSE_B

Prints one line per table that differs and exits 1 if any does; 0 when all are the same.
"""
from __future__ import annotations

import sys
from pathlib import Path

import duckdb

# The time of the build and of each file's receipt differ between two syncs of the same inbox.
LEFT_OUT = {"publication": None, "file_register": ("received_at",),
            "mart_data_quality": ("received_at", "days_since_received", "days_since_latest_record")}


def differences(a: Path, b: Path) -> list[str]:
    con = duckdb.connect()
    con.execute(f"ATTACH '{a}' AS a (READ_ONLY); ATTACH '{b}' AS b (READ_ONLY)")
    listing = ("SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE database_name = ? "
               "AND NOT temporary ORDER BY 1")
    tables_a = [t for (t,) in con.execute(listing, ["a"]).fetchall()]
    tables_b = [t for (t,) in con.execute(listing, ["b"]).fetchall()]
    out = [f"only in one: {t}" for t in sorted(set(tables_a) ^ set(tables_b))]
    for table in tables_a:
        if table not in tables_b or LEFT_OUT.get(table.split(".")[-1], ()) is None:
            continue
        schema, name = table.split(".")
        columns = [c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE database_name = 'a' "
                                             "AND schema_name = ? AND table_name = ? ORDER BY column_index",
                                             [schema, name]).fetchall()
                   if c not in (LEFT_OUT.get(name) or ())]
        select = ", ".join(f'"{c}"' for c in columns)
        n = con.execute(f'SELECT (SELECT count(*) FROM (SELECT {select} FROM a.{schema}."{name}" EXCEPT ALL '
                        f'SELECT {select} FROM b.{schema}."{name}")) + (SELECT count(*) FROM (SELECT {select} '
                        f'FROM b.{schema}."{name}" EXCEPT ALL SELECT {select} FROM a.{schema}."{name}"))').fetchone()[0]
        rows = con.execute(f'SELECT count(*) FROM a.{schema}."{name}"').fetchone()[0]
        if n:
            out.append(f"{table}: {n} rows differ (of {rows})")
    return out


def main() -> int:
    a, b = (Path(p) / "jembatan.duckdb" if Path(p).is_dir() else Path(p) for p in sys.argv[1:3])
    found = differences(a, b)
    for line in found:
        print(line)
    print("the same" if not found else f"{len(found)} tables differ")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

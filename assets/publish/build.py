"""Build every table of a publication into one (staging) DuckDB file, check it, and export it to Parquet.

The SQL in warehouse/sql runs in name order: dimensions, facts, intermediate (TEMP, not published),
marts, the public schema (also published as a file of its own: public.py). The file is only ever
written here, never once published (publication.py).
"""
from __future__ import annotations

import contextlib
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from assets.privacy import load_key
from assets.publish import cell_key, incremental
from assets.publish.dictionary import apply_comments, parse_sql_docs
from assets.storage import is_place, local_copies

SQL_DIR = Path(__file__).resolve().parents[2] / "warehouse" / "sql"
EXPORTED = ("mart_", "dim_", "crime_village_month", "publication")   # main tables also written as Parquet
ID_FORMAT = "%Y%m%dT%H%M%S%fZ"


class PublicationCheckFailed(Exception):
    pass


def duckdb_settings(path: Path) -> str:
    """The build's DuckDB settings: JEMBATAN_DUCKDB_MEMORY_LIMIT (default DuckDB's own, 80% of RAM),
    JEMBATAN_DUCKDB_THREADS (default one per core) and JEMBATAN_DUCKDB_TEMP_DIR (where it spills when
    over the limit; default beside the staging file). Insertion order is not kept: every table that
    needs an order says ORDER BY, and without it DuckDB writes tables in parallel."""
    settings = {"preserve_insertion_order": "false",
                "temp_directory": os.environ.get("JEMBATAN_DUCKDB_TEMP_DIR") or f"{path}.tmp",
                "memory_limit": os.environ.get("JEMBATAN_DUCKDB_MEMORY_LIMIT"),
                "threads": os.environ.get("JEMBATAN_DUCKDB_THREADS")}
    return "; ".join(f"SET {name} = '{value}'" for name, value in settings.items() if value)


def new_publication_id() -> str:
    """UTC build time; sorts in the order publications were made."""
    return datetime.now(timezone.utc).strftime(ID_FORMAT)


@dataclass(frozen=True)
class Reuse:
    """A build that starts from the previous publication (incremental.py): its database file, its
    restricted Parquet folder (or None), and the inputs that changed since it was made."""
    database: Path
    parquet: Path | None
    changed: frozenset[str]
    record_keys: Path | None = None      # the record keys it was made with (cell_key.prepare's `known`)


def build_database(path: Path, inputs: dict[str, pd.DataFrame | Path | list[Path]], tables: dict[str, pd.DataFrame],
                   publication_id: str | None = None, parquet: Path | None = None,
                   pseudonym_key: bytes | None = None, reuse: Reuse | None = None,
                   record_keys: Path | None = None) -> dict[str, int]:
    """inputs (frames, or Parquet files read in place: one or a list) are visible to the SQL as views
    (stg_*, ref_*);
    tables are stored as they are. Returns the row count of every published table (`public.<name>`).
    pseudonym_key (default: the checked key at JEMBATAN_KEY_FILE) makes the public figures' record keys
    (cell_key.py). reuse: start from a copy of the previous publication and make again only the tables
    whose inputs changed (the result is the same as a whole build). record_keys: where to keep the
    crime reports' record keys for the next build (Parquet; secret like the key: owner only).
    Raises PublicationCheckFailed, or KeyRefused without a usable key."""
    publication_id = publication_id or new_publication_id()
    pseudonym_key = load_key() if pseudonym_key is None else pseudonym_key
    if reuse is not None:
        shutil.copyfile(reuse.database, path)
    con = duckdb.connect(str(path))
    copies = contextlib.ExitStack()       # Parquet in object storage: local copies beside the build, while it runs
    try:
        con.execute(duckdb_settings(path))
        for name, frame in inputs.items():
            if isinstance(frame, list) or is_place(frame):
                files = [str(f) for f in copies.enter_context(
                    local_copies(frame if isinstance(frame, list) else [frame], under=path.parent))]
                con.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM read_parquet({files}, union_by_name = true)")
            else:
                con.register(name, frame)
        for name, frame in tables.items():
            if reuse is None or name in reuse.changed:
                con.register("_incoming", frame)
                con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _incoming")
                con.unregister("_incoming")
        published_at = datetime.strptime(publication_id, ID_FORMAT).replace(tzinfo=timezone.utc)
        con.execute("CREATE OR REPLACE TABLE publication AS SELECT ? AS publication_id, "
                    "CAST(? AS TIMESTAMPTZ) AS published_at, ? AS ptable_version",
                    [publication_id, published_at, cell_key.PTABLE_VERSION])
        changed = None if reuse is None else {*reuse.changed, incremental.ALWAYS_NEW}
        known = reuse.record_keys if reuse is not None and reuse.record_keys and reuse.record_keys.exists() else None
        made = run_sql(con, pseudonym_key, changed, known) | {incremental.ALWAYS_NEW, *(changed or tables)}
        if record_keys is not None:
            _keep_record_keys(con, record_keys, known)
        for name, frame in inputs.items():
            if isinstance(frame, pd.DataFrame):
                con.unregister(name)
        counts = table_counts(con)
        _check(con, counts)
        kept = set() if reuse is None else set(counts) - made
        # The Parquet export reads the checked tables on its own cursor while the comments are written:
        # both are many small statements, and DuckDB runs them side by side outside the GIL.
        # The cursor is closed here, in this thread, once the export is done: a DuckDB connection left to be
        # collected in a worker thread aborts the process at interpreter shutdown (duckdb/duckdb#13904).
        cursor = con.cursor() if parquet else None
        try:
            with ThreadPoolExecutor(1) as exporter:
                exported = (exporter.submit(export_parquet, cursor, counts, parquet, kept,
                                            reuse.parquet if reuse else None) if parquet else None)
                apply_comments(con, parse_sql_docs(SQL_DIR), None if reuse is None else set(counts) - kept)
                if exported:
                    exported.result()
        finally:
            if cursor is not None:
                cursor.close()
        con.execute("CHECKPOINT")
    finally:
        con.close()
        copies.close()
    return counts


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT temporary "
                         "AND schema_name IN ('main', 'public') ORDER BY 1, 2").fetchall()
    return {(t if s == "main" else f"{s}.{t}"): con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0]
            for s, t in tables}


def _check(con: duckdb.DuckDBPyConnection, counts: dict[str, int]) -> None:
    """What must hold before anyone sees the build."""
    if not counts.get("dim_village"):
        raise PublicationCheckFailed("dim_village is empty: no reference gazetteer was loaded")
    villages, years = con.execute("SELECT count(DISTINCT village_code), count(DISTINCT year) "
                                  "FROM mart_village_year").fetchone()
    # Every village in every year some source sent; no year at all (no row landed yet) is an empty mart.
    if counts["mart_village_year"] != counts["dim_village"] * years or (years and villages != counts["dim_village"]):
        raise PublicationCheckFailed("mart_village_year is not one row per village and year")
    if counts["public.mart_village_year"] != counts["mart_village_year"]:
        raise PublicationCheckFailed("public.mart_village_year does not cover every village and year")
    orphans = con.execute("SELECT count(*) FROM fact_crime_report f ANTI JOIN dim_village v "
                          "USING (village_code)").fetchone()[0]
    if orphans:
        raise PublicationCheckFailed(f"{orphans} crime reports point at no village in dim_village")
    small = " OR ".join(f"{c} BETWEEN 1 AND {cell_key.THRESHOLD}" for c in cell_key.PUBLIC_COUNTS)
    leaked = con.execute("SELECT (SELECT count(*) FROM public.crime_village_month WHERE crime_count BETWEEN 1 AND "
                         f"{cell_key.THRESHOLD}) + (SELECT count(*) FROM public.mart_village_year WHERE {small})"
                         ).fetchone()[0]
    if leaked:
        raise PublicationCheckFailed(f"{leaked} public crime counts from 1 to {cell_key.THRESHOLD} would be published")


def export_parquet(con: duckdb.DuckDBPyConnection, tables: dict[str, int], folder: Path,
                   kept: set[str] = frozenset(), previous: Path | None = None) -> list[Path]:
    """Marts and dimensions of the restricted (main) schema to <folder>/<table>.parquet. Facts and
    rejections stay in the database: other tools need the marts. The public tables go to their own
    tree (assets/publish/public.py). A table in `kept` (the same rows as in the previous publication)
    is linked from that publication's folder `previous` when it is there."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables:
        if "." in table or not table.startswith(EXPORTED):
            continue
        target = folder / f"{table}.parquet"
        earlier = previous / f"{table}.parquet" if previous is not None else None
        if table in kept and earlier is not None and earlier.is_file():
            _link_or_copy(earlier, target)
        else:
            con.execute(f"COPY \"{table}\" TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
        written.append(target)
    return written


def _link_or_copy(source: Path, target: Path) -> None:
    """The same file under a second name (Parquet files are never written once made)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _keep_record_keys(con: duckdb.DuckDBPyConnection, target: Path, known: Path | None) -> None:
    """The record keys this build used (or, when it made none, those it was given) to `target`, owner only."""
    made = con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = "
                       "'int_crime_record_key'").fetchall()[0][0]
    if made:
        con.execute(f"COPY int_crime_record_key TO '{target}' (FORMAT parquet)").fetchall()
    elif known is not None:
        shutil.copyfile(known, target)
    if target.exists():
        os.chmod(target, 0o600)


def run_sql(con: duckdb.DuckDBPyConnection, pseudonym_key: bytes, changed: set[str] | None,
            known: Path | None = None) -> set[str]:
    """Run warehouse/sql: every statement (changed None: a whole build), or on a copy of the previous
    publication only those reading a name in `changed` or made from one, with the TEMP tables they read
    made first (incremental.py). Returns the tables made anew."""
    plan = incremental.statements(SQL_DIR)
    if changed is None:
        cell_key.prepare(con, pseudonym_key, known)
        for statement in plan:
            con.execute(statement.sql)
        return {s.target for s in plan if s.table and not s.temp}
    return incremental.run_changed(con, plan, changed, lambda: cell_key.prepare(con, pseudonym_key, known))

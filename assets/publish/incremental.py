"""Which tables of a publication a new build must make again, and which it can keep from the current one.

A publication is made by the SQL in warehouse/sql (build.py). Each statement makes one table (or a
macro) from the inputs (stg_*, ref_*, file_register, data_quality_rejection, publication, the cell-key
tables) and the tables made before it. When the previous publication was built by the same code, with
the same key, a table none of whose inputs changed holds the same rows as before: the new
build starts from a copy of the previous publication and runs only the statements whose inputs changed
(and the TEMP tables those need, which a copy does not hold). A new police file thus rebuilds the crime
facts and what is made of them; the program, cooperative, officer and BPS facts are kept.

What each publication was made from is kept beside it (publications/<id>.inputs.json, owner only):
    {"code": <digest of the SQL, the build's code and the key>, "inputs": {name: digest}}
The key enters only through an HMAC of a fixed label, which tells nothing of it.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from assets.incremental import code_files, fingerprint
from assets.publish.cell_key import PTABLE_FILE

# Made by cell_key.prepare before the SQL runs (TEMP); the record keys depend on the crime reports only.
PREPARED = {"int_crime_record_key": ("stg_crime_report",), "ref_perturbation_table": (),
            "ref_disclosure_control": ()}
ALWAYS_NEW = "publication"           # a new id and time in every build
# Where things are and how fast a build runs, not what it makes.
_CREATE = re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(TEMP(?:ORARY)?\s+)?(TABLE|MACRO|VIEW)\s+"
                     r"(?:TABLE\s+)?(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][\w.]*)", re.IGNORECASE)
_NAME = re.compile(r"\b(?:public\.)?[a-z_][a-z0-9_]*\b", re.IGNORECASE)


@dataclass(frozen=True)
class Statement:
    """One SQL statement: the name it makes (None: it makes nothing a later statement reads, e.g. DROP
    or CREATE SCHEMA), whether that is a TEMP table (not kept in the file), and the names it reads."""
    sql: str
    target: str | None
    temp: bool
    table: bool
    reads: frozenset[str]


def statements(sql_dir: Path) -> list[Statement]:
    """Every statement of warehouse/sql/*.sql, in the order the build runs them."""
    out = []
    for path in sorted(sql_dir.glob("*.sql")):
        for parsed in duckdb.extract_statements(path.read_text()):
            sql = parsed.query
            bare = _strip(sql)
            made = _CREATE.match(bare)
            target = made.group(3).lower() if made else None
            names = {n.lower() for n in _NAME.findall(bare)}
            out.append(Statement(sql, target, bool(made and made.group(1)),
                                 bool(made and made.group(2).upper() == "TABLE"), frozenset(names - {target})))
    return out


def _strip(sql: str) -> str:
    """The statement without comments and string literals (whose words are not table names)."""
    sql = re.sub(r"--[^\n]*", " ", sql)
    return re.sub(r"'(?:[^']|'')*'", "''", sql).strip()


def plan(all_statements: list[Statement], changed: set[str]) -> tuple[list[bool], set[str]]:
    """(run each statement?, every name whose content changes), for inputs `changed`. A statement runs
    when it reads a changed name, when it makes no kept table (macros, TEMP tables a running statement
    reads, schema statements), or when it makes a TEMP table that a running statement reads."""
    dirty = set(changed)
    for s in all_statements:
        if s.target and s.reads & dirty:
            dirty.add(s.target)
    run = [not s.table or s.target in dirty for s in all_statements]
    needed: set[str] = set()
    for i in reversed(range(len(all_statements))):
        s = all_statements[i]
        if s.table and s.temp and s.target in needed:
            run[i] = True
        if run[i]:
            needed |= s.reads
    return run, dirty


def prepared_needed(all_statements: list[Statement], run: list[bool]) -> bool:
    """Whether a running statement reads a table cell_key.prepare makes."""
    return any(r and s.reads & PREPARED.keys() for s, r in zip(all_statements, run))


def code_digest(sql_dir: Path, pseudonym_key: bytes) -> str:
    """The SQL, the publishing code, the cell-key table and the key (by HMAC). No JEMBATAN_ setting is in it:
    none changes what a build holds. They say where things are (inbox, warehouse, key, reference lists,
    storage), with what a build runs (DuckDB's threads, memory and temporary folder), how a sync goes (its
    settle time, workers, executor, the files the portal placed whole), how many publications are kept, or
    whether to build whole; a digest over them made a sync with nothing new publish again."""
    key = hmac.new(pseudonym_key, b"jembatan publication inputs v1", hashlib.sha256).hexdigest()
    return fingerprint(*code_files("assets/publish"), *sorted(sql_dir.glob("*.sql")), PTABLE_FILE, key)


def input_digest(value: object) -> str | None:
    """A digest of one input: a frame by its values, Parquet files by name, size and time (they are
    written by atomic rename). None when it cannot be told (then the build is made whole)."""
    try:
        if isinstance(value, pd.DataFrame):
            hashed = pd.util.hash_pandas_object(value, index=False).to_numpy()
            return fingerprint([str(c) for c in value.columns], [str(t) for t in value.dtypes],
                               hashlib.sha256(hashed.tobytes()).hexdigest())
        files = value if isinstance(value, list) else [value]
        return fingerprint(*files)
    except (TypeError, ValueError, OSError):
        return None


def digests(inputs: dict[str, object]) -> dict[str, str | None]:
    return {name: input_digest(value) for name, value in inputs.items()}


def memo_path(database: Path) -> Path:
    return database.with_name(f"{database.stem}.inputs.json")


def write_memo(database: Path, code: str, made_from: dict[str, str | None]) -> Path:
    path = memo_path(database)
    path.write_text(json.dumps({"code": code, "inputs": made_from}, sort_keys=True))
    os.chmod(path, 0o600)
    return path


def changed_inputs(previous_memo: Path, code: str, made_from: dict[str, str | None]) -> set[str] | None:
    """The inputs that differ from those the previous publication was made from; None when it cannot be
    reused (no memo, other code or key, an input added, removed or not comparable)."""
    try:
        memo = json.loads(previous_memo.read_text())
    except (OSError, ValueError):
        return None
    before = memo.get("inputs", {})
    if memo.get("code") != code or set(before) != set(made_from) or None in made_from.values():
        return None
    return {name for name, digest in made_from.items() if before[name] != digest}


# TEMP tables small enough to compare with what the previous publication was made of: a new file that
# adds no year and no province's year leaves them as they were, and what is made of them is kept.
CUT_OFF = ("int_year", "int_source_coverage")
_BEFORE = "_before_"


def run_changed(con: duckdb.DuckDBPyConnection, all_statements: list[Statement], changed: set[str],
                prepare) -> set[str]:
    """On a copy of the previous publication: run the statements that read a changed name (in order),
    each after the TEMP tables it reads (a TEMP table none of whose inputs changed is made from tables
    as they were, whenever it is made). prepare() makes the cell-key TEMP tables (PREPARED). A CUT_OFF
    table made anew with the same rows as before does not count as changed. Returns the kept tables made
    anew (qualified as `public.x`)."""
    by_target = {s.target: s for s in all_statements if s.target and s.table and s.temp}
    dirty = set(changed) | {name for name, reads in PREPARED.items() if set(reads) & changed}
    made_temp: set[str] = set()
    made: set[str] = set()
    before = _cut_off_before(con, by_target)

    def ensure(names: frozenset[str]) -> None:
        for name in sorted(names):
            if name in made_temp:
                continue
            if name in PREPARED:
                prepare()
                made_temp.update(PREPARED)
            elif name in by_target:
                ensure(by_target[name].reads)
                con.execute(by_target[name].sql)
                made_temp.add(name)

    for s in all_statements:
        if s.table and not (s.reads & dirty):
            continue
        ensure(s.reads)
        con.execute(s.sql)
        if s.target is None:
            continue
        if s.temp:
            made_temp.add(s.target)
        if s.target in before and _same_rows(con, s.target, before[s.target]):
            continue
        if s.table or s.reads & dirty:
            dirty.add(s.target)
        if s.table and not s.temp:
            made.add(s.target)
    return made


def _cut_off_before(con: duckdb.DuckDBPyConnection, by_target: dict[str, Statement]) -> dict[str, str]:
    """The CUT_OFF tables as the copied (previous) facts make them, under _before_<name>."""
    before = {}
    for name in CUT_OFF:
        statement = by_target.get(name)
        if statement is None:
            continue
        sql = statement.sql
        for other in CUT_OFF:
            sql = re.sub(rf"\b{other}\b", f"{_BEFORE}{other}", sql)
        con.execute(sql)
        before[name] = f"{_BEFORE}{name}"
    return before


def _same_rows(con: duckdb.DuckDBPyConnection, table: str, earlier: str) -> bool:
    differ = con.execute(f"SELECT (SELECT count(*) FROM (SELECT * FROM {table} EXCEPT ALL SELECT * FROM {earlier})) "
                         f"+ (SELECT count(*) FROM (SELECT * FROM {earlier} EXCEPT ALL SELECT * FROM {table}))"
                         ).fetchall()[0][0]
    return differ == 0

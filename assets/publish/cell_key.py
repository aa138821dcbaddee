"""Disclosure control of the public crime counts: the cell-key method (the UK Office for National
Statistics' method for the 2021 census tables; the Australian Bureau of Statistics' "perturbation"),
with a published perturbation table (p-table) in the shape of the sdcTools `ptable` / `cellKey` packages.

How a published count is made:
- every police report gets a **record key**, an integer 0..R-1 (R = KEY_RANGE = 1000): an HMAC-SHA256
  of its report number under a key derived from the project's pseudonym key (never published), so the
  same report keeps its record key in every release, and nobody without the key can compute it;
- a **cell** (a village, a period, a crime category, ...) holds the reports it counts; its **cell key**
  is the sum of their record keys modulo R;
- the p-table (warehouse/ptable/ptable_<version>.csv, published as `perturbation_table`) maps the true
  count i and the cell key to a perturbation v: the row of i (the last row, I_MAX, for every count
  from I_MAX up) whose interval ckey_from <= cell key < ckey_to holds the key; the published count is
  i + v.

What that guarantees (and what it does not):
- **The same reports give the same published count**, in every table and every release: a cell whose
  reports did not change between two releases shows the same number in both; a yearly count and a
  monthly count made of the same reports show the same number. Differencing two releases, or two
  tables, compares noisy numbers whose noise the reader cannot know.
- **No count from 1 to THRESHOLD is ever published**: such a count is published as 0 or as
  THRESHOLD + 1 (p-table rows 1..THRESHOLD); a published 0 means 0 to THRESHOLD + 1 reports, a
  published THRESHOLD + 1 means 1 to THRESHOLD + 3. A true 0 (no report) is published as 0.
- **Unbiased, bounded noise**: every row has mean perturbation 0; from THRESHOLD + 2 reports on, a
  count moves by at most MAX_PERTURBATION (D) with variance VARIANCE (V) from I_MAX up.
- **Totals are perturbed as cells of their own**, so published tables are **not additive**: a month's
  total is not the sum of its categories, a year is not the sum of its months. Sum the published cells
  only knowing that each carries its own noise; the restricted file has the true figures.
- Every published count has at least two possible true values given the p-table, and every
  relation between published counts (totals and parts, months and years, release and release) leaves
  at least two (tests/test_disclosure_attacker.py plays that attacker). A guess can still be right
  by chance; the reader cannot tell when.
- A key rotation (`jembatan key rotate`) draws every record key anew: releases made before it are
  retired with the old key (assets/key_rotation.py) and must not be handed out beside new ones.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from assets.privacy import hmac_sha256

PTABLE_VERSION = "v1"
PTABLE_FILE = Path(__file__).resolve().parents[2] / "warehouse" / "ptable" / f"ptable_{PTABLE_VERSION}.csv"
KEY_RANGE = 1000            # R: record and cell keys are integers 0..R-1
THRESHOLD = 4               # js: no published count from 1 to this
MAX_PERTURBATION = 2        # D: largest |v| from THRESHOLD + 2 reports on
VARIANCE = 1.0              # V: variance of v from I_MAX reports on
_LABEL = b"jembatan cell key record keys v1"
# The perturbed counts of public.mart_village_year (public.crime_village_month has crime_count).
PUBLIC_COUNTS = ("crime_count", "property_crime_count", "violent_crime_count", "fraud_crime_count",
                 "narcotics_crime_count", "hard_drugs_crime_count", "other_crime_count", "crime_against_msme_count")


@dataclass(frozen=True)
class Row:
    i: int
    j: int
    p: float
    v: int
    ckey_from: int
    ckey_to: int


def ptable(path: Path = PTABLE_FILE) -> list[Row]:
    """The p-table's rows, (i, j, p, v, ckey_from, ckey_to) as in the CSV."""
    with path.open(newline="") as f:
        return [Row(int(r["i"]), int(r["j"]), float(r["p"]), int(r["v"]), int(r["ckey_from"]), int(r["ckey_to"]))
                for r in csv.DictReader(f)]


def i_max(rows: list[Row]) -> int:
    """The last row of the p-table: it serves every count from it up."""
    return max(r.i for r in rows)


def record_key_secret(pseudonym_key: bytes) -> bytes:
    """The key the record keys are made with, derived from (and never revealing) the pseudonym key."""
    return hmac.new(pseudonym_key, _LABEL, hashlib.sha256).digest()


def record_identity(report_number: str) -> str:
    """A police report's identity for its record key: its number, spaces collapsed, upper case."""
    return " ".join(str(report_number).split()).upper()


def record_key(secret: bytes, report_number: str) -> int:
    """The record key 0..KEY_RANGE-1 of a report (secret from record_key_secret())."""
    digest = hmac.new(secret, record_identity(report_number).encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % KEY_RANGE


def record_keys(secret: bytes, report_numbers: list[str]) -> list[int]:
    """record_key() of each report number, the HMACs made in bulk (privacy.hmac_sha256)."""
    return [int.from_bytes(d[:8], "big") % KEY_RANGE
            for d in hmac_sha256(secret, (record_identity(n).encode() for n in report_numbers))]


def cell_key(record_keys) -> int:
    return sum(record_keys) % KEY_RANGE


def perturbation(count: int, key: int, rows: list[Row] | None = None) -> int:
    """v for a cell of `count` reports and cell key `key`; the published count is count + v."""
    rows = rows or ptable()
    if count <= 0:
        return 0
    row_i = min(count, i_max(rows))
    return next(r.v for r in rows if r.i == row_i and r.ckey_from <= key < r.ckey_to)


def published(count: int, key: int, rows: list[Row] | None = None) -> int:
    return count + perturbation(count, key, rows)


def possible_counts(value: int, rows: list[Row] | None = None, up_to: int | None = None) -> set[int]:
    """Every true count the p-table can publish as `value`: what a reader holding only the public
    file can know about a published count."""
    rows = rows or ptable()
    top = i_max(rows)
    out = {r.i for r in rows if r.i < top and r.j == value and r.p > 0}
    out |= {value - r.v for r in rows if r.i == top and r.p > 0 and value - r.v >= top}
    return out if up_to is None else {i for i in out if i <= up_to}


def parameters(rows: list[Row]) -> pd.DataFrame:
    """The method's parameters (all but the key), one row, as published in `disclosure_control`."""
    return pd.DataFrame([{
        "method": "cell key method (ONS / ABS perturbation): record keys, cell key = sum of record keys mod "
                  "key_range, published count = count + v from perturbation_table",
        "ptable_version": PTABLE_VERSION, "key_range": KEY_RANGE, "threshold": THRESHOLD,
        "max_perturbation": MAX_PERTURBATION, "variance": VARIANCE, "last_row_from": i_max(rows),
        "perturbed": "every crime count in crime_village_month and mart_village_year (and the rates and changes "
                     "computed from them); nothing is withheld",
        "additive": False}])


def prepare(con: duckdb.DuckDBPyConnection, pseudonym_key: bytes, known: Path | None = None) -> None:
    """Before the SQL runs: TEMP table int_crime_record_key (report_number, record_key) for every report
    of stg_crime_report, and TEMP tables ref_perturbation_table and ref_disclosure_control (the p-table
    and its parameters) for warehouse/sql/70_public.sql. known: a Parquet file of record keys made
    earlier under the same key (report_number, record_key): only the reports not in it are keyed now
    (an HMAC each, about 3 s per million reports)."""
    secret = record_key_secret(pseudonym_key)
    con.execute("CREATE OR REPLACE TEMP TABLE _report_number AS SELECT DISTINCT CAST(report_number AS VARCHAR) "
                "AS report_number FROM stg_crime_report WHERE report_number IS NOT NULL")
    if known is not None:
        con.execute("CREATE OR REPLACE TEMP TABLE _known_record_key AS SELECT k.report_number, k.record_key "
                    f"FROM read_parquet('{known}') k SEMI JOIN _report_number USING (report_number)")
        numbers = [n for (n,) in con.execute("SELECT report_number FROM _report_number "
                                             "ANTI JOIN _known_record_key USING (report_number)").fetchall()]
    else:
        numbers = [n for (n,) in con.execute("SELECT report_number FROM _report_number").fetchall()]
    keys = pd.DataFrame({"report_number": pd.Series(numbers, dtype=object),
                         "record_key": pd.Series(record_keys(secret, numbers), dtype="int64")})
    con.register("_new_record_key", keys)
    earlier = "SELECT * FROM _known_record_key UNION ALL " if known is not None else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE int_crime_record_key AS {earlier}SELECT * FROM _new_record_key")
    con.unregister("_new_record_key")
    con.execute("DROP TABLE _report_number; DROP TABLE IF EXISTS _known_record_key")
    rows = ptable()
    for name, frame in (("ref_perturbation_table", pd.DataFrame([r.__dict__ for r in rows])),
                        ("ref_disclosure_control", parameters(rows))):
        con.register("_incoming", frame)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _incoming")
        con.unregister("_incoming")

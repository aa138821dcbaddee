"""The public figures are a publication of their own (issue 12, point 6): warehouse/public/
jembatan_public.duckdb and public/parquet/ hold the public tables only, in step with the restricted file,
and an attacker holding every public output recovers no withheld count by differencing."""
from __future__ import annotations

import os
import stat
from collections import defaultdict

import duckdb
import pandas as pd
import pytest

from assets.publish.publication import Warehouse, publish, restore
from tests.publish_fixture import tiny_inputs

PUBLIC_TABLES = {"crime_village_month", "dim_village", "mart_program_reach", "mart_village_year", "publication"}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Warehouse:
    folder = tmp_path_factory.mktemp("public") / "warehouse"
    publish(folder, *tiny_inputs())
    return Warehouse(folder)


def publication_id(path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT publication_id FROM publication").fetchone()[0]
    finally:
        con.close()


def test_the_public_file_and_parquet_hold_only_public_tables(warehouse):
    con = duckdb.connect(str(warehouse.public_database), read_only=True)
    held = {(s, t) for s, t in con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()}
    assert held == {("main", t) for t in PUBLIC_TABLES}
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchone() == (0,)
    assert con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'crime_village_month'").fetchone()[0] \
        .startswith("Crime reports per village, month and category, with small counts")
    con.close()
    current = warehouse.public_parquet / "current"
    assert {p.stem for p in current.iterdir()} == PUBLIC_TABLES
    assert not (warehouse.parquet / "current" / "public").exists()
    assert publication_id(warehouse.public_database) == publication_id(warehouse.database)
    assert os.readlink(current) == os.readlink(warehouse.parquet / "current") == publication_id(warehouse.database)
    assert stat.S_IMODE(warehouse.public_database.stat().st_mode) == 0o644
    assert {stat.S_IMODE(p.stat().st_mode) for p in current.iterdir()} == {0o644}
    assert stat.S_IMODE(warehouse.database.stat().st_mode) == 0o600


def test_restore_brings_the_public_file_back_in_step(tmp_path):
    folder = tmp_path / "warehouse"
    publish(folder, *tiny_inputs())
    warehouse = Warehouse(folder)
    first = warehouse.current_id()
    publish(folder, *tiny_inputs())
    assert publication_id(warehouse.public_database) != first
    restore(folder, first)
    assert publication_id(warehouse.public_database) == publication_id(warehouse.database) == first
    assert os.readlink(warehouse.public_parquet / "current") == first


# -- the attacker ------------------------------------------------------------------------------------
CATEGORIES = ("property", "violent", "fraud", "narcotics", "hard_drugs", "other")


def recover(months: pd.DataFrame, years: pd.DataFrame) -> dict[tuple, float]:
    """Everything a reader of the public tables can work out by subtraction and arithmetic: month cells
    from month totals and from yearly category counts, month totals from yearly totals, yearly counts
    from yearly totals, from last or next year and the change, and from the rates. Keys:
    (village, year, month, category) for a month cell, (village, year, column) for a yearly figure."""
    found: dict[tuple, float] = {}
    cell = {(r.village_code, r.year, r.month, r.crime_category): r.crime_count for r in months.itertuples()}
    published = lambda v: v is not None and not pd.isna(v)    # noqa: E731
    by_month = defaultdict(dict)
    by_category = defaultdict(dict)
    for (v, y, m, c), n in cell.items():
        by_month[(v, y, m)][c] = n
        by_category[(v, y, c)][m] = n

    def solve(total, parts: dict, key_of) -> None:
        """total = sum(parts): one unknown (total or one part) is found when everything else is published."""
        unknown = [k for k, n in parts.items() if not published(n)]
        if published(total) and len(unknown) == 1:
            found[key_of(unknown[0])] = total - sum(n for n in parts.values() if published(n))

    for (v, y, m), cats in by_month.items():        # a month's total and its categories
        parts = {c: n for c, n in cats.items() if c != "total"}
        solve(cats.get("total"), parts, lambda c: (v, y, m, c))
        if not published(cats.get("total")) and all(published(n) for n in parts.values()):
            found[(v, y, m, "total")] = sum(parts.values())
    year = {(r.village_code, r.year): r for r in years.itertuples()}
    for (v, y, c), by_m in by_category.items():     # a yearly count and its months (a missing month is 0)
        column = "crime_count" if c == "total" else f"{c}_crime_count"
        row = year.get((v, y))
        if row is None:
            continue
        solve(getattr(row, column), by_m, lambda m: (v, y, m, c))
        if not published(getattr(row, column)) and all(published(n) for n in by_m.values()):
            found[(v, y, column)] = sum(by_m.values())
    for (v, y), row in year.items():
        parts = {c: getattr(row, f"{c}_crime_count") for c in CATEGORIES}
        solve(row.crime_count, parts, lambda c: (v, y, f"{c}_crime_count"))
        if not published(row.crime_count) and all(published(n) for n in parts.values()):
            found[(v, y, "crime_count")] = sum(parts.values())
        if not published(row.crime_count):
            if published(row.crime_per_1000_people) and published(row.population):
                found[(v, y, "crime_count")] = round(row.crime_per_1000_people * row.population / 1000)
            if published(row.crime_per_100_msme) and published(row.msme_count):
                found[(v, y, "crime_count")] = round(row.crime_per_100_msme * row.msme_count / 100)
        before = year.get((v, y - 1))
        if before is not None and published(row.crime_count_change):
            if published(before.crime_count) and not published(row.crime_count):
                found[(v, y, "crime_count")] = before.crime_count + row.crime_count_change
            if published(row.crime_count) and not published(before.crime_count):
                found[(v, y - 1, "crime_count")] = row.crime_count - row.crime_count_change
    return found


def withheld(truth_months: pd.DataFrame, truth_years: pd.DataFrame, months: pd.DataFrame,
             years: pd.DataFrame) -> dict[tuple, float]:
    """The true value of every figure the public tables withhold (NULL there, a count in the restricted twin)."""
    out = {}
    public_cell = {(r.village_code, r.year, r.month, r.crime_category): r.crime_count for r in months.itertuples()}
    for r in truth_months.itertuples():
        key = (r.village_code, r.year, r.month, r.crime_category)
        if pd.isna(public_cell.get(key)):
            out[key] = r.crime_count
    public_year = years.set_index(["village_code", "year"])
    for r in truth_years.itertuples():
        for column in ("crime_count", *(f"{c}_crime_count" for c in CATEGORIES)):
            if not pd.isna(getattr(r, column)) and pd.isna(public_year.loc[(r.village_code, r.year), column]):
                out[(r.village_code, r.year, column)] = getattr(r, column)
    return out


def restricted_truth(warehouse: Warehouse) -> tuple[pd.DataFrame, pd.DataFrame]:
    con = duckdb.connect(str(warehouse.database), read_only=True)
    try:
        return (con.execute("SELECT * FROM main.crime_village_month").df(),
                con.execute("SELECT * FROM main.mart_village_year").df())
    finally:
        con.close()


def leaks(found: dict, secret: dict) -> list[tuple]:
    return sorted(k for k, v in found.items() if k in secret and round(v) == secret[k])


def test_the_attacker_recovers_no_withheld_count_from_every_public_output(warehouse):
    truth_months, truth_years = restricted_truth(warehouse)
    con = duckdb.connect(str(warehouse.public_database), read_only=True)   # only what is handed out
    from_file = (con.execute("SELECT * FROM crime_village_month").df(), con.execute("SELECT * FROM mart_village_year").df())
    con.close()
    parquet = warehouse.public_parquet / "current"
    from_parquet = tuple(duckdb.sql(f"SELECT * FROM '{parquet / name}.parquet'").df()
                         for name in ("crime_village_month", "mart_village_year"))
    for months, years in (from_file, from_parquet):
        secret = withheld(truth_months, truth_years, months, years)
        assert len(secret) >= 8                  # the fixture has small sensitive counts to hide
        assert leaks(recover(months, years), secret) == []


def test_the_attacker_would_recover_counts_hidden_by_primary_suppression_alone(warehouse):
    """The attacker is not toothless: with only the small cells blanked and every total left, it finds them."""
    truth_months, truth_years = restricted_truth(warehouse)
    con = duckdb.connect(str(warehouse.public_database), read_only=True)
    months = con.execute("SELECT * FROM crime_village_month").df()
    con.close()
    naive = truth_months.copy()
    small = months.set_index(["village_code", "year", "month", "crime_category"])["suppression"].eq("small count")
    mask = naive.set_index(["village_code", "year", "month", "crime_category"]).index.map(small.to_dict()).fillna(False)
    naive.loc[mask.astype(bool), "crime_count"] = None
    secret = withheld(truth_months, truth_years, naive, truth_years)
    assert set(leaks(recover(naive, truth_years), secret)) == set(secret) and secret

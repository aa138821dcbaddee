"""The public figures are a publication of their own (issue 12, point 6): warehouse/public/
jembatan_public.duckdb and public/parquet/ hold the public tables only, in step with the restricted file
(the attacker over several releases: test_disclosure_attacker.py)."""
from __future__ import annotations

import os
import stat

import duckdb
import pytest

from assets.publish.publication import Warehouse, publish, restore
from tests.publish_fixture import tiny_inputs

PUBLIC_TABLES = {"crime_village_month", "dim_village", "mart_program_reach", "mart_village_year", "publication",
                 "perturbation_table", "disclosure_control"}


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
        .startswith("Crime reports per village, month and category, perturbed by the cell-key method")
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
    second = warehouse.current_id()
    assert [p.name for p in warehouse.earlier_public_parquet.iterdir()] == [first]     # owner only, not handed out
    restore(folder, first)
    assert publication_id(warehouse.public_database) == publication_id(warehouse.database) == first
    assert os.readlink(warehouse.public_parquet / "current") == first
    assert sorted(p.name for p in warehouse.public_parquet.iterdir()) == sorted([first, "current"])
    assert [p.name for p in warehouse.earlier_public_parquet.iterdir()] == [second]
    assert {stat.S_IMODE(p.stat().st_mode) for p in (warehouse.public_parquet / first).iterdir()} == {0o644}

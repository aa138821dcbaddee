"""The bundled sample data, synced end to end, against the ground truth its generator wrote."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.cli import main
from sample_data.generate import generate

MEASURES = ["population", "msme_micro", "msme_small", "msme_medium", "msme_count", "crime_count",
            "narcotics_crime_count", "crime_against_msme_count", "program_participants", "program_amount",
            "bhabinkamtibmas_officers", "bhabinkamtibmas_activities"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    generate(out)
    return out


@pytest.fixture(scope="module")
def warehouse(sample, tmp_path_factory) -> Path:
    warehouse = tmp_path_factory.mktemp("warehouse")
    assert main(["sync", "--inbox", str(sample / "inbox"), "--warehouse", str(warehouse)]) == 0
    return warehouse


@pytest.fixture(scope="module")
def con(warehouse):
    connection = duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True)
    yield connection
    connection.close()


def test_dim_village_holds_both_areas(con):
    counts = dict(con.execute("SELECT province_code, count(*) FROM dim_village GROUP BY 1").fetchall())
    assert counts == {"19": 393, "35": 328}
    types = dict(con.execute("SELECT village_type, count(*) FROM dim_village WHERE province_code = '19' "
                             "GROUP BY 1").fetchall())
    assert types == {"kelurahan": 84, "desa": 309}
    assert con.execute("SELECT count(*) FROM dim_village WHERE bps_code IS NULL").fetchone()[0] == 0


def test_published_totals_of_province_19(con, sample):
    truth = json.loads((sample / "ground_truth" / "totals.json").read_text())["province_19"]
    totals = dict(((measure, year), value) for measure, year, value in con.execute(
        "SELECT measure, year, total FROM (UNPIVOT (SELECT year, sum(crime_count) AS crime_count, "
        "sum(msme_count) AS msme_count FROM mart_village_year WHERE province_code = '19' GROUP BY year) "
        "ON crime_count, msme_count INTO NAME measure VALUE total)").fetchall())
    assert totals[("crime_count", 2021)] == 1566 and totals[("crime_count", 2023)] == 2155
    assert totals[("msme_count", 2022)] == 189931 and totals[("msme_count", 2024)] == 214290
    for measure in ("crime_count", "msme_count"):
        for year, value in truth[measure].items():
            assert totals[(measure, int(year))] == value, (measure, year)
    assert con.execute("SELECT count(DISTINCT village_code) FROM fact_village_cooperative "
                       "WHERE village_code LIKE '19.%'").fetchone()[0] == 393


def test_mart_village_year_equals_ground_truth(con, sample):
    truth = pd.read_csv(sample / "ground_truth" / "village_year.csv", dtype={"village_code": str})
    mart = con.execute(f"SELECT village_code, year, {', '.join(MEASURES)} FROM mart_village_year").df()
    assert len(mart) == len(truth) == 721 * 5
    merged = truth.merge(mart, on=["village_code", "year"], suffixes=("_truth", "_mart"), how="outer",
                         indicator=True)
    assert (merged["_merge"] == "both").all()
    for measure in MEASURES:
        expected, got = merged[f"{measure}_truth"], merged[f"{measure}_mart"].astype("float64")
        differs = ~((expected.isna() & got.isna()) | (expected == got))
        assert not differs.any(), (measure, merged.loc[differs, ["village_code", "year", f"{measure}_truth",
                                                                 f"{measure}_mart"]].head(10).to_dict("records"))


def test_rejected_rows_equal_ground_truth(con, sample):
    truth = pd.read_csv(sample / "ground_truth" / "rejected_rows.csv", dtype={"sheet": str}, keep_default_na=False)
    expected = {(r.file_name, r.sheet, int(r.row), r.code) for r in truth.itertuples()}
    got = set(con.execute('SELECT DISTINCT file_name, sheet, "row", code FROM data_quality_rejection').fetchall())
    assert got == expected


def test_data_quality_reconciles_every_file(con):
    rows = con.execute("SELECT file_name, rows_read, rows_accepted, rows_rejected, rows_skipped "
                       "FROM mart_data_quality").fetchall()
    assert len(rows) == 10
    for name, read, accepted, rejected, skipped in rows:
        assert read == accepted + rejected + skipped, name
        assert 0 < rejected < 0.03 * read, name


def test_no_personal_data_in_published_tables(con, sample):
    tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    text_columns = {t: [c for (c, dtype) in con.execute(f"SELECT column_name, data_type FROM duckdb_columns() "
                                                         f"WHERE table_name = '{t}'").fetchall() if dtype == "VARCHAR"]
                    for t in tables}
    for table, columns in text_columns.items():
        for column in columns:
            hits = con.execute(f'SELECT count(*) FROM "{table}" WHERE regexp_matches("{column}", '
                               r"'(^|\D)\d{16}(\D|$)')").fetchone()[0]
            assert hits == 0, (table, column)
    assert not {"nik", "owner_name", "phone", "victim_name", "suspect_name", "officer_name", "nrp"} & {
        c for (c,) in con.execute("SELECT DISTINCT column_name FROM duckdb_columns()").fetchall()}


def test_second_sync_of_the_same_files_counts_them_once(sample, warehouse, con, tmp_path):
    again = tmp_path / "inbox"
    shutil.copytree(sample / "inbox", again)
    first = next((again / "polda").iterdir())
    shutil.copy(first, first.with_name("copy of " + first.name))
    before = con.execute("SELECT sum(crime_count), sum(msme_count), count(*) FROM mart_village_year").fetchone()
    assert main(["sync", "--inbox", str(again), "--warehouse", str(warehouse)]) == 0
    after = duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True)
    assert after.execute("SELECT sum(crime_count), sum(msme_count), count(*) FROM mart_village_year").fetchone() == before
    assert after.execute("SELECT count(*) FROM file_register").fetchone()[0] == 10
    after.close()

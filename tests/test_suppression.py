"""The public schema: small counts of sensitive crimes withheld, and every total that would give one
back withheld too. Values from tests/publish_fixture.py (village A, 2023: property 1 in January,
property 1 + violent 1 in February, narcotics 5 in March, hard drugs 1 in April)."""
from __future__ import annotations

import duckdb
import pytest

from assets.publish.build import build_database
from tests.publish_fixture import A, B, C, tiny_inputs


def build(tmp_path, threshold):
    path = tmp_path / f"t{threshold}.duckdb"
    build_database(path, *tiny_inputs(), publication_id="20240301T000000000000Z", threshold=threshold)
    return duckdb.connect(str(path), read_only=True)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = build(tmp_path_factory.mktemp("suppression"), 4)
    yield connection
    connection.close()


def month(con, schema, village, year, month_):
    return con.execute(f"SELECT crime_category, crime_count, is_suppressed, suppression FROM {schema}.crime_village_month "
                       "WHERE village_code = ? AND year = ? AND month = ? AND (crime_count <> 0 OR is_suppressed) "
                       "ORDER BY crime_category", [village, year, month_]).fetchall()


def test_primary_small_sensitive_counts_withheld_and_totals_with_them(con):
    assert month(con, "public", A, 2023, 2) == [
        ("property", 1, False, None),                     # not sensitive: published
        ("total", None, True, "total includes a withheld count"),
        ("violent", None, True, "small count")]
    assert month(con, "public", A, 2023, 3) == [("narcotics", 5, False, None), ("total", 5, False, None)]
    assert month(con, "public", A, 2023, 1) == [("property", 1, False, None), ("total", 1, False, None)]
    # 'other' (a crime type nobody categorised) is treated as sensitive
    assert month(con, "public", C, 2023, 8) == [
        ("other", None, True, "small count"), ("property", 2, False, None),
        ("total", None, True, "total includes a withheld count")]


def test_restricted_twin_keeps_full_figures(con):
    assert month(con, "main", A, 2023, 2) == [("property", 1, False, None), ("total", 2, False, None),
                                              ("violent", 1, False, None)]


def test_yearly_figures_that_include_a_withheld_month_are_withheld(con):
    public = con.execute("SELECT year, crime_count, property_crime_count, violent_crime_count, narcotics_crime_count, "
                         "hard_drugs_crime_count, crime_against_msme_count, crime_per_1000_people, crime_count_change, "
                         "msme_count, suppressed_columns FROM public.mart_village_year WHERE village_code = ? "
                         "ORDER BY year", [A]).fetchall()
    assert public == [
        (2021, None, 1, 0, None, 0, None, None, None, 100,
         "crime_count, crime_against_msme_count, crime_per_1000_people, crime_per_100_msme, narcotics_crime_count, "
         "crime_count_change, crime_count_change_pct"),
        # 2022 holds nothing small, but its change on 2021 would give 2021's total back
        (2022, 1, 0, 0, 0, 0, 0, 0.488, None, 110, "crime_count_change, crime_count_change_pct"),
        (2023, None, 2, None, 5, None, None, None, None, 120,
         "crime_count, crime_against_msme_count, crime_per_1000_people, crime_per_100_msme, violent_crime_count, "
         "hard_drugs_crime_count, crime_count_change, crime_count_change_pct")]
    assert con.execute("SELECT crime_count, fraud_crime_count, suppressed_columns FROM public.mart_village_year "
                       "WHERE village_code = ? AND year = 2021", [B]).fetchall() == [(2, 2, None)]


def test_no_published_total_contains_a_withheld_count(con):
    """The secondary rule as an invariant: a published total minus published parts never leaves a withheld cell."""
    assert con.execute("""
        SELECT count(*) FROM public.crime_village_month t JOIN public.crime_village_month c
          USING (village_code, year, month)
        WHERE t.crime_category = 'total' AND NOT t.is_suppressed AND c.is_suppressed""").fetchone() == (0,)
    for category in ("property", "violent", "fraud", "narcotics", "hard_drugs", "other"):
        assert con.execute(f"""
            SELECT count(*) FROM public.mart_village_year y JOIN public.crime_village_month c
              ON c.village_code = y.village_code AND c.year = y.year AND c.crime_category = '{category}'
            WHERE c.is_suppressed AND y.{category}_crime_count IS NOT NULL""").fetchone() == (0,), category
    assert con.execute("""
        SELECT count(*) FROM public.mart_village_year y JOIN public.crime_village_month c USING (village_code, year)
        WHERE c.is_suppressed AND (y.crime_count IS NOT NULL OR y.crime_against_msme_count IS NOT NULL)""").fetchone() == (0,)


def test_threshold_is_configurable(tmp_path):
    strict = build(tmp_path, 5)
    assert month(strict, "public", A, 2023, 3) == [("narcotics", None, True, "small count"),
                                                   ("total", None, True, "total includes a withheld count")]
    assert strict.execute("SELECT suppression_threshold FROM publication").fetchone() == (5,)
    off = build(tmp_path, 0)
    assert off.execute("SELECT count(*) FROM public.crime_village_month WHERE is_suppressed").fetchone() == (0,)
    assert off.execute("SELECT count(*) FROM public.mart_village_year p JOIN mart_village_year m "
                       "USING (village_code, year) WHERE p.crime_count IS DISTINCT FROM m.crime_count").fetchone() == (0,)

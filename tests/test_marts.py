"""Each mart against values worked out by hand from tests/publish_fixture.py."""
from __future__ import annotations

import duckdb
import pytest

from assets.publish.build import build_database
from tests.publish_fixture import A, B, C, tiny_inputs

PUBLISHED = "20240301T000000000000Z"     # fixed, so freshness in days is fixed


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("marts") / "jembatan.duckdb"
    build_database(path, *tiny_inputs(), publication_id=PUBLISHED, )
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


def rows(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()


def test_village_year_crimes_by_category_and_rates(con):
    assert rows(con, "SELECT crime_count, property_crime_count, violent_crime_count, fraud_crime_count, "
                     "narcotics_crime_count, hard_drugs_crime_count, other_crime_count, crime_against_msme_count, "
                     "crime_per_1000_people, crime_per_100_msme FROM mart_village_year "
                     "WHERE village_code = ? AND year = 2023", A) == [(9, 2, 1, 0, 5, 1, 0, 1, 4.286, 7.5)]
    # "Pencurian Hewan" is in no category: other
    assert rows(con, "SELECT crime_count, property_crime_count, other_crime_count FROM mart_village_year "
                     "WHERE village_code = ? AND year = 2023", C) == [(3, 2, 1)]


def test_village_year_programs_cooperatives_officers(con):
    assert rows(con, "SELECT program_participants, program_amount, program_kur_participants, program_kur_amount, "
                     "program_training_participants, program_qris_participants, program_halal_participants, "
                     "program_reach_share, is_program_dry_spot, cooperatives, cooperative_members "
                     "FROM mart_village_year WHERE village_code = ? AND year = 2022", A) == [
        (2, 10_000_000.0, 1, 10_000_000.0, 1, 1, 0, 0.0182, False, 1, 25)]
    # 2021: no program list covered the province (NULL); the cooperative did not exist yet (0)
    assert rows(con, "SELECT program_participants, program_kur_participants, is_program_dry_spot, cooperatives, "
                     "bhabinkamtibmas_officers FROM mart_village_year WHERE village_code = ? AND year = 2021", A) == [
        (None, None, None, 0, None)]
    assert rows(con, "SELECT year, bhabinkamtibmas_officers, bhabinkamtibmas_own_officers, bhabinkamtibmas_activities "
                     "FROM mart_village_year WHERE village_code = ? ORDER BY year", B) == [
        (2021, None, None, None), (2022, 1, 1, None), (2023, 1, 0, 0)]


def test_village_year_changes_on_the_year_before(con):
    assert rows(con, "SELECT year, msme_count_change, msme_count_change_pct, crime_count_change, "
                     "crime_count_change_pct, population_change, program_participants_change "
                     "FROM mart_village_year WHERE village_code = ? ORDER BY year", A) == [
        (2021, None, None, None, None, None, None), (2022, 10, 10.0, -1, -50.0, 50, None),
        (2023, 10, 9.09, 8, 800.0, 50, -1)]
    # from 0 crimes: a change, no percentage
    assert rows(con, "SELECT crime_count_change, crime_count_change_pct FROM mart_village_year "
                     "WHERE village_code = ? AND year = 2023", B) == [(1, None)]


def test_growth_without_security_per_village(con):
    assert rows(con, "SELECT village_code, msme_from, msme_to, msme_growth_pct, crime_from, crime_to, "
                     "crime_growth_pct, grew_together, program_participants, program_reached, programs "
                     "FROM mart_growth_without_security WHERE from_year = 2021 AND to_year = 2023 "
                     "ORDER BY village_code") == [
        (A, 100, 120, 20.0, 2, 9, 350.0, True, 3, True, "KUR, Pelatihan, QRIS"),
        (B, 50, 45, -10.0, 2, 1, -50.0, False, 0, False, None),
        (C, 30, 33, 10.0, 0, 3, None, True, 0, False, None)]
    pairs = rows(con, "SELECT DISTINCT from_year, to_year FROM mart_growth_without_security ORDER BY ALL")
    assert pairs == [(2021, 2022), (2021, 2023), (2022, 2023)]


def test_growth_without_security_rolled_up(con):
    assert rows(con, "SELECT district_code, villages, villages_grew_together, villages_grew_together_reached, "
                     "villages_grew_together_not_reached, share_grew_together, msme_from, msme_to, crime_from, "
                     "crime_to, crime_growth_pct, grew_together FROM mart_growth_without_security_district "
                     "WHERE from_year = 2021 AND to_year = 2023 ORDER BY district_code") == [
        ("19.01.01", 2, 1, 1, 0, 0.5, 150, 165, 4, 10, 150.0, True),
        ("19.01.02", 1, 1, 0, 1, 1.0, 30, 33, 0, 3, None, True)]
    assert rows(con, "SELECT regency_code, villages, villages_grew_together, villages_grew_together_not_reached, "
                     "msme_growth_pct, crime_growth_pct FROM mart_growth_without_security_regency "
                     "WHERE from_year = 2021 AND to_year = 2023") == [("19.01", 3, 2, 1, 10.0, 225.0)]


def test_program_reach_and_dry_spots(con):
    assert rows(con, "SELECT program, participants, amount, msme_count, reach_share, village_participants "
                     "FROM mart_program_reach WHERE village_code = ? AND year = 2022 AND participants > 0 "
                     "ORDER BY program", A) == [
        ("KUR", 1, 10_000_000.0, 110, 0.0091, 2), ("Pelatihan", 1, 0.0, 110, 0.0091, 2),
        ("QRIS", 1, 0.0, 110, 0.0091, 2)]
    assert rows(con, "SELECT count(*) FROM mart_program_reach") == [(3 * 2 * 6,)]  # villages x program years x programs
    assert rows(con, "SELECT DISTINCT village_code, year, is_dry_spot, never_reached FROM mart_program_reach "
                     "WHERE is_dry_spot ORDER BY ALL") == [
        (B, 2022, True, True), (B, 2023, True, True), (C, 2022, True, True), (C, 2023, True, True)]


def test_bhabinkamtibmas_coverage(con):
    assert rows(con, "SELECT village_code, officers, own_officers, has_own_officer, max_villages_per_officer, "
                     "activities, visits, narcotics_prevention, msme_assistance, narcotics_crime_count, "
                     "narcotics_without_prevention FROM mart_bhabinkamtibmas_coverage WHERE year = 2023 "
                     "ORDER BY village_code") == [
        (A, 1, 1, True, 1, 3, 2, 1, 0, 5, False), (B, 1, 0, False, 2, 0, 0, 0, 0, 0, False),
        (C, 1, 0, False, 2, 1, 0, 0, 1, 0, False)]
    # 2022 had a roster and no activity log: activities unknown, not zero; C had no officer at all
    assert rows(con, "SELECT village_code, has_officer, activities, narcotics_without_prevention "
                     "FROM mart_bhabinkamtibmas_coverage WHERE year = 2022 ORDER BY village_code") == [
        (A, True, None, None), (B, True, None, None), (C, False, None, None)]


def test_data_quality_freshness_and_match_shares(con):
    assert rows(con, "SELECT rows_read, rows_accepted, rows_rejected, rows_unplaced, rows_placed, "
                     "share_matched_by_name, first_year, last_year, latest_record_date::VARCHAR, "
                     "days_since_received, days_since_latest_record FROM mart_data_quality "
                     "WHERE source_file = 'sha-crime_report'") == [
        (20, 19, 1, 1, 19, 1.0, 2021, 2023, "2023-08-03", 60, 211)]
    # Ingest accepted every crime report; one could not be placed, so the file is partially accepted,
    # as its agency report says.
    assert rows(con, "SELECT f.status, m.status FROM mart_data_quality m JOIN file_register f "
                     "ON f.sha256 = m.source_file WHERE f.sha256 = 'sha-crime_report'") == [
        ("accepted", "partially_accepted")]
    assert rows(con, "SELECT status, count(*) FROM mart_data_quality GROUP BY ALL") == [("partially_accepted", 6)]


def test_dimensions(con):
    assert rows(con, "SELECT count(*), min(date)::VARCHAR, max(date)::VARCHAR FROM dim_date") == [
        (1095, "2021-01-01", "2023-12-31")]
    assert rows(con, "SELECT month_name, day_of_week FROM dim_date WHERE date = DATE '2023-08-17'") == [
        ("Agustus", 4)]
    assert rows(con, "SELECT village_code, bps_code, district_name FROM dim_village ORDER BY 1") == [
        (A, "1901050001", "Sungai Jaya"), (B, "1901050002", "Sungai Jaya"), (C, "1901031001", "Mendo")]


def test_every_fact_row_traceable_to_file_and_row(con):
    for (table,) in rows(con, "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'fact_%'"):
        untraced = rows(con, f"SELECT count(*) FROM {table} WHERE source_row IS NULL OR source_sheet IS NULL "
                             "OR source_file NOT IN (SELECT sha256 FROM file_register)")
        assert untraced == [(0,)], table


def test_sync_summary_counts_each_row_once(con):
    """The crime file: 20 rows read, 19 landed, 1 not placed (counted once, as rejected)."""
    from pipelines.summary import summary_lines
    database = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
    line = next(x for x in summary_lines(database) if x.startswith("polda"))
    files, new, received, landed, rejected, share, flagged = line.split()[1:]
    assert (int(received), int(landed), int(rejected), int(flagged)) == (
        con.execute("SELECT sum(rows_read - rows_skipped), sum(rows_accepted), sum(rows_rejected), sum(rows_flagged) "
                    "FROM mart_data_quality WHERE source = 'polda'").fetchone())
    assert int(landed) + int(rejected) == int(received)


def test_english_crime_types_are_categorised(con):
    assert rows(con, "SELECT crime_type_key, crime_category FROM dim_crime_category WHERE crime_type_key IN "
                     "('theft', 'fraud', 'narcotics', 'assault', 'motorcycle theft') ORDER BY 1") == [
        ("assault", "violent"), ("fraud", "fraud"), ("motorcycle theft", "property"), ("narcotics", "narcotics"),
        ("theft", "property")]

"""The public crime counts under the cell-key method (assets/publish/cell_key.py): the p-table keeps its
promises, the build publishes exactly what the p-table says for each cell's key, the same reports give the
same published count in every table, and the method's parameters travel in the public schema.
Values from tests/publish_fixture.py (village A, 2023: property 1 in January, property 1 + violent 1 in
February, narcotics 5 in March, hard drugs 1 in April) built with a fixed test key."""
from __future__ import annotations

from collections import defaultdict

import duckdb
import pytest

from assets.publish import cell_key
from assets.publish.build import build_database
from tests.publish_fixture import A, B, C, CRIMES, tiny_inputs

TEST_KEY = bytes(range(32))
ROWS = cell_key.ptable()


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("cellkey") / "t.duckdb"
    build_database(path, *tiny_inputs(), publication_id="20240301T000000000000Z", pseudonym_key=TEST_KEY)
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


def test_the_ptable_keeps_its_promises():
    by_i = defaultdict(list)
    for row in ROWS:
        by_i[row.i].append(row)
    assert sorted(by_i) == list(range(cell_key.i_max(ROWS) + 1)) == list(range(8))
    for i, rows in by_i.items():
        rows.sort(key=lambda r: r.ckey_from)
        assert rows[0].ckey_from == 0 and rows[-1].ckey_to == cell_key.KEY_RANGE       # every cell key served
        assert all(a.ckey_to == b.ckey_from for a, b in zip(rows, rows[1:]))
        assert all(abs(r.p - (r.ckey_to - r.ckey_from) / cell_key.KEY_RANGE) < 1e-9 and r.j == r.i + r.v for r in rows)
        assert abs(sum(r.p * r.v for r in rows)) < 1e-9, i                      # unbiased
        assert not any(1 <= r.j <= cell_key.THRESHOLD for r in rows), i          # no small count published
        if i > cell_key.THRESHOLD + 1:
            assert max(abs(r.v) for r in rows) <= cell_key.MAX_PERTURBATION
    top = by_i[cell_key.i_max(ROWS)]
    assert abs(sum(r.p * r.v * r.v for r in top) - cell_key.VARIANCE) < 1e-9
    # what a reader knows from one published count: never a single value
    for value in range(0, 40):
        possible = cell_key.possible_counts(value, ROWS)
        assert value in range(1, 5) and not possible or len(possible) >= 2, value
    assert cell_key.possible_counts(0) == {0, 1, 2, 3, 4, 5}
    assert cell_key.possible_counts(5) == {1, 2, 3, 4, 5, 6, 7}
    assert cell_key.possible_counts(20) == {18, 19, 20, 21, 22}


def test_record_keys_are_keyed_stable_and_uniform():
    secret = cell_key.record_key_secret(TEST_KEY)
    assert cell_key.record_key(secret, "LP/B/1/2023/SPKT/POLRES BANGKA") == \
        cell_key.record_key(secret, " lp/b/1/2023/spkt/polres  bangka ")
    other = cell_key.record_key_secret(bytes(32 * [7]))
    numbers = [f"LP/B/{n}/2023/SPKT/POLRES BANGKA" for n in range(20_000)]
    keys = [cell_key.record_key(secret, n) for n in numbers]
    assert sum(k == cell_key.record_key(other, n) for k, n in zip(keys, numbers[:2000])) < 20   # another key, other keys
    counts = [0] * 10
    for k in keys:
        counts[k * 10 // cell_key.KEY_RANGE] += 1
    assert all(1800 < c < 2200 for c in counts), counts


def expected(village, year, month=None, category=None, against_msme=False) -> int:
    """The published count worked out in Python from the report numbers, the key and the p-table CSV."""
    secret = cell_key.record_key_secret(TEST_KEY)
    category_of = {"Curat": "property", "Curanmor": "property", "Penganiayaan": "violent", "KDRT": "violent",
                   "Narkotika": "narcotics", "Obat Keras Berbahaya": "hard_drugs", "Penipuan": "fraud",
                   "Pencurian Hewan": "other"}
    keys = [cell_key.record_key(secret, f"LP/B/{n}/2023/SPKT/POLRES BANGKA")
            for n, (v, day, kind, victim) in enumerate(CRIMES, start=1)
            if v == village and int(day[:4]) == year and (month is None or int(day[5:7]) == month)
            and (category is None or category_of[kind] == category)
            and (not against_msme or "UMKM" in victim)]
    return cell_key.published(len(keys), cell_key.cell_key(keys), ROWS)


def public_month(con, village, year, month):
    return dict(con.execute("SELECT crime_category, crime_count FROM public.crime_village_month "
                            "WHERE village_code = ? AND year = ? AND month = ?", [village, year, month]).fetchall())


def test_published_counts_are_what_the_ptable_says_for_each_cell(con):
    assert public_month(con, A, 2023, 3) == {"narcotics": 5, "total": 5}                     # 5 reports
    assert expected(A, 2023, 3, "narcotics") == expected(A, 2023, 3) == 5
    assert public_month(con, A, 2023, 2) == {"total": 5}                 # property 1, violent 1 -> 0, 0; total 2 -> 5
    assert (expected(A, 2023, 2, "property"), expected(A, 2023, 2, "violent"), expected(A, 2023, 2)) == (0, 0, 5)
    assert public_month(con, A, 2023, 1) == {} and expected(A, 2023, 1) == 0             # one report published as 0
    year = con.execute("SELECT crime_count, property_crime_count, violent_crime_count, narcotics_crime_count, "
                       "hard_drugs_crime_count, crime_against_msme_count, crime_per_1000_people, crime_count_change "
                       "FROM public.mart_village_year WHERE village_code = ? AND year = 2023", [A]).fetchone()
    assert year == (9, 5, 0, 5, 0, 0, 4.286, 4)
    assert year[:6] == (expected(A, 2023), expected(A, 2023, None, "property"), expected(A, 2023, None, "violent"),
                        expected(A, 2023, None, "narcotics"), expected(A, 2023, None, "hard_drugs"),
                        expected(A, 2023, against_msme=True))
    # the true figures stay in main: 9 reports, of them 2 property, 1 violent, 5 narcotics, 1 hard drugs
    assert con.execute("SELECT crime_count, property_crime_count, violent_crime_count, narcotics_crime_count, "
                       "hard_drugs_crime_count FROM main.mart_village_year WHERE village_code = ? AND year = 2023",
                       [A]).fetchone() == (9, 2, 1, 5, 1)


def test_the_same_reports_give_the_same_count_in_every_table(con):
    # A's one 2021 narcotics report is its March 2021 narcotics cell and its 2021 narcotics year: one published value
    month = public_month(con, A, 2021, 3)
    year = con.execute("SELECT narcotics_crime_count FROM public.mart_village_year WHERE village_code = ? "
                       "AND year = 2021", [A]).fetchone()[0]
    assert month["narcotics"] == year == expected(A, 2021, 3, "narcotics") == 5
    # A's five March 2023 narcotics reports: the month cell, the month total and the yearly narcotics count
    assert public_month(con, A, 2023, 3)["narcotics"] == public_month(con, A, 2023, 3)["total"] == \
        con.execute("SELECT narcotics_crime_count FROM public.mart_village_year WHERE village_code = ? AND year = 2023",
                    [A]).fetchone()[0]
    cells = con.execute("""
        SELECT count(*) FROM public.crime_village_month t JOIN public.crime_village_month c USING (village_code, year, month)
        JOIN main.crime_village_month mt ON mt.village_code = t.village_code AND mt.year = t.year AND mt.month = t.month
             AND mt.crime_category = 'total'
        JOIN main.crime_village_month mc ON mc.village_code = c.village_code AND mc.year = c.year AND mc.month = c.month
             AND mc.crime_category = c.crime_category
        WHERE t.crime_category = 'total' AND c.crime_category <> 'total' AND mt.crime_count = mc.crime_count
              AND t.crime_count <> c.crime_count""").fetchone()
    assert cells == (0,)


def test_no_count_from_1_to_the_threshold_is_public_and_nothing_is_withheld(con):
    assert con.execute("SELECT count(*) FROM public.crime_village_month WHERE crime_count BETWEEN 1 AND 4 "
                       "OR crime_count IS NULL").fetchone() == (0,)
    columns = " OR ".join(f"{c} BETWEEN 1 AND 4" for c in cell_key.PUBLIC_COUNTS)
    assert con.execute(f"SELECT count(*) FROM public.mart_village_year WHERE {columns}").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM public.mart_village_year WHERE crime_count IS NULL").fetchone() == (0,)
    # B's 2021 fraud: 2 reports; village C, August 2023: property 2, 'other' 1 (no category names Pencurian Hewan)
    assert con.execute("SELECT fraud_crime_count, crime_count FROM public.mart_village_year WHERE village_code = ? "
                       "AND year = 2021", [B]).fetchone() == (expected(B, 2021, None, "fraud"), expected(B, 2021))
    assert public_month(con, C, 2023, 8) == {k: v for k, v in {"property": expected(C, 2023, 8, "property"),
                                                                "other": expected(C, 2023, 8, "other"),
                                                                "total": expected(C, 2023, 8)}.items() if v}


def test_the_method_and_its_parameters_are_in_the_public_schema(con):
    assert con.execute("SELECT i, j, p, v, ckey_from, ckey_to FROM public.perturbation_table ORDER BY i, j"
                       ).fetchall() == [(r.i, r.j, r.p, r.v, r.ckey_from, r.ckey_to) for r in
                                        sorted(ROWS, key=lambda r: (r.i, r.j))]
    assert con.execute("SELECT ptable_version, key_range, threshold, max_perturbation, variance, last_row_from, "
                       "additive FROM public.disclosure_control").fetchall() == [("v1", 1000, 4, 2, 1.0, 7, False)]
    # neither the key nor any record or cell key is published
    columns = {c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE schema_name = 'public'").fetchall()}
    assert not columns & {"record_key", "cell_key", "key_sum", "report_number"}
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '%record_key%' "
                       "OR table_name LIKE '%public_cell%'").fetchone() == (0,)

"""The bundled sample, synced and published: no personal data in any published table or Parquet file,
the suppression invariant at scale, every column documented, and docs/data_dictionary.md current."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from assets.publish.build import SQL_DIR
from assets.publish.dictionary import parse_sql_docs, render_markdown, undocumented
from pipelines.cli import main
from pipelines.commands.dictionary import DEFAULT_OUT
from schemas import DATASETS
from tests.test_end_to_end import con, sample, warehouse  # noqa: F401  (fixtures: the sample synced once)

NIK_SHAPED = r"(^|\D)\d{16}(\D|$)"


def personal_values(inbox: Path) -> set[str]:
    """Every value the agencies' workbooks hold under a header the schemas declare personal."""
    headers = {alias.lower() for d in DATASETS.values() for c in d.columns if c.personal for alias in c.aliases}
    values = set()
    for path in inbox.rglob("*.xlsx"):
        for sheet in pd.read_excel(path, sheet_name=None, header=None, engine="calamine", dtype=str).values():
            for row_index in range(min(len(sheet), 10)):
                hits = [i for i, cell in enumerate(sheet.iloc[row_index]) if str(cell).strip().lower() in headers]
                for i in hits:
                    values |= {str(v).strip() for v in sheet.iloc[row_index + 1:, i].dropna() if len(str(v).strip()) >= 4}
    return values


def test_sample_holds_personal_data_to_look_for(sample):
    values = personal_values(sample / "inbox")
    assert len(values) > 1000
    assert any(re.fullmatch(r"\d{16}", v) for v in values)


def test_no_personal_data_in_any_published_column_or_parquet_file(con, warehouse, sample):
    con.execute("CREATE TEMP TABLE personal AS SELECT unnest(?) AS value", [sorted(personal_values(sample / "inbox"))])
    sources = [f'"{s}"."{t}"' for s, t in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()]
    sources += [f"read_parquet('{p}')" for p in sorted((warehouse / "parquet" / "current").rglob("*.parquet"))]
    assert len(sources) > 40
    for source in sources:
        columns = [c for (c,) in con.execute(f"SELECT column_name FROM (DESCRIBE SELECT * FROM {source})").fetchall()]
        for column in columns:
            text = f'CAST(s."{column}" AS VARCHAR)'
            nik = con.execute(f"SELECT count(*) FROM {source} s WHERE regexp_matches({text}, '{NIK_SHAPED}')").fetchone()
            named = con.execute(f"SELECT count(*) FROM {source} s JOIN personal p ON trim({text}) = p.value").fetchone()
            assert nik == (0,) and named == (0,), (source, column)


def test_no_public_total_contains_a_withheld_count(con):
    assert con.execute("SELECT count(*) FROM public.crime_village_month WHERE is_suppressed").fetchone()[0] > 0
    assert con.execute("""
        SELECT count(*) FROM public.crime_village_month t JOIN public.crime_village_month c USING (village_code, year, month)
        WHERE t.crime_category = 'total' AND NOT t.is_suppressed AND c.is_suppressed""").fetchone() == (0,)
    assert con.execute("""
        SELECT count(*) FROM public.mart_village_year y JOIN public.crime_village_month c USING (village_code, year)
        WHERE c.is_suppressed AND (y.crime_count IS NOT NULL OR y.crime_against_msme_count IS NOT NULL
              OR (c.crime_category = 'violent' AND y.violent_crime_count IS NOT NULL)
              OR (c.crime_category = 'narcotics' AND y.narcotics_crime_count IS NOT NULL)
              OR (c.crime_category = 'hard_drugs' AND y.hard_drugs_crime_count IS NOT NULL)
              OR (c.crime_category = 'other' AND y.other_crime_count IS NOT NULL))""").fetchone() == (0,)
    # the full figures stay in main
    assert con.execute("SELECT sum(crime_count) FROM crime_village_month WHERE crime_category = 'total' "
                       "AND village_code LIKE '19.%' AND year = 2023").fetchone() == (2155,)


def test_every_published_column_documented_and_dictionary_current(con):
    docs = parse_sql_docs(SQL_DIR)
    assert undocumented(con, docs) == []
    assert con.execute("SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
                       "AND (comment IS NULL OR comment = '')").fetchone() == (0,)
    assert DEFAULT_OUT.read_text() == render_markdown(con, docs), "run: jembatan dictionary"


def test_study_question_in_one_query(con):
    """The README's question: which villages grew MSMEs and crime together 2021-2023, did a program reach them."""
    found = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE program_reached), count(*) FILTER (WHERE NOT program_reached)
        FROM mart_growth_without_security
        WHERE from_year = 2021 AND to_year = 2023 AND grew_together AND province_code = '19'""").fetchone()
    truth = con.execute("""
        SELECT count(*) FROM mart_village_year a JOIN mart_village_year b USING (village_code)
        WHERE a.year = 2021 AND b.year = 2023 AND a.province_code = '19'
          AND b.msme_count > a.msme_count AND b.crime_count > a.crime_count""").fetchone()[0]
    assert found[0] == truth == found[1] + found[2]


def test_report_is_self_contained(warehouse, tmp_path):
    out = tmp_path / "report.html"
    assert main(["report", "--warehouse", str(warehouse), "--out", str(out)]) == 0
    page = out.read_text()
    assert page.count('src="data:image/png;base64,') == 5
    assert "http" not in page.split("<body>")[1]            # nothing fetched from elsewhere
    for title in ("Growth without security", "Program reach", "Dry spots", "Bhabinkamtibmas coverage", "Data quality"):
        assert title in page


def test_charts_roll_regencies_up_to_provinces_when_too_many_to_read():
    import duckdb

    from assets.publish.report import MAX_BARS, _by_area
    db = duckdb.connect()
    db.execute("CREATE TABLE dim_village AS SELECT * FROM (VALUES ('19', 'Bangka Belitung'), ('35', 'Jawa Timur')) "
                "v(province_code, province_name)")
    few = pd.DataFrame({"regency_name": ["Bangka", "Tuban"], "province_code": ["19", "35"], "year": ["2023"] * 2,
                        "villages": [3, 4]})
    frame, area = _by_area(db, few, "year")
    assert area == "regency" and frame.set_index("area")["villages"].to_dict() == {"Bangka": 3, "Tuban": 4}
    many = pd.DataFrame({"regency_name": [f"Kabupaten {i}" for i in range(MAX_BARS + 1)],
                         "province_code": ["19"] * MAX_BARS + ["35"], "year": ["2023"] * (MAX_BARS + 1),
                         "villages": [1] * (MAX_BARS + 1)})
    frame, area = _by_area(db, many, "year")
    assert area == "province"
    assert frame.set_index("area")["villages"].to_dict() == {"Bangka Belitung": MAX_BARS, "Jawa Timur": 1}

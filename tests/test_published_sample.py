"""The bundled sample, synced and published: no personal data in any published table or Parquet file,
the cell-key method at scale, every column documented, and docs/data_dictionary.md current."""
from __future__ import annotations

import re
from html.parser import HTMLParser
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


def test_public_counts_perturbed_and_no_small_count_public(con):
    """At scale: every public crime count is the cell-key method's (never 1 to 4), the public tables hold
    the same value for the same reports, and the full figures stay in main."""
    from assets.publish.cell_key import PUBLIC_COUNTS, THRESHOLD
    assert con.execute(f"SELECT count(*) FROM public.crime_village_month WHERE crime_count BETWEEN 1 AND {THRESHOLD}"
                       ).fetchone() == (0,)
    small = " OR ".join(f"{c} BETWEEN 1 AND {THRESHOLD}" for c in PUBLIC_COUNTS)
    assert con.execute(f"SELECT count(*) FROM public.mart_village_year WHERE {small}").fetchone() == (0,)
    # small true counts exist and were moved; most counts differ from the truth by at most 2
    moved = con.execute("""
        SELECT count(*) FILTER (WHERE m.crime_count BETWEEN 1 AND 4),
               count(*) FILTER (WHERE m.crime_count > 6 AND abs(coalesce(p.crime_count, 0) - m.crime_count) > 2)
        FROM main.crime_village_month m LEFT JOIN public.crime_village_month p
          USING (village_code, year, month, crime_category)""").fetchone()
    assert moved[0] > 100 and moved[1] == 0
    # a month cell holding every report of its year for that category shows the yearly count
    assert con.execute("""
        SELECT count(*) FROM main.crime_village_month m JOIN main.mart_village_year y USING (village_code, year)
        JOIN public.crime_village_month p USING (village_code, year, month, crime_category)
        JOIN public.mart_village_year q USING (village_code, year)
        WHERE m.crime_category = 'narcotics' AND m.crime_count = y.narcotics_crime_count
              AND p.crime_count <> q.narcotics_crime_count""").fetchone() == (0,)
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


class _Tables(HTMLParser):
    """Every <table id=...> of a page: its header cells and rows of cell texts, and what came just before."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.row, self.cell, self.last_tag = {}, None, None, None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self.current = self.tables[attrs["id"]] = {"headers": [], "rows": [], "after": list(self.last_tag)}
        elif self.current is not None and tag == "tr":
            self.row = []
        elif self.current is not None and tag in ("td", "th"):
            self.cell = ""
        self.last_tag = (self.last_tag + [(tag, attrs.get("class"))])[-6:]

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

    def handle_endtag(self, tag):
        if self.current is None:
            return
        if tag in ("td", "th"):
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr":
            target = self.current["headers"] if not self.current["headers"] else self.current["rows"]
            if target is self.current["headers"]:
                self.current["headers"] = self.row
            else:
                target.append(self.row)
        elif tag == "table":
            self.current = None


def _figures_tables(page: str) -> dict[str, pd.DataFrame]:
    parser = _Tables()
    parser.feed(page)
    return {key: pd.DataFrame(t["rows"], columns=t["headers"]) for key, t in parser.tables.items()}


def _number(text: str) -> float | None:
    return float(text) if text else None


def _same(table: pd.DataFrame, truth: list[tuple], keys: int, percent_column: str, decimals: int = 1) -> None:
    """table's rows equal truth's: keys as text, counts exactly, the percent to `decimals` places."""
    assert len(table) == len(truth)
    shown = {tuple(row[:keys]): row[keys:] for row in table.itertuples(index=False)}
    for row in truth:
        key, counts, share = tuple(map(str, row[:keys])), row[keys:-1], row[-1]
        got = shown[key]
        assert [int(v) for v in got[:-1]] == list(counts), key
        if share is None:
            assert got[-1] == "", key
        else:
            assert abs(_number(got[-1]) - share) <= 0.5 * 10 ** -decimals + 1e-9, (key, got[-1], share)
    assert table.columns[-1] == percent_column


def test_report_shows_beside_each_chart_the_figures_of_the_marts(warehouse, con, tmp_path):
    out = tmp_path / "report.html"
    assert main(["report", "--warehouse", str(warehouse), "--out", str(out)]) == 0
    page = out.read_text()
    tables = _figures_tables(page)
    assert sorted(k for k in tables if k.startswith("figures-")) == [f"figures-{i}" for i in range(1, 6)]
    for i in range(1, 6):      # each table sits in its chart's box, right after the picture
        section = page.split('<div class="chart">')[i].split("</section>")[0]
        assert section.index("<img") < section.index(f'id="figures-{i}"')

    growth = tables["figures-1"]
    assert list(growth.columns) == ["regency", "period", "villages grew together", "villages",
                                    "% of the regency's villages"]
    _same(growth, con.execute("""
        SELECT regency_name, from_year || '-' || to_year, villages_grew_together, villages,
               CASE WHEN villages_known > 0 THEN 100.0 * villages_grew_together / villages END
        FROM mart_growth_without_security_regency WHERE to_year = from_year + 1""").fetchall(), 2,
          "% of the regency's villages")
    shares = growth["% of the regency's villages"].astype(float)
    assert shares.between(0, 100).all() and shares.max() > 1          # percents, not fractions
    # Regencies differ in size: Tuban's 328 villages beside Bangka Barat's 62, compared as shares.
    sizes = growth.drop_duplicates("regency").set_index("regency")["villages"].astype(int)
    assert sizes["Kabupaten Tuban"] == 328 and sizes["Kabupaten Bangka Barat"] == 62

    _same(tables["figures-2"], con.execute("""
        SELECT regency_name, program, sum(participants), sum(msme_count), 100.0 * sum(participants) / sum(msme_count)
        FROM mart_program_reach WHERE year = (SELECT max(year) FROM mart_program_reach) GROUP BY ALL""").fetchall(),
          2, "% of MSMEs counted", decimals=2)
    _same(tables["figures-3"], con.execute("""
        SELECT regency_name, year, count(DISTINCT village_code) FILTER (WHERE is_dry_spot),
               count(DISTINCT village_code),
               100.0 * count(DISTINCT village_code) FILTER (WHERE is_dry_spot) / count(DISTINCT village_code)
        FROM mart_program_reach GROUP BY ALL""").fetchall(), 2, "% of the regency's villages")
    coverage = con.execute("""
        WITH v AS (SELECT regency_name, CASE WHEN has_own_officer THEN 'own officer' WHEN has_officer
                          THEN 'shares an officer' ELSE 'no officer' END AS coverage
                   FROM mart_bhabinkamtibmas_coverage
                   WHERE officers IS NOT NULL AND year = (SELECT max(year) FROM mart_bhabinkamtibmas_coverage
                                                          WHERE officers IS NOT NULL)),
             total AS (SELECT regency_name, count(*) AS villages FROM v GROUP BY ALL),
             kinds AS (SELECT t.regency_name, k.coverage, t.villages, count(v.coverage) AS n
                       FROM total t CROSS JOIN (VALUES ('own officer'), ('shares an officer'), ('no officer')) k(coverage)
                       LEFT JOIN v ON v.regency_name = t.regency_name AND v.coverage = k.coverage GROUP BY ALL)
        SELECT regency_name, coverage, n, villages, 100.0 * n / villages FROM kinds""").fetchall()
    _same(tables["figures-4"], coverage, 2, "% of the regency's villages")
    quality = tables["figures-5"]
    truth = con.execute("""
        SELECT source || '/' || file_name, rows_read - rows_skipped - rows_rejected, rows_rejected - rows_unplaced,
               rows_unplaced
        FROM mart_data_quality""").fetchall()
    rows = [(f, outcome, n, sum(r), 100.0 * n / sum(r))
            for f, *r in truth for outcome, n in zip(("landed", "rejected", "unplaced"), r)]
    _same(quality, rows, 2, "% of the file's rows")


def test_percent_axes_draw_the_percents_of_the_table(warehouse):
    from assets.publish.report import bars, charts
    drawn = charts(warehouse / "jembatan.duckdb")
    assert [c.axis_label for c in drawn] == ["% of the regency's villages", "% of MSMEs counted",
                                             "% of the regency's villages", "% of the regency's villages",
                                             "% of the file's rows"]
    growth = drawn[0]
    figure = bars(growth.figures, "regency", "period", growth.value, growth.title, growth.axis_label)
    axes = figure.axes[0]
    assert axes.get_ylabel() == "% of the regency's villages" and axes.get_title() == growth.title
    heights = sorted(round(p.get_height(), 1) for p in axes.patches)
    assert heights == sorted(growth.figures[growth.value].tolist())          # the bars are the table's percents
    ticks = [t.get_text() for t in axes.get_yticklabels()]
    assert ticks and all(t.endswith("%") for t in ticks)
    assert "50%" in ticks and max(heights) > 50                                   # 0-100, not 0-1

"""The analyst report's charts on a tiny publication: bars drawn from the exact percents (the table shows
them rounded), axes in percent scaled to the data, readable words and headers."""
from __future__ import annotations

import re

import duckdb
import pytest

from assets.publish.report import _draw, bars, growth_chart, reach_chart, render_html


@pytest.fixture
def con(tmp_path):
    database = tmp_path / "tiny.duckdb"
    con = duckdb.connect(str(database))
    # One regency: 2 of 2,700 MSMEs in KUR (0.074 %), 5 of 2,000 in QRIS (0.25 %).
    con.execute("""CREATE TABLE mart_program_reach AS SELECT * FROM (VALUES
        ('Kabupaten Bangka', '19', 'KUR', 2, 2700, 2023, '19.01.01.2001', false),
        ('Kabupaten Bangka', '19', 'QRIS', 5, 2000, 2023, '19.01.01.2001', false))
        t(regency_name, province_code, program, participants, msme_count, year, village_code, is_dry_spot)""")
    con.execute("""CREATE TABLE mart_growth_without_security_regency AS SELECT * FROM (VALUES
        ('Kabupaten Bangka', '19', 2022, 2023, 3, 62, 60)) t(regency_name, province_code, from_year, to_year,
        villages_grew_together, villages, villages_known)""")
    con.execute("""CREATE TABLE mart_growth_without_security AS SELECT * FROM (VALUES
        (2022, 2023, 'Kabupaten Bangka', 'Mendo', 'Air Duren', 4, 6, 1, 3, true, false)) t(from_year, to_year,
        regency_name, district_name, village_name, msme_from, msme_to, crime_from, crime_to, grew_together,
        program_reached)""")
    con.execute("CREATE TABLE publication AS SELECT 'p1' AS publication_id")
    yield con
    con.close()


def test_reach_bars_are_drawn_from_the_exact_percents_and_shown_rounded(con):
    chart = reach_chart(con)
    label = "% of MSMEs counted"
    assert chart.figures[label].tolist() == [0.07, 0.25]                          # the table: two decimals
    assert chart.drawn[label].tolist() == pytest.approx([100 * 2 / 2700, 0.25])   # the bars: exact
    figure = bars(chart.drawn, "regency", "program", label, chart.title, label)
    heights = sorted(p.get_height() for p in figure.axes[0].patches if p.get_height() > 0)
    assert heights == pytest.approx([100 * 2 / 2700, 0.25])
    # The picture in the report is that one, not the one of the rounded figures.
    assert chart.png == _draw(chart.drawn, "regency", "program", label, chart.title, label)
    assert chart.png != _draw(chart.figures, "regency", "program", label, chart.title, label)
    # The axis is in percent, scaled to the largest bar (a 0-100 axis would hide these bars).
    ticks = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert ticks and all(t.endswith("%") for t in ticks) and figure.axes[0].get_ylim()[1] < 1


def test_captions_and_the_last_table_read_as_words(con, tmp_path):
    growth = growth_chart(con)
    assert "regencies differ in size" in growth.caption and "regencys" not in growth.caption
    assert growth.figures["% of the regency's villages"].tolist() == [4.8]
    con.close()
    last = render_html(tmp_path / "tiny.duckdb", []).split("Grew together, no program reached them")[1]
    assert re.findall(r"<th>(.*?)</th>", last) == ["from year", "to year", "regency", "district", "village",
                                                   "MSMEs, from year", "MSMEs, to year", "crimes, from year",
                                                   "crimes, to year"]
    assert re.findall(r"<td>(.*?)</td>", last) == ["2022", "2023", "Kabupaten Bangka", "Mendo", "Air Duren", "4", "6",
                                                   "1", "3"]

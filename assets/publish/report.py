"""The analyst report: the study's pictures drawn from the published marts, as one self-contained HTML
file (charts embedded as base64 PNG, each with the figures it draws as a table beside it). Villages are
compared as percents of each area's villages (regencies differ in size), never as bare counts. Each
value axis is in percent and scaled to its largest bar (a program reaching 0.07 % of MSMEs would be
invisible on 0-100 %); bars are drawn from the exact percents, the tables show them rounded. The same
charts are attached to the Dagster `analyst_report` asset."""
from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import matplotlib

matplotlib.use("Agg")              # no display: files only
import matplotlib.pyplot as plt    # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

from assets.storage import atomic_write  # noqa: E402


@dataclass(frozen=True, eq=False)
class Chart:
    """One picture of the report. `figures` holds the numbers drawn, one row per bar (the area or file,
    the group, the counts and, for shares, the denominator), and is shown as a table beside the picture;
    `value` names its column that is drawn, in the unit `axis_label` names (a percent is 0-100), rounded
    as shown; `drawn` is the same table with that column exact, as the bars are drawn."""
    title: str
    caption: str
    axis_label: str
    value: str
    figures: pd.DataFrame
    png: bytes
    drawn: pd.DataFrame | None = None

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode()


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return buffer.getvalue()


def _draw(figures: pd.DataFrame, category: str, group: str, value: str, title: str, axis_label: str,
          horizontal: bool = False) -> bytes:
    return _png(bars(figures, category, group, value, title, axis_label, horizontal))


def bars(figures: pd.DataFrame, category: str, group: str, value: str, title: str, axis_label: str,
         horizontal: bool = False):
    """A matplotlib figure: bars of `value` per `category`, one colour per `group` (figures has one row
    per pair), in the figures' order. A value axis labelled with "%" gets percent ticks: the values are
    percents (0-100), not shares."""
    figure, axes = plt.subplots(figsize=(9, 4.5))
    axes.set_title(title, fontsize=11)
    drawn = figures.dropna(subset=[value])
    if drawn.empty:       # a source not received yet: say so rather than fail the publication
        axes.text(0.5, 0.5, "no data published yet", ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
        return figure
    table = drawn.pivot(index=category, columns=group, values=value)      # in the figures' order:
    table = table.loc[list(dict.fromkeys(drawn[category])), list(dict.fromkeys(drawn[group]))]
    table.plot(kind="barh" if horizontal else "bar", ax=axes, width=0.8)
    if horizontal:
        axes.invert_yaxis()     # the first row on top
    value_axis = axes.xaxis if horizontal else axes.yaxis
    if "%" in axis_label:
        value_axis.set_major_formatter(PercentFormatter(xmax=100, decimals=None))
    value_axis.set_label_text(axis_label)
    (axes.yaxis if horizontal else axes.xaxis).set_label_text("")
    axes.legend(fontsize=8, title=group, loc="upper left", bbox_to_anchor=(1.01, 1))    # beside, not over, the bars
    plt.setp(axes.get_xticklabels(), rotation=0 if horizontal else 30, ha="right", fontsize=8)
    return figure


MAX_BARS = 40      # categories on one chart; more regencies are rolled up to provinces, more files cut


def _by_area(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, group: str) -> tuple[pd.DataFrame, str]:
    """frame has regency_name, province_code, group and additive columns: per regency when there are few
    enough to read, else summed per province. Returns the frame keyed by 'area' and the area's name."""
    twice = frame.groupby("regency_name")["province_code"].transform("nunique") > 1     # a name in two provinces
    frame = frame.assign(regency_name=frame["regency_name"].where(
        ~twice, frame["regency_name"] + " (" + frame["province_code"] + ")"))
    if frame["regency_name"].nunique() <= MAX_BARS:
        return frame.rename(columns={"regency_name": "area"}).drop(columns="province_code"), "regency"
    names = dict(con.execute("SELECT DISTINCT province_code, province_name FROM dim_village").fetchall())
    frame = frame.assign(area=frame["province_code"].map(names).fillna(frame["province_code"]))
    return frame.drop(columns=["regency_name", "province_code"]).groupby(["area", group], as_index=False).sum(), \
        "province"


def _percent(part: pd.Series, whole: pd.Series) -> pd.Series:
    """100 * part / whole (exact); missing where whole is 0 or missing (nothing to compare)."""
    return 100.0 * part / whole.where(whole > 0)


PLURAL = {"regency": "regencies", "province": "provinces"}


def _chart(title: str, caption: str, label: str, exact: pd.DataFrame, category: str, group: str,
           decimals: int = 1, horizontal: bool = False) -> Chart:
    """A chart of the percent column `label` of `exact`: drawn from the exact percents, shown rounded to
    `decimals` in its table."""
    shown = exact.assign(**{label: exact[label].round(decimals)})
    return Chart(title, caption, label, label, shown,
                 _draw(exact, category, group, label, title, label, horizontal), exact)


def _figures(frame: pd.DataFrame, columns: dict[str, str], sort: bool = True) -> pd.DataFrame:
    """The columns named, renamed for the reader; sorted by the first two (area, group) unless sort is
    False (the frame's order kept)."""
    out = frame[list(columns)].rename(columns=columns)
    return (out.sort_values(list(out.columns[:2]), kind="stable") if sort else out).reset_index(drop=True)


def growth_chart(con: duckdb.DuckDBPyConnection) -> Chart:
    frame = con.execute("""
        SELECT regency_name, province_code, from_year || '-' || to_year AS period, villages_grew_together,
               villages, villages_known
        FROM mart_growth_without_security_regency WHERE to_year = from_year + 1""").df()
    frame, area = _by_area(con, frame, "period")
    # a share of all the area's villages; none where no village had both counts in both years
    frame["share"] = _percent(frame["villages_grew_together"], frame["villages"].where(frame["villages_known"] > 0))
    label = f"% of the {area}'s villages"
    figures = _figures(frame, {"area": area, "period": "period", "villages_grew_together": "villages grew together",
                               "villages": "villages", "share": label})
    title = f"Growth without security, by {area} and year"
    return _chart(title, f"Villages where MSMEs and crime both grew from one year to the next, as a share of the "
                  f"{area}'s villages (listed in both years): {PLURAL[area]} differ in size.", label, figures, area,
                  "period")


def reach_chart(con: duckdb.DuckDBPyConnection) -> Chart:
    frame = con.execute("""
        SELECT regency_name, province_code, program, sum(participants) AS participants, sum(msme_count) AS msmes
        FROM mart_program_reach WHERE year = (SELECT max(year) FROM mart_program_reach) GROUP BY ALL""").df()
    frame, area = _by_area(con, frame, "program")
    frame["reach"] = _percent(frame["participants"], frame["msmes"])
    label = "% of MSMEs counted"
    figures = _figures(frame, {"area": area, "program": "program", "participants": "businesses in the program",
                               "msmes": "MSMEs counted", "reach": label})
    title = "Program reach, latest program year"
    return _chart(title, f"Businesses in each program as a percent of the MSMEs BPS counted, by {area} (above 100: "
                  "more participants than MSMEs counted).", label, figures, area, "program",
                  decimals=2)     # programs reach few: two decimals


def dry_spot_chart(con: duckdb.DuckDBPyConnection) -> Chart:
    frame = con.execute("""
        SELECT regency_name, province_code, year::VARCHAR AS year,
               count(DISTINCT village_code) FILTER (WHERE is_dry_spot) AS dry_spots,
               count(DISTINCT village_code) AS villages
        FROM mart_program_reach GROUP BY ALL""").df()
    frame, area = _by_area(con, frame, "year")
    frame["share"] = _percent(frame["dry_spots"], frame["villages"])
    label = f"% of the {area}'s villages"
    figures = _figures(frame, {"area": area, "year": "year", "dry_spots": "dry spots", "villages": "villages",
                               "share": label})
    title = f"Dry spots, by {area} and year"
    return _chart(title, f"Villages no program reached, as a share of the {area}'s villages a program list covered "
                  "that year (program lists only cover some provinces).", label, figures, area, "year")


COVERAGE = ("own officer", "shares an officer", "no officer")


def coverage_chart(con: duckdb.DuckDBPyConnection) -> Chart:
    frame = con.execute("""
        SELECT regency_name, province_code,
               CASE WHEN has_own_officer THEN 'own officer' WHEN has_officer THEN 'shares an officer'
                    ELSE 'no officer' END AS coverage, count(*) AS villages
        FROM mart_bhabinkamtibmas_coverage
        WHERE year = (SELECT max(year) FROM mart_bhabinkamtibmas_coverage WHERE officers IS NOT NULL)
          AND officers IS NOT NULL GROUP BY ALL""").df()
    frame, area = _by_area(con, frame, "coverage")
    if not frame.empty:       # every kind on every area: a kind no village has is 0 villages, 0 %
        frame = (frame.pivot_table(index="area", columns="coverage", values="villages", aggfunc="sum")
                 .reindex(columns=list(COVERAGE)).fillna(0).astype(int)
                 .melt(ignore_index=False, value_name="villages").reset_index()
                 .sort_values(["area", "coverage"], key=lambda c: c.map(COVERAGE.index) if c.name == "coverage" else c,
                              kind="stable"))
    frame["of"] = frame.groupby("area")["villages"].transform("sum")
    frame["share"] = _percent(frame["villages"], frame["of"])
    label = f"% of the {area}'s villages"
    figures = _figures(frame, {"area": area, "coverage": "coverage", "villages": "villages",
                               "of": "villages on the roster", "share": label}, sort=False)
    title = f"Bhabinkamtibmas coverage, latest roster year, by {area}"
    return _chart(title, "One village, one Bhabinkamtibmas (Perkap 7/2021): the share of the villages on the roster "
                  f"with their own officer, sharing one, or with none, by {area}.", label, figures, area, "coverage")


def quality_chart(con: duckdb.DuckDBPyConnection) -> Chart:
    files = con.execute("SELECT count(*) FROM mart_data_quality").fetchone()[0]
    frame = con.execute(f"""
        UNPIVOT (SELECT source || '/' || file_name AS file_name, rows_accepted AS landed,
                        rows_rejected - rows_unplaced AS rejected, rows_unplaced AS unplaced FROM mart_data_quality
                 ORDER BY rows_accepted / greatest(rows_read - rows_skipped, 1), file_name
                 LIMIT {MAX_BARS})
        ON landed, rejected, unplaced INTO NAME outcome VALUE rows""").df()
    # rows_accepted excludes the rows rejected, unplaced ones included: the three add up to the rows of data
    frame["of"] = frame.groupby("file_name")["rows"].transform("sum")
    frame["share"] = _percent(frame["rows"], frame["of"])
    label = "% of the file's rows"
    figures = _figures(frame, {"file_name": "file", "outcome": "outcome", "rows": "rows", "of": "rows of data",
                               "share": label}, sort=False)     # the lowest share landed first
    shown = "" if files <= MAX_BARS else f" The {MAX_BARS} of {files:,} files with the lowest share landed."
    title = "Data quality per received file"
    return _chart(title, "Rows that landed, were rejected, or could not be placed in a village, as a share of the "
                  f"file's rows of data (files differ in size), the lowest share landed first.{shown}", label, figures,
                  "file", "outcome", horizontal=True)


CHARTS = (growth_chart, reach_chart, dry_spot_chart, coverage_chart, quality_chart)


def charts(database: Path) -> list[Chart]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return [draw(con) for draw in CHARTS]
    finally:
        con.close()


def _table(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    frame = con.execute(sql).df()
    return frame.to_html(index=False, na_rep="", border=0, classes="data")


def figures_html(chart: Chart, number: int) -> str:
    """The numbers drawn, as an HTML table (id figures-<number>): counts as integers, percents as drawn
    (rounded), an empty cell where there is nothing to compare."""
    frame = chart.figures.copy()
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]) and "%" not in column:
            frame[column] = frame[column].astype("Int64")
    return frame.to_html(index=False, na_rep="", border=0, classes="data figures", table_id=f"figures-{number}",
                         float_format=lambda v: f"{v:g}")


def render_html(database: Path, drawn: list[Chart]) -> str:
    con = duckdb.connect(str(database), read_only=True)
    try:
        published = con.execute("SELECT publication_id FROM publication").fetchone()[0]
        not_reached = _table(con, """
            SELECT from_year AS "from year", to_year AS "to year", regency_name AS regency, district_name AS district,
                   village_name AS village, msme_from AS "MSMEs, from year", msme_to AS "MSMEs, to year",
                   crime_from AS "crimes, from year", crime_to AS "crimes, to year"
            FROM mart_growth_without_security
            WHERE grew_together AND NOT program_reached AND to_year = from_year + 1
            ORDER BY to_year DESC, crime_to - crime_from DESC LIMIT 20""")
    finally:
        con.close()
    sections = "\n".join(
        f"<section><h2>{html.escape(c.title)}</h2><p>{html.escape(c.caption)}</p>\n<div class=\"chart\">"
        f'<img alt="{html.escape(c.title)}" src="{c.data_uri}">\n'
        f'<div class="figures"><p>The figures drawn</p>{figures_html(c, i)}</div></div></section>'
        for i, c in enumerate(drawn, start=1))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>jembatan analyst report</title>
<style>body{{font-family:sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#222}}
.chart{{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}} .chart img{{flex:1 1 560px;max-width:100%;min-width:0}}
.figures{{flex:0 1 auto;max-height:420px;overflow:auto}} .figures p{{margin:0 0 0.3em;font-size:0.85em;color:#555}}
table.data{{border-collapse:collapse;font-size:0.85em}} table.data td,table.data th{{padding:2px 8px;border-bottom:1px solid #ddd}}
table.figures td{{text-align:right}} table.figures td:first-child,table.figures td:nth-child(2){{text-align:left}}</style>
</head><body>
<h1>jembatan: MSMEs, crime and programs per village</h1>
<p>Publication {html.escape(published)}. Restricted: village crime counts are the true counts here, not perturbed.</p>
{sections}
<section><h2>Grew together, no program reached them</h2>{not_reached}</section>
</body></html>
"""


def write_report(database: Path, out: Path) -> list[Chart]:
    """Write the page (atomically: a reader never opens half of it); returns its charts."""
    drawn = charts(database)
    page = render_html(database, drawn)
    atomic_write(out, lambda tmp: tmp.write_text(page))    # `out` may be in the shared storage (assets/storage.py)
    return drawn

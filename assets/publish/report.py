"""The analyst report: the study's pictures drawn from the published marts, as one self-contained HTML
file (charts embedded as base64 PNG). The same charts are attached to the Dagster `published_marts` asset."""
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

from assets.storage import atomic_write  # noqa: E402


@dataclass(frozen=True)
class Chart:
    title: str
    caption: str
    png: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode()


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return buffer.getvalue()


def _grouped_bars(frame, category: str, group: str, value: str, ylabel: str, horizontal: bool = False):
    frame = frame.dropna(subset=[value])
    figure, axes = plt.subplots(figsize=(10, 4.5))
    if frame.empty:       # a source not received yet: say so rather than fail the publication
        axes.text(0.5, 0.5, "no data published yet", ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
        return figure
    table = frame.pivot_table(index=category, columns=group, values=value, aggfunc="sum", sort=True).fillna(0)
    table.plot(kind="barh" if horizontal else "bar", ax=axes, width=0.8)
    axes.set_xlabel("" if not horizontal else ylabel)
    axes.set_ylabel(ylabel if not horizontal else "")
    axes.legend(fontsize=8, title=group.replace("_", " "))
    plt.setp(axes.get_xticklabels(), rotation=0 if horizontal else 30, ha="right", fontsize=8)
    return figure


MAX_BARS = 40      # categories on one chart; more regencies are rolled up to provinces, more files cut


def _by_area(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, group: str) -> tuple[pd.DataFrame, str]:
    """frame has regency_name, province_code, group and additive columns: per regency when there are few
    enough to read, else summed per province. Returns the frame keyed by 'area' and the area's name."""
    if frame["regency_name"].nunique() <= MAX_BARS:
        return frame.rename(columns={"regency_name": "area"}).drop(columns="province_code"), "regency"
    names = dict(con.execute("SELECT DISTINCT province_code, province_name FROM dim_village").fetchall())
    frame = frame.assign(area=frame["province_code"].map(names).fillna(frame["province_code"]))
    return frame.drop(columns=["regency_name", "province_code"]).groupby(["area", group], as_index=False).sum(), \
        "province"


def growth_chart(con: duckdb.DuckDBPyConnection) -> Chart:
    frame = con.execute("""
        SELECT regency_name, province_code, from_year || '-' || to_year AS period, villages_grew_together
        FROM mart_growth_without_security_regency WHERE to_year = from_year + 1""").df()
    frame, area = _by_area(con, frame, "period")
    figure = _grouped_bars(frame, "area", "period", "villages_grew_together", "villages")
    return Chart(f"Growth without security, by {area} and year",
                 "Villages where MSMEs and crime both grew from one year to the next.", _png(figure))


def reach_chart(con: duckdb.DuckDBPyConnection) -> Chart:
    frame = con.execute("""
        SELECT regency_name, province_code, program, sum(participants) AS participants, sum(msme_count) AS msmes
        FROM mart_program_reach WHERE year = (SELECT max(year) FROM mart_program_reach) GROUP BY ALL""").df()
    frame, area = _by_area(con, frame, "program")
    frame["reach_pct"] = 100.0 * frame["participants"] / frame["msmes"].where(frame["msmes"] > 0)
    figure = _grouped_bars(frame, "area", "program", "reach_pct", "% of MSMEs reached")
    return Chart("Program reach, latest program year",
                 f"Businesses in each program as a share of the MSMEs BPS counted, by {area}.", _png(figure))


def dry_spot_chart(con: duckdb.DuckDBPyConnection) -> Chart:
    frame = con.execute("""
        SELECT regency_name, province_code, year::VARCHAR AS year, count(DISTINCT village_code) AS dry_spots
        FROM mart_program_reach WHERE is_dry_spot GROUP BY ALL""").df()
    frame, area = _by_area(con, frame, "year")
    figure = _grouped_bars(frame, "area", "year", "dry_spots", "villages")
    return Chart("Dry spots", f"Villages no program reached, per year and {area} (program lists only cover some "
                 "provinces).", _png(figure))


def coverage_chart(con: duckdb.DuckDBPyConnection) -> Chart:
    frame = con.execute("""
        SELECT regency_name, province_code,
               CASE WHEN has_own_officer THEN 'own officer' WHEN has_officer THEN 'shares an officer'
                    ELSE 'no officer' END AS coverage, count(*) AS villages
        FROM mart_bhabinkamtibmas_coverage
        WHERE year = (SELECT max(year) FROM mart_bhabinkamtibmas_coverage WHERE officers IS NOT NULL)
          AND officers IS NOT NULL GROUP BY ALL""").df()
    frame, area = _by_area(con, frame, "coverage")
    figure = _grouped_bars(frame, "area", "coverage", "villages", "villages")
    return Chart(f"Bhabinkamtibmas coverage, latest roster year, by {area}",
                 "One village, one Bhabinkamtibmas (Perkap 7/2021): villages with their own officer, sharing one, "
                 "or with none.", _png(figure))


def quality_chart(con: duckdb.DuckDBPyConnection) -> Chart:
    files = con.execute("SELECT count(*) FROM mart_data_quality").fetchone()[0]
    frame = con.execute(f"""
        UNPIVOT (SELECT file_name, rows_accepted - rows_unplaced AS landed, rows_rejected - rows_unplaced AS rejected,
                        rows_unplaced AS unplaced FROM mart_data_quality
                 ORDER BY (rows_accepted - rows_unplaced) / greatest(rows_read - rows_skipped, 1), file_name
                 LIMIT {MAX_BARS})
        ON landed, rejected, unplaced INTO NAME outcome VALUE rows""").df()
    figure = _grouped_bars(frame, "file_name", "outcome", "rows", "rows", horizontal=True)
    shown = "" if files <= MAX_BARS else f" The {MAX_BARS} of {files:,} files with the lowest share landed."
    return Chart("Data quality per received file", "Rows that landed, were rejected, or could not be placed in a "
                 f"village.{shown}", _png(figure))


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


def render_html(database: Path, drawn: list[Chart]) -> str:
    con = duckdb.connect(str(database), read_only=True)
    try:
        published = con.execute("SELECT publication_id FROM publication").fetchone()[0]
        not_reached = _table(con, """
            SELECT from_year, to_year, regency_name, district_name, village_name, msme_from, msme_to, crime_from, crime_to
            FROM mart_growth_without_security
            WHERE grew_together AND NOT program_reached AND to_year = from_year + 1
            ORDER BY to_year DESC, crime_to - crime_from DESC LIMIT 20""")
    finally:
        con.close()
    sections = "\n".join(f"<section><h2>{html.escape(c.title)}</h2><p>{html.escape(c.caption)}</p>"
                         f'<img alt="{html.escape(c.title)}" src="{c.data_uri}"></section>' for c in drawn)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>jembatan analyst report</title>
<style>body{{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}} img{{max-width:100%}}
table.data{{border-collapse:collapse;font-size:0.85em}} table.data td,table.data th{{padding:2px 8px;border-bottom:1px solid #ddd}}</style>
</head><body>
<h1>jembatan: MSMEs, crime and programs per village</h1>
<p>Publication {html.escape(published)}. Restricted: village crime counts are not suppressed here.</p>
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

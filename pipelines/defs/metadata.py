"""Tables shown as Dagster metadata, made to be read in the UI's dialog: at most MAX_ROWS rows and
MAX_COLUMNS columns, each cell at most MAX_CELL characters. A national inbox has thousands of files,
and the UI shows a table to read, not a dataset: the full figures are in the marts, the agency reports
and the CSV files `csv_file` writes beside them (linked with MetadataValue.path)."""
from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandas as pd

from assets.incremental import atomic_write
from assets.inert import inert_frame
from assets.privacy import scrub

MAX_ROWS = 50
MAX_COLUMNS = 8         # what fits the metadata dialog; wider details go to their own table or a file
MAX_CELL = 80           # characters of one cell (longer text is cut with "…", the whole is where_all says)
HASH_COLUMNS = {"sha256", "source_file"}        # hex digests: shown as they are


def _scrubbed(frame: pd.DataFrame) -> pd.DataFrame:
    """File names, notes: NIK- and phone-shaped numbers masked (hex digests left as they are)."""
    frame = frame.copy()
    for column in frame.columns:
        if column not in HASH_COLUMNS and pd.api.types.is_string_dtype(frame[column]):    # object or str
            frame[column] = frame[column].map(scrub)
    return frame


def _cell(value):
    if not isinstance(value, str):
        return value
    value = value if len(value) <= MAX_CELL else value[:MAX_CELL - 1] + "…"
    return value.replace("|", "\\|").replace("\n", " ")       # a pipe would end the markdown cell


def markdown(frame: pd.DataFrame, where_all: str) -> str:
    """The first MAX_ROWS rows as a markdown table, saying where the rest are. Raises ValueError for a
    frame of more than MAX_COLUMNS columns (the caller chooses the columns that fit)."""
    if len(frame.columns) > MAX_COLUMNS:
        raise ValueError(f"{len(frame.columns)} columns do not fit a metadata table (at most {MAX_COLUMNS}): "
                         f"{', '.join(map(str, frame.columns))}")
    if frame.empty:
        return "none"
    shown = _scrubbed(frame.head(MAX_ROWS))
    shown = shown.apply(lambda column: column.map(_cell)) if len(shown.columns) else shown
    text = shown.to_markdown(index=False)
    if len(frame) > MAX_ROWS:
        text += f"\n\nFirst {MAX_ROWS} of {len(frame):,} rows; all of them: {where_all}."
    return text


def table(frame: pd.DataFrame, where_all: str) -> dg.MetadataValue:
    """`markdown` as Dagster metadata."""
    return dg.MetadataValue.md(markdown(frame, where_all))


def csv_file(frame: pd.DataFrame, path: Path) -> dg.MetadataValue:
    """Writes every row and column of frame to a CSV (UTF-8, personal-data-shaped numbers masked,
    written whole or not at all) and returns a link to it: the details too wide for a metadata table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: inert_frame(_scrubbed(frame)).to_csv(tmp, index=False))
    return dg.MetadataValue.path(str(path))


def chart_metadata(chart) -> dg.MetadataValue:
    """A chart of the analyst report (assets.publish.report.Chart) as the UI shows it: its title, caption,
    picture, and the figures drawn."""
    return dg.MetadataValue.md(f"### {chart.title}\n\n{chart.caption}\n\n![{chart.title}]({chart.data_uri})\n\n"
                               + markdown(chart.figures, "the analyst report, beside the chart"))


def match_quality_metadata(quality: pd.DataFrame, csv: Path) -> dict[str, dg.MetadataValue]:
    """How each file's places were matched (assets.harmonise.quality.match_quality), for the
    `harmonised_places` asset: two tables narrow enough to read (rows placed and not per file, lowest
    share placed first; the share of rows per match method), and every column but the notes in a CSV at
    `csv`, linked."""
    quality = quality.sort_values(["share_placed", "source", "file_name"], kind="stable")
    where_all = f"{csv.name} (match_quality_file) and table mart_data_quality"
    counts = quality.reindex(columns=["ambiguous", "unmatched", "not_a_village"], fill_value=0)
    placed = quality[["source", "file_name", "dataset", "rows"]].assign(
        **{"placed %": (100 * quality["share_placed"].astype(float)).round(1)}, **counts)   # object when empty
    shares = [c for c in quality.columns if c.startswith("share_") and c != "share_placed"]
    methods = quality[["file_name", "dataset"]].assign(**{"rows per match method": [
        ", ".join(f"{c.removeprefix('share_')} {100 * row[c]:.1f}%"
                  for c in sorted(shares, key=lambda c: -row[c]) if row[c] > 0)
        for _, row in quality[shares].fillna(0).iterrows()]})
    return {"match_quality_by_file": table(placed, where_all),
            "match_methods_by_file": table(methods, where_all),
            "match_quality_file": csv_file(quality.drop(columns=["notes", "datasets"], errors="ignore"), csv)}

"""Tables shown as Dagster metadata. Capped: a national inbox has thousands of files, and the UI shows
a table to read, not a dataset (the full figures are in the marts and the agency reports)."""
from __future__ import annotations

import dagster as dg
import pandas as pd

from assets.privacy import scrub

MAX_ROWS = 50
HASH_COLUMNS = {"sha256", "source_file"}        # hex digests: shown as they are


def table(frame: pd.DataFrame, where_all: str) -> dg.MetadataValue:
    """The first MAX_ROWS rows as markdown, saying where the rest are."""
    if frame.empty:
        return dg.MetadataValue.md("none")
    shown = frame.head(MAX_ROWS).copy()
    for column in shown.columns:          # file names, notes: NIK- and phone-shaped numbers masked
        if column not in HASH_COLUMNS and pd.api.types.is_string_dtype(shown[column]):    # object or str
            shown[column] = shown[column].map(scrub)
    text = shown.to_markdown(index=False)
    if len(frame) > MAX_ROWS:
        text += f"\n\nFirst {MAX_ROWS} of {len(frame):,} rows; all of them: {where_all}."
    return dg.MetadataValue.md(text)

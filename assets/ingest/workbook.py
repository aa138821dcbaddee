"""Read any agency file into plain grids of typed cells, one per sheet.

Spreadsheets go through calamine (Rust) which reads .xlsx, .xlsm, .xls and .ods without running
anything in them; CSV exports are decoded (UTF-8 with or without BOM, else cp1252) and split on the
separator that the header lines use.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook, SheetVisibleEnum

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}
SUPPORTED_SUFFIXES = SPREADSHEET_SUFFIXES | CSV_SUFFIXES


class UnreadableFile(Exception):
    """The file is not a spreadsheet we can read; the message says why, for the agency."""


@dataclass
class RawSheet:
    name: str                 # sheet name; "" for a CSV
    rows: list[list[object]]  # typed cells, "" for empty
    first_row: int = 1        # Excel row number of rows[0]
    first_col: int = 1        # Excel column number of rows[i][0]
    hidden: bool = False      # a hidden sheet is read like any other, and the report says it was hidden

    def excel_row(self, index: int) -> int:
        return self.first_row + index


def read_file(path: Path, kind: str) -> list[RawSheet]:
    """Every sheet of a file that passed assets/ingest/guard.py (`kind` is what the guard found)."""
    if kind == "csv":
        return [read_csv(path.read_bytes())]
    return read_spreadsheet(path)


def read_spreadsheet(path: Path) -> list[RawSheet]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = []
        for meta in workbook.sheets_metadata:
            sheet = workbook.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            start_row, start_col = sheet.start or (0, 0)
            sheets.append(RawSheet(name=meta.name, rows=rows, first_row=start_row + 1, first_col=start_col + 1,
                                   hidden=meta.visible != SheetVisibleEnum.Visible))
    except Exception as exc:  # calamine raises its own error types for every kind of broken file
        raise UnreadableFile(f"not a readable spreadsheet ({type(exc).__name__}: {exc})") from exc
    return sheets


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def detect_separator(text: str) -> str:
    sample = [line for line in text.splitlines()[:30] if line.strip()]
    counts = {sep: sum(line.count(sep) for line in sample) for sep in (";", ",", "\t", "|")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def read_csv(data: bytes) -> RawSheet:
    text = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_separator(text))
    return RawSheet(name="", rows=[list(row) for row in reader])


def column_letter(number: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters

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

from python_calamine import CalamineWorkbook

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

    def excel_row(self, index: int) -> int:
        return self.first_row + index


def read_file(path: Path) -> list[RawSheet]:
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return [read_csv(path.read_bytes())]
    if suffix in SPREADSHEET_SUFFIXES:
        return read_spreadsheet(path)
    raise UnreadableFile(f"unsupported file type {suffix!r}; send .xlsx, .xls, .ods or .csv")


def read_spreadsheet(path: Path) -> list[RawSheet]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for every kind of broken file
        raise UnreadableFile(f"not a readable spreadsheet ({type(exc).__name__}: {exc})") from exc
    sheets = []
    for name in workbook.sheet_names:
        sheet = workbook.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        start_row, start_col = sheet.start or (0, 0)
        sheets.append(RawSheet(name=name, rows=[list(r) for r in rows], first_row=start_row + 1,
                               first_col=start_col + 1))
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

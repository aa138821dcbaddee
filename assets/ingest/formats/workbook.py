"""Read any agency file into plain grids of typed cells, one per sheet.

Spreadsheets go through Rust readers that run nothing in them: a large .xlsx/.xlsm (the sheets' XML
over FAST_READ_BYTES) is read by fastexcel straight into Arrow, every cell as text, column by column;
anything else (small workbooks, .xls, .ods) by python-calamine as Python values. CSV exports are
decoded (UTF-8 with or without BOM, else cp1252) and split on the separator that the header lines use.

Where the text of a cell does not say what it was (a NIK typed as a number reads like a NIK typed as
text), the Arrow reader answers from the cells' types: the first HEAD_ROWS rows (where the header is
looked for) are typed from the sheet's XML, and `number_cells` re-reads chosen columns for the mask of
cells that were numbers.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from assets.ingest.formats.sheetxml import column_letter  # noqa: F401  (the column letters of every reader)
from assets.ingest.formats.sniff import text_encoding

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".xml"}    # .xml: XML Spreadsheet 2003
CSV_SUFFIXES = {".csv", ".txt"}
SUPPORTED_SUFFIXES = SPREADSHEET_SUFFIXES | CSV_SUFFIXES

FAST_READ_BYTES = 8 << 20   # uncompressed sheet XML; about 10,000 rows of a dozen columns
HEAD_ROWS = 40              # rows typed from the XML: where layout.py looks for the header (30) and more


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


def read_file(path: Path, kind: str) -> list[RawSheet]:
    """Every sheet of a file that passed assets/ingest/formats/guard.py (`kind` is what the guard found)."""
    if kind == "csv":
        try:
            return [read_csv(path.read_bytes())]
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"a damaged {exc.encoding} text file ({exc.reason} at byte {exc.start})") from exc
    if kind == "xml2003":
        from assets.ingest.formats.xml2003 import read_workbook
        try:
            return read_workbook(path)
        except Exception as exc:  # the guard parsed it already; anything here is a damaged file
            raise UnreadableFile(f"not a readable XML Spreadsheet 2003 file ({type(exc).__name__}: {exc})") from exc
    if kind == "xlsx" and sum(_sheet_parts(path).values()) > FAST_READ_BYTES:
        return read_to_arrow(path)
    return read_spreadsheet(path)


def read_spreadsheet(path: Path) -> list[RawSheet]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = []
        for meta in workbook.sheets_metadata:
            # With skip_empty_area=False the grid starts at A1, whatever cell the sheet's data starts at.
            sheet = workbook.get_sheet_by_name(meta.name)
            merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []]
            sheets.append(RawSheet(name=meta.name, rows=sheet.to_python(skip_empty_area=False),
                                   hidden=meta.visible != SheetVisibleEnum.Visible, merged=merged))
    except Exception as exc:  # calamine raises its own error types for every kind of broken file
        raise UnreadableFile(f"not a readable spreadsheet ({type(exc).__name__}: {exc})") from exc
    return sheets


# -- the Arrow reader (large .xlsx) ------------------------------------------------------------------

def _sheet_parts(path: Path) -> dict[str, int]:
    """Worksheet part -> uncompressed size, from the zip directory."""
    with zipfile.ZipFile(path) as archive:
        return {e.filename: e.file_size for e in archive.infolist()
                if re.fullmatch(r"xl/worksheets/[^/]+\.xml", e.filename)}


def read_to_arrow(path: Path) -> list[RawSheet]:
    from assets.ingest.formats.guard import _sheet_names
    try:
        with zipfile.ZipFile(path) as archive:
            parts = {name: part for part, name in _sheet_names(archive).items()}
        reader = fastexcel.read_excel(str(path))
        sheets = []
        for name in reader.sheet_names:
            # skip_rows=0: row 0 is Excel row 1 (fastexcel would otherwise drop leading empty rows).
            sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            table = sheet.to_arrow()
            first_col = sheet.selected_columns[0].absolute_index + 1 if table.num_columns else 1
            columns = [_time_alone(c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c)
                       for c in table.columns]
            head = _head_types(path, parts.get(name), first_col)
            sheets.append(RawSheet(name=name, rows=TextRows(columns, head), first_col=first_col,
                                   hidden=sheet.visible != "visible", columns=columns,
                                   number_cells=_number_cells(reader, name, table.column_names)))
    except Exception as exc:  # fastexcel raises its own error types for every kind of broken file
        raise UnreadableFile(f"not a readable spreadsheet ({type(exc).__name__}: {exc})") from exc
    return sheets


def _time_alone(column: pa.Array) -> pa.Array:
    """A time of day alone is written on Excel's day zero ("1899-12-31 10:00:00"): kept as the time."""
    if not pc.any(pc.starts_with(column, "1899-12-3")).as_py():
        return column
    return pc.replace_substring_regex(column, r"^1899-12-3[01] ([0-9]{2}:[0-9]{2}:[0-9]{2})$", r"\1")


def _number_cells(reader, sheet: str, names: list[str]):
    def masks(columns: list[int]) -> dict[int, np.ndarray]:
        # Forced to booleans, a number (or TRUE/FALSE) cell gives a value; text and dates give null.
        table = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="boolean",
                                  use_columns=[names[c] for c in columns]).to_arrow()
        return {c: table.column(names[c]).is_valid().to_numpy(zero_copy_only=False) for c in columns}
    return masks


_RUST_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_RUST_DATETIME = re.compile(r"(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)")


def _head_types(path: Path, part: str | None, first_col: int) -> dict[tuple[int, int], str]:
    """(row index, column index) -> the XML cell type ("n" number or date, "b", "s", "str", ...) for the
    cells of the first HEAD_ROWS rows, read as XML (namespace-aware) from the start of the sheet."""
    if part is None:
        return {}
    from assets.ingest.formats.sheetxml import head_cells
    with zipfile.ZipFile(path) as archive:
        return {(row - 1, col - first_col): kind for row, col, kind in head_cells(archive, part, HEAD_ROWS)}


def typed_cell(text: str | None, xml_type: str) -> object:
    """A cell as calamine gives it, from its text (fastexcel's rendering) and its XML type."""
    if text is None:
        return ""
    if xml_type == "b":
        return text == "true"
    if xml_type == "n":
        if _RUST_NUMBER.fullmatch(text):
            return float(text)
        if m := _RUST_DATETIME.fullmatch(text):
            moment = dt.datetime(*map(int, m.groups()))
            return moment.date() if moment.time() == dt.time() else moment
    return text


class TextRows(Sequence):
    """Row access to the Arrow columns (the header search, notes and skipped rows look at a few rows);
    cells in the first HEAD_ROWS rows carry their type, the others are text."""

    def __init__(self, columns: list[pa.Array], head: dict[tuple[int, int], str]):
        self.columns, self.head = columns, head
        self.length = len(columns[0]) if columns else 0
        self.cache: dict[int, list[object]] = {}

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.length))]
        if index < 0:
            index += self.length
        if not 0 <= index < self.length:
            raise IndexError(index)
        if index not in self.cache:
            texts = [c[index].as_py() for c in self.columns]
            row = [typed_cell(t, self.head.get((index, c), "s")) for c, t in enumerate(texts)]
            if len(self.cache) < 1000:
                self.cache[index] = row
            return row
        return self.cache[index]

    def __iter__(self):
        for start in range(0, self.length, 4096):
            block = zip(*(c.slice(start, 4096).to_pylist() for c in self.columns))
            for index, texts in enumerate(block, start):
                yield self[index] if index < HEAD_ROWS else ["" if t is None else t for t in texts]


# -- CSV ------------------------------------------------------------------------------------------------

def decode_text(data: bytes) -> str:
    """A text export's characters: by its byte-order mark (UTF-8, UTF-16 LE/BE as Excel's "Unicode Text"
    writes, UTF-32), UTF-16 without a mark, else UTF-8, else cp1252. Raises UnicodeDecodeError only for
    a marked UTF-16/32 file that is damaged."""
    if encoding := text_encoding(data):
        return data.decode(encoding)
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

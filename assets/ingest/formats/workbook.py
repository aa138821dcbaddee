"""Read any agency file into plain grids of typed cells, one per sheet.

Spreadsheets go through Rust readers that run nothing in them: a large .xlsx/.xlsm (the sheets' XML
over FAST_READ_BYTES) is read by fastexcel straight into Arrow, every cell as text, column by column;
anything else (small workbooks, .xls, .ods) by python-calamine as Python values (an .ods it stops at,
indented by Gnumeric, from a copy without that white space: ods_tidy.py). `read_file` also hands
CSV and text exports to text.py and XML Spreadsheet 2003 files to xml2003.py; every reader returns the
sheets of sheet.py.

Where the text of a cell does not say what it was (a NIK typed as a number reads like a NIK typed as
text), the Arrow reader answers from the cells' types: the first HEAD_ROWS rows (where the header is
looked for) are typed from the sheet's XML, and `number_cells` re-reads chosen columns for the mask of
cells that were numbers.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax import SAXException

import fastexcel
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from assets.ingest.formats import ods_tidy, sheetxml, xml2003
from assets.ingest.formats.sheet import (CSV_SUFFIXES, SPREADSHEET_SUFFIXES, SUPPORTED_SUFFIXES,  # noqa: F401  (read_file's kinds)
                                         RawSheet, UnreadableFile, column_letter)  # noqa: F401
from assets.ingest.formats.text import read_csv

FAST_READ_BYTES = 8 << 20   # uncompressed sheet XML; about 10,000 rows of a dozen columns
HEAD_ROWS = 40              # rows typed from the XML: where layout.py looks for the header (30) and more


def read_file(path: Path, kind: str) -> list[RawSheet]:
    """Every sheet of a file that passed assets/ingest/formats/guard.py (`kind` is what the guard found)."""
    if kind == "csv":
        try:
            return [read_csv(path.read_bytes())]
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"a damaged {exc.encoding} text file ({exc.reason} at byte {exc.start})") from exc
    if kind == "xml2003":
        try:
            return xml2003.read_workbook(path)
        except Exception as exc:  # the guard parsed it already; anything here is a damaged file
            raise UnreadableFile(f"not a readable XML Spreadsheet 2003 file ({type(exc).__name__}: {exc})") from exc
    if kind == "xlsx" and sum(_sheet_parts(path).values()) > FAST_READ_BYTES:
        return read_to_arrow(path)
    if kind == "ods":
        return read_ods(path)
    return read_spreadsheet(path)


def read_ods(path: Path) -> list[RawSheet]:
    """An .ods by calamine; one calamine cannot read is read again from a copy whose content.xml has no white
    space between table elements (Gnumeric indents it: ods_tidy.py), and the first failure is the one reported
    when the copy fails too."""
    try:
        return read_spreadsheet(path)
    except UnreadableFile as first:
        try:
            with ods_tidy.tidied_copy(path) as copy:
                return read_spreadsheet(copy)
        except (UnreadableFile, KeyError, ValueError, SAXException, zipfile.BadZipFile, OSError):
            raise first from None


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
    try:
        with zipfile.ZipFile(path) as archive:
            parts = {name: part for part, name in sheetxml.sheet_parts(archive).items()}
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
    with zipfile.ZipFile(path) as archive:
        return {(row - 1, col - first_col): kind for row, col, kind in sheetxml.head_cells(archive, part, HEAD_ROWS)}


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

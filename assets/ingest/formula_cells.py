"""Cells whose formula ended in an error (#N/A, #REF!, ...), read from the sheets' XML.

Excel stores such a cell as `<c t="e"><f>...</f><v>#N/A</v></c>`; calamine and fastexcel hand it back
as an empty cell, so a lookup that found nothing would land as a silent blank. The sheet XML is read as
XML (namespace-aware: Excel writes `<c>`, the .NET Open XML SDK `<x:c>`), block by block, and only for
the sheets that hold a cell typed `e` at all. The error's text is then put back in the grid, where the
cell parsers report it (cells.FORMULA_ERRORS) at its sheet, row and column.
"""
from __future__ import annotations

import re
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from assets.ingest.workbook import RawSheet

# Attributes carry no namespace prefix in SpreadsheetML, whoever wrote the file: a part without this
# has no error cell, and is not parsed.
_ERROR_TYPE = re.compile(rb"""\bt\s*=\s*["']e["']""")
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
BLOCK = 1 << 16


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def error_cells(path: Path, sheet_parts: dict[str, str]) -> dict[str, dict[tuple[int, int], str]]:
    """sheet name -> {(row, column) counted from A1, 0-based: the error text}. `sheet_parts`: sheet
    name -> worksheet part in the zip (as the guard found them)."""
    out: dict[str, dict[tuple[int, int], str]] = {}
    with zipfile.ZipFile(path) as archive:
        for name, part in sheet_parts.items():
            try:
                with archive.open(part) as f:
                    if not _has_error_cell(f):
                        continue
                with archive.open(part) as f:
                    if cells := _parse(f):
                        out[name] = cells
            except (KeyError, ET.ParseError, zipfile.BadZipFile):
                continue        # the guard and the readers report a damaged part
    return out


def _has_error_cell(f) -> bool:
    tail = b""
    while block := f.read(BLOCK):
        if _ERROR_TYPE.search(tail + block):
            return True
        tail = block[-16:]
    return False


def _parse(f) -> dict[tuple[int, int], str]:
    cells: dict[tuple[int, int], str] = {}
    parser = ET.XMLPullParser(events=("start", "end"))
    row, column, in_error, value = -1, -1, False, []
    while block := f.read(BLOCK):
        parser.feed(block)
        for event, element in parser.read_events():
            tag = _local(element.tag)
            if event == "start":
                if tag == "row":
                    r = element.get("r")
                    row = int(r) - 1 if r and r.isdigit() else row + 1
                    column = -1
                elif tag == "c":
                    ref = _REF.fullmatch(element.get("r") or "")
                    if ref:
                        row, column = int(ref[2]) - 1, _column_number(ref[1]) - 1
                    else:
                        column += 1
                    in_error, value = element.get("t") == "e", []
            elif tag == "v" and in_error:
                value.append(element.text or "")
            elif tag == "c":
                if in_error and "".join(value).strip():
                    cells[row, column] = "".join(value).strip()
                in_error = False
                element.clear()
            elif tag == "row":
                element.clear()
    return cells


def mark_error_cells(sheet: RawSheet, cells: dict[tuple[int, int], str]) -> list[str]:
    """Put each error's text in its cell of the grid (cells counted from A1); returns the cells as
    Excel references with their error ("I5 #N/A")."""
    from assets.ingest.workbook import column_letter
    dr, dc = sheet.first_row - 1, sheet.first_col - 1
    placed = []
    by_column: dict[int, dict[int, str]] = {}
    for (r, c), text in sorted(cells.items()):
        i, j = r - dr, c - dc
        if i < 0 or j < 0 or i >= len(sheet.rows):
            continue
        placed.append(f"{column_letter(c + 1)}{r + 1} {text}")
        if sheet.columns is not None:
            if j < len(sheet.columns):
                by_column.setdefault(j, {})[i] = text
        else:
            row = sheet.rows[i]
            if j >= len(row):
                row.extend([""] * (j + 1 - len(row)))
            row[j] = text
    for j, values in by_column.items():        # the Arrow reader's columns: one masked replace each
        column = sheet.columns[j]
        mask = np.zeros(len(column), dtype=bool)
        mask[list(values)] = True
        sheet.columns[j] = pc.replace_with_mask(column, pa.array(mask), pa.array([values[i] for i in sorted(values)],
                                                                                 type=column.type))
    if by_column and hasattr(sheet.rows, "cache"):
        sheet.rows.cache.clear()
    return placed

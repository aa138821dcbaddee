"""XML Spreadsheet 2003 (SpreadsheetML 2003: Excel 2002/2003's "XML Spreadsheet", still written by many
web applications, often named .xls) read with a real XML parser that refuses DTDs and entities.

    <Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="(the same)">
      <Worksheet ss:Name="Data"><Table>
        <Column ss:Index="2" ss:Hidden="1" ss:Span="1"/>
        <Row ss:Index="3" ss:Hidden="1"><Cell ss:Index="2" ss:MergeDown="4"><Data ss:Type="String">..</Data>
      </Table><WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible>

`parse` streams the file once (elements cleared as they are read) and gives each sheet's extent, hidden
rows and columns, merged areas, formula cells without a saved value and (when asked) its cells; the
guard measures the extent against the grid budget before `read_workbook` builds any grid.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml.ElementTree import iterparse

from assets.ingest.formats.sheet import RawSheet, column_letter

SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
EXCEL = "{urn:schemas-microsoft-com:office:excel}"


@dataclass
class Sheet2003:
    """One worksheet; rows and columns 1-based as Excel numbers them."""
    name: str
    hidden: bool = False
    max_row: int = 0
    max_col: int = 0
    farthest: str = ""                                       # the cell that stretches the extent
    cells: dict[tuple[int, int], object] = field(default_factory=dict)
    hidden_rows: list[int] = field(default_factory=list)
    hidden_columns: list[int] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)   # 0-based from A1, inclusive
    formulas_without_value: list[str] = field(default_factory=list)        # A1 references


def parse(path: Path, values: bool = True, max_merged: int = 100_000) -> list[Sheet2003]:
    """Every worksheet of an XML Spreadsheet 2003 file. Raises defusedxml's DTDForbidden /
    EntitiesForbidden for a DTD or entity, xml.etree.ElementTree.ParseError for malformed XML and
    ValueError for a cell value that contradicts its type."""
    sheets: list[Sheet2003] = []
    sheet: Sheet2003 | None = None
    row = col = 0
    parents = []
    for event, element in iterparse(str(path), events=("start", "end"), forbid_dtd=True):
        tag = element.tag
        if event == "start":
            if tag == f"{SS}Worksheet":
                sheet = Sheet2003(element.get(f"{SS}Name", f"Sheet{len(sheets) + 1}"))
                row = 0
            elif tag == f"{SS}Table":
                col = 0
            elif tag == f"{SS}Row" and sheet is not None:
                row = _index(element, row)
                col = 0
            parents.append(element)
            continue
        parents.pop()
        if sheet is None:
            continue
        if tag == f"{SS}Cell":
            col = _index(element, col)
            across, down = int(element.get(f"{SS}MergeAcross", 0)), int(element.get(f"{SS}MergeDown", 0))
            if across < 0 or down < 0:
                raise ValueError(f"a merged area going backwards at row {row}")
            last_col, last_row = col + across, row + down
            if (across or down) and len(sheet.merged) < max_merged:
                sheet.merged.append((row - 1, col - 1, last_row - 1, last_col - 1))
            data = element.find(f"{SS}Data")
            if data is not None and not "".join(data.itertext()).strip() and data.get(f"{SS}Type") == "Number":
                data = None         # SheetJS writes a formula without its result as an empty Number
            formula = element.get(f"{SS}Formula")
            if data is None and formula and len(sheet.formulas_without_value) < 1000:
                sheet.formulas_without_value.append(f"{column_letter(col)}{row}")
                if values:          # no result: reported at its cell (formula_not_computed), never empty
                    sheet.cells[row, col] = formula if formula.startswith("=") else f"={formula}"
            if data is not None or across or down:
                if last_row > sheet.max_row or last_col > sheet.max_col:
                    sheet.farthest = f"{column_letter(last_col)}{last_row}"
                sheet.max_row, sheet.max_col = max(sheet.max_row, last_row), max(sheet.max_col, last_col)
            if data is not None and values:
                sheet.cells[row, col] = _value(data)
            col = last_col
            element.clear()
        elif tag == f"{SS}Row":
            span = max(int(element.get(f"{SS}Span", 0)), 0)
            if element.get(f"{SS}Hidden") in ("1", "true"):
                sheet.hidden_rows += range(row, min(row + span, 1_048_576) + 1)
            row += span
            element.clear()
            if parents:
                parents[-1].remove(element)
        elif tag == f"{SS}Column":
            start, span = _index(element, col), max(int(element.get(f"{SS}Span", 0)), 0)
            if element.get(f"{SS}Hidden") in ("1", "true"):
                sheet.hidden_columns += range(start, min(start + span, 16_384) + 1)
            col = start + span
        elif tag == f"{SS}Table":
            col = 0
        elif tag == f"{EXCEL}Visible":
            sheet.hidden = (element.text or "").strip() in ("SheetHidden", "SheetVeryHidden")
        elif tag == f"{SS}Worksheet":
            sheets.append(sheet)
            sheet = None
            element.clear()
    return sheets


def _index(element, previous: int) -> int:
    """ss:Index when given (1-based, skipping empty rows or cells), else the one after `previous`."""
    index = int(element.get(f"{SS}Index", 0))
    if index and index <= previous:
        raise ValueError(f"ss:Index {index} does not move forward (after {previous})")
    return index or previous + 1


def _value(data) -> object:
    """A cell's value as the other readers give it: Number -> float, DateTime -> date (datetime when it has
    a time of day), Boolean -> bool, String and Error (e.g. "#N/A") -> their text."""
    text = "".join(data.itertext())         # rich text (html:B, html:Font) keeps its characters
    kind = data.get(f"{SS}Type", "String")
    if kind == "Number":
        return float(text)
    if kind == "DateTime":
        moment = dt.datetime.fromisoformat(text.strip())
        return moment.date() if moment.time() == dt.time() else moment
    if kind == "Boolean":
        return text.strip() in ("1", "true", "TRUE")
    return text


def read_workbook(path: Path) -> list[RawSheet]:
    """Every worksheet as a RawSheet grid from A1 ("" for empty cells), merged areas and hidden flag set.
    Call only on a file the guard measured (its extent is within the grid budget)."""
    out = []
    for sheet in parse(path):
        rows = [[""] * sheet.max_col for _ in range(sheet.max_row)]
        for (r, c), value in sheet.cells.items():
            rows[r - 1][c - 1] = value
        out.append(RawSheet(name=sheet.name, rows=rows, hidden=sheet.hidden, merged=list(sheet.merged)))
    return out

"""Workbooks laid out for reading and printing, written with XlsxWriter: the agency's answer report.

A sheet is laid out first as a grid of values with a style per cell (`PrintedSheet`), then written in one
pass (`save`). XlsxWriter streams the file (no object per cell kept for saving), about five times faster
than building and saving the same styled workbook with openpyxl, which matters at 2,000 reports a sync.

Every sheet prints landscape on A4 with narrow margins, one page wide, its name at the top and its page
numbers at the foot; text longer than a few characters is wrapped at the top of its cell and the row is
made tall enough for it (readers do not grow a row for wrapped text on opening). A received value never
becomes a formula: every text is written as a string cell, and text a spreadsheet would take as a formula
(assets/inert.py) carries Excel's quote prefix, so it stays text when the clerk edits the cell.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import BinaryIO

import xlsxwriter

from assets.inert import looks_like_formula

LINE_HEIGHT = 15        # points, a line of 11-point Calibri (Excel's default row height)
DEFAULT_WIDTH = 13      # the width a column's text is wrapped at when the sheet gives none (digits)
PAPER_A4 = 9            # the page setup's paper size code for A4
FOOTER = "Halaman &P dari &N / Page &P of &N"


@dataclass(frozen=True)
class Style:
    """A cell's look: font (bold, size in points, colour as RRGGBB), fill colour, alignment."""
    bold: bool = False
    size: float | None = None
    color: str | None = None
    fill: str | None = None
    wrap: bool = False
    top: bool = False
    left: bool = False

    def merged(self, other: "Style") -> "Style":
        """This style with what `other` sets added over it."""
        return Style(bold=self.bold or other.bold, size=other.size or self.size, color=other.color or self.color,
                     fill=other.fill or self.fill, wrap=self.wrap or other.wrap, top=self.top or other.top,
                     left=self.left or other.left)


PLAIN = Style()
WRAPPED, TOP = Style(wrap=True, top=True), Style(top=True)


@dataclass
class PrintedSheet:
    """One sheet: `rows` of values (str, int, float, bool or None) from row 1, column widths (in widths of
    a digit, from column A), styles by (row, column) 0-based, row heights in points by 0-based row;
    `header`: the first row is a table's header (repeated on every printed page, frozen, filtered)."""
    title: str
    rows: list[list[object]] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    styles: dict[tuple[int, int], Style] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    header: bool = False

    def append(self, values: list[object]) -> int:
        """Add a row; returns its 0-based index."""
        self.rows.append(list(values))
        return len(self.rows) - 1

    def style(self, row: int, column: int, style: Style) -> None:
        """Add `style` over what cell (row, column), 0-based, has."""
        self.styles[(row, column)] = self.styles.get((row, column), PLAIN).merged(style)

    def fit_rows(self) -> None:
        """Wrap every text longer than six characters (or of several lines) at the top of its cell, put
        every other value at the top, and make each row tall enough for its wrapped text."""
        for r, values in enumerate(self.rows):
            lines = 1
            for c, value in enumerate(values):
                if isinstance(value, str) and (len(value) > 6 or "\n" in value):
                    self.style(r, c, WRAPPED)
                    lines = max(lines, wrapped_lines(value, self.widths[c] if c < len(self.widths) else DEFAULT_WIDTH))
                elif value is not None:
                    self.style(r, c, TOP)
            if lines > 1:
                self.heights[r] = LINE_HEIGHT * lines


def wrapped_lines(text: str, width: float) -> int:
    """Lines `text` takes wrapped in a column `width` wide (in widths of a digit; a letter of running
    text is narrower, about 1.1 of them to a digit's width here, kept on the safe side), each line
    broken between words: the row is never too short for its text."""
    per_line = max(int(width * 1.1) - 1, 1)
    total = 0
    for paragraph in text.split("\n"):
        line = 0
        total += 1
        for word in paragraph.split(" "):
            size = len(word)
            if line and line + 1 + size > per_line:
                total, line = total + 1, 0
            while size > per_line:        # a word longer than the column breaks where it must
                total, size = total + 1, size - per_line
            line = line + 1 + size if line else size
    return total


def save(sheets: list[PrintedSheet], target: str | BinaryIO) -> None:
    """Write `sheets` as one .xlsx workbook to `target` (a path or a binary file object)."""
    workbook = xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
    formats: dict[tuple[Style, bool], object] = {}

    def look(style: Style, quoted: bool):
        if (style, quoted) not in formats:
            properties = {"bold": style.bold, "font_size": style.size, "font_color": style.color and f"#{style.color}",
                          "bg_color": style.fill and f"#{style.fill}", "pattern": 1 if style.fill else None,
                          "text_wrap": style.wrap, "valign": "top" if style.top else None,
                          "align": "left" if style.left else None, "quote_prefix": quoted}
            formats[(style, quoted)] = workbook.add_format({k: v for k, v in properties.items() if v})
        return formats[(style, quoted)]

    for sheet in sheets:
        ws = workbook.add_worksheet(sheet.title)
        for c, width in enumerate(sheet.widths):
            ws.set_column(c, c, width)
        for r, height in sheet.heights.items():
            ws.set_row(r, height)
        for r, values in enumerate(sheet.rows):
            for c, value in enumerate(values):
                style = sheet.styles.get((r, c), PLAIN)
                if value is None or value == "" or isinstance(value, float) and math.isnan(value):
                    if style != PLAIN:
                        ws.write_blank(r, c, None, look(style, False))
                elif isinstance(value, bool):
                    ws.write_boolean(r, c, value, look(style, False))
                elif isinstance(value, (int, float)) and math.isfinite(value):
                    ws.write_number(r, c, value, look(style, False))
                else:
                    text = str(value)
                    ws.write_string(r, c, text, look(style, looks_like_formula(text)))
        _page_setup(ws, sheet)
    workbook.close()


def _page_setup(ws, sheet: PrintedSheet) -> None:
    ws.set_landscape()
    ws.set_paper(PAPER_A4)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.set_header("&C&A", {"margin": 0.3})        # the sheet's name
    ws.set_footer(f"&C{FOOTER}", {"margin": 0.3})
    if sheet.header:
        ws.repeat_rows(0)
        ws.freeze_panes(1, 0)
        if len(sheet.rows) > 1:
            ws.autofilter(0, 0, len(sheet.rows) - 1, max(len(r) for r in sheet.rows) - 1)

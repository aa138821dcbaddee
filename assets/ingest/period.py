"""The year a table is about when it has no year column: from its title rows, else the sheet name,
else the file name. One year only; a title naming several ("2020-2024") says nothing about a row."""
from __future__ import annotations

import re

from assets.ingest.cells import raw_text
from assets.ingest.layout import TableLayout
from assets.ingest.workbook import RawSheet

YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")


def single_year(text: str) -> int | None:
    years = {int(y) for y in YEAR.findall(text)}
    return years.pop() if len(years) == 1 else None


def find_period(sheet: RawSheet, layout: TableLayout, file_name: str) -> tuple[int | None, str]:
    """(year, where it was found, for the report)."""
    for index in range(layout.header_rows[0]):
        text = " ".join(raw_text(v) for v in sheet.rows[index] if raw_text(v))
        if year := single_year(text):
            return year, f"title row {sheet.excel_row(index)} ('{text[:80]}')"
    if sheet.name and (year := single_year(sheet.name)):
        return year, f"sheet name '{sheet.name}'"
    if year := single_year(file_name.rsplit(".", 1)[0]):
        return year, f"file name '{file_name}'"
    return None, ""

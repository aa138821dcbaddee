"""openpyxl helpers: agency-style tables (titles, blank row, header, data, source line) and
byte-reproducible saving (fixed document dates and zip timestamps)."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

FIXED_TIME = dt.datetime(2025, 1, 1, 0, 0, 0)
_ZIP_TIME = (2025, 1, 1, 0, 0, 0)


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "jembatan sample_data"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def save(wb: Workbook, path: Path) -> None:
    """Save with fixed properties and zip entry times so the same seed gives the same bytes."""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.lastModifiedBy = "jembatan sample_data"
    buf = io.BytesIO()
    archive = zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(wb, archive).save()
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))


class Table:
    """Append rows to a sheet laid out as: title rows, blank row, header row(s), data, blank, source."""

    def __init__(self, ws, titles: list[str], header: list[str] | None = None):
        self.ws = ws
        for title in titles:
            ws.append([title])
        ws.append([])
        if header is not None:
            ws.append(header)

    @property
    def last_row(self) -> int:
        return self.ws._current_row  # noqa: SLF001 - openpyxl keeps no public counter

    def add(self, values: list) -> int:
        """Append one row; return its 1-based Excel row number."""
        self.ws.append(values)
        return self.last_row

    def footer(self, text: str) -> None:
        self.ws.append([])
        self.ws.append([text])


def set_widths(ws, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w

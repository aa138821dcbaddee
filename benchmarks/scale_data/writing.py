"""Fast, byte-reproducible agency files: one-sheet write-only workbooks and ';'-separated cp1252 CSV.

Byte-identical output for the same (scale, seed) matters beyond tests: the pipeline receives files by
content hash, so regenerating an inbox must look "unchanged" to an incremental sync.
"""
from __future__ import annotations

import csv
import datetime as dt
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

FIXED_TIME = dt.datetime(2025, 1, 1)
_ZIP_TIME = (2025, 1, 1, 0, 0, 0)
# Level 1 deflate: files are ~15% larger than the default level but compress about twice as fast.
_LEVEL = 1


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    # the attribute is public from Python 3.13 on (compress_level) and private before
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", _LEVEL)
    return info


class _FixedTimeZip(zipfile.ZipFile):
    """A ZipFile whose entries carry a fixed timestamp (openpyxl stamps the current time otherwise)."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = _entry(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl's write-only sheets arrive as temp files; stream them without a second copy
        with open(filename, "rb") as src, self.open(_entry(arcname or str(filename)), "w", force_zip64=True) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)


def write_xlsx(path: Path, sheet: str, titles: list[str], header: list[str], rows: Iterable[list],
               footer: str) -> None:
    """One sheet laid out as agencies do: title rows, blank row, header, data, blank row, source line."""
    wb = Workbook(write_only=True)
    wb.properties.creator = "jembatan benchmarks.scale_data"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    ws = wb.create_sheet(sheet)
    for title in titles:
        ws.append([title])
    ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    ws.append([])
    ws.append([footer])
    path.parent.mkdir(parents=True, exist_ok=True)
    with _FixedTimeZip(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()


def write_csv(path: Path, title: str, header: list[str], rows: Iterable[list]) -> None:
    """An Excel export in an Indonesian locale: ';' separators, cp1252, CRLF, a title line above."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="cp1252", newline="") as fh:
        fh.write(title + "\r\n")
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)

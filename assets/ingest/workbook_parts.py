"""The date system an .xlsx/.xlsm was saved in, from `xl/workbook.xml`.

Excel for Mac may save in the 1904 date system (`<workbookPr date1904="1"/>`), which moves every serial
number by 1,462 days. Read as XML with a hardened parser, by local name, so a workbook written with
namespace prefixes (`<x:workbookPr>`, the .NET Open XML SDK) reads the same as Excel's own.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from defusedxml import ElementTree as SafeET


def uses_1904_dates(path: Path) -> bool:
    """True when the workbook counts dates from 1904-01-01 (serial 0); False for the 1900 system, and for
    a file that is not a zip workbook (the guard and the readers report those)."""
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = SafeET.fromstring(archive.read("xl/workbook.xml"))
    except Exception:
        return False
    for element in workbook.iter():
        if element.tag.rpartition("}")[2] == "workbookPr":
            return (element.get("date1904") or "").strip().lower() in ("1", "true")
    return False

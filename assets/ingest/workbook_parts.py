"""What an .xlsx/.xlsm says of itself in `xl/workbook.xml`: its sheets' parts and its date system.

Read as XML with a hardened parser (defusedxml), by local names, so a workbook written with namespace
prefixes (`<x:sheet>`, the .NET Open XML SDK) reads the same as Excel's own.
"""
from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree as SafeET

RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
STRICT_RELATIONSHIP_ID = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"


@dataclass
class WorkbookParts:
    sheets: dict[str, str] = field(default_factory=dict)   # sheet name -> worksheet part ("xl/worksheets/sheet1.xml")
    date1904: bool = False      # saved in the 1904 date system (Excel for Mac): serial 0 is 1904-01-01


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def workbook_parts(path: Path) -> WorkbookParts:
    """The workbook's sheets and date system; an empty answer for a file that is not a zip workbook."""
    out = WorkbookParts()
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = SafeET.fromstring(archive.read("xl/workbook.xml"))
            try:
                rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            except KeyError:
                rels = None
    except Exception:       # not a zip workbook, or damaged: the guard and the readers say so
        return out
    targets = {}
    for rel in (rels.iter() if rels is not None else ()):
        if _local(rel.tag) == "Relationship" and rel.get("Id") and rel.get("Target"):
            target = rel.get("Target")
            targets[rel.get("Id")] = (target.lstrip("/") if target.startswith("/")
                                      else posixpath.normpath(posixpath.join("xl", target)))
    for element in workbook.iter():
        tag = _local(element.tag)
        if tag == "workbookPr":
            out.date1904 = (element.get("date1904") or "").strip().lower() in ("1", "true")
        elif tag == "sheet":
            rid = element.get(RELATIONSHIP_ID) or element.get(STRICT_RELATIONSHIP_ID)
            if element.get("name") is not None and rid in targets:
                out.sheets[element.get("name")] = targets[rid]
    return out

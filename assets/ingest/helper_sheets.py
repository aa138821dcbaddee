"""The sheets `jembatan template` adds beside its data sheet, as the ingest recognises them: by name and
first cell, so a filled template dropped back is read with only a note about them (assets/ingest/template.py
writes them)."""
from __future__ import annotations

INSTRUCTIONS_SHEET, INSTRUCTIONS_TITLE = "Petunjuk", "Petunjuk pengisian"
VILLAGE_SHEET, VILLAGE_PICK = "Desa", "Pilihan Desa/Kelurahan"
# sheet name -> (what its first cell starts with, what it is in English and in Bahasa Indonesia)
HELPER_SHEETS = {INSTRUCTIONS_SHEET: (INSTRUCTIONS_TITLE, "the template's instructions",
                                      "petunjuk pengisian dari templat"),
                 VILLAGE_SHEET: (VILLAGE_PICK, "the template's list of villages",
                                 "daftar desa/kelurahan dari templat")}


def helper_sheet(name: str, rows) -> tuple[str, str] | None:
    """(what it is, in English and in Bahasa Indonesia) when a sheet (its name and rows of cells) is one
    of the template's helper sheets, else None."""
    if name not in HELPER_SHEETS or not len(rows):
        return None
    first = next((str(v).strip() for v in rows[0] if v is not None and str(v).strip()), "")
    marker, english, indonesian = HELPER_SHEETS[name]
    return (english, indonesian) if first.startswith(marker) else None

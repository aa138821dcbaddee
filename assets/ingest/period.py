"""What a table's title says that its columns do not, looked for in its title rows, else the sheet
name, else the file name: the year it is about (one year only: a title naming several, "2020-2024",
says nothing about a row), and the district it covers ("... di Kecamatan Pasir Nangka", as BPS's
"Kecamatan Dalam Angka" tables say it)."""
from __future__ import annotations

import re

from assets.ingest.cells import raw_text
from assets.ingest.layout import TableLayout
from assets.ingest.formats.sheet import RawSheet

YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
KECAMATAN = re.compile(r"\bkec(?:amatan|\.)?\s+", re.IGNORECASE)
# Words that end a district's name in a title ("Kecamatan Mendo Dalam Angka", "Kec. Mendo Tahun 2023").
AFTER_DISTRICT = {"tahun", "th", "dalam", "angka", "kabupaten", "kab", "kota", "provinsi", "keadaan", "menurut",
                  "per", "dan", "di", "pada", "bulan", "sd", "s"}


def single_year(text: str) -> int | None:
    years = {int(y) for y in YEAR.findall(text)}
    return years.pop() if len(years) == 1 else None


def single_district(text: str) -> str | None:
    names = set()
    for after in KECAMATAN.split(text.replace("_", " "))[1:]:
        words = []
        for word in re.findall(r"[A-Za-z][A-Za-z'\-]*|\S", after)[:4]:
            if not word[0].isalpha() or word.lower() in AFTER_DISTRICT:
                break
            words.append(word)
        if words:
            names.add(" ".join(words).title())
    return names.pop() if len(names) == 1 else None


def from_title(sheet: RawSheet, layout: TableLayout, file_name: str, read) -> tuple[object, str]:
    """(what `read` finds first in the title rows, sheet name or file name; where, for the report)."""
    for index in range(layout.header_rows[0]):
        text = " ".join(raw_text(v) for v in sheet.rows[index] if raw_text(v))
        if (found := read(text)) is not None:
            return found, f"title row {sheet.excel_row(index)} ('{text[:80]}')"
    if sheet.name and (found := read(sheet.name)) is not None:
        return found, f"sheet name '{sheet.name}'"
    if (found := read(file_name.rsplit(".", 1)[0])) is not None:
        return found, f"file name '{file_name}'"
    return None, ""


def find_period(sheet: RawSheet, layout: TableLayout, file_name: str) -> tuple[int | None, str]:
    """(year, where it was found, for the report)."""
    return from_title(sheet, layout, file_name, single_year)


def find_district(sheet: RawSheet, layout: TableLayout, file_name: str) -> tuple[str | None, str]:
    """(district name, where it was found, for the report)."""
    return from_title(sheet, layout, file_name, single_district)

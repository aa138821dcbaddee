"""Offices: who sent a file, and so who may correct what.

An **office** is one sending unit of an agency: "Polres Bangka" of the police folder (`polda`), "BPS
Kabupaten Bangka" of the statistics folder (`bps`). Every received file belongs to exactly one office,
decided once when the file is recorded (its manifest's `office`, `office_name`, `office_from`):

- **portal** (`office_from = "portal"`): the office of the account that uploaded the content into that
  folder under that name (the portal records sha256 -> office at upload, <warehouse>/portal/portal.sqlite3,
  table `uploads`; the earliest such upload when several offices sent the same bytes).
- **rows** (`"rows"`): a file dropped straight into the inbox share belongs to its folder and the unit its
  rows themselves name: the Polres (Polresta, Polda, Polsek) at the end of every report number
  (`LP/B/22/II/2024/SPKT/POLRES BANGKA` -> Polres Bangka), else the one regency or city every row names in
  its Kabupaten/Kota column (BPS and cooperative files: "BPS Kabupaten Bangka").
- **folder** (`"folder"`): rows naming no unit, or several (a file mixing two Polres' report numbers, a
  province-wide table), belong to the folder as a whole ("polda (whole folder)"): an office of its own, so
  such a file never corrects a single unit's rows, nor they it.

Two files are of the same office when their `office` keys are equal: `<folder>:<name folded>` (case, spaces
and "Kab."/"Kabupaten" spelling ignored for regencies), so a portal account named "Polres Bangka" and the
share's rows naming POLRES BANGKA are one office.

What follows from it (assets/ingest/supersede.py, assets/harmonise/collisions.py): a file supersedes only
files of its own office, and a key (a report number; a village and year) sent by two offices is a
**conflict** held for the data steward, never a replacement. A report number belongs first to the office
it names: sending another office's numbers first does not take them.
"""
from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pandas as pd

PORTAL_DATABASE = Path("portal") / "portal.sqlite3"
AGENCY_LABEL = {"bps": "BPS", "koperasi": "Dinas Koperasi", "polda": "Polda"}
# The unit that registered a police report, as its number ends: ".../SPKT/POLRES BANGKA SELATAN".
UNIT_IN_NUMBER = re.compile(r"/\s*(POL(?:RESTABES|RESTA|RES|DA|SEK))\s+([A-Z][A-Z0-9 .'-]*?)\s*/?\s*$",
                            re.IGNORECASE)
REGENCY_WORDS = re.compile(r"^(?:kabupaten|kab\.?|kota|kotamadya)\s+", re.IGNORECASE)


def office_key(folder: str, name: str) -> str:
    """`<folder>:<name folded>`; name "" is the folder as a whole."""
    return f"{folder}:{fold(name)}"


def fold(name: str) -> str:
    return " ".join(str(name).replace(".", ". ").split()).casefold().replace(". ", " ").strip()


def unit_of_report_number(number: object) -> str | None:
    """'LP/B/22/II/2024/SPKT/POLRES BANGKA' -> 'Polres Bangka' (the unit it names), else None."""
    if not isinstance(number, str) or not (found := UNIT_IN_NUMBER.search(number.strip())):
        return None
    kind = found[1].capitalize()
    return f"{kind} {' '.join(found[2].split()).title()}"


def unit_named_by_rows(frames: list[pd.DataFrame], folder: str) -> str:
    """The one unit a file's rows name (module doc, "rows"), or "" for none or several. `frames`: the
    file's parsed rows (report_number, regency_name columns where it has them)."""
    units: set[str] = set()
    numbers = [f["report_number"].dropna() for f in frames if "report_number" in f]
    if numbers and sum(len(n) for n in numbers):
        for values in numbers:
            units |= {unit_of_report_number(v) for v in values.unique()}
        return units.pop() if len(units) == 1 and None not in units else ""
    for frame in frames:
        if "regency_name" in frame:
            units |= {REGENCY_WORDS.sub("", " ".join(str(v).split())).title()
                      for v in frame["regency_name"].dropna().unique() if str(v).strip()}
    if len(units) != 1 or not any(len(f) for f in frames):
        return ""
    return f"{AGENCY_LABEL.get(folder, folder)} Kabupaten {units.pop()}"


def portal_office(warehouse: Path | None, folder: str, file_name: str, sha: str) -> str | None:
    """The office whose portal account uploaded this content into `folder` under `file_name` (the
    earliest upload), or None: no portal, or the file came through the share."""
    if warehouse is None or not (database := Path(warehouse) / PORTAL_DATABASE).is_file():
        return None
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)) as db:
            row = db.execute("SELECT office FROM uploads WHERE sha256 = ? AND agency = ? AND file_name = ? "
                             "ORDER BY uploaded_at, id LIMIT 1", (sha, folder, file_name)).fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def office_of(folder: str, portal: str | None, unit: str) -> dict:
    """The manifest fields saying a file's office: {"office", "office_name", "office_from"}."""
    if portal:
        return {"office": office_key(folder, portal), "office_name": portal, "office_from": "portal"}
    if unit:
        return {"office": office_key(folder, unit), "office_name": unit, "office_from": "rows"}
    return {"office": office_key(folder, ""), "office_name": f"{folder} (whole folder)", "office_from": "folder"}


def manifest_office(manifest: dict) -> str:
    """A manifest's office key (a file recorded before offices were kept: its folder as a whole)."""
    return manifest.get("office") or office_key(manifest.get("source", ""), "")


def key_owner(value: object, folder: str) -> str | None:
    """The office a key belongs to by what it says: a report number's unit (office key), else None."""
    unit = unit_of_report_number(value)
    return office_key(folder, unit) if unit else None


def warehouse_of(work_root) -> Path | None:
    """The warehouse folder of a local work area (<warehouse>/work), where the portal's database is."""
    try:
        return Path(str(work_root)).parent if Path(str(work_root)).exists() else None
    except OSError:
        return None

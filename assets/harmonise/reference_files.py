"""Read the official reference files a steward drops in inbox/reference/, in the layouts they really come in.

Kinds, told apart by their columns:
- a Kemendagri list: a code column (kemendagri_code, kode, kode_wilayah) and a name column (name, nama).
  Its decree comes from a `source_version`/`decree` column when present (one file may hold several),
  else from the year in the file name. Level and parent are derived from the code's shape when absent.
- a wide version table: one name column per decree (`name_pmd56_2015`, `name_kmd2138_2025`, ...); a
  blank name means the code is not in that decree.
- a BPS-Kemendagri bridging: bps_code/kode_bps and kemendagri_code/kode_dagri, optional bps_name (and
  `bps_name_*` columns with other BPS spellings).
- a published change list (`change_type` or `change` column): read for comparison, the gazetteer derives
  its own changes from the lists.

A version is identified by the year of its decree ("2025"); the decree's title and date, when the files
say them, are kept beside it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from assets.harmonise.codes import BPS_LEVEL_BY_LENGTH, LEVEL_BY_LENGTH, code_level, dotted_code, parent_of, \
    village_type
from assets.ingest.inbox import scan_inbox

CODE_COLUMNS = ("kemendagri_code", "kode", "kode_wilayah", "kode_dagri", "kode_kemendagri")
NAME_COLUMNS = ("name", "nama", "nama_wilayah", "kemendagri_name")
BPS_CODE_COLUMNS = ("bps_code", "kode_bps")
BPS_NAME_COLUMNS = ("bps_name", "nama_bps")
DECREE_COLUMNS = ("source_version", "decree", "version", "versi", "dasar_hukum")
DATE_COLUMNS = ("decree_date", "tanggal", "tanggal_penetapan")
CHANGE_COLUMNS = ("change_type", "change")
WIDE_NAME = re.compile(r"^name_(?P<kind>pmd|kmd|permendagri|kepmendagri)(?P<number>[\w]*?)_(?P<year>(19|20)\d{2})$")
READABLE = (".csv", ".xlsx", ".xls", ".xlsm", ".ods")
AREA_COLUMNS = ["version", "level", "code", "name", "parent_code", "village_type", "decree", "decree_date"]


def read_table(path: Path) -> pd.DataFrame:
    """Every cell as text (codes keep their dots and zeros); column names lower_snake_case."""
    if path.suffix.lower() in (".xlsx", ".xls", ".xlsm", ".ods"):
        frame = pd.read_excel(path, dtype=str, engine="calamine").fillna("")
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python",
                            encoding="utf-8-sig")
    frame.columns = [re.sub(r"\W+", "_", str(c).strip().lower()).strip("_") for c in frame.columns]
    return frame


def pick(columns, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in columns), None)


def decree_year(text: str) -> str:
    """'Permendagri 58/2021 (rev. Kepmendagri 050-145/2022)' -> '2021': the decree's own year comes first."""
    years = re.findall(r"(?:19|20)\d{2}", str(text))
    return years[0] if years else ""


def file_kind(columns) -> str:
    columns = set(columns)
    if columns & set(CHANGE_COLUMNS) and not columns & set(NAME_COLUMNS):
        return "changes"
    if columns & set(BPS_CODE_COLUMNS) and columns & set(CODE_COLUMNS):
        return "bridging"
    if pick(columns, CODE_COLUMNS) and any(WIDE_NAME.match(c) for c in columns):
        return "versions"
    if pick(columns, CODE_COLUMNS) and pick(columns, NAME_COLUMNS):
        return "list"
    return "unknown"


def _areas(codes: pd.Series, names: pd.Series, levels: pd.Series | None, version: str, decree: str,
           decree_date: pd.Series | str) -> pd.DataFrame:
    codes = codes.map(dotted_code)
    out = pd.DataFrame({"version": version, "code": codes, "name": names.fillna("").str.strip()})
    out["level"] = levels.str.strip().str.lower() if levels is not None else codes.map(code_level)
    # A level column that disagrees with the code's shape is wrong more often than the code.
    out.loc[~out["level"].isin(LEVEL_BY_LENGTH.values()), "level"] = codes.map(code_level)
    out["parent_code"] = codes.map(parent_of)
    out["village_type"] = [village_type(c) if lvl == "village" else "" for c, lvl in zip(codes, out["level"])]
    out["decree"] = decree
    out["decree_date"] = decree_date
    keep = (out["code"] != "") & (out["name"] != "") & (out["level"] == out["code"].map(code_level))
    return out.loc[keep, AREA_COLUMNS]


def read_list(path: Path, frame: pd.DataFrame) -> pd.DataFrame:
    code_col, name_col = pick(frame.columns, CODE_COLUMNS), pick(frame.columns, NAME_COLUMNS)
    decree_col, date_col = pick(frame.columns, DECREE_COLUMNS), pick(frame.columns, DATE_COLUMNS)
    levels = frame["level"] if "level" in frame else None
    if not decree_col:
        year = decree_year(path.stem) or path.stem
        return _areas(frame[code_col], frame[name_col], levels, year, "",
                      frame[date_col] if date_col else "")
    parts = []
    for decree, rows in frame.groupby(decree_col, sort=False):
        parts.append(_areas(rows[code_col], rows[name_col], None if levels is None else levels[rows.index],
                            decree_year(decree) or decree_year(path.stem) or str(decree), str(decree),
                            rows[date_col] if date_col else ""))
    return pd.concat(parts, ignore_index=True)


def _decree_titles(frame: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(decree number, year) -> title as written in the file's first/last version columns, if any."""
    titles = {}
    for column in ("first_version", "last_version"):
        for title in frame.get(column, pd.Series(dtype=str)).dropna().unique():
            match = re.search(r"([\d.\-]+)/((?:19|20)\d{2})", title)
            if match:
                titles[(match.group(1).split("-")[-1].split(".")[-1], match.group(2))] = title
    return titles


def read_versions(path: Path, frame: pd.DataFrame) -> pd.DataFrame:
    code_col = pick(frame.columns, CODE_COLUMNS)
    levels = frame["level"] if "level" in frame else None
    titles = _decree_titles(frame)
    parts, seen = [], set()
    for column in frame.columns:
        match = WIDE_NAME.match(column)
        if not match or match.group("year") in seen:
            continue      # a second transcription of a decree already read (e.g. name_pmd72_2019_..._pdf)
        year = match.group("year")
        seen.add(year)
        kind = "Kepmendagri" if match.group("kind").startswith("k") else "Permendagri"
        title = titles.get((match.group("number"), year), f"{kind} {match.group('number')}/{year}")
        parts.append(_areas(frame[code_col], frame[column], levels, year, title, ""))
    return pd.concat(parts, ignore_index=True)


def read_bridging(frame: pd.DataFrame) -> pd.DataFrame:
    bps_col, code_col = pick(frame.columns, BPS_CODE_COLUMNS), pick(frame.columns, CODE_COLUMNS)
    name_col = pick(frame.columns, BPS_NAME_COLUMNS)
    other_names = [c for c in frame.columns if c.startswith(("bps_name_", "nama_bps_"))]
    out = pd.DataFrame({
        "bps_code": frame[bps_col].str.replace(r"\D", "", regex=True),
        "kemendagri_code": frame[code_col].map(dotted_code),
        "bps_name": frame[name_col].str.strip() if name_col else "",
        "bps_name_alt": frame[other_names].apply(lambda r: "; ".join(sorted({v.strip() for v in r if v.strip()})),
                                                 axis=1) if other_names else "",
    })
    out["level"] = out["kemendagri_code"].map(code_level)
    bps_level = out["bps_code"].str.len().map(BPS_LEVEL_BY_LENGTH)
    out = out[(out["bps_code"] != "") & (out["kemendagri_code"] != "") & (out["level"] == bps_level)]
    return out.drop_duplicates(["bps_code", "kemendagri_code"]).reset_index(drop=True)


def read_changes(frame: pd.DataFrame) -> pd.DataFrame:
    change_col = pick(frame.columns, CHANGE_COLUMNS)
    code_col = pick(frame.columns, CODE_COLUMNS)
    return pd.DataFrame({
        "from_version": frame.get("from_version", pd.Series("", index=frame.index)).map(decree_year),
        "to_version": frame.get("to_version", pd.Series("", index=frame.index)).map(decree_year),
        "code": frame[code_col].map(dotted_code), "change": frame[change_col],
        "old_name": frame.get("old_name", ""), "new_name": frame.get("new_name", ""),
    })


@dataclass
class ReferenceFiles:
    areas: list[pd.DataFrame] = field(default_factory=list)
    bridging: list[pd.DataFrame] = field(default_factory=list)
    published_changes: list[pd.DataFrame] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)      # files still being written: not read yet


def read_reference_folder(folder: Path, settle: float | None = None) -> ReferenceFiles:
    """Every reference list of `folder` by kind; files changed in the last `settle` seconds (default
    JEMBATAN_SETTLE_SECONDS) are named in `waiting`, not read."""
    found = ReferenceFiles()
    scan = scan_inbox(folder, settle)
    found.waiting = [e.name for e in scan.entries if e.status == "waiting"]
    for path in sorted(scan.files):        # regular, settled files: links never followed
        if path.suffix.lower() not in READABLE or path.name.startswith((".", "~$")):
            continue
        frame = read_table(path)
        kind = file_kind(frame.columns)
        if kind == "list":
            found.areas.append(read_list(path, frame))
        elif kind == "versions":
            found.areas.append(read_versions(path, frame))
        elif kind == "bridging":
            found.bridging.append(read_bridging(frame))
        elif kind == "changes":
            found.published_changes.append(read_changes(frame))
        else:
            found.skipped.append(path.name)
    return found

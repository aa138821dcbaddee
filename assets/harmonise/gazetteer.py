"""The gazetteer as data: official Kemendagri lists by decree version and the BPS bridging table,
read from the reference folder a steward drops them in.

A Kemendagri list is any CSV or Excel file with a code column (kemendagri_code, kode, kode_wilayah)
and a name column (name, nama); the version is the year in its file name. A bridging table has a BPS
code column (bps_code, kode_bps) and a Kemendagri one (kemendagri_code, kode_dagri).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

CODE_COLUMNS = ("kemendagri_code", "kode", "kode_wilayah", "kode_dagri", "kode_kemendagri")
NAME_COLUMNS = ("name", "nama", "nama_wilayah", "kemendagri_name")
BPS_CODE_COLUMNS = ("bps_code", "kode_bps")
BPS_NAME_COLUMNS = ("bps_name", "nama_bps")
LEVEL_BY_LENGTH = {2: "province", 5: "regency", 8: "district", 13: "village"}
VILLAGE_TYPES = {"1": "kelurahan", "2": "desa", "3": "desa adat"}


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".xlsx", ".xls", ".xlsm", ".ods"):
        frame = pd.read_excel(path, dtype=str, engine="calamine")
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python")
    frame.columns = [re.sub(r"\W+", "_", str(c).strip().lower()) for c in frame.columns]
    return frame


def _pick(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in frame.columns), None)


def dotted_code(code: str) -> str:
    """A Kemendagri code in its dotted form, whatever Excel or the sender did to it."""
    digits = re.sub(r"\D", "", str(code))
    if "." in str(code) and re.fullmatch(r"\d{2}(\.\d{2}){0,2}(\.\d{4})?", str(code).strip()):
        return str(code).strip()
    parts = [digits[:2], digits[2:4], digits[4:6], digits[6:10]]
    return ".".join(p for p in parts if p)


def code_level(code: str) -> str:
    return LEVEL_BY_LENGTH.get(len(code), "unknown")


def parent_of(code: str) -> str:
    return code.rsplit(".", 1)[0] if "." in code else ""


def _version_of(path: Path) -> str:
    years = re.findall(r"(?:19|20)\d{2}", path.stem)
    return years[-1] if years else path.stem


def read_kemendagri_list(path: Path) -> pd.DataFrame:
    frame = _read_table(path)
    code_col, name_col = _pick(frame, CODE_COLUMNS), _pick(frame, NAME_COLUMNS)
    codes = frame[code_col].map(dotted_code)
    out = pd.DataFrame({"code": codes, "name": frame[name_col].str.strip()})
    out["level"] = frame["level"].str.strip() if "level" in frame else codes.map(code_level)
    out["parent_code"] = codes.map(parent_of)
    out["village_type"] = [VILLAGE_TYPES.get(c[9], "") if lvl == "village" else ""
                           for c, lvl in zip(out["code"], out["level"])]
    out["version"] = _version_of(path)
    return out[out["level"].isin(LEVEL_BY_LENGTH.values())].reset_index(drop=True)


def read_bridging(path: Path) -> pd.DataFrame:
    frame = _read_table(path)
    bps_col, code_col = _pick(frame, BPS_CODE_COLUMNS), _pick(frame, CODE_COLUMNS)
    bps_name_col = _pick(frame, BPS_NAME_COLUMNS)
    out = pd.DataFrame({
        "bps_code": frame[bps_col].str.replace(r"\D", "", regex=True),
        "kemendagri_code": frame[code_col].map(dotted_code),
        "bps_name": frame[bps_name_col].str.strip() if bps_name_col else "",
    })
    out["level"] = out["kemendagri_code"].map(code_level)
    return out[(out["bps_code"] != "") & (out["kemendagri_code"] != "")].reset_index(drop=True)


def is_bridging(path: Path) -> bool:
    columns = {re.sub(r"\W+", "_", c.strip().lower()) for c in _header_line(path)}
    return bool(columns & set(BPS_CODE_COLUMNS)) and bool(columns & set(CODE_COLUMNS))


def _header_line(path: Path) -> list[str]:
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", errors="replace") as f:
            line = f.readline()
        return re.split(r"[;,\t]", line.strip())
    return list(_read_table(path).columns)


@dataclass
class Gazetteer:
    areas: pd.DataFrame      # every version: version, level, code, name, parent_code, village_type
    bridging: pd.DataFrame   # bps_code, kemendagri_code, bps_name, level
    changes: pd.DataFrame    # from_version, to_version, code, new_code, change, old_name, new_name

    @property
    def versions(self) -> list[str]:
        return sorted(self.areas["version"].unique())

    @property
    def current_version(self) -> str:
        return self.versions[-1]

    def current(self, level: str | None = None) -> pd.DataFrame:
        frame = self.areas[self.areas["version"] == self.current_version]
        return frame[frame["level"] == level] if level else frame

    def version_for_year(self, year: int | None) -> str:
        """The decree in force in a year: the latest version not newer than it (else the oldest)."""
        valid = [v for v in self.versions if v.isdigit() and year is not None and int(v) <= year]
        return valid[-1] if valid else self.versions[0]

    def to_current(self) -> dict[str, str]:
        """Old village code -> current code, for codes re-coded between versions."""
        mapping = {}
        for change in self.changes[self.changes["change"] == "recoded"].itertuples():
            mapping[change.code] = change.new_code
        for old in list(mapping):
            while mapping[old] in mapping:     # follow chains of re-codings to the newest
                mapping[old] = mapping[mapping[old]]
        return mapping


def derive_changes(areas: pd.DataFrame) -> pd.DataFrame:
    """Per village code between consecutive versions: unchanged, renamed, added, retired or recoded
    (a desa that became a kelurahan: same district and 3-digit number, type digit changed)."""
    rows = []
    versions = sorted(areas["version"].unique())
    villages = areas[areas["level"] == "village"]
    for old_v, new_v in zip(versions, versions[1:]):
        old = villages[villages["version"] == old_v].set_index("code")["name"]
        new = villages[villages["version"] == new_v].set_index("code")["name"]
        added = {c for c in new.index if c not in old.index}
        retired = {c for c in old.index if c not in new.index}
        by_slot = {(c[:8], c[10:]): c for c in added}
        for code in sorted(retired):
            new_code = by_slot.get((code[:8], code[10:]))
            if new_code:
                added.discard(new_code)
                rows.append((old_v, new_v, code, new_code, "recoded", old[code], new[new_code]))
            else:
                rows.append((old_v, new_v, code, "", "retired", old[code], ""))
        for code in sorted(added):
            rows.append((old_v, new_v, "", code, "added", "", new[code]))
        for code in sorted(set(old.index) & set(new.index)):
            change = "unchanged" if old[code] == new[code] else "renamed"
            rows.append((old_v, new_v, code, code, change, old[code], new[code]))
    return pd.DataFrame(rows, columns=["from_version", "to_version", "code", "new_code", "change", "old_name",
                                       "new_name"])


def load_gazetteer(folder: Path) -> Gazetteer:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".xlsx", ".xls", ".ods")
                   and not p.name.startswith("."))
    lists, bridges = [], []
    for path in files:
        (bridges if is_bridging(path) else lists).append(path)
    if not lists:
        raise FileNotFoundError(f"no Kemendagri reference list in {folder}")
    areas = pd.concat([read_kemendagri_list(p) for p in lists], ignore_index=True)
    bridging = (pd.concat([read_bridging(p) for p in bridges], ignore_index=True) if bridges
                else pd.DataFrame(columns=["bps_code", "kemendagri_code", "bps_name", "level"]))
    return Gazetteer(areas=areas, bridging=bridging, changes=derive_changes(areas))

"""The gazetteer as data: official Kemendagri lists by decree version and the BPS bridging table,
read from the reference folder a steward drops them in (layouts: assets/harmonise/reference_files.py).
Between consecutive versions each village code gets a change flag, in the spirit of the ONS change
flags for census areas: unchanged, renamed, added, retired, or recoded (a desa that became a
kelurahan, or a village moved whole to a new regency code, as when Papua Barat Daya was created).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from assets.harmonise.codes import code_level, dotted_code, parent_of   # noqa: F401  (re-exported)
from assets.harmonise.names import name_key
from assets.harmonise.reference_files import AREA_COLUMNS, read_reference_folder
from assets.ingest.inbox import settle_seconds

BRIDGING_COLUMNS = ["bps_code", "kemendagri_code", "bps_name", "bps_name_alt", "level"]
CHANGE_COLUMNS = ["from_version", "to_version", "code", "new_code", "change", "old_name", "new_name"]


@dataclass
class Gazetteer:
    areas: pd.DataFrame      # every version: version, level, code, name, parent_code, village_type, decree,
                             # decree_date
    bridging: pd.DataFrame   # bps_code, kemendagri_code, bps_name, bps_name_alt, level
    changes: pd.DataFrame    # from_version, to_version, code, new_code, change, old_name, new_name
    published_changes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CHANGE_COLUMNS))

    @cached_property
    def versions(self) -> list[str]:
        # Asked once per matched row: computed once (the frames are not changed after loading).
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
    """Per village code between consecutive versions: unchanged, renamed, added, retired or recoded.
    Recoded: the retired code has a successor added in the same version, either in the same slot with
    another type digit (desa -> kelurahan), or with the same village, district and regency names
    elsewhere (a regency moved to a new province code)."""
    rows = []
    versions = sorted(areas["version"].unique())
    for old_v, new_v in zip(versions, versions[1:]):
        old_all, new_all = (areas[areas["version"] == v].set_index("code")["name"] for v in (old_v, new_v))
        old = areas[(areas["version"] == old_v) & (areas["level"] == "village")].set_index("code")["name"]
        new = areas[(areas["version"] == new_v) & (areas["level"] == "village")].set_index("code")["name"]
        added = set(new.index.difference(old.index))
        retired = sorted(old.index.difference(new.index))
        by_slot = {(c[:8], c[10:]): c for c in added}

        def place(code: str, names: pd.Series) -> tuple[str, ...]:
            return tuple(name_key(names.get(c, ""), regency=True) for c in (code, code[:8], code[:5]))
        by_place = {}
        for code in added:
            by_place.setdefault(place(code, new_all), []).append(code)
        for code in retired:
            successor = by_slot.get((code[:8], code[10:]))
            if successor not in added:
                moved = [c for c in by_place.get(place(code, old_all), []) if c in added]
                successor = moved[0] if len(moved) == 1 else None
            if successor:
                added.discard(successor)
                rows.append((old_v, new_v, code, successor, "recoded", old[code], new[successor]))
            else:
                rows.append((old_v, new_v, code, "", "retired", old[code], ""))
        for code in sorted(added):
            rows.append((old_v, new_v, "", code, "added", "", new[code]))
        kept = old.index.intersection(new.index)
        for code, old_name, new_name in zip(kept, old[kept], new[kept]):
            rows.append((old_v, new_v, code, code, "unchanged" if old_name == new_name else "renamed",
                         old_name, new_name))
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def load_gazetteer(folder: Path, settle: float | None = None) -> Gazetteer:
    """The reference lists of `folder` (files settled `settle` seconds, default JEMBATAN_SETTLE_SECONDS; 0
    for a folder named explicitly). Raises FileNotFoundError when it holds no Kemendagri village list,
    naming the files still being written when that is why."""
    found = read_reference_folder(Path(folder), settle)
    if not found.areas and found.waiting:
        raise FileNotFoundError(
            f"the reference list(s) {', '.join(found.waiting)} in {folder} are still being written (changed in "
            f"the last {settle_seconds() if settle is None else settle:g} s): not read yet; run the sync again "
            "in a few seconds (a sync started by hand waits for them)")
    if not found.areas:
        raise FileNotFoundError(f"no Kemendagri village list in {folder}: put the official list there (CSV or "
                                "Excel with kemendagri_code/kode and name/nama columns, the decree year in the "
                                "file name; see the README's reference lists)")
    # The same decree may come in two files (a current list and a version table): first file wins.
    areas = (pd.concat(found.areas, ignore_index=True)
             .drop_duplicates(["version", "code"], keep="first")
             .sort_values(["version", "code"], kind="stable").reset_index(drop=True))
    bridging = (pd.concat(found.bridging, ignore_index=True).drop_duplicates(["bps_code", "kemendagri_code"])
                if found.bridging else pd.DataFrame(columns=BRIDGING_COLUMNS))
    published = (pd.concat(found.published_changes, ignore_index=True) if found.published_changes
                 else pd.DataFrame(columns=CHANGE_COLUMNS))
    return Gazetteer(areas=areas[AREA_COLUMNS], bridging=bridging[BRIDGING_COLUMNS].reset_index(drop=True),
                     changes=derive_changes(areas), published_changes=published)

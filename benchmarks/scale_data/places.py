"""The villages a benchmark run covers, and the reference lists written beside the agency files.

With the real national lists, whole regencies are taken in code order starting with province 19
(Bangka Belitung, the bundled sample's province) until the newest list counts enough villages, so
scale 1 is exactly province 19. Agency files carry data for 2020-2024, which the pipeline reads
against the 2022 decree, so the villages written into them come from the 2022 list.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sample_data.spelling import skeleton

VILLAGES_PER_SCALE = 393           # one province: Bangka Belitung
NATIONAL_VILLAGES = 83_762         # Kepmendagri 300.2.2-2138/2025
LISTS = {2022: "wilayah_kemendagri_2022.csv", 2025: "wilayah_kemendagri_2025.csv"}
BRIDGING = "bps_kemendagri_bridging_2018s1.csv"
DATA_LIST = 2022                   # the decree in force for every data year (2020-2024)
FIRST_PROVINCE = "19"
COLUMNS = ["code", "name", "vtype", "district_code", "district_name", "regency_code", "regency_name",
           "province_code", "province_name", "kode_wilayah", "polres"]


@dataclass
class Places:
    kind: str                          # "national" or "synthetic"
    villages: pd.DataFrame             # COLUMNS, one row per village of the data list, in code order
    selected: int                      # villages of the newest list in the selection
    reference: dict[str, list[str]]    # file name -> CSV lines for inbox/reference

    def write_reference(self, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, lines in sorted(self.reference.items()):
            path = folder / name
            path.write_text("".join(line + "\n" for line in lines), encoding="utf-8", newline="")
            paths.append(path)
        return paths


def target_villages(scale: float | None) -> int | None:
    """Villages wanted for a scale factor; None means the whole country."""
    return None if scale is None else max(1, round(scale * VILLAGES_PER_SCALE))


def short_regency(name: str) -> str:
    """'Kabupaten Bangka Barat' / 'KAB. BANGKA BARAT' -> 'Bangka Barat'; cities keep 'Kota'."""
    s = " ".join(name.split())
    s = re.sub(r"^(kabupaten|kab\.)\s*", "", s, flags=re.I)
    s = re.sub(r"^kota administrasi\s+", "Kota ", s, flags=re.I)
    return s.title() if s.isupper() else s


def polres_name(regency_name: str) -> str:
    short = short_regency(regency_name)
    if short.lower().startswith("kota "):
        return "POLRESTA " + short[5:].upper()
    return "POLRES " + short.upper()


def _read_lines(path: Path) -> tuple[str, list[tuple[list[str], str]]]:
    """Header line and (parsed fields, raw line) per data line; raw lines are copied verbatim."""
    lines = path.read_text(encoding="utf-8").splitlines()
    parsed = csv.reader(lines)
    next(parsed)                     # the header line, returned raw below
    return lines[0], [(fields, raw) for fields, raw in zip(parsed, lines[1:])]


def _select_regencies(lists: dict[int, list], target: int | None) -> list[str]:
    regencies = sorted({f[1] for rows in lists.values() for f, _ in rows if f[0] == "regency"})
    order = [r for r in regencies if r[:2] >= FIRST_PROVINCE] + [r for r in regencies if r[:2] < FIRST_PROVINCE]
    newest = lists[max(lists)]
    per_regency: dict[str, int] = {}
    for f, _ in newest:
        if f[0] == "village":
            per_regency[f[1][:5]] = per_regency.get(f[1][:5], 0) + 1
    chosen, total = [], 0
    for reg in order:
        if target is not None and total >= target:
            break
        chosen.append(reg)
        total += per_regency.get(reg, 0)
    return chosen


def _bps_codes(bridging: list, villages: pd.DataFrame) -> dict[str, str]:
    """Kemendagri village code -> BPS code, only for one-to-one pairs whose names still agree (the
    bridging follows the 2017 list, so a code may since have been given to another village)."""
    pairs = [(f[1], f[3], f[4]) for f, _ in bridging if f[0] == "village" and f[3]]
    per_bps = pd.Series([p[0] for p in pairs]).value_counts()
    per_code = pd.Series([p[1] for p in pairs]).value_counts()
    names = dict(zip(villages["code"], villages["name"]))
    out = {}
    for bps, code, kname in pairs:
        if per_bps[bps] == 1 and per_code[code] == 1 and code in names and skeleton(kname) == skeleton(names[code]):
            out[code] = bps
    return out


def load_national(folder: Path, scale: float | None) -> Places:
    lists = {}
    headers = {}
    for year, name in LISTS.items():
        headers[year], lists[year] = _read_lines(folder / name)
    bridge_header, bridging = _read_lines(folder / BRIDGING)
    chosen = set(_select_regencies(lists, target_villages(scale)))
    provinces = {r[:2] for r in chosen}

    def keep(code: str, level: str) -> bool:
        return code in provinces if level == "province" else code[:5] in chosen

    reference = {}
    for year, rows in lists.items():
        reference[LISTS[year]] = [headers[year]] + [raw for f, raw in rows if keep(f[1], f[0])]
    bps_regencies = {f[1] for f, _ in bridging if f[0] == "regency" and f[3] in chosen}
    # the whole country keeps the whole bridging, rows pointing at 2017-only codes included
    reference[BRIDGING] = [bridge_header] + [
        raw for f, raw in bridging
        if scale is None or (f[3] and keep(f[3], f[0]))
        or (not f[3] and f[0] != "province" and f[1][:4] in bps_regencies)]

    names: dict[str, str] = {}
    for year in sorted(lists):              # newest name wins for provinces and regencies
        for f, _ in lists[year]:
            if f[0] in ("province", "regency", "district"):
                names[f[1]] = " ".join(f[2].split())
    rows = [f for f, _ in lists[DATA_LIST] if f[0] == "village" and f[1][:5] in chosen]
    villages = pd.DataFrame({
        "code": [f[1] for f in rows],
        "name": [" ".join(f[2].split()) for f in rows],
        "vtype": [f[4] for f in rows],
    })
    # district names as the data decree has them (the newest list renamed a few)
    district_names = {f[1]: " ".join(f[2].split()) for f, _ in lists[DATA_LIST] if f[0] == "district"}
    villages["district_code"] = villages["code"].str[:8]
    villages["district_name"] = villages["district_code"].map(district_names)
    villages["regency_code"] = villages["code"].str[:5]
    villages["regency_name"] = villages["regency_code"].map(names)
    villages["province_code"] = villages["code"].str[:2]
    villages["province_name"] = villages["province_code"].map(names)
    bps = _bps_codes(bridging, villages)
    villages["kode_wilayah"] = [bps.get(c, c.replace(".", "")) for c in villages["code"]]
    villages["polres"] = villages["regency_name"].map(polres_name)
    selected = sum(1 for f, _ in lists[max(lists)] if f[0] == "village" and f[1][:5] in chosen)
    return Places("national", villages[COLUMNS].sort_values("code", ignore_index=True), selected, reference)


def national_folder(reference: Path | None) -> Path | None:
    """The folder holding the national lists under a reference folder, if they are all there."""
    if reference is None:
        return None
    folder = Path(reference) / "national"
    names = list(LISTS.values()) + [BRIDGING]
    return folder if all((folder / n).is_file() for n in names) else None

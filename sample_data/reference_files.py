"""Write the two Kemendagri gazetteer versions and the BPS-Kemendagri bridging table (UTF-8 CSV)."""
from __future__ import annotations

import csv
from pathlib import Path

from .model import Gazetteer

GAZETTEER_HEADER = ["level", "kemendagri_code", "name", "parent_code", "village_type"]
BRIDGING_HEADER = ["level", "bps_code", "bps_name", "kemendagri_code", "kemendagri_name"]


def gazetteer_rows(gaz: Gazetteer, year: int) -> list[list[str]]:
    rows = []
    for prov in gaz.provinces:
        rows.append(["province", prov.code, prov.name, "", ""])
        for reg in prov.regencies:
            rows.append(["regency", reg.code, reg.name, prov.code, ""])
            for dist in reg.districts:
                rows.append(["district", dist.code, dist.name, reg.code, ""])
                for v in dist.villages:
                    if v.exists(year):
                        rows.append(["village", v.code_in(year), v.name_in(year), dist.code, v.vtype_in(year)])
    rows.sort(key=lambda r: r[1])
    return rows


def bridging_rows(gaz: Gazetteer) -> list[list[str]]:
    rows = []
    for prov in gaz.provinces:
        rows.append(["province", prov.code, prov.bps_name, prov.code, prov.name])
        for reg in prov.regencies:
            rows.append(["regency", reg.bps_code, reg.bps_name, reg.code, reg.name])
            for dist in reg.districts:
                rows.append(["district", dist.bps_code, dist.name.upper(), dist.code, dist.name])
                for v in dist.villages:
                    rows.append(["village", v.bps_code, v.bps_name, v.code, v.name])
    rows.sort(key=lambda r: (r[1], r[3]))
    return rows


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_reference(gaz: Gazetteer, folder: Path) -> list[Path]:
    paths = []
    for year, fname in ((2020, "wilayah_kemendagri_2020.csv"), (2023, "wilayah_kemendagri_2023.csv")):
        path = folder / fname
        _write(path, GAZETTEER_HEADER, gazetteer_rows(gaz, year))
        paths.append(path)
    path = folder / "bps_kemendagri_bridging.csv"
    _write(path, BRIDGING_HEADER, bridging_rows(gaz))
    paths.append(path)
    return paths

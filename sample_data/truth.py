"""Collects the ground truth while the agency files are written, then writes it out."""
from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

from .model import Gazetteer, Village

YEARS = [2020, 2021, 2022, 2023, 2024]
VILLAGE_YEAR_HEADER = [
    "village_code", "year", "population", "msme_micro", "msme_small", "msme_medium", "msme_count",
    "crime_count", "narcotics_crime_count", "crime_against_msme_count", "program_participants",
    "program_amount", "bhabinkamtibmas_officers", "bhabinkamtibmas_activities",
]
# measure group -> columns; a group is empty for a province-year without any valid source row
GROUPS = {
    "crime": ["crime_count", "narcotics_crime_count", "crime_against_msme_count"],
    "program": ["program_participants", "program_amount"],
    "officers": ["bhabinkamtibmas_officers"],
    "activities": ["bhabinkamtibmas_activities"],
}


# The faults the sample writes that cost a cell, not the row: a negative count lands as missing, flagged. Every
# count column the sample writes them in is optional (schemas/), so the sync reads them as warnings.
WARNINGS = frozenset({"negative_value"})


class Truth:
    def __init__(self, gaz: Gazetteer):
        self.gaz = gaz
        self.counts: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.msme: dict[tuple[str, int], tuple[int, int, int, int]] = {}
        self.niks: dict[tuple[str, int], set[str]] = defaultdict(set)
        self.officers: dict[tuple[str, int], set[str]] = defaultdict(set)
        self.present: set[tuple[str, str, int]] = set()   # (province, group, year)
        self.rejected: list[tuple[str, str, str, int, str]] = []
        self.near_misses: list[tuple[str, str, int, str, str, str]] = []
        self.files: dict[str, dict[str, int]] = {}
        self.cooperatives: dict[str, int] = defaultdict(int)

    # --- recording -------------------------------------------------------------
    def msme_row(self, v: Village, year: int, pop: int, micro: int, small: int, medium: int) -> None:
        assert (v.code, year) not in self.msme
        self.msme[(v.code, year)] = (pop, micro, small, medium)

    def crime(self, v: Village, year: int, narcotics: bool, against_msme: bool) -> None:
        self.present.add((v.province.code, "crime", year))
        c = self.counts[(v.code, year)]
        c["crime_count"] += 1
        c["narcotics_crime_count"] += narcotics
        c["crime_against_msme_count"] += against_msme

    def program(self, v: Village, year: int, nik: str, amount: int) -> None:
        self.present.add((v.province.code, "program", year))
        self.niks[(v.code, year)].add(nik)
        self.counts[(v.code, year)]["program_amount"] += amount

    def officer(self, v: Village, year: int, nrp: str) -> None:
        self.present.add((v.province.code, "officers", year))
        self.officers[(v.code, year)].add(nrp)

    def activity(self, v: Village, year: int) -> None:
        self.present.add((v.province.code, "activities", year))
        self.counts[(v.code, year)]["bhabinkamtibmas_activities"] += 1

    def cooperative(self, v: Village) -> None:
        self.cooperatives[v.province.code] += 1

    def reject(self, source: str, file_name: str, sheet: str, row: int, code: str) -> None:
        self.rejected.append((source, file_name, sheet, row, code))

    def near_miss(self, file_name: str, sheet: str, row: int, near) -> None:
        """A row whose place the steward is asked about (sample_data.near_misses), with the village meant."""
        self.near_misses.append((file_name, sheet, row, near.kind, near.written, near.village.code))

    def rows_rejected(self) -> int:
        """Rows with at least one error: they do not land. rejected_rows.csv lists every fault as (row, code),
        warnings too, and a row may have two (a negative count on a row that repeats its village and year)."""
        return len({(file, sheet, row) for _, file, sheet, row, code in self.rejected if code not in WARNINGS})

    def rows_flagged(self) -> int:
        """Rows that land with a warning (a cell left missing), not rejected for another fault."""
        rejected = {(file, sheet, row) for _, file, sheet, row, code in self.rejected if code not in WARNINGS}
        return len({(file, sheet, row) for _, file, sheet, row, code in self.rejected
                    if code in WARNINGS} - rejected)

    def file_rows(self, file_name: str, rows_data: int, rows_rejected: int) -> None:
        self.files[file_name] = {"rows_data": rows_data, "rows_rejected": rows_rejected}

    # --- output ----------------------------------------------------------------
    def village_year_rows(self) -> list[list]:
        rows = []
        for v in self.gaz.villages():
            prov = v.province.code
            for year in YEARS:
                row: dict[str, object] = {c: "" for c in VILLAGE_YEAR_HEADER}
                row["village_code"], row["year"] = v.code, year
                if not v.exists(year):
                    rows.append([row[c] for c in VILLAGE_YEAR_HEADER])
                    continue
                if (v.code, year) in self.msme:
                    pop, mi, sm, me = self.msme[(v.code, year)]
                    row.update(population=pop, msme_micro=mi, msme_small=sm, msme_medium=me,
                               msme_count=mi + sm + me)
                counts = self.counts.get((v.code, year), {})
                for group, cols in GROUPS.items():
                    if (prov, group, year) not in self.present:
                        continue
                    for col in cols:
                        row[col] = counts.get(col, 0)
                    if group == "program":
                        row["program_participants"] = len(self.niks.get((v.code, year), ()))
                    if group == "officers":
                        row["bhabinkamtibmas_officers"] = len(self.officers.get((v.code, year), ()))
                rows.append([row[c] for c in VILLAGE_YEAR_HEADER])
        return rows

    def totals(self, vy_rows: list[list]) -> dict:
        idx = {c: i for i, c in enumerate(VILLAGE_YEAR_HEADER)}
        out: dict = {}
        for prov in self.gaz.provinces:
            key = f"province_{prov.code}"
            block: dict = {}
            for col in ("crime_count", "msme_count", "population", "narcotics_crime_count",
                        "crime_against_msme_count", "program_participants", "program_amount",
                        "bhabinkamtibmas_officers", "bhabinkamtibmas_activities"):
                per_year = {}
                for year in YEARS:
                    vals = [r[idx[col]] for r in vy_rows
                            if r[idx["year"]] == year and r[0].startswith(prov.code + ".") and r[idx[col]] != ""]
                    if vals:
                        per_year[str(year)] = int(sum(vals))
                if per_year:
                    block[col] = per_year
            block["villages"] = len(self.gaz.villages(prov.code, 2023))
            block["districts"] = len(self.gaz.districts(prov.code))
            if self.cooperatives.get(prov.code):
                block["cooperatives"] = self.cooperatives[prov.code]
            out[key] = block
        out["gazetteer_changes"] = self.gaz.changes
        out["ambiguous_10_digit"] = self.gaz.ambiguous
        out["files"] = dict(sorted(self.files.items()))
        return out

    def write(self, folder: Path) -> dict:
        folder.mkdir(parents=True, exist_ok=True)
        vy = self.village_year_rows()
        with (folder / "village_year.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(VILLAGE_YEAR_HEADER)
            w.writerows(vy)
        with (folder / "rejected_rows.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["source", "file_name", "sheet", "row", "code"])
            w.writerows(sorted(self.rejected, key=lambda r: (r[0], r[1], r[2], r[3])))
        with (folder / "near_misses.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["file_name", "sheet", "row", "kind", "written", "village_code"])
            w.writerows(self.near_misses)
        totals = self.totals(vy)
        (folder / "totals.json").write_text(json.dumps(totals, indent=2, ensure_ascii=False) + "\n",
                                            encoding="utf-8")
        return totals

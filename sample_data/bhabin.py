"""Bhabinkamtibmas roster (2021-2024, both areas; several villages per cell) and activity logs (2023-2024)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import names
from .formats import date_slash, invalid_date_text, random_day, to_datetime, village_cell
from .model import District, Gazetteer, Village
from .rng import streams
from .spelling import district_variant, variant
from .truth import Truth
from .workbook import Table, new_workbook, save, set_widths

ROSTER_FILE = "bhabinkamtibmas_roster_2021_2024.xlsx"
ACTIVITY_FILE = "kegiatan_bhabinkamtibmas_2023_2024.xlsx"
ROSTER_YEARS = [2021, 2022, 2023, 2024]
ACTIVITY_YEARS = [2023, 2024]
RANKS = ["BRIPDA", "BRIPTU", "BRIGPOL", "BRIPKA", "AIPDA", "AIPTU"]
ROSTER_HEADER = ["No", "NRP", "Nama Personel", "Pangkat", "Polres", "Polsek", "Tahun", "Desa/Kelurahan Binaan"]
ACTIVITY_HEADER = ["No", "Tanggal", "NRP", "Desa/Kelurahan", "Kecamatan", "Jenis Kegiatan", "Uraian"]
ACTIVITIES = {"Sambang": 0.45, "Penyuluhan": 0.2, "Pencegahan Narkoba": 0.15, "Pendampingan UMKM": 0.2}
URAIAN = {
    "Sambang": ["Sambang dan silaturahmi dengan perangkat desa", "Sambang ke rumah tokoh masyarakat",
                "Patroli dialogis di pos kamling", "Sambang warga di dusun"],
    "Penyuluhan": ["Penyuluhan kamtibmas di balai desa", "Penyuluhan bahaya tambang ilegal",
                   "Penyuluhan tertib lalu lintas di sekolah"],
    "Pencegahan Narkoba": ["Sosialisasi bahaya narkoba kepada pemuda", "Penyuluhan P4GN di sekolah",
                           "Sosialisasi obat keras berbahaya kepada pedagang"],
    "Pendampingan UMKM": ["Pendampingan pengurusan NIB pelaku UMKM", "Pendampingan pengajuan KUR",
                          "Sosialisasi QRIS kepada pedagang pasar", "Pendampingan sertifikasi halal"],
}


@dataclass
class Officer:
    nrp: str
    name: str
    rank: int
    promoted_in: int
    district: District

    def rank_in(self, year: int) -> str:
        return RANKS[min(len(RANKS) - 1, self.rank + (year >= self.promoted_in))]


@dataclass
class Assignment:
    officer: Officer
    year: int
    villages: list[Village]


def _new_nrp(rng, used: set[str]) -> str:
    while True:
        nrp = f"{rng.randint(75, 99):02d}{rng.randint(1, 12):02d}{rng.randint(0, 9999):04d}"
        if nrp not in used:
            used.add(nrp)
            return nrp


def _new_officer(rng, used: set[str], dist: District) -> Officer:
    return Officer(_new_nrp(rng, used), names.person(rng, female=rng.random() < 0.08)[0],
                   rng.choices(range(5), weights=[1, 2, 3, 3, 2])[0], rng.randint(2021, 2026), dist)


def plan_assignments(gaz: Gazetteer, seed: int, used: set[str]) -> list[Assignment]:
    rng, _ = streams(seed, "roster")
    out: list[Assignment] = []
    for dist in gaz.districts():
        pool = [_new_officer(rng, used, dist) for _ in range(len(dist.villages))]
        for year in ROSTER_YEARS:
            villages = sorted((v for v in dist.villages if v.exists(year)), key=lambda v: v.code)
            covered = rng.sample(villages, max(1, round(len(villages) * rng.uniform(0.68, 0.82))))
            groups: list[list[Village]] = []
            while covered:
                size = rng.choices([1, 2, 3, 4], weights=[0.3, 0.35, 0.25, 0.1])[0]
                groups.append(covered[:size])
                covered = covered[size:]
            start = rng.randint(0, 2)
            active = [Assignment(pool[(start + i) % len(pool)], year, g) for i, g in enumerate(groups)]
            for a in active:
                for v in list(a.villages):
                    if rng.random() < 0.07:
                        others = [b for b in active if b is not a and v not in b.villages and len(b.villages) < 4]
                        if others:
                            rng.choice(others).villages.append(v)
            out.extend(active)
    out.sort(key=lambda a: (a.year, a.officer.district.code, a.officer.nrp))
    return out


def _binaan(a: Assignment, rng) -> str:
    return village_cell([variant(v.name_in(a.year), v.vtype, rng, safe=v.safe, p_prefix=0.15, p_space=0.0)
                         for v in a.villages], rng)


def write_roster(gaz: Gazetteer, truth: Truth, folder: Path, seed: int) -> list[Assignment]:
    used: set[str] = set()
    plan = plan_assignments(gaz, seed, used)
    rng, _ = streams(seed, "roster-file")
    wb = new_workbook()
    ws = wb.create_sheet("Roster")
    set_widths(ws, [6, 12, 26, 10, 24, 24, 8, 60])
    table = Table(ws, ["Data Personel Bhabinkamtibmas dan Desa/Kelurahan Binaan",
                       "Polda Kepulauan Bangka Belitung dan Polres Tuban, 2021-2024"], ROSTER_HEADER)
    k = max(3, round(len(plan) * rng.uniform(0.01, 0.016)))
    bad_after = set(rng.sample(range(len(plan)), k))
    number = 0
    for i, a in enumerate(plan):
        o = a.officer
        number += 1
        nrp_cell = int(o.nrp) if rng.random() < 0.08 else o.nrp
        table.add([number, nrp_cell, o.name, o.rank_in(a.year), o.district.regency.polres, o.district.polsek,
                   a.year, _binaan(a, rng)])
        for v in a.villages:
            truth.officer(v, a.year, o.nrp)
        if i in bad_after:
            ghost = _new_officer(rng, used, o.district)
            number += 1
            row = table.add([number, ghost.nrp, ghost.name, ghost.rank_in(a.year), o.district.regency.polres,
                             o.district.polsek, a.year, rng.choice(names.UNKNOWN_PLACES)])
            truth.reject("polda", ROSTER_FILE, ws.title, row, "unknown_village")
    table.footer("Sumber: Ditbinmas Polda Kep. Bangka Belitung dan Satbinmas Polres Tuban")
    save(wb, folder / ROSTER_FILE)
    truth.file_rows(ROSTER_FILE, len(plan) + k, k)
    return plan


def write_activities(plan: list[Assignment], truth: Truth, folder: Path, seed: int) -> None:
    wb = new_workbook()
    n_data = n_bad = 0
    for year in ACTIVITY_YEARS:
        rng, _ = streams(seed, f"activities-{year}")
        entries = []
        active = [a for a in plan if a.year == year]
        lam = 2500 / len(active)
        for a in active:
            for _ in range(max(0, int(round(rng.gauss(lam, lam * 0.35))))):
                kind = rng.choices(list(ACTIVITIES), weights=list(ACTIVITIES.values()))[0]
                entries.append((random_day(rng, year), a.officer.nrp, rng.choice(a.villages), kind, a))
        entries.sort(key=lambda e: (e[0], e[1], e[2].code, e[3]))
        ws = wb.create_sheet(str(year))
        set_widths(ws, [6, 12, 12, 24, 20, 20, 50])
        table = Table(ws, ["Laporan Kegiatan Bhabinkamtibmas", f"Tahun {year}"], ACTIVITY_HEADER)
        k = max(3, round(len(entries) * rng.uniform(0.011, 0.018)))
        bad_after = {i: ("unknown_village" if j % 2 == 0 else "invalid_date")
                     for j, i in enumerate(sorted(rng.sample(range(len(entries)), k)))}
        number = 0
        for i, (d, nrp, v, kind, a) in enumerate(entries):
            number += 1
            row = [number, to_datetime(d) if rng.random() < 0.6 else date_slash(d), nrp,
                   variant(v.name_in(year), v.vtype, rng, safe=v.safe, p_prefix=0.2),
                   district_variant(v.district.name, rng), kind, rng.choice(URAIAN[kind])]
            table.add(row)
            truth.activity(v, year)
            fault = bad_after.get(i)
            if not fault:
                continue
            number += 1
            bad = list(row)
            bad[0] = number
            if fault == "unknown_village":
                bad[3] = rng.choice(names.UNKNOWN_PLACES)
            else:
                bad[1] = invalid_date_text(rng, year, "slash")
            truth.reject("polda", ACTIVITY_FILE, ws.title, table.add(bad), fault)
        table.footer("Sumber: Aplikasi laporan harian Bhabinkamtibmas (rekap Ditbinmas/Satbinmas)")
        n_data += len(entries) + k
        n_bad += k
    save(wb, folder / ACTIVITY_FILE)
    truth.file_rows(ACTIVITY_FILE, n_data, n_bad)

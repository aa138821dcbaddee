"""Dinas Koperasi dan UKM program participation lists (Babel, 2022-2024): one row per business
per program, village as free text, NIK as text, dates and amounts in mixed forms."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import names
from .formats import date_long, date_slash, invalid_date_text, random_day, rupiah, id_number, to_datetime
from .model import Gazetteer, Village
from .rng import streams
from .spelling import district_variant, variant
from .truth import Truth
from .workbook import Table, new_workbook, save, set_widths

YEARS = [2022, 2023, 2024]
HEADER = ["No", "Nama Usaha", "Nama Pemilik", "NIK", "No. HP", "Alamat", "Desa/Kel", "Kecamatan",
          "Kabupaten/Kota", "Sektor", "Program", "Tanggal", "Nilai (Rp)"]
PROGRAMS = ["KUR", "Sertifikasi Halal", "NIB", "Pelatihan", "QRIS", "Koperasi Merah Putih"]
PROGRAM_WEIGHTS = {2022: [0.3, 0.15, 0.3, 0.15, 0.1, 0.0],
                   2023: [0.27, 0.17, 0.25, 0.16, 0.15, 0.0],
                   2024: [0.24, 0.17, 0.2, 0.16, 0.15, 0.08]}
FAULTS = ["unknown_village", "negative_value", "invalid_date", "invalid_nik"]


def file_name(year: int) -> str:
    return f"peserta_program_umkm_{year}.xlsx"


@dataclass
class Business:
    nik: str
    owner: str
    female: bool
    name: str
    sector: str
    phone: str
    address: str
    village: Village


def make_nik(rng, v: Village, female: bool, used: set[str]) -> str:
    region = v.district.code.replace(".", "")  # PPKKDD, e.g. 190101
    while True:
        birth = dt.date(rng.randint(1960, 2002), 1, 1) + dt.timedelta(days=rng.randrange(365))
        day = birth.day + (40 if female else 0)
        nik = f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randint(1, 9999):04d}"
        if nik not in used:
            used.add(nik)
            return nik


def regency_text(reg, rng) -> str:
    if reg.code == "19.71":
        return rng.choice(["Kota Pangkalpinang", "Kota Pangkal Pinang", "Pangkalpinang", "KOTA PANGKALPINANG"])
    short = reg.short
    return rng.choice([f"Kab. {short}", short, f"Kabupaten {short}", short.upper(), f"Kab. {short}"])


def make_businesses(gaz: Gazetteer, msme: dict, seed: int) -> list[Business]:
    rng, _ = streams(seed, "businesses")
    used: set[str] = set()
    out = []
    for v in gaz.villages("19"):
        year = 2023 if v.since > 2022 else 2022
        n = max(2, round(sum(msme[(v.code, year)][1:]) / 62 * rng.uniform(0.6, 1.4)))
        for _ in range(n):
            owner, female = names.person(rng)
            sector = rng.choices(names.SECTORS, weights=names.SECTOR_WEIGHTS)[0]
            out.append(Business(make_nik(rng, v, female, used), owner, female,
                                names.business(rng, sector, owner, female), sector,
                                names.phone(rng), names.address(rng), v))
    return out


def _amount(program: str, rng) -> int | None:
    if program == "KUR":
        return rng.randint(6, 200) * 250_000
    if program == "Koperasi Merah Putih":
        return rng.choice([100_000, 250_000, 500_000])
    if program == "Sertifikasi Halal" and rng.random() < 0.3:
        return rng.choice([300_000, 650_000])
    return None


def _amount_cell(amount: int | None, rng):
    if amount is None:
        return None
    return amount if rng.random() < 0.55 else rupiah(amount)


def _date_cell(d: dt.date, rng):
    r = rng.random()
    if r < 0.45:
        return to_datetime(d)
    if r < 0.75:
        return date_slash(d)
    return date_long(d)


def _row(b: Business, program: str, d: dt.date, amount: int | None, year: int, rng) -> list:
    v = b.village
    desa = variant(v.name_in(year), v.vtype, rng, safe=v.safe, p_prefix=0.35, p_core=0.4, p_space=0.06)
    return [None, b.name, b.owner, b.nik, b.phone, b.address, desa,
            district_variant(v.district.name, rng), regency_text(v.regency, rng), b.sector, program,
            _date_cell(d, rng), _amount_cell(amount, rng)]


def _bad_row(base: list, fault: str, b: Business, year: int, rng) -> list:
    bad = list(base)
    if fault == "unknown_village":
        bad[6] = rng.choice(["Desa ", "Ds. ", ""]) + rng.choice(names.UNKNOWN_PLACES)
    elif fault == "negative_value":
        amount = rng.randint(2, 60) * 250_000
        bad[12] = rng.choice([-amount, f"-{id_number(amount)}", f"Rp -{id_number(amount)}"])
    elif fault == "invalid_date":
        bad[11] = invalid_date_text(rng, year, rng.choice(["slash", "long", "iso"]))
    elif fault == "invalid_nik":
        bad[3] = float(int(b.nik[:15]) * 10)
    return bad


def write_programs(gaz: Gazetteer, msme: dict, truth: Truth, folder: Path, seed: int) -> None:
    businesses = make_businesses(gaz, msme, seed)
    for year in YEARS:
        rng, _ = streams(seed, f"programs-{year}")
        entries = []
        for b in businesses:
            if not b.village.exists(year) or rng.random() > 0.42:
                continue
            k = rng.choices([1, 2, 3], weights=[0.5, 0.35, 0.15])[0]
            chosen: list[str] = []
            while len(chosen) < k:
                p = rng.choices(PROGRAMS, weights=PROGRAM_WEIGHTS[year])[0]
                if p not in chosen:
                    chosen.append(p)
            for p in chosen:
                entries.append((random_day(rng, year), p, b))
        entries.sort(key=lambda e: (e[0], e[1], e[2].nik))
        wb = new_workbook()
        ws = wb.create_sheet("Peserta")
        set_widths(ws, [6, 28, 22, 20, 16, 30, 22, 18, 20, 12, 18, 16, 16])
        table = Table(ws, ["Daftar Peserta Program Pemberdayaan UMKM",
                           f"Dinas Koperasi, UKM dan Perindustrian Provinsi Kepulauan Bangka Belitung Tahun {year}"],
                      HEADER)
        k_bad = max(4, round(len(entries) * rng.uniform(0.011, 0.018)))
        bad_after = {i: FAULTS[j % len(FAULTS)] for j, i in enumerate(sorted(rng.sample(range(len(entries)), k_bad)))}
        number = 0
        for i, (d, program, b) in enumerate(entries):
            amount = _amount(program, rng)
            row = _row(b, program, d, amount, year, rng)
            number += 1
            row[0] = number
            table.add(row)
            truth.program(b.village, d.year, b.nik, amount or 0)
            fault = bad_after.get(i)
            if fault:
                other = rng.choice([p for p in PROGRAMS if p != program and PROGRAM_WEIGHTS[year][PROGRAMS.index(p)] > 0])
                base = _row(b, other, d, _amount(other, rng), year, rng)
                number += 1
                base[0] = number
                r = table.add(_bad_row(base, fault, b, year, rng))
                truth.reject("koperasi", file_name(year), "Peserta", r, fault)
        table.footer("Sumber: Dinas Koperasi, UKM dan Perindustrian Prov. Kep. Bangka Belitung (data olahan bidang UMKM)")
        save(wb, folder / file_name(year))
        truth.file_rows(file_name(year), len(entries) + k_bad, k_bad)

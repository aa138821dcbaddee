"""Program participation (Dinas Koperasi dan UKM): 2,000,000 rows nationally over 2022-2024, one
file per program per year (``peserta_<program>_<yyyy>``), a few of them as ';'-separated cp1252 CSV.

Participants come from one pool of businesses placed in villages in proportion to their MSME counts;
a business joins a program at most once a year, and may join several programs."""
from __future__ import annotations

import math

import numpy as np

from sample_data import names
from sample_data.formats import date_long, date_slash, id_number, invalid_date_text, rupiah
from sample_data.programs import HEADER, PROGRAMS

from . import people
from .context import Context, FileTask, days_in, year_days
from .msme import DATASET as MSME
from .writing import write_csv, write_xlsx

YEARS = [2022, 2023, 2024]
TOTAL_ROWS = 2_000_000
PROGRAM_WEIGHTS = {"KUR": 1.2, "Sertifikasi Halal": 0.9, "NIB": 1.1, "Pelatihan": 0.9, "QRIS": 1.0,
                   "Koperasi Merah Putih": 0.9}
CSV_FILES = {(2023, "NIB"), (2023, "Pelatihan")}     # sent as Excel CSV exports
PROGRAMS_PER_BUSINESS = 1.6
P_BAD = 0.012
FAULTS = ["unknown_village", "negative_value", "invalid_date", "invalid_nik"]
DATASET = "program_participation"


def slug(program: str) -> str:
    return program.lower().replace(" ", "_")


def _businesses(ctx: Context, n: int, npg) -> dict:
    """Numeric draws and text for every business of the pool."""
    v = ctx.places.villages
    weight = ctx.plans[MSME]["micro"][:, 2] + ctx.plans[MSME]["small"][:, 2] + ctx.plans[MSME]["medium"][:, 2]
    village = np.sort(npg.choice(len(v), size=n, p=weight / weight.sum()))
    female = npg.random(n) < 0.45
    sector = npg.choice(len(people.SECTORS), size=n, p=names.SECTOR_WEIGHTS)
    owner = people.person_names(npg, female)
    region = v["district_code"].str.replace(".", "", regex=False).to_numpy()[village]
    return {"village": village, "owner": owner, "sector": sector,
            "name": people.business_names(npg, sector, owner, female),
            "phone": people.phones(npg, n), "address": people.addresses(npg, n),
            "nik": people.niks(npg, region, female)}


def plan(ctx: Context) -> list[FileTask]:
    _, npg = ctx.streams("scale-programs")
    total = round(TOTAL_ROWS * ctx.factor)
    keys = [(y, p) for y in YEARS for p in PROGRAMS]
    w = np.array([PROGRAM_WEIGHTS[p] for _, p in keys]) * npg.uniform(0.9, 1.1, len(keys))
    sizes = npg.multinomial(total, w / w.sum())
    pool = max(math.ceil(total / PROGRAMS_PER_BUSINESS), int(sizes.max()))
    files = {}
    for (year, program), size in zip(keys, sizes):
        chosen = npg.choice(pool, size=size, replace=False)
        day = npg.integers(0, days_in(year), size)
        order = np.lexsort((chosen, day))
        files[(year, program)] = {"business": chosen[order], "day": day[order]}
    ctx.plans[DATASET] = {"businesses": _businesses(ctx, pool, npg), "files": files}
    return [FileTask("koperasi", DATASET,
                     f"koperasi/peserta_{slug(p)}_{y}.{'csv' if (y, p) in CSV_FILES else 'xlsx'}",
                     int(s), write, (y, p)) for (y, p), s in zip(keys, sizes)]


def _amounts(program: str, n: int, npg) -> np.ndarray:
    """Credit or grant in rupiah; 0 where the program carries no amount."""
    if program == "KUR":
        return npg.integers(6, 201, n) * 250_000
    if program == "Koperasi Merah Putih":
        return npg.choice([100_000, 250_000, 500_000], n)
    if program == "Sertifikasi Halal":
        return np.where(npg.random(n) < 0.3, npg.choice([300_000, 650_000], n), 0)
    return np.zeros(n, dtype=np.int64)


def _regency_text(name: str, r: float) -> str:
    short = name.split(" ", 1)[1] if name.startswith(("Kabupaten ", "Kota ")) else name
    if name.startswith("Kota "):
        return [name, short, name.upper()][int(r * 3)]
    return [f"Kab. {short}", short, f"Kabupaten {short}", short.upper(), f"Kab. {short}"][int(r * 5)]


def write(ctx: Context, key: tuple, path) -> tuple[int, int]:
    year, program = key
    rng, npg = ctx.streams(f"scale-programs-{year}-{slug(program)}")
    as_csv = path.suffix == ".csv"
    planned = ctx.plans[DATASET]["files"][key]
    b = ctx.plans[DATASET]["businesses"]
    biz = planned["business"]
    village = b["village"][biz]
    v = ctx.places.villages
    desa = ctx.spell.villages(village, npg)
    kec = ctx.spell.districts(village, npg)
    regency = v["regency_name"].to_numpy()[village]
    amount = _amounts(program, len(biz), npg)
    bad_at = npg.random(len(biz)) < P_BAD
    days = year_days(year)
    sectors = people.SECTORS
    stats = {"rows": 0, "bad": 0}

    def date_cell(day):
        r = rng.random()
        if r < 0.45 and not as_csv:
            return day
        return date_slash(day) if r < 0.75 else date_long(day)

    def amount_cell(a):
        if not a:
            return None
        if rng.random() < 0.55:
            return id_number(a) if as_csv else a
        return rupiah(a)

    def rows():
        number = 0
        for k, (i, day) in enumerate(zip(biz, planned["day"])):
            number += 1
            row = [number, b["name"][i], b["owner"][i], b["nik"][i], b["phone"][i], b["address"][i], desa[k],
                   kec[k], _regency_text(regency[k], rng.random()), sectors[b["sector"][i]], program,
                   date_cell(days[day]), amount_cell(int(amount[k]))]
            yield row
            stats["rows"] += 1
            if not bad_at[k]:
                continue
            number += 1
            bad = list(row)
            bad[0] = number
            fault = FAULTS[rng.randrange(len(FAULTS))]
            if fault == "unknown_village":
                bad[6] = rng.choice(["Desa ", "Ds. ", ""]) + rng.choice(names.UNKNOWN_PLACES)
            elif fault == "negative_value":
                a = rng.randint(2, 60) * 250_000
                bad[12] = rng.choice([f"-{id_number(a)}", f"Rp -{id_number(a)}"] + ([] if as_csv else [-a]))
            elif fault == "invalid_date":
                bad[11] = invalid_date_text(rng, year, rng.choice(["slash", "long", "iso"]))
            else:                            # NIK typed as a number: Excel keeps 15 significant digits
                number_nik = float(int(b["nik"][i][:15]) * 10)
                bad[3] = f"{number_nik:.5E}".replace(".", ",") if as_csv else number_nik
            yield bad
            stats["rows"] += 1
            stats["bad"] += 1

    title = f"Daftar Peserta Program {program} Tahun {year}"
    if as_csv:
        write_csv(path, title, HEADER, rows())
    else:
        write_xlsx(path, "Peserta", [title, "Dinas Koperasi dan UKM (rekap provinsi)"], HEADER, rows(),
                   "Sumber: Dinas Koperasi dan UKM (data olahan bidang UMKM)")
    return stats["rows"], stats["bad"]

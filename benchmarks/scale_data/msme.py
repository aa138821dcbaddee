"""BPS MSME counts: every village and year 2020-2024, one workbook per regency
(``umkm_<regency code>_2020_2024.xlsx``), rows grouped by district then year."""
from __future__ import annotations

import numpy as np

from sample_data import names
from sample_data.formats import count_cell, id_number

from .context import Context, FileTask
from .writing import write_xlsx

YEARS = [2020, 2021, 2022, 2023, 2024]
HEADER = ["No", "Kode Wilayah", "Kecamatan", "Desa/Kelurahan", "Tahun", "Mikro", "Kecil", "Menengah",
          "Jumlah Penduduk"]
P_BAD = 0.012
DATASET = "msme_village_count"


def plan(ctx: Context) -> list[FileTask]:
    """Counts per village and year: (population, micro, small, medium), each shaped (villages, years)."""
    _, npg = ctx.streams("scale-msme")
    n = len(ctx.places.villages)
    base = npg.lognormal(0.0, 0.28, n) * 480
    growth = npg.normal(1.032, 0.015, n)
    step = np.arange(len(YEARS)) - 2
    total = np.rint(base[:, None] * growth[:, None] ** step).astype(np.int64)
    small = np.rint(total * npg.uniform(0.05, 0.10, total.shape)).astype(np.int64)
    medium = np.where(npg.random(total.shape) < 0.45, 0, npg.integers(1, 7, total.shape))
    micro = total - small - medium
    pop0 = np.clip(base * npg.uniform(5.5, 11.0, n), 1500, 15000)
    pop = np.rint(pop0[:, None] * 1.011 ** step * npg.uniform(0.995, 1.005, total.shape)).astype(np.int64)
    ctx.plans[DATASET] = {"population": pop, "micro": micro, "small": small, "medium": medium}
    regency = ctx.places.villages["regency_code"].to_numpy()
    codes, counts = np.unique(regency, return_counts=True)
    return [FileTask("bps", DATASET, f"bps/umkm_{code.replace('.', '')}_2020_2024.xlsx", int(c) * len(YEARS),
                     write, (code,)) for code, c in zip(codes, counts)]


def write(ctx: Context, key: tuple, path) -> tuple[int, int]:
    (regency,) = key
    rng, npg = ctx.streams(f"scale-msme-{regency}")
    v = ctx.places.villages
    idx = np.flatnonzero(v["regency_code"].to_numpy() == regency)
    values = ctx.plans[DATASET]
    order = [(i, y) for d in np.unique(v["district_code"].to_numpy()[idx])
             for y in range(len(YEARS)) for i in idx[v["district_code"].to_numpy()[idx] == d]]
    rows_idx = np.array([i for i, _ in order])
    desa = ctx.spell.villages(rows_idx, npg)
    kec = ctx.spell.district_name(rows_idx)
    kode = v["kode_wilayah"].to_numpy()
    bad_at = set(np.flatnonzero(npg.random(len(order)) < P_BAD).tolist())
    stats = {"rows": 0, "bad": 0}

    def rows():
        number = 0
        for k, (i, y) in enumerate(order):
            pop = int(values["population"][i, y])
            counts = [int(values[c][i, y]) for c in ("micro", "small", "medium")]
            number += 1
            row = [number, int(kode[i]) if rng.random() < 0.1 else kode[i],
                   kec[k].upper() if rng.random() < 0.8 else kec[k], desa[k], YEARS[y],
                   *(count_cell(c, rng) for c in counts), id_number(pop) if rng.random() < 0.5 else pop]
            yield row
            stats["rows"] += 1
            if k not in bad_at:
                continue
            number += 1
            bad = list(row)
            bad[0] = number
            if rng.random() < 0.5:       # unknown village: a code and a name on no list
                bad[1] = str(kode[i])[:7] + "999"
                bad[3] = rng.choice(names.UNKNOWN_PLACES).upper()
            else:                        # negative count
                col = rng.choice([5, 6, 8])
                neg = -rng.randint(3, 60)
                bad[col] = str(neg) if rng.random() < 0.5 else neg
            yield bad
            stats["rows"] += 1
            stats["bad"] += 1

    name = v["regency_name"].to_numpy()[idx[0]]
    write_xlsx(path, "UMKM", ["Jumlah UMKM Menurut Desa/Kelurahan dan Skala Usaha", f"{name}, 2020-2024"],
               HEADER, rows(), f"Sumber: BPS {name}, Pendataan UMKM dan Registrasi Penduduk")
    return stats["rows"], stats["bad"]

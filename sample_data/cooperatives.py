"""Register of Koperasi Desa/Kelurahan Merah Putih in Babel: one cooperative per current village."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import names
from .model import Gazetteer
from .programs import regency_text
from .rng import streams
from .spelling import district_variant, variant
from .truth import Truth
from .workbook import Table, new_workbook, save, set_widths

FILE = "koperasi_desa_merah_putih_babel.xlsx"
HEADER = ["No", "Nama Koperasi", "Kode Desa", "Desa/Kelurahan", "Kecamatan", "Kabupaten/Kota",
          "Tanggal Berdiri", "Jumlah Anggota", "Nomor Badan Hukum"]


def write_cooperatives(gaz: Gazetteer, truth: Truth, folder: Path, seed: int) -> None:
    rng, _ = streams(seed, "cooperatives")
    wb = new_workbook()
    ws = wb.create_sheet("Koperasi Merah Putih")
    set_widths(ws, [6, 48, 16, 24, 20, 22, 16, 14, 34])
    table = Table(ws, ["Daftar Koperasi Desa/Kelurahan Merah Putih",
                       "Provinsi Kepulauan Bangka Belitung, Keadaan s.d. Desember 2025"], HEADER)
    villages = gaz.villages("19", 2023)
    bad_after = {i: ("unknown_village" if j % 2 == 0 else "negative_value")
                 for j, i in enumerate(sorted(rng.sample(range(len(villages)), 5)))}
    number = 0
    ahu = rng.randint(1000, 5000)
    for i, v in enumerate(villages):
        kind = "Kelurahan" if v.vtype == "kelurahan" else "Desa"
        r = rng.random()
        code = v.code if r < 0.9 else (v.undotted if r < 0.95 else int(v.undotted))
        founded = dt.datetime(2025, 1, 1) + dt.timedelta(days=rng.randint(60, 300))
        ahu += rng.randint(1, 40)
        members = rng.randint(20, 320)
        number += 1
        row = [number, f"Koperasi {kind} Merah Putih {v.name}", code,
               variant(v.name, v.vtype, rng, safe=v.safe, p_prefix=0.15),
               district_variant(v.district.name, rng), regency_text(v.regency, rng), founded,
               members,
               f"AHU-{ahu:07d}.AH.01.29.TAHUN 2025"]
        table.add(row)
        truth.cooperative(v)
        fault = bad_after.get(i)
        if not fault:
            continue
        bad = list(row)
        number += 1
        bad[0] = number
        ahu += 1
        bad[8] = f"AHU-{ahu:07d}.AH.01.29.TAHUN 2025"
        if fault == "unknown_village":
            place = rng.choice(names.UNKNOWN_PLACES)
            bad[1] = f"Koperasi Desa Merah Putih {place}"
            bad[2] = f"{v.district.code}.2999"
            bad[3] = place
        else:
            bad[7] = -rng.randint(5, 80)
        truth.reject("koperasi", FILE, ws.title, table.add(bad), fault)
    table.footer("Sumber: Dinas Koperasi, UKM dan Perindustrian Prov. Kep. Bangka Belitung; AHU Kemenkum")
    save(wb, folder / FILE)
    truth.file_rows(FILE, len(villages) + len(bad_after), len(bad_after))

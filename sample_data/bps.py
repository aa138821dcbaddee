"""BPS files: MSME counts and population per village and year.

* ``umkm_desa_babel_2020_2024.xlsx``: one sheet per regency, two-row merged header, a row of
  column numbers, long-form rows grouped by district then year, a "Jumlah" subtotal row after
  each district-year block, BPS village codes (text or number).
* ``umkm_penduduk_tuban_2020_2024.csv``: ';'-separated cp1252 export keyed by the undotted
  Kemendagri code, one title line above the header.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl.styles import Alignment, Font

from . import names
from .formats import count_cell, id_number
from .model import Gazetteer, Village
from .rng import streams
from .spelling import district_variant, variant
from .truth import YEARS, Truth
from .workbook import Table, new_workbook, save, set_widths

BABEL_FILE = "umkm_desa_babel_2020_2024.xlsx"
TUBAN_FILE = "umkm_penduduk_tuban_2020_2024.csv"
# MSME (micro+small+medium) totals of province 19 over valid rows; 2022 and 2024 are the study's.
BABEL_TARGETS = {2020: 180_412, 2021: 185_127, 2022: 189_931, 2023: 200_468, 2024: 214_290}


def _exact_split(raw: dict[str, float], target: int) -> dict[str, int]:
    """Integers proportional to raw summing exactly to target (largest remainder)."""
    total = sum(raw.values())
    scaled = {k: x * target / total for k, x in raw.items()}
    out = {k: int(x) for k, x in scaled.items()}
    short = target - sum(out.values())
    order = sorted(scaled, key=lambda k: (-(scaled[k] - out[k]), k))
    for k in order[:short]:
        out[k] += 1
    return out


def msme_values(gaz: Gazetteer, seed: int) -> dict[tuple[str, int], tuple[int, int, int, int]]:
    """(village code, year) -> (population, micro, small, medium) for every existing village-year."""
    rng, npg = streams(seed, "msme")
    values: dict[tuple[str, int], tuple[int, int, int, int]] = {}
    for prov in gaz.provinces:
        villages = gaz.villages(prov.code)
        centre = 480 if prov.code == "19" else 390
        base = {v.code: float(npg.lognormal(0.0, 0.28)) * centre for v in villages}
        growth = {v.code: float(npg.normal(1.032, 0.015)) for v in villages}
        popratio = {v.code: rng.uniform(5.5, 11.0) for v in villages}
        for year in YEARS:
            raw = {v.code: base[v.code] * growth[v.code] ** (year - 2022) for v in villages if v.exists(year)}
            if prov.code == "19":
                totals = _exact_split(raw, BABEL_TARGETS[year])
            else:
                totals = {k: int(round(x)) for k, x in raw.items()}
            for code, total in totals.items():
                small = int(round(total * rng.uniform(0.05, 0.10)))
                medium = 0 if rng.random() < 0.45 else rng.randint(1, 6)
                micro = total - small - medium
                pop0 = min(15000, max(1500, base[code] * popratio[code]))
                pop = int(round(pop0 * (1.011 ** (year - 2022)) * rng.uniform(0.995, 1.005)))
                values[(code, year)] = (pop, micro, small, medium)
    return values


def _bps_village_name(v: Village, year: int, rng) -> str:
    if year < 2023 and v.old_name:
        return v.old_name.upper() if rng.random() < 0.7 else v.old_name
    r = rng.random()
    if r < 0.5:
        return v.bps_name
    if r < 0.8:
        return v.name.upper()
    return v.name


def _write_babel(gaz: Gazetteer, values, truth: Truth, folder: Path, seed: int) -> None:
    rng, _ = streams(seed, "bps-babel")
    wb = new_workbook()
    n_data = n_bad = 0
    bold = Font(bold=True)
    for reg in gaz.regencies("19"):
        ws = wb.create_sheet(reg.short)
        table = Table(ws, ["Jumlah UMKM Menurut Desa/Kelurahan dan Skala Usaha", f"{reg.name}, 2020-2024"])
        top = ["No", "Kode Wilayah", "Kecamatan", "Desa/Kelurahan", "Tahun", "Jumlah Usaha", None, None,
               "Jumlah Penduduk"]
        h1 = table.add(top)
        table.add([None] * 5 + ["Mikro", "Kecil", "Menengah", None])
        for col in "ABCDEI":
            ws.merge_cells(f"{col}{h1}:{col}{h1 + 1}")
        ws.merge_cells(f"F{h1}:H{h1}")
        for row in ws.iter_rows(min_row=h1, max_row=h1 + 1):
            for cell in row:
                cell.font = bold
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        table.add([f"({i})" for i in range(1, 10)])
        set_widths(ws, [6, 14, 22, 26, 8, 10, 10, 11, 16])
        subtotal_style = rng.choice(["kecamatan", "desa", "mixed"])
        # the regular rows of this sheet, in order, with markers for subtotals
        plan: list[tuple] = []
        for dist in sorted(reg.districts, key=lambda d: d.bps_code):
            for year in YEARS:
                villages = sorted((v for v in dist.villages if v.exists(year)), key=lambda v: v.bps_code)
                for v in villages:
                    plan.append(("valid", v, year))
                plan.append(("subtotal", dist, year))
        valid_idx = [i for i, p in enumerate(plan) if p[0] == "valid"]
        k = max(2, round(len(valid_idx) * rng.uniform(0.011, 0.02)))
        bad_after = {}
        for j, i in enumerate(sorted(rng.sample(valid_idx, k))):
            bad_after[i] = "unknown_village" if j % 2 == 0 else "negative_value"
        number = 0
        sums = [0, 0, 0, 0]
        for i, item in enumerate(plan):
            if item[0] == "subtotal":
                dist, year = item[1], item[2]
                style = subtotal_style if subtotal_style != "mixed" else rng.choice(["kecamatan", "desa"])
                if style == "kecamatan":
                    label = [None, None, "Jumlah", None]
                else:
                    label = [None, None, None, f"Jumlah Kecamatan {dist.name}"]
                table.add(label + [year] + sums[1:] + [sums[0]])
                for c in ws[table.last_row]:
                    c.font = bold
                sums = [0, 0, 0, 0]
                continue
            _, v, year = item
            pop, mi, sm, me = values[(v.code, year)]
            number += 1
            code_cell = int(v.bps_code) if rng.random() < 0.1 else v.bps_code
            kec = v.district.name.upper() if rng.random() < 0.8 else v.district.name
            row = [number, code_cell, kec, _bps_village_name(v, year, rng), year,
                   count_cell(mi, rng), count_cell(sm, rng), count_cell(me, rng),
                   id_number(pop) if rng.random() < 0.5 else pop]
            table.add(row)
            truth.msme_row(v, year, pop, mi, sm, me)
            sums = [sums[0] + pop, sums[1] + mi, sums[2] + sm, sums[3] + me]
            n_data += 1
            fault = bad_after.get(i)
            if fault is None:
                continue
            number += 1
            bad = list(row)
            bad[0] = number
            if fault == "unknown_village":
                bad[1] = v.district.bps_code + "999"
                bad[3] = rng.choice(names.UNKNOWN_PLACES).upper()
            else:
                col = rng.choice([5, 6, 8])
                neg = -rng.randint(3, 60)
                bad[col] = str(neg) if rng.random() < 0.5 else neg
            r = table.add(bad)
            truth.reject("bps", BABEL_FILE, ws.title, r, fault)
            if fault == "negative_value":   # only the cell is lost; the row repeats its village and year
                truth.reject("bps", BABEL_FILE, ws.title, r, "duplicate_village_year")
            n_data += 1
            n_bad += 1
        table.footer("Sumber: BPS Provinsi Kepulauan Bangka Belitung, Pendataan UMKM dan Registrasi Penduduk")
    save(wb, folder / BABEL_FILE)
    truth.file_rows(BABEL_FILE, n_data, n_bad)


def _write_tuban(gaz: Gazetteer, values, truth: Truth, folder: Path, seed: int) -> None:
    rng, _ = streams(seed, "bps-tuban")
    buf = io.StringIO()
    buf.write("Jumlah Usaha Mikro, Kecil dan Menengah serta Penduduk (jiwa) menurut Desa \u2013 "
              "Kabupaten Tuban, 2020\u20132024\r\n")
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Kode Desa", "Nama Desa", "Kec.", "Tahun", "Usaha Mikro", "Usaha Kecil",
                     "Usaha Menengah", "Penduduk"])
    line = 2
    rows = [(v, year) for v in gaz.villages("35") for year in YEARS if v.exists(year)]
    k = max(2, round(len(rows) * rng.uniform(0.011, 0.02)))
    bad_after = {i: ("unknown_village" if j % 2 == 0 else "negative_value")
                 for j, i in enumerate(sorted(rng.sample(range(len(rows)), k)))}
    n_data = n_bad = 0

    def num(n: int) -> str:
        return "-" if n == 0 else id_number(n)

    for i, (v, year) in enumerate(rows):
        pop, mi, sm, me = values[(v.code, year)]
        row = [v.undotted, variant(v.name_in(year), v.vtype, rng, safe=v.safe, p_prefix=0.1),
               district_variant(v.district.name, rng, p_kec=0.0), str(year), num(mi), num(sm), num(me), num(pop)]
        writer.writerow(row)
        line += 1
        n_data += 1
        truth.msme_row(v, year, pop, mi, sm, me)
        fault = bad_after.get(i)
        if fault is None:
            continue
        bad = list(row)
        if fault == "unknown_village":
            bad[0] = v.district.code.replace(".", "") + "2999"
            bad[1] = rng.choice(names.UNKNOWN_PLACES)
        else:
            bad[rng.choice([4, 5, 7])] = str(-rng.randint(3, 60))
        writer.writerow(bad)
        line += 1
        n_data += 1
        n_bad += 1
        truth.reject("bps", TUBAN_FILE, "", line, fault)
        if fault == "negative_value":       # only the cell is lost; the row repeats its village and year
            truth.reject("bps", TUBAN_FILE, "", line, "duplicate_village_year")
    path = folder / TUBAN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("cp1252"))
    truth.file_rows(TUBAN_FILE, n_data, n_bad)


def write_bps(gaz: Gazetteer, truth: Truth, folder: Path, seed: int) -> dict:
    values = msme_values(gaz, seed)
    _write_babel(gaz, values, truth, folder, seed)
    _write_tuban(gaz, values, truth, folder, seed)
    return values

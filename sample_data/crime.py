"""Police reports (laporan polisi): Polda Babel (one sheet per year) and Polres Tuban (one sheet)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from . import names
from .formats import ROMAN_MONTHS, date_dash, excel_serial, invalid_date_text, random_day, rupiah, to_datetime
from .model import Gazetteer, Village
from .near_misses import NearMiss, near_misses
from .rng import streams
from .spelling import variant
from .truth import Truth
from .workbook import Table, new_workbook, save, set_widths

BABEL_FILE = "laporan_polisi_polda_babel_2021_2024.xlsx"
TUBAN_FILE = "laporan_polisi_polres_tuban_2021_2024.xlsx"
YEARS = [2021, 2022, 2023, 2024]
BABEL_COUNTS = {2021: 1566, 2022: 1812, 2023: 2155, 2024: 2297}   # valid reports, exact
TUBAN_COUNTS = {2021: 262, 2022: 288, 2023: 317, 2024: 336}
HEADER = ["No", "Nomor LP", "Tgl Lapor", "Tgl Kejadian", "Jenis Kejahatan", "Korban", "Desa/Kel TKP",
          "Kecamatan", "Polsek", "Status", "Kerugian (Rp)", "Nama Korban", "Nama Tersangka"]
CRIMES = {"Curat": 0.21, "Curas": 0.05, "Curanmor": 0.12, "Pencurian Biasa": 0.14, "Penganiayaan": 0.10,
          "Pengeroyokan": 0.05, "Penipuan": 0.10, "Penggelapan": 0.07, "Narkotika": 0.08,
          "Obat Keras Berbahaya": 0.03, "KDRT": 0.04, "Pembunuhan": 0.01}
PROPERTY = {"Curat", "Curas", "Pencurian Biasa", "Penipuan", "Penggelapan"}
STATUS = {2021: [0.12, 0.13, 0.25, 0.1, 0.4], 2022: [0.15, 0.17, 0.25, 0.09, 0.34],
          2023: [0.22, 0.25, 0.2, 0.08, 0.25], 2024: [0.35, 0.3, 0.15, 0.07, 0.13]}
STATUSES = ["Lapor", "Sidik", "P21", "SP3", "Selesai"]
FAULTS = ["unknown_village", "invalid_date", "duplicate_key"]


def _korban(jenis: str, rng) -> str:
    if jenis in ("Narkotika", "Obat Keras Berbahaya"):
        return "Lainnya"
    if jenis in PROPERTY:
        return rng.choices(["Perorangan", "UMKM", "Badan Usaha", "Lainnya"], weights=[0.7, 0.18, 0.07, 0.05])[0]
    if jenis == "Curanmor":
        return rng.choices(["Perorangan", "UMKM", "Lainnya"], weights=[0.9, 0.05, 0.05])[0]
    return rng.choices(["Perorangan", "Lainnya"], weights=[0.95, 0.05])[0]


def _date_cell(d: dt.date, rng):
    r = rng.random()
    if r < 0.5:
        return to_datetime(d)
    if r < 0.75:
        return excel_serial(d)
    return date_dash(d)


def _report(v: Village, year: int, rng) -> dict:
    lapor = random_day(rng, year)
    lag = min(rng.randint(0, 30), rng.randint(0, 30))
    jenis = rng.choices(list(CRIMES), weights=list(CRIMES.values()))[0]
    korban = _korban(jenis, rng)
    loss = rng.randint(4, 1000) * 50_000 if jenis in PROPERTY or jenis == "Curanmor" else None
    return {"village": v, "lapor": lapor, "kejadian": lapor - dt.timedelta(days=lag), "jenis": jenis,
            "korban": korban, "status": rng.choices(STATUSES, weights=STATUS[year])[0], "loss": loss,
            "polres": v.regency.polres, "year": year}


def _reports(villages: list[Village], counts: dict[int, int], rng, npg) -> tuple[list[dict], dict]:
    """Valid reports, sorted by report date, numbered per Polres and year; plus the LP counters."""
    weights = np.array([npg.gamma(1.1) if rng.random() > 0.1 else 0.0 for _ in villages])
    out = []
    for year in YEARS:
        w = np.array([weights[i] * (0.8 + 0.4 * rng.random()) if v.exists(year) else 0.0
                      for i, v in enumerate(villages)])
        per_village = npg.multinomial(counts[year], w / w.sum())
        for v, n in zip(villages, per_village):
            out.extend(_report(v, year, rng) for _ in range(int(n)))
    out.sort(key=lambda r: (r["lapor"], r["polres"], r["village"].code, r["jenis"]))
    counters: dict[tuple[str, int], int] = {}
    for r in out:
        key = (r["polres"], r["year"])
        counters[key] = counters.get(key, 0) + 1
        r["lp"] = _lp(counters[key], r["lapor"], r["polres"])
    return out, counters


def _lp(n: int, d: dt.date, polres: str) -> str:
    return f"LP/B/{n}/{ROMAN_MONTHS[d.month - 1]}/{d.year}/SPKT/{polres}"


def _row(r: dict, rng) -> list:
    v: Village = r["village"]
    year = r["year"]
    loss = r["loss"]
    if loss is None:
        loss_cell = "-" if rng.random() < 0.5 else None
    else:
        x = rng.random()
        loss_cell = loss if x < 0.45 else (rupiah(loss) if x < 0.88 else None)
    victim = "" if r["jenis"] in ("Narkotika", "Obat Keras Berbahaya") else names.person(rng)[0]
    suspect_p = 0.75 if r["jenis"] in ("Narkotika", "Obat Keras Berbahaya") else 0.35
    suspect = names.person(rng, female=rng.random() < 0.1)[0] if rng.random() < suspect_p else None
    return [None, r["lp"], _date_cell(r["lapor"], rng), _date_cell(r["kejadian"], rng), r["jenis"], r["korban"],
            variant(v.name_in(year), v.vtype, rng, safe=v.safe, p_prefix=0.25),
            None if rng.random() < 0.3 else (v.district.name.upper() if rng.random() < 0.4 else v.district.name),
            v.district.polsek,
            r["status"], loss_cell, victim or None, suspect]


class _Sheet:
    """Writes valid reports with bad rows interleaved; records truth and rejected rows."""

    def __init__(self, ws, titles: list[str], file_name: str, truth: Truth, rng):
        set_widths(ws, [6, 44, 12, 12, 20, 12, 22, 18, 22, 9, 15, 22, 22])
        self.table = Table(ws, titles, HEADER)
        self.ws, self.file_name, self.truth, self.rng = ws, file_name, truth, rng
        self.number = 0
        self.n_data = 0
        self.n_bad = 0
        self.near: list[NearMiss] = []     # written, in order, in place of invented places

    def write(self, reports: list[dict], counters: dict) -> None:
        rng = self.rng
        k = max(3, round(len(reports) * rng.uniform(0.011, 0.018)))
        bad_after = {i: FAULTS[j % 3] for j, i in enumerate(sorted(rng.sample(range(len(reports)), k)))}
        written: list[list] = []
        for i, r in enumerate(reports):
            row = _row(r, rng)
            self._add(row)
            written.append(row)
            self.truth.crime(r["village"], r["lapor"].year, r["jenis"] == "Narkotika", r["korban"] == "UMKM")
            fault = bad_after.get(i)
            if not fault:
                continue
            if fault == "duplicate_key":
                bad = list(rng.choice(written[max(0, len(written) - 200):]))
                bad[9] = rng.choice(STATUSES)
            else:
                near = self.near.pop(0) if fault == "unknown_village" and self.near else None
                fresh = _report(near.village if near else r["village"], r["year"], rng)
                fresh["lapor"] = r["lapor"]
                fresh["kejadian"] = r["lapor"] - dt.timedelta(days=rng.randint(0, 5))
                key = (fresh["polres"], r["year"])
                counters[key] += 1
                fresh["lp"] = _lp(counters[key], r["lapor"], fresh["polres"])
                bad = _row(fresh, rng)
                if fault == "unknown_village":
                    bad[6] = rng.choice(["", "Desa ", "Ds. "]) + rng.choice(names.UNKNOWN_PLACES)
                    bad[7] = r["village"].district.name
                else:
                    bad[2] = invalid_date_text(rng, r["year"], rng.choice(["dash", "iso", "slash"]))
                if near:
                    district = near.village.district
                    bad[6:9] = [near.written, *((district.name, district.polsek) if near.with_district else (None, None))]
            row_no = self._add(bad)
            if fault == "unknown_village" and near:
                self.truth.reject("polda", self.file_name, self.ws.title, row_no, "ambiguous_village")
                self.truth.near_miss(self.file_name, self.ws.title, row_no, near)
            else:
                self.truth.reject("polda", self.file_name, self.ws.title, row_no, fault)
            self.n_bad += 1

    def _add(self, row: list) -> int:
        self.number += 1
        row = list(row)
        row[0] = self.number
        self.n_data += 1
        return self.table.add(row)


def write_crime(gaz: Gazetteer, truth: Truth, folder: Path, seed: int) -> None:
    rng, npg = streams(seed, "crime-babel")
    reports, counters = _reports(gaz.villages("19"), BABEL_COUNTS, rng, npg)
    near = near_misses(gaz, streams(seed, "near-misses")[0])
    wb = new_workbook()
    n_data = n_bad = 0
    for year in YEARS:
        ws = wb.create_sheet(str(year))
        sheet = _Sheet(ws, ["Data Laporan Polisi (LP) Polda Kepulauan Bangka Belitung", f"Tahun {year}"],
                       BABEL_FILE, truth, rng)
        sheet.near = [n for n in near if n.year == year for _ in range(2)]      # each near-miss on two rows
        sheet.write([r for r in reports if r["year"] == year], counters)
        sheet.table.footer("Sumber: Ditreskrimum/Ditresnarkoba Polda Kep. Bangka Belitung (data RIKSA)")
        n_data += sheet.n_data
        n_bad += sheet.n_bad
    save(wb, folder / BABEL_FILE)
    truth.file_rows(BABEL_FILE, n_data, n_bad)

    rng, npg = streams(seed, "crime-tuban")
    reports, counters = _reports(gaz.villages("35"), TUBAN_COUNTS, rng, npg)
    wb = new_workbook()
    ws = wb.create_sheet("Data LP")
    sheet = _Sheet(ws, ["Rekap Laporan Polisi Polres Tuban", "Tahun 2021 s.d. 2024"], TUBAN_FILE, truth, rng)
    sheet.write(reports, counters)
    sheet.table.footer("Sumber: Satreskrim dan Satresnarkoba Polres Tuban")
    save(wb, folder / TUBAN_FILE)
    truth.file_rows(TUBAN_FILE, sheet.n_data, sheet.n_bad)

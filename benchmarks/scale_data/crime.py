"""Police reports: ~400,000 a year nationally for 2022-2024, one workbook per province per month
(``lp_<province>_<yyyy>_<mm>.xlsx``). Report numbers run per Polres and year in report-date order,
so they are unique; the bad rows are the sample's kinds (unknown village, impossible date,
duplicate report number)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from sample_data import names
from sample_data.crime import CRIMES, HEADER, PROPERTY, STATUS, STATUSES
from sample_data.formats import ROMAN_MONTHS, date_dash, excel_serial, invalid_date_text, rupiah

from .context import Context, FileTask, days_in, year_days
from .writing import write_xlsx

YEARS = [2022, 2023, 2024]
REPORTS_PER_YEAR = 400_000
P_UNKNOWN, P_BAD_DATE, P_DUPLICATE = 0.004, 0.004, 0.004
P_POLSEK_ONLY = 0.2
DATASET = "crime_report"
CRIME_NAMES = list(CRIMES)
DRUGS = {"Narkotika", "Obat Keras Berbahaya"}
# victim kind given the crime, as in sample_data.crime
VICTIMS = ["Perorangan", "UMKM", "Badan Usaha", "Lainnya"]
_VICTIM_P = {"drugs": [0, 0, 0, 1], "property": [0.7, 0.18, 0.07, 0.05],
             "vehicle": [0.9, 0.05, 0, 0.05], "other": [0.95, 0, 0, 0.05]}


def _victim_group(crime: str) -> str:
    if crime in DRUGS:
        return "drugs"
    if crime in PROPERTY:
        return "property"
    return "vehicle" if crime == "Curanmor" else "other"


def _year_reports(ctx: Context, year: int, weights: np.ndarray, npg) -> pd.DataFrame:
    v = ctx.places.villages
    valid = round(REPORTS_PER_YEAR * ctx.factor)
    extra = npg.binomial(valid, P_UNKNOWN + P_BAD_DATE)
    n = valid + extra
    w = weights * npg.uniform(0.8, 1.2, len(weights))
    village = npg.choice(len(v), size=n, p=w / w.sum())
    crime = npg.choice(len(CRIME_NAMES), size=n, p=np.array(list(CRIMES.values())) / sum(CRIMES.values()))
    victim = np.zeros(n, dtype=np.int64)
    for c, cname in enumerate(CRIME_NAMES):
        mask = crime == c
        victim[mask] = npg.choice(len(VICTIMS), size=mask.sum(), p=_VICTIM_P[_victim_group(cname)])
    has_loss = np.isin(crime, [CRIME_NAMES.index(c) for c in PROPERTY | {"Curanmor"}])
    fault = np.zeros(n, dtype=np.int8)                       # 0 valid, 1 unknown village, 2 impossible date
    fault[npg.choice(n, size=extra, replace=False)] = npg.choice([1, 2], size=extra)
    frame = pd.DataFrame({
        "village": village,
        "day": npg.integers(0, days_in(year), n),
        "lag": np.minimum(npg.integers(0, 31, n), npg.integers(0, 31, n)),
        "crime": crime, "victim": victim,
        "status": npg.choice(len(STATUSES), size=n, p=STATUS[year]),
        "loss": np.where(has_loss, npg.integers(4, 1001, n) * 50_000, 0),
        "fault": fault,
        "regency": v["regency_code"].to_numpy()[village],
        "code": v["code"].to_numpy()[village],
    })
    frame = frame.sort_values(["day", "regency", "code", "crime"], kind="stable", ignore_index=True)
    frame["seq"] = frame.groupby("regency").cumcount() + 1
    frame["year"] = year
    frame["month"] = pd.to_datetime(frame["day"], unit="D", origin=f"{year}-01-01").dt.month
    return frame.drop(columns=["regency", "code"])


def plan(ctx: Context) -> list[FileTask]:
    _, npg = ctx.streams("scale-crime")
    n = len(ctx.places.villages)
    weights = np.where(npg.random(n) < 0.1, 0.0, npg.gamma(1.1, size=n))
    frame = pd.concat([_year_reports(ctx, y, weights, npg) for y in YEARS], ignore_index=True)
    frame["province"] = ctx.places.villages["province_code"].to_numpy()[frame["village"].to_numpy()]
    groups = frame.groupby(["province", "year", "month"], sort=True).indices
    ctx.plans[DATASET] = {"frame": frame, "groups": groups}
    return [FileTask("polda", DATASET, f"polda/lp_{p}_{y}_{m:02d}.xlsx", len(rows), write, (p, int(y), int(m)))
            for (p, y, m), rows in groups.items()]


def _date_cell(day, r: float):
    if r < 0.5:
        return day
    if r < 0.75:
        return excel_serial(day.date())
    return date_dash(day)


def write(ctx: Context, key: tuple, path) -> tuple[int, int]:
    province, year, month = key
    rng, npg = ctx.streams(f"scale-crime-{province}-{year}-{month:02d}")
    plan_ = ctx.plans[DATASET]
    part = plan_["frame"].iloc[plan_["groups"][key]]
    village = part["village"].to_numpy()
    v = ctx.places.villages
    polres = v["polres"].to_numpy()[village]
    desa = ctx.spell.villages(village, npg)
    kec = ctx.spell.districts(village, npg)
    polsek = ctx.spell.district_name(village)
    polsek_only = npg.random(len(part)) < P_POLSEK_ONLY
    duplicate_after = npg.random(len(part)) < P_DUPLICATE
    days = year_days(year)
    cols = [part[c].to_numpy() for c in ("day", "lag", "crime", "victim", "status", "loss", "fault", "seq")]
    stats = {"rows": 0, "bad": 0}
    roman = ROMAN_MONTHS[month - 1]

    def rows():
        number = 0
        for k, (day, lag, crime, victim, status, loss, fault, seq) in enumerate(zip(*cols)):
            jenis = CRIME_NAMES[crime]
            if loss:
                x = rng.random()
                loss_cell = int(loss) if x < 0.45 else (rupiah(int(loss)) if x < 0.88 else None)
            else:
                loss_cell = "-" if rng.random() < 0.5 else None
            suspect_p = 0.75 if jenis in DRUGS else 0.35
            number += 1
            row = [number, f"LP/B/{seq}/{roman}/{year}/SPKT/{polres[k]}",
                   _date_cell(days[day], rng.random()), _date_cell(days[max(0, day - lag)], rng.random()),
                   jenis, VICTIMS[victim], desa[k], None if polsek_only[k] else kec[k], f"Polsek {polsek[k]}",
                   STATUSES[status], loss_cell, None if jenis in DRUGS else names.person(rng)[0],
                   names.person(rng, female=rng.random() < 0.1)[0] if rng.random() < suspect_p else None]
            if fault == 1:
                row[6] = rng.choice(["", "Desa ", "Ds. "]) + rng.choice(names.UNKNOWN_PLACES)
                row[7] = polsek[k]
            elif fault == 2:
                row[2] = invalid_date_text(rng, year, rng.choice(["dash", "iso", "slash"]))
            yield row
            stats["rows"] += 1
            stats["bad"] += bool(fault)
            if duplicate_after[k]:           # the same report typed twice, status updated
                number += 1
                dup = list(row)
                dup[0] = number
                dup[9] = rng.choice(STATUSES)
                yield dup
                stats["rows"] += 1
                stats["bad"] += 1

    pname = v["province_name"].to_numpy()[village[0]]
    write_xlsx(path, f"LP {month:02d}-{year}", [f"Data Laporan Polisi (LP) Polda {pname}",
                                                 f"Bulan {roman} Tahun {year}"],
               HEADER, rows(), f"Sumber: Ditreskrimum/Ditresnarkoba Polda {pname}")
    return stats["rows"], stats["bad"]

"""Bhabinkamtibmas: a roster per province and year (2022-2024; ~1 officer per 1.3 villages, several
villages in one cell) and activity logs per province and year (2023-2024; ~4 per covered village)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from sample_data import names
from sample_data.bhabin import ACTIVITIES, ACTIVITY_HEADER, RANKS, ROSTER_HEADER, URAIAN
from sample_data.formats import date_slash, invalid_date_text, village_cell

from . import people
from .context import Context, FileTask, days_in, year_days
from .writing import write_xlsx

ROSTER_YEARS = [2022, 2023, 2024]
ACTIVITY_YEARS = [2023, 2024]
COVERAGE = 0.9                     # share of villages with an officer in a year
GROUP_SIZES, GROUP_P = [1, 2, 3], [0.86, 0.11, 0.03]
ACTIVITIES_PER_VILLAGE = 4
P_BAD = 0.012
ROSTER, ACTIVITY = "bhabinkamtibmas_assignment", "bhabinkamtibmas_activity"
KINDS = list(ACTIVITIES)


def _assignments(ctx: Context, rng, npg) -> pd.DataFrame:
    """One row per officer and year: officer index, year, the villages assigned (indices)."""
    district = ctx.places.villages["district_code"].to_numpy()
    starts = np.flatnonzero(np.r_[True, district[1:] != district[:-1]])
    ends = np.r_[starts[1:], len(district)]
    rows = []
    for start, end in zip(starts, ends):
        pool = list(range(start, end))     # officers of a Polsek: as many as its villages
        for year in ROSTER_YEARS:
            covered = sorted(rng.sample(range(start, end), max(1, round((end - start) * COVERAGE))))
            rng.shuffle(covered)
            first = rng.randrange(len(pool))
            k = 0
            while covered:
                size = rng.choices(GROUP_SIZES, weights=GROUP_P)[0]
                rows.append((pool[(first + k) % len(pool)], year, tuple(sorted(covered[:size]))))
                covered = covered[size:]
                k += 1
    frame = pd.DataFrame(rows, columns=["officer", "year", "villages"])
    frame["province"] = ctx.places.villages["province_code"].to_numpy()[[v[0] for v in frame["villages"]]]
    return frame


def plan(ctx: Context) -> list[FileTask]:
    rng, npg = ctx.streams("scale-bhabin")
    n = len(ctx.places.villages)
    assign = _assignments(ctx, rng, npg)
    ghosts = int(npg.binomial(len(assign), P_BAD))
    nrp = people.nrps(npg, n + ghosts)     # one number per officer of the pool, then the ghosts
    female = npg.random(n + ghosts) < 0.08
    officers = {"nrp": nrp, "name": people.person_names(npg, female),
                "rank": npg.choice(5, size=n + ghosts, p=np.array([1, 2, 3, 3, 2]) / 11),
                "promoted": npg.integers(2021, 2027, n + ghosts)}
    # ghost rows (an officer on no village list) follow randomly chosen real rows
    assign["ghost"] = -1
    assign.loc[npg.choice(len(assign), size=ghosts, replace=False), "ghost"] = np.arange(n, n + ghosts)
    roster_groups = assign.groupby(["province", "year"], sort=True).indices

    # activities: ~4 per covered village and year, logged by its officer
    act = assign[assign["year"].isin(ACTIVITY_YEARS)].explode("villages", ignore_index=True)
    count = npg.poisson(ACTIVITIES_PER_VILLAGE, len(act))
    act = act.loc[act.index.repeat(count)].reset_index(drop=True)
    act["day"] = (npg.random(len(act)) * act["year"].map(days_in).to_numpy()).astype(np.int64)
    act["kind"] = npg.choice(len(KINDS), size=len(act), p=np.array(list(ACTIVITIES.values())))
    act["village"] = act.pop("villages").astype(np.int64)
    act["nrp"] = nrp[act["officer"].to_numpy()]
    act = act.sort_values(["province", "year", "day", "nrp", "village", "kind"], ignore_index=True)
    ctx.plans[ROSTER] = {"frame": assign, "groups": roster_groups, "officers": officers}
    ctx.plans[ACTIVITY] = {"frame": act, "groups": act.groupby(["province", "year"], sort=True).indices}
    tasks = [FileTask("polda", ROSTER, f"polda/bhabinkamtibmas_{p}_{y}.xlsx", len(r), write_roster, (p, int(y)))
             for (p, y), r in roster_groups.items()]
    tasks += [FileTask("polda", ACTIVITY, f"polda/kegiatan_bhabinkamtibmas_{p}_{y}.xlsx", len(r),
                       write_activities, (p, int(y))) for (p, y), r in ctx.plans[ACTIVITY]["groups"].items()]
    return tasks


def _rank(officers: dict, i: int, year: int) -> str:
    return RANKS[min(len(RANKS) - 1, int(officers["rank"][i]) + (year >= officers["promoted"][i]))]


def write_roster(ctx: Context, key: tuple, path) -> tuple[int, int]:
    province, year = key
    rng, npg = ctx.streams(f"scale-roster-{province}-{year}")
    planned = ctx.plans[ROSTER]
    part = planned["frame"].iloc[planned["groups"][key]]
    officers = planned["officers"]
    v = ctx.places.villages
    lists = part["villages"].tolist()
    flat = np.array([i for vs in lists for i in vs])
    written = iter(ctx.spell.villages(flat, npg, p=0.15))
    district = ctx.spell.district_name(np.array([vs[0] for vs in lists]))
    polres = v["polres"].to_numpy()
    stats = {"rows": 0, "bad": 0}

    def binaan(vs) -> str:
        return village_cell([next(written) for _ in vs], rng)

    def rows():
        number = 0
        for k, (o, vs, ghost) in enumerate(zip(part["officer"], lists, part["ghost"])):
            nrp = officers["nrp"][o]
            number += 1
            row = [number, int(nrp) if rng.random() < 0.08 else nrp, officers["name"][o], _rank(officers, o, year),
                   polres[vs[0]], f"Polsek {district[k]}", year, binaan(vs)]
            yield row
            stats["rows"] += 1
            if ghost < 0:
                continue
            number += 1
            yield [number, officers["nrp"][ghost], officers["name"][ghost], _rank(officers, ghost, year),
                   row[4], row[5], year, rng.choice(names.UNKNOWN_PLACES)]
            stats["rows"] += 1
            stats["bad"] += 1

    pname = v["province_name"].to_numpy()[lists[0][0]]
    write_xlsx(path, "Roster", ["Data Personel Bhabinkamtibmas dan Desa/Kelurahan Binaan", f"Polda {pname} {year}"],
               ROSTER_HEADER, rows(), f"Sumber: Ditbinmas Polda {pname}")
    return stats["rows"], stats["bad"]


def write_activities(ctx: Context, key: tuple, path) -> tuple[int, int]:
    province, year = key
    rng, npg = ctx.streams(f"scale-activities-{province}-{year}")
    planned = ctx.plans[ACTIVITY]
    part = planned["frame"].iloc[planned["groups"][key]]
    village = part["village"].to_numpy()
    desa = ctx.spell.villages(village, npg)
    kec = ctx.spell.districts(village, npg)
    bad_at = npg.random(len(part)) < P_BAD
    days = year_days(year)
    stats = {"rows": 0, "bad": 0}

    def rows():
        number = 0
        for k, (day, nrp, kind) in enumerate(zip(part["day"], part["nrp"], part["kind"])):
            number += 1
            d = days[day]
            jenis = KINDS[kind]
            row = [number, d if rng.random() < 0.6 else date_slash(d), nrp, desa[k], kec[k], jenis,
                   rng.choice(URAIAN[jenis])]
            yield row
            stats["rows"] += 1
            if not bad_at[k]:
                continue
            number += 1
            bad = list(row)
            bad[0] = number
            if rng.random() < 0.5:
                bad[3] = rng.choice(names.UNKNOWN_PLACES)
            else:
                bad[1] = invalid_date_text(rng, year, "slash")
            yield bad
            stats["rows"] += 1
            stats["bad"] += 1

    pname = ctx.places.villages["province_name"].to_numpy()[village[0]]
    write_xlsx(path, str(year), ["Laporan Kegiatan Bhabinkamtibmas", f"Polda {pname} Tahun {year}"],
               ACTIVITY_HEADER, rows(), "Sumber: Aplikasi laporan harian Bhabinkamtibmas (rekap Ditbinmas)")
    return stats["rows"], stats["bad"]

"""The attacker who keeps every public release (issue 20): a corrected police file (crime types changed),
a late file, a new year. It holds every public table of every release, knows the p-table (published), and
knows exactly which reports each release added or changed (the strongest side knowledge: it is told
each cell's true difference between any two releases). It narrows every cell's possible true counts by
every relation it can write: a month's total and its categories, a year's count and its months, a year's
total and its categories and its months, crimes against MSMEs within the total, and the same cell in
every pair of releases. It recovers no true count from 1 to the threshold exactly. Without perturbed
totals (threshold suppression's weakness) the same attacker does recover small counts."""
from __future__ import annotations

import datetime as dt
import os
import random
import stat
from collections import defaultdict

import duckdb
import pandas as pd
import pytest

from assets.publish import cell_key
from assets.publish.publication import Warehouse, publish
from tests.publish_fixture import A, B, C, _placed, tiny_inputs

TEST_KEY = bytes(range(100, 132))
KINDS = {"Curat": "property", "Penganiayaan": "violent", "Penipuan": "fraud", "Narkotika": "narcotics",
         "Obat Keras Berbahaya": "hard_drugs", "Pencurian Hewan": "other"}
CATEGORIES = ("property", "violent", "fraud", "narcotics", "hard_drugs", "other")
YEAR_COLUMNS = {**{c: f"{c}_crime_count" for c in CATEGORIES}, "total": "crime_count",
                "against_msme": "crime_against_msme_count"}


def reports(count: int, years: tuple[int, ...], first: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for n in range(first, first + count):
        year = rng.choice(years)
        day = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        out.append({"report_number": f"LP/B/{n}/{year}/SPKT/POLRES BANGKA", "report_date": day, "incident_date": day,
                    "year": year, "crime_type": rng.choice(list(KINDS)),
                    "victim_type": rng.choice(["Perorangan", "Perorangan", "Pelaku Usaha (UMKM)"]),
                    "case_status": "Lapor", "loss_amount": None, "village_code": rng.choice([A, A, B, C]),
                    "police_sector": "Polsek Sungai Jaya"})
    return out


def releases() -> list[list[dict]]:
    base = reports(420, (2021, 2022, 2023), 1, seed=1)
    corrected = [dict(r) for r in base]
    for r in random.Random(2).sample(corrected, 25):                 # a corrected file: 25 crime types changed
        r["crime_type"] = random.Random(r["report_number"]).choice([k for k in KINDS if k != r["crime_type"]])
    late = corrected + reports(30, (2022, 2023), 1001, seed=3)        # a late file for earlier years
    new_year = late + reports(140, (2024,), 2001, seed=4)             # a new year
    return [base, corrected, late, new_year]


def inputs_for(records: list[dict]):
    inputs, tables = tiny_inputs()
    inputs["stg_crime_report"] = _placed("crime_report", records)
    return inputs, tables


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """[(public months, public years, true months, true years, public file id)] per release, and the warehouse."""
    folder = tmp_path_factory.mktemp("releases") / "warehouse"
    warehouse = Warehouse(folder)
    out = []
    for records in releases():
        publish(folder, *inputs_for(records), pseudonym_key=TEST_KEY)
        public = duckdb.connect(str(warehouse.public_database), read_only=True)
        restricted = duckdb.connect(str(warehouse.database), read_only=True)
        out.append((public.execute("SELECT * FROM crime_village_month").df(),
                    public.execute("SELECT * FROM mart_village_year").df(),
                    restricted.execute("SELECT * FROM main.crime_village_month").df(),
                    restricted.execute("SELECT * FROM main.mart_village_year").df(),
                    public.execute("SELECT publication_id FROM publication").fetchone()[0],
                    [cell_key.Row(*r) for r in public.execute(
                        "SELECT i, j, p, v, ckey_from, ckey_to FROM perturbation_table").fetchall()]))
        public.close()
        restricted.close()
    return out, warehouse


# -- what the attacker knows ---------------------------------------------------------------------
def cells(months: pd.DataFrame, years: pd.DataFrame) -> dict[tuple, int]:
    """Every cell a release shows, by (village, year, month or 0 for the year, measure): a month cell
    without a row shows 0 (for every village, year with crime data, month and measure)."""
    out = {}
    for r in years.itertuples():
        if pd.isna(r.crime_count):
            continue
        for measure, column in YEAR_COLUMNS.items():
            out[(r.village_code, r.year, 0, measure)] = int(getattr(r, column))
        for month in range(1, 13):
            for measure in (*CATEGORIES, "total"):
                out[(r.village_code, r.year, month, measure)] = 0
    for r in months.itertuples():
        out[(r.village_code, r.year, r.month, r.crime_category)] = int(r.crime_count)
    return out


def relations(keys) -> list[tuple[tuple, list[tuple]]]:
    """(total, parts) with total = sum(parts), for every total a release shows."""
    out = []
    for v, y in {(k[0], k[1]) for k in keys}:
        for m in range(1, 13):
            out.append(((v, y, m, "total"), [(v, y, m, c) for c in CATEGORIES]))
        for c in (*CATEGORIES, "total"):
            out.append(((v, y, 0, c), [(v, y, m, c) for m in range(1, 13)]))
        out.append(((v, y, 0, "total"), [(v, y, 0, c) for c in CATEGORIES]))
    return out


def attack(published: list[dict[tuple, int]], truth: list[dict[tuple, int]], rows, exact_totals=False):
    """Narrow each (release, cell)'s possible true counts until nothing changes. Returns the domains."""
    domain = {}
    for r, shown in enumerate(published):
        for key, value in shown.items():
            exact = exact_totals and key[3] in ("total", "against_msme")
            domain[(r, key)] = {truth[r][key]} if exact else cell_key.possible_counts(value, rows)
    sums = [(r, total, parts) for r, shown in enumerate(published) for total, parts in relations(shown)]
    links = [((r, key), (s, key), truth[s][key] - truth[r][key])           # told: the true difference
             for r in range(len(published)) for s in range(r + 1, len(published)) for key in published[r]
             if key in published[s]]
    changed = True
    while changed:
        changed = False

        def narrow(var, keep):
            nonlocal changed
            smaller = {x for x in domain[var] if keep(x)}
            if smaller != domain[var]:
                domain[var] = smaller
                changed = True

        for r, total, parts in sums:
            t, ps = (r, total), [(r, p) for p in parts]
            lo, hi = sum(min(domain[p]) for p in ps), sum(max(domain[p]) for p in ps)
            narrow(t, lambda x: lo <= x <= hi)
            for p in ps:
                rest_lo, rest_hi = lo - min(domain[p]), hi - max(domain[p])
                t_lo, t_hi = min(domain[t]), max(domain[t])
                narrow(p, lambda x: t_lo - rest_hi <= x <= t_hi - rest_lo)
        for r, shown in enumerate(published):
            for (v, y, m, c) in shown:
                if m == 0 and c == "against_msme":      # crimes against MSMEs are some of the year's crimes
                    top = max(domain[(r, (v, y, 0, "total"))])
                    narrow((r, (v, y, 0, c)), lambda x: x <= top)
        for a, b, d in links:
            narrow(a, lambda x: x + d in domain[b])
            narrow(b, lambda x: x - d in domain[a])
    return domain


def small_counts_recovered(domain, truth) -> list[tuple]:
    return sorted(var for var, possible in domain.items()
                  if 1 <= truth[var[0]][var[1]] <= cell_key.THRESHOLD and possible == {truth[var[0]][var[1]]})


def views(released):
    out, _ = released
    published = [cells(months, years) for months, years, *_ in out]
    truth = [cells(tm, ty) for _, _, tm, ty, *_ in out]
    return published, truth, out[-1][5]


def test_the_attacker_over_every_release_and_table_recovers_no_small_count(released):
    published, truth, rows = views(released)
    small = sum(1 <= v <= cell_key.THRESHOLD for t in truth for v in t.values())
    assert small > 1500                          # the releases hold many small counts to protect
    domain = attack(published, truth, rows)
    assert all(truth[r][key] in possible for (r, key), possible in domain.items())    # the attacker reasons soundly
    assert small_counts_recovered(domain, truth) == []
    narrowed = sum(len(possible) < len(cell_key.possible_counts(published[r][key], rows))
                   for (r, key), possible in domain.items())
    assert narrowed > 100                        # it does learn something: ranges, never a small count


def test_the_same_attacker_recovers_small_counts_when_totals_are_exact(released):
    """What made threshold suppression fail across releases: exact totals. The attacker is not toothless."""
    published, truth, rows = views(released)
    domain = attack(published, truth, rows, exact_totals=True)
    assert len(small_counts_recovered(domain, truth)) > 20


def test_unchanged_reports_give_the_same_published_counts_in_every_release(released):
    out, _ = released
    published = [cells(months, years) for months, years, *_ in out]
    truth_records = releases()
    # the new year (release 4) changed nothing before 2024: every earlier cell is published as in release 3
    before = {k: v for k, v in published[3].items() if k[1] < 2024}
    assert before == published[2] and len(before) == 828
    # the correction (release 2) changed 25 reports: every cell without one of them is published as before
    changed = {r["report_number"] for r, s in zip(truth_records[0], truth_records[1]) if r != s}
    touched = set()
    for records in truth_records[:2]:
        for r in records:
            if r["report_number"] in changed:
                v, y, m, c = r["village_code"], r["year"], r["report_date"].month, KINDS[r["crime_type"]]
                touched |= {(v, y, m, c), (v, y, m, "total"), (v, y, 0, c), (v, y, 0, "total"), (v, y, 0, "against_msme")}
    same = [k for k in published[0] if k not in touched]
    assert len(same) > 500 and all(published[0][k] == published[1][k] for k in same)
    assert sum(published[0][k] != published[1][k] for k in touched) > 0
    # one cell by hand: village A, March 2022, narcotics, in all four releases
    key = (A, 2022, 3, "narcotics")
    assert [p[key] for p in published] == [published[0][key]] * 4


def test_only_the_current_public_release_is_handed_out(released):
    out, warehouse = released
    ids = [o[4] for o in out]
    public = warehouse.public_parquet
    assert sorted(p.name for p in public.iterdir()) == sorted([ids[-1], "current"])
    assert os.readlink(public / "current") == ids[-1]
    earlier = warehouse.earlier_public_parquet
    assert sorted(p.name for p in earlier.iterdir()) == sorted(ids[:-1])
    assert stat.S_IMODE(earlier.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for d in earlier.iterdir() for p in [d, *d.iterdir()]} <= {0o600, 0o700}
    assert {stat.S_IMODE(p.stat().st_mode) for p in (public / ids[-1]).iterdir()} == {0o644}
    # everything readable by others under the warehouse is the current public release
    readable = [p for p in warehouse.folder.rglob("*") if p.is_file() and p.stat().st_mode & 0o004
                and os.access(p.parent, os.X_OK)]
    assert {p.relative_to(warehouse.folder).parts[:3] for p in readable} <= {
        ("public", "jembatan_public.duckdb"), ("public", "parquet", ids[-1])}

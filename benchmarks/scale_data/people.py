"""People and businesses drawn in bulk: numeric draws in numpy, text assembled from the sample's
word lists (``sample_data.names``) so the scale files read like the bundled sample."""
from __future__ import annotations

import numpy as np
import pandas as pd

from sample_data import names

_MALE = np.array(names.MALE, dtype=object)
_FEMALE = np.array(names.FEMALE, dtype=object)
_FAMILY = np.array(names.FAMILY, dtype=object)
SECTORS = names.SECTORS
_KINDS = [np.array(names.SECTOR_KINDS[s], dtype=object) for s in SECTORS]
_TAGS = np.array(names.BUSINESS_TAGS, dtype=object)
_STREETS = np.array(names.STREETS, dtype=object)
_DUSUN = np.array(["I", "II", "III", "IV", "Krajan", "Tengah", "Ujung"], dtype=object)


def person_names(npg: np.random.Generator, female: np.ndarray) -> np.ndarray:
    """'Siti Handayani', 'Budi' ... one per entry of the boolean ``female`` array."""
    n = len(female)
    first = np.where(female, _FEMALE[npg.integers(0, len(_FEMALE), n)], _MALE[npg.integers(0, len(_MALE), n)])
    family = _FAMILY[npg.integers(0, len(_FAMILY), n)]
    with_family = npg.random(n) >= 0.2
    return np.where(with_family, first + " " + family, first)


def business_names(npg: np.random.Generator, sector: np.ndarray, owner: np.ndarray,
                   female: np.ndarray) -> np.ndarray:
    """'Warung Makan Bu Siti' or 'Toko Kelontong Berkah', the kind fitting the sector."""
    n = len(sector)
    pick = npg.random(n)
    kind = np.empty(n, dtype=object)
    for s, kinds in enumerate(_KINDS):
        mask = sector == s
        kind[mask] = kinds[(pick[mask] * len(kinds)).astype(int)]
    given = np.array([o.split(" ", 1)[0] for o in owner], dtype=object)
    personal = kind + np.where(female, " Bu ", " Pak ") + given
    tagged = kind + " " + _TAGS[npg.integers(0, len(_TAGS), n)]
    return np.where(npg.random(n) < 0.45, personal, tagged)


def phones(npg: np.random.Generator, n: int) -> np.ndarray:
    """Mobile numbers in the four ways people type them."""
    operator = np.array(["1", "2", "5", "7", "9"])[npg.integers(0, 5, n)]
    rest = npg.integers(0, 10**9, n)
    style = npg.random(n)
    out = np.empty(n, dtype=object)
    for i in range(n):
        d = f"8{operator[i]}{rest[i]:09d}"
        s = style[i]
        if s < 0.5:
            out[i] = f"0{d[:3]}-{d[3:7]}-{d[7:]}"
        elif s < 0.75:
            out[i] = f"0{d}"
        elif s < 0.9:
            out[i] = f"+62 {d[:3]}-{d[3:7]}-{d[7:]}"
        else:
            out[i] = f"0{d[:3]} {d[3:7]} {d[7:]}"
    return out


def addresses(npg: np.random.Generator, n: int) -> np.ndarray:
    street = _STREETS[npg.integers(0, len(_STREETS), n)]
    number = npg.integers(1, 151, n)
    dusun = _DUSUN[npg.integers(0, len(_DUSUN), n)]
    rt, rw = npg.integers(1, 13, n), npg.integers(1, 6, n)
    road = npg.random(n) < 0.5
    return np.array([f"Jl. {street[i]} No. {number[i]}" if road[i] else
                     f"Dusun {dusun[i]} RT {rt[i]:03d}/RW {rw[i]:03d}" for i in range(n)], dtype=object)


def niks(npg: np.random.Generator, region: np.ndarray, female: np.ndarray) -> np.ndarray:
    """Valid, unique 16-digit NIKs: district code (6 digits), birth date DDMMYY (day + 40 for women),
    serial.  Collisions are redrawn until none is left."""
    n = len(region)
    region_num = np.array([int(r) for r in region], dtype=np.int64)
    out = np.zeros(n, dtype=np.int64)
    todo = np.arange(n)
    while len(todo):
        m = len(todo)
        birth = pd.to_datetime("1960-01-01") + pd.to_timedelta(npg.integers(0, 15_700, m), unit="D")
        day = birth.day.to_numpy() + np.where(female[todo], 40, 0)
        dmy = day * 10_000 + birth.month.to_numpy() * 100 + birth.year.to_numpy() % 100
        out[todo] = region_num[todo] * 10**10 + dmy * 10**4 + npg.integers(1, 10_000, m)
        _, first = np.unique(out, return_index=True)
        keep = np.zeros(n, dtype=bool)
        keep[first] = True
        todo = np.flatnonzero(~keep)
    return np.array([f"{x:016d}" for x in out], dtype=object)


def nrps(npg: np.random.Generator, n: int) -> np.ndarray:
    """Unique 8-digit officer numbers YYMM + serial (YY 75-99), drawn without replacement."""
    slots = npg.choice(25 * 12 * 10_000, size=n, replace=False)
    yy = 75 + slots // 120_000
    mm = 1 + (slots // 10_000) % 12
    return np.array([f"{a:02d}{b:02d}{c:04d}" for a, b, c in zip(yy, mm, slots % 10_000)], dtype=object)

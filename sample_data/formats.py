"""Indonesian number, money and date formats as agencies type them."""
from __future__ import annotations

import datetime as dt
import random

MONTHS_ID = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]
ROMAN_MONTHS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
EXCEL_EPOCH = dt.date(1899, 12, 30)


def id_number(n: int) -> str:
    """1234567 -> '1.234.567' (Indonesian thousands separator); -12 -> '-12'."""
    return f"{n:,}".replace(",", ".")


def rupiah(n: int) -> str:
    return "Rp " + id_number(n)


def excel_serial(d: dt.date) -> int:
    return (d - EXCEL_EPOCH).days


def date_slash(d: dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def date_dash(d: dt.date) -> str:
    return f"{d.day:02d}-{d.month:02d}-{d.year}"


def date_long(d: dt.date) -> str:
    return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"


def to_datetime(d: dt.date) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day)


def count_cell(n: int, rng: random.Random, p_text: float = 0.4, p_dash: float = 0.8):
    """A count as a numeric cell or Indonesian text; zero usually written '-'."""
    if n == 0:
        return "-" if rng.random() < p_dash else 0
    if rng.random() < p_text:
        return id_number(n)
    return n


def random_day(rng: random.Random, year: int) -> dt.date:
    start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - start).days
    return start + dt.timedelta(days=rng.randrange(days))


def invalid_date_text(rng: random.Random, year: int, style: str) -> str:
    """An impossible date written in one of the agency text styles."""
    day, month = rng.choice([(31, 2), (30, 2), (31, 4), (31, 6), (31, 9), (31, 11), (32, 1), (0, 5)])
    if style == "iso":
        return f"{year}-{rng.choice([13, 14, 0]):02d}-{rng.randint(1, 28):02d}"
    if style == "long":
        return f"{day} {MONTHS_ID[month - 1]} {year}"
    sep = "-" if style == "dash" else "/"
    return f"{day:02d}{sep}{month:02d}{sep}{year}"


def village_cell(parts: list[str], rng: random.Random) -> str:
    """Several villages in one roster cell, joined the ways clerks write them."""
    if len(parts) == 1:
        return parts[0]
    sep = rng.choice([", ", " / ", " dan "])
    if sep == ", " and rng.random() < 0.4:
        return ", ".join(parts[:-1]) + " dan " + parts[-1]
    return sep.join(parts)

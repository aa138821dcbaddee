"""Dates read per column, and checked against what each row says of its own period.

A text date's day/month order is a property of the column (of the producer's locale), not of each
cell: "3/9/2024" is 3 September in an Indonesian register and 9 March in one kept with a US locale.
The order is decided from the column itself (a value that can be read only one way settles it), else
from the sheet's other date columns (the same producer), else from the report numbers on the same rows
(`LP/B/22/II/2024` was made in February 2024). When nothing decides it, the values that could be read
either way are flagged, never guessed.

Then each date is checked: a report date outside the month of its own report number, an incident after
the month it was reported in, and a date far outside the file's period are flagged.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assets.ingest.cells import NUMERIC_DATE, date_text, is_blank

DAY_FIRST, MONTH_FIRST = "day_first", "month_first"
AMBIGUOUS_DATE_ORDER = "ambiguous_date_order"
CONTRADICTS_REPORT_NUMBER = "date_contradicts_report_number"
OUT_OF_PERIOD = "date_out_of_period"

ROMAN_MONTHS = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10,
                "XI": 11, "XII": 12}
# The month (Roman) and year a police report number was issued in: LP/B/22/II/2024/SPKT/POLRES BANGKA.
REPORT_PERIOD = re.compile(r"/\s*(XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)\s*/\s*((?:19|20)\d\d)\b", re.IGNORECASE)
# How far a date may stray from the file's period (its report numbers' or its title's years).
YEARS_BEFORE, YEARS_AFTER = 2, 1
# Without a stated period: how far from the column's middle year.
YEARS_FROM_MIDDLE = 3


def report_period(number: object) -> tuple[int, int] | None:
    """(year, month) a report number names, or None."""
    if is_blank(number) or not (m := REPORT_PERIOD.search(str(number))):
        return None
    return int(m[2]), ROMAN_MONTHS[m[1].upper()]


def numeric_parts(value: object) -> tuple[int, int] | None:
    """The first two numbers of a text date written as three numbers, or None."""
    if not isinstance(value, str) or not (m := NUMERIC_DATE.fullmatch(date_text(value))):
        return None
    return int(m[1]), int(m[2])


@dataclass
class OrderEvidence:
    day_first: int = 0          # values readable only day-first (the first number over 12)
    month_first: int = 0        # values readable only month-first (the second number over 12)
    ambiguous: int = 0          # values readable both ways, to different dates

    def decided(self) -> str | None:
        if self.day_first and not self.month_first:
            return DAY_FIRST
        if self.month_first and not self.day_first:
            return MONTH_FIRST
        return None


def order_evidence(values: Iterable[object]) -> OrderEvidence:
    evidence = OrderEvidence()
    for value in values:
        if (parts := numeric_parts(value)) is None:
            continue
        a, b = parts
        if a > 12 >= b:
            evidence.day_first += 1
        elif b > 12 >= a:
            evidence.month_first += 1
        elif a != b and a <= 12 and b <= 12:
            evidence.ambiguous += 1
    return evidence


def order_from_report_numbers(values: Iterable[object], numbers: Iterable[object]) -> str | None:
    """The order under which the column's ambiguous dates fall in their report number's month, when
    the report numbers all point one way."""
    votes = {DAY_FIRST: 0, MONTH_FIRST: 0}
    for value, number in zip(values, numbers):
        parts, period = numeric_parts(value), report_period(number)
        if parts is None or period is None:
            continue
        a, b = parts
        if a == b or a > 12 or b > 12:
            continue
        votes[DAY_FIRST] += b == period[1]
        votes[MONTH_FIRST] += a == period[1]
    if votes[DAY_FIRST] and not votes[MONTH_FIRST]:
        return DAY_FIRST
    if votes[MONTH_FIRST] and not votes[DAY_FIRST]:
        return MONTH_FIRST
    return None


def is_ambiguous(value: object) -> bool:
    parts = numeric_parts(value)
    return parts is not None and parts[0] != parts[1] and parts[0] <= 12 and parts[1] <= 12


@dataclass
class DateFlag:
    index: int          # row position in the frame
    code: str
    extra: tuple[str, str] = ("", "")     # what the message adds (English, Bahasa Indonesia)


def check_against_period(dates: pd.Series, report_numbers: pd.Series | None, is_report_date: bool,
                         stated_years: list[int], today: dt.date | None = None) -> list[DateFlag]:
    """Flags for the dates of one column. `report_numbers`: the same rows' report numbers (or None);
    `is_report_date`: the date the report was made (must fall in its number's month, a day's slack either
    side); otherwise an incident, which cannot come after the month it was reported in. `stated_years`:
    the file's period where it is stated (the title's year); the report numbers' years count too."""
    today = today or dt.date.today()
    flags: list[DateFlag] = []
    periods = ([report_period(n) for n in report_numbers] if report_numbers is not None
               else [None] * len(dates))
    years = sorted({*stated_years, *(p[0] for p in periods if p)})
    present = dates.notna().to_numpy()
    if not present.any():
        return flags
    stamps = pd.DatetimeIndex(dates)
    middle = int(np.median(stamps[present].year)) if not years else None
    for i in np.flatnonzero(present):
        day = stamps[i].date()
        period = periods[i]
        if period:
            first = dt.date(period[0], period[1], 1)
            last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            slack = dt.timedelta(days=1)
            late = day > last + slack
            if (is_report_date and (day < first - slack or late)) or (not is_report_date and late):
                label = f"{ROMAN_NAMES[period[1] - 1][0]} {period[0]}"
                label_id = f"{ROMAN_NAMES[period[1] - 1][1]} {period[0]}"
                flags.append(DateFlag(int(i), CONTRADICTS_REPORT_NUMBER, (f"({label})", f"({label_id})")))
                continue
        if years:
            far = not years[0] - YEARS_BEFORE <= day.year <= years[-1] + YEARS_AFTER
            span = f"{years[0]}" if years[0] == years[-1] else f"{years[0]}-{years[-1]}"
        else:
            far = abs(day.year - middle) > YEARS_FROM_MIDDLE
            span = f"around {middle}"
        if far or day > today + dt.timedelta(days=31):
            flags.append(DateFlag(int(i), OUT_OF_PERIOD, (f" ({span})", f" ({span.replace('around', 'sekitar')})")))
    return flags


ROMAN_NAMES = [("January", "Januari"), ("February", "Februari"), ("March", "Maret"), ("April", "April"),
               ("May", "Mei"), ("June", "Juni"), ("July", "Juli"), ("August", "Agustus"),
               ("September", "September"), ("October", "Oktober"), ("November", "November"),
               ("December", "Desember")]

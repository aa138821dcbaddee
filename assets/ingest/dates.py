"""Dates read per column, and checked against what each row says of its own period.

A text date's day/month order is a property of the column (of the producer's locale), not of each
cell: "3/9/2024" is 3 September in an Indonesian register and 9 March in one kept with a US locale.
The order is decided from the column itself (a value that can be read only one way settles it), else
from the sheet's other date columns (the same producer), else from the report numbers on the same rows
(`LP/B/22/II/2024` was made in February 2024). When nothing decides it, the values that could be read
either way are flagged, never guessed.

Then each date is checked: a report date outside the month of its own report number, an incident after
the month it was reported in, and a date far outside the file's period are flagged.

One day of slack, on purpose. Dates reach a register as timestamps more often than as typed days: a
Polres system that keeps UTC exports a report made on 1 March at 03:00 WIB (UTC+7; WITA and WIT are
further ahead) as 28 February, and the day of receipt is taken from a UTC clock (receive.py's
`received_at`), so a file sent at 06:00 WIB on 5 March is received on 4 March. A date one day off for
that reason alone is not the clerk's error, so:

- a report date may fall one day before the first or one day after the last of its report number's
  month (LP/B/22/II/2024: 31 January to 1 March 2024 pass; 30 January and 2 March are flagged);
- an incident date may fall one day after the last of the month it was reported in (1 March passes);
- a date one day after the file's day of receipt is not flagged as after receipt (assets/ingest/edits.py
  `date_future`: received 5 March, 6 March passes, 7 March is flagged).

There is no day of slack on the file's stated years: in a file that states 2024, 31 December 2023 is
flagged (edits.py `date_period`); only the report number's month check above lets it pass beside a
January 2024 number. The wider checks here count in years: a date more than YEARS_BEFORE years before
or YEARS_AFTER after the stated years or the report numbers' years (YEARS_FROM_MIDDLE around the column's
middle year when neither is known), or more than 31 days after today, is flagged.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from assets.ingest.cells import NUMERIC_DATE, date_text, is_blank

DAY_FIRST, MONTH_FIRST = "day_first", "month_first"


def as_datetime(values: pd.Series) -> pd.Series:
    """`values` as datetimes (pd.to_datetime), without pandas's look for repeated values on a column
    that holds datetimes already: that look turns up to 10,000 of them into Timestamps one by one."""
    return pd.to_datetime(values, cache=not pd.api.types.is_datetime64_any_dtype(values))


AMBIGUOUS_DATE_ORDER = "ambiguous_date_order"
CONTRADICTS_REPORT_NUMBER = "date_contradicts_report_number"
OUT_OF_PERIOD = "date_out_of_period"

ROMAN_MONTHS = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10,
                "XI": 11, "XII": 12}
# The month (Roman) and year a police report number was issued in: LP/B/22/II/2024/SPKT/POLRES BANGKA.
# One pattern for Python (a row at a time) and Arrow's RE2 (a column at once).
REPORT_PERIOD_PATTERN = (r"/\s*(?P<roman>(?i:XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I))\s*/\s*"
                         r"(?P<year>(?:19|20)[0-9][0-9])(?:[^0-9]|$)")
REPORT_PERIOD = re.compile(REPORT_PERIOD_PATTERN)
# How far a date may stray from the file's period (its report numbers' or its title's years).
YEARS_BEFORE, YEARS_AFTER = 2, 1
# Without a stated period: how far from the column's middle year.
YEARS_FROM_MIDDLE = 3


def report_period(number: object) -> tuple[int, int] | None:
    """(year, month) a report number names, or None."""
    if is_blank(number) or not (m := REPORT_PERIOD.search(str(number))):
        return None
    return int(m["year"]), ROMAN_MONTHS[m["roman"].upper()]


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


def report_periods(report_numbers: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(year, month) each report number names, 0 where it names none; with Arrow's RE2, at once."""
    texts = pa.array(report_numbers.astype(object).where(report_numbers.notna(), None).tolist(), type=pa.string())
    found = pc.extract_regex(texts, REPORT_PERIOD_PATTERN)
    roman = pc.utf8_upper(pc.struct_field(found, "roman")).to_pylist()
    year = pc.struct_field(found, "year").to_pylist()
    return (np.array([int(y) if y else 0 for y in year], dtype="int64"),
            np.array([ROMAN_MONTHS.get(r, 0) if r else 0 for r in roman], dtype="int64"))


def check_against_period(dates: pd.Series, periods: tuple[np.ndarray, np.ndarray] | None, is_report_date: bool,
                         stated_years: list[int], today: dt.date | None = None) -> list[DateFlag]:
    """Flags for the dates of one column (vectorised: a column of 200,000 reports is checked at once).
    `periods`: the same rows' report numbers' (year, month), from report_periods (or None); `is_report_date`: the date the report was
    made (must fall in its number's month, a day's slack either side); otherwise an incident, which cannot
    come after the month it was reported in. `stated_years`: the file's period where it is stated (the
    title's year); the report numbers' years count too."""
    today = today or dt.date.today()
    values = dates.to_numpy(dtype="datetime64[ns]")
    present = ~np.isnat(values)
    if not present.any():
        return []
    n = len(values)
    year, month = periods if periods is not None else (np.zeros(n, dtype="int64"), np.zeros(n, dtype="int64"))
    numbered = month > 0
    years = sorted({*stated_years, *np.unique(year[numbered]).tolist()})
    slack = np.timedelta64(1, "D")
    contradicts = np.zeros(n, dtype=bool)
    if numbered.any():
        first = pd.to_datetime({"year": np.where(numbered, year, 2000), "month": np.where(numbered, month, 1),
                                "day": 1}).to_numpy(dtype="datetime64[ns]")
        last = (pd.DatetimeIndex(first) + pd.offsets.MonthEnd(0)).to_numpy(dtype="datetime64[ns]")
        late = values > last + slack
        early = values < first - slack if is_report_date else np.zeros(n, dtype=bool)
        contradicts = present & numbered & (late | early)
    calendar_years = values.astype("datetime64[Y]").astype("int64").astype("float64") + 1970
    if years:
        far = (calendar_years < years[0] - YEARS_BEFORE) | (calendar_years > years[-1] + YEARS_AFTER)
        span = span_id = f"{years[0]}" if years[0] == years[-1] else f"{years[0]}-{years[-1]}"
    else:
        middle = int(np.median(calendar_years[present]))
        far = np.abs(calendar_years - middle) > YEARS_FROM_MIDDLE
        span, span_id = f"around {middle}", f"sekitar {middle}"
    future = values > np.datetime64(today + dt.timedelta(days=31), "ns")
    flags = present & ~contradicts & (far | future)
    out = []
    for i in np.flatnonzero(contradicts):
        english, indonesian = MONTH_NAMES[month[i] - 1]
        out.append(DateFlag(int(i), CONTRADICTS_REPORT_NUMBER, (f"({english} {year[i]})", f"({indonesian} {year[i]})")))
    out += [DateFlag(int(i), OUT_OF_PERIOD, (f" ({span})", f" ({span_id})")) for i in np.flatnonzero(flags)]
    return sorted(out, key=lambda flag: flag.index)


MONTH_NAMES = [("January", "Januari"), ("February", "Februari"), ("March", "Maret"), ("April", "April"),
               ("May", "Mei"), ("June", "Juni"), ("July", "Juli"), ("August", "Agustus"),
               ("September", "September"), ("October", "Oktober"), ("November", "November"),
               ("December", "Desember")]

"""Edits over what was read: checks of a parsed table that do not depend on how its values were read.

Statistics offices check what they collected, whatever the form it came on (balance, ratio and domain
edits; Statistics Netherlands' `validate`, Statistics Canada's ratio edits). Each dataset declares its
edits once, in schemas/ (`Dataset.edits`, `schemas.base.Edit`); this module runs the ones that need only
the file itself, after a table is parsed and before its rows are stored. The edit against each village's
own history needs the village code and runs after placement (assets/harmonise/history_edits.py).

An edit never drops a value nor a row: a value that fails one lands, flagged as a warning (code
`edit_<kind>`, errors.MESSAGES) saying what it was compared with and the value expected. The one
exception is not a value: a row whose counts are the sums of the rows right under (or above) it is a
subtotal whatever its label ("I", "KEBONJATI"), left out like a "Jumlah" row and noted, never placed on a
village.

The checks are pure functions over a DataFrame returning `Flag`s (position in the frame, field, code,
what it was compared with and the value expected, each in English and Bahasa Indonesia); `edit_tables`
applies a dataset's declared edits to the TableResults of one received file.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assets.ingest.errors import edit_flag
from assets.privacy import described_row
from schemas import DATASETS
from schemas.base import Dataset, Edit

SUBTOTAL_SPAN = 60          # rows a subtotal may add up, under or above it
ORDERS_OFF = 1_000          # ratio_column: this many times off the column's median
MIN_COLUMN = 5              # ratio_column / thousands_separator: values a column needs to have a median
SORTED_SHARE = 0.9          # date_order: share of consecutive dates in order (one step back allowed) for a
                            # column to be sorted
FRACTION_SHARE = 0.3        # count_domain: share of a column's cells holding fractions


@dataclass(frozen=True)
class Flag:
    index: int                      # position in the frame
    field: str
    code: str
    compared: tuple[str, str]       # what the value was compared with: English, Bahasa Indonesia
    expected: tuple[str, str]       # the value expected: English, Bahasa Indonesia


def number(value: float) -> tuple[str, str]:
    """1234567.0 -> ("1,234,567", "1.234.567"); fractions with two decimals."""
    english = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return english, english.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _values(frame: pd.DataFrame, column: str) -> np.ndarray:
    """The column as float64, NaN where missing."""
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


# -- balance ------------------------------------------------------------------------------------------
def balance_total(frame: pd.DataFrame, parts: tuple[str, ...], total: str) -> list[Flag]:
    """Rows whose `total` is not the sum of `parts` (both given)."""
    if total not in frame or not all(p in frame for p in parts):
        return []
    whole = _values(frame, total)
    added = np.sum([_values(frame, p) for p in parts], axis=0)
    out = []
    for i in np.flatnonzero(~np.isnan(whole) & ~np.isnan(added) & (whole != added)):
        en, id_ = number(added[i])
        out.append(Flag(int(i), total, "edit_balance_total", (f"their sum is {en}", f"jumlahnya {id_}"),
                        (en, id_)))
    return out


def subtotal_rows(frame: pd.DataFrame, columns: tuple[str, ...],
                  span: int = SUBTOTAL_SPAN) -> dict[int, tuple[int, int]]:
    """Position of each row equal, in every given column, to the sum of 2 to `span` rows right under or right
    above it -> (first, last) positions of those rows. Only rows with at least two non-zero values are
    looked at (a row of zeros is the sum of any rows of zeros); missing values count as 0."""
    present = [c for c in columns if c in frame and frame[c].notna().any()]
    if len(frame) < 3 or len(present) < 2:
        return {}
    x = np.nan_to_num(np.column_stack([_values(frame, c) for c in present]))
    n = len(x)
    candidates = (x != 0).sum(axis=1) >= 2
    prefix = np.vstack([np.zeros((1, x.shape[1])), np.cumsum(x, axis=0)])
    out: dict[int, tuple[int, int]] = {}
    rows = np.arange(n)
    for k in range(2, min(span, n - 1) + 1):
        below = rows[candidates & (rows + k < n)]
        equal = below[(prefix[below + k + 1] - prefix[below + 1] == x[below]).all(axis=1)]
        above = rows[candidates & (rows - k >= 0)]
        equal_above = above[(prefix[above] - prefix[above - k] == x[above]).all(axis=1)]
        for i in equal:
            out.setdefault(int(i), (int(i) + 1, int(i) + k))
        for i in equal_above:
            out.setdefault(int(i), (int(i) - k, int(i) - 1))
    return out


# -- ratio against the column -------------------------------------------------------------------------
def column_ratio(frame: pd.DataFrame, column: str) -> list[Flag]:
    """A value 1,000 times above or below its column's median (non-zero values, at least MIN_COLUMN), unless
    it is a lost thousands separator (thousands_separator says so)."""
    values = _values(frame, column) if column in frame else np.array([])
    positive = values[values > 0]
    if len(positive) < MIN_COLUMN:
        return []
    median = float(np.median(positive))
    off = (values > 0) & ((values >= median * ORDERS_OFF) | (values * ORDERS_OFF <= median))
    off &= ~_separator_mask(values)
    en, id_ = number(median)
    return [Flag(int(i), column, "edit_ratio_column", (f"the column's median is {en}", f"median kolomnya {id_}"),
                 (f"near {en}", f"sekitar {id_}")) for i in np.flatnonzero(off)]


def _separator_mask(values: np.ndarray) -> np.ndarray:
    """Values that x 1,000 fall inside the middle half of their column (widened twice) while being below
    a hundredth of its lower quartile: 750 among 750,000s."""
    positive = values[values > 0]
    if len(positive) < MIN_COLUMN:
        return np.zeros(len(values), dtype=bool)
    q1, q3 = np.quantile(positive, [0.25, 0.75])
    with np.errstate(invalid="ignore"):
        return (values > 0) & (values * 100 < q1) & (values * 1000 >= q1 / 2) & (values * 1000 <= q3 * 2)


def thousands_separator(frame: pd.DataFrame, column: str) -> list[Flag]:
    """A value that read x 1,000 sits among the rest of its column (a lost thousands separator)."""
    if column not in frame:
        return []
    values = _values(frame, column)
    mask = _separator_mask(values)
    if not mask.any():
        return []
    median = float(np.median(values[values > 0]))
    out = []
    for i in np.flatnonzero(mask):
        en, id_ = number(values[i] * 1000)
        med_en, med_id = number(median)
        out.append(Flag(int(i), column, "edit_thousands_separator",
                        (f"the column's median is {med_en}", f"median kolomnya {med_id}"), (en, id_)))
    return out


# -- domain -------------------------------------------------------------------------------------------
def count_domain(frame: pd.DataFrame, columns: tuple[str, ...], fractions: dict[str, int]) -> list[Flag]:
    """Counts that look like rates: in a column where at least FRACTION_SHARE of the cells held fractions
    (`fractions`: column -> cells that could not be read as whole numbers but as decimals), every value
    that landed; and where micro + small + medium add up to exactly 100 in most rows (shares in percent),
    those rows."""
    out = []
    for column in columns:
        if column not in frame or not fractions.get(column):
            continue
        landed = int(frame[column].notna().sum())
        if fractions[column] < max(2, FRACTION_SHARE * (landed + fractions[column])):
            continue
        compared = (f"{fractions[column]} other cells of the column hold fractions: a rate or a percentage?",
                    f"{fractions[column]} sel lain di kolom ini berisi pecahan: rasio atau persentase?")
        out += [Flag(int(i), column, "edit_count_domain", compared, ("a whole count", "bilangan cacah"))
                for i in np.flatnonzero(frame[column].notna().to_numpy())]
    shares = [c for c in ("msme_micro", "msme_small", "msme_medium") if c in columns and c in frame]
    if len(shares) == 3:
        added = np.sum([_values(frame, c) for c in shares], axis=0)
        hundred = added == 100
        given = ~np.isnan(added)
        if given.sum() >= 2 and hundred.sum() > given.sum() / 2:
            compared = ("micro + small + medium add up to 100 in most rows: percentages?",
                        "mikro + kecil + menengah berjumlah 100 di sebagian besar baris: persentase?")
            out += [Flag(int(i), "msme_micro", "edit_count_domain", compared, ("a whole count", "bilangan cacah"))
                    for i in np.flatnonzero(hundred)]
    return out


def parts_within_whole(frame: pd.DataFrame, parts: tuple[str, ...], whole: str) -> list[Flag]:
    """Rows whose `whole` (a population) is below the sum of `parts` (the MSMEs counted in it)."""
    if whole not in frame or not all(p in frame for p in parts):
        return []
    total = _values(frame, whole)
    added = np.nansum([_values(frame, p) for p in parts], axis=0)
    out = []
    for i in np.flatnonzero(~np.isnan(total) & (total < added)):
        en, id_ = number(added[i])
        out.append(Flag(int(i), whole, "edit_parts_within_whole",
                        (f"{' + '.join(parts)} = {en}", f"{' + '.join(parts)} = {id_}")
                        if not set(parts) >= {"msme_micro", "msme_small", "msme_medium"} else
                        (f"MSMEs counted in it: {en}", f"UMKM yang dihitung di dalamnya: {id_}"),
                        (f"at least {en}", f"paling sedikit {id_}")))
    return out


# -- dates --------------------------------------------------------------------------------------------
def _day(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def date_order(frame: pd.DataFrame, column: str) -> list[Flag]:
    """In a column sorted by date (SORTED_SHARE of consecutive dates in order, or all but one; 5 dates or more), a
    date out of order with both neighbours while they are in order (a day and month swapped, a year typo)."""
    if column not in frame:
        return []
    dates = frame[column].dropna()
    if len(dates) < 5:
        return []
    days = dates.to_numpy(dtype="datetime64[D]").astype("int64")
    steps = np.diff(days)
    if (steps < 0).sum() > max(1, (1 - SORTED_SHARE) * len(steps)):
        return []
    before, here, after = days[:-2], days[1:-1], days[2:]
    odd = (before <= after) & ((here < before) | (here > after))
    out = []
    positions = dates.index.to_numpy()
    for j in np.flatnonzero(odd):
        low, high = _day(dates.iat[j]), _day(dates.iat[j + 2])
        out.append(Flag(int(frame.index.get_loc(positions[j + 1])), column, "edit_date_order",
                        (f"the rows around it run from {low} to {high}", f"baris di sekitarnya {low} s.d. {high}"),
                        (f"between {low} and {high}", f"antara {low} dan {high}")))
    return out


def date_sequence(frame: pd.DataFrame, column: str, earlier: str) -> list[Flag]:
    """Rows whose `column` date comes before their `earlier` date (a report before its incident)."""
    if column not in frame or earlier not in frame:
        return []
    late, early = frame[column], frame[earlier]
    out = []
    for i in np.flatnonzero((late.notna() & early.notna() & (late < early)).to_numpy()):
        day = _day(early.iat[i])
        out.append(Flag(int(i), column, "edit_date_sequence", (f"{earlier} {day}", f"{earlier} {day}"),
                        (f"on or after {day}", f"pada atau setelah {day}")))
    return out


def date_period(frame: pd.DataFrame, column: str, years: tuple[int, ...], received_on: dt.date | None) -> list[Flag]:
    """Dates outside the years the file states (`years`, when it states any) or after the day it was received."""
    if column not in frame:
        return []
    dates = frame[column]
    out = []
    if years:
        outside = (dates.notna() & ~dates.dt.year.isin(list(years))).to_numpy()
        shown = ", ".join(map(str, sorted(years)))
        out += [Flag(int(i), column, "edit_date_period", (f"the file states {shown}", f"berkas menyebut {shown}"),
                     (f"a date in {shown}", f"tanggal dalam {shown}")) for i in np.flatnonzero(outside)]
    if received_on is not None:
        flagged = {f.index for f in out}
        out += [f for f in date_future(frame, column, received_on) if f.index not in flagged]
    return out


def date_future(frame: pd.DataFrame, column: str, received_on: dt.date) -> list[Flag]:
    """Dates after the day the file was received, with a day of slack: `received_on` is the UTC day, a
    clerk's date the day in WIB/WITA/WIT (assets/ingest/dates.py explains it), so the day after passes."""
    if column not in frame:
        return []
    day = received_on.isoformat()
    later = (frame[column] > pd.Timestamp(received_on) + pd.Timedelta(days=1)).to_numpy()
    return [Flag(int(i), column, "edit_date_future", (f"received on {day}", f"diterima {day}"),
                 (f"on or before {day}", f"pada atau sebelum {day}")) for i in np.flatnonzero(later)]


# -- a dataset's declared edits -----------------------------------------------------------------------
def check_frame(frame: pd.DataFrame, dataset: Dataset, years: tuple[int, ...] = (), received_on: dt.date | None = None,
                fractions: dict[str, int] | None = None) -> list[Flag]:
    """Every flag the dataset's declared edits (but subtotal rows and history) raise on `frame`, at most one
    per cell (the first edit declared wins)."""
    out, seen = [], set()
    for edit in dataset.edits:
        for flag in _run(edit, frame, years, received_on, fractions or {}):
            if (flag.index, flag.field) not in seen:
                seen.add((flag.index, flag.field))
                out.append(flag)
    return out


def _run(edit: Edit, frame: pd.DataFrame, years, received_on, fractions) -> list[Flag]:
    kind, columns = edit.kind, edit.columns
    if kind == "balance_total":
        return balance_total(frame, columns, edit.against)
    if kind == "ratio_column":
        return [f for c in columns for f in column_ratio(frame, c)]
    if kind == "thousands_separator":
        return [f for c in columns for f in thousands_separator(frame, c)]
    if kind == "count_domain":
        return count_domain(frame, columns, fractions)
    if kind == "parts_within_whole":
        return parts_within_whole(frame, columns, edit.against)
    if kind == "date_order":
        return [f for c in columns for f in date_order(frame, c)]
    if kind == "date_sequence":
        return [f for c in columns for f in date_sequence(frame, c, edit.against)]
    if kind == "date_period":
        return [f for c in columns for f in date_period(frame, c, years, received_on)]
    if kind == "date_future":
        return [f for c in columns for f in date_future(frame, c, received_on)] if received_on else []
    return []       # subtotal_row: edit_tables; ratio_history: after placement


def edit_tables(results: list, received) -> None:
    """Apply each table's dataset edits to the TableResults of one received file (table.TableResult), in
    place: subtotal rows left out (skipped, noted through `received.note`), flags added to each table's
    errors as warnings, and columns read only to be checked dropped. `received`: the receive.Received
    being filled (its note() and received_at)."""
    received_on = dt.date.fromisoformat(received.received_at[:10]) if received.received_at else None
    for result in results:
        dataset = DATASETS[result.dataset]
        if not dataset.edits:
            continue
        if edit := next((e for e in dataset.edits if e.kind == "subtotal_row"), None):
            _leave_out_subtotals(result, edit, received)
        frame = result.rows
        fractions = {}
        for e in result.errors:
            if e.code == "type_error" and e.field in frame and _is_fraction(e.value):
                fractions[e.field] = fractions.get(e.field, 0) + 1
        for flag in check_frame(frame, dataset, result.stated_years, received_on, fractions):
            letter, header = result.columns.get(flag.field, ["", flag.field])
            value = frame[flag.field].iat[flag.index]
            shown = _day(value) if isinstance(value, (pd.Timestamp, dt.date)) else number(value)[0]
            result.errors.append(edit_flag(result.sheet, int(frame["source_row"].iat[flag.index]), letter, header,
                                           dataset.column(flag.field), shown, flag.code, flag.compared,
                                           flag.expected))
        unstored = [c.name for c in dataset.columns if not c.stored and c.name in frame]
        if unstored:
            result.rows = frame.drop(columns=unstored)


def _is_fraction(text: str) -> bool:
    try:
        value = float(str(text).replace("%", "").replace(",", ".").strip())
    except ValueError:
        return False
    return not value.is_integer() or "%" in str(text)


def _leave_out_subtotals(result, edit: Edit, received) -> None:
    """Rows that are sums of the rows under or above them leave the table: skipped as subtotals (with every
    error of theirs), noted with the rows they add up."""
    frame = result.all_rows
    found = subtotal_rows(frame, edit.columns)
    if not found:
        return
    rows = frame["source_row"].to_numpy()
    left_out = {int(rows[i]): (int(rows[a]), int(rows[b])) for i, (a, b) in found.items()}
    label = f"sheet {result.sheet!r}" if result.sheet else "the file"
    label_id = f"lembar {result.sheet!r}" if result.sheet else "berkas"
    shown = [c for c in ("village_code", "village_name", *edit.columns) if c in frame]
    for i, (a, b) in sorted(found.items(), key=lambda item: rows[item[0]]):
        text = described_row(["" if pd.isna(v) else str(v) for v in frame.loc[i, shown]], set())
        result.skipped.append({"row": int(rows[i]), "reason": "subtotal", "text": text})
        received.note(f"{label}: row {rows[i]} ({text}) left out as a subtotal: its figures are the sums of rows "
                      f"{rows[a]}-{rows[b]} (edit_subtotal_row)",
                      f"{label_id}: baris {rows[i]} ({text}) dilewati sebagai subtotal: angkanya adalah jumlah "
                      f"baris {rows[a]}-{rows[b]} (edit_subtotal_row)")
    result.skipped.sort(key=lambda skipped: skipped["row"])     # in the sheet's order, as the report lists them
    out = set(left_out)
    result.rows = result.rows[~result.rows["source_row"].isin(out)].reset_index(drop=True)
    result.all_rows = frame[~frame["source_row"].isin(out)].reset_index(drop=True)
    result.rejected_rows = [r for r in result.rejected_rows if r not in out]
    result.errors = [e for e in result.errors if e.row not in out]

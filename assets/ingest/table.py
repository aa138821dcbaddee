"""Turn one located table into typed rows: parse every cell, validate with pandera, apply cross-row
rules, and split accepted rows from rejected ones (with every reason)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np
import pandas as pd
import pandera.errors
import pyarrow as pa

from assets.ingest import dates
from assets.ingest.cells import EXCEL_EPOCH, PERSONAL_DATA_MASKED, parse_date, raw_text
from assets.ingest.date_decisions import DateColumn, column_decisions
from assets.ingest.columns import (Cells, blank_uniques, distinct, matching_uniques, needs_cell_types,
                                    parse_uniques)
from assets.ingest.errors import CellError, cell_error
from assets.ingest.layout import POLICE_RANKS, SUSPECT, TableLayout, classify_row, normalise_header
from assets.ingest.period import single_district
from assets.ingest.vocabulary import canonical
from assets.ingest.formats.sheet import RawSheet, column_letter
from assets.ingest.formats.workbook import typed_cell
from assets.privacy import described_row
from schemas.base import Dataset
from schemas.validation import check_code, pandera_schema

ORIGIN = ("source_sheet", "source_row")


@dataclass
class TableResult:
    dataset: str
    sheet: str
    rows: pd.DataFrame                     # accepted rows, typed, with origin columns, personal data still in
    rejected_rows: list[int] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)   # {"row", "reason", "text"}
    columns: dict[str, list[str]] = field(default_factory=dict)  # field -> [column letter, header as written]

    rows_in_table: int = 0          # rows from under the header to the last filled row, counted on their own
    filled_down: list[str] = field(default_factory=list)   # merged areas read on every row ("B5:B9")
    all_rows: pd.DataFrame = field(default_factory=pd.DataFrame)   # accepted and rejected, parsed
    stated_years: tuple[int, ...] = ()     # the period the title, sheet or file name states
    decisions: list = field(default_factory=list)   # decisions.Decision taken reading its columns (dates)

    @property
    def rows_read(self) -> int:
        return self.rows_in_table


def read_table(sheet: RawSheet, layout: TableLayout, constants: dict | None = None,
               epoch: dt.date = EXCEL_EPOCH, stated_years: tuple[int, ...] = ()) -> TableResult:
    """`constants`: values for columns the sheet lacks but its title gives (the year, the district).
    `epoch`: the workbook's date system (cells.EXCEL_EPOCH_1904 for a Mac workbook); `stated_years`: the
    period the title, sheet or file name states, against which dates far outside it are flagged.

    A cell that cannot be read costs the row only when the row needs it (a required value, its place,
    its period): in an optional column it is a warning, and the row lands without that value."""
    dataset = layout.dataset
    grid = _columns_below(sheet, layout.data_start)
    filled_down = _fill_merged_down(sheet, layout, grid)
    cells = [distinct(column) for column in grid]
    blank = [blank_uniques(c)[c.codes] for c in cells]
    # Blank rows count as skipped only above the last filled row, not in the empty tail of the sheet.
    filled_rows = np.flatnonzero(~np.logical_and.reduce(blank)) if blank else np.array([], dtype=np.int64)
    height = int(filled_rows[-1]) + 1 if len(filled_rows) else 0
    mapped = {c: name for c, name in layout.columns.items() if c < len(grid)}
    part_columns = [p for extra in [*layout.parts.values(), *layout.totals.values(), *layout.same_field.values()]
                    for p in extra if p < len(grid)]
    skip = _skipped_rows(sheet, layout, {c: cells[c] for c in mapped}, {c: blank[c][:height] for c in mapped}, height)
    keep = np.ones(height, dtype=bool)
    keep[list(skip)] = False
    kept = np.flatnonzero(keep)
    excel_rows = np.arange(height, dtype="int64") + sheet.excel_row(layout.data_start)
    personal = {c for c, name in layout.columns.items() if any(col.name == name and col.personal
                                                                for col in dataset.columns)}
    skipped = [{"row": int(excel_rows[i]), "reason": reason,      # personal cells left out, the rest scrubbed
                "text": described_row([raw_text(v) for v in sheet.rows[layout.data_start + i]], personal)}
               for i, reason in sorted(skip.items())]
    frame = pd.DataFrame({"source_sheet": pd.Series([sheet.name] * len(kept), dtype=object),
                          "source_row": excel_rows[kept]})
    cells = {c: cells[c] for c in [*mapped, *part_columns]} | _with_cell_types(sheet, layout, grid, cells, mapped)
    errors: list[CellError] = []
    date_parsers, order_how = _date_parsers(layout, cells, mapped, kept, epoch)
    for c, name in mapped.items():
        column = dataset.column(name)
        parser, undecided = date_parsers.get(c, (None, False))
        parsed = parse_uniques(cells[c], column.kind, parser)
        if undecided:       # read either way to different days, and nothing says which: flagged
            for i, u in enumerate(cells[c].uniques):
                if parsed.errors[i] is None and dates.is_ambiguous(u):
                    parsed.errors[i], parsed.values[i] = dates.AMBIGUOUS_DATE_ORDER, np.datetime64("NaT")
        codes = cells[c].codes[kept]
        values = parsed.values
        if column.allowed:      # a handful of distinct values: each read once
            values = np.array([canonical(column, v) for v in values], dtype=object)
        frame[name] = values[codes]
        for part in layout.parts.get(c, []):      # a measure given in parts: men + women
            added = parse_uniques(cells[part], column.kind)
            frame[name] = pd.array(frame[name]) + pd.array(added.values[cells[part].codes[kept]])
            for i in np.flatnonzero(np.isin(cells[part].codes[kept], [j for j, e in enumerate(added.errors) if e])):
                errors.append(cell_error(sheet.name, int(frame.at[i, "source_row"]),
                                         column_letter(sheet.first_col + part), layout.headers.get(part, name), column,
                                         raw_text(cells[part].uniques[cells[part].codes[kept][i]]),
                                         added.errors[cells[part].codes[kept][i]]))
        if others := [p for p in layout.same_field.get(c, []) if p in cells]:  # two columns headed alike
            errors += _against_same_field(frame, sheet, layout, c, others, cells, kept, column)
        if summed := [p for p in layout.totals.get(c, []) if p in cells]:     # TOTAL beside L / P
            errors += _total_against_parts(frame, sheet, layout, c, summed, cells, kept, column)
        # A personal column's masked NIK or phone is not news (_grade): not made into errors at all.
        bad = [i for i, e in enumerate(parsed.errors)
               if e and not (e == PERSONAL_DATA_MASKED and column.personal)]
        if bad:
            letter, at_rows = column_letter(sheet.first_col + c), frame["source_row"].to_numpy()
            made: dict[int, CellError] = {}     # a value's error is written once, then given each of its rows
            for i in np.flatnonzero(np.isin(codes, bad)):
                u = int(codes[i])
                if u not in made:
                    made[u] = cell_error(sheet.name, 0, letter, layout.headers[c], column,
                                         raw_text(cells[c].uniques[u]), parsed.errors[u])
                errors.append(replace(made[u], row=int(at_rows[i])))
    for name, value in (constants or {}).items():
        frame[name] = value
    if (headed := _districts_from_headings(sheet, layout, skip, kept)) is not None and \
            "district_name" in dataset.stored_columns_raw():
        # A heading gives the rows under it their district: over the title's, not over the row's own.
        current = (frame["district_name"].to_numpy(dtype=object) if "district_name" in frame
                   else np.full(len(frame), None, dtype=object))
        own = pd.notna(current) if "district_name" in mapped.values() else np.zeros(len(frame), dtype=bool)
        frame["district_name"] = np.where(~own & pd.notna(headed), headed, current)
    frame = typed_frame(frame, dataset)
    errors = _settle_by_report_number(frame, layout, mapped, cells, kept, errors)
    errors += _date_checks(frame, sheet, layout, mapped, cells, kept, stated_years, errors)
    decisions = _date_decisions(frame, sheet, layout, mapped, cells, kept, order_how, stated_years)
    errors += _merged_measures(frame, sheet, layout, kept)
    errors += _validate(frame, sheet, layout, errors)
    errors += _duplicate_keys(frame, sheet, layout, [e for e in errors if e.severity == "error"])
    _grade(frame, layout, errors)
    rejected = sorted({e.row for e in errors if e.severity == "error"})
    accepted = frame[~frame["source_row"].isin(rejected)].reset_index(drop=True)
    columns = {name: [column_letter(sheet.first_col + c), layout.headers[c]] for c, name in layout.columns.items()}
    return TableResult(dataset.name, sheet.name, accepted, rejected, errors, skipped, columns,
                       rows_in_table=height, all_rows=frame, filled_down=filled_down, stated_years=stated_years, decisions=decisions)


def _date_decisions(frame: pd.DataFrame, sheet: RawSheet, layout: TableLayout, mapped: dict[int, str], cells: dict,
                    kept: np.ndarray, order_how: dict, stated_years: tuple[int, ...]) -> list:
    """The decisions taken reading the date columns, with their evidence (date_decisions.py)."""
    out = []
    periods = None
    for c, name in mapped.items():
        if layout.dataset.column(name).kind != "date" or c not in order_how:
            continue
        if periods is None:
            periods = ({int(y) for y in dates.report_periods(frame["report_number"])[0] if y}
                       if "report_number" in mapped.values() else set())
        codes = cells[c].codes[kept]
        positions, first = np.unique(codes, return_index=True)
        rows = frame["source_row"].to_numpy()
        evidence, order, how = order_how[c]
        column = DateColumn(column_letter(sheet.first_col + c), layout.headers[c], name, cells[c].uniques,
                            {int(u): int(rows[i]) for u, i in zip(positions, first)}, evidence, order, how,
                            {k: v for k, v in (("title or file name", set(stated_years)),
                                               ("report numbers", periods)) if v})
        out += column_decisions(sheet.name, layout.dataset.name, column)
    return out


def _date_parsers(layout: TableLayout, cells: list[Cells], mapped: dict[int, str], kept: np.ndarray,
                  epoch: dt.date) -> tuple[dict[int, tuple[object, bool]], dict[int, tuple]]:
    """Per date column: its parser (the workbook's date system, the column's day/month order) and whether
    its order is undecided (dates.py says how it is decided); and per date column (its order evidence, the
    order, how it was decided: "column", "report_numbers", "other_column" or "")."""
    dataset = layout.dataset
    columns = [c for c, name in mapped.items() if dataset.column(name).kind == "date"]
    if not columns:
        return {}, {}
    evidence = {c: dates.order_evidence(cells[c].uniques) for c in columns}
    orders = {c: e.decided() for c, e in evidence.items()}
    how = {c: "column" if order else "" for c, order in orders.items()}
    mixed = {c for c, e in evidence.items() if e.day_first and e.month_first}   # both ways: each value its own
    numbers = next((c for c, name in mapped.items() if name == "report_number"), None)
    for c in columns:
        if orders[c] is None and c not in mixed and evidence[c].ambiguous and numbers is not None:
            orders[c] = dates.order_from_report_numbers(cells[c].uniques[cells[c].codes[kept]],
                                                        cells[numbers].uniques[cells[numbers].codes[kept]])
            how[c] = "report_numbers" if orders[c] else ""
    decided = {o for o in orders.values() if o}
    if len(decided) == 1:       # the sheet's other date columns were written by the same producer
        only = decided.pop()    # (only for a column saying nothing itself)
        how = {c: how[c] or ("other_column" if c not in mixed else "") for c in columns}
        orders = {c: order or (only if c not in mixed else None) for c, order in orders.items()}
    return ({c: (partial(parse_date, epoch=epoch,
                         month_first=None if orders[c] is None else orders[c] == dates.MONTH_FIRST),
                 orders[c] is None and evidence[c].ambiguous > 0) for c in columns},
            {c: (evidence[c], orders[c], how[c]) for c in columns})


def _settle_by_report_number(frame: pd.DataFrame, layout: TableLayout, mapped: dict[int, str], cells: dict,
                             kept: np.ndarray, errors: list[CellError]) -> list[CellError]:
    """A date left ambiguous by its column is read the one way that falls in the month its own report
    number names (LP/B/22/II/2024: February), when exactly one way does; the others stay flagged."""
    numbers = frame["report_number"] if "report_number" in frame and "report_number" in mapped.values() else None
    if numbers is None or not any(e.code == dates.AMBIGUOUS_DATE_ORDER for e in errors):
        return errors
    rows = pd.Series(np.arange(len(frame)), index=frame["source_row"].to_numpy())
    columns = {name: c for c, name in mapped.items()}
    out = []
    for e in errors:
        if e.code != dates.AMBIGUOUS_DATE_ORDER or e.field not in columns:
            out.append(e)
            continue
        i, c = int(rows[e.row]), columns[e.field]
        period = dates.report_period(numbers.iat[i])
        a, b = dates.numeric_parts(cells[c].uniques[cells[c].codes[kept][i]]) or (0, 0)
        readings = [(month_first, month) for month_first, month in ((False, b), (True, a))
                    if period and month == period[1]]
        if len(readings) != 1:
            out.append(e)
            continue
        value, error = parse_date(cells[c].uniques[cells[c].codes[kept][i]], month_first=readings[0][0])
        if error:
            out.append(e)
            continue
        frame.iat[i, frame.columns.get_loc(e.field)] = pd.Timestamp(value)
    return out


def _date_checks(frame: pd.DataFrame, sheet: RawSheet, layout: TableLayout, mapped: dict[int, str],
                 cells: list[Cells], kept: np.ndarray, stated_years: tuple[int, ...],
                 errors: list[CellError]) -> list[CellError]:
    """Dates against their own report number and the file's period (dates.check_against_period)."""
    dataset, out = layout.dataset, []
    failed = {(e.row, e.field) for e in errors}
    numbers = frame["report_number"] if "report_number" in mapped.values() else None
    periods = None
    for c, name in mapped.items():
        if dataset.column(name).kind != "date" or name not in frame:
            continue
        if numbers is not None and periods is None:
            periods = dates.report_periods(numbers)
        for flag in dates.check_against_period(frame[name], periods, name == dataset.year_column,
                                               list(stated_years)):
            row = int(frame.at[flag.index, "source_row"])
            if (row, name) in failed:
                continue
            extra = flag.extra if flag.code == dates.OUT_OF_PERIOD else tuple(
                f"{numbers.iat[flag.index]} {x}" for x in flag.extra)
            out.append(cell_error(sheet.name, row, column_letter(sheet.first_col + c), layout.headers[c],
                                  dataset.column(name), raw_text(cells[c].uniques[cells[c].codes[kept][flag.index]]),
                                  flag.code, extra=extra))
    return out


def _against_same_field(frame: pd.DataFrame, sheet: RawSheet, layout: TableLayout, c: int, others: list[int],
                        cells: dict, kept: np.ndarray, column) -> list[CellError]:
    """Two columns headed alike (an old copy, hidden or not): a value missing in the first is taken from the
    other; where both hold a value and they differ, the cell is flagged (graded like any unreadable cell)."""
    out = []
    values = frame[column.name].to_numpy(dtype=object).copy()
    for p in others:
        parsed = parse_uniques(cells[p], column.kind)
        other = np.asarray(pd.Series(parsed.values[cells[p].codes[kept]]).astype(object))
        other = np.where(pd.isna(other), None, other)
        mine = np.where(pd.isna(values), None, values)
        fill = np.array([a is None and b is not None for a, b in zip(mine, other)], dtype=bool)
        values = np.where(fill, other, mine)
        differs = [i for i, (a, b) in enumerate(zip(mine, other)) if a is not None and b is not None and a != b]
        letter, mine_letter = column_letter(sheet.first_col + p), column_letter(sheet.first_col + c)
        out += [cell_error(sheet.name, int(frame.at[i, "source_row"]), mine_letter, layout.headers[c], column,
                           raw_text(cells[c].uniques[cells[c].codes[kept][i]]), "columns_disagree",
                           extra=(f"{letter} '{layout.headers.get(p, '')}' holds {raw_text(other[i])}",
                                  f"{letter} '{layout.headers.get(p, '')}' berisi {raw_text(other[i])}"))
                for i in differs]
    frame[column.name] = values
    return out


def _total_against_parts(frame: pd.DataFrame, sheet: RawSheet, layout: TableLayout, c: int, summed: list[int],
                         cells: dict, kept: np.ndarray, column) -> list[CellError]:
    """A total that is not the sum of the parts beside it (TOTAL 3.700 beside L 1.800 and P 1.800) is flagged
    at its cell: one of them is wrong, and the file does not say which (an optional measure is then left
    missing, with a warning; a required one rejects the row)."""
    total = pd.array(frame[column.name])
    added = None
    for p in summed:
        values = pd.array(parse_uniques(cells[p], column.kind).values[cells[p].codes[kept]])
        added = values if added is None else added + values
    differs = np.asarray((total != added).fillna(False), dtype=bool)
    letters = "+".join(column_letter(sheet.first_col + p) for p in summed)
    return [cell_error(sheet.name, int(frame.at[i, "source_row"]), column_letter(sheet.first_col + c),
                       layout.headers[c], column, raw_text(cells[c].uniques[cells[c].codes[kept][i]]),
                       "total_differs_from_parts", extra=(f"{letters} = {added[i]}", f"{letters} = {added[i]}"))
            for i in np.flatnonzero(differs)]


def _merged_measures(frame: pd.DataFrame, sheet: RawSheet, layout: TableLayout, kept: np.ndarray):
    """A count or amount merged over several rows belongs to them together, not to any one of them: each
    row it spans loses the value, with a warning at its cell (never counted once per row, nor given to
    the first row alone)."""
    out, start = [], layout.data_start
    rows = pd.Series(np.arange(len(kept)), index=kept)
    for r0, c0, r1, _ in sheet.merged:
        name = layout.columns.get(c0)
        if r1 <= r0 or r0 < start or not name or layout.dataset.column(name).kind not in MEASURE_KINDS:
            continue
        column = layout.dataset.column(name)
        value = raw_text(sheet.rows[r0][c0]) if c0 < len(sheet.rows[r0]) else ""
        for i in range(r0 - start, r1 - start + 1):
            if i not in rows.index:
                continue
            position = rows[i]
            frame.loc[position, name] = None
            out.append(cell_error(sheet.name, int(frame.at[position, "source_row"]),
                                  column_letter(sheet.first_col + c0), layout.headers[c0], column, value,
                                  "merged_over_rows", extra=f"{sheet.excel_row(r0)}-{sheet.excel_row(r1)}"))
    return out


def _grade(frame: pd.DataFrame, layout: TableLayout, errors: list[CellError]) -> None:
    """A cell of an optional column that cannot be read is a warning: the row lands without its value. A NIK
    or phone number masked in a text cell is a warning: the row lands with the masked text. Every other error (a required value, the row's period, a repeated key) rejects the row."""
    dataset = layout.dataset
    names = {c.name for c in dataset.columns}
    # a personal column's values are pseudonymised or left out anyway: masking there is not news
    errors[:] = [e for e in errors if not (e.code == PERSONAL_DATA_MASKED and e.field in names
                                           and dataset.column(e.field).personal)]
    lost: dict[str, list[int]] = {}        # field -> Excel rows whose cell is left missing
    for e in errors:
        if e.code == PERSONAL_DATA_MASKED:       # the value lands, masked: only said
            e.severity = "warning"
            continue
        if e.field not in names or e.code == "duplicate_key":
            continue
        column = dataset.column(e.field)
        if column.required or column.name == dataset.year_column:
            continue
        e.severity = "warning"
        lost.setdefault(e.field, []).append(e.row)
    for name, rows in lost.items():
        if name in frame:
            frame.loc[frame["source_row"].isin(rows).to_numpy(), name] = None


def _columns_below(sheet: RawSheet, start: int) -> list:
    """The sheet's cells from row `start` down, column by column (Arrow text arrays, or lists of cells)."""
    if sheet.columns is not None:
        return [column.slice(start) for column in sheet.columns]
    body = sheet.rows[start:]
    width = max((len(r) for r in body), default=0)
    return [list(column) for column in zip(*(r if len(r) == width else [*r, *[""] * (width - len(r))]
                                             for r in body))] if body else []


# Columns whose value a merged area gives every row it spans: labels (a district merged over its villages,
# a Polsek over its reports). Never counts or amounts, which would be counted once per row.
FILLED_KINDS = ("text", "code", "year", "date")
MEASURE_KINDS = ("integer", "amount")


def _fill_merged_down(sheet: RawSheet, layout: TableLayout, grid: list) -> list[str]:
    """Give each row under a merged area (within the table, in a label column) the area's value, as a
    reader of the sheet sees it; returns the areas filled, as Excel ranges."""
    start, filled, source_rows = layout.data_start, [], {}
    for r0, c0, r1, c1 in sheet.merged:
        name = layout.columns.get(c0)
        if r1 <= r0 or r0 < start or c0 >= len(grid) or not name or \
                layout.dataset.column(name).kind not in FILLED_KINDS:
            continue
        rows = source_rows.setdefault(c0, np.arange(len(grid[c0])))
        rows[r0 - start + 1:r1 - start + 1] = r0 - start
        filled.append(f"{column_letter(sheet.first_col + c0)}{sheet.excel_row(r0)}:"
                      f"{column_letter(sheet.first_col + c1)}{sheet.excel_row(r1)}")
    for c, rows in source_rows.items():          # one take per column, however many areas it has
        grid[c] = grid[c].take(pa.array(rows)) if isinstance(grid[c], pa.Array) else [grid[c][i] for i in rows]
    return filled


def _with_cell_types(sheet: RawSheet, layout: TableLayout, grid: list, cells: list[Cells],
                     mapped: dict[int, str]) -> dict[int, Cells]:
    """Columns read as text whose texts could also be numbers that read differently (a NIK typed as a
    number): read again with each cell's type, from the reader's mask of number cells."""
    asked = [c for c, name in mapped.items()
             if sheet.number_cells and needs_cell_types(cells[c], layout.dataset.column(name).kind)]
    if not asked:
        return {}
    masks = sheet.number_cells(asked)
    out = {}
    for c in asked:
        numbers = masks[c][layout.data_start:]
        out[c] = distinct([typed_cell(t, "n" if n else "s") for t, n in zip(grid[c].to_pylist(), numbers)])
    return out


def _odd_cell_pattern(layout: TableLayout) -> tuple[re.Pattern, str]:
    """A cell reading like a subtotal, note or column number, or repeating a header (spacing and
    punctuation aside): one compiled pattern, and an RE2 pattern every ASCII text it matches also matches
    (Python's pattern only runs on those, as the columns hold up to one distinct value per row)."""
    words = [normalise_header(h).split() for h in layout.headers.values()]
    headers = [r"[^0-9a-z]+".join(map(re.escape, w)) for w in words if w]
    pattern = re.compile(f"{SUSPECT.pattern}|^[^0-9a-z]*(?:{'|'.join(headers) or '(?!)'})[^0-9a-z]*$", re.IGNORECASE)
    starts = "|".join(["jumlah", "total", "sub", "grand", "jml", "sumber", "source", "catatan", "keterangan",
                       "ket", "note", r"\*", r"\(", "halaman", "hal", "page", "dicetak", "printed", "mengetahui",
                       "tertanda", "ttd", "kepala", "kapol", "nip", "nrp", "kasat", "kanit", "kasi", "kabag",
                       "kasubbag", *POLICE_RANKS.split("|"), r"[a-z .'-]+, [0-9]{1,2} [a-z]+ [0-9]{4}",
                       *{w[0] for w in words if w}])
    return pattern, f"^[^0-9a-z]*(?:{starts})"


BARE_NUMBER = re.compile(r"^[(\[]?\d{1,3}[)\].]?$")


def _skipped_rows(sheet: RawSheet, layout: TableLayout, cells: dict[int, Cells], blank: dict[int, np.ndarray],
                  height: int) -> dict[int, str]:
    """Row index -> why it is left out. Only rows that could be something else than data are looked
    at closely: too few filled cells, or a cell reading like a subtotal, note, column number or header."""
    if not height:
        return {}
    odd_cell, prefilter = _odd_cell_pattern(layout)
    filled = np.zeros(height, dtype="int64")
    suspect = np.zeros(height, dtype=bool)
    for c, column in cells.items():
        filled += ~blank[c]
        suspect |= matching_uniques(column, odd_cell, prefilter)[column.codes[:height]]
        if layout.dataset.column(layout.columns[c]).kind in ("text", "list"):
            # A number where a name is expected: maybe a row of column numbers (1 2 3 ...).
            numeric = matching_uniques(column, BARE_NUMBER, r"^\s*[(\[]?[0-9]")
            others = np.ones(len(column.uniques), dtype=bool)       # the values that are not text
            others[column.text_at] = False
            numeric[others] = [isinstance(u, (int, float)) and not isinstance(u, bool) for u in column.uniques[others]]
            suspect |= numeric[column.codes[:height]]
    # A row with fewer filled cells than the columns a table of this dataset must have is looked at.
    required = sum(1 for c in cells if (column := layout.dataset.column(layout.columns[c])).required
                   or column.header_required)
    suspect |= filled < max(required, 1)
    out = {}
    for i in np.flatnonzero(suspect):
        row = sheet.rows[layout.data_start + i]
        kind = classify_row(row, layout)
        if kind == "data" and district_heading(row):
            kind = "district_heading"
        if kind != "data":
            out[int(i)] = kind
    return out


def district_heading(row: list[object]) -> str | None:
    """The district a row naming only it heads ("KECAMATAN MENDO", "II. Kec. Mendo"): the rows under it,
    to the next such row, are in that district."""
    cells = [raw_text(v) for v in row if raw_text(v)]
    return single_district(cells[0]) if len(cells) == 1 else None


def _districts_from_headings(sheet: RawSheet, layout: TableLayout, skip: dict[int, str], kept: np.ndarray):
    """Per kept row, the district of the heading row above it (None above the first heading)."""
    headings = sorted(i for i, reason in skip.items() if reason == "district_heading")
    if not headings:
        return None
    names = np.array([None, *(district_heading(sheet.rows[layout.data_start + i]) for i in headings)], dtype=object)
    return names[np.searchsorted(np.array(headings), kept, side="right")]


def typed_frame(records: list[dict] | pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """Parsed records as a frame with one dtype per column kind (an empty frame keeps the shape)."""
    frame = (records.reindex(columns=[*ORIGIN, *dataset.stored_columns_raw()]) if isinstance(records, pd.DataFrame)
             else pd.DataFrame.from_records(records, columns=[*ORIGIN, *dataset.stored_columns_raw()]))
    for column in dataset.columns:
        if column.name not in frame:
            frame[column.name] = None
        if column.kind in ("integer", "year"):
            frame[column.name] = pd.array(frame[column.name], dtype="Int64")
        elif column.kind == "amount":
            frame[column.name] = pd.to_numeric(frame[column.name]).astype("float64")
        elif column.kind == "date":
            frame[column.name] = dates.as_datetime(frame[column.name]).astype("datetime64[ns]")
        else:
            frame[column.name] = frame[column.name].astype(object)
    frame["source_row"] = frame["source_row"].astype("int64")
    return frame


def _letter_and_header(layout: TableLayout, sheet: RawSheet, name: str) -> tuple[str, str]:
    for c, mapped in layout.columns.items():
        if mapped == name:
            return column_letter(sheet.first_col + c), layout.headers[c]
    return "", name


def _validate(frame: pd.DataFrame, sheet: RawSheet, layout: TableLayout, parse_errors: list[CellError]):
    """pandera, lazily, on the typed frame; cells that already failed to parse are not reported twice."""
    if frame.empty:
        return []
    try:
        pandera_schema(layout.dataset).validate(frame, lazy=True)
        return []
    except pandera.errors.SchemaErrors as exc:
        failures = exc.failure_cases
    already = {(e.row, e.field) for e in parse_errors}
    out = []
    for failure in failures.itertuples():
        if pd.isna(failure.index) or failure.column not in frame:
            continue
        row = int(frame.at[int(failure.index), "source_row"])
        if (row, failure.column) in already:
            continue
        letter, header = _letter_and_header(layout, sheet, failure.column)
        value = "" if pd.isna(failure.failure_case) else raw_text(failure.failure_case)
        out.append(cell_error(sheet.name, row, letter, header, layout.dataset.column(failure.column), value,
                              check_code(failure.check)))
    return out


def _duplicate_keys(frame: pd.DataFrame, sheet: RawSheet, layout: TableLayout, errors: list[CellError]):
    """The first row with a key wins; later rows repeating it are rejected and point at the first."""
    key = list(layout.dataset.unique_key)
    if not key or frame.empty:
        return []
    bad_rows = {e.row for e in errors}
    valid = frame[[*key, "source_row"]]
    valid = valid[~valid["source_row"].isin(bad_rows) & valid[key].notna().all(axis=1)]
    valid = valid[valid.duplicated(key, keep=False)]      # only the rows whose key repeats
    if valid.empty:
        return []
    repeated = valid.duplicated(key, keep="first")
    first_row = valid.groupby(key, sort=False)["source_row"].transform("first")
    letter, header = _letter_and_header(layout, sheet, key[0])
    return [cell_error(sheet.name, int(row), letter, header, layout.dataset.column(key[0]),
                       " / ".join(str(v) for v in values), "duplicate_key", extra=str(int(first)))
            for row, first, *values in zip(valid.loc[repeated, "source_row"], first_row[repeated],
                                           *(valid.loc[repeated, k] for k in key))]

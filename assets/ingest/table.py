"""Turn one located table into typed rows: parse every cell, validate with pandera, apply cross-row
rules, and split accepted rows from rejected ones (with every reason)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.errors

from assets.ingest.cells import is_blank, raw_text
from assets.ingest.columns import parse_column
from assets.ingest.errors import CellError, cell_error
from assets.ingest.layout import SUSPECT, TableLayout, classify_row, normalise_header
from assets.ingest.workbook import RawSheet, column_letter
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
    all_rows: pd.DataFrame = field(default_factory=pd.DataFrame)   # accepted and rejected, parsed

    @property
    def rows_read(self) -> int:
        return self.rows_in_table


def read_table(sheet: RawSheet, layout: TableLayout, constants: dict | None = None) -> TableResult:
    """`constants`: values for columns the sheet lacks but its title gives (the year)."""
    dataset = layout.dataset
    # Blank rows count as skipped only above the last filled row, not in the empty tail of the sheet.
    last = len(sheet.rows) - 1
    while last >= layout.data_start and all(is_blank(v) for v in sheet.rows[last]):
        last -= 1
    body = sheet.rows[layout.data_start:last + 1]
    width = max((len(r) for r in body), default=0)
    grid = list(zip(*(r if len(r) == width else [*r, *[""] * (width - len(r))] for r in body))) if body else []
    mapped = {c: name for c, name in layout.columns.items() if c < width}
    skip = _skipped_rows(body, grid, mapped, layout)
    keep = np.array([i not in skip for i in range(len(body))], dtype=bool)
    excel_rows = np.arange(len(body), dtype="int64") + sheet.excel_row(layout.data_start)
    skipped = [{"row": int(excel_rows[i]), "reason": reason,
                "text": " | ".join(raw_text(v) for v in body[i] if raw_text(v))[:200]}
               for i, reason in sorted(skip.items())]
    frame = pd.DataFrame({"source_sheet": pd.Series([sheet.name] * int(keep.sum()), dtype=object),
                          "source_row": excel_rows[keep]})
    errors: list[CellError] = []
    for c, name in mapped.items():
        column = dataset.column(name)
        kept = [v for v, k in zip(grid[c], keep) if k] if not keep.all() else list(grid[c])
        values, codes, unique_errors, uniques = parse_column(kept, column.kind)
        frame[name] = values
        bad = {i for i, e in enumerate(unique_errors) if e}
        if bad:
            letter = column_letter(sheet.first_col + c)
            for i in np.flatnonzero(np.isin(codes, list(bad))):
                errors.append(cell_error(sheet.name, int(frame.at[i, "source_row"]), letter, layout.headers[c],
                                         column, raw_text(uniques[codes[i]]), unique_errors[codes[i]]))
    for name, value in (constants or {}).items():
        frame[name] = value
    frame = typed_frame(frame, dataset)
    errors += _validate(frame, sheet, layout, errors)
    errors += _duplicate_keys(frame, sheet, layout, errors)
    rejected = sorted({e.row for e in errors})
    accepted = frame[~frame["source_row"].isin(rejected)].reset_index(drop=True)
    columns = {name: [column_letter(sheet.first_col + c), layout.headers[c]] for c, name in layout.columns.items()}
    return TableResult(dataset.name, sheet.name, accepted, rejected, errors, skipped, columns,
                       rows_in_table=len(body), all_rows=frame)


def _odd_cell_pattern(layout: TableLayout) -> re.Pattern:
    """A cell reading like a subtotal, note or column number, or repeating a header (spacing and
    punctuation aside): one compiled pattern, as it runs on every distinct value of every column."""
    headers = [r"[^0-9a-z]+".join(map(re.escape, normalise_header(h).split())) for h in layout.headers.values()]
    headers = [h for h in headers if h]
    return re.compile(f"{SUSPECT.pattern}|^[^0-9a-z]*(?:{'|'.join(headers) or '(?!)'})[^0-9a-z]*$", re.IGNORECASE)


def _skipped_rows(body: list[list], grid: list[tuple], mapped: dict[int, str], layout: TableLayout) -> dict[int, str]:
    """Row index -> why it is left out. Only rows that could be something else than data are looked
    at closely: too few filled cells, or a cell reading like a subtotal, note, column number or header."""
    if not body:
        return {}
    odd_cell = _odd_cell_pattern(layout)
    filled = np.zeros(len(body), dtype="int64")
    suspect = np.zeros(len(body), dtype=bool)
    for c in mapped:
        column = np.empty(len(body), dtype=object)
        column[:] = grid[c]
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        blank = [is_blank(u) for u in uniques]
        odd = [isinstance(u, str) and not b and bool(odd_cell.match(u.strip())) for u, b in zip(uniques, blank)]
        filled += ~np.array(blank, dtype=bool)[codes]
        suspect |= np.array(odd, dtype=bool)[codes]
    required = sum(1 for name in mapped.values() if layout.dataset.column(name).required)
    suspect |= filled < max(required, 1)
    out = {}
    for i in np.flatnonzero(suspect):
        kind = classify_row(body[i], layout)
        if kind != "data":
            out[int(i)] = kind
    return out


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
            frame[column.name] = pd.to_datetime(frame[column.name]).astype("datetime64[ns]")
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
    valid = frame[~frame["source_row"].isin(bad_rows)].dropna(subset=key)
    repeated = valid.duplicated(key, keep="first")
    if not repeated.any():
        return []
    first_row = valid.groupby(key, sort=False)["source_row"].transform("first")
    letter, header = _letter_and_header(layout, sheet, key[0])
    return [cell_error(sheet.name, int(row), letter, header, layout.dataset.column(key[0]),
                       " / ".join(str(v) for v in values), "duplicate_key", extra=str(int(first)))
            for row, first, *values in zip(valid.loc[repeated, "source_row"], first_row[repeated],
                                           *(valid.loc[repeated, k] for k in key))]

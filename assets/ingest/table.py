"""Turn one located table into typed rows: parse every cell, validate with pandera, apply cross-row
rules, and split accepted rows from rejected ones (with every reason)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pandera.errors

from assets.ingest.cells import PARSERS, is_blank, raw_text
from assets.ingest.errors import CellError, cell_error
from assets.ingest.layout import TableLayout, classify_row
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

    @property
    def rows_read(self) -> int:
        return len(self.rows) + len(self.rejected_rows) + len(self.skipped)


def read_table(sheet: RawSheet, layout: TableLayout) -> TableResult:
    dataset = layout.dataset
    records, errors, skipped = [], [], []
    # Blank rows count as skipped only above the last filled row, not in the empty tail of the sheet.
    last_filled = max((i for i, r in enumerate(sheet.rows) if any(not is_blank(v) for v in r)), default=-1)
    for index in range(layout.data_start, last_filled + 1):
        row = sheet.rows[index]
        excel_row = sheet.excel_row(index)
        kind = classify_row(row, layout)
        if kind != "data":
            skipped.append({"row": excel_row, "reason": kind,
                            "text": " | ".join(raw_text(v) for v in row if raw_text(v))[:200]})
            continue
        record = {"source_sheet": sheet.name, "source_row": excel_row}
        for c, name in layout.columns.items():
            column = dataset.column(name)
            raw = row[c] if c < len(row) else ""
            value, code = PARSERS[column.kind](raw)
            record[name] = value
            if code:
                errors.append(cell_error(sheet.name, excel_row, column_letter(sheet.first_col + c),
                                         layout.headers[c], column, raw_text(raw), code))
        records.append(record)
    frame = typed_frame(records, dataset)
    errors += _validate(frame, sheet, layout, errors)
    errors += _duplicate_keys(frame, sheet, layout, errors)
    rejected = sorted({e.row for e in errors})
    accepted = frame[~frame["source_row"].isin(rejected)].reset_index(drop=True)
    columns = {name: [column_letter(sheet.first_col + c), layout.headers[c]] for c, name in layout.columns.items()}
    return TableResult(dataset.name, sheet.name, accepted, rejected, errors, skipped, columns)


def typed_frame(records: list[dict], dataset: Dataset) -> pd.DataFrame:
    """Parsed records as a frame with one dtype per column kind (an empty frame keeps the shape)."""
    frame = pd.DataFrame.from_records(records, columns=[*ORIGIN, *dataset.stored_columns_raw()])
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
    first_row = {}
    out = []
    for row in valid.itertuples(index=False):
        value = tuple(getattr(row, k) for k in key)
        if value in first_row:
            letter, header = _letter_and_header(layout, sheet, key[0])
            out.append(cell_error(sheet.name, row.source_row, letter, header, layout.dataset.column(key[0]),
                                  " / ".join(map(str, value)), "duplicate_key", extra=str(first_row[value])))
        else:
            first_row[value] = row.source_row
    return out

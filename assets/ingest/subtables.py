"""Several tables stacked on one sheet, each under its own header.

A clerk often pastes a second district's table under the first, and its header need not list the columns
in the same order (`Desa | Penduduk | Menengah | Kecil | Mikro` under `Desa | Mikro | Kecil | Menengah |
Penduduk`). A row that repeats the header's words is left out as a repeated header; where it names the
columns in another order, the rows under it (to the next such header) are read with their own header, never
with the first table's columns.
"""
from __future__ import annotations

from dataclasses import replace

from assets.ingest.cells import raw_text
from assets.ingest.layout import TableLayout, _alias_index, _layout_at
from assets.ingest.period import single_district
from assets.ingest.formats.sheet import RawSheet


def header_changes(sheet: RawSheet, layout: TableLayout, repeated_rows: list[int]) -> list[tuple[int, TableLayout]]:
    """(row index of the header, its layout) for each repeated header row (Excel rows `repeated_rows`) that
    names the columns otherwise than the table's header; [] when every repeat names them alike."""
    aliases = _alias_index(layout.dataset)
    current, out = layout.columns, []
    for excel_row in sorted(repeated_rows):
        r = excel_row - sheet.first_row
        found = _layout_at(sheet.rows, r, False, layout.dataset, aliases)
        if found.columns and found.columns != current and not found.missing_required:
            out.append((r, found))
            current = found.columns
    return out


def split_at(sheet: RawSheet, layout: TableLayout, changes: list[tuple[int, TableLayout]]):
    """Each table of the sheet as (the sheet cut just above the next table's header, its layout, the
    district a heading or title row between the two tables names, or None)."""
    starts = [(layout.header_rows[0], layout), *changes]
    out = []
    for n, (start, table) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(sheet.rows)
        # Cut as plain rows (the Arrow reader's columns would run on past the cut).
        cut = replace(sheet, rows=list(sheet.rows[:end]), columns=None, number_cells=None,
                      merged=[m for m in sheet.merged if m[2] < end])
        district = None
        if n:                   # "... di Kecamatan Pasir Bulang" in the few rows above the table's header
            for row in reversed(sheet.rows[max(starts[n - 1][0] + 1, start - 5):start]):
                cells = [raw_text(v) for v in row if raw_text(v)]
                if len(cells) == 1 and (district := single_district(cells[0])):
                    break
        out.append((cut, table, district))
    return out

"""Which sheet holds the data when a workbook keeps a hidden copy of a visible table (the first version
left hidden, the corrected copy "UMKM 2023 (2)" visible): the visible sheet is read, the hidden one is not,
and the decision names it (decisions.py), flagged when the two disagree, with the cells that differ.

A hidden sheet is a copy of a visible one when both are recognised as the same dataset with the same
headers and most of the hidden sheet's rows name the same places (or report numbers) as the visible one's.
"""
from __future__ import annotations

from assets.ingest.cells import is_blank, raw_text
from assets.ingest.decisions import Decision
from assets.ingest.layout import TableLayout, classify_row, recognise
from assets.ingest.formats.sheet import RawSheet, column_letter

# Columns that say which place or report a row is about: the key rows are compared by.
KEY_FIELDS = ("report_number", "village_code", "village_name", "village_list", "police_sector", "year",
              "district_name", "officer_id")
SAME_ROWS = 0.5         # share of the hidden sheet's keyed rows found in the visible sheet
SHOWN = 10              # differing cells quoted


def _rows(sheet: RawSheet, layout: TableLayout) -> dict[tuple, tuple[int, dict[str, str]]]:
    """Row key (its place/report cells) -> (Excel row, field -> cell text), data rows only."""
    keys = [c for c, name in layout.columns.items() if name in KEY_FIELDS]
    out = {}
    for i in range(layout.data_start, len(sheet.rows)):
        row = sheet.rows[i]
        if classify_row(row, layout) != "data":
            continue
        key = tuple(raw_text(row[c]).strip().lower() if c < len(row) else "" for c in keys)
        if any(key) and key not in out:
            out[key] = (sheet.excel_row(i), {name: raw_text(row[c]) if c < len(row) and not is_blank(row[c]) else ""
                                             for c, name in layout.columns.items()})
    return out


def hidden_copies(sheets: list[RawSheet], datasets: list) -> dict[str, Decision]:
    """Hidden sheet name -> the decision not to read it (a copy of a visible sheet's table)."""
    if not any(s.hidden for s in sheets) or all(s.hidden for s in sheets):
        return {}
    layouts = {s.name: layout for s in sheets if (layout := recognise(s, datasets)[0]) is not None}
    by_name = {s.name: s for s in sheets}
    out = {}
    for hidden in (s for s in sheets if s.hidden and s.name in layouts):
        mine = layouts[hidden.name]
        for visible in (s for s in sheets if not s.hidden and s.name in layouts):
            theirs = layouts[visible.name]
            if theirs.dataset.name != mine.dataset.name or \
                    sorted(theirs.columns.values()) != sorted(mine.columns.values()):
                continue
            rows, other = _rows(hidden, mine), _rows(by_name[visible.name], theirs)
            common = [k for k in rows if k in other]
            if not rows or len(common) < SAME_ROWS * len(rows):
                continue
            out[hidden.name] = _decision(hidden, visible, mine, rows, other, common)
            break
    return out


def _decision(hidden: RawSheet, visible: RawSheet, layout: TableLayout, rows: dict, other: dict,
              common: list) -> Decision:
    letters = {name: column_letter(hidden.first_col + c) for c, name in layout.columns.items()}
    differ = [(rows[k][0], letters[name], name, text, other[k][0], other[k][1][name])
              for k in common for name, text in rows[k][1].items() if text != other[k][1][name]]
    only_here = len(rows) - len(common)
    value = f"'{visible.name}' read (visible); hidden sheet '{hidden.name}' not read"
    value_id = f"'{visible.name}' dibaca (tampak); lembar tersembunyi '{hidden.name}' tidak dibaca"
    evidence = (f"'{hidden.name}' is hidden and holds the same table (same headers, {len(common)} of its "
                f"{len(rows)} rows about the same places)")
    evidence_id = (f"'{hidden.name}' tersembunyi dan berisi tabel yang sama (judul kolom sama, {len(common)} dari "
                   f"{len(rows)} barisnya tentang wilayah yang sama)")
    if differ:
        shown = "; ".join(f"{letter}{row} {text or 'empty'} there, {theirs or 'empty'} in '{visible.name}' row {their_row}"
                          for row, letter, _, text, their_row, theirs in differ[:SHOWN])
        shown_id = "; ".join(f"{letter}{row} {text or 'kosong'} di sana, {theirs or 'kosong'} di '{visible.name}' "
                             f"baris {their_row}" for row, letter, _, text, their_row, theirs in differ[:SHOWN])
        evidence += f", but {len(differ)} of its cells differ ({shown}): check that the visible sheet is the right one"
        evidence_id += (f", tetapi {len(differ)} selnya berbeda ({shown_id}): pastikan lembar yang tampak adalah "
                        "yang benar")
    if only_here:
        evidence += f"; {only_here} of its rows are not in '{visible.name}'"
        evidence_id += f"; {only_here} barisnya tidak ada di '{visible.name}'"
    first = differ[0] if differ else None
    return Decision("sheet", sheet=hidden.name, dataset=layout.dataset.name, value=value, value_id=value_id,
                    evidence=evidence, evidence_id=evidence_id, flagged=bool(differ or only_here),
                    code="hidden_copy_not_read", row=first[0] if first else hidden.excel_row(layout.header_rows[0]),
                    column=first[1] if first else "", field=first[2] if first else "",
                    written=first[3] if first else "",
                    header=layout.headers.get(next((c for c, n in layout.columns.items() if first and n == first[2]),
                                                   -1), ""))

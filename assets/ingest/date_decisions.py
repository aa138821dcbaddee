"""The decisions taken in reading one sheet's date columns, with their evidence (assets/ingest/decisions.py):
the day/month order of text dates (dates.py decides it), text dates beside real date cells whose order
may have been swapped by a spreadsheet in another locale, time zones (an ISO moment with `Z` or an offset
is read as its day in WIB, cells.wib_date), and the century of two-digit years (`17/08/23` is read as
2023; corroborated by the file's stated period or the rows' report numbers, else flagged).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np

from assets.ingest import dates
from assets.ingest.cells import ISO_MOMENT, NUMERIC_DATE, date_text, is_blank, raw_text
from assets.ingest.decisions import Decision

# A text date with a two-digit year: 17/08/23, 17-08-23, 17 Agu 23.
TWO_DIGIT_YEAR = re.compile(r"(?:\d{1,2}[/\-.]\d{1,2}[/\-.]|\d{1,2}[ \-][a-z]+\.?[ \-])(\d{2})")
ORDER_WORDS = {dates.DAY_FIRST: ("day-first (day/month/year)", "hari lebih dulu (hari/bulan/tahun)"),
               dates.MONTH_FIRST: ("month-first (month/day/year)", "bulan lebih dulu (bulan/hari/tahun)")}
SHOWN = 3       # examples a piece of evidence quotes


@dataclass
class DateColumn:
    """One date column of a sheet as read: its distinct cells, their first Excel row, how its order was
    decided (dates.py), and the years that speak for its period."""
    letter: str
    header: str
    field: str
    uniques: np.ndarray             # distinct cells
    first_row: dict[int, int]       # position in uniques -> Excel row of its first occurrence
    evidence: dates.OrderEvidence
    order: str | None               # dates.DAY_FIRST / MONTH_FIRST / None
    how: str                        # "column", "other_column", "report_numbers" or ""
    period_years: dict[str, set[int]]   # where a year was found ("title or file name", "report numbers") -> years


def _examples(column: DateColumn, at: list[int]) -> str:
    return ", ".join(f"'{raw_text(column.uniques[i])}' (row {column.first_row[i]})" for i in at[:SHOWN])


def _examples_id(column: DateColumn, at: list[int]) -> str:
    return _examples(column, at).replace("(row ", "(baris ")


def column_decisions(sheet: str, dataset: str, column: DateColumn) -> list[Decision]:
    """Every decision taken for one date column (none for a column of real date cells only)."""
    texts = [i for i, u in enumerate(column.uniques) if isinstance(u, str) and not is_blank(u)
             and i in column.first_row]
    out = []
    base = dict(sheet=sheet, dataset=dataset, column=column.letter, header=column.header, field=column.field)
    where, where_id = f"{column.letter} '{column.header}'", f"{column.letter} '{column.header}'"
    if decision := _order(column, texts, base, where, where_id):
        out.append(decision)
    if decision := _cells_beside_text(column, base, where, where_id):
        out.append(decision)
    if decision := _zone(column, texts, base, where, where_id):
        out.append(decision)
    if decision := _century(column, texts, base, where, where_id):
        out.append(decision)
    return out


def _only(column: DateColumn, texts: list[int], which: str) -> list[int]:
    out = []
    for i in texts:
        parts = dates.numeric_parts(column.uniques[i])
        if parts and ((which == dates.DAY_FIRST and parts[0] > 12 >= parts[1]) or
                      (which == dates.MONTH_FIRST and parts[1] > 12 >= parts[0])):
            out.append(i)
    return out


def _order(column: DateColumn, texts: list[int], base: dict, where: str, where_id: str) -> Decision | None:
    e = column.evidence
    if not (e.day_first or e.month_first or e.ambiguous):
        return None
    if column.order:
        en, id_ = ORDER_WORDS[column.order]
        if column.how == "column":
            at = _only(column, texts, column.order)
            evidence = f"{len(at)} value(s) can be read only that way: {_examples(column, at)}"
            evidence_id = f"{len(at)} nilai hanya bisa dibaca begitu: {_examples_id(column, at)}"
        elif column.how == "report_numbers":
            evidence = "no value settles it; the report numbers on the same rows name the months this reading gives"
            evidence_id = ("tidak ada nilai yang memastikannya; nomor laporan pada baris yang sama menyebut bulan "
                           "yang sesuai dengan cara baca ini")
        else:
            evidence = "no value settles it; the sheet's other date column (the same producer) is read this way"
            evidence_id = ("tidak ada nilai yang memastikannya; kolom tanggal lain di lembar ini (pembuat yang sama) "
                           "dibaca begini")
        return Decision("date_order", value=f"{where}: {en}", value_id=f"{where_id}: {id_}", evidence=evidence,
                        evidence_id=evidence_id, **base)
    if e.day_first and e.month_first:
        day, month = _only(column, texts, dates.DAY_FIRST), _only(column, texts, dates.MONTH_FIRST)
        return Decision("date_order", value=f"{where}: each value the one way it can be read",
                        value_id=f"{where_id}: setiap nilai dibaca dengan satu-satunya cara yang mungkin",
                        evidence=f"the column mixes day-first values ({_examples(column, day)}) and month-first "
                                 f"ones ({_examples(column, month)}); {e.ambiguous} value(s) readable both ways are "
                                 "flagged at their cells",
                        evidence_id=f"kolom mencampur nilai hari-bulan ({_examples_id(column, day)}) dan bulan-hari "
                                    f"({_examples_id(column, month)}); {e.ambiguous} nilai yang bisa dibaca dua "
                                    "cara ditandai pada selnya",
                        flagged=True, code="", **base)     # each value read its one way; the others at their cells
    return Decision("date_order", value=f"{where}: undecided", value_id=f"{where_id}: tidak dapat ditentukan",
                    evidence=f"no value, other date column or report number settles it; the {e.ambiguous} "
                             "value(s) readable both ways are flagged at their cells (ambiguous_date_order)",
                    evidence_id=f"tidak ada nilai, kolom tanggal lain atau nomor laporan yang memastikannya; "
                                f"{e.ambiguous} nilai yang bisa dibaca dua cara ditandai pada selnya "
                                "(ambiguous_date_order)",
                    flagged=True, code="", **base)      # code "": flagged at its cells already


def _cells_beside_text(column: DateColumn, base: dict, where: str, where_id: str) -> Decision | None:
    """Real date cells in a column whose text dates are day-first: a spreadsheet set to a month-first
    locale turns "03/08/2023" into 8 March and leaves "25/08/2023" as text. When every date cell could
    have been made that way (its day 12 or less), their order is in doubt: flagged (read as the cell says)."""
    if column.order != dates.DAY_FIRST or column.how != "column":
        return None
    cells = [i for i, u in enumerate(column.uniques) if isinstance(u, dt.date) and i in column.first_row]
    if not cells or any(column.uniques[i].day > 12 for i in cells):
        return None
    swappable = [i for i in cells if column.uniques[i].day != column.uniques[i].month]
    if not swappable:
        return None
    shown = ", ".join(f"{column.uniques[i]:%d/%m/%Y} (row {column.first_row[i]})" for i in swappable[:SHOWN])
    return Decision("date_order", value=f"{where}: date cells read as stored",
                    value_id=f"{where_id}: sel tanggal dibaca sebagaimana tersimpan",
                    evidence=f"the column's text dates are day-first, but its {len(cells)} date cell(s) all have a day "
                             f"of 12 or less, as a month-first spreadsheet makes them from day-first text: "
                             f"{shown} may have day and month swapped; check them",
                    evidence_id=f"tanggal teks di kolom ini hari-bulan, tetapi {len(cells)} sel tanggalnya semua "
                                f"berhari 12 atau kurang, seperti buatan spreadsheet berpengaturan bulan-hari dari "
                                f"teks hari-bulan: {shown.replace('(row ', '(baris ')} mungkin tertukar hari dan "
                                "bulannya; periksa",
                    flagged=True, code="date_cells_order_doubtful", row=column.first_row[swappable[0]],
                    written=f"{column.uniques[swappable[0]]:%d/%m/%Y}", **base)


def _zone(column: DateColumn, texts: list[int], base: dict, where: str, where_id: str) -> Decision | None:
    zoned = [i for i in texts if (m := ISO_MOMENT.fullmatch(date_text(column.uniques[i]))) and m["zone"]]
    if not zoned:
        return None
    zones = sorted({ISO_MOMENT.fullmatch(date_text(column.uniques[i]))["zone"].upper() for i in zoned})
    return Decision("time_zone", value=f"{where}: converted to WIB (Asia/Jakarta, UTC+7)",
                    value_id=f"{where_id}: diubah ke WIB (Asia/Jakarta, UTC+7)",
                    evidence=f"{len(zoned)} value(s) carry the zone {', '.join(zones)}: {_examples(column, zoned)}; "
                             "each is read as the day it was in WIB",
                    evidence_id=f"{len(zoned)} nilai memuat zona {', '.join(zones)}: {_examples_id(column, zoned)}; "
                                "masing-masing dibaca sebagai tanggalnya di WIB", **base)


def _century(column: DateColumn, texts: list[int], base: dict, where: str, where_id: str) -> Decision | None:
    short = [i for i in texts if TWO_DIGIT_YEAR.fullmatch(date_text(column.uniques[i]))]
    if not short:
        return None
    read = sorted({2000 + int(TWO_DIGIT_YEAR.fullmatch(date_text(column.uniques[i]))[1]) for i in short})
    shown = f"{len(short)} value(s) such as {_examples(column, short)}"
    shown_id = f"{len(short)} nilai seperti {_examples_id(column, short)}"
    value, value_id = f"{where}: two-digit years read as {_years(read)}", f"{where_id}: tahun dua digit dibaca {_years(read)}"
    for source, (en, id_) in (("report numbers", ("the rows' report numbers", "nomor laporan pada baris-barisnya")),
                              ("title or file name", ("the file's stated period", "periode yang disebut berkas"))):
        years = column.period_years.get(source) or set()
        if years and all(min(years) - 1 <= y <= max(years) + 1 for y in read):
            return Decision("century", value=value, value_id=value_id,
                            evidence=f"{shown}; {en} name {_years(sorted(years))}",
                            evidence_id=f"{shown_id}; {id_} menyebut {_years(sorted(years))}", **base)
    stated = sorted(set().union(*column.period_years.values())) if column.period_years else []
    against = f"; the file's period is {_years(stated)}" if stated else "; nothing in the file states its period"
    against_id = f"; periode berkas {_years(stated)}" if stated else "; tidak ada yang menyebut periode berkas"
    return Decision("century", value=value, value_id=value_id,
                    evidence=f"{shown}{against}: check the century, or write years with four digits",
                    evidence_id=f"{shown_id}{against_id}: periksa abadnya, atau tulis tahun dengan empat digit",
                    flagged=True, code="two_digit_year_unconfirmed", row=column.first_row[short[0]],
                    written=raw_text(column.uniques[short[0]]), **base)


def _years(years: list[int]) -> str:
    return ", ".join(map(str, years))

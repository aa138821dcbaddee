"""The file-level notes catalogue: what the clerk reads about a whole file or sheet (hidden rows, a
column read by a close match, a year taken from the title, a sheet not recognised ...), each note a
function giving (English, Bahasa Indonesia), as errors.py holds the messages about single cells.
`label`/`label_id` name the sheet ("sheet 'Data'" / "lembar 'Data'", or the file for a CSV).
"""
from __future__ import annotations

from assets.ingest.record import safe_name


HIDDEN_ID = {"rows": "baris", "columns": "kolom"}
SKIPPED_ID = {"subtotal": "jumlah/subtotal", "note": "catatan"}


def where_id(found_in: str) -> str:
    """Where a value was found (period.from_title's words), in Bahasa Indonesia."""
    return (found_in.replace("title row", "baris judul").replace("sheet name", "nama lembar")
            .replace("file name", "nama berkas"))


def _span(values: list) -> str:
    shown = ", ".join(map(str, values[:20]))
    return shown + (f" and {len(values) - 20} more" if len(values) > 20 else "")


def odd_name_note(name: str) -> str:
    """File names are never used as paths here (the archive and work area use the content hash), but
    a clerk should know a name was odd, and reports use a cleaned one."""
    if safe_name(name) != name:
        return f"the file name {name!r} has characters that were replaced in the report name"
    return ""


def wrong_folder(label: str, label_id: str, layout, source: str) -> tuple[str, str]:
    folder = layout.dataset.source
    return (f"{label}: holds {layout.dataset.name} data, which inbox/{folder}/ receives, not inbox/{source}/; "
            f"drop the file in inbox/{folder}/",
            f"{label_id}: berisi data {_title_id(layout.dataset)} yang diterima folder inbox/{folder}/, bukan "
            f"inbox/{source}/; letakkan berkas di inbox/{folder}/")


def _title_id(dataset) -> str:
    """The dataset as the agency calls it (its Indonesian title), for the Indonesian notes."""
    return f"'{dataset.title_id}'" if dataset.title_id else dataset.name


def _unrecognised_note_id(label: str, closest) -> str:
    if closest is None:
        return f"{label}: tidak ada baris judul kolom yang dikenali"
    headers = [closest.dataset.column(name).aliases[0] for name in closest.missing_required]   # as the template heads them
    return (f"{label}: tidak dikenali sebagai data apa pun; paling mirip {_title_id(closest.dataset)}, kolom yang "
            f"kurang: {', '.join(headers)}; judul kolom yang tidak dikenal: "
            f"{', '.join(h for h in closest.unrecognised_headers if h) or 'tidak ada'}")


def _unrecognised_note(label: str, closest) -> str:
    if closest is None:
        return f"{label}: no table header recognised"
    return (f"{label}: not recognised as any dataset; closest is {closest.dataset.name}, missing columns "
            f"{', '.join(closest.missing_required)}; unrecognised headers: "
            f"{', '.join(h for h in closest.unrecognised_headers if h) or 'none'}")


def unreadable(exc: Exception) -> tuple[str, str]:
    return str(exc), f"Berkas tidak dapat dibaca sebagai spreadsheet ({exc})."


DATE_1904 = ("the workbook uses the 1904 date system (Excel for Mac): its dates and date serial numbers are read "
             "in that system",
             "buku kerja memakai sistem tanggal 1904 (Excel untuk Mac): tanggal dan nomor seri tanggalnya dibaca "
             "dalam sistem itu")


MACROS = ("the workbook contains macros; only its data was read, no macro was run",
          "workbook berisi makro; hanya datanya yang dibaca, tidak ada makro yang dijalankan")

XML2003 = ("read as an XML Spreadsheet 2003 file (Excel 2003 XML); saving it as .xlsx is preferred",
           "dibaca sebagai berkas XML Spreadsheet 2003 (XML Excel 2003); lebih baik simpan sebagai .xlsx")


def text_named_otherwise(suffix: str, form: str) -> tuple[str, str]:
    """A file named as a workbook (`suffix`, ".xls") that holds text; `form`: "UTF-16 LE" and the like, or
    "" for plain text."""
    return (f"the file is named {suffix} but is {form or 'plain'} text (a CSV or tab-separated export); "
            "read as text",
            f"berkas bernama {suffix} tetapi isinya teks {form or 'biasa'} (ekspor CSV atau dipisah tab); "
            "dibaca sebagai teks")


def unicode_text(form: str) -> tuple[str, str]:
    """A text file in UTF-16/UTF-32 (`form`: "UTF-16 LE" ...), as Excel's "Unicode Text" export writes it."""
    return (f"read as {form} text (Excel's \"Unicode Text\")",
            f"dibaca sebagai teks {form} (\"Unicode Text\" dari Excel)")


def _formulas_why(recalculate: bool) -> tuple[str, str]:
    """Why a formula's saved result was not trusted: saved as 0 by a writer asking for recalculation, or
    saved without a result."""
    if recalculate:
        return ("saved as 0 by a writer that asks for recalculation (fullCalcOnLoad)",
                "disimpan 0 oleh penulis berkas yang meminta hitung ulang (fullCalcOnLoad)")
    return "saved without a result", "disimpan tanpa hasil"


def _listed(items: list[str], separator: str) -> str:
    return separator.join(items[:10]) + (" ..." if len(items) > 10 else "")


def formulas_computed(label: str, label_id: str, cells: list[str], recalculate: bool) -> tuple[str, str]:
    """Formula results the reader computed from the sheet's cells; `cells`: A1 references (ten named);
    `recalculate`: the writer saved them as 0 asking for recalculation (else: saved without a result)."""
    why, why_id = _formulas_why(recalculate)
    listed = _listed(cells, ", ")
    return (f"{label}: {len(cells)} formula result(s) {why} were computed from the sheet's cells ({listed})",
            f"{label_id}: {len(cells)} hasil rumus yang {why_id} dihitung dari sel lembarnya ({listed})")


def formulas_not_computed(label: str, label_id: str, failed: list[str], recalculate: bool) -> tuple[str, str]:
    """Formulas that could not be computed, each cell left empty and flagged; `failed`: "H6 =SUM(...) (why)"
    (ten named)."""
    why, why_id = _formulas_why(recalculate)
    listed = _listed(failed, "; ")
    return (f"{label}: {len(failed)} formula(s) {why} could not be computed; each cell is left empty "
            f"and flagged ({listed})",
            f"{label_id}: {len(failed)} rumus yang {why_id} tidak dapat dihitung; setiap selnya dibiarkan "
            f"kosong dan ditandai ({listed})")


def odd_name(name: str) -> tuple[str, str] | None:
    """A file name with characters the report's name replaces (record.safe_name), else None."""
    if not odd_name_note(name):
        return None
    return odd_name_note(name), f"nama berkas {name!r} memuat karakter yang diganti pada nama laporan"


def labels(sheet_name: str) -> tuple[str, str]:
    """How the notes name a sheet (a CSV's one sheet has no name: the file)."""
    return (f"sheet {sheet_name!r}", f"lembar {sheet_name!r}") if sheet_name else ("the file", "berkas")


def helper_sheet(label: str, label_id: str, helper: tuple[str, str]) -> tuple[str, str]:
    return f"{label}: {helper[0]}, not data (not read)", f"{label_id}: {helper[1]}, bukan data (tidak dibaca)"


def formula_errors(label: str, label_id: str, cells: list[str]) -> tuple[str, str]:
    return (f"{label}: {len(cells)} cell(s) show a formula error instead of a value ({', '.join(cells[:10])}); "
            "each is reported at its cell",
            f"{label_id}: {len(cells)} sel berisi kesalahan rumus, bukan nilai ({', '.join(cells[:10])}); "
            "masing-masing dilaporkan pada selnya")


def hidden(label: str, label_id: str, hidden: dict) -> tuple[str, str]:
    """`hidden`: {"sheet_hidden": True, "rows": [...], "columns": [...]}, the keys that apply."""
    return (f"{label}: hidden " + "; ".join(
                "sheet" if k == "sheet_hidden" else f"{k} {_span(v)}" for k, v in hidden.items())
            + " (read like the rest)",
            f"{label_id}: tersembunyi " + "; ".join(
                "lembar" if k == "sheet_hidden" else f"{HIDDEN_ID[k]} {_span(v)}" for k, v in hidden.items())
            + " (tetap dibaca)")


def formulas_without_value(label: str, label_id: str, formulas: list[str]) -> tuple[str, str]:
    return (f"{label}: {len(formulas)} formula cell(s) without a saved result, read as "
            f"empty ({', '.join(formulas[:10])}); open and save the file in Excel",
            f"{label_id}: {len(formulas)} sel rumus tanpa hasil tersimpan, dibaca kosong "
            f"({', '.join(formulas[:10])}); buka lalu simpan berkas di Excel")


def unrecognised(label: str, label_id: str, closest) -> tuple[str, str]:
    """A sheet like none of the folder's datasets; `closest`: the nearest layout, or None."""
    return _unrecognised_note(label, closest), _unrecognised_note_id(label_id, closest)


def columns_not_read(label: str, label_id: str, dataset: str, unread: list[str]) -> tuple[str, str]:
    return (f"{label}: columns not read, their headers name nothing {dataset} holds: {', '.join(unread)}",
            f"{label_id}: kolom tidak dibaca, judulnya tidak dikenal untuk data {dataset}: {', '.join(unread)}")


def subcolumns(label: str, label_id: str, subcolumns: list[str]) -> tuple[str, str]:
    listed = "; ".join(subcolumns)
    return (f"{label}: sub-columns under merged headers: {listed}",
            f"{label_id}: sub-kolom di bawah judul gabungan: " + listed.replace(
                " read as ", " dibaca sebagai ").replace(" added into ", " dijumlahkan ke ").replace(
                " not read", " tidak dibaca"))


def same_field(label: str, label_id: str, shown: str) -> tuple[str, str]:
    """`shown`: "B, D as field; ..." the columns read together."""
    return (f"{label}: columns headed alike, read together (a value missing in one is taken from "
            f"the other; where they differ the cell is flagged): {shown}",
            f"{label_id}: kolom dengan judul sama dibaca bersama (nilai kosong di satu kolom diambil "
            f"dari yang lain; bila berbeda, selnya ditandai): {shown.replace(' as ', ' sebagai ')}")


def close_match(label: str, label_id: str, read_as: str) -> tuple[str, str]:
    """`read_as`: "C 'Jml UMKM' as msme_count, ..."."""
    return (f"{label}: columns read by a close match of their header: {read_as}",
            f"{label_id}: kolom dibaca karena judulnya mirip: {read_as.replace(' as ', ' sebagai ')}")


def taken_from(label: str, label_id: str, name: str, value, found_in: str) -> tuple[str, str]:
    """A column the sheet lacks, its one value named in the title, sheet name or file name."""
    return (f"{label}: no {name} column; {name} {value} taken from the {found_in}",
            f"{label_id}: tidak ada kolom {name}; {name} {value} diambil dari {where_id(found_in)}")


def wide_years(label: str, label_id: str, years: list, measures: str) -> tuple[str, str]:
    return (f"{label}: years laid out as columns ({_span(years)}) under {measures}: read as one row "
            "per place and year",
            f"{label_id}: tahun disusun sebagai kolom ({_span(years)}) di bawah {measures}: dibaca "
            "sebagai satu baris per wilayah dan tahun")


def beside_years(label: str, label_id: str, shown: str) -> tuple[str, str]:
    return (f"{label}: {shown} not read: one value per row beside years laid out as columns, "
            "and the sheet does not say which year it is for; give it a column per year",
            f"{label_id}: {shown} tidak dibaca: satu nilai per baris di samping kolom-kolom tahun, "
            "dan lembar tidak menyebut tahunnya; buat satu kolom per tahun")


def year_taken_from(label: str, label_id: str, year, found_in: str) -> tuple[str, str]:
    return (f"{label}: no year column; year {year} taken from the {found_in}",
            f"{label_id}: tidak ada kolom tahun; tahun {year} diambil dari {where_id(found_in)}")


def district_taken_from(label: str, label_id: str, district: str, found_in: str) -> tuple[str, str]:
    return (f"{label}: no district column; district {district} taken from the {found_in}",
            f"{label_id}: tidak ada kolom kecamatan; kecamatan {district} diambil dari {where_id(found_in)}")


def new_header(label: str, label_id: str, rows: str) -> tuple[str, str]:
    return (f"{label}: a new table header at row {rows} names the columns in another order; "
            "the rows under it are read with that header",
            f"{label_id}: judul tabel baru di baris {rows} menyebut kolom dengan urutan lain; "
            "baris di bawahnya dibaca dengan judul itu")


def skipped_row(label: str, label_id: str, skipped: dict) -> tuple[str, str] | None:
    """A row left out that the clerk is told of (a subtotal, a note, a district heading), else None."""
    reason, row, text = skipped["reason"], skipped["row"], skipped["text"]
    if reason in ("subtotal", "note"):
        return (f"{label}: {reason} row {row} left out ({text})",
                f"{label_id}: baris {SKIPPED_ID[reason]} {row} dilewati ({text})")
    if reason == "district_heading":
        return (f"{label}: row {row} ({text}) gives the district of the rows under it",
                f"{label_id}: baris {row} ({text}) menjadi kecamatan baris-baris di bawahnya")
    return None


def filled_down(label: str, label_id: str, areas: list) -> tuple[str, str]:
    return (f"{label}: merged cells {_span(areas)} read as their value on every row they span",
            f"{label_id}: sel gabungan {_span(areas)} dibaca sebagai isinya di setiap baris yang dicakupnya")


NO_DATA = ("Every sheet of the file is empty.", "Semua lembar (sheet) dalam berkas kosong.")
EMPTY_FILE = ("every sheet of the file is empty", "semua lembar berkas kosong")

"""Rejection records: one per rejected cell, naming file, sheet, row, column and what was expected,
with a message in Bahasa Indonesia and in English."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from assets.ingest.cells import EXPECTED, expected_whole_number
from assets.privacy import mask, scrub
from schemas.base import Column

# The columns of a rejection (data_quality_rejection, warehouse/sql/05_stored_tables.sql): the file's hash,
# dataset and stage, then a CellError's fields. A file's own rejection frame also carries its name and folder
# (record.rejection_frame).
REJECTION_COLUMNS = ["source_file", "dataset", "stage", "sheet", "row", "column", "header", "field", "value",
                     "code", "expected", "message", "message_id", "severity", "expected_id"]


@dataclass
class CellError:
    sheet: str
    row: int                  # Excel row number (CSV: line number)
    column: str               # Excel column letter, "" when the error is about the whole row
    header: str               # header as written in the file
    field: str                # dataset column name
    value: str                # value as typed (personal data masked)
    code: str
    expected: str
    message: str              # English
    message_id: str           # Bahasa Indonesia
    # "error": the row is rejected (a required value, its place or its period could not be read);
    # "warning": only this cell is lost (an optional column), the row lands with the value missing.
    severity: str = "error"
    expected_id: str = ""     # what was expected, in Bahasa Indonesia (the clerk's report shows it first)

    def as_dict(self) -> dict:
        return asdict(self)


MESSAGES = {
    # code: (English, Bahasa Indonesia); {header} {value} {expected_en} {expected_id} {extra} are filled in
    "type_error": ("{header}: expected {expected_en}, found '{value}'.",
                   "{header}: seharusnya {expected_id}, tertulis '{value}'."),
    "invalid_date": ("{header}: '{value}' is not a real date; expected {expected_en}.",
                     "{header}: '{value}' bukan tanggal yang benar; seharusnya {expected_id}."),
    "invalid_nik": ("{header}: '{value}' is not a valid NIK; expected {expected_en}.",
                    "{header}: '{value}' bukan NIK yang sah; seharusnya {expected_id}."),
    "missing_value": ("{header}: a value is required.", "{header}: wajib diisi."),
    "negative_value": ("{header}: '{value}' is negative; expected zero or more.",
                       "{header}: '{value}' bernilai negatif; seharusnya nol atau lebih."),
    "not_in_vocabulary": ("{header}: '{value}' is not one of {extra}.",
                          "{header}: '{value}' bukan salah satu dari {extra}."),
    "duplicate_key": ("{header}: '{value}' already appears in row {extra}; each report once.",
                      "{header}: '{value}' sudah ada di baris {extra}; setiap laporan cukup sekali."),
    "duplicate_key_other_file": ("{header}: '{value}' already came in {extra}; each report is counted once.",
                                 "{header}: '{value}' sudah diterima di {extra}; setiap laporan dihitung sekali."),
    "duplicate_village_year": ("{header}: '{value}' already has a row for this year (row {extra}).",
                               "{header}: '{value}' sudah punya baris untuk tahun ini (baris {extra})."),
    "held_for_steward": ("{header}: '{value}' was also sent by another office; this row is held until a data "
                         "steward decides which one counts.",
                         "{header}: '{value}' juga dikirim oleh kantor lain; baris ini ditahan sampai pengelola "
                         "data memutuskan mana yang dihitung."),
    "conflict_refused": ("{header}: '{value}' was also sent by another office; the data steward decided that "
                         "office's row counts, not this one.",
                         "{header}: '{value}' juga dikirim oleh kantor lain; pengelola data memutuskan baris "
                         "kantor itu yang dihitung, bukan baris ini."),
    "unknown_village": ("{header}: village '{value}' was not found in the official list{extra}.",
                        "{header}: desa/kelurahan '{value}' tidak ditemukan di daftar resmi{extra}."),
    "ambiguous_village": ("{header}: '{value}' could be several villages{extra}; add the district or the code.",
                          "{header}: '{value}' bisa berarti beberapa desa{extra}; tambahkan kecamatan atau kode."),
    "text_too_long": ("{header}: the cell holds 32,767 characters or more (Excel's limit); it may have been cut.",
                      "{header}: isi sel 32.767 karakter atau lebih (batas Excel); isinya mungkin terpotong."),
    "formula_error": ("{header}: the cell shows the formula error {value} instead of a value; fix the formula "
                      "(a lookup that found nothing, a deleted reference) and send the file again.",
                      "{header}: sel berisi kesalahan rumus {value}, bukan nilai; perbaiki rumusnya (pencarian yang "
                      "tidak menemukan, rujukan yang terhapus) lalu kirim ulang berkas."),
    "formula_not_computed": ("{header}: the formula {value} was saved without its result by a program that does "
                             "not calculate, and it could not be computed here; the cell is left empty. Open the "
                             "file in Excel or LibreOffice, save it, and send it again.",
                             "{header}: rumus {value} disimpan tanpa hasilnya oleh program yang tidak menghitung, "
                             "dan tidak dapat dihitung di sini; sel dibiarkan kosong. Buka berkas di Excel atau "
                             "LibreOffice, simpan, lalu kirim ulang."),
    "ambiguous_date_order": ("{header}: '{value}' can be read day-first or month-first, and the column does not "
                             "say which{extra}; write the month as a word (17 Agustus 2023).",
                             "{header}: '{value}' bisa dibaca hari-bulan atau bulan-hari, dan kolomnya tidak "
                             "menunjukkan yang mana{extra}; tulis bulan dengan huruf (17 Agustus 2023)."),
    "date_contradicts_report_number": ("{header}: '{value}' does not fall in the month of its report number "
                                       "{extra}.",
                                       "{header}: '{value}' tidak jatuh pada bulan nomor laporannya {extra}."),
    "date_out_of_period": ("{header}: '{value}' is far outside the period of the file{extra}.",
                           "{header}: '{value}' jauh di luar periode berkas{extra}."),
    "total_differs_from_parts": ("{header}: the total '{value}' is not the sum of its parts ({extra}); one of them is "
                                 "wrong: correct the file.",
                                 "{header}: jumlah '{value}' tidak sama dengan jumlah bagian-bagiannya ({extra}); "
                                 "salah satunya keliru: perbaiki berkasnya."),
    "code_name_mismatch": ("{header}: the row's code is village {extra}, whose name is not '{value}'; placed by the "
                           "code: check the code and the name.",
                           "{header}: kode pada baris ini adalah desa {extra}, yang namanya bukan '{value}'; "
                           "ditempatkan menurut kode: periksa kode dan namanya."),
    "columns_disagree": ("{header}: '{value}' here, but {extra} under the same header; which is right is not "
                         "known: keep one column.",
                         "{header}: di sini '{value}', tetapi {extra} dengan judul yang sama; tidak diketahui mana "
                         "yang benar: sisakan satu kolom."),
    "merged_over_rows": ("{header}: '{value}' is merged over rows {extra}, so it belongs to them together, not to "
                         "this row alone; write each row's own value.",
                         "{header}: '{value}' digabung (merge) di baris {extra}, jadi milik baris-baris itu bersama, "
                         "bukan baris ini saja; tulis nilai masing-masing baris."),
    "personal_data_masked": ("{header}: a NIK or phone number written here was masked ('{value}'); personal data "
                             "belongs only in its own column.",
                             "{header}: NIK atau nomor telepon yang ditulis di sini disamarkan ('{value}'); data pribadi "
                             "hanya boleh di kolomnya sendiri."),
    # Edits (assets/ingest/edits.py, assets/harmonise/history_edits.py): the value landed as written, flagged.
    # {extra}: what it was compared with and the value expected.
    "edit_balance_total": ("{header}: the total '{value}' is not micro + small + medium ({extra}); the counts "
                           "landed as written: check them.",
                           "{header}: jumlah '{value}' tidak sama dengan mikro + kecil + menengah ({extra}); "
                           "angkanya diterima seperti tertulis: periksa kembali."),
    "edit_ratio_history": ("{header}: '{value}' is far from this village's own earlier figure ({extra}); it landed: "
                           "check it.",
                           "{header}: '{value}' jauh dari angka desa/kelurahan ini sebelumnya ({extra}); angka "
                           "diterima: periksa kembali."),
    "edit_ratio_column": ("{header}: '{value}' is over 1,000 times off the rest of its column ({extra}); it landed: "
                          "check it.",
                          "{header}: '{value}' berbeda lebih dari 1.000 kali dari isi kolomnya ({extra}); angka "
                          "diterima: periksa kembali."),
    "edit_thousands_separator": ("{header}: '{value}' is 1,000 times below the rest of its column ({extra}): was "
                                 "a thousands separator lost? It landed as written: check it.",
                                 "{header}: '{value}' 1.000 kali lebih kecil dari isi kolomnya ({extra}): apakah "
                                 "pemisah ribuan hilang? Angka diterima seperti tertulis: periksa kembali."),
    "edit_count_domain": ("{header}: '{value}' is read as a count, but {extra}; it landed: check that the column "
                          "holds counts.",
                          "{header}: '{value}' dibaca sebagai jumlah (cacah), tetapi {extra}; angka diterima: "
                          "periksa bahwa kolom berisi jumlah."),
    "edit_parts_within_whole": ("{header}: '{value}' is below what is counted in it ({extra}); it landed: check it.",
                                "{header}: '{value}' lebih kecil dari yang dihitung di dalamnya ({extra}); angka "
                                "diterima: periksa kembali."),
    "edit_date_order": ("{header}: '{value}' breaks the order the rest of the column keeps ({extra}); check the day "
                        "and the month.",
                        "{header}: '{value}' menyalahi urutan tanggal di kolomnya ({extra}); periksa hari dan "
                        "bulannya."),
    "edit_date_sequence": ("{header}: '{value}' comes before {extra}; check both dates.",
                           "{header}: '{value}' lebih awal dari {extra}; periksa kedua tanggal."),
    "edit_date_period": ("{header}: '{value}' is outside the file's period ({extra}); check it.",
                         "{header}: '{value}' di luar periode berkas ({extra}); periksa kembali."),
    "edit_date_future": ("{header}: '{value}' is after the file was received ({extra}); check it.",
                         "{header}: '{value}' setelah berkas diterima ({extra}); periksa kembali."),
    "constraint_error": ("{header}: '{value}' breaks the rule {extra}.",
                         "{header}: '{value}' melanggar aturan {extra}."),
}


def shown_value(column: Column | None, value: str) -> str:
    if column is not None and column.personal and value:
        return mask(value)
    return value


def edit_flag(sheet: str, row: int, column: str, header: str, field: Column | None, value: str, code: str,
              compared: tuple[str, str], expected: tuple[str, str]) -> CellError:
    """A value that failed an edit: it landed, flagged (a warning) with what it was compared with and the value
    expected, in English and Bahasa Indonesia."""
    error = cell_error(sheet, row, column, header, field, value, code, extra=compared)
    error.severity, error.expected, error.expected_id = "warning", expected[0], expected[1]
    return error


NAMED_KINDS = ("identifier", "text", "list")     # kinds whose type alone says nothing to a clerk


def expected_of(field: Column) -> tuple[str, str]:
    """What a cell of `field` should hold, in the clerk's words: (English, Bahasa Indonesia). A number or a
    date by its form (cells.EXPECTED); an identifier or text by the column's name as the template heads it
    (its first alias, "Nomor LP"), with the schema's example: never a bare "nomor identitas" or "teks"."""
    if field.kind not in NAMED_KINDS:
        return EXPECTED.get(field.kind, ("", ""))
    name = field.aliases[0] if field.aliases else field.name
    example_en, example_id = (f", e.g. {field.example}", f", misalnya {field.example}") if field.example else ("", "")
    if field.kind == "list":
        return (f"{name}: {EXPECTED['list'][0]}", f"{name}: {EXPECTED['list'][1]}")
    return f"the {name}{example_en}", f"{name}{example_id}"


def cell_error(sheet: str, row: int, column: str, header: str, field: Column | None, value: str, code: str,
               extra: str | tuple[str, str] = "") -> CellError:
    """`extra`: what the message adds, the same in both languages or as (English, Bahasa Indonesia)."""
    extra_en, extra_id = extra if isinstance(extra, tuple) else (extra, extra)
    kind = field.kind if field else "text"
    expected_en, expected_id = expected_of(field) if field else EXPECTED["text"]
    if code == "negative_value":
        expected_en, expected_id = "zero or more", "nol atau lebih"
    if code == "type_error" and kind == "integer":
        expected_en, expected_id = expected_whole_number(value)
    if code == "not_in_vocabulary" and field and field.allowed:
        expected_en = expected_id = extra_en = extra_id = ", ".join(field.allowed)
    shown = scrub(shown_value(field, value))        # a NIK or phone typed in any column: masked too
    shown = shown if len(shown) <= 200 else shown[:200] + f"... ({len(value):,} characters)"
    header = scrub(header)
    en, id_ = MESSAGES.get(code, MESSAGES["constraint_error"])
    fill = dict(header=header or (field.name if field else ""), value=shown, expected_en=expected_en,
                expected_id=expected_id)
    return CellError(sheet=sheet, row=row, column=column, header=header, field=field.name if field else "",
                     value=shown, code=code, expected=expected_en, message=en.format(**fill, extra=extra_en),
                     message_id=id_.format(**fill, extra=extra_id), expected_id=expected_id)

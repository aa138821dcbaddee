"""The Excel template an agency can fill in, made from a dataset's declaration: headers the ingest
recognises, typed columns with input checks, a dropdown of valid villages (when the warehouse holds
the official list) and an instructions sheet in Bahasa Indonesia.

The template's helper sheets (instructions 'Petunjuk', village list 'Desa') are known to the ingest by
their name and first cell (assets/ingest/helper_sheets.py), so a filled template dropped back is read
with only a note about them. The dropdown names each village with its district
(assets/harmonise/labels.py), so a village picked from it is never ambiguous."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from assets.harmonise.labels import village_labels
from assets.inert import inert_workbook
from assets.ingest.cells import EXPECTED
from assets.ingest.helper_sheets import INSTRUCTIONS_SHEET, INSTRUCTIONS_TITLE, VILLAGE_PICK, VILLAGE_SHEET
from assets.ingest.formats.sheet import column_letter
from schemas.base import Dataset

TEMPLATE_ROWS = 5000          # rows the input checks cover
KIND_FORMAT = {"date": "DD/MM/YYYY", "integer": "#,##0", "amount": '"Rp" #,##0', "year": "0",
               "nik": "@", "code": "@", "identifier": "@", "text": "@", "list": "@"}
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")


def header_of(column) -> str:
    """The first Indonesian alias: what the clerk expects to read, and what the ingest recognises."""
    return column.aliases[0]


def build_template(dataset: Dataset, villages: pd.DataFrame | None = None) -> Workbook:
    """`villages`: current villages (name, district, regency) for the dropdown, or None."""
    columns = [c for c in dataset.columns if c.name != "row_number" and c.stored]
    wb = Workbook()
    data = wb.active
    data.title = "Data"
    data.append([header_of(c) for c in columns])
    for i, column in enumerate(columns, start=1):
        letter = column_letter(i)
        cell = data.cell(row=1, column=i)
        cell.font, cell.alignment = Font(bold=True), Alignment(wrap_text=True, vertical="top")
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        data.column_dimensions[letter].width = max(14, len(cell.value) + 4)
        data.column_dimensions[letter].number_format = KIND_FORMAT[column.kind]
        cells = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        if validation := _validation(column, villages):
            data.add_data_validation(validation)
            validation.add(cells)
        for row in range(2, 12):      # the column format only reaches new cells in some programs
            data.cell(row=row, column=i).number_format = KIND_FORMAT[column.kind]
    data.freeze_panes = "A2"
    if villages is not None and len(villages):
        _village_list(wb, villages)
    _instructions(wb.create_sheet(INSTRUCTIONS_SHEET, 0), dataset, columns,
                  villages is not None and len(villages) > 0)
    wb.active = 1
    return inert_workbook(wb)


def _validation(column, villages) -> DataValidation | None:
    """The column's input check: Excel shows its prompt when a cell is chosen and its message when the
    check fails. A check the sync is more lenient than ("-" for zero, "17 Agustus 2023", a synonym of an
    allowed value, a village not yet on the list) warns and lets the value stand ("warning"); a year
    out of range or a NIK not 16 characters long is stopped ("stop")."""
    id_text = EXPECTED[column.kind][1]
    header = header_of(column)
    if column.allowed:
        listed = ", ".join(column.allowed)
        return _checked(DataValidation(type="list", formula1='"' + ",".join(column.allowed) + '"'), "warning",
                        "Isian tidak sah", f"Pilih salah satu: {listed}.", header, f"Pilih salah satu: {listed}.")
    if column.name == "village_name" and villages is not None and len(villages):
        return _checked(DataValidation(type="list", formula1=f"={VILLAGE_SHEET}!$A$2:$A${len(villages) + 1}"),
                        "warning", "Desa tidak ada di daftar resmi",
                        "Nama desa/kelurahan tidak ada di daftar resmi Kemendagri; periksa ejaannya. Pilih 'Ya' "
                        "untuk tetap memakainya (misalnya desa baru).", header,
                        "Pilih dari daftar: nama desa/kelurahan dengan kecamatannya.")
    if column.kind in ("integer", "year"):
        low, high = (1945, 2100) if column.kind == "year" else (int(column.min_value or 0), 10**12)
        style = "stop" if column.kind == "year" else "warning"
        return _checked(DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high)),
                        style, "Bukan tahun" if column.kind == "year" else "Bukan bilangan bulat",
                        f"Isi dengan {id_text}.", header, f"Isi dengan {id_text}.")
    if column.kind == "amount":
        return _checked(DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0"), "warning",
                        "Bukan nilai rupiah", f"Isi dengan {id_text}.", header, f"Isi dengan {id_text}.")
    if column.kind == "date":
        return _checked(DataValidation(type="date", operator="between", formula1="1", formula2="73051"), "warning",
                        "Bukan tanggal", f"Isi dengan {id_text}.", header, f"Isi dengan {id_text}.")
    if column.kind == "nik":
        return _checked(DataValidation(type="textLength", operator="equal", formula1="16"), "stop",
                        "NIK harus 16 digit", f"Isi dengan {id_text}.", header, f"Isi dengan {id_text}.")
    return None


def _checked(validation: DataValidation, style: str, title: str, error: str, header: str,
             prompt: str) -> DataValidation:
    """`validation` (blank cells allowed) with its error message shown in `style` ("stop": the value is
    refused, "warning": the clerk may keep it) and its input prompt shown when the cell is chosen. Excel
    allows 32 characters of title and 255 of message."""
    validation.allow_blank = True
    validation.errorStyle, validation.showErrorMessage = style, True
    validation.errorTitle, validation.error = title[:32], error[:255]
    validation.promptTitle, validation.prompt, validation.showInputMessage = header[:32], prompt[:255], True
    return validation


def _village_list(wb: Workbook, villages: pd.DataFrame) -> None:
    sheet = wb.create_sheet(VILLAGE_SHEET)
    sheet.append([VILLAGE_PICK, "Desa/Kelurahan", "Kecamatan", "Kabupaten/Kota", "Kode Kemendagri"])
    villages = villages.assign(label=village_labels(villages))
    for row in villages[["label", "name", "district", "regency", "code"]].itertuples(index=False):
        sheet.append(list(row))
    sheet.column_dimensions["A"].width = 48
    sheet.freeze_panes = "A2"
    sheet.protection.sheet = True      # visible, to search and copy from (lists of villages), not to edit


def _instructions(sheet, dataset: Dataset, columns, with_villages: bool) -> None:
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 70
    lines = [
        [f"{INSTRUCTIONS_TITLE}: {dataset.title_id}"],
        ["Isi data pada lembar 'Data', satu baris untuk setiap data, mulai baris 2."],
        ["Jangan mengubah judul kolom di baris 1. Jangan menambah baris jumlah/total atau catatan di bawah tabel."],
        ["Kolom berwarna oranye wajib diisi; kolom biru boleh dikosongkan."],
        ["NIK, kode wilayah dan nomor laporan diketik sebagai teks, supaya Excel tidak mengubah angkanya."],
    ]
    if with_villages:
        for column in columns:
            if column.name == "village_name":
                lines.append([f"Kolom {header_of(column)} dipilih dari daftar resmi Kemendagri (daftar pilihan pada "
                              "kolomnya, juga di lembar 'Desa'). Setiap desa/kelurahan tertulis dengan kecamatannya, "
                              "misalnya 'Air Duren (Kec. Pemali)', karena nama desa yang sama ada di beberapa "
                              "kecamatan; biarkan tertulis begitu."])
            elif column.name == "village_list":
                lines.append([f"Kolom {header_of(column)}: salin nama dari kolom '{VILLAGE_PICK}' di lembar 'Desa', "
                              "dipisah koma, misalnya 'Air Duren (Kec. Pemali), Dukong (Kec. Simpang Pesak)'."])
    elif district := next((c for c in columns if c.name == "district_name"), None):
        lines.append([f"Isi juga kolom {header_of(district)}: nama desa/kelurahan yang sama ada di beberapa "
                      "kecamatan."])
    lines += [["Simpan sebagai .xlsx lalu letakkan di folder instansi Anda; balasan (laporan penerimaan) "
               "dikirim untuk setiap berkas."], [], ["Kolom", "Wajib?", "Isi yang diharapkan"]]
    for line in lines:
        sheet.append(line)
    sheet["A1"].font = Font(bold=True, size=13)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column in columns:
        expected = EXPECTED[column.kind][1]
        if column.allowed:
            expected = "salah satu dari: " + ", ".join(column.allowed)
        if column.personal:
            expected += " (data pribadi: disamarkan saat diterima, tidak disimpan apa adanya)"
        sheet.append([header_of(column), "ya" if column.required else "tidak", expected])


def write_template(dataset: Dataset, out: Path, villages: pd.DataFrame | None = None) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    build_template(dataset, villages).save(out)
    return out

"""Every broken or hostile file gets a clear rejection (code and messages in both languages) and the
sync goes on; file shapes agencies really send are read."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from assets.ingest.formats.guard import MAX_ZIP_ENTRIES, RefusedFile, inspect_file
from assets.ingest.receive import receive_file
from assets.ingest.work_area import WorkArea
from assets.privacy import load_key
from tests.agency_files import (crime_rows, crime_xlsx, encrypted_office_file, entity_bomb_xlsx, legacy_xls, ods,
                                replace_part, sheet_xml)


@pytest.fixture
def work(tmp_path):
    return WorkArea(tmp_path / "work")


def receive(path: Path, work: WorkArea, source: str = "polda"):
    return receive_file(path, source, work, path.parent / "archive", load_key())


def refused_code(path: Path) -> str:
    with pytest.raises(RefusedFile) as refused:
        inspect_file(path)
    assert refused.value.message and refused.value.message_id != refused.value.message
    return refused.value.code


def test_renamed_binary(tmp_path):
    path = tmp_path / "laporan.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert refused_code(path) == "not_spreadsheet"


def test_html_saved_as_xls(tmp_path):
    path = tmp_path / "export.xls"
    path.write_text("<!DOCTYPE html><html><body><table><tr><td>Nomor LP</td></tr></table></body></html>")
    assert refused_code(path) == "html_not_spreadsheet"


def test_empty_file(tmp_path):
    path = tmp_path / "kosong.xlsx"
    path.write_bytes(b"")
    assert refused_code(path) == "empty_file"


def test_password_protected_workbook(tmp_path, work):
    path = encrypted_office_file(tmp_path / "rahasia.xlsx")
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"       # really encrypted: OLE2, no zip
    assert refused_code(path) == "password_protected"
    received = receive(path, work)
    assert received.status == "rejected" and received.problems[0]["code"] == "password_protected"


def test_legacy_xls_workbook(tmp_path, work):
    rows = crime_rows(5)
    rows[2][2] = "31/02/2023"                                       # typed as text, impossible
    received = receive(legacy_xls(tmp_path / "lp_2023.xls", rows), work)
    assert (received.status, received.rows_read, received.rows_accepted, received.rows_rejected) == \
        ("partially_accepted", 5, 4, 1)
    stored = work.accepted("crime_report")
    assert stored["report_number"].tolist() == [r[1] for i, r in enumerate(rows) if i != 2]
    assert stored["report_date"].dt.strftime("%Y-%m-%d").tolist()[:2] == ["2023-01-02", "2023-01-03"]


def test_corrupt_zip(tmp_path):
    path = crime_xlsx(tmp_path / "rusak.xlsx")
    data = bytearray(path.read_bytes())
    data[len(data) // 3: len(data) // 3 + 400] = b"\0" * 400      # damage compressed parts
    path.write_bytes(bytes(data))
    assert refused_code(path) == "corrupt_file"


def test_truncated_zip(tmp_path):
    path = crime_xlsx(tmp_path / "terpotong.xlsx")
    path.write_bytes(path.read_bytes()[:600])
    assert refused_code(path) == "corrupt_file"


def test_xml_entity_bomb_refused_before_reading(tmp_path):
    assert refused_code(entity_bomb_xlsx(tmp_path / "lol.xlsx")) == "xml_entities"


def test_zip_bomb_by_compression_ratio(tmp_path):
    path = crime_xlsx(tmp_path / "bom.xlsx")
    replace_part(path, "xl/worksheets/sheet1.xml", sheet_xml("") + b" " * (8 << 20))   # 8 MB of spaces: ~1000x
    assert refused_code(path) == "zip_bomb"


def test_zip_bomb_by_entry_count(tmp_path):
    path = crime_xlsx(tmp_path / "banyak.xlsx")
    replace_part(path, "", b"", extra={f"xl/media/x{i}.bin": b"" for i in range(MAX_ZIP_ENTRIES + 1)})
    assert refused_code(path) == "zip_bomb"


def test_two_distant_cells_would_need_a_giant_grid(tmp_path):
    # calamine allocates rows x columns: A1 and XFD1048576 asks for 512 GB and aborts the process.
    path = replace_part(crime_xlsx(tmp_path / "jauh.xlsx"), "xl/worksheets/sheet1.xml", sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row>'))
    assert refused_code(path) == "sheet_too_large"
    with pytest.raises(RefusedFile) as refused:
        inspect_file(path)
    # Named as the clerk sees the sheet, with the stray cell to delete, in both languages.
    assert "Sheet 'LP' spans 1,048,576 rows x 16,384 columns" in refused.value.message
    assert "farthest cell is XFD1048576" in refused.value.message
    assert refused.value.message_id.startswith("Lembar 'LP' membentang 1.048.576 baris x 16.384 kolom")


def ods_content(path: Path, rows: str) -> Path:
    """An .ods whose one table holds `rows` (content.xml's table rows as written), indented as Gnumeric does."""
    ods(path, [["x"]], sheet="LP")
    content = ('<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">\n'
               f'  <office:body>\n    <office:spreadsheet>\n      <table:table table:name="LP">\n{rows}\n'
               '      </table:table>\n    </office:spreadsheet>\n  </office:body>\n</office:document-content>\n')
    return replace_part(path, "content.xml", content.encode())


def filled(repeated: int) -> str:
    """A number cell written `repeated` times across (Gnumeric's indented form)."""
    return (f'<table:table-cell table:number-columns-repeated="{repeated}" office:value-type="float" '
            'office:value="1">\n  <text:p>1</text:p>\n</table:table-cell>')


@pytest.mark.parametrize("rows, code, said", [
    # A filled cell repeated across the sheet: calamine would fill every one of them.
    (f"<table:table-row>{filled(16384)}</table:table-row>", "too_many_columns", "Sheet 'LP' has 16,384 columns"),
    # A filled row of 100 cells repeated a million times: 100 million cells.
    (f'<table:table-row table:number-rows-repeated="1000000">{filled(100)}</table:table-row>', "sheet_too_large",
     "Sheet 'LP' spans 1,000,000 rows x 100 columns"),
])
def test_ods_cells_repeated_over_the_grid_are_refused(tmp_path, rows, code, said):
    with pytest.raises(RefusedFile) as refused:
        inspect_file(ods_content(tmp_path / "ulang.ods", rows))
    assert refused.value.code == code and said in refused.value.message, refused.value.message


def test_ods_empty_cells_repeated_to_the_sheet_edge_are_not_counted(tmp_path, work):
    """LibreOffice and Gnumeric end every row with its empty cells repeated to column 16,384, and the sheet
    with its empty rows repeated to row 1,048,576; calamine keeps none of them, nor does the measure."""
    header = "".join(f'<table:table-cell office:value-type="string"><text:p>{h}</text:p></table:table-cell>'
                     for h in ("No", "Nomor LP", "Tgl Lapor", "Jenis Kejahatan", "Desa/Kel TKP", "Kecamatan",
                               "Polsek"))
    data = "".join(f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
                   for v in ("1", "LP/B/1", "17/08/2023", "Curat", "Air Duren", "Sungai Jaya", "Polsek X"))
    edge = '<table:table-cell table:number-columns-repeated="16377"/>'
    rows = (f'<table:table-row>{header}\n{edge}</table:table-row>\n<table:table-row>{data}\n  {edge}'
            '</table:table-row>\n<table:table-row table:number-rows-repeated="1048574">'
            '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>')
    path = ods_content(tmp_path / "lp.ods", rows)
    assert inspect_file(path).kind == "ods"
    received = receive_file(path, "polda", work, tmp_path / "archive", load_key())
    assert (received.datasets, received.rows_accepted) == (["crime_report"], 1), received.problems


def test_ods_content_past_the_prologue_is_parsed_without_a_dtd_and_must_be_well_formed(tmp_path):
    """The prologue check reads 4 KB of content.xml; a DOCTYPE pushed beyond it by a comment is still
    refused by the streamed measure, and a table left unclosed is a damaged file naming the part."""
    ods(tmp_path / "dtd.ods", [["x"]], sheet="LP")
    padded = ('<?xml version="1.0" encoding="UTF-8"?><!--' + "x" * 5000 + '--><!DOCTYPE d [<!ENTITY big "'
              + "y" * 100 + '">]><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:'
              'xmlns:office:1.0"/>')
    with pytest.raises(RefusedFile) as refused:
        inspect_file(replace_part(tmp_path / "dtd.ods", "content.xml", padded.encode()))
    assert refused.value.code == "xml_entities", refused.value.message
    with pytest.raises(RefusedFile) as refused:
        inspect_file(ods_content(tmp_path / "rusak.ods", "<table:table-row><table:table-cell>"))
    assert refused.value.code == "corrupt_file" and "content.xml: mismatched tag" in refused.value.message, \
        refused.value.message


def test_more_rows_than_excel_allows(tmp_path):
    path = replace_part(crime_xlsx(tmp_path / "panjang.xlsx"), "xl/worksheets/sheet1.xml", sheet_xml(
        '<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>x</t></is></c></row>'))
    assert refused_code(path) == "beyond_excel_limits"


def test_binary_named_csv(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(crime_xlsx(tmp_path / "x.xlsx").read_bytes())
    assert refused_code(path) == "not_spreadsheet"


def test_only_empty_sheets(tmp_path, work):
    wb = openpyxl.Workbook()
    wb.create_sheet("Kosong 2")
    wb.save(tmp_path / "kosong.xlsx")
    received = receive(tmp_path / "kosong.xlsx", work)
    assert received.status == "rejected" and [p["code"] for p in received.problems] == ["no_data"]


def test_refused_file_is_archived_and_answered(tmp_path, work):
    path = entity_bomb_xlsx(tmp_path / "lol.xlsx")
    received = receive(path, work)
    assert received.status == "rejected" and received.problems[0]["code"] == "xml_entities"
    assert (tmp_path / "archive" / received.sha256[:2] / f"{received.sha256}.xlsx").exists()
    assert work.manifest(received.sha256)["problems"][0]["code"] == "xml_entities"


def test_cell_longer_than_excel_allows(tmp_path, work):
    rows = crime_rows(3)
    rows[1][3] = "x" * 40_000
    received = receive(crime_xlsx(tmp_path / "panjang.xlsx", rows), work)
    assert (received.rows_accepted, received.rows_rejected) == (2, 1)
    errors = work.rejections()
    assert errors[["row", "column", "code"]].values.tolist() == [[4, "D", "text_too_long"]]


def test_formula_without_saved_result(tmp_path, work):
    path = tmp_path / "rumus.xlsx"
    rows = crime_rows(2)
    rows[1][4] = '=UPPER("air duren")'          # openpyxl saves formulas without a cached value
    crime_xlsx(path, rows)
    received = receive(path, work)
    # Computed from the formula (the `formulas` library): the village is AIR DUREN, the row lands.
    assert any("1 formula result(s) saved without a result were computed from the sheet's cells (E4)" in n
               for n in received.notes), received.notes
    assert received.rows_rejected == 0 and received.rows_accepted == 2


def test_macro_enabled_workbook_is_read_not_run(tmp_path, work):
    path = crime_xlsx(tmp_path / "makro.xlsx")
    xlsm = replace_part(path, "", b"", out=tmp_path / "makro.xlsm",
                        extra={"xl/vbaProject.bin": b"Attribute VB_Name = \"Module1\"\nSub Auto_Open()\nEnd Sub"})
    received = receive(xlsm, work)
    assert received.rows_accepted == 3 and received.status == "accepted"
    assert any("macros" in n and "no macro was run" in n for n in received.notes)


def test_odd_file_name_is_harmless(tmp_path, work):
    name = "..\\..\\etc\\laporan\n2023 <final>?.xlsx"
    path = crime_xlsx(tmp_path / name)
    received = receive(path, work)
    assert received.rows_accepted == 3 and received.file_name == name
    assert any("characters that were replaced" in n for n in received.notes)
    assert sorted(p.name for p in (tmp_path / "work").rglob("*") if p.is_file() and p.suffix) == sorted(
        [f"{received.sha256}.json", f"{received.sha256}.parquet", f"{received.sha256}.parquet"])


# -- shapes agencies send -------------------------------------------------------------------------------
def test_ods_workbook(tmp_path, work):
    path = ods(tmp_path / "lp.ods", [["Laporan Polisi 2023"], ["No", "Nomor LP", "Tgl Lapor", "Jenis Kejahatan",
                                                            "Desa/Kel TKP", "Kecamatan", "Polsek"],
                                    ["1", "LP/B/1", "17/08/2023", "Curat", "Air Duren", "Sungai Jaya", "Polsek X"],
                                    ["2", "LP/B/2", "17 Agustus 2023", "Curas", "Sidorejo", "Mendo", "Polsek Y"]])
    received = receive(path, work)
    assert (received.datasets, received.rows_accepted) == (["crime_report"], 2)


@pytest.mark.parametrize("encoding, separator", [("utf-8-sig", ","), ("cp1252", ";"), ("utf-8", "\t")])
def test_csv_encodings_and_separators(tmp_path, work, encoding, separator):
    lines = ["Laporan Polisi – 2023", separator.join(["No", "Nomor LP", "Tgl Lapor", "Jenis Kejahatan",
                                                      "Desa/Kel TKP", "Kecamatan", "Polsek"]),
             separator.join(["1", "LP/B/1", "17/08/2023", "Penipuan", "Air Duren", "Sungai Jaya", "Polsek X"])]
    path = tmp_path / "lp.csv"
    path.write_bytes("\r\n".join(lines).encode(encoding))
    received = receive(path, work)
    assert (received.datasets, received.rows_accepted) == (["crime_report"], 1)


def test_hidden_rows_columns_and_sheets_are_reported(tmp_path, work):
    path = crime_xlsx(tmp_path / "tersembunyi.xlsx", crime_rows(4))
    wb = openpyxl.load_workbook(path)
    ws = wb["LP"]
    ws.row_dimensions[4].hidden = True
    ws.column_dimensions["G"].hidden = True
    extra = wb.create_sheet("Lama")
    extra.append(["catatan lama"])
    extra.sheet_state = "hidden"
    wb.save(path)
    received = receive(path, work)
    assert received.rows_accepted == 4       # hidden rows are data like any other, and said so
    assert received.hidden["LP"] == {"rows": [4], "columns": ["G"]}
    assert received.hidden["Lama"] == {"sheet_hidden": True}


def test_year_from_the_title_when_there_is_no_year_column(tmp_path, work):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Bangka"
    ws.append(["Jumlah UMKM Menurut Desa, Kabupaten Bangka, Tahun 2022"])
    ws.append(["Desa/Kelurahan", "Kecamatan", "Mikro", "Kecil", "Menengah"])
    ws.append(["Air Duren", "Sungai Jaya", 10, 2, 0])
    wb.save(tmp_path / "umkm.xlsx")
    received = receive(tmp_path / "umkm.xlsx", work, "bps")
    assert received.period == {"Bangka": {"year": 2022, "from": "title row 1 ('Jumlah UMKM Menurut Desa, "
                                                                 "Kabupaten Bangka, Tahun 2022')"}}
    assert work.accepted("msme_village_count")["year"].tolist() == [2022]


def test_year_from_the_file_name(tmp_path, work):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Desa/Kelurahan", "Kecamatan", "Mikro", "Kecil", "Menengah"])
    ws.append(["Air Duren", "Sungai Jaya", 10, 2, 0])
    wb.save(tmp_path / "umkm_bangka_2021.xlsx")
    received = receive(tmp_path / "umkm_bangka_2021.xlsx", work, "bps")
    assert received.period["Sheet"]["from"] == "file name 'umkm_bangka_2021.xlsx'"
    assert work.accepted("msme_village_count")["year"].tolist() == [2021]


def test_unrecognised_file_names_closest_dataset(tmp_path, work):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Nomor LP", "Tgl Lapor", "Warna Favorit", "Hobi"])
    ws.append(["LP/1", "17/08/2023", "biru", "catur"])
    wb.save(tmp_path / "aneh.xlsx")
    received = receive(tmp_path / "aneh.xlsx", work)
    problem = received.problems[0]
    assert problem["code"] == "dataset_not_recognised"
    assert "closest is crime_report" in problem["message"] and "crime_type" in problem["message"]
    assert "Warna Favorit" in problem["message"] and "paling mirip 'Laporan polisi" in problem["message_id"]
    # In Bahasa Indonesia the missing column is named by its header, as the clerk knows it.
    assert "kolom yang kurang: Jenis Kejahatan" in problem["message_id"] and "crime_type" not in problem["message_id"]


def test_sync_goes_on_after_hostile_files(tmp_path, work):
    folder = tmp_path / "polda"
    folder.mkdir()
    entity_bomb_xlsx(folder / "a_bom.xlsx")
    (folder / "b_kosong.xlsx").write_bytes(b"")
    crime_xlsx(folder / "c_baik.xlsx")
    results = [receive(p, work) for p in sorted(folder.iterdir()) if p.is_file()]
    assert [r.status for r in results] == ["rejected", "rejected", "accepted"]
    assert len(work.accepted("crime_report")) == 3
    assert json.loads(work.manifest_path(results[1].sha256).read_text())["problems"][0]["code"] == "empty_file"

"""Reading what agencies send: title rows, merged two-row headers, column numbers, subtotals, footnotes,
cp1252 CSV; errors naming sheet, row and column; duplicates counted once."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from assets.ingest.receive import receive_file
from assets.ingest.work_area import WorkArea
from assets.ingest.formats.text import read_csv
from assets.privacy import load_key


def msme_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Bangka"
    ws.append(["Jumlah UMKM Menurut Desa/Kelurahan dan Skala Usaha"])
    ws.append(["Kabupaten Bangka, 2023"])
    ws.append([])
    ws.append(["No", "Kode Wilayah", "Kecamatan", "Desa/Kelurahan", "Tahun", "Jumlah Usaha", None, None,
               "Jumlah Penduduk"])
    ws.append([None, None, None, None, None, "Mikro", "Kecil", "Menengah", None])
    ws.merge_cells("F4:H4")
    for col in "ABCDEI":
        ws.merge_cells(f"{col}4:{col}5")
    ws.append([f"({i})" for i in range(1, 10)])
    ws.append([1, "1901050001", "Sungai Jaya", "AIRDUREN", 2023, "1.204", 35, "-", "3.456"])    # row 7
    ws.append([2, 1901050002, "Sungai Jaya", "Sidorejo", 2023, 410, 20, 1, 2100])              # row 8
    ws.append([3, "1901050003", "Sungai Jaya", "Sidorojo", 2023, -5, 20, 1, 2100])             # row 9: negative
    ws.append([None, None, "Jumlah Kecamatan Sungai Jaya", None, None, 1609, 75, 2, 7656])      # row 10
    ws.append([4, "1901031001", "Mendo", "Air Duren", "2023", "abc", 3, 0, 900])                # row 11: type error
    ws.append([])
    ws.append(["Sumber: BPS Kabupaten Bangka"])
    wb.save(path)
    return path


def received_sheet(tmp_path, work, name: str, source: str, rows: list[list]):
    """A one-sheet workbook holding `rows`, received from an agency's folder."""
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(tmp_path / name)
    return receive_file(tmp_path / name, source, work, tmp_path / "archive", load_key())


@pytest.fixture
def work(tmp_path):
    return WorkArea(tmp_path / "work")


def test_msme_sheet_read_with_its_layout(tmp_path, work):
    path = msme_workbook(tmp_path / "umkm.xlsx")
    received = receive_file(path, "bps", work, tmp_path / "archive", load_key())
    assert received.datasets == ["msme_village_count"]
    # Counts that cannot be read cost their cell only: rows 9 and 11 land without a micro count, flagged.
    assert (received.rows_read, received.rows_accepted, received.rows_rejected) == (8, 4, 0)
    assert received.cells_flagged == 2
    assert received.rows_read == received.rows_accepted + received.rows_rejected + received.rows_skipped
    assert sorted((s["row"], s["reason"]) for s in received.skipped) == [
        (6, "column_numbers"), (10, "subtotal"), (12, "blank"), (13, "note")]
    rows = work.accepted("msme_village_count")
    assert rows[["source_row", "village_code", "msme_micro", "msme_small", "msme_medium", "population"]] \
        .fillna(-1).values.tolist() == [[7, "1901050001", 1204, 35, 0, 3456], [8, "1901050002", 410, 20, 1, 2100],
                                        [9, "1901050003", -1, 20, 1, 2100], [11, "1901031001", -1, 3, 0, 900]]
    errors = pd.read_parquet(work.rejections_path(received.sha256))
    assert errors[["sheet", "row", "column", "header", "value", "code", "severity"]].values.tolist() == [
        ["Bangka", 11, "F", "Jumlah Usaha Mikro", "abc", "type_error", "warning"],
        ["Bangka", 9, "F", "Jumlah Usaha Mikro", "-5", "negative_value", "warning"],
    ]
    assert "seharusnya" in errors.loc[0, "message_id"] and "expected" in errors.loc[0, "message"]


def test_same_content_twice_is_counted_once(tmp_path, work):
    first = msme_workbook(tmp_path / "umkm.xlsx")
    again = tmp_path / "umkm (1).xlsx"
    again.write_bytes(first.read_bytes())
    key = load_key()
    assert receive_file(first, "bps", work, tmp_path / "archive", key).status == "accepted"
    assert receive_file(again, "bps", work, tmp_path / "archive", key).status == "duplicate"
    assert receive_file(first, "bps", work, tmp_path / "archive", key).status == "unchanged"
    assert len(work.manifests()) == 1 and len(work.accepted("msme_village_count")) == 4
    assert len(list((tmp_path / "archive").rglob("*.xlsx"))) == 1


def test_program_file_personal_data_is_replaced(tmp_path, work):
    received = received_sheet(tmp_path, work, "peserta.xlsx", "koperasi", [
        ["Daftar Peserta Program 2023"],
        ["No", "Nama Usaha", "Nama Pemilik", "NIK", "No. HP", "Alamat", "Desa/Kel", "Kecamatan",
         "Kabupaten/Kota", "Sektor", "Program", "Tanggal", "Nilai (Rp)"],
        [1, "Warung Bu Sari", "Sari Wulandari", "1901014508900001", "0812-3456-7890", "Jl. Mawar 1",
         "Ds. Airduren", "Kec. Mendo", "Kab. Bangka", "Kuliner", "KUR", dt.date(2023, 8, 17), "Rp 1.500.000"],
        [2, "Toko Maju", "Budi", 1901011203850000.0, "", "", "Sidorejo", "Sungai Jaya", "Bangka",
         "Perdagangan", "QRIS", "31/02/2023", ""],
        [3, "Warung Bu Sari", "Sari Wulandari", "1901014508900001", "", "", "Air Duren", "Mendo", "Bangka",
         "Kuliner", "Pelatihan", "17 Agustus 2023", None],
    ])
    rows = work.accepted("program_participation")
    assert received.rows_accepted == 2 and received.rows_rejected == 1
    assert {"nik", "owner_name", "phone", "address", "business_name"}.isdisjoint(rows.columns)
    assert rows["business_key"].nunique() == 1 and len(rows["business_key"][0]) == 24 and rows["business_key"][0].isalnum()
    assert rows["participation_date"].dt.date.tolist() == [dt.date(2023, 8, 17)] * 2
    errors = pd.read_parquet(work.rejections_path(received.sha256)).sort_values("column")
    assert errors[["row", "column", "code"]].values.tolist() == [[4, "D", "invalid_nik"], [4, "L", "invalid_date"]]
    assert "19010112" not in " ".join(errors["value"]) and errors.iloc[0]["value"].startswith("1901")
    manifest = json.loads(work.manifest_path(received.sha256).read_text())
    assert "Sari" not in json.dumps(manifest)


def test_semicolon_cp1252_csv():
    text = "Jumlah UMKM Kabupaten Tuban – 2023\nKode Desa;Nama Desa;Kec.;Tahun\n3523012001;Sidorejo;Bangilan;2023\n"
    sheet = read_csv(text.encode("cp1252"))
    assert sheet.rows[0] == ["Jumlah UMKM Kabupaten Tuban – 2023"]
    assert sheet.rows[2] == ["3523012001", "Sidorejo", "Bangilan", "2023"]


def test_file_that_is_no_spreadsheet_is_rejected_with_a_reason(tmp_path, work):
    path = tmp_path / "laporan.xlsx"
    path.write_bytes(b"<html><body>not a workbook</body></html>")
    received = receive_file(path, "polda", work, tmp_path / "archive", load_key())
    assert received.status == "rejected" and received.problems[0]["code"] == "html_not_spreadsheet"
    assert "halaman web (HTML)" in received.problems[0]["message_id"]


@pytest.mark.parametrize("dataset, header, column", [
    ("msme_village_count", "NAMA\nKELURAHAN/DESA", "village_name"),        # words in the other order, a line break
    ("msme_village_count", "Desa / Kel.", "village_name"),                  # a short form
    ("msme_village_count", "Population (persons)", "population"),           # a unit in brackets
    ("village_cooperative", "Jumlah Anggota (orang)", "members"),
    ("program_participation", "PLAFON (Rp)", "amount"),
    ("program_participation", "Nama Pemilik Usaha", "owner_name"),          # contains an alias as a phrase
    ("crime_report", "Tanggal Kejadian Perkara", "incident_date"),
    ("crime_report", "Tgl. Lapor", "report_date"),
    ("bhabinkamtibmas_activity", "Tgl. Kegiatan", "activity_date"),
    ("msme_village_count", "Jumlah Usaha Mikro dan Kecil", None),          # two aliases as phrases: names neither
    ("crime_report", "Keterangan Lain", None),
    ("msme_village_count", "Penduduk Miskin", None),                       # a one-word alias inside: nothing
    ("village_cooperative", "Kode Pos", None),
    ("program_participation", "Tanggal Terbit Sertifikat", "participation_date"),
])
def test_header_variants_clerks_write(dataset, header, column):
    from assets.ingest.layout import _alias_index, match_header
    from schemas import DATASETS
    assert match_header([header], _alias_index(DATASETS[dataset])) == column


def test_unseen_header_wording_is_recognised_and_unread_columns_are_named(tmp_path, work):
    received = received_sheet(tmp_path, work, "rekap umkm.xlsx", "bps", [
        ["REKAPITULASI UMKM PER DESA KEADAAN TAHUN 2023"],
        ["NO", "KEC.", "NAMA\nKELURAHAN/DESA", "JML USAHA MIKRO", "USAHA KECIL", "USAHA MENENGAH",
         "PENDUDUK (JIWA)", "LUAS WILAYAH (KM2)"],
        [1, "Mendo", "Air Duren", "1.204", 35, "-", "3.456", 12.5],
    ])
    assert (received.datasets, received.rows_accepted, received.rows_rejected) == (["msme_village_count"], 1, 0)
    rows = work.accepted("msme_village_count")
    assert rows[["village_name", "district_name", "year", "msme_micro", "msme_medium", "population"]] \
        .values.tolist() == [["Air Duren", "Mendo", 2023, 1204, 0, 3456]]
    assert any("columns not read" in n and "LUAS WILAYAH (KM2)" in n for n in received.notes)
    # "JML USAHA MIKRO" holds the alias "Jumlah Usaha Mikro" exactly; no column here was read loosely.
    assert not any("close match" in n for n in received.notes)


def test_columns_read_by_a_close_match_are_named(tmp_path, work):
    received = received_sheet(tmp_path, work, "umkm.xlsx", "bps", [
        ["Desa/Kelurahan", "Kecamatan", "Tahun", "Mikro", "Kecil", "Menengah", "Jumlah Penduduk Terdaftar"],
        ["Air Duren", "Mendo", 2023, 10, 2, 0, 310],
    ])
    assert "sheet 'Sheet': columns read by a close match of their header: G 'Jumlah Penduduk Terdaftar' as " \
           "population" in received.notes
    assert any("kolom dibaca karena judulnya mirip: G 'Jumlah Penduduk Terdaftar' sebagai population" in n
               for n in received.notes_id)
    [loose] = [d for d in received.decisions if d["column"] == "G"]
    assert loose["value_id"] == "G 'Jumlah Penduduk Terdaftar' dibaca sebagai jumlah penduduk"


def test_a_header_naming_a_measure_with_a_qualifier_is_not_read_as_it(tmp_path, work):
    received = received_sheet(tmp_path, work, "umkm.xlsx", "bps", [
        ["Desa/Kelurahan", "Kecamatan", "Tahun", "Mikro", "Kecil", "Menengah", "Jumlah Penduduk Miskin",
         "Mikro (%)"],
        ["Air Duren", "Mendo", 2023, 10, 2, 0, 310, 1.5],
    ])
    assert received.layouts["Sheet"]["msme_micro"] == ["D", "Mikro"] and "population" not in received.layouts["Sheet"]
    declined = [d["value_id"] for d in received.decisions if d["value_id"].startswith("Kolom")]
    assert declined == ["Kolom 'Jumlah Penduduk Miskin' tidak dibaca sebagai jumlah penduduk",
                        "Kolom 'Mikro (%)' tidak dibaca sebagai mikro"]


def test_district_named_only_in_the_title_scopes_the_rows(tmp_path, work):
    received = received_sheet(tmp_path, work, "tabel 3.2.xlsx", "bps", [
        ["JUMLAH UMKM MENURUT DESA DI KECAMATAN PASIR NANGKA KEADAAN TAHUN 2023"],
        ["No", "Desa/Kelurahan", "Mikro", "Kecil", "Menengah"],
        [1, "Simpang Hitam", 813, 24, 3],
    ])
    assert received.rows_accepted == 1
    assert work.accepted("msme_village_count")[["district_name", "year"]].values.tolist() == [["Pasir Nangka", 2023]]
    assert any("district Pasir Nangka taken from the title row 1" in n for n in received.notes)


@pytest.mark.parametrize("title, district", [
    ("Kecamatan Mendo Dalam Angka 2024", "Mendo"), ("UMKM_Kec_Sungai_Minggin_2022", "Sungai Minggin"),
    ("Kec. Sungai Liat, Kabupaten Bangka", "Sungai Liat"), ("Jumlah UMKM Menurut Kecamatan dan Desa", None),
    ("Kecamatan Mendo dan Kecamatan Puding Besar", None),
])
def test_district_in_a_title(title, district):
    from assets.ingest.period import single_district
    assert single_district(title) == district


@pytest.mark.parametrize("form", ["xlsx_calamine", "xlsx_arrow", "xls"])
def test_merged_label_cells_are_read_on_every_row_they_span(tmp_path, work, monkeypatch, form):
    """A district merged over its villages gives each of them the district; a count merged over rows is
    not repeated (it would be counted once per row): the rows under its first lack it."""
    from assets.ingest.formats import workbook
    header = ["No", "Kecamatan", "Desa/Kelurahan", "Tahun", "Mikro", "Kecil", "Menengah"]
    body = [[1, "Sungai Jaya", "Air Duren", 2023, 10, 2, 0], [2, None, "Sidorejo", 2023, 11, 3, 1],
            [3, None, "Jelutung", 2023, 12, None, 0], [4, "Mendo", "Kimak", 2023, 13, 5, 0]]
    if form == "xls":
        import xlwt
        book = xlwt.Workbook()
        ws = book.add_sheet("UMKM")
        for c, text in enumerate(header):
            ws.write(0, c, text)
        for r, row in enumerate(body, start=1):
            for c, value in enumerate(row):
                if value is not None and not (c == 1 and r in (1, 2, 3)) and not (c == 5 and r in (2, 3)):
                    ws.write(r, c, value)
        ws.write_merge(1, 3, 1, 1, "Sungai Jaya")
        ws.write_merge(2, 3, 5, 5, 3)
        path = tmp_path / "umkm.xls"
        book.save(str(path))
    else:
        monkeypatch.setattr(workbook, "FAST_READ_BYTES", 0 if form == "xlsx_arrow" else workbook.FAST_READ_BYTES)
        book = openpyxl.Workbook()
        ws = book.active
        ws.title = "UMKM"
        for row in [header, *body]:
            ws.append(row)
        ws.merge_cells("B2:B4")
        ws.merge_cells("F3:F4")
        path = tmp_path / "umkm.xlsx"
        book.save(path)
    received = receive_file(path, "bps", work, tmp_path / "archive", load_key())
    rows = work.accepted("msme_village_count").sort_values("source_row")
    # The count 3 merged over Sidorejo and Jelutung is theirs together: neither gets it, both are flagged.
    assert rows[["village_name", "district_name", "msme_small"]].fillna(-1).values.tolist() == [
        ["Air Duren", "Sungai Jaya", 2], ["Sidorejo", "Sungai Jaya", -1], ["Jelutung", "Sungai Jaya", -1],
        ["Kimak", "Mendo", 5]]
    errors = pd.read_parquet(work.rejections_path(received.sha256))
    assert errors[["row", "column", "code", "severity"]].values.tolist() == [
        [3, "F", "merged_over_rows", "warning"], [4, "F", "merged_over_rows", "warning"]]
    assert any("merged cells B2:B4 read as their value on every row" in n for n in received.notes)


def test_a_sheet_like_a_dataset_left_unread_makes_the_file_partial_and_instructions_do_not(tmp_path, work):
    wb = openpyxl.Workbook()
    wb.active.title = "Petunjuk"
    wb.active.append(["Isi satu baris per desa. Jangan ubah judul kolom."])
    data = wb.create_sheet("2023")
    data.append(["Desa/Kelurahan", "Kecamatan", "Mikro", "Kecil", "Menengah"])
    data.append(["Air Duren", "Mendo", 10, 2, 0])
    path = tmp_path / "umkm 2023.xlsx"
    wb.save(path)
    received = receive_file(path, "bps", work, tmp_path / "archive", load_key())
    assert (received.status, received.problems) == ("accepted", [])
    assert any("'Petunjuk': no table header recognised" in n for n in received.notes)

    odd = wb.create_sheet("Pelatihan")          # a table with two of the dataset's columns, the rest unknown
    odd.append(["Desa/Kelurahan", "Kecamatan", "Peserta Pelatihan"])
    odd.append(["Air Duren", "Mendo", 12])
    wb.save(path)
    received = receive_file(path, "bps", work, tmp_path / "archive", load_key())
    assert received.status == "partially_accepted" and received.rows_accepted == 1
    assert [p["code"] for p in received.problems] == ["dataset_not_recognised"]


def test_page_footers_and_signature_block_are_left_out_not_rejected(tmp_path, work):
    received = received_sheet(tmp_path, work, "umkm.xlsx", "bps", [
        ["Desa/Kelurahan", "Kecamatan", "Mikro", "Kecil", "Menengah", "Tahun"],
        ["Air Duren", "Mendo", 10, 2, 0, 2023],
        ["Halaman 1/2"],
        ["Kimak", "Mendo", 11, 3, 1, 2023],
        [],
        [None, None, None, "Sungailiat, 20 Desember 2024"],
        [None, None, None, "Kepala Dinas Koperasi dan UKM,"],
        [None, None, None, "(Drs. Budi Santoso)"],
        [None, None, None, "NIP. 19750101 200003 1 001"],
    ])
    assert (received.status, received.rows_accepted, received.rows_rejected) == ("accepted", 2, 0)
    assert [(s["row"], s["reason"]) for s in received.skipped] == [
        (3, "note"), (5, "blank"), (6, "note"), (7, "note"), (8, "note"), (9, "note")]


def test_a_police_signature_block_is_left_out_not_rejected(tmp_path, work):
    """Under a Polres register: the place and date, the signatory's post, rank and name, and NRP."""
    received = received_sheet(tmp_path, work, "lp_nov.xlsx", "polda", [
        ["No", "Nomor LP", "Tgl Lapor", "Jenis Kejahatan", "Desa/Kel TKP", "Kecamatan"],
        [1, "LP/B/1/XI/2023/SPKT/POLRES BANGKA", dt.date(2023, 11, 5), "Curat", "Air Duren", "Mendo"],
        [2, "LP/B/2/XI/2023/SPKT/POLRES BANGKA", dt.date(2023, 11, 6), "Curas", "Kimak", "Mendo"],
        [],
        ["Sungailiat, 30 November 2023"],
        ["KASAT RESKRIM POLRES BANGKA"],
        [],
        ["AKP BUDI SANTOSO, S.H."],
        [None, "NRP 85061234"],
    ])
    assert (received.status, received.rows_accepted, received.rows_rejected) == ("accepted", 2, 0)
    assert [(s["row"], s["reason"]) for s in received.skipped] == [
        (4, "blank"), (5, "note"), (6, "note"), (7, "blank"), (8, "note"), (9, "note")]


def test_district_headings_inside_a_table_place_the_rows_under_them(tmp_path, work):
    """Two districts' tables one under the other, each under its own heading; the title names the
    first. Each row takes the district of the heading above it."""
    received = received_sheet(tmp_path, work, "umkm dua kecamatan.xlsx", "bps", [
        ["JUMLAH UMKM KECAMATAN SUNGAI JAYA TAHUN 2023"],
        ["No", "Desa/Kelurahan", "Mikro", "Kecil", "Menengah"],
        [1, "Air Duren", 10, 2, 0],
        [],
        ["KECAMATAN MENDO"],
        ["No", "Desa/Kelurahan", "Mikro", "Kecil", "Menengah"],
        [1, "Air Duren", 11, 3, 1],
    ])
    assert (received.rows_accepted, received.rows_rejected) == (2, 0)
    rows = work.accepted("msme_village_count").sort_values("source_row")
    assert rows[["source_row", "village_name", "district_name", "msme_micro"]].values.tolist() == [
        [3, "Air Duren", "Sungai Jaya", 10], [7, "Air Duren", "Mendo", 11]]
    assert [(s["row"], s["reason"]) for s in received.skipped] == [
        (4, "blank"), (5, "district_heading"), (6, "header_repeat")]


def test_program_written_another_way_or_named_only_in_the_title(tmp_path, work):
    programs = ["Kredit Usaha Rakyat (KUR)", "SERTIFIKASI HALAL", "Bimtek UMKM", "Pelatihan QRIS"]
    received = received_sheet(tmp_path, work, "peserta.xlsx", "koperasi", [
        ["No", "Nama Pemilik", "NIK", "Desa/Kel", "Kecamatan", "Program", "Tanggal"],
        *([i + 1, "Sari", "1901014508900001", "Air Duren", "Mendo", program, "17/08/2023"]
          for i, program in enumerate(programs)),
    ])
    assert work.accepted("program_participation")["program"].tolist() == ["KUR", "Sertifikasi Halal", "Pelatihan"]
    errors = pd.read_parquet(work.rejections_path(received.sha256))
    assert errors[["row", "column", "code", "value"]].values.tolist() == [[5, "F", "not_in_vocabulary", "Pelatihan QRIS"]]

    received = received_sheet(tmp_path, work, "sehati.xlsx", "koperasi", [
        ["DAFTAR PENERIMA SERTIFIKASI HALAL GRATIS (SEHATI) TAHUN 2024"],
        ["No", "Nama Pemilik", "NIK", "Desa/Kel", "Kecamatan", "Tanggal Terbit"],
        [1, "Sari", "1901014508900001", "Air Duren", "Mendo", "5 Maret 2024"],
    ])
    assert received.rows_accepted == 1
    assert any("program Sertifikasi Halal taken from the title row 1" in n for n in received.notes)


def test_a_file_in_another_agency_folder_says_where_it_belongs(tmp_path, work):
    from tests.agency_files import crime_xlsx
    path = crime_xlsx(tmp_path / "lp.xlsx")
    received = receive_file(path, "bps", work, tmp_path / "archive", load_key())
    assert (received.status, received.rows_accepted) == ("rejected", 0)
    assert [p["code"] for p in received.problems] == ["wrong_folder"]
    assert "drop the file in inbox/polda/" in received.problems[0]["message"]
    assert "letakkan berkas di inbox/polda/" in received.problems[0]["message_id"]


def test_one_officer_one_key_however_the_nrp_is_grouped():
    from assets.privacy import pseudonym
    assert pseudonym(b"k" * 32, "nrp", "77.02.1234") == pseudonym(b"k" * 32, "nrp", "77021234") \
        == pseudonym(b"k" * 32, "nrp", "7702 1234")
    assert pseudonym(b"k" * 32, "nrp", "77021234") != pseudonym(b"k" * 32, "nik", "77021234")


def crime_register(tmp_path, work, name: str, dates: list[tuple[str, str]], title: str = "Register LP 2024"):
    """A police register with text dates as a clerk typed them: (report number, report date)."""
    return received_sheet(tmp_path, work, name, "polda", [
        [title], ["No", "Nomor LP", "Tgl Lapor", "Jenis Kejahatan", "Desa/Kel TKP", "Kecamatan", "Polsek"],
        *([i, number, date, "Curat", "Air Duren", "Sungai Jaya", "Polsek Sungai Jaya"]
          for i, (number, date) in enumerate(dates, start=1))])


def test_day_month_order_is_decided_per_column_or_flagged(tmp_path, work):
    # One value (25/03) can only be day-first: the column is day-first, 04/03 is 4 March.
    received = crime_register(tmp_path, work, "lp_a.xlsx", [("LP/B/1/III/2024/SPKT", "04/03/2024"),
                                                            ("LP/B/2/III/2024/SPKT", "25/03/2024")])
    rows = work.accepted("crime_report")
    assert sorted(rows["report_date"].dt.strftime("%Y-%m-%d")) == ["2024-03-04", "2024-03-25"]
    # Every value readable both ways, and the report numbers name the month: they decide (month-first here).
    received = crime_register(tmp_path, work, "lp_b.xlsx", [("LP/B/3/IV/2024/SPKT", "04/03/2024"),
                                                            ("LP/B/4/V/2024/SPKT", "05/06/2024")])
    rows = work.accepted("crime_report")
    mine = rows[rows["source_file"] == received.sha256]
    assert sorted(mine["report_date"].dt.strftime("%Y-%m-%d")) == ["2024-04-03", "2024-05-06"]
    # Nothing decides (no report month): each ambiguous date is flagged, never guessed.
    received = crime_register(tmp_path, work, "lp_c.xlsx", [("A-7", "04/03/2024"), ("A-8", "05/06/2024"),
                                                            ("A-9", "07/07/2024")])
    errors = pd.read_parquet(work.rejections_path(received.sha256))
    assert errors[["row", "code", "severity"]].values.tolist() == [
        [3, "ambiguous_date_order", "error"], [4, "ambiguous_date_order", "error"]]
    assert received.rows_accepted == 1      # 07/07 is the same day either way


def test_a_date_contradicting_its_report_number_or_far_from_the_period_is_flagged(tmp_path, work):
    received = crime_register(tmp_path, work, "lp_d.xlsx", [
        ("LP/B/1/II/2024/SPKT", "03/02/2024"), ("LP/B/2/II/2024/SPKT", "03/07/2024"),
        ("LP/B/3/III/2024/SPKT", "15/03/2019")])
    errors = pd.read_parquet(work.rejections_path(received.sha256))
    assert errors[["row", "column", "code"]].values.tolist() == [
        [4, "C", "date_contradicts_report_number"], [5, "C", "date_contradicts_report_number"]]
    assert "Februari 2024" in errors.loc[0, "message_id"] and "February 2024" in errors.loc[0, "message"]
    received = crime_register(tmp_path, work, "lp_e.xlsx", [("A-1", "03/02/2024"), ("A-2", "13/02/2031"),
                                                            ("A-3", "14/02/2024")], title="Register LP 2024")
    errors = pd.read_parquet(work.rejections_path(received.sha256))
    assert errors[["row", "code"]].values.tolist() == [[4, "date_out_of_period"]]


def test_years_laid_out_as_columns_are_read_one_row_per_village_and_year(tmp_path, work):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "UMKM"
    ws.append(["Jumlah UMKM menurut Desa, Kecamatan Sungai Jaya, 2021-2023"])
    ws.append(["No", "Desa/Kelurahan", "Mikro", None, None, "Kecil", None, None, "Menengah", None, None])
    ws.append([None, None, 2021, 2022, 2023, "2021", "2022", "2023", 2021, 2022, 2023])
    for area in ("C2:E2", "F2:H2", "I2:K2", "A2:A3", "B2:B3"):
        ws.merge_cells(area)
    ws.append([1, "Air Duren", 400, 405, 410, 30, 31, 31, 2, 2, 2])
    ws.append([2, "Sidorejo", 200, "abc", 205, 15, 16, 17, 0, 0, 0])
    ws.append([None, "Jumlah", 600, 405, 615, 45, 47, 48, 2, 2, 2])
    wb.save(tmp_path / "umkm_lebar.xlsx")
    received = receive_file(tmp_path / "umkm_lebar.xlsx", "bps", work, tmp_path / "archive", load_key())
    rows = work.accepted("msme_village_count").sort_values(["village_name", "year"])
    assert rows[["village_name", "year", "msme_micro", "msme_small", "msme_medium"]].fillna(-1).values.tolist() == [
        ["Air Duren", 2021, 400, 30, 2], ["Air Duren", 2022, 405, 31, 2], ["Air Duren", 2023, 410, 31, 2],
        ["Sidorejo", 2021, 200, 15, 0], ["Sidorejo", 2022, -1, 16, 0], ["Sidorejo", 2023, 205, 17, 0]]
    errors = pd.read_parquet(work.rejections_path(received.sha256))
    assert errors[["row", "column", "header", "code"]].values.tolist() == [[5, "D", "Mikro / 2022", "type_error"]]
    assert any("years laid out as columns (2021, 2022, 2023)" in n for n in received.notes)


def test_a_count_saved_as_a_decimal_is_told_with_the_clerks_own_figure(tmp_path, work):
    """1.502 saved as a number (a point read as the decimal mark) is refused with 1502, the clerk's figure, as
    the example, not another number of the same look; a plain fraction is told to drop its decimals; a word
    gets the general example."""
    received = received_sheet(tmp_path, work, "umkm.xlsx", "bps", [
        ["UMKM Kecamatan Mendo 2023"], ["No", "Desa/Kelurahan", "Mikro", "Kecil", "Menengah"],
        [1, "Air Duren", 1.502, 2, 0], [2, "Sidorejo", "1.502", "12,5", "abc"]])
    errors = pd.read_parquet(work.rejections_path(received.sha256)).sort_values(["row", "column"])
    assert errors[["row", "column", "value", "code"]].values.tolist() == [
        [3, "C", "1.502", "type_error"], [4, "D", "12,5", "type_error"], [4, "E", "abc", "type_error"]]
    assert errors["message"].tolist() == [
        "Mikro: expected a whole number such as 1502 (the cell holds the decimal number 1.502: if 1502 was meant, "
        "type 1502; use - for zero), found '1.502'.",
        "Kecil: expected a whole number, without decimals (use - for zero), found '12,5'.",
        "Menengah: expected a whole number such as 1.234 (use - for zero), found 'abc'."]
    assert errors["message_id"].iat[0] == ("Mikro: seharusnya bilangan bulat, misalnya 1502 (sel berisi angka desimal "
                                           "1.502: bila maksudnya 1502, ketik 1502; - untuk nol), tertulis '1.502'.")
    assert errors["expected_id"].iat[1] == "bilangan bulat, tanpa desimal (- untuk nol)"
    # The same figure typed as text is Indonesian thousands, read as such.
    rows = work.accepted("msme_village_count").sort_values("source_row")
    assert rows["msme_micro"].tolist()[1] == 1502


@pytest.mark.parametrize("numbers", [[1, 2, 3, 4, 5], ["1", "2", "3", "4", "5"], ["(1)", "(2)", "(3)", "(4)", "(5)"],
                                     ["1)", "2)", "3)", "4)", "5)"]])
def test_a_row_of_column_numbers_is_skipped_however_written(tmp_path, work, numbers):
    received = received_sheet(tmp_path, work, "umkm.xlsx", "bps", [
        ["UMKM Kecamatan Mendo 2023"], ["No", "Desa/Kelurahan", "Mikro", "Kecil", "Menengah"], numbers,
        [1, "Air Duren", 10, 2, 0]])
    assert [(s["row"], s["reason"]) for s in received.skipped] == [(3, "column_numbers")]
    assert (received.rows_accepted, received.rows_rejected) == (1, 0)



def test_a_measure_given_only_in_parts_is_their_sum_and_a_total_is_never_a_part(tmp_path, work):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Profil Desa Kecamatan Sungai Jaya 2023"])
    ws.append(["No", "Desa/Kelurahan", "Mikro", "Kecil", "Menengah", "Jumlah Penduduk", None])
    ws.append([None, None, None, None, None, "Laki-laki", "Perempuan"])
    for area in ("F2:G2", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3"):
        ws.merge_cells(area)
    ws.append([1, "Air Duren", 10, 2, 0, 1790, 1755])
    ws.append([2, "Sidorejo", 11, 3, 1, 1120, "x"])
    wb.save(tmp_path / "profil.xlsx")
    received = receive_file(tmp_path / "profil.xlsx", "bps", work, tmp_path / "archive", load_key())
    rows = work.accepted("msme_village_count").sort_values("source_row")
    assert rows[["village_name", "population"]].fillna(-1).values.tolist() == [["Air Duren", 3545],
                                                                              ["Sidorejo", -1]]
    errors = pd.read_parquet(work.rejections_path(received.sha256))
    assert errors[["row", "column", "code", "severity"]].values.tolist() == [[5, "G", "type_error", "warning"]]
    assert any("'Jumlah Penduduk / Perempuan' added into population" in n for n in received.notes)


def test_a_measure_beside_years_laid_out_as_columns_is_not_copied_into_every_year(tmp_path, work):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["UMKM dan Penduduk, Kecamatan Sungai Jaya"])
    ws.append(["No", "Desa/Kelurahan", "Mikro", None, "Kecil", None, "Menengah", None, "Penduduk"])
    ws.append([None, None, 2021, 2022, 2021, 2022, 2021, 2022, None])
    for area in ("C2:D2", "E2:F2", "G2:H2", "A2:A3", "B2:B3", "I2:I3"):
        ws.merge_cells(area)
    ws.append([1, "Air Duren", 10, 11, 2, 2, 0, 0, 2600])
    wb.save(tmp_path / "umkm.xlsx")
    received = receive_file(tmp_path / "umkm.xlsx", "bps", work, tmp_path / "archive", load_key())
    rows = work.accepted("msme_village_count").sort_values("year")
    assert rows[["year", "msme_micro", "population"]].fillna(-1).values.tolist() == [[2021, 10, -1], [2022, 11, -1]]
    assert any("I 'Penduduk' not read: one value per row beside years" in n for n in received.notes)


@pytest.mark.parametrize("total", ["TOTAL", "L+P", "Jumlah"])
def test_a_total_beside_its_parts_is_read_and_flagged_where_they_disagree(tmp_path, work, total):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Profil Desa Kecamatan Sungai Jaya 2023"])
    ws.append(["No", "Desa/Kelurahan", "Mikro", "Kecil", "Menengah", "Jumlah Penduduk", None, None])
    ws.append([None, None, None, None, None, "L", "P", total])
    for area in ("F2:H2", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3"):
        ws.merge_cells(area)
    ws.append([1, "Air Duren", 10, 2, 0, 1790, 1755, 3545])
    ws.append([2, "Sidorejo", 11, 3, 1, 1800, 1800, 3700])
    wb.save(tmp_path / "profil.xlsx")
    received = receive_file(tmp_path / "profil.xlsx", "bps", work, tmp_path / "archive", load_key())
    rows = work.accepted("msme_village_count").sort_values("source_row")
    assert rows[["village_name", "population"]].fillna(-1).values.tolist() == [["Air Duren", 3545], ["Sidorejo", -1]]
    errors = pd.read_parquet(work.rejections_path(received.sha256))
    assert errors[["row", "column", "value", "code", "severity"]].values.tolist() == [
        [5, "H", "3700", "total_differs_from_parts", "warning"]]
    assert "F+G = 3600" in errors.loc[0, "message"]


def test_a_column_mixing_both_orders_reads_each_date_its_one_way_or_by_its_own_report_number(tmp_path, work):
    received = crime_register(tmp_path, work, "lp_campur.xlsx", [
        ("LP/B/1/III/2024/SPKT", "25/03/2024"),      # day-first only
        ("LP/B/2/I/2024/SPKT", "1/15/2024"),         # month-first only
        ("LP/B/3/IV/2024/SPKT", "04/03/2024"),       # both ways: its report number says April
        ("LP/B/4/VII/2024/SPKT", "05/06/2024")])     # both ways, and neither is July
    rows = work.accepted("crime_report").sort_values("source_row")
    assert rows["report_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-03-25", "2024-01-15", "2024-04-03"]
    errors = pd.read_parquet(work.rejections_path(received.sha256))
    assert errors[["row", "code"]].values.tolist() == [[6, "ambiguous_date_order"]]


def test_years_alone_as_columns_take_their_measure_from_the_title_or_are_not_read(tmp_path, work):
    received = received_sheet(tmp_path, work, "mikro.xlsx", "bps", [
        ["Jumlah Usaha Mikro menurut Desa, Kecamatan Sungai Jaya"], ["No", "Desa/Kelurahan", "2022", 2023],
        [1, "Air Duren", 90, 95], [2, "Sidorejo", 120, "1.250"]])
    assert (received.rows_accepted, received.rows_rejected) == (4, 0)
    got = work.accepted("msme_village_count").sort_values(["village_name", "year"])
    assert got[["village_name", "year", "msme_micro", "msme_small"]].fillna(-1).values.tolist() == [
        ["Air Duren", 2022, 90, -1], ["Air Duren", 2023, 95, -1], ["Sidorejo", 2022, 120, -1],
        ["Sidorejo", 2023, 1250, -1]]
    # A title naming several measures (or none) does not say which the years hold: nothing is read.
    received = received_sheet(tmp_path, work, "umkm.xlsx", "bps", [
        ["Jumlah Usaha Mikro, Kecil dan Menengah 2022-2023"], ["No", "Desa/Kelurahan", "2022", "2023"],
        [1, "Air Duren", 900, 950]])
    assert received.rows_accepted == 0 and received.problems


def test_two_columns_headed_alike_are_read_together_and_flagged_where_they_differ(tmp_path, work):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["UMKM Kecamatan Sungai Jaya 2023"])
    ws.append(["No", "Desa/Kelurahan", "Kecil", "Usaha Mikro", "Usaha Mikro", "Menengah"])
    ws.append([1, "Air Duren", 2, 900, 101, 0])          # an old copy (hidden) beside the current column
    ws.append([2, "Sidorejo", 3, 102, 102, 1])
    ws.append([3, "Sidorojo", 4, None, 103, 1])
    ws.column_dimensions["D"].hidden = True
    wb.save(tmp_path / "umkm.xlsx")
    received = receive_file(tmp_path / "umkm.xlsx", "bps", work, tmp_path / "archive", load_key())
    rows = work.accepted("msme_village_count").sort_values("source_row")
    assert rows[["village_name", "msme_micro"]].fillna(-1).values.tolist() == [
        ["Air Duren", -1], ["Sidorejo", 102], ["Sidorojo", 103]]
    errors = pd.read_parquet(work.rejections_path(received.sha256))
    assert errors[["row", "column", "value", "code", "severity"]].values.tolist() == [
        [3, "D", "900", "columns_disagree", "warning"]]
    assert "E 'Usaha Mikro' holds 101" in errors.loc[0, "message"]
    assert any("columns headed alike" in n and "D, E as msme_micro" in n for n in received.notes)


@pytest.mark.parametrize("arrow", [False, True])
def test_a_second_table_with_its_columns_in_another_order_is_read_with_its_own_header(tmp_path, work, monkeypatch,
                                                                                       arrow):
    from assets.ingest.formats import workbook
    monkeypatch.setattr(workbook, "FAST_READ_BYTES", 0 if arrow else workbook.FAST_READ_BYTES)
    received = received_sheet(tmp_path, work, "dua_tabel.xlsx", "bps", [
        ["Jumlah UMKM di Kecamatan Sungai Jaya, 2023"],
        ["No", "Desa/Kelurahan", "Mikro", "Kecil", "Menengah", "Penduduk"],
        [1, "Air Duren", 10, 2, 0, 900],
        [],
        ["Jumlah UMKM di Kecamatan Mendo, 2023"],
        ["No", "Desa/Kelurahan", "Penduduk", "Menengah", "Kecil", "Mikro"],
        [1, "Air Duren", 3100, 2, 9, 88],
        [2, "Kampung Baru", 1200, 1, 5, 40],
    ])
    rows = work.accepted("msme_village_count").sort_values("source_row")
    assert rows[["source_row", "village_name", "district_name", "msme_micro", "msme_small", "msme_medium",
                 "population"]].values.tolist() == [
        [3, "Air Duren", "Sungai Jaya", 10, 2, 0, 900], [7, "Air Duren", "Mendo", 88, 9, 2, 3100],
        [8, "Kampung Baru", "Mendo", 40, 5, 1, 1200]]
    assert (received.rows_accepted, received.rows_rejected) == (3, 0)
    assert any("new table header at row 6" in n for n in received.notes)

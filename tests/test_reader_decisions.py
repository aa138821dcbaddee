"""Every inference the reader makes is recorded with its evidence, and flagged where nothing corroborates
it (assets/ingest/decisions.py): real workbooks and CSV files synced with `jembatan sync`, the stored facts,
the warnings in data_quality_rejection and the decisions in the agency report (JSON and workbook)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import openpyxl
import pytest
import xlsxwriter

from assets.ingest.cells import parse_date
from pipelines.cli import main

HEADER = ["No", "Desa/Kelurahan", "Mikro", "Kecil", "Menengah", "Jumlah Penduduk"]


def msme_sheet(ws, title_rows: list[str], rows: list[list], header=HEADER) -> None:
    for title in title_rows:
        ws.append([title])
    ws.append(header)
    for row in rows:
        ws.append(row)


def msme_book(path: Path, sheets: list[tuple[str, list[str], list[list], bool]], header=HEADER) -> None:
    """sheets: (name, title rows, data rows, hidden), written by openpyxl."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, titles, rows, hidden in sheets:
        ws = wb.create_sheet(name)
        msme_sheet(ws, titles, rows, header)
        if hidden:
            ws.sheet_state = "hidden"
    wb.save(path)


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    """One inbox of files, each about its own year or villages (no file supersedes another)."""
    from tests.conftest import BRIDGING, LIST_2020, LIST_2023
    root = tmp_path_factory.mktemp("decisions")
    inbox = root / "inbox"
    for folder in ("reference", "bps", "polda"):
        (inbox / folder).mkdir(parents=True)
    (inbox / "reference" / "wilayah_kemendagri_2020.csv").write_text(LIST_2020)
    (inbox / "reference" / "wilayah_kemendagri_2023.csv").write_text(LIST_2023)
    (inbox / "reference" / "bps_kemendagri_bridging.csv").write_text(BRIDGING)
    bps, polda = inbox / "bps", inbox / "polda"
    first = [[1, "Air Duren", 401, 31, 2, 3545], [2, "Sidorejo", 250, 17, 0, 2222]]
    final = [[1, "Air Duren", 410, 31, 2, 3545], [2, "Sidorejo", 205, 17, 0, 2222]]
    title = "JUMLAH UMKM MENURUT DESA KECAMATAN SUNGAI JAYA TAHUN {}"
    # A hidden first version with other figures, and one identical to the visible sheet.
    msme_book(bps / "umkm_final_2021.xlsx", [("UMKM", [title.format(2021)], first, True),
                                             ("UMKM (2)", [title.format(2021)], final, False)])
    msme_book(bps / "umkm_salinan_2020.xlsx", [("UMKM", [title.format(2020)], final, True),
                                               ("UMKM (2)", [title.format(2020)], final, False)])
    # A header naming the population plus a qualifier, and the plain header (written by XlsxWriter).
    msme_book(bps / "profil_kemiskinan_2019.xlsx", [("Profil", [title.format(2019)], first, False)],
              header=[*HEADER[:5], "Jumlah Penduduk Miskin"])
    book = xlsxwriter.Workbook(str(bps / "profil_penduduk_2018.xlsx"))
    ws = book.add_worksheet("Profil")
    for r, row in enumerate([[title.format(2018)], HEADER, *first]):
        ws.write_row(r, 0, row)
    book.close()
    # The edition year alone, and an edition with the data's year in the table's title.
    msme_book(bps / "kecamatan_sungai_jaya_dalam_angka.xlsx",
              [("Tabel 4.1", ["Kecamatan Sungai Jaya Dalam Angka 2024"], first, False)])
    msme_book(bps / "tabel_umkm_da.xlsx", [("Tabel 4.2", ["Kecamatan Sungai Jaya Dalam Angka 2024",
                                                         title.format(2017)], final, False)])
    # Title rows naming two years: the file name settles one; nothing settles the other.
    msme_book(bps / "umkm_keadaan_2016.xlsx", [("T", ["KEADAAN UMKM KECAMATAN SUNGAI JAYA TAHUN 2016", "Perbandingan Tahun 2015"],
                                                 final, False)])
    msme_book(bps / "umkm_keadaan.xlsx", [("T", ["KEADAAN UMKM KECAMATAN SUNGAI JAYA TAHUN 2014", "Perbandingan Tahun 2013"],
                                            final, False)])
    # Bhabinkamtibmas activities: two-digit years with and without the file's period; text dates
    # day-first beside date cells a month-first spreadsheet made (their day 12 or less).
    header = "tanggal_kegiatan;nrp;desa;kecamatan;jenis_kegiatan\n"
    (polda / "kegiatan_agustus_2023.csv").write_text(
        header + "17/08/23;87051234;Air Duren;Sungai Jaya;Sambang\n20/08/23;87051234;Sidorejo;Sungai Jaya;Sambang\n")
    (polda / "kegiatan_export.csv").write_text(
        header + "17/09/23;87051235;Tanjung Baru;Sungai Jaya;Sambang\n21/09/23;87051235;Sidorojo;Sungai Jaya;Sambang\n")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Tanggal", "NRP", "Desa", "Kecamatan", "Jenis Kegiatan"])
    ws.append(["25/10/2022", "87051236", "Air Duren", "Mendo", "Sambang"])
    ws.append([dt.datetime(2022, 3, 10), "87051236", "Kampung Baru", "Mendo", "Sambang"])
    ws.append(["28/10/2022", "87051236", "Simpang III", "Mendo", "Sambang"])
    wb.save(polda / "kegiatan_mendo_2022.xlsx")
    warehouse = root / "warehouse"
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    return warehouse


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def report(warehouse: Path, source: str, name: str) -> dict:
    [path] = (warehouse / "reports" / source).glob(f"{name}.*.json")
    return json.loads(path.read_text())


def msme(warehouse: Path, year: int) -> list[tuple]:
    return query(warehouse, f"SELECT village_name_sent, msme_micro, population FROM fact_msme_count WHERE year = {year} "
                            "ORDER BY village_name_sent")


def flags(warehouse: Path, file_name: str) -> list[tuple]:
    return query(warehouse, "SELECT sheet, \"row\", \"column\", value, code, severity FROM data_quality_rejection "
                            f"WHERE file_name = '{file_name}' ORDER BY sheet, \"row\", code")


def test_a_hidden_copy_with_other_figures_is_not_read_and_flagged(synced):
    assert msme(synced, 2021) == [("Air Duren", 410, 3545), ("Sidorejo", 205, 2222)]
    assert flags(synced, "umkm_final_2021.xlsx") == [("UMKM", 3, "C", "401", "hidden_copy_not_read", "warning")]
    r = report(synced, "bps", "umkm_final_2021.xlsx")
    assert (r["status"], r["rows_read"], r["rows_accepted"]) == ("accepted", 2, 2)
    sheet = r["decisions"][0]           # flagged first
    assert (sheet["decision"], sheet["flagged"], sheet["sheet"]) == ("sheet", True, "UMKM")
    assert "C3 401 di sana, 410 di 'UMKM (2)' baris 3" in sheet["evidence_id"]
    assert "C4 250 there, 205 in 'UMKM (2)' row 4" in sheet["evidence"]


def test_a_hidden_copy_with_the_same_figures_is_named_not_flagged(synced):
    assert msme(synced, 2020) == [("Air Duren", 410, 3545), ("Sidorejo", 205, 2222)]
    assert flags(synced, "umkm_salinan_2020.xlsx") == []
    [sheet] = [d for d in report(synced, "bps", "umkm_salinan_2020.xlsx")["decisions"] if d["decision"] == "sheet"]
    assert not sheet["flagged"] and sheet["value"] == "'UMKM (2)' read (visible); hidden sheet 'UMKM' not read"


def test_a_header_with_a_qualifier_is_another_measure(synced):
    assert msme(synced, 2019) == [("Air Duren", 401, None), ("Sidorejo", 250, None)]
    decisions = report(synced, "bps", "profil_kemiskinan_2019.xlsx")["decisions"]
    assert "Kolom 'Jumlah Penduduk Miskin' tidak dibaca sebagai jumlah penduduk" in [d["value_id"] for d in decisions]
    # The same header without the qualifier (an XlsxWriter workbook): the population.
    assert msme(synced, 2018) == [("Air Duren", 401, 3545), ("Sidorejo", 250, 2222)]
    assert not any("tidak dibaca" in d["value_id"] for d in report(synced, "bps", "profil_penduduk_2018.xlsx")["decisions"])


def test_an_edition_year_is_not_the_datas_year(synced):
    # Only "Dalam Angka 2024": no year taken, flagged (the rows cannot land without their year).
    assert query(synced, "SELECT count(*) FROM fact_msme_count WHERE year IN (2023, 2024) AND "
                         "village_name_sent = 'Air Duren' AND msme_micro = 401") == [(0,)]
    assert ("Tabel 4.1", 1, "", "not taken: undecided", "period_unconfirmed", "warning") in \
        flags(synced, "kecamatan_sungai_jaya_dalam_angka.xlsx")
    [period] = [d for d in report(synced, "bps", "kecamatan_sungai_jaya_dalam_angka.xlsx")["decisions"]
                if d["decision"] == "period"]
    assert period["flagged"] and "only the edition year 2024" in period["evidence"]
    assert "hanya tahun terbitan 2024" in period["evidence_id"]
    # The table's own title names 2017: that year, the edition noted as the publication's.
    assert msme(synced, 2017) == [("Air Duren", 410, 3545), ("Sidorejo", 205, 2222)]
    [period] = [d for d in report(synced, "bps", "tabel_umkm_da.xlsx")["decisions"] if d["decision"] == "period"]
    assert not period["flagged"] and period["value"] == "2017" and "edition year 2024" in period["evidence"]
    assert flags(synced, "tabel_umkm_da.xlsx") == []


def test_title_rows_naming_two_years(synced):
    # The file name names one of them: that one.
    assert msme(synced, 2016) == [("Air Duren", 410, 3545), ("Sidorejo", 205, 2222)]
    assert msme(synced, 2015) == []
    [period] = [d for d in report(synced, "bps", "umkm_keadaan_2016.xlsx")["decisions"] if d["decision"] == "period"]
    assert not period["flagged"] and "file name 'umkm_keadaan_2016.xlsx'" in period["evidence"]
    # Nothing settles it: no year, flagged.
    assert msme(synced, 2014) == [] and msme(synced, 2013) == []
    assert ("T", 1, "", "not taken: undecided", "period_unconfirmed", "warning") in flags(synced, "umkm_keadaan.xlsx")


def test_two_digit_years_corroborated_by_the_files_period_or_flagged(synced):
    dates = query(synced, "SELECT CAST(activity_date AS VARCHAR) FROM fact_bhabinkamtibmas_activity "
                          "WHERE year(activity_date) = 2023 ORDER BY 1")
    assert dates == [("2023-08-17",), ("2023-08-20",), ("2023-09-17",), ("2023-09-21",)]
    assert flags(synced, "kegiatan_agustus_2023.csv") == []
    [century] = [d for d in report(synced, "polda", "kegiatan_agustus_2023.csv")["decisions"]
                 if d["decision"] == "century"]
    assert not century["flagged"] and "the file's stated period name 2023" in century["evidence"]
    assert flags(synced, "kegiatan_export.csv") == [("", 2, "A", "17/09/23", "two_digit_year_unconfirmed", "warning")]
    assert report(synced, "polda", "kegiatan_export.csv")["decisions"][0]["decision"] == "century"


def test_date_cells_beside_day_first_text_are_flagged(synced):
    dates = query(synced, "SELECT CAST(activity_date AS VARCHAR) FROM fact_bhabinkamtibmas_activity "
                          "WHERE year(activity_date) = 2022 ORDER BY source_row")
    assert dates == [("2022-10-25",), ("2022-03-10",), ("2022-10-28",)]     # read as stored, flagged
    assert flags(synced, "kegiatan_mendo_2022.xlsx") == [("Sheet", 3, "A", "10/03/2022", "date_cells_order_doubtful",
                                                          "warning")]
    decisions = report(synced, "polda", "kegiatan_mendo_2022.xlsx")["decisions"]
    assert decisions[0]["flagged"] and decisions[0]["code"] == "date_cells_order_doubtful"
    [order] = [d for d in decisions if d["decision"] == "date_order" and not d["flagged"]]
    assert "'25/10/2022' (row 2)" in order["evidence"]


def test_the_report_workbook_shows_the_decisions_flagged_first(synced):
    [path] = (synced / "reports" / "bps").glob("umkm_final_2021.xlsx.*.xlsx")
    wb = openpyxl.load_workbook(path)
    summary = [row for row in wb["Ringkasan (Summary)"].iter_rows(values_only=True) if row and row[0]]
    checks = [row[0] for row in summary if str(row[0]).startswith("Periksa")]
    assert checks == ["Periksa: Lembar yang dibaca"]
    decided = list(wb["Keputusan (Decisions)"].iter_rows(values_only=True))[1:]
    assert [(row[0], row[2].split("\n")[0]) for row in decided] == [
        ("ya (yes)", "Lembar yang dibaca"), (None, "Judul kolom -> isian"), (None, "Tahun")]
    register = query(synced, "SELECT decisions FROM file_register WHERE file_name = 'umkm_final_2021.xlsx'")
    assert json.loads(register[0][0])[0]["code"] == "hidden_copy_not_read"


@pytest.mark.parametrize("text,day", [("2023-07-31T17:00:00.000Z", dt.date(2023, 8, 1)),
                                      ("2023-08-31T23:30:00Z", dt.date(2023, 9, 1)),
                                      ("2023-08-17T23:00:00+07:00", dt.date(2023, 8, 17)),
                                      ("2023-08-17T20:00:00-0300", dt.date(2023, 8, 18)),
                                      ("2023-07-31T17:00:00", dt.date(2023, 7, 31))])   # no zone: as written
def test_a_moment_with_a_zone_is_its_day_in_wib(text, day):
    assert parse_date(text) == (day, None)

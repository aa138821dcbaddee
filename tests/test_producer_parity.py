"""Producer parity: one logical table written by every producer lands the same facts and the same flags.

The files under tests/producers/files/ were written by the real programs (tests/producers/build.py, `make
producer-files`): openpyxl, XlsxWriter, pandas, SheetJS, ExcelJS (also with each formula filled down as a
shared formula), LibreOffice and Gnumeric, as .xlsx, .ods, .xls, XML Spreadsheet 2003 and CSV (LibreOffice's
in the id-ID locale). Each version is synced through
`jembatan sync` with the bundled sample's reference lists, the MSME table into bps/ and the crime register into
polda/, and its stored facts and data-quality rows are compared with the values below, which are the
logical tables' own (tests/producers/tables.py), written out by hand.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from tests.test_cases import reports, sample_reference

FILES = Path(__file__).resolve().parent / "producers" / "files"

# (producer, extension): every file version of both tables.
VERSIONS = [("openpyxl", "xlsx"), ("xlsxwriter", "xlsx"), ("pandas", "xlsx"), ("pandas", "csv"),
            ("sheetjs", "xlsx"), ("sheetjs", "xml"), ("exceljs", "xlsx"), ("exceljs_shared", "xlsx"),
            ("libreoffice", "xlsx"),
            ("libreoffice", "ods"), ("libreoffice", "csv"), ("gnumeric", "xlsx"), ("gnumeric", "ods"),
            ("gnumeric", "xls")]

# The MSME table: village -> (micro, small, medium, population); population is the formula male + female
# (1,790 + 1,755 = 3,545 ...); Air Pelawan's row is hidden (read like the rest); the "Jumlah" row never lands.
MSME = {
    "Simpang Hitam": (410, 31, 2, 3545),
    "Pulau Indah": (205, 17, 0, 2222),
    "Teluk Ketapang": (300, 20, 1, 4000),
    "Gugor Jaya": (150, 12, 1, 4999),
    "Air Pelawan": (98, 7, 0, 3001),
    "Lubuk Dupi": (1204, 45, 3, 12002),
}
DISTRICT = {"Simpang Hitam": "Pasir Nangka", "Pulau Indah": "Pasir Nangka", "Teluk Ketapang": "Pasir Nangka",
            "Gugor Jaya": "Padang Nyohas", "Air Pelawan": "Padang Nyohas", "Lubuk Dupi": "Padang Nyohas"}
# The crime register: report number -> (reported: a date cell, incident: typed as day/month/year text,
# crime, village, loss in rupiah shown with thousands separators).
REPORTS = {
    "LP/B/101/I/2023/SPKT/POLRES BANGKA": ("2023-01-05", "2023-01-04", "Curat", "Simpang Hitam", 750000),
    "LP/B/142/III/2023/SPKT/POLRES BANGKA": ("2023-03-13", "2023-03-12", "Curanmor", "Pulau Indah", 12500000),
    "LP/B/230/VIII/2023/SPKT/POLRES BANGKA": ("2023-08-17", "2023-08-16", "Penipuan", "Teluk Ketapang", 3250000),
    "LP/B/301/X/2023/SPKT/POLRES BANGKA": ("2023-10-02", "2023-09-30", "Penganiayaan", "Gugor Jaya", 0),
    "LP/B/355/XII/2023/SPKT/POLRES BANGKA": ("2023-12-21", "2023-12-20", "Curat", "Lubuk Dupi", 1500000),
}


def sync_version(producer: str, ext: str, tmp_path: Path) -> Path:
    """Both tables of one producer's version in a fresh inbox with the sample's reference lists, synced
    (`jembatan sync` must exit 0); returns the warehouse folder."""
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse"
    for table, source, name in (("umkm", "bps", "umkm_bangka_2023"), ("lp", "polda", "lp_polres_bangka_2023")):
        (inbox / source).mkdir(parents=True)
        shutil.copy(FILES / producer / f"{table}.{ext}", inbox / source / f"{name}_{producer}.{ext}")
    shutil.copytree(sample_reference(), inbox / "reference")
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    return warehouse


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize(("producer", "ext"), VERSIONS)
def test_every_producer_lands_the_same_facts_and_flags(producer, ext, tmp_path):
    warehouse = sync_version(producer, ext, tmp_path)
    msme = query(warehouse, "SELECT v.village_name, v.district_name, f.year, f.msme_micro, f.msme_small, "
                            "f.msme_medium, f.population FROM fact_msme_count f JOIN dim_village v "
                            "USING (village_code) ORDER BY f.source_row")
    assert msme == [(village, DISTRICT[village], 2023, *values) for village, values in MSME.items()]
    crimes = query(warehouse, "SELECT f.report_number, CAST(f.report_date AS VARCHAR), "
                              "CAST(f.incident_date AS VARCHAR), f.crime_type, v.village_name, f.loss_amount "
                              "FROM fact_crime_report f JOIN dim_village v USING (village_code) "
                              "ORDER BY f.source_row")
    assert crimes == [(number, *values) for number, values in REPORTS.items()]
    # The same flags from every producer: none (the formulas' results are the sums they compute, whether
    # saved, computed from A1, from XML 2003's R1C1 or from a shared formula's first cell; the hidden row and
    # the subtotal are reported in the notes, not as faults of a cell).
    assert query(warehouse, "SELECT \"row\", \"column\", value, code, severity "
                            "FROM data_quality_rejection ORDER BY ALL") == []
    by_name = reports(warehouse, "bps") | reports(warehouse, "polda")
    for name, report in by_name.items():
        assert report["status"] == "accepted", (name, report["status"], report["problems"], report["notes"])
    umkm = by_name[f"umkm_bangka_2023_{producer}.{ext}"]
    assert (umkm["rows_accepted"], umkm["rows_rejected"]) == (6, 0), umkm
    assert [s["reason"] for s in umkm["skipped"]] == ["subtotal"], umkm["skipped"]

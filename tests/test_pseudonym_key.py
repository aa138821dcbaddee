"""The pseudonym key fails closed (issue 12, point 5), and restricted files are the owner's only
(point 4): a missing, empty, short, world-readable or other key stops a sync with one line; a new
warehouse gets its key made atomically; `jembatan key rotate` re-keys every stored pseudonym."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from assets.pseudonym_key import KeyRefused, fingerprint, read_key, warehouse_key, write_new_key
from pipelines.cli import main

ROOT = Path(__file__).resolve().parents[1]
NIK = "1901014508900001"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def program_file(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A program participation list: (NIK, program, date) per row, all in Air Duren, Mendo."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["No", "Nama Usaha", "NIK", "Desa/Kel", "Kecamatan", "Program", "Tanggal"])
    for i, (nik, program, day) in enumerate(rows, start=1):
        ws.append([i, f"Usaha {i}", nik, "Air Duren", "Mendo", program, day])
    wb.save(path)
    return path


@pytest.fixture
def own_key(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "keys" / "pseudonym.key"
    monkeypatch.setenv("JEMBATAN_KEY_FILE", str(path))
    return path


def test_a_new_warehouse_gets_a_key_made_atomically_and_records_only_its_fingerprint(tmp_path, own_key):
    old_umask = os.umask(0)             # the modes are set explicitly, whatever the umask
    try:
        key = warehouse_key(tmp_path / "warehouse")
    finally:
        os.umask(old_umask)
    assert len(key) == 32 and own_key.read_text() == key.hex() + "\n"
    assert (mode(own_key), mode(own_key.parent)) == (0o600, 0o700)
    assert [p.name for p in own_key.parent.iterdir()] == ["pseudonym.key"]      # no temporary file left
    recorded = json.loads((tmp_path / "warehouse" / "key_fingerprint.json").read_text())
    assert recorded["fingerprint"] == fingerprint(key) and key.hex() not in json.dumps(recorded)
    assert warehouse_key(tmp_path / "warehouse") == key                         # the same key, every sync
    with pytest.raises(FileExistsError):
        write_new_key(own_key)                                                  # never over a key


@pytest.mark.parametrize("fault, says", [
    ("missing", "is missing"), ("empty", "is empty"), ("short", "too short: 16 bytes"),
    ("world_readable", "readable by others (mode 644)"), ("other", "is not the key warehouse")])
def test_a_sync_refuses_a_bad_key_with_one_line_and_changes_nothing(tmp_path, own_key, fault, says, capsys):
    warehouse = tmp_path / "warehouse"
    key = warehouse_key(warehouse)
    if fault == "missing":
        own_key.unlink()
    elif fault == "empty":
        own_key.write_text("")
    elif fault == "short":
        own_key.write_text(key[:16].hex())
    elif fault == "world_readable":
        own_key.chmod(0o644)
    else:
        own_key.unlink()
        write_new_key(own_key)
    before = own_key.read_bytes() if own_key.exists() else None
    inbox = tmp_path / "inbox"
    (inbox / "koperasi").mkdir(parents=True)
    program_file(inbox / "koperasi" / "kur.xlsx", [(NIK, "KUR", "17/08/2023")])
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("sync refused: pseudonym key") and says in err, err
    assert (own_key.read_bytes() if own_key.exists() else None) == before     # no key made in its place
    assert sorted(p.name for p in warehouse.iterdir() if p.name != ".sync.lock") == ["key_fingerprint.json"]   # nothing read


def test_a_missing_key_stops_the_sync_process(tmp_path, own_key):
    """As an operator meets it: `jembatan sync` in its own process, the key file gone."""
    warehouse_key(tmp_path / "warehouse")
    own_key.unlink()
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "sync", "--inbox", str(tmp_path / "inbox"),
                           "--warehouse", str(tmp_path / "warehouse")], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "JEMBATAN_KEY_FILE": str(own_key)})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"sync refused: pseudonym key {own_key} is missing; restore it from your backup, or `jembatan key rotate` "
        "to re-key every stored pseudonym"]
    assert not own_key.exists()


def test_key_init_adopts_a_key_for_a_warehouse_without_fingerprint_and_refuses_another(tmp_path, own_key, capsys):
    warehouse = tmp_path / "warehouse"
    stored = warehouse / "work" / "accepted" / "program_participation" / "abc.parquet"
    stored.parent.mkdir(parents=True)
    pd.DataFrame({"business_key": ["x"]}).to_parquet(stored)        # made before fingerprints were recorded
    write_new_key(own_key)
    with pytest.raises(KeyRefused, match="holds pseudonyms but no key fingerprint"):
        warehouse_key(warehouse)
    assert main(["key", "init", "--warehouse", str(warehouse)]) == 0
    assert warehouse_key(warehouse) == read_key(own_key)
    assert main(["key", "status", "--warehouse", str(warehouse)]) == 0
    assert "a sync can run" in capsys.readouterr().out
    own_key.unlink()
    write_new_key(own_key)
    assert main(["key", "init", "--warehouse", str(warehouse)]) == 2
    assert "use `jembatan key rotate` to change it" in capsys.readouterr().err
    assert main(["key", "status", "--warehouse", str(warehouse)]) == 2


def test_a_steward_group_may_read_the_key_and_restricted_files(tmp_path, own_key, monkeypatch):
    monkeypatch.setenv("JEMBATAN_GROUP", str(os.getgid()))
    key = warehouse_key(tmp_path / "warehouse")
    assert (mode(own_key), mode(own_key.parent)) == (0o640, 0o750)
    own_key.chmod(0o644)
    with pytest.raises(KeyRefused, match="readable by others"):
        read_key(own_key)
    monkeypatch.delenv("JEMBATAN_GROUP")
    own_key.chmod(0o640)
    with pytest.raises(KeyRefused, match="readable by others"):
        read_key(own_key)
    own_key.chmod(0o600)
    assert read_key(own_key) == key


def published_keys(warehouse: Path) -> pd.DataFrame:
    con = duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True)
    try:
        return con.execute("SELECT f.business_key, r.file_name, f.program FROM fact_program_participation f "
                           "JOIN file_register r ON r.sha256 = f.source_file ORDER BY ALL").df()
    finally:
        con.close()


def every_stored_text(warehouse: Path) -> str:
    """Every Parquet file's values and every DuckDB table's, as one text to search."""
    texts = []
    for path in warehouse.rglob("*.parquet"):
        texts.append(pd.read_parquet(path).to_csv())
    for path in warehouse.rglob("*.duckdb"):
        con = duckdb.connect(str(path), read_only=True)
        for schema, table in con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall():
            texts.append(con.execute(f'SELECT * FROM "{schema}"."{table}"').df().to_csv())
        con.close()
    return "\n".join(texts)


def test_rotate_rekeys_every_stored_pseudonym_even_with_the_old_key_lost(tmp_path, own_key, reference_dir, capsys):
    inbox, warehouse = reference_dir.parent, tmp_path / "warehouse"
    (inbox / "koperasi").mkdir()
    other = "1901011203850000"
    program_file(inbox / "koperasi" / "kur_2023.xlsx", [(NIK, "KUR", "17/08/2023"), (other, "QRIS", "18/08/2023")])
    program_file(inbox / "koperasi" / "halal_2024.xlsx", [(NIK, "Sertifikasi Halal", "15/03/2024")])
    sync = ["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]
    old_umask = os.umask(0)
    try:
        assert main(sync) == 0
    finally:
        os.umask(old_umask)
    # Restricted files are the owner's only, whatever the umask; the public file is everyone's.
    archived = [p for p in (warehouse / "archive").rglob("*") if p.is_file()]
    assert len(archived) == 2 and {mode(p) for p in archived} == {0o600}
    assert {mode(p) for p in (warehouse / "archive").rglob("*") if p.is_dir()} == {0o700}
    assert mode(warehouse / "archive") == mode(warehouse / "work") == mode(warehouse / "reports") == 0o700
    assert mode(warehouse / "jembatan.duckdb") == 0o600
    assert mode(warehouse / "publications") == mode(warehouse / "parquet") == 0o700
    assert {mode(p) for p in (warehouse / "publications").iterdir()} == {0o600}
    assert {mode(p) for p in (warehouse / "parquet" / "current").iterdir()} == {0o600}
    assert mode(warehouse / "public" / "jembatan_public.duckdb") == 0o644

    before = published_keys(warehouse)
    person = set(before.loc[before["program"] != "QRIS", "business_key"])
    assert len(person) == 1 and before["business_key"].nunique() == 2        # one person in two files
    old_fingerprint = fingerprint(read_key(own_key))

    own_key.unlink()                                                         # the key is lost
    assert main(sync) == 2
    # A rotation killed once it has begun: syncs refuse until it is run again, which finishes it.
    rotate = ["key", "rotate", "--warehouse", str(warehouse), "--inbox", str(inbox)]
    record = warehouse / "key_fingerprint.json"
    killed = subprocess.Popen([sys.executable, "-m", "pipelines.cli", *rotate], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={**os.environ, "JEMBATAN_KEY_FILE": str(own_key)})
    while killed.poll() is None and "rotating_to" not in record.read_text():
        time.sleep(0.01)
    killed.kill()
    killed.wait()
    capsys.readouterr()
    if "rotating_to" in record.read_text():
        assert main(sync) == 2
        assert "a key rotation of" in capsys.readouterr().err
    assert main(rotate) == 0
    assert "2 stored tables of 2 received files pseudonymised again" in capsys.readouterr().out

    after = published_keys(warehouse)
    new_person = set(after.loc[after["program"] != "QRIS", "business_key"])
    assert len(new_person) == 1 and after["business_key"].nunique() == 2     # still one person, one pseudonym
    assert new_person.isdisjoint(person) and set(after["business_key"]).isdisjoint(before["business_key"])
    rows = ["file_name", "program"]
    assert after[rows].sort_values(rows).values.tolist() == before[rows].sort_values(rows).values.tolist()
    stored = every_stored_text(warehouse)
    assert not any(k in stored for k in before["business_key"])              # no old pseudonym kept anywhere
    current = duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True).execute(
        "SELECT publication_id FROM publication").fetchone()[0]
    # the current publication alone, with what it was made from and its reports' record keys beside it
    assert sorted(p.name for p in (warehouse / "publications").iterdir()) == [
        f"{current}.duckdb", f"{current}.inputs.json", f"{current}.record_keys.parquet"]
    recorded = json.loads((warehouse / "key_fingerprint.json").read_text())
    assert recorded["fingerprint"] == fingerprint(read_key(own_key)) != old_fingerprint
    assert mode(own_key) == 0o600 and not own_key.with_name("pseudonym.key.next").exists()

    # A later file with the same person joins the new pseudonym.
    program_file(inbox / "koperasi" / "nib_2024.xlsx", [(NIK, "NIB", "16/03/2024")])
    assert main(sync) == 0
    later = published_keys(warehouse)
    assert set(later.loc[later["file_name"] == "nib_2024.xlsx", "business_key"]) == new_person


def test_a_rotation_that_cannot_read_every_file_replaces_nothing(tmp_path, own_key, reference_dir, capsys):
    inbox, warehouse = reference_dir.parent, tmp_path / "warehouse"
    (inbox / "koperasi").mkdir()
    program_file(inbox / "koperasi" / "kur_2023.xlsx", [(NIK, "KUR", "17/08/2023")])
    sync = ["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]
    assert main(sync) == 0
    key, stored = own_key.read_bytes(), published_keys(warehouse)
    [archived] = [p for p in (warehouse / "archive").rglob("*") if p.is_file()]
    archived.rename(tmp_path / "aside")
    capsys.readouterr()
    assert main(["key", "rotate", "--warehouse", str(warehouse), "--inbox", str(inbox)]) == 2
    assert "rotation stopped, nothing replaced: received file" in capsys.readouterr().err
    assert own_key.read_bytes() == key and not own_key.with_name("pseudonym.key.next").exists()
    assert "rotating_to" not in json.loads((warehouse / "key_fingerprint.json").read_text())
    assert main(sync) == 0 and published_keys(warehouse).equals(stored)     # still the old key, still usable


def test_an_unknown_steward_group_stops_the_sync_with_one_line(tmp_path, own_key, monkeypatch, capsys):
    monkeypatch.setenv("JEMBATAN_GROUP", "no-such-group-jembatan")
    assert main(["sync", "--inbox", str(tmp_path / "inbox"), "--warehouse", str(tmp_path / "warehouse")]) == 2
    assert capsys.readouterr().err == \
        "sync refused: JEMBATAN_GROUP='no-such-group-jembatan' is not a group on this machine\n"
    assert not own_key.exists()


def test_a_key_in_a_folder_anyone_may_write_is_refused(tmp_path):
    folder = tmp_path / "keys"
    folder.mkdir()
    key = folder / "pseudonym.key"
    write_new_key(key)
    folder.chmod(0o777)
    with pytest.raises(KeyRefused, match="can be written by others"):
        read_key(key)
    folder.chmod(0o1777)    # a sticky folder (as /tmp): others may still put a key there before it is made
    with pytest.raises(KeyRefused, match=r"can be written by others \(mode 1777\)"):
        read_key(key)
    folder.chmod(0o700)
    assert len(read_key(key)) == 32


def test_key_status_says_what_a_sync_of_a_new_warehouse_will_do_and_it_does_it(tmp_path, own_key, capsys):
    warehouse = tmp_path / "warehouse"
    assert main(["key", "status", "--warehouse", str(warehouse)]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[1] == "key:       none yet"
    assert said[-1] == (f"a sync can run: it makes a new key at {own_key} (owner-only) and records its "
                        "fingerprint for this warehouse; back the key up then")
    key = warehouse_key(warehouse)          # what the sync does: the key made, its fingerprint recorded
    assert main(["key", "status", "--warehouse", str(warehouse)]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[1].startswith(f"key:       usable, fingerprint {fingerprint(key)[:12]}")
    assert said[-1] == "a sync can run"
    # A key made by hand before the first sync: recorded by it.
    other = tmp_path / "other"
    assert main(["key", "status", "--warehouse", str(other)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == \
        "a sync can run: it records this key's fingerprint for this warehouse"
    own_key.chmod(0o644)
    assert main(["key", "status", "--warehouse", str(other)]) == 2
    said = capsys.readouterr().out.splitlines()
    assert said[1].startswith("key:       refused: pseudonym key") and "readable by others" in said[1]
    assert said[-1] == "a sync refuses to run: fix or replace the key file (see above)"
    with pytest.raises(KeyRefused):
        warehouse_key(other)

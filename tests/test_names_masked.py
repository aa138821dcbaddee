"""Personal numbers in a file's name (issue 20, point 3) never reach what the project stores or shows: a
sync of `Laporan NIK 1901234567890123 HP 081298765432.csv` through the inbox, and an upload of it through
the portal, then every file under the warehouse and DAGSTER_HOME (SQLite, DuckDB, Parquet, JSON,
workbooks, logs: as bytes) is searched for the digits. The name as typed is only in the archive's
owner-only record."""
from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import requests

from tests.portal_fixture import add_user, make_world, portal_server

ROOT = Path(__file__).resolve().parents[1]
NIK, PHONE = "1901234567890123", "081298765432"
NAME = f"Laporan NIK {NIK} HP {PHONE}.csv"
PROGRAM_CSV = ("No;Nama Usaha;NIK;Desa/Kel;Kecamatan;Program;Tanggal\n"
               "1;Usaha Maju;1901014508900001;Air Duren;Mendo;KUR;17/08/2023\n"
               "2;Usaha Jaya;1901014508900002;Negeri Dongeng;Mendo;KUR;18/08/2023\n")


def holding(root: Path, *needles: str) -> list[str]:
    """Files under `root` whose bytes hold any needle (UTF-8, or UTF-16 as SQLite may store text), or
    whose path does."""
    found = []
    patterns = [n.encode() for n in needles] + [n.encode("utf-16-le") for n in needles]
    for path in root.rglob("*"):
        if any(n in str(path) for n in needles):
            found.append(str(path))
        elif path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if any(p in data for p in patterns):
                found.append(str(path))
    return found


def test_a_personal_number_in_a_file_name_stays_in_the_archive_record_only(tmp_path):
    world = make_world(tmp_path)
    (world.inbox / "koperasi").mkdir()
    (world.inbox / "koperasi" / NAME).write_text(PROGRAM_CSV)
    add_user(world, "kasir", "koperasi", "Dinas Koperasi Bangka", "sandi-kasir-123")
    log = tmp_path / "portal.log"
    env = world.env()
    home = Path(env["DAGSTER_HOME"])                 # a persistent instance: its event log is searched too
    with portal_server(world, log=log) as url:
        session = requests.Session()
        token = session.post(f"{url}/api/login", data={"username": "kasir", "password": "sandi-kasir-123"},
                             timeout=60).json()["csrf_token"]
        sent = session.post(f"{url}/api/files", headers={"X-CSRFToken": token}, timeout=60,
                            files={"file": (f"Peserta NIK {NIK} HP {PHONE}.csv",
                                            PROGRAM_CSV.replace("Usaha Maju", "Usaha Baru").encode())})
        assert sent.status_code == 202, sent.text
        done = subprocess.run([sys.executable, "-m", "pipelines.cli", "sync"], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        listed = session.get(f"{url}/api/files", timeout=60).json()
    assert NIK not in done.stdout + done.stderr and PHONE not in done.stdout + done.stderr
    assert NIK not in json.dumps(listed) and "1901" in json.dumps(listed)        # masked, still recognisable
    assert NIK not in log.read_text() and PHONE not in log.read_text()
    records = sorted((world.warehouse / "original_names").glob("*.json"))
    # The inbox file as typed; the upload as the portal put it into the inbox (masked before it got there).
    assert sorted(json.loads(p.read_text()) for p in records) == [[NAME], ["Peserta NIK 1901____________ HP "
                                                                            "0812________.csv"]]
    assert {stat.S_IMODE(p.stat().st_mode) for p in records} == {0o600}
    assert stat.S_IMODE(records[0].parent.stat().st_mode) == 0o700
    leaks = [p for p in holding(world.warehouse, NIK, PHONE, NIK[4:], PHONE[4:])
             if not p.startswith(str(records[0].parent))]          # the names as typed, and nothing else
    assert leaks == []
    assert holding(home, NIK, PHONE, NIK[4:], PHONE[4:]) == []
    reports = sorted(p.name for p in (world.warehouse / "reports" / "koperasi").glob("*.xlsx"))
    assert len(reports) == 2 and all("1901" in name for name in reports)


def test_a_personal_number_in_a_sheet_name_is_masked_wherever_it_is_stored(tmp_path):
    """A sheet named after a person's NIK and phone: its rows land and its rejected row is reported, under
    the masked sheet name; the digits are nowhere in the warehouse but in the archived file itself."""
    import openpyxl
    nik, phone = "1901234567890124", "081298765433"
    world = make_world(tmp_path)
    (world.inbox / "koperasi").mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = f"{nik} {phone}"             # 29 characters: within Excel's 31
    for line in PROGRAM_CSV.splitlines():
        ws.append(line.split(";"))
    wb.save(world.inbox / "koperasi" / "peserta_kur.xlsx")
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "sync"], env=world.env(), cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    import duckdb
    with duckdb.connect(str(world.warehouse / "jembatan.duckdb"), read_only=True) as con:
        landed = con.execute("SELECT DISTINCT source_sheet FROM fact_program_participation").fetchall()
        rejected = con.execute("SELECT DISTINCT sheet, code FROM data_quality_rejection").fetchall()
    [(sheet,)] = landed
    assert sheet.startswith("1901") and nik not in sheet and phone[4:] not in sheet     # masked, still recognisable
    assert (sheet, "unknown_village") in rejected
    archive = str(world.warehouse / "archive")
    assert [p for p in holding(world.warehouse, nik, phone, nik[4:], phone[4:]) if not p.startswith(archive)] == []

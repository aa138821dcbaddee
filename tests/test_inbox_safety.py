"""The inbox read safely, with real links, fifos, odd names, unreadable and half-written files, and no
personal data in clear anywhere a sync writes (issue 12, points 2 to 4)."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest

from assets import steps
from assets.ingest.batch import receive_files
from assets.ingest.inbox import scan_inbox
from assets.ingest.work_area import WorkArea
from assets.privacy import load_key, scrub
from pipelines.defs.sensors import inbox_sensor
from pipelines.defs.resources import JembatanPaths

REPO = Path(__file__).resolve().parents[1]
HEADER = ("Jumlah UMKM Kabupaten Bangka 2023\nKode Wilayah;Kecamatan;Desa/Kelurahan;Tahun;Jumlah Usaha Mikro;"
          "Jumlah Usaha Kecil;Jumlah Usaha Menengah;Jumlah Penduduk\n")
SECRET = "ROOT-ONLY-SECRET-7f3a"
# Personal data typed where it does not belong: in a subtotal row, a note row and a footer.
NIK, PHONE, OWNER = "3201234567890123", "081234567891", "Rahmat Hidayat"
PERSONAL_CSV = HEADER + (
    "1901050001;Sungai Jaya;Air Duren;2023;120;4;1;2683\n"
    "1901050002;Sungai Jaya;Sidorejo;2023;410;20;1;2100\n"
    f";Jumlah Kecamatan Sungai Jaya NIK {NIK} HP 0812-3456-7891;;;530;24;2;4783\n"
    "Catatan: petugas pendata 0812 3456 7891, NIK 3201.2345.6789.0123\n"
    "Sumber: BPS Kabupaten Bangka, kontak +62 812-3456-7891 / 3201 2345 6789 0123\n")
# The same data a clerk keeps of each participant, with a subtotal row carrying a name, a NIK and a phone.
PROGRAM_ROWS = [
    ["No", "Nama Usaha", "Nama Pemilik", "NIK", "No. HP", "Desa/Kel", "Kecamatan", "Program", "Tanggal"],
    [1, "Warung", "Sari Wulandari", "1901014508900001", "0812-3456-7890", "Air Duren", "Mendo", "KUR", "17/08/2023"],
    [2, "Toko", "Dewi Lestari", "1901011203850000", "0813 9999 1111", "Sidorejo", "Sungai Jaya", "QRIS", "18/08/2023"],
    ["Jumlah", None, OWNER, NIK, "0812-3456-7891", None, None, None, None],
]
# What must not be found outside the archived originals: digits in any grouping, names of personal columns.
CLEAR = [NIK, "1901014508900001", "1901011203850000", PHONE, "081234567890", "081399991111", "81234567891",
         OWNER, "Sari Wulandari", "Dewi Lestari", SECRET]


def umkm_csv(village_row: str) -> str:
    return HEADER + village_row + "\n"


def build_inbox(root: Path, reference_dir: Path) -> Path:
    """inbox/ with the reference lists, a good file, and every kind of entry a sync must not follow."""
    inbox = reference_dir.parent
    bps, koperasi = inbox / "bps", inbox / "koperasi"
    bps.mkdir()
    koperasi.mkdir()
    (inbox / "polda").mkdir()
    (bps / "umkm_2023.csv").write_text(PERSONAL_CSV)
    secret = root / "secret.csv"                  # a root-only file outside the inbox
    secret.write_text(umkm_csv(f"1901010002;Mendo;Kampung Baru;2023;9;9;9;{SECRET}"))
    secret.chmod(0o600)
    (bps / "link.csv").symlink_to(secret)
    os.mkfifo(bps / "pipe.csv")
    (bps / "arsip").mkdir()
    (bps / "arsip" / "lama.csv").write_text(umkm_csv("1901050004;Sungai Jaya;Tanjung Baru;2023;1;1;1;4444"))
    odd = os.path.join(os.fsencode(bps), b"umkm_\xff.csv")          # a name that is not UTF-8
    with open(odd, "wb") as f:
        f.write(umkm_csv("1901050004;Sungai Jaya;Tanjung Baru;2023;5;5;5;777").encode())
    (bps / ".umkm_tersembunyi.csv").write_text(umkm_csv("1901050003;Sungai Jaya;Sidorojo;2023;7;2;0;1500"))
    (bps / "~$umkm_2023.xlsx").write_bytes(b"\x0bAdmin" + bytes(150))   # Excel's lock file
    wb = openpyxl.Workbook()
    for row in PROGRAM_ROWS:
        wb.active.append(row)
    wb.save(koperasi / "peserta_kur.xlsx")
    return inbox


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    """One `jembatan sync` as an operator runs it (a persistent DAGSTER_HOME, the real CLI process)."""
    from tests.conftest import write_reference_lists
    root = tmp_path_factory.mktemp("inbox_safety")
    reference = root / "inbox" / "reference"
    write_reference_lists(reference)
    inbox = build_inbox(root, reference)
    env = {**os.environ, "DAGSTER_HOME": str(root / "dagster_home")}
    # A timeout only so that a sync stuck on the fifo fails the test instead of hanging the suite.
    done = subprocess.run([str(Path(sys.executable).parent / "jembatan"), "sync", "--inbox", str(inbox),
                           "--warehouse", str(root / "warehouse")], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return root, done.stdout


def published(root: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(root / "warehouse" / "jembatan.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_links_fifos_folders_and_odd_names_are_refused_and_the_other_files_land(synced):
    root, stdout = synced
    populations = dict(published(root, "SELECT village_name, population FROM mart_village_year "
                                       "WHERE year = 2023 AND population IS NOT NULL"))
    # The good file and the hidden one landed; nothing behind the link, in the folder or under the odd name.
    assert populations == {"Air Duren": 2683, "Sidorejo": 2100, "Sidorojo": 1500}
    register = dict(published(root, "SELECT file_name, status FROM file_register WHERE source = 'bps'"))
    assert register == {"umkm_2023.csv": "accepted", ".umkm_tersembunyi.csv": "accepted"}
    lines = {line.split()[2].rstrip(":"): line for line in stdout.splitlines() if line.startswith("bps ")
             and line.split()[1] in ("refused", "left_alone", "waiting")}
    assert set(lines) == {"link.csv", "pipe.csv", "arsip", "umkm_\ufffd.csv", "~$umkm_2023.xlsx"}
    assert "symbolic link" in lines["link.csv"] and "named pipe" in lines["pipe.csv"]
    assert "folder" in lines["arsip"] and "UTF-8" in lines["umkm_\ufffd.csv"]
    assert lines["~$umkm_2023.xlsx"].split()[1] == "left_alone"
    reports = {p.name: json.loads(p.read_text()) for p in (root / "warehouse" / "reports" / "bps").glob("*.json")}
    refused = {r["file_name"]: r for r in reports.values() if r["status"] == "refused"}
    assert set(refused) == {"link.csv", "pipe.csv", "arsip", "umkm_\ufffd.csv"}
    assert [p["code"] for p in refused["link.csv"]["problems"]] == ["symbolic_link"]
    assert refused["link.csv"]["sha256"] is None            # never opened
    odd_sha = hashlib.sha256(umkm_csv("1901050004;Sungai Jaya;Tanjung Baru;2023;5;5;5;777").encode()).hexdigest()
    assert refused["umkm_\ufffd.csv"]["sha256"] == odd_sha
    assert f"umkm__.csv.{odd_sha[:12]}.json" in reports     # a report under a safe name and the content's hash


def test_every_archived_file_is_named_by_the_sha256_of_its_bytes_and_owner_only(synced):
    root, _ = synced
    archived = [p for p in (root / "warehouse" / "archive").rglob("*") if p.is_file()]
    assert len(archived) == 3           # the two bps files landed and the program file; no temporary copy left
    for path in archived:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name.split(".")[0]
        assert path.stat().st_mode & 0o077 == 0


def texts_of(path: Path) -> list[str]:
    """Everything a file holds as text: its bytes, and what its format keeps compressed or encoded."""
    data = path.read_bytes()
    texts = [data.decode("latin-1")]
    if data.startswith(b"PK"):
        with zipfile.ZipFile(path) as z:
            texts += [z.read(name).decode("utf-8", "replace") for name in z.namelist()]
    elif data.startswith(b"SQLite format 3"):
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            texts += list(con.iterdump())
    elif path.suffix == ".parquet":
        texts.append(str(duckdb.sql(f"SELECT * FROM read_parquet('{path}')").fetchall()))
    elif data[8:12] == b"DUCK":
        with duckdb.connect(str(path), read_only=True) as con:
            for schema, table in con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall():
                texts.append(str(con.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()))
    return texts


def test_no_personal_data_in_clear_in_any_file_the_warehouse_or_dagster_holds(synced):
    root, stdout = synced
    searched, found = 0, []
    for top in (root / "warehouse", root / "dagster_home"):
        for folder, dirs, files in os.walk(top):
            if Path(folder) == root / "warehouse":
                dirs.remove("archive")          # the originals as received, and nothing else, keep them
            for name in files:
                path = Path(folder) / name
                if path.is_symlink():
                    continue
                searched += 1
                for text in texts_of(path):
                    bare = re.sub(r"[ .\-]", "", text)          # "0812-3456-7891", "3201.2345.6789.0123" too
                    found += [(str(path.relative_to(root)), s) for s in CLEAR if s in text or s in bare]
    assert searched > 20 and not found
    assert not [s for s in CLEAR if s in re.sub(r"[ .\-]", "", stdout)]
    # The rows were described, masked, not dropped from the report.
    report = json.loads(next((root / "warehouse" / "reports" / "bps").glob("umkm_2023.csv.*.json")).read_text())
    assert [(s["row"], s["reason"]) for s in report["skipped"]] == [(5, "subtotal"), (6, "note"), (7, "note")]
    assert report["skipped"][0]["text"].startswith("Jumlah Kecamatan Sungai Jaya NIK 3201****")
    program = json.loads(next((root / "warehouse" / "reports" / "koperasi").glob("*.json")).read_text())
    assert [s["text"] for s in program["skipped"]] == ["Jumlah"]       # its personal cells left out


def test_scrub_masks_grouped_nik_and_phone_numbers_and_leaves_codes_and_amounts():
    assert scrub("NIK 3201.2345.6789.0123, HP +62 812-3456-7891 / 0812 3456 7891 62-812-3456-7891") == \
        "NIK 3201***************, HP +62 ************* / 0812********** 62-8************"
    assert scrub("19.01.01.2001 | 1901050001 | Rp 1.500.000.000 | 2.683") == \
        "19.01.01.2001 | 1901050001 | Rp 1.500.000.000 | 2.683"
    assert scrub(None) == "" and scrub(float("nan")) == ""


UNREADABLE_SYNC = """
import json, sys
from pathlib import Path
from assets import steps
paths = steps.Paths(Path(sys.argv[1]), Path(sys.argv[2]))
steps.refresh_gazetteer(paths)
received = [r for source in ("bps", "koperasi", "polda") for r in steps.ingest_source(paths, source)]
steps.harmonise(paths)
steps.publish_marts(paths)
print(json.dumps([[r.file_name, r.status, [p["code"] for p in r.problems]] for r in received]))
"""


def test_a_file_that_cannot_be_opened_is_refused_alone_and_the_marts_are_published(reference_dir, tmp_path):
    inbox = reference_dir.parent
    for source in ("bps", "koperasi", "polda"):
        (inbox / source).mkdir()
    (inbox / "bps" / "a_baik.csv").write_text(umkm_csv("1901050001;Sungai Jaya;Air Duren;2023;120;4;1;2683"))
    locked = inbox / "bps" / "b_terkunci.csv"
    locked.write_text(umkm_csv("1901050002;Sungai Jaya;Sidorejo;2023;410;20;1;2100"))
    locked.chmod(0o000)
    command = [sys.executable, "-c", UNREADABLE_SYNC, str(inbox), str(tmp_path / "warehouse")]
    if os.geteuid() == 0:
        # root reads any file; without the two capabilities that let it, it meets permissions as users do.
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: a chmod 000 file cannot be made unreadable")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    statuses = {name: (status, codes) for name, status, codes in json.loads(done.stdout.splitlines()[-1])}
    assert statuses == {"a_baik.csv": ("accepted", []), "b_terkunci.csv": ("refused", ["cannot_open"])}
    paths = steps.Paths(inbox, tmp_path / "warehouse")
    with duckdb.connect(str(paths.database), read_only=True) as con:
        assert con.execute("SELECT village_name, population FROM mart_village_year WHERE population IS NOT NULL"
                           ).fetchall() == [("Air Duren", 2683)]
    report = json.loads(next((paths.reports / "bps").glob("b_terkunci.csv.*.json")).read_text())
    assert report["status"] == "refused" and "Permission denied" in report["problems"][0]["message"]


WRITER = """
import sys, time
path, text = sys.argv[1], sys.argv[2]
with open(path, "w") as f:                 # a copy onto the share, a few bytes at a time
    for i in range(0, len(text), 8):
        f.write(text[i:i + 8])
        f.flush()
        time.sleep(0.05)
"""


def test_a_file_growing_during_a_sync_waits_and_lands_whole_once_settled(reference_dir, tmp_path, monkeypatch):
    inbox = reference_dir.parent
    (inbox / "bps").mkdir()
    paths = steps.Paths(inbox, tmp_path / "warehouse")
    growing = inbox / "bps" / "umkm_salinan.csv"
    text = PERSONAL_CSV
    cut = text.index(";2683") + 2                    # the population of Air Duren so far: "2"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(growing), text])
    try:
        while not growing.exists() or growing.stat().st_size < cut:    # until it holds a half-written row
            assert writer.poll() is None
            time.sleep(0.01)
        monkeypatch.setenv("JEMBATAN_SETTLE_SECONDS", "60")
        received = steps.ingest_source(paths, "bps")
        assert [(r.file_name, r.status, r.problems[0]["code"]) for r in received] == \
            [("umkm_salinan.csv", "waiting", "still_being_written")]
        assert not any(p.is_file() for p in paths.archive.rglob("*")) and paths.work.manifests() == []
        sensor = inbox_sensor("bps")
        resources = {"paths": JembatanPaths(inbox=str(inbox), warehouse=str(paths.warehouse))}
        context = dg.build_sensor_context(resources=resources)
        skipped = sensor(context)                   # the sensors wait the same way
        assert not skipped.run_requests and "still being written" in skipped.skip_reason.skip_message
        assert skipped.cursor is None
    finally:
        assert writer.wait(timeout=120) == 0
    assert growing.read_text() == text
    monkeypatch.setenv("JEMBATAN_SETTLE_SECONDS", "0")      # settled: the writer is done
    assert len(sensor(dg.build_sensor_context(resources=resources)).run_requests) == 1
    received = steps.ingest_source(paths, "bps")
    assert [(r.status, r.rows_accepted) for r in received] == [("accepted", 2)]
    rows = paths.work.accepted("msme_village_count")
    assert rows[["village_code", "population"]].values.tolist() == [["1901050001", 2683], ["1901050002", 2100]]
    (archived,) = [p for p in paths.archive.rglob("*") if p.is_file()]
    assert hashlib.sha256(archived.read_bytes()).hexdigest() == archived.name.split(".")[0] == received[0].sha256


def test_a_file_changed_between_listing_and_copying_is_left_for_the_next_sync(tmp_path):
    folder = tmp_path / "bps"
    folder.mkdir()
    path = folder / "umkm.csv"
    path.write_text(umkm_csv("1901050001;Sungai Jaya;Air Duren;2023;120;4;1;2"))
    scan = scan_inbox(folder, settle=0)
    with path.open("a") as f:                      # the copy onto the share goes on after the listing
        f.write(textwrap.dedent("1901050002;Sungai Jaya;Sidorejo;2023;410;20;1;2100\n"))
    work = WorkArea(tmp_path / "work")
    received = receive_files(scan.files, "bps", work, tmp_path / "archive", load_key(), listed=scan.stats)
    assert [(r.status, r.problems[0]["code"]) for r in received] == [("waiting", "still_being_written")]
    assert work.manifests() == [] and not [p for p in (tmp_path / "archive").rglob("*") if p.is_file()]


def test_an_agency_folder_that_is_a_link_is_not_read(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "umkm.csv").write_text(umkm_csv("1901050001;Sungai Jaya;Air Duren;2023;1;1;1;9"))
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "bps").symlink_to(elsewhere)
    scan = scan_inbox(tmp_path / "inbox" / "bps", settle=0)
    assert scan.files == [] and [(e.name, e.status, e.code) for e in scan.entries] == \
        [("bps", "refused", "symbolic_link")]

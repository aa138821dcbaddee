"""The portal's parts on their own: the account store (argon2 hashes, throttling, sessions that expire),
writing an upload into the inbox so that no sync reads half of it, the steward's account commands, and
what an office may see of a report."""
from __future__ import annotations

import json

import io
import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from assets.ingest.inbox import WHOLE_FILES, scan_inbox, whole_stamp
from assets.ingest.report import SUMMARY_SHEET
from pipelines.portal import drop
from pipelines.portal.answers import answer, for_office
from pipelines.portal.secret import PortalRefused, portal_dir, secret_key
from pipelines.portal.store import AccountError, PortalStore, Upload
from tests.portal_fixture import JEMBATAN


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def store(tmp_path) -> PortalStore:
    folder = portal_dir(tmp_path / "warehouse")
    return PortalStore(folder / "portal.sqlite3", secret_key(folder))


# -- accounts ------------------------------------------------------------------------------------------
def test_passwords_are_stored_as_argon2_hashes_and_checked(store):
    store.add_user("polres.bangka", "polda", "Polres  Bangka", "kata-sandi-panjang-1")
    user = store.verify("Polres.Bangka", "kata-sandi-panjang-1")
    assert (user.username, user.agency, user.office) == ("polres.bangka", "polda", "Polres Bangka")
    assert store.verify("polres.bangka", "kata-sandi-panjang-2") is None
    assert store.verify("tidak.ada", "kata-sandi-panjang-1") is None
    with sqlite3.connect(store.path) as db:
        stored = db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert stored.startswith("$argon2id$") and "kata-sandi" not in stored
    # Another clerk of the same office joins its spelling; a disabled account cannot log in.
    assert store.add_user("bangka2", "polda", "polres bangka", "kata-sandi-panjang-3").office == "Polres Bangka"
    store.set_enabled("polres.bangka", False)
    assert store.verify("polres.bangka", "kata-sandi-panjang-1") is None


@pytest.mark.parametrize("username, agency, office, password, says", [
    ("Ab", "polda", "Polres Bangka", "kata-sandi-panjang", "3 to 64 characters"),
    ("polres/bangka", "polda", "Polres Bangka", "kata-sandi-panjang", "3 to 64 characters"),
    ("bangka", "polisi", "Polres Bangka", "kata-sandi-panjang", "one of bps, koperasi, polda"),
    ("bangka", "polda", "  ", "kata-sandi-panjang", "office"),
    ("bangka", "polda", "Polres Bangka", "pendek", "at least 10 characters"),
])
def test_an_account_that_cannot_be_made_says_why(store, username, agency, office, password, says):
    with pytest.raises(AccountError, match=says):
        store.add_user(username, agency, office, password)
    assert store.users() == []


def test_logins_wait_after_five_failures_per_user_and_twenty_per_address(store):
    user, address = store.throttle_key("user", "bangka"), store.throttle_key("address", "10.1.2.3")
    limits = {user: 5, address: 20}
    start = 1_000_000.0
    for i in range(4):
        store.record_failure([user, address], now=start + i)
    assert store.wait_seconds(limits, 900, now=start + 10) == 0
    store.record_failure([user, address], now=start + 4)
    assert store.wait_seconds(limits, 900, now=start + 10) == pytest.approx(890)   # the 5th latest is 900 s old then
    assert store.wait_seconds(limits, 900, now=start + 901) == 0
    # Guessing many usernames from one address: each name stays under its limit, the address does not.
    crowded = store.throttle_key("address", "10.9.9.9")
    for i in range(20):
        store.record_failure([store.throttle_key("user", f"tebakan{i}"), crowded], now=start + 2000 + i)
    fresh = store.throttle_key("user", "belitung")
    assert store.wait_seconds({fresh: 5, crowded: 20}, 900, now=start + 2030) == pytest.approx(870)
    assert store.wait_seconds({fresh: 5, address: 20}, 900, now=start + 2030) == 0
    store.clear_failures(user)
    # The keys are HMACs: neither the typed names nor the address are stored.
    raw = store.path.read_bytes()
    assert b"bangka" not in raw and b"10.1.2.3" not in raw


def test_the_stewards_unlock_or_a_new_password_lifts_one_accounts_throttle(store):
    user = store.throttle_key("user", "bangka")
    store.add_user("bangka", "polda", "Polres Bangka", "kata-sandi-bangka")
    other = store.throttle_key("user", "belitung")
    store.record_failure([user, other] * 5)
    assert store.wait_seconds({user: 5}, 900) > 0 and store.wait_seconds({other: 5}, 900) > 0
    assert store.unlock(" Bangka ")[1] == 5
    assert store.wait_seconds({user: 5}, 900) == 0 and store.wait_seconds({other: 5}, 900) > 0
    store.record_failure([user] * 5)
    store.set_password("bangka", "kata-sandi-baru-1")
    assert store.wait_seconds({user: 5}, 900) == 0
    with pytest.raises(AccountError, match="no account 'nobody'"):
        store.unlock("nobody")


def test_a_session_ends_when_idle_too_long_when_too_old_or_when_its_account_is_disabled(store, monkeypatch):
    user = store.add_user("bangka", "polda", "Polres Bangka", "kata-sandi-panjang")
    token = store.start_session(user)
    assert store.session_user(token, idle=60, lifetime=3600) == (user, False)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 61)
    assert store.session_user(token, idle=60, lifetime=3600) == (None, True)      # idle: ended
    assert store.session_user(token, idle=60, lifetime=3600) == (None, False)     # and gone
    monkeypatch.undo()
    token = store.start_session(user)
    monkeypatch.setattr(time, "time", lambda: now + 3601)
    assert store.session_user(token, idle=10**6, lifetime=3600) == (None, True)   # too old, however busy
    monkeypatch.undo()
    token = store.start_session(user)
    store.set_enabled("bangka", False)
    assert store.session_user(token, idle=60, lifetime=3600) == (None, False)
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
        assert token not in store.path.read_text(errors="replace")                 # only its hash is kept


def test_the_portal_folder_and_secret_key_are_the_owners_only_and_made_once(tmp_path):
    folder = portal_dir(tmp_path / "warehouse")
    key = secret_key(folder)
    assert len(key) == 32 and secret_key(folder) == key
    assert (mode(folder), mode(folder / "secret_key")) == (0o700, 0o600)
    PortalStore(folder / "portal.sqlite3", key)
    assert mode(folder / "portal.sqlite3") == 0o600
    (folder / "secret_key").chmod(0o644)
    with pytest.raises(PortalRefused, match="readable by others"):
        secret_key(folder)


def test_the_steward_adds_lists_and_disables_accounts_with_the_password_on_standard_input(tmp_path):
    env = {**os.environ, "JEMBATAN_WAREHOUSE": str(tmp_path / "warehouse")}

    def jembatan(*args, stdin=""):
        return subprocess.run([JEMBATAN, "portal", "user", *args], input=stdin, env=env, capture_output=True,
                              text=True, timeout=120)
    added = jembatan("add", "bangka", "--agency", "polda", "--office", "Polres Bangka", stdin="kata-sandi-bangka\n")
    assert (added.returncode, added.stdout) == (0, "added bangka (polda, Polres Bangka)\n")
    refused = jembatan("add", "bangka", "--agency", "polda", "--office", "Polres Bangka", stdin="kata-sandi-lain-1\n")
    assert (refused.returncode, refused.stderr) == (2, "not done: username 'bangka' is taken\n")
    short = jembatan("add", "koperasi1", "--agency", "koperasi", "--office", "Dinas Koperasi", stdin="pendek\n")
    assert (short.returncode, short.stderr) == (2, "not done: password: at least 10 characters\n")
    assert jembatan("disable", "bangka").stdout == "disabled bangka (polda, Polres Bangka); its sessions ended\n"
    listed = jembatan("list").stdout.splitlines()
    assert listed[0].split() == ["username", "agency", "office", "enabled", "created"]
    assert listed[1].split()[:5] == ["bangka", "polda", "Polres", "Bangka", "no"] and len(listed) == 2
    assert jembatan("password", "nobody", stdin="kata-sandi-baru-1\n").stderr == "not done: no account 'nobody'\n"
    folder = tmp_path / "warehouse" / "portal"
    assert (mode(folder), mode(folder / "portal.sqlite3"), mode(folder / "secret_key")) == (0o700, 0o600, 0o600)
    assert b"kata-sandi-bangka" not in (folder / "portal.sqlite3").read_bytes()


# -- writing into the inbox ----------------------------------------------------------------------------
@pytest.mark.parametrize("sent, placed", [
    ("laporan polisi 2023.xlsx", "laporan polisi 2023.xlsx"),
    ("C:\\Users\\Polres\\Desktop\\LP Agustus.XLSX", "LP Agustus.xlsx"),
    ("../../etc/cron.d/jahat.csv", "jahat.csv"),
    (".tersembunyi.csv", "tersembunyi.csv"),
    ("~$kunci.xlsx", "kunci.xlsx"),
    ("a/" + "x" * 300 + ".ods", "x" * 100 + ".ods"),
    ("résumé 📄.csv", "résumé.csv"),                              # accents kept, an emoji dropped
    ("Laporan Polres Pangkalpinang – Agustus #2.xlsx", "Laporan Polres Pangkalpinang - Agustus _2.xlsx"),
    ("Re\u0301sume\u0301.CSV", "R\u00e9sum\u00e9.csv"),           # combining accents joined to their letters (NFC)
    ("data:\t<lp>?.xls", "data_ lp_.xls"),
])
def test_an_upload_gets_a_safe_name_inside_its_agency_folder(sent, placed):
    assert drop.inbox_name(sent) == placed


@pytest.mark.parametrize("sent", ["laporan.pdf", "laporan", "foto.jpg", "laporan.xlsx.exe"])
def test_an_upload_of_a_kind_the_sync_cannot_read_is_refused_at_once(sent):
    with pytest.raises(drop.UploadRefused) as refused:
        drop.inbox_name(sent)
    assert refused.value.code == "unsupported_type"


class _SlowStream(io.BytesIO):
    """An upload arriving in pieces; `halfway` is set once half of it has been written."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.halfway = threading.Event()
        self.go_on = threading.Event()

    def read(self, size=-1):
        if self.tell() >= len(self.getvalue()) // 2 and not self.halfway.is_set():
            self.halfway.set()
            self.go_on.wait(10)
        return super().read(min(size, 1024))


def test_an_upload_being_written_is_never_seen_by_a_sync_and_lands_whole(tmp_path):
    folder = tmp_path / "inbox" / "polda"
    data = os.urandom(200_000)
    stream = _SlowStream(data)
    done = {}
    writer = threading.Thread(target=lambda: done.update(received=drop.receive(folder, stream, 1 << 20)))
    writer.start()
    assert stream.halfway.wait(10)
    scan = scan_inbox(folder, settle=0)            # what a sync (or an inbox sensor) sees half-way
    assert scan.files == []
    assert [(e.status, e.code) for e in scan.entries] == [("left_alone", "lock_file")]
    stream.go_on.set()
    writer.join(10)
    final = drop.place(done["received"], "laporan.xlsx")
    scan = scan_inbox(folder, settle=0)
    assert scan.files == [final] and scan.entries == [] and final.read_bytes() == data
    assert mode(final) == 0o600


# What the portal's sync sees of its inbox folder: a process of its own started ahead, which starts on its
# line of standard input and reads the stamps on it, as `jembatan sync --start-on-line` does.
SEEN_BY_THE_SYNC = """
import json, os, sys
from pathlib import Path
from assets.ingest.inbox import WHOLE_FILES, scan_inbox
line = sys.stdin.readline()
if not line:
    sys.exit(0)
os.environ[WHOLE_FILES] = line.strip()
scan = scan_inbox(Path(sys.argv[1]))
Path(sys.argv[2]).write_text(json.dumps({"files": [p.name for p in scan.files],
                                         "waiting": [e.name for e in scan.entries if e.status == "waiting"]}))
"""


def test_the_portals_sync_reads_its_upload_at_once_and_a_file_copied_beside_it_still_settles(tmp_path, monkeypatch):
    from pipelines.portal.sync_runs import SyncRunner
    monkeypatch.setenv("JEMBATAN_SETTLE_SECONDS", "600")       # nothing settles by time while the test runs
    folder = tmp_path / "inbox" / "polda"
    seen = tmp_path / "seen.json"
    runner = SyncRunner(tmp_path / "inbox", tmp_path / "warehouse",
                        command=[sys.executable, "-c", SEEN_BY_THE_SYNC, str(folder), str(seen)])
    upload = drop.place(drop.receive(folder, io.BytesIO(b"Nomor LP;Tgl Lapor\n"), 100), "lp.csv")
    (folder / "salinan.csv").write_bytes(b"Nomor LP;Tgl Lapor\n")     # copied onto the share just now
    runner.request("upload", placed=upload)
    assert runner.wait_idle(120) and runner.last_exit == 0
    assert json.loads(seen.read_text()) == {"files": ["lp.csv"], "waiting": ["salinan.csv"]}
    assert scan_inbox(folder).files == []          # any other reader (the sensors) still waits for both
    # Told whole, then changed before a sync looked (appended to on the share): it settles like any file.
    monkeypatch.setenv(WHOLE_FILES, whole_stamp(upload.lstat()))
    assert scan_inbox(folder).files == [upload]
    with upload.open("ab") as out:
        out.write(b"LP/1;2023-08-01\n")
    assert scan_inbox(folder).files == [] and [e.name for e in scan_inbox(folder).entries] == ["lp.csv", "salinan.csv"]
    # The next sync's process waits already; the portal ending closes its input and it exits without a look.
    seen.unlink()
    runner.close()
    assert not seen.exists() and runner.finished == 1


def test_a_sync_waiting_to_start_exits_without_syncing_when_its_input_ends(tmp_path):
    env = {**os.environ, "JEMBATAN_INBOX": str(tmp_path / "inbox"), "JEMBATAN_WAREHOUSE": str(tmp_path / "warehouse"),
           "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    done = subprocess.run([JEMBATAN, "sync", "--start-on-line"], input="", env=env, capture_output=True, text=True,
                          timeout=300)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert [p.name for p in (tmp_path / "warehouse").iterdir()] == [] and not (tmp_path / "dagster_home").exists()


def test_the_portals_sync_reads_its_upload_and_never_waits_on_another_files_copy(reference_dir, tmp_path):
    """A clerk's upload (named whole on the start line) is read at once; a file still being copied onto the
    share beside it is listed as waiting for the next sync, not waited for."""
    from tests.test_pipeline_small import crime_workbook
    inbox = reference_dir.parent
    (inbox / "polda").mkdir()
    upload, copying = inbox / "polda" / "lp_upload.xlsx", inbox / "polda" / "besar.csv"
    crime_workbook(upload)
    copying.write_text("No;Nomor LP\n1;LP/B/9/I/2023/SPKT/POLRES BANGKA\n")
    later = time.time() + 3600
    os.utime(copying, (later, later))               # changed "now" for as long as the sync runs
    time.sleep(2)                                   # the reference lists settle (1 s unchanged): not waited for
    env = {**os.environ, "JEMBATAN_INBOX": str(inbox), "JEMBATAN_WAREHOUSE": str(tmp_path / "warehouse"),
           "DAGSTER_HOME": str(tmp_path / "dagster_home"), "JEMBATAN_SETTLE_SECONDS": "1"}
    done = subprocess.run([JEMBATAN, "sync", "--start-on-line"], input=whole_stamp(os.lstat(upload)) + "\n",
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "still being written to settle" not in done.stderr
    lines = done.stdout.splitlines()
    assert any("waiting" in line and "besar.csv" in line for line in lines), done.stdout
    import duckdb
    with duckdb.connect(str(tmp_path / "warehouse" / "jembatan.duckdb"), read_only=True) as con:   # the upload landed
        assert con.execute("SELECT count(DISTINCT report_number) FROM fact_crime_report").fetchone()[0] >= 1


def test_a_name_already_in_the_inbox_is_never_overwritten(tmp_path):
    folder = tmp_path / "polda"
    folder.mkdir()
    (folder / "laporan.xlsx").write_bytes(b"dari orang lain")
    first = drop.place(drop.receive(folder, io.BytesIO(b"satu"), 100), "laporan.xlsx")
    second = drop.place(drop.receive(folder, io.BytesIO(b"dua"), 100), "laporan.xlsx")
    assert (first.name, second.name) == ("laporan (2).xlsx", "laporan (3).xlsx")
    assert sorted(p.name for p in folder.iterdir()) == ["laporan (2).xlsx", "laporan (3).xlsx", "laporan.xlsx"]
    assert (folder / "laporan.xlsx").read_bytes() == b"dari orang lain"


@pytest.mark.parametrize("data, code", [(b"x" * 101, "too_large"), (b"", "empty")])
def test_an_upload_too_large_or_empty_leaves_nothing_in_the_inbox(tmp_path, data, code):
    with pytest.raises(drop.UploadRefused) as refused:
        drop.receive(tmp_path, io.BytesIO(data), 100)
    assert refused.value.code == code and list(tmp_path.iterdir()) == []


# -- what an office sees of a report -------------------------------------------------------------------
def _upload(name: str, sha: str, office: str = "Polres Bangka") -> Upload:
    return Upload(sha, "polda", office, name, name, 10, "bangka", "2026-01-01T00:00:00+00:00")


def test_a_report_shows_no_other_offices_file_names_nor_row_content():
    own = [_upload("lp.xlsx", "a" * 64), _upload("data.xlsx", "c" * 64)]
    report = {"status": "partially_accepted", "file_name": "lp.xlsx", "duplicate_of": "",
              "supersedes": ["c" * 64, "d" * 64], "superseded_by": "",
              "notes": ["sheet 'Data': note row 9 left out (Dibuat oleh: Budi)"], "notes_id": [],
              "problems": [],
              "errors": [{"code": "duplicate_key_other_file", "header": "Nomor LP", "value": "LP/1",
                          "message": "Nomor LP: 'LP/1' already came in "
                          "a.xlsx row 4; each report is counted once.",
                          "message_id": "Nomor LP: 'LP/1' sudah diterima di a.xlsx baris 4; setiap laporan dihitung sekali."},
                         {"code": "duplicate_key_other_file", "header": "Nomor LP", "value": "LP/2",
                          "message": "Nomor LP: 'LP/2' already came in data.xlsx row 5",
                          "message_id": "Nomor LP: 'LP/2' sudah diterima di data.xlsx baris 5"}],
              "skipped": [{"sheet": "Data", "row": 9, "reason": "note", "text": "Dibuat oleh: Budi"}]}
    seen = for_office(report, own[0], own, others={"a.xlsx", "rahasia polres lain.xlsx"})
    assert [e["message"] for e in seen["errors"]] == [
        "Nomor LP: 'LP/1' was already sent in another file; each report is counted once.",   # not which, nor its row
        "Nomor LP: 'LP/2' already came in data.xlsx row 5"]      # data.xlsx is the office's own; "a.xlsx" inside it kept
    assert seen["errors"][0]["message_id"] == \
        "Nomor LP: 'LP/1' sudah pernah dikirim dalam berkas lain; setiap laporan dihitung sekali."
    assert seen["supersedes"] == ["c" * 64]
    assert seen["skipped"] == [{"sheet": "Data", "row": 9, "reason": "note"}]


def test_an_upload_not_read_yet_waits_and_one_taken_out_unread_is_gone(tmp_path):
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse"
    (inbox / "polda").mkdir(parents=True)
    (inbox / "polda" / "lp.xlsx").write_bytes(b"x")
    upload = _upload("lp.xlsx", "e" * 64)
    assert answer(inbox, warehouse, upload, [upload]).status == "waiting"
    (inbox / "polda" / "lp.xlsx").unlink()
    assert answer(inbox, warehouse, upload, [upload]).status == "gone"


def test_content_first_received_in_another_folder_answers_with_its_duplicate_report_and_no_other_name(tmp_path):
    from assets.ingest.work_area import WorkArea
    from assets.ingest.report import duplicate_reports, file_report, report_workbook, write_report
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse"
    sha = "f" * 64
    manifest = {"sha256": sha, "source": "bps", "file_name": "umkm dinas lain.csv", "also_received_as": ["lp.csv"],
                "datasets": ["msme_village_count"], "rows_read": 3, "rows_skipped": 0, "notes": [], "notes_id": []}
    WorkArea(warehouse / "work").write_manifest_dict(manifest)
    report = file_report(manifest, errors=pd.DataFrame())
    for written in [report, *duplicate_reports(manifest, report)]:
        write_report(warehouse / "reports", written)
    upload = _upload("lp.csv", sha)                      # Polres Bangka sent the same bytes into inbox/polda
    found = answer(inbox, warehouse, upload, [upload])
    assert (found.status, found.report["rows_read"], found.report["duplicate_of"]) == ("duplicate", 3, "another file")
    assert found.report["notes_id"][0] == "isi yang sama sudah pernah diterima; dihitung sekali"
    assert (found.report["source"], found.report["received_at"]) == ("polda", upload.uploaded_at)
    assert "umkm dinas lain" not in str(found.report) and found.workbook.name == f"lp.csv.{sha[:12]}.xlsx"
    # The sync's workbook names the other file: the office's workbook is written again without it.
    assert "umkm dinas lain" in str([c.value for row in openpyxl.load_workbook(found.workbook)[SUMMARY_SHEET].iter_rows()
                                     for c in row])
    written = io.BytesIO()
    report_workbook(found.rewritten, written)
    rewritten = openpyxl.load_workbook(written)
    cells = [c.value for row in rewritten[SUMMARY_SHEET].iter_rows() for c in row]
    assert "umkm dinas lain" not in str(cells) and "another file" in cells


def test_an_office_sending_another_offices_content_sees_only_its_own_upload(tmp_path):
    """Polres Belitung sends the very bytes of Polres Bangka's file (since corrected), Dinas Koperasi those
    of the correction: each sees its own upload time and folder, no name, hash or correction of Bangka's."""
    from assets.ingest.work_area import WorkArea
    from assets.ingest.report import duplicate_reports, file_report, write_report
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse"
    first, fixed = "1" * 64, "88b303cc4817" + "2" * 52
    bangka = [Upload(first, "polda", "Polres Bangka", "LP Bangka.xlsx", "LP Bangka.xlsx", 10, "bangka",
                     "2026-01-01T00:00:00+00:00"),
              Upload(fixed, "polda", "Polres Bangka", "LP Bangka perbaikan.xlsx", "x", 10, "bangka",
                     "2026-01-02T00:00:00+00:00")]
    belitung = Upload(first, "polda", "Polres Belitung", "LP Bangka (2).xlsx", "lp.xlsx", 10, "belitung",
                      "2026-01-05T00:00:00+00:00")
    koperasi = Upload(fixed, "koperasi", "Dinas Koperasi Bangka", "data.xlsx", "data.xlsx", 10, "kop",
                      "2026-01-06T00:00:00+00:00")
    work = WorkArea(warehouse / "work")
    for sha, name, also, at, extra in (
            (first, "LP Bangka.xlsx", ["LP Bangka (2).xlsx"], "2026-01-01T00:00:05+00:00",
             {"superseded_by": fixed, "notes": ["superseded by LP Bangka perbaikan.xlsx (88b303cc4817), a corrected "
                                                "file for the same data; its rows no longer count"],
              "notes_id": ["digantikan oleh LP Bangka perbaikan.xlsx (88b303cc4817), berkas perbaikan untuk data "
                           "yang sama; barisnya tidak dihitung lagi"]}),
            (fixed, "LP Bangka perbaikan.xlsx", ["data.xlsx"], "2026-01-02T00:00:05+00:00",
             {"supersedes": [first], "notes": ["sheet 'Data': 1 column not read: Catatan"],
              "notes_id": ["lembar 'Data': 1 kolom tidak dibaca: Catatan"]})):
        manifest = {"sha256": sha, "source": "polda", "file_name": name, "also_received_as": also,
                    "datasets": ["crime_report"], "rows_read": 4, "rows_skipped": 0, "received_at": at, **extra}
        work.write_manifest_dict(manifest)
        report = file_report(manifest, errors=pd.DataFrame())
        for written in [report, *duplicate_reports(manifest, report)]:
            write_report(warehouse / "reports", written)
    senders = sorted([*bangka, belitung, koperasi], key=lambda u: u.uploaded_at)
    for upload in (belitung, koperasi):
        found = answer(inbox, warehouse, upload, [upload], senders=[u for u in senders if u.sha256 == upload.sha256])
        seen = found.report
        assert (seen["status"], seen["source"], seen["received_at"], seen["file_name"]) == \
            ("duplicate", upload.agency, upload.uploaded_at, upload.file_name)
        assert (seen["superseded_by"], seen["supersedes"], seen["duplicate_of"]) == ("", [], "another file")
        assert seen["notes"][0] == "the same content was already received; it was counted once"
        assert seen["notes_id"][0] == "isi yang sama sudah pernah diterima; dihitung sekali"
        for shown in (seen, found.rewritten):
            text = json.dumps(shown)
            other_sha = fixed if upload is belitung else first      # the other file's hash (the own one is shown)
            for secret in ("LP Bangka.xlsx", "perbaikan", other_sha[:12], "2026-01-01", "2026-01-02", "Polres Bangka",
                           *(["polda"] if upload is koperasi else [])):
                assert secret not in text, (upload.office, secret)
        assert found.rewritten is not None      # the sync's workbook says more: written again for the office
    # The correction's own content notes stay for Koperasi (they are about the bytes it sent).
    kop = answer(inbox, warehouse, koperasi, [koperasi], senders=[bangka[1], koperasi]).report
    assert kop["notes"][1:] == ["sheet 'Data': 1 column not read: Catatan"]
    # Bangka itself still sees its own file, its correction and when it was read.
    own = answer(inbox, warehouse, bangka[0], bangka, senders=[bangka[0], belitung]).report
    assert (own["status"], own["superseded_by"], own["received_at"]) == \
        ("accepted", fixed, "2026-01-01T00:00:05+00:00")
    assert own["notes"][0].startswith("superseded by LP Bangka perbaikan.xlsx (88b303cc4817)")

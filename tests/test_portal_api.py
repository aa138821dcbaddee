"""The portal's API as an agency system uses it: a plain HTTP client against the real server process
(`jembatan portal`), a real `jembatan sync` between upload and answer. One server for the module, and one
with short limits for throttling and idle sessions."""
from __future__ import annotations

import http.client
import io
import json
import subprocess
import time
import urllib.parse

import openpyxl
import pytest
import requests

from pipelines.portal.answers import report_files
from pipelines.portal.store import Upload
from tests.portal_fixture import (FIRST_ROWS, FIXED_ROWS, JEMBATAN, VICTIM, add_user, crime_workbook, make_world,
                                  portal_server, sync)

BANGKA = ("api.bangka", "kata-sandi-bangka")
BELITUNG = ("api.belitung", "kata-sandi-belitung")
KOPERASI = ("api.koperasi", "kata-sandi-koperasi")
# A cooperative agency's CSV: one good row, one NIK a digit too long, with the owner's name and phone.
BAD_NIK, PHONE, OWNER = "32010115088500012", "081234567890", "Rahmat Hidayat"
PROGRAM_CSV = ("Nama Usaha,Nama Pemilik,NIK,No. HP,Desa/Kelurahan,Kecamatan,Program,Tanggal,Nilai (Rp)\n"
               "Warung Bu Ani,Ani Suryani,3201011508850001,081111111111,Sidorejo,Sungai Jaya,KUR,5 September 2023,5000000\n"
               f"Toko Maju,{OWNER},{BAD_NIK},{PHONE},Kampung Baru,Mendo,QRIS,6 September 2023,0\n")
NOBODY_SHA = "0" * 64


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world = make_world(tmp_path_factory.mktemp("portal_api"))
    add_user(world, BANGKA[0], "polda", "Polres Bangka", BANGKA[1])
    add_user(world, BELITUNG[0], "polda", "Polres Belitung", BELITUNG[1])
    add_user(world, KOPERASI[0], "koperasi", "Dinas Koperasi Bangka", KOPERASI[1])
    return world


@pytest.fixture(scope="module")
def portal(world):
    with portal_server(world) as url:
        yield url


def login(portal: str, account: tuple[str, str]) -> tuple[requests.Session, str]:
    session = requests.Session()
    answer = session.post(f"{portal}/api/login", data={"username": account[0], "password": account[1]}, timeout=60)
    assert answer.status_code == 200, answer.text
    return session, answer.json()["csrf_token"]


@pytest.fixture(scope="module")
def uploaded(world, portal):
    """Polres Bangka's system sends a workbook (waiting), the steward's sync reads it."""
    session, token = login(portal, BANGKA)
    workbook = crime_workbook(world.root / "lp_agustus.xlsx", FIRST_ROWS)
    sent = session.post(f"{portal}/api/files", headers={"X-CSRFToken": token}, timeout=60,
                        files={"file": ("LP Agustus 2023.xlsx", workbook.read_bytes())})
    listed_before = session.get(f"{portal}/api/files", timeout=60).json()
    cooperative, cooperative_token = login(portal, KOPERASI)
    program = cooperative.post(f"{portal}/api/files", headers={"X-CSRFToken": cooperative_token}, timeout=60,
                               files={"file": ("peserta september.csv", PROGRAM_CSV.encode())})
    sync(world)
    return {"session": session, "token": token, "sent": sent, "listed_before": listed_before,
            "workbook": workbook, "cooperative": cooperative, "program": program}


def test_without_a_session_every_api_request_answers_401_json(portal):
    for method, path in (("get", "/api/files"), ("post", "/api/files"), ("get", f"/api/files/{NOBODY_SHA}"),
                         ("get", f"/api/files/{NOBODY_SHA}/report.xlsx"), ("post", "/api/logout")):
        answer = getattr(requests, method)(portal + path, headers={"X-CSRFToken": "x"}, timeout=60)
        assert answer.status_code == 401, (method, path)
        assert answer.json() == {"error": "login_required", "message": "log in first: POST /api/login"}


def test_a_wrong_login_answers_401_and_a_login_from_another_sites_page_is_refused(portal):
    wrong = requests.post(f"{portal}/api/login", data={"username": BANGKA[0], "password": "bukan-sandinya"}, timeout=60)
    assert (wrong.status_code, wrong.json()["error"]) == (401, "login_failed") and not wrong.cookies
    forged = requests.post(f"{portal}/api/login", data={"username": BANGKA[0], "password": BANGKA[1]},
                           headers={"Origin": "https://jahat.example"}, timeout=60)
    assert (forged.status_code, forged.json()["error"]) == (403, "cross_site") and not forged.cookies
    same_site = requests.post(f"{portal}/api/login", data={"username": BANGKA[0], "password": BANGKA[1]},
                              headers={"Origin": portal}, timeout=60)
    assert same_site.status_code == 200 and same_site.json()["office"] == "Polres Bangka"


def test_an_upload_without_the_csrf_token_is_refused_and_nothing_reaches_the_inbox(world, portal):
    session, token = login(portal, BANGKA)
    before = sorted((world.inbox / "polda").glob("*")) if (world.inbox / "polda").exists() else []
    for headers in ({}, {"X-CSRFToken": "bukan-token"}, {"X-CSRFToken": token[:-2] + "xx"}):
        refused = session.post(f"{portal}/api/files", headers=headers, timeout=60,
                               files={"file": ("lp.csv", b"Nomor LP,Tgl Lapor\n")})
        assert refused.status_code == 400 and refused.json()["error"] == "csrf", headers
    # A page of another site cannot send one even with the token (the browser says where it comes from).
    forged = session.post(f"{portal}/api/files", headers={"X-CSRFToken": token, "Origin": "https://jahat.example"},
                          files={"file": ("lp.csv", b"Nomor LP,Tgl Lapor\n")}, timeout=60)
    assert (forged.status_code, forged.json()["error"]) == (403, "cross_site")
    # Another session's token is not this session's.
    _, other_token = login(portal, BELITUNG)
    assert session.post(f"{portal}/api/files", headers={"X-CSRFToken": other_token}, timeout=60,
                        files={"file": ("lp.csv", b"x")}).status_code == 400
    after = sorted((world.inbox / "polda").glob("*")) if (world.inbox / "polda").exists() else []
    assert after == before


def test_an_upload_waits_until_a_sync_reads_it_then_answers_with_its_report(world, portal, uploaded):
    sent = uploaded["sent"]
    assert sent.status_code == 202
    sha = sent.json()["sha256"]
    assert sent.json() == {"sha256": sha, "file_name": "LP Agustus 2023.xlsx", "status": "waiting"}
    assert [(f["sha256"], f["status"], f["rows_read"]) for f in uploaded["listed_before"]["files"]] == \
        [(sha, "waiting", None)]
    # The file went into inbox/polda whole, under the clerk's name.
    placed = world.inbox / "polda" / "LP Agustus 2023.xlsx"
    assert placed.read_bytes() == uploaded["workbook"].read_bytes()

    session = uploaded["session"]
    report = session.get(f"{portal}/api/files/{sha}", timeout=60).json()
    twin, workbook = report_files(world.warehouse / "reports",
                                  Upload(sha, "polda", "Polres Bangka", placed.name, "", 0, "", ""))
    on_disk = json.loads(twin.read_text())
    assert (report["status"], report["rows_read"], report["rows_accepted"], report["rows_rejected"]) == \
        ("partially_accepted", 4, 2, 2)
    assert [(e["sheet"], e["row"], e["column"], e["value"], e["code"]) for e in report["errors"]] == \
        [("Data", 4, "B", "31/02/2023", "invalid_date"), ("Data", 5, "F", "Negeri Dongeng", "unknown_village")]
    assert report["errors"] == on_disk["errors"] and report["sha256"] == on_disk["sha256"] == sha
    assert VICTIM not in json.dumps(report)
    listed = session.get(f"{portal}/api/files", timeout=60).json()
    assert listed["office"] == "Polres Bangka"
    assert [(f["sha256"], f["status"], f["rows_read"], f["rows_accepted"], f["rows_rejected"], f["dataset"])
            for f in listed["files"]] == [(sha, "partially_accepted", 4, 2, 2, "crime_report")]
    downloaded = session.get(f"{portal}/api/files/{sha}/report.xlsx", timeout=60)
    assert downloaded.status_code == 200 and downloaded.content == workbook.read_bytes()
    # The same content sent again is not written twice: its report comes back at once.
    again = session.post(f"{portal}/api/files", headers={"X-CSRFToken": uploaded["token"]}, timeout=60,
                         files={"file": ("salinan.xlsx", uploaded["workbook"].read_bytes())})
    assert again.status_code == 200 and again.json()["rows_accepted"] == 2
    assert sorted(p.name for p in (world.inbox / "polda").iterdir()) == ["LP Agustus 2023.xlsx"]


def test_a_report_never_shows_a_nik_phone_or_name_in_clear_on_the_api_or_the_page(world, portal, uploaded):
    cooperative, sha = uploaded["cooperative"], uploaded["program"].json()["sha256"]
    report = cooperative.get(f"{portal}/api/files/{sha}", timeout=60).json()
    assert (report["status"], report["rows_read"], report["rows_accepted"], report["rows_rejected"]) == \
        ("partially_accepted", 2, 1, 1)
    assert [(e["row"], e["column"], e["code"], e["value"]) for e in report["errors"]] == \
        [(3, "C", "invalid_nik", "3201*************")]
    page = cooperative.get(f"{portal}/files/{sha}", timeout=60)
    assert page.status_code == 200 and "3201*************" in page.text and "invalid_nik" in page.text
    for personal in (BAD_NIK, PHONE, OWNER, "3201011508850001", "081111111111", "Ani Suryani"):
        assert personal not in json.dumps(report) and personal not in page.text
    # The other agency's clerks see none of it either.
    assert login(portal, BANGKA)[0].get(f"{portal}/api/files/{sha}", timeout=60).status_code == 404


def test_another_office_gets_404_for_every_url_of_a_file_not_its_own(world, portal, uploaded):
    sha = uploaded["sent"].json()["sha256"]
    session, _ = login(portal, BELITUNG)
    assert session.get(f"{portal}/api/files", timeout=60).json() == {
        "agency": "polda", "office": "Polres Belitung", "files": []}
    unknown = session.get(f"{portal}/api/files/{NOBODY_SHA}", timeout=60)
    for path in (f"/api/files/{sha}", f"/api/files/{sha.upper()}", f"/api/files/{sha}/report.xlsx",
                 f"/files/{sha}", f"/files/{sha}/report.xlsx", f"/api/files/{sha[:12]}",
                 "/api/files/..%2F..%2Fportal%2Fsecret_key", "/api/files/%2e%2e/%2e%2e/portal/secret_key",
                 f"/api/files/{sha}/..%2F..%2F..%2Fportal%2Fportal.sqlite3",
                 f"/files/{sha}/report.xlsx/../../../reports/polda"):
        answer = session.get(portal + path, timeout=60, allow_redirects=False)
        assert answer.status_code == 404, path
        assert sha not in answer.text and "LP Agustus" not in answer.text, path
    assert unknown.status_code == 404 and unknown.json() == session.get(f"{portal}/api/files/{sha}", timeout=60).json()


def test_logging_out_or_disabling_the_account_ends_the_session(world, portal, uploaded):
    session, token = login(portal, BELITUNG)
    assert session.post(f"{portal}/api/logout", headers={"X-CSRFToken": token}, timeout=60).status_code == 200
    assert session.get(f"{portal}/api/files", timeout=60).status_code == 401
    session, _ = login(portal, BELITUNG)
    done = subprocess.run([JEMBATAN, "portal", "user", "disable", BELITUNG[0]], env=world.env(), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    try:
        assert session.get(f"{portal}/api/files", timeout=60).status_code == 401
        refused = requests.post(f"{portal}/api/login", data={"username": BELITUNG[0], "password": BELITUNG[1]},
                                timeout=60)
        assert refused.status_code == 401
    finally:
        subprocess.run([JEMBATAN, "portal", "user", "enable", BELITUNG[0]], env=world.env(), check=True,
                       capture_output=True, timeout=120)


# -- a second round: a copy from another office, a correction, a web page saved as .xlsx ------------------
@pytest.fixture(scope="module")
def second_round(world, portal, uploaded):
    """After the first sync: Polres Belitung sends the very bytes of Bangka's first file, Bangka sends its
    correction and a web page saved as .xlsx, Dinas Koperasi a CSV named with accents and an emoji;
    then the steward's sync."""
    belitung, belitung_token = login(portal, BELITUNG)
    copy = belitung.post(f"{portal}/api/files", headers={"X-CSRFToken": belitung_token}, timeout=60,
                         files={"file": ("salinan dari bangka.xlsx", uploaded["workbook"].read_bytes())})
    fixed = crime_workbook(world.root / "lp_perbaikan.xlsx", FIXED_ROWS)
    bangka, token = uploaded["session"], uploaded["token"]
    correction = bangka.post(f"{portal}/api/files", headers={"X-CSRFToken": token}, timeout=60,
                             files={"file": ("LP Agustus 2023.xlsx", fixed.read_bytes())})
    web = bangka.post(f"{portal}/api/files", headers={"X-CSRFToken": token}, timeout=60,
                      files={"file": ("laporan web.xlsx", b"<html><body><table><tr><td>LP</td></tr></table></body></html>")})
    cooperative, cooperative_token = login(portal, KOPERASI)
    accented = cooperative.post(f"{portal}/api/files", headers={"X-CSRFToken": cooperative_token}, timeout=60,
                                files={"file": ("résumé 📄.csv", (PROGRAM_CSV.splitlines()[0] + "\n" + PROGRAM_CSV.splitlines()[1]
                                                                 + "\nJumlah,,,,,,,,5000000\n").encode())})
    sync(world)
    return {"belitung": belitung, "copy": copy.json()["sha256"], "correction": correction.json()["sha256"],
            "web": web.json()["sha256"], "cooperative": cooperative, "accented": accented.json()}


def test_an_office_sending_another_offices_bytes_sees_only_its_own_upload(portal, uploaded, second_round):
    belitung, sha = second_round["belitung"], second_round["copy"]
    mine = belitung.get(f"{portal}/api/files", timeout=60).json()["files"]
    assert [(f["file_name"], f["status"], f["superseded_by"]) for f in mine] == \
        [("salinan dari bangka.xlsx", "duplicate", "")]
    report = belitung.get(f"{portal}/api/files/{sha}", timeout=60).json()
    assert (report["status"], report["source"], report["file_name"], report["received_at"]) == \
        ("duplicate", "polda", "salinan dari bangka.xlsx", mine[0]["uploaded_at"])
    assert (report["superseded_by"], report["supersedes"]) == ("", [])
    assert report["notes"][0] == "the same content was already received; it was counted once"
    assert (report["rows_read"], report["rows_accepted"]) == (4, 2)        # what its own bytes hold
    page = belitung.get(f"{portal}/files/{sha}", timeout=60).text
    workbook = belitung.get(f"{portal}/api/files/{sha}/report.xlsx", timeout=60)
    cells = str([c.value for ws in openpyxl.load_workbook(io.BytesIO(workbook.content)).worksheets
                 for row in ws.iter_rows() for c in row])
    for shown in (json.dumps(report), page, cells):
        for secret in ("LP Agustus", second_round["correction"][:12], "digantikan", "superseded by", "Polres Bangka"):
            assert secret not in shown, secret
    assert "isi yang sama sudah pernah diterima; dihitung sekali" in page


def test_the_office_sees_its_correction_by_name_and_a_refused_file_says_why_once(portal, uploaded, second_round):
    bangka, first, fixed = uploaded["session"], uploaded["sent"].json()["sha256"], second_round["correction"]
    listed = {f["sha256"]: f for f in bangka.get(f"{portal}/api/files", timeout=60).json()["files"]}
    assert (listed[first]["superseded_by"], listed[fixed]["superseded_by"]) == (fixed, "")
    assert (listed[fixed]["status"], listed[fixed]["file_name"]) == ("accepted", "LP Agustus 2023 (2).xlsx")
    page = bangka.get(f"{portal}/files/{first}", timeout=60).text
    assert f'<a href="/files/{fixed}">LP Agustus 2023 (2).xlsx</a>' in page
    assert f">{fixed}<" not in page                             # no bare fingerprint for the clerk to decode
    # A web page saved as .xlsx: refused (never read), its reason said once.
    web = bangka.get(f"{portal}/api/files/{second_round['web']}", timeout=60).json()
    assert (web["status"], web["rows_read"], [p["code"] for p in web["problems"]]) == \
        ("refused", 0, ["html_not_spreadsheet"])
    page = bangka.get(f"{portal}/files/{second_round['web']}", timeout=60).text
    assert "ditolak tanpa dibaca" in page and page.count(web["problems"][0]["message_id"]) == 1
    # The upload page names every kind it takes.
    assert ".xml" in bangka.get(f"{portal}/files", timeout=60).text


def test_an_accented_file_name_is_kept_and_rows_read_say_they_count_skipped_rows(portal, second_round):
    accented = second_round["accented"]
    assert accented["file_name"] == "résumé.csv"
    cooperative = second_round["cooperative"]
    report = cooperative.get(f"{portal}/api/files/{accented['sha256']}", timeout=60).json()
    assert (report["file_name"], report["original_name"], report["rows_read"], report["rows_skipped"]) == \
        ("résumé.csv", "résumé 📄.csv", 2, 1)
    page = cooperative.get(f"{portal}/files/{accented['sha256']}", timeout=60).text
    assert "Baris dibaca (termasuk yang dilewati)" in page and "r_sum" not in page
    assert "Baris dibaca (termasuk yang dilewati) / diterima / ditolak" in cooperative.get(f"{portal}/files",
                                                                                          timeout=60).text


# -- throttling and idle sessions, on a server with short limits ----------------------------------------
def _login_from(url: str, source: str, username: str, password: str) -> int:
    """POST /api/login from the loopback address `source` (another client address on this machine)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60, source_address=(source, 0))
    try:
        connection.request("POST", "/api/login", urllib.parse.urlencode({"username": username, "password": password}),
                           {"Content-Type": "application/x-www-form-urlencoded"})
        return connection.getresponse().status
    finally:
        connection.close()


def test_logins_are_throttled_per_user_and_per_address_and_idle_sessions_end(tmp_path):
    world = make_world(tmp_path)
    for name in ("kasir", "bendahara", "sekretaris"):
        add_user(world, name, "koperasi", "Dinas Koperasi Bangka", f"sandi-{name}-123")
    log = tmp_path / "portal.log"
    with portal_server(world, log=log, JEMBATAN_PORTAL_USER_FAILURES="3", JEMBATAN_PORTAL_ADDRESS_FAILURES="6",
                       JEMBATAN_PORTAL_IDLE_MINUTES="0.05") as url:
        # Idle: a session unused for 3 seconds is over.
        session, _ = login(url, ("sekretaris", "sandi-sekretaris-123"))
        assert session.get(f"{url}/api/files", timeout=60).status_code == 200
        time.sleep(4)
        assert session.get(f"{url}/api/files", timeout=60).status_code == 401
        # One account from one address: three wrong passwords, then even the right one waits there, saying how
        # long; from another address the owner waits a second at most (a delay, never a lockout).
        for _ in range(3):
            assert requests.post(f"{url}/api/login", data={"username": "kasir", "password": "sandi-yang-salah-1"},
                                 timeout=60).status_code == 401
        held = requests.post(f"{url}/api/login", data={"username": "kasir", "password": "sandi-kasir-123"}, timeout=60)
        assert held.status_code == 429 and held.json()["error"] == "throttled"
        assert 0 < int(held.headers["Retry-After"]) <= 15 * 60
        assert held.json()["message"] == "Too many failed logins. Wait 15 minutes, then try again."
        time.sleep(1.1)                                     # the account's delay after three failures: 1 s
        assert _login_from(url, "127.0.0.3", "kasir", "sandi-kasir-123") == 200
        # Per address, first: guessing other names from 127.0.0.1 holds every login from there, with no
        # password checked (not from elsewhere).
        for guess in ("sandi-di-kolom-nama", "admin", "root"):
            requests.post(f"{url}/api/login", data={"username": guess, "password": "tebak-tebakan-1"}, timeout=60)
        assert _login_from(url, "127.0.0.1", "bendahara", "bukan-sandinya-1") == 429
        assert _login_from(url, "127.0.0.2", "bendahara", "bukan-sandinya-1") == 401
        assert _login_from(url, "127.0.0.1", "bendahara", "sandi-bendahara-123") == 429
        assert _login_from(url, "127.0.0.2", "bendahara", "sandi-bendahara-123") == 200
        # The steward lifts a held account at once: `user unlock`, or a new password.
        unlocked = subprocess.run([JEMBATAN, "portal", "user", "unlock", "kasir"], env=world.env(), capture_output=True,
                                  text=True, timeout=120)
        assert (unlocked.returncode, unlocked.stdout) == (0, "unlocked kasir: 3 failed login(s) forgotten\n")
        assert _login_from(url, "127.0.0.4", "kasir", "sandi-kasir-123") == 200
        for _ in range(3):
            _login_from(url, "127.0.0.2", "kasir", "sandi-yang-salah-1")
        assert _login_from(url, "127.0.0.2", "kasir", "sandi-kasir-123") == 429
        renewed = subprocess.run([JEMBATAN, "portal", "user", "password", "kasir"], input="sandi-kasir-baru-1\n",
                                 env=world.env(), capture_output=True, text=True, timeout=120)
        assert renewed.stdout == "new password set for kasir; its sessions ended, its failed logins forgotten\n"
        assert _login_from(url, "127.0.0.2", "kasir", "sandi-kasir-baru-1") == 200
        assert _login_from(url, "127.0.0.2", "bendahara", "sandi-bendahara-123") == 200
    # The log names known accounts only, never a password or what was typed as a username.
    text = log.read_text()
    assert "login failed for user kasir from 127.0.0.1" in text and "login: user bendahara" in text
    assert "login throttled for user bendahara from 127.0.0.1 (address held" in text
    raw = (world.warehouse / "portal" / "portal.sqlite3").read_bytes()
    for secret in ("sandi-yang-salah-1", "tebak-tebakan-1", "sandi-di-kolom-nama", "sandi-kasir-123"):
        assert secret not in text and secret.encode() not in raw

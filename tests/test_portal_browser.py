"""The portal as clerks meet it, in a real browser: Playwright drives Debian's Chromium (`make browser`)
against the real portal server process, with a real `jembatan sync` between upload and answer.

Polres Bangka's clerk downloads the template, fills it, uploads it, sees it wait, reads the answer once the
sync has read it (the real counts, every rejected cell), downloads the report workbook, fixes the file and
sends it again; Polres Belitung's clerk, of the same agency folder, sees none of it by any URL; pages refuse
forms without the session's CSRF token and requests without a session; a login guessed at is held with a
visible message. One server and one browser for the module."""
from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import shutil
import threading
from pathlib import Path

import openpyxl
import pytest

from assets.ingest.report import DECISIONS_SHEET, ERRORS_SHEET, SKIPPED_SHEET, SUMMARY_SHEET
from pipelines.portal.answers import report_files
from pipelines.portal.store import Upload
from tests.portal_fixture import (FIRST_ROWS, FIXED_ROWS, VICTIM, add_user, fill_template, make_world,
                                  portal_server, sync)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BANGKA = ("bangka", "kata-sandi-bangka")
BELITUNG = ("belitung", "kata-sandi-belitung")
GUESSED = ("bangka.barat", "kata-sandi-bangka-barat")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: `make browser` installs Debian's chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI must run the browser tests)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world = make_world(tmp_path_factory.mktemp("portal_browser"))
    add_user(world, BANGKA[0], "polda", "Polres Bangka", BANGKA[1])
    add_user(world, BELITUNG[0], "polda", "Polres Belitung", BELITUNG[1])
    add_user(world, GUESSED[0], "polda", "Polres Bangka Barat", GUESSED[1])
    return world


@pytest.fixture(scope="module")
def portal(world):
    with portal_server(world) as url:
        yield url


def log_in(browser, portal: str, account: tuple[str, str]):
    """A new browser context (its own cookies) logged in; returns its page on "Berkas kami"."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{portal}/files")
    assert page.url.startswith(f"{portal}/login")          # no session: the login page, then back
    page.fill("#username", account[0])
    page.fill("#password", account[1])
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url == f"{portal}/files", page.content()
    return page


def summary(page) -> dict[str, str]:
    return {row.get_attribute("data-key"): row.locator("td").inner_text()
            for row in page.locator("#summary tr[data-key]").all()}


def errors(page) -> list[tuple[str, ...]]:
    return [(row.get_attribute("data-sheet"), row.get_attribute("data-row"), row.get_attribute("data-column"),
             row.locator("td").nth(4).inner_text()) for row in page.locator("#errors tbody tr").all()]


def upload(page, path: Path):
    page.set_input_files("#file", str(path))
    with page.expect_navigation():
        page.click("form.upload button[type=submit]")


@pytest.fixture(scope="module")
def clerk(browser, portal, world, tmp_path_factory):
    """Polres Bangka's clerk: the template downloaded from the portal, filled, uploaded, and read by a sync."""
    page = log_in(browser, portal, BANGKA)
    folder = tmp_path_factory.mktemp("clerk_downloads")
    page.click("text=Templat")
    with page.expect_download() as download:
        page.click("a[href$='/templates/crime_report.xlsx']")
    template = folder / "crime_report_template.xlsx"
    download.value.save_as(template)
    first = folder / "LP Agustus 2023.xlsx"
    shutil.copy(template, first)
    fill_template(first, FIRST_ROWS)
    page.click("text=Berkas kami")
    upload(page, first)
    sha = hashlib.sha256(first.read_bytes()).hexdigest()
    waiting = {"url": page.url, "status": page.inner_text("#status"), "flash": page.inner_text(".flash.info"),
               "refresh": page.locator("meta[http-equiv=refresh]").count()}
    page.goto(f"{portal}/files")
    waiting["listed"] = page.inner_text(f"#files tr[data-sha256='{sha}']")
    sync(world)
    return {"page": page, "folder": folder, "template": template, "first": first, "sha": sha, "waiting": waiting}


def test_the_login_page_speaks_indonesian_then_english_and_says_when_a_login_is_wrong(browser, portal):
    page = browser.new_page()
    page.goto(f"{portal}/login")
    assert page.inner_text("h1") == "Masuk" and page.get_attribute("html", "lang") == "id"
    page.click("text=English")
    assert page.inner_text("h1") == "Log in" and page.get_attribute("html", "lang") == "en"
    page.fill("#username", BANGKA[0])
    page.fill("#password", "bukan-kata-sandinya")
    with page.expect_navigation() as response:
        page.click("button[type=submit]")
    assert response.value.status == 401 and page.inner_text("#login-error") == "Wrong username or password."
    # The language chosen before logging in stays after it.
    page.fill("#username", BANGKA[0])
    page.fill("#password", BANGKA[1])
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.inner_text("h1") == "Send a file"
    page.click("text=Bahasa Indonesia")
    assert page.inner_text("h1") == "Kirim berkas"
    page.context.close()


def test_the_clerk_downloads_the_template_and_the_upload_waits_until_a_sync_reads_it(clerk, world, portal):
    template = openpyxl.load_workbook(clerk["template"])
    assert template.sheetnames[:2] == ["Petunjuk", "Data"]
    assert [c.value for c in template["Data"][1]][:4] == ["Nomor LP", "Tgl Lapor", "Tgl Kejadian", "Jenis Kejahatan"]
    waiting = clerk["waiting"]
    assert waiting["url"] == f"{portal}/files/{clerk['sha']}"
    assert waiting["status"] == "menunggu dibaca" and waiting["refresh"] == 1
    assert waiting["flash"] == "Berkas LP Agustus 2023.xlsx diterima portal dan menunggu dibaca."
    assert "LP Agustus 2023.xlsx" in waiting["listed"] and "menunggu dibaca" in waiting["listed"]
    # In the agency's folder whole, under the clerk's own name, and nothing else there.
    assert [p.name for p in (world.inbox / "polda").iterdir()] == ["LP Agustus 2023.xlsx"]
    assert (world.inbox / "polda" / "LP Agustus 2023.xlsx").read_bytes() == clerk["first"].read_bytes()


def test_the_answer_page_shows_the_real_counts_and_every_rejected_cell_without_personal_data(clerk, world, portal):
    page = clerk["page"]
    page.goto(f"{portal}/files/{clerk['sha']}")
    twin, _ = report_files(world.warehouse / "reports",
                           Upload(clerk["sha"], "polda", "", "LP Agustus 2023.xlsx", "", 0, "", ""))
    report = json.loads(twin.read_text())
    shown = summary(page)
    assert (shown["rows_read"], shown["rows_accepted"], shown["rows_rejected"]) == ("4", "2", "2")
    assert (report["rows_read"], report["rows_accepted"], report["rows_rejected"]) == (4, 2, 2)
    assert shown["status"] == page.inner_text("#status") == "diterima sebagian"
    assert errors(page) == [("Data", "4", "B", "31/02/2023"), ("Data", "5", "F", "Negeri Dongeng")]
    assert "tidak ditemukan di daftar resmi" in page.inner_text("#errors")
    assert "bukan tanggal yang benar" in page.inner_text("#errors")
    assert VICTIM not in page.content()
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    page.click("text=English")
    assert page.inner_text("#status") == "partially accepted"
    assert "was not found in the official list" in page.inner_text("#errors")
    page.click("text=Bahasa Indonesia")


def test_the_report_workbook_downloads_as_the_sync_wrote_it(clerk, world, portal):
    page = clerk["page"]
    page.goto(f"{portal}/files/{clerk['sha']}")
    with page.expect_download() as download:
        page.click("#download")
    saved = clerk["folder"] / "laporan.xlsx"
    download.value.save_as(saved)
    _, workbook = report_files(world.warehouse / "reports",
                               Upload(clerk["sha"], "polda", "", "LP Agustus 2023.xlsx", "", 0, "", ""))
    assert saved.read_bytes() == workbook.read_bytes()
    assert download.value.suggested_filename == f"laporan_LP Agustus 2023_{clerk['sha'][:12]}.xlsx"
    assert openpyxl.load_workbook(saved).sheetnames == [SUMMARY_SHEET, ERRORS_SHEET, SKIPPED_SHEET, DECISIONS_SHEET]


def test_the_clerk_fixes_the_file_and_sends_it_again_and_it_replaces_the_first(clerk, world, portal):
    page = clerk["page"]
    fixed = clerk["folder"] / "LP Agustus 2023.xlsx"       # same name on the clerk's computer, fixed
    shutil.copy(clerk["template"], fixed)
    fill_template(fixed, FIXED_ROWS)
    page.goto(f"{portal}/files")
    upload(page, fixed)
    sha = hashlib.sha256(fixed.read_bytes()).hexdigest()
    assert page.url == f"{portal}/files/{sha}" and page.inner_text("#status") == "menunggu dibaca"
    # The name is taken in the inbox: the first file is never overwritten before or after it was read.
    assert sorted(p.name for p in (world.inbox / "polda").iterdir()) == ["LP Agustus 2023 (2).xlsx",
                                                                         "LP Agustus 2023.xlsx"]
    sync(world)
    page.reload()
    shown = summary(page)
    assert (shown["status"], shown["rows_read"], shown["rows_accepted"], shown["rows_rejected"]) == \
        ("diterima", "4", "4", "0")
    # The file it replaces by its name, a link to its answer (never a bare fingerprint).
    assert shown["supersedes"] == "LP Agustus 2023.xlsx"
    assert page.locator("#summary tr[data-key=supersedes] a").get_attribute("href") == f"/files/{clerk['sha']}"
    assert "Sel yang perlu diperbaiki (0)" in page.inner_text("main") and page.locator("#errors").count() == 0
    page.goto(f"{portal}/files/{clerk['sha']}")
    assert summary(page)["superseded_by"] == "LP Agustus 2023 (2).xlsx"
    page.click("#summary tr[data-key=superseded_by] a")
    assert page.url == f"{portal}/files/{sha}"
    page.goto(f"{portal}/files")
    rows = page.locator("#files tbody tr")
    assert [r.get_attribute("data-sha256") for r in rows.all()] == [sha, clerk["sha"]]
    assert "4 / 4 / 0" in rows.nth(0).inner_text()
    # The first file is marked replaced, and keeps its answer: the rows rejected at village matching too.
    assert "digantikan berkas perbaikan" in rows.nth(1).inner_text() and "4 / 2 / 2" in rows.nth(1).inner_text()


def test_another_office_of_the_same_agency_sees_none_of_it(browser, clerk, portal):
    page = log_in(browser, portal, BELITUNG)
    assert page.inner_text("h2") == "Berkas kantor Polres Belitung"
    assert "Belum ada berkas" in page.inner_text("main") and "LP Agustus" not in page.content()
    for path in (f"/files/{clerk['sha']}", f"/files/{clerk['sha']}/report.xlsx", f"/api/files/{clerk['sha']}",
                 f"/api/files/{clerk['sha']}/report.xlsx", f"/files/{clerk['sha'].upper()}",
                 "/files/..%2F..%2Fportal%2Fsecret_key", "/templates/..%2F..%2Fportal%2Fsecret_key.xlsx",
                 "/templates/msme_village_count.xlsx", "/static/..%2F..%2F..%2Fportal%2Fsecret_key"):
        answer = page.request.get(portal + path)
        assert answer.status == 404, path
        assert "LP Agustus" not in answer.text() and clerk["sha"] not in answer.text(), path
    page.goto(f"{portal}/files/{clerk['sha']}")
    assert page.inner_text(".flash.error") == "Halaman atau berkas tidak ditemukan."
    page.context.close()


def test_forms_without_the_csrf_token_and_requests_without_a_session_are_refused(browser, clerk, world, portal):
    before = sorted(p.name for p in (world.inbox / "polda").iterdir())
    # The clerk's own page, the hidden token removed: refused, nothing written.
    page = clerk["page"]
    page.goto(f"{portal}/files")
    page.evaluate("document.querySelector('form.upload input[name=csrf_token]').remove()")
    page.set_input_files("#file", str(clerk["first"]))
    with page.expect_navigation() as response:
        page.click("form.upload button[type=submit]")
    assert response.value.status == 400
    assert page.inner_text(".flash.error") == "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi."
    # Another browser, never logged in: pages send it to the login page, forms and the API answer 401.
    stranger = browser.new_context().new_page()
    stranger.goto(f"{portal}/files/{clerk['sha']}")
    assert stranger.url.startswith(f"{portal}/login?next=") and stranger.inner_text("h1") == "Masuk"
    sent = stranger.request.post(f"{portal}/files", multipart={
        "file": {"name": "lp.csv", "mimeType": "text/csv", "buffer": b"Nomor LP,Tgl Lapor\n"}})
    assert sent.status == 401
    assert stranger.request.get(f"{portal}/api/files").status == 401
    assert stranger.request.get(f"{portal}/files/{clerk['sha']}/report.xlsx", max_redirects=0).status == 302
    stranger.context.close()
    assert sorted(p.name for p in (world.inbox / "polda").iterdir()) == before


@pytest.fixture
def other_site(tmp_path):
    """Another site's page (another origin on this machine), served while the test runs."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_another_sites_page_cannot_send_a_file_in_the_clerks_name(clerk, world, portal, other_site):
    folder, site = other_site
    (folder / "form.html").write_text(f"""<form method="post" action="{portal}/files" enctype="multipart/form-data">
        <input name="file" value="x"><input name="csrf_token" value="tebakan"></form>
        <script>document.forms[0].submit()</script>""")
    (folder / "fetch.html").write_text(f"""<script>
        const body = new FormData();
        body.append("file", new Blob(["Nomor LP,Tgl Lapor\\n"]), "lp.csv");
        fetch("{portal}/api/files", {{method: "POST", body, credentials: "include", mode: "no-cors"}})
          .then(() => document.title = "sent");
        </script>""")
    before = sorted(p.name for p in (world.inbox / "polda").iterdir())
    page = clerk["page"]                                  # logged in: its cookie goes along (same machine)
    with page.expect_navigation(url=f"{portal}/files") as response:
        page.goto(f"{site}/form.html")
    assert response.value.status == 403
    page.goto(f"{site}/fetch.html")
    page.wait_for_function("document.title === 'sent'")
    assert sorted(p.name for p in (world.inbox / "polda").iterdir()) == before
    page.goto(f"{portal}/files")
    assert page.locator("#files tbody tr").count() == 2           # still only the clerk's own two files


def test_a_guessed_login_is_held_with_a_visible_message(browser, portal):
    page = browser.new_page()
    page.goto(f"{portal}/login")
    for _ in range(5):
        page.fill("#username", GUESSED[0])
        page.fill("#password", "tebakan-yang-salah")
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert page.inner_text("#login-error") == "Nama pengguna atau kata sandi salah."
    page.fill("#username", GUESSED[0])
    page.fill("#password", GUESSED[1])                 # even the right password waits now
    with page.expect_navigation() as response:
        page.click("button[type=submit]")
    assert response.value.status == 429
    assert page.inner_text("#login-error") == ("Terlalu banyak percobaan masuk yang gagal. Tunggu 15 menit, "
                                               "lalu coba lagi.")
    assert page.url == f"{portal}/login"
    page.context.close()

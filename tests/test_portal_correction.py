"""A same-office partial correction, clicked through in a real browser (Playwright with Debian's Chromium,
against the real portal process whose uploads start a real `jembatan sync`: no sync is run by the test).

Polres Bangka's clerk downloads the template from the portal, fills in eight police reports of August 2023
and sends them; the answer page reloads itself until they are read. Then the clerk sends a second workbook,
made from the same template, with three of those report numbers, each with one value changed (the crime
type, the village, the report date). Its answer says in one line that it replaces 3 rows of the first file,
sent earlier by the office, which ones (report numbers and rows), and that the rest of that file still
counts; the first file's answer says which 3 of its rows the later file replaced; neither page advises anything its status contradicts (no
cells to fix, no "replaced by a corrected file" on the first file, which still counts). The published
DuckDB holds the three corrected values from the second file and the five other reports unchanged from
the first, and the village-year mart counts them so."""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import expect

from tests.portal_fixture import add_user, fill_template, make_world, portal_server
from tests.test_portal_browser import browser, log_in, summary, upload  # noqa: F401  (the module's browser)

CLERK = ("koreksi.bangka", "kata-sandi-koreksi-bangka")
FIRST = "LP Agustus 2023.xlsx"
CORRECTION = "LP Agustus 2023 perbaikan.xlsx"
CODES = {("Sidorejo", "Sungai Jaya"): "19.01.01.2002", ("Kampung Baru", "Mendo"): "19.01.02.1002",
         ("Tanjung Baru", "Sungai Jaya"): "19.01.01.2004"}
CATEGORY = {"Pencurian": "property", "Penipuan": "fraud", "Penganiayaan": "violent"}
KINDS = ["Pencurian", "Penipuan", "Penganiayaan", "Pencurian"]
PLACES = list(CODES)
# The template's own instructions sheet, told as left unread on every file made from it.
INSTRUCTIONS_SHEET = "lembar 'Petunjuk': petunjuk pengisian dari templat, bukan data (tidak dibaca)"


def report(n: int, day: int, kind: str, place: tuple[str, str]) -> tuple:
    return (f"LP/B/{n}/VIII/2023/SPKT/POLRES BANGKA", dt.datetime(2023, 8, day), kind, *place, None)


# Eight reports as first sent; then three of them corrected, one value each.
SENT = [report(300 + i, i, KINDS[i % 4], PLACES[i % 3]) for i in range(1, 9)]
CORRECTED = [report(303, 3, "Penipuan", PLACES[0]),            # was Pencurian
             report(306, 6, KINDS[6 % 4], PLACES[2]),          # was Sidorejo, now Tanjung Baru
             report(308, 9, KINDS[8 % 4], PLACES[8 % 3])]      # was reported on the 8th, now the 9th
REPLACED = ("LP/B/303/VIII/2023/SPKT/POLRES BANGKA (baris 4), LP/B/306/VIII/2023/SPKT/POLRES BANGKA (baris 7), "
            "LP/B/308/VIII/2023/SPKT/POLRES BANGKA (baris 9)")


def wait_for_syncs(log: Path, n: int) -> None:
    """Until the portal's log says its n-th sync ended (the marts are published after the answer)."""
    deadline = time.monotonic() + 600
    while log.read_text().count("sync ended (exit 0)") < n:
        assert "sync ended (exit" not in log.read_text().replace("sync ended (exit 0)", ""), log.read_text()[-3000:]
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.5)


def notes(page) -> list[str]:
    return [li.inner_text() for li in page.locator("ul.notes li").all()]


@pytest.fixture(scope="module")
def corrected(browser, tmp_path_factory):  # noqa: F811
    world = make_world(tmp_path_factory.mktemp("portal_correction"))
    add_user(world, CLERK[0], "polda", "Polres Bangka", CLERK[1])
    folder = tmp_path_factory.mktemp("correction_downloads")
    log = world.root / "portal.log"
    with portal_server(world, JEMBATAN_PORTAL_SYNC="1") as portal:
        page = log_in(browser, portal, CLERK)
        page.click("text=Templat")
        with page.expect_download() as download:
            page.click("a[href$='/templates/crime_report.xlsx']")
        template = folder / "crime_report_template.xlsx"
        download.value.save_as(template)
        sent = {}
        for name, rows, n in ((FIRST, SENT, 1), (CORRECTION, CORRECTED, 2)):
            path = folder / name
            shutil.copy(template, path)
            fill_template(path, rows)
            page.click("text=Berkas kami")
            upload(page, path)
            sent[name] = hashlib.sha256(path.read_bytes()).hexdigest()
            assert page.url == f"{portal}/files/{sent[name]}" and page.inner_text("#status") == "menunggu dibaca"
            expect(page.locator("#status")).not_to_have_text("menunggu dibaca", timeout=600_000)
            wait_for_syncs(log, n)
        seen = {"correction": {"summary": summary(page), "notes": notes(page), "main": page.inner_text("main"),
                               "errors": page.locator("#errors").count()}}
        page.goto(f"{portal}/files/{sent[FIRST]}")
        seen["first"] = {"summary": summary(page), "notes": notes(page), "main": page.inner_text("main")}
        page.goto(f"{portal}/files")
        seen["listed"] = {r.get_attribute("data-sha256"): r.inner_text() for r in page.locator("#files tbody tr").all()}
        page.context.close()
    with duckdb.connect(str(world.warehouse / "jembatan.duckdb"), read_only=True) as db:
        seen["facts"] = db.sql("SELECT report_number, report_date, crime_type, village_code, source_file "
                               "FROM fact_crime_report ORDER BY report_number").fetchall()
        seen["mart"] = db.sql("SELECT village_code, crime_count, property_crime_count, fraud_crime_count, "
                              "violent_crime_count FROM mart_village_year WHERE year = 2023 AND crime_count > 0 "
                              "ORDER BY village_code").fetchall()
    return {**seen, "sha": sent}


def test_the_correction_says_it_replaces_three_rows_of_the_first_file_and_nothing_contrary(corrected):
    shown = corrected["correction"]["summary"]
    assert (shown["status"], shown["rows_read"], shown["rows_accepted"], shown["rows_rejected"]) == \
        ("diterima", "3", "3", "0")
    assert "supersedes" not in shown                  # not a whole file replaced: just those rows
    # Which rows: their report numbers and their rows in the first file (Data rows 4, 7 and 9).
    assert corrected["correction"]["notes"] == [
        "Menggantikan 3 baris dari LP Agustus 2023.xlsx, yang dikirim lebih dahulu oleh kantor Anda (nomor LP "
        f"yang sama): {REPLACED}; baris lain dari LP Agustus 2023.xlsx tetap dihitung.", INSTRUCTIONS_SHEET]
    assert corrected["correction"]["errors"] == 0
    assert "Sel yang perlu diperbaiki (0)" in corrected["correction"]["main"]
    assert "Cara memperbaiki" not in corrected["correction"]["main"]
    assert "menunggu" not in corrected["correction"]["main"]


def test_the_first_file_still_counts_and_says_three_of_its_rows_were_replaced(corrected):
    first = corrected["first"]
    shown = first["summary"]
    assert (shown["status"], shown["rows_read"], shown["rows_accepted"], shown["rows_rejected"]) == \
        ("diterima", "8", "8", "0")
    assert "superseded_by" not in shown
    assert first["notes"] == ["3 baris berkas ini digantikan oleh LP Agustus 2023 perbaikan.xlsx, berkas kantor "
                              f"Anda yang lebih baru (nomor LP yang sama): {REPLACED}.", INSTRUCTIONS_SHEET]
    listed = corrected["listed"]
    assert list(listed) == [corrected["sha"][CORRECTION], corrected["sha"][FIRST]]
    assert "8 / 8 / 0" in listed[corrected["sha"][FIRST]] and "3 / 3 / 0" in listed[corrected["sha"][CORRECTION]]
    assert not any("digantikan berkas perbaikan" in row for row in listed.values())


def test_the_marts_hold_the_corrected_values_and_every_other_row_unchanged(corrected):
    sha = corrected["sha"]
    by_number = {r[0]: (r, sha[FIRST]) for r in SENT}
    by_number.update({r[0]: (r, sha[CORRECTION]) for r in CORRECTED})
    expected = [(number, row[1].date(), row[2], CODES[row[3:5]], source)
                for number, (row, source) in sorted(by_number.items())]
    assert corrected["facts"] == expected
    # The three corrected values, and the first file's five other reports, as sent.
    changed = {f[0]: f[1:4] for f in corrected["facts"] if f[4] == sha[CORRECTION]}
    assert changed == {"LP/B/303/VIII/2023/SPKT/POLRES BANGKA": (dt.date(2023, 8, 3), "Penipuan", "19.01.01.2002"),
                       "LP/B/306/VIII/2023/SPKT/POLRES BANGKA": (dt.date(2023, 8, 6), "Penganiayaan", "19.01.01.2004"),
                       "LP/B/308/VIII/2023/SPKT/POLRES BANGKA": (dt.date(2023, 8, 9), "Pencurian", "19.01.01.2004")}
    counts = Counter()
    for _, kind, code, _ in (f[1:] for f in corrected["facts"]):
        counts[(code, "all")] += 1
        counts[(code, CATEGORY[kind])] += 1
    assert corrected["mart"] == [(code, counts[(code, "all")], counts[(code, "property")], counts[(code, "fraud")],
                                  counts[(code, "violent")]) for code in sorted({c for c, _ in counts})]
    assert corrected["mart"] == [("19.01.01.2002", 1, 0, 1, 0), ("19.01.01.2004", 4, 1, 1, 2),
                                 ("19.01.02.1002", 3, 2, 1, 0)]

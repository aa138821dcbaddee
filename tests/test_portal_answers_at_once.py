"""An upload through the portal is answered without anyone running a sync, and a village name placed by
likeness is told to the clerk (Debian's Chromium through Playwright, against the real portal process, whose
upload starts a real `jembatan sync`; the answer page reloads itself until the answer is there)."""
from __future__ import annotations

import datetime as dt
import hashlib
import time

import duckdb
import pytest
from playwright.sync_api import expect

from tests.portal_fixture import FIRST_ROWS, add_user, crime_workbook, make_world, portal_server
from tests.test_portal_browser import browser, log_in, summary, upload  # noqa: F401  (the module's browser)

CLERK = ("tuban.bangka", "kata-sandi-bangka-2")
# Two good reports and one whose village is misspelt: "Tanjung Barru" is Tanjung Baru of Kec. Sungai Jaya.
ROWS = [*FIRST_ROWS[:2],
        ("LP/B/105/VIII/2023/SPKT/POLRES BANGKA", dt.datetime(2023, 8, 21), "Pencurian", "Tanjung Barru",
         "Sungai Jaya", None)]


@pytest.fixture(scope="module")
def answered(browser, tmp_path_factory):  # noqa: F811
    world = make_world(tmp_path_factory.mktemp("portal_at_once"))
    add_user(world, CLERK[0], "polda", "Polres Bangka", CLERK[1])
    sent = crime_workbook(world.root / "LP Agustus 2023.xlsx", ROWS)
    with portal_server(world, JEMBATAN_PORTAL_SYNC="1") as portal:
        page = log_in(browser, portal, CLERK)
        upload(page, sent)
        first_status = page.inner_text("#status")
        # No sync is run here: the page reloads itself (meta refresh) until the portal's own sync answered.
        expect(page.locator("#status")).not_to_have_text("menunggu dibaca", timeout=300_000)
        # The answer is written before the marts are published: the sync's end is in the portal's log.
        log = world.root / "portal.log"
        expect(page.locator("#status")).to_have_text("diterima")
        deadline = time.monotonic() + 300
        while "sync ended" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.5)
        yield {"world": world, "page": page, "first_status": first_status,
               "sha": hashlib.sha256(sent.read_bytes()).hexdigest(),
               "summary": summary(page),
               "read_as": [[td.inner_text() for td in row.locator("td").all()] + [row.get_attribute("data-method")]
                           for row in page.locator("#read-as tbody tr").all()],
               "help_link": page.locator("#read-as-section p a").get_attribute("href", timeout=5000)
               if page.locator("#read-as-section").count() else None}


def test_an_upload_is_answered_without_a_manual_sync(answered):
    assert answered["first_status"] == "menunggu dibaca"
    assert answered["page"].inner_text("#status") == "diterima"
    assert "sync ended (exit 0)" in (answered["world"].root / "portal.log").read_text()
    assert answered["summary"]["rows_accepted"] == "3" and answered["summary"]["rows_rejected"] == "0"
    with duckdb.connect(str(answered["world"].warehouse / "jembatan.duckdb"), read_only=True) as db:
        stored = db.sql("SELECT report_number, village_code, match_method FROM fact_crime_report "
                        "WHERE source_file = ? ORDER BY report_number", params=[answered["sha"]]).fetchall()
    assert stored == [("LP/B/101/VIII/2023/SPKT/POLRES BANGKA", "19.01.01.2002", "name_exact"),
                      ("LP/B/102/VIII/2023/SPKT/POLRES BANGKA", "19.01.02.1002", "name_exact"),
                      ("LP/B/105/VIII/2023/SPKT/POLRES BANGKA", "19.01.01.2004", "name_normalised")]


def test_a_placement_by_likeness_is_shown_to_the_clerk_with_the_template_list_name(answered):
    assert answered["summary"]["cells_read_as"] == "1"
    (sheet, row, column, value, read_as, message, method), = answered["read_as"]
    assert (sheet, row, value, read_as, method) == ("Data", "4", "Tanjung Barru", "Tanjung Baru (Kec. Sungai Jaya)",
                                                    "name_normalised")
    assert message.startswith("Tanjung Barru dibaca sebagai Tanjung Baru (Kec. Sungai Jaya)")
    assert answered["help_link"].endswith("/templates")

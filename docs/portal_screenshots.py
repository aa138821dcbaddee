"""Screenshots of the agencies' portal for the README, taken from the real app (`make screenshots`).

A throw-away world (tests/portal_fixture.py: the small official lists, a pseudonym key of its own, a clerk
of Polres Bangka), the portal server, Playwright driving Debian's Chromium: the clerk uploads a filled
template, a sync reads it, the clerk uploads the corrected file; then docs/portal_upload.png (the upload
page with both files) and docs/portal_answer.png (the answer to the first file) are written.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assets.ingest.template import write_template  # noqa: E402
from assets.pseudonym_key import write_new_key  # noqa: E402
from schemas import DATASETS  # noqa: E402
from tests.portal_fixture import (FIRST_ROWS, FIXED_ROWS, add_user, fill_template, make_world,  # noqa: E402
                                  portal_server, sync)

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> int:
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory(prefix="jembatan-screenshots-") as tmp:
        tmp = Path(tmp)
        os.environ["JEMBATAN_KEY_FILE"] = str(tmp / "key" / "pseudonym.key")
        write_new_key(Path(os.environ["JEMBATAN_KEY_FILE"]))
        world = make_world(tmp / "world")
        add_user(world, "bangka", "polda", "Polres Bangka", "kata-sandi-bangka")
        sync(world)                                   # the official lists: the template's village dropdown
        first, fixed = tmp / "LP Agustus 2023.xlsx", tmp / "fixed" / "LP Agustus 2023.xlsx"
        fixed.parent.mkdir()
        write_template(DATASETS["crime_report"], first)
        shutil.copy(first, fixed)
        fill_template(first, FIRST_ROWS)
        fill_template(fixed, FIXED_ROWS)
        with portal_server(world) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 760})
            page.goto(f"{url}/login")
            page.fill("#username", "bangka")
            page.fill("#password", "kata-sandi-bangka")
            with page.expect_navigation():
                page.click("button[type=submit]")
            for path in (first, fixed):
                page.goto(f"{url}/files")
                page.set_input_files("#file", str(path))
                with page.expect_navigation():
                    page.click("form.upload button[type=submit]")
                if path == first:
                    answer = page.url
                    sync(world)
            page.goto(f"{url}/files")
            page.screenshot(path=str(ROOT / "docs" / "portal_upload.png"))
            page.goto(answer)
            page.screenshot(path=str(ROOT / "docs" / "portal_answer.png"), full_page=True)
            browser.close()
    print("wrote docs/portal_upload.png and docs/portal_answer.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())

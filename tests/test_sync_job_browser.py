"""A steward launches `sync` from the Dagster UI, in a real browser: Playwright drives Debian's Chromium
(`make browser`) against `dagster dev` (webserver and daemon, on loopback, with a throw-away DAGSTER_HOME)
serving the project's code location. The launch is clicks only (the job's Launchpad, "Launch Run"): no
config typed, no partition picked. On an inbox `jembatan sync` has already read it publishes nothing and
starts no planned run; with a new file dropped first it reads that file and publishes once, in a planned
run of `sync_partitions` whose partition is named for a person."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import pytest

from assets.publish.publication import Warehouse
from pipelines.defs.jobs import LAUNCH_JOB, PLANNED_JOB
from tests.portal_fixture import FIRST_ROWS, FIXED_ROWS, REPO, World, crime_workbook, make_world, sync
from tests.test_portal_browser import browser  # noqa: F401  (the module's Chromium, skipped where missing)
from tests.test_sync_job import op_lines, summary_table

DAGSTER = str(Path(sys.executable).parent / "dagster")
LOCATION = "pipelines.definitions"         # workspace.yaml's python_module
RUN_PAGE = re.compile(r"/runs/([0-9a-f-]{36})")
STARTUP_SECONDS = 300                      # a guard for a loaded machine, not a measure
RUN_SECONDS = 600


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dagster_ui(world: World):
    """`dagster dev -w workspace.yaml` on 127.0.0.1 with DAGSTER_HOME in `world` (the project's dagster.yaml
    copied in, as `make ui` does) and the world's inbox and warehouse as the paths resource's defaults;
    yields its base URL once the webserver answers. Stopped with its process group (it started it)."""
    home = world.root / "dagster_home"
    home.mkdir(exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(REPO / "dagster.yaml", home / "dagster.yaml")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(world.root / "dagster_dev.log", "ab") as log:
        process = subprocess.Popen([DAGSTER, "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
                                   cwd=REPO, env=world.env(), stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, (world.root / "dagster_dev.log").read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{url}/server_info", timeout=5):
                    break
            except OSError:
                assert time.monotonic() < deadline, (world.root / "dagster_dev.log").read_text()[-3000:]
                time.sleep(1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """An inbox with the official lists and one police workbook, already read by `jembatan sync`."""
    world = make_world(tmp_path_factory.mktemp("sync_job_browser"))
    (world.inbox / "polda").mkdir()
    crime_workbook(world.inbox / "polda" / "lp_agustus.xlsx", FIRST_ROWS)
    sync(world)
    return world


@pytest.fixture(scope="module")
def ui(world):
    with dagster_ui(world) as url:
        yield url


@pytest.fixture(scope="module")
def page(browser, ui):  # noqa: F811
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    # Dagster's first-visit dialog (community, newsletter) covers the page when it shows: closed whenever it does.
    page.add_locator_handler(page.get_by_role("button", name="Skip"), lambda skip: skip.click())
    return page


def launch_sync(page, ui: str, instance: dg.DagsterInstance) -> dg.DagsterRun:
    """Open the `sync` job, its Launchpad, click "Launch Run"; the run once it has ended."""
    page.goto(f"{ui}/locations/{LOCATION}/jobs/{LAUNCH_JOB}")
    page.get_by_role("tab", name="Launchpad").click(timeout=STARTUP_SECONDS * 1000)
    page.get_by_role("button", name="Launch Run").click()
    page.wait_for_url(RUN_PAGE, timeout=60_000)
    run_id = RUN_PAGE.search(page.url).group(1)
    deadline = time.monotonic() + RUN_SECONDS
    while not (run := instance.get_run_by_id(run_id)) or not run.is_finished:
        assert time.monotonic() < deadline, f"run {run_id} has not ended"
        time.sleep(1)
    return run


def planned_runs(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    return instance.get_runs(dg.RunsFilter(job_name=PLANNED_JOB))


def test_launching_sync_on_a_synced_inbox_publishes_nothing_then_a_new_file_once(world, ui, page):
    published = Warehouse(world.warehouse).history()
    assert len(published) == 1                                       # the steward's `jembatan sync`
    with dg.DagsterInstance.from_config(str(world.root / "dagster_home")) as instance:
        planned = len(planned_runs(instance))                           # the command's own run

        run = launch_sync(page, ui, instance)
        assert run.job_name == LAUNCH_JOB and run.status == dg.DagsterRunStatus.SUCCESS
        assert "dagster/partition" not in run.tags                      # no partition was asked for
        assert [line.split()[:3] for line in summary_table(op_lines(instance, run.run_id))][1] == ["polda", "1", "0"]
        assert len(planned_runs(instance)) == planned                   # nothing to do: no run planned
        assert Warehouse(world.warehouse).history() == published        # and nothing published
        page.get_by_text("Success").first.wait_for()                    # the run page says how it ended

        crime_workbook(world.inbox / "polda" / "lp_agustus_perbaikan.xlsx", FIXED_ROWS)   # a clerk's new file
        run = launch_sync(page, ui, instance)
        assert run.status == dg.DagsterRunStatus.SUCCESS
        assert [line.split()[:3] for line in summary_table(op_lines(instance, run.run_id))][1] == ["polda", "2", "1"]
        new, = planned_runs(instance)[:len(planned_runs(instance)) - planned]
        assert new.status == dg.DagsterRunStatus.SUCCESS
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-polda1-[0-9a-f]{12}", new.tags["dagster/partition"])
        history = Warehouse(world.warehouse).history()
        assert len(history) == 2 and published[0] in history            # one publication more

"""A real portal world for the portal's tests and its screenshots: an inbox with the small official lists of
conftest.py, a warehouse, accounts made with `jembatan portal user add` (password on standard input), the
portal server as its own process (`jembatan portal --port 0`, the port read from its first line), and
`jembatan sync` as a steward runs it. Crime-report workbooks are the real template, filled as a clerk fills it."""
from __future__ import annotations

import datetime as dt
import os
import queue
import signal
import subprocess
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from tests.conftest import write_reference_lists

JEMBATAN = str(Path(sys.executable).parent / "jembatan")
REPO = Path(__file__).resolve().parents[1]

# Four police reports as Polres Bangka types them: two good, one with a date that does not exist and a
# victim's name (never to be shown), one in a village that is not on the official list.
FIRST_ROWS = [
    ("LP/B/101/VIII/2023/SPKT/POLRES BANGKA", dt.datetime(2023, 8, 17), "Pencurian", "Sidorejo", "Sungai Jaya", None),
    ("LP/B/102/VIII/2023/SPKT/POLRES BANGKA", dt.datetime(2023, 8, 18), "Penipuan", "Kampung Baru", "Mendo", None),
    ("LP/B/103/VIII/2023/SPKT/POLRES BANGKA", "31/02/2023", "Pencurian", "Air Duren", "Mendo", "Siti Aminah Rahayu"),
    ("LP/B/104/VIII/2023/SPKT/POLRES BANGKA", dt.datetime(2023, 8, 20), "Penganiayaan", "Negeri Dongeng", "Mendo", None),
]
# The same reports, corrected: the date and the village fixed.
FIXED_ROWS = [FIRST_ROWS[0], FIRST_ROWS[1],
              (FIRST_ROWS[2][0], dt.datetime(2023, 8, 19), *FIRST_ROWS[2][2:]),
              (FIRST_ROWS[3][0], FIRST_ROWS[3][1], FIRST_ROWS[3][2], "Tanjung Baru", "Sungai Jaya", None)]
VICTIM = "Siti Aminah Rahayu"


@dataclass(frozen=True)
class World:
    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, "JEMBATAN_INBOX": str(self.inbox), "JEMBATAN_WAREHOUSE": str(self.warehouse),
                "JEMBATAN_SETTLE_SECONDS": "0", "DAGSTER_HOME": str(self.root / "dagster_home"), **extra}


def make_world(root: Path) -> World:
    """An inbox holding the official lists only (the agency folders are made by the portal)."""
    world = World(root)
    reference = world.inbox / "reference"
    write_reference_lists(reference)
    return world


def add_user(world: World, username: str, agency: str, office: str, password: str) -> None:
    done = subprocess.run([JEMBATAN, "portal", "user", "add", username, "--agency", agency, "--office", office],
                          input=password + "\n", env=world.env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"added {username} ({agency}, {office})"


def sync(world: World) -> str:
    done = subprocess.run([JEMBATAN, "sync"], env=world.env(), cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@contextmanager
def portal_server(world: World, log: Path | None = None, **settings: str):
    """`jembatan portal --port 0` as its own process; yields its base URL ("http://127.0.0.1:PORT").
    `settings`: JEMBATAN_PORTAL_* variables (JEMBATAN_PORTAL_SYNC=0 unless given: an upload waits for the
    test's own `sync`). Its log (standard error) goes to `log`."""
    log = log or world.root / "portal.log"
    with open(log, "ab") as errors:
        process = subprocess.Popen([JEMBATAN, "portal", "--port", "0"], cwd=REPO,
                                   env=world.env(**{"JEMBATAN_PORTAL_SYNC": "0", **settings}),
                                   stdout=subprocess.PIPE, stderr=errors, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        try:
            first = lines.get(timeout=120)
        except queue.Empty:
            raise AssertionError(f"the portal did not start: {log.read_text()[-2000:]}") from None
        assert first.startswith("portal serving on http://127.0.0.1:"), first + log.read_text()[-2000:]
        yield first.split()[3].rstrip("/")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def crime_workbook(path: Path, rows: list[tuple]) -> Path:
    """The real crime-report template (as `jembatan template crime_report` writes it), its Data sheet filled."""
    from assets.ingest.template import write_template
    from schemas import DATASETS
    write_template(DATASETS["crime_report"], path)
    fill_template(path, rows)
    return path


def fill_template(path: Path, rows: list[tuple]) -> None:
    """Fill a downloaded crime-report template's Data sheet: (Nomor LP, Tgl Lapor, Jenis Kejahatan,
    Desa/Kelurahan, Kecamatan, Nama Korban) per row, under the template's own headers."""
    wb = openpyxl.load_workbook(path)
    data = wb["Data"]
    at = {cell.value: cell.column for cell in data[1]}
    for r, (number, date, kind, village, district, victim) in enumerate(rows, start=2):
        for header, value in (("Nomor LP", number), ("Tgl Lapor", date), ("Jenis Kejahatan", kind),
                              ("Desa/Kelurahan", village), ("Kecamatan", district), ("Kabupaten/Kota", "Kabupaten Bangka"),
                              ("Nama Korban", victim)):
            data.cell(row=r, column=at[header], value=value)
    wb.save(path)

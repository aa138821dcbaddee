"""From upload to answer: a police file sent through the portal, and the seconds until its answer is there.

    .venv/bin/python benchmarks/bench_portal_answer.py [--quick] [--repeat N] [--work DIR]

A real world in a temporary folder (or --work): the bundled sample's inbox without Polres Tuban's crime
reports, synced once (the warehouse a portal usually serves); then `jembatan portal` as its own process
(the upload starts a sync: pipelines/portal/sync_runs.py), an account, a login through the API, the Tuban
file (1,221 rows read) sent with `POST /api/files`, and `GET /api/files/<sha256>` every 0.25 s until its
status is no longer `waiting`. JEMBATAN_SETTLE_SECONDS is the real default (5 s); the portal's sync reads
its own upload without it (placed whole), a file copied onto the share would wait it. The portal keeps a
sync process ready (imports done); the first upload comes a second after the portal started, before that
process is ready, as after a portal restart. Each repeat sends the file again with a footnote added (new
content that supersedes the one before), as soon as the answer before it is there.
--quick: one repeat. Prints the seconds per upload, the rows read and the status, and the load average
before each figure (the first sync timed by benchmarks/timed.py).
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable

from benchmarks import timed  # noqa: E402
TARGET = "laporan_polisi_polres_tuban_2021_2024.xlsx"
PASSWORD = "kata-sandi-panjang-sekali"


def run(args: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run([PYTHON, "-m", "pipelines.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, **kw)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr[-2000:]}")
    return done


def multipart(path: Path) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{path.name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + path.read_bytes() + \
        f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def changed_copy(source: Path, out: Path, n: int) -> Path:
    """The file with a footnote added under its table (new content, the same rows of data)."""
    wb = openpyxl.load_workbook(source)
    sheet = wb.worksheets[0]
    sheet.cell(row=sheet.max_row + 2, column=1, value=f"Catatan: kiriman ke-{n}")
    wb.save(out)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path)
    options = parser.parse_args()
    repeat = 1 if options.quick else options.repeat
    work = options.work or Path(tempfile.mkdtemp(prefix="jembatan-bench-portal-"))
    inbox, warehouse = work / "inbox", work / "warehouse"
    env = {**os.environ, "JEMBATAN_INBOX": str(inbox), "JEMBATAN_WAREHOUSE": str(warehouse),
           "DAGSTER_HOME": str(work / "dagster_home"), "JEMBATAN_SETTLE_SECONDS": "0",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    run(["sample", "--out", str(work / "sample")], env)
    shutil.copytree(work / "sample" / "inbox", inbox)
    held = work / TARGET
    shutil.move(inbox / "polda" / TARGET, held)
    first = timed.run([PYTHON, "-m", "pipelines.cli", "sync"], env, ROOT)
    print(f"first sync of the sample without {TARGET}: {first.shown()}")
    run(["portal", "user", "add", "polres.tuban", "--agency", "polda", "--office", "Polres Tuban"], env,
        input=PASSWORD + "\n")
    env["JEMBATAN_SETTLE_SECONDS"] = os.environ.get("JEMBATAN_SETTLE_SECONDS", "5")   # as a real portal runs
    log = open(work / "portal.log", "ab")
    portal = subprocess.Popen([PYTHON, "-m", "pipelines.cli", "portal", "--port", "0"], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=log, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in portal.stdout], daemon=True).start()
    try:
        base = lines.get(timeout=120).split()[3].rstrip("/")
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login = opener.open(urllib.request.Request(f"{base}/api/login", data=urllib.parse.urlencode(
            {"username": "polres.tuban", "password": PASSWORD}).encode()))
        token = json.load(login)["csrf_token"]
        for n in range(1, repeat + 1):
            sent = held if n == 1 else changed_copy(held, work / f"tuban_{n}.xlsx", n)
            body, kind = multipart(sent)
            load, start = timed.load_average(), time.perf_counter()
            answer = json.load(opener.open(urllib.request.Request(
                f"{base}/api/files", data=body, headers={"Content-Type": kind, "X-CSRFToken": token})))
            sha = answer["sha256"]
            while answer["status"] == "waiting":
                time.sleep(0.25)
                answer = json.load(opener.open(f"{base}/api/files/{sha}"))
            seconds = time.perf_counter() - start
            print(f"upload {n}: {sent.name}: answered in {seconds:.1f} s ({answer['status']}, "
                  f"{answer['rows_read']} rows read, {answer['rows_accepted']} accepted; load {load:.2f} before)")
    finally:
        portal.send_signal(signal.SIGTERM)
        portal.wait(timeout=60)
        log.close()
        if not options.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

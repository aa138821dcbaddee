"""A sync started cold against one kept ready: seconds to a correction's answer, alternated.

    .venv/bin/python benchmarks/sync_ready.py WORK [--pairs N]

WORK is a folder `benchmarks/bench_portal_answer.py --work WORK` left (the sample synced, the Tuban file
beside its inbox). Each round adds the Tuban file with a new footnote to inbox/polda/ (new content that
supersedes the one before: a correction) and runs `jembatan sync` on it, once cold (the seconds counted
from the process's start) and once as the portal runs it, `--start-on-line` started 25 s ahead (counted
from its line). JEMBATAN_SETTLE_SECONDS=0 for both: only the start differs. Prints, per run, the seconds
to the file's agency report (the answer), to the process's end, and the 1-minute load average.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from assets.ingest.report import report_path  # noqa: E402
from benchmarks.bench_portal_answer import TARGET, changed_copy  # noqa: E402

READY_AHEAD_SECONDS = 25


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path)
    parser.add_argument("--pairs", type=int, default=3)
    options = parser.parse_args()
    work = options.work
    env = {**os.environ, "JEMBATAN_INBOX": str(work / "inbox"), "JEMBATAN_WAREHOUSE": str(work / "warehouse"),
           "DAGSTER_HOME": str(work / "dagster_home"), "JEMBATAN_SETTLE_SECONDS": "0",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "pipelines.cli", "sync"]
    n = 100
    for pair in range(1, options.pairs + 1):
        for mode in ("cold", "ready"):
            n += 1
            sent = changed_copy(work / TARGET, work / "inbox" / "polda" / f"tuban_{n}.xlsx", n)
            sha = hashlib.sha256(sent.read_bytes()).hexdigest()
            answer = report_path(work / "warehouse" / "reports", "polda", sent.name, sha).with_suffix(".json")
            if mode == "ready":
                process = subprocess.Popen([*command, "--start-on-line"], env=env, cwd=ROOT, stdin=subprocess.PIPE,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
                time.sleep(READY_AHEAD_SECONDS)
                start = time.perf_counter()
                process.stdin.write("\n")
                process.stdin.close()
            else:
                start = time.perf_counter()
                process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL)
            load = open("/proc/loadavg").read().split()[0]
            while not answer.exists():
                if process.poll() not in (None, 0):
                    raise SystemExit(f"the {mode} sync failed (exit {process.returncode})")
                time.sleep(0.1)
            answered = time.perf_counter() - start
            process.wait()
            ended = time.perf_counter() - start
            print(f"pair {pair} {mode:5s}: answered in {answered:5.1f} s, ended after {ended:5.1f} s (load {load})",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

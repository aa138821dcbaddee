"""One command, usually `jembatan sync`, timed as a whole process: the figures every benchmark prints.

A real process, so nothing of the benchmark's own imports or memory counts:

- wall: seconds from just before the start to the exit (time.perf_counter);
- cpu: seconds of user + system time of the process and the processes it waited for (os.wait4's rusage);
- peak_mib: the largest resident set of the process and the processes it waited for, in MiB (ru_maxrss,
  KiB on Linux);
- load: the 1-minute load average just before the start (os.getloadavg), printed beside every figure:
  the machine is shared, and a figure taken under load 3 is not one taken under load 0.3;
- started_at: the start in epoch seconds (time.time), to set file times and event logs against.

A command that exits other than 0 raises RuntimeError with the end of what it wrote to stderr.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

JEMBATAN = str(Path(sys.executable).with_name("jembatan"))


@dataclass(frozen=True)
class Timed:
    """The figures of one process (units in the module doc)."""
    wall: float
    cpu: float
    peak_mib: float
    load: float
    started_at: float

    def shown(self) -> str:
        """"12.3 s wall, 10.1 s CPU, peak 512 MiB (load 1.25 before)"."""
        return (f"{self.wall:.1f} s wall, {self.cpu:.1f} s CPU, peak {self.peak_mib:,.0f} MiB "
                f"(load {self.load:.2f} before)")


def load_average() -> float:
    """The 1-minute load average now."""
    return os.getloadavg()[0]


def run(argv: list[str], env: dict | None = None, cwd: Path | None = None) -> Timed:
    """Run `argv` (stdout discarded, stderr kept in a temporary file, read only on failure) and time it.
    Raises RuntimeError naming the command with the last 2,000 characters of its stderr when it fails."""
    with tempfile.TemporaryFile() as errors:
        load = load_average()
        started_at, start = time.time(), time.perf_counter()
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            errors.seek(0)
            raise RuntimeError(f"{' '.join(map(str, argv[:3]))} failed (exit {process.returncode}): "
                               f"{errors.read().decode(errors='replace')[-2000:]}")
    return Timed(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, load, started_at)


def sync(inbox: Path, warehouse: Path, env: dict | None = None, *options: str) -> Timed:
    """`jembatan sync [options] --inbox INBOX --warehouse WAREHOUSE` (this .venv's command) timed."""
    return run([JEMBATAN, "sync", *options, "--inbox", str(inbox), "--warehouse", str(warehouse)], env)

"""Whether a process is still alive, the one check every lock and pid file uses: the publication's
in-progress marks (assets/publish/publication.py), the runs killed processes left (pipelines/defs/dead_runs.py)
and the cluster's services (pipelines/cluster/services.py).
"""
from __future__ import annotations

import os
from pathlib import Path

CLOCK_SLACK_SECONDS = 2.0       # /proc start times are whole seconds after boot plus clock ticks


def alive(pid: int, started_by: float | None = None) -> bool:
    """A process with this pid exists on this machine and is not a zombie (another user's counts too);
    with `started_by` (epoch seconds), also one started by then, not a later process that reused the
    pid. Where /proc is not available only the first part is checked."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    except (OverflowError, ValueError):        # not a pid at all
        return False
    try:
        if Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z"):
            return False         # a zombie is not running
    except (OSError, IndexError):
        pass
    if started_by is None:
        return True
    started = process_start_time(pid)
    return started is None or started <= started_by + CLOCK_SLACK_SECONDS


def process_start_time(pid: int) -> float | None:
    """When the process started (epoch seconds), from Linux's /proc; None where /proc is not available."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
    except (OSError, StopIteration, ValueError):
        return None
    ticks = int(stat.rsplit(")", 1)[1].split()[19])       # field 22, counted after "pid (comm)"
    return boot + ticks / os.sysconf("SC_CLK_TCK")

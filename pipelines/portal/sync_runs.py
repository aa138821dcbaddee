"""An upload answered at once: the portal starts a sync of the new file on the project's Dagster instance.

Each upload asks for a sync; the portal runs `jembatan sync` (the same command a steward types, on the same
inbox, warehouse and DAGSTER_HOME) in a child process. A sync records the new contents as an arrival, a
partition of `arrivals` (pipelines/defs/planning.plan_run), and runs it, as an inbox sensor's run request
would, whatever the sensors' state, so the uploaded file is read, placed and published and its answer
written. Why a child process and not a thread of the portal:
- the sync holds the warehouse's lock (`warehouse/.sync.lock`) for its whole run, so it never runs beside
  another `jembatan sync` or a restore: one that is already running is waited for, and the warehouse and
  the marts are written by one sync at a time, exactly as from the command line;
- the portal stays light (no Dagster, pandas or DuckDB in the web server), and a sync that fails or is
  killed never takes the portal down; a killed sync's Dagster run is cleared by the next one.
Requests are coalesced: at most one sync runs and one more is queued, however many files arrive; the
queued one reads every file that came while the first ran. The sync's process is started ahead and waits
for its start (`jembatan sync --start-on-line`): an upload's sync does not pay the seconds of importing
Dagster and the code location. An upload is placed whole (drop.py: written under a temporary name,
flushed, then linked to its name), so the sync is told its stamp (JEMBATAN_WHOLE_FILES,
assets/ingest/inbox.whole_stamps) and reads it at once instead of waiting JEMBATAN_SETTLE_SECONDS for it
to settle; a file copied into the share beside it still waits (pipelines/settling.py).

JEMBATAN_PORTAL_SYNC=0 turns this off (the inbox sensors, the daily schedule or a manual sync read the
uploads then). The sync's lines go to the portal's log (standard error); they hold no personal data.
"""
from __future__ import annotations

import logging
import os
import subprocess
import threading
from pathlib import Path

from assets.ingest.inbox import WHOLE_FILES, whole_stamp
from pipelines.sync_process import sync_command

log = logging.getLogger("jembatan.portal")


def enabled(env=os.environ) -> bool:
    """JEMBATAN_PORTAL_SYNC (default 1): whether an upload starts a sync."""
    return env.get("JEMBATAN_PORTAL_SYNC", "1").strip().lower() not in ("0", "false", "no", "off")


class SyncRunner:
    """Runs `jembatan sync --inbox INBOX --warehouse WAREHOUSE --start-on-line` in a child process on
    request, one at a time, with at most one more queued (request() never blocks). The next sync's process
    is started ahead (at once, and again as each sync starts): it imports Dagster, the code location, pandas
    and DuckDB while nothing waits for it, then waits for one line on its standard input, which starts it and
    names the uploads placed whole (JEMBATAN_WHOLE_FILES). A portal that ends closes that input: the
    process waiting exits without syncing. `command`: another command that follows the same contract."""

    def __init__(self, inbox: Path, warehouse: Path, command: list[str] | None = None):
        self.command = command or sync_command(inbox, warehouse, start_on_line=True)
        self._lock = threading.Lock()
        self._running = False
        self._queued = False
        self._idle = threading.Event()
        self._idle.set()
        self.finished = 0                 # syncs run to their end (any exit code)
        self.last_exit: int | None = None
        self._whole: dict[str, None] = {}     # whole_stamp() of uploads placed since the last sync began
        self._ready: subprocess.Popen | None = None
        self._get_ready()

    def request(self, reason: str = "", placed: Path | None = None) -> None:
        """Ask for a sync: starts one now, or queues one after the sync under way (coalesced). `placed`: the
        upload just placed whole in the inbox (drop.place), read by the next sync without a settle wait."""
        with self._lock:
            if placed is not None:
                try:
                    self._whole[whole_stamp(os.lstat(placed))] = None
                except OSError:            # gone already: nothing to tell the sync
                    pass
            if self._running:
                self._queued = True
                return
            self._running = True
            self._idle.clear()
        log.info("sync started for %s", reason or "an upload")
        threading.Thread(target=self._loop, name="jembatan-portal-sync", daemon=True).start()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no sync runs or is queued (True), or `timeout` seconds passed (False)."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        """End the process waiting to start (its input closed: it exits without syncing)."""
        ready, self._ready = self._ready, None
        if ready is not None:
            _close_waiting(ready)

    def _loop(self) -> None:
        while True:
            self._run_once()
            with self._lock:
                if not self._queued:
                    self._running = False
                    self._idle.set()
                    return
                self._queued = False

    def _get_ready(self) -> None:
        """Start the next sync's process, waiting for its line (it takes the warehouse's lock only once told)."""
        try:
            self._ready = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                           stderr=subprocess.STDOUT, text=True, errors="replace")
        except OSError as exc:
            log.error("sync could not start: %s", exc)
            self._ready = None

    def _run_once(self) -> None:
        with self._lock:
            whole, self._whole = list(self._whole), {}
        process, self._ready = self._ready, None
        if process is None or process.poll() is not None:      # never started, or ended while it waited
            if process is not None:
                _close_waiting(process)
            self._get_ready()
            process, self._ready = self._ready, None
        if process is None:
            self.last_exit = -1
            return
        self._get_ready()      # the next one gets ready while this one runs: a queued sync starts at once too
        output, _ = process.communicate(",".join(whole) + "\n")
        self.last_exit = process.returncode
        self.finished += 1
        tail = [line for line in output.splitlines() if line.strip()][-3:]
        level = logging.INFO if process.returncode == 0 else logging.ERROR
        log.log(level, "sync ended (exit %d)%s", process.returncode, ": " + " | ".join(tail) if tail else "")


def _close_waiting(process: subprocess.Popen) -> None:
    """A waiting sync's process ended: its input closed (it exits without syncing), then reaped."""
    try:
        output, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    if process.returncode:
        tail = [line for line in (output or "").splitlines() if line.strip()][-3:]
        log.error("a sync waiting to start ended (exit %d)%s", process.returncode,
                  ": " + " | ".join(tail) if tail else "")

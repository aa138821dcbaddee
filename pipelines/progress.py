"""What `jembatan sync` says while it works: one short line as each step of its Dagster run starts and
finishes, read from the run's event log on the project's Dagster instance (the same events the UI shows).

A thread polls the instance for the sync's own run (the planned job `sync_partitions`, tagged with the
sync's process id: a sensor's or the schedule's run of the same job started meanwhile is not followed),
then its STEP_START, STEP_SUCCESS and STEP_FAILURE events. Only for an instance on disk (`.dagster_home`,
`$DAGSTER_HOME`): an ephemeral instance's in-memory storage is not read from another thread.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

import dagster as dg

STEP_EVENTS = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS,
               dg.DagsterEventType.STEP_FAILURE}
POLL_SECONDS = 0.5
PROCESS_TAG = "jembatan/sync_pid"      # the run's tag naming the `jembatan sync` process that made it


def own_run_tags() -> dict[str, str]:
    """The tag a `jembatan sync` puts on its run, which run_progress looks for (this process's id)."""
    return {PROCESS_TAG: str(os.getpid())}

# What each step does, in a few words (a step not named here is shown by its key alone).
STEPS = {
    "reference_gazetteer": "the official village lists",
    "received_file": "reading the new files",
    "placed_file": "placing each file's rows in villages",
    "harmonised_places": "every row's village, match quality",
    "published_marts": "publishing the marts",
    "agency_reports": "the agencies' reports",
    "analyst_report": "the analyst report",
}


def step_line(step_key: str, event: dg.DagsterEventType, seconds: float, took: float | None) -> str | None:
    """One progress line, `seconds` since the sync began: `  0:03  received_file: reading the new files` as a
    step starts, `  0:14  received_file: done (11 s)` as it ends (`took`: since it started). None for the
    steps of asset checks that pass (their results are in the summary), so the lines stay per stage."""
    if step_key not in STEPS and event != dg.DagsterEventType.STEP_FAILURE:
        return None
    at = f"  {int(seconds) // 60}:{int(seconds) % 60:02d}  {step_key}: "
    if event == dg.DagsterEventType.STEP_START:
        return at + STEPS[step_key]
    return at + ("done" if event == dg.DagsterEventType.STEP_SUCCESS else "FAILED") + (
        f" ({took:.0f} s)" if took is not None else "")


@contextmanager
def run_progress(instance: dg.DagsterInstance, say: Callable[[str], None],
                 job_name: str = "sync_partitions") -> Iterator[None]:
    """While the block runs, `say` the step_line of each step event of the first run of `job_name` tagged
    own_run_tags() created on `instance` after the block began. Does nothing for an ephemeral instance."""
    if instance.is_ephemeral:
        yield
        return
    began = time.time()
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    stop = threading.Event()

    def follow() -> None:
        run_id, cursor, started = None, None, {}
        while True:
            finished = stop.is_set()        # read once more after the run ended: its last events
            try:
                if run_id is None:
                    records = instance.get_run_records(
                        dg.RunsFilter(job_name=job_name, created_after=since, tags=own_run_tags()), limit=1, ascending=True)
                    run_id = records[0].dagster_run.run_id if records else None
                while run_id is not None:
                    page = instance.get_records_for_run(run_id, cursor=cursor, of_type=STEP_EVENTS,
                                                        limit=100)
                    for record in page.records:
                        event, at = record.event_log_entry.dagster_event, record.event_log_entry.timestamp
                        begun = started.setdefault(event.step_key, at)
                        line = step_line(event.step_key, event.event_type, at - began,
                                         None if event.event_type == dg.DagsterEventType.STEP_START else at - begun)
                        if line:
                            say(line)
                    cursor = page.cursor
                    if not page.has_more:
                        break
            except Exception:       # progress is a courtesy: a storage hiccup never stops the sync
                pass
            if finished:
                return
            stop.wait(POLL_SECONDS)

    thread = threading.Thread(target=follow, name="sync-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)

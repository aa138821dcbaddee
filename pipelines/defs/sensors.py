"""When a sync runs by itself: one sensor per agency folder, and a daily full sync (Asia/Jakarta).

Each new content a sensor finds is an arrival of its own (assets/arrivals.py), a partition of `arrivals`
(pipelines/defs/partitions.py): the sensor records it, adds the partition and requests a run of it
(reading and placing that file, then the folder assets, harmonise, publish in its pool); the daily sync
records every new content as one arrival and runs what changed, as `jembatan sync` does.

A file still being written (assets/ingest/inbox.being_written, the rule the syncs use) is not requested
until it has settled; links and other non-files are never opened. A sensor's cursor is compact: the
newest modification time it has handled and the names carrying it, never a list of every file ever
seen. What a file is comes from its content hash: a run is requested once per new content (run key),
and content the warehouse already holds is not requested at all, so a file dropped twice, or renamed,
starts nothing.
"""
from __future__ import annotations

import json

import dagster as dg

from pipelines.defs.assets import ALL_ASSETS
from assets.arrivals import record_arrival
from pipelines.defs.jobs import sync_partitions_job
from pipelines.defs.partitions import ARRIVALS, READ_KEY
from assets.ingest.inbox import NotTaken, scan_inbox, sha256_of
from assets.privacy import scrub
from pipelines.defs.planning import plan_run
from pipelines.defs.resources import JembatanPaths
from schemas import SOURCES

MAX_RUNS_PER_TICK = 5
# A sensor's run: the file assets of its arrival and every asset built from them (of `sync_partitions`).
FILE_RUN = sorted(dg.AssetSelection.assets(READ_KEY).downstream().resolve(ALL_ASSETS))
DAILY_SYNC_CRON = "0 2 * * *"      # 02:00 in Jakarta, before the working day


def _cursor(text: str | None) -> tuple[int, list[str]]:
    if not text:
        return 0, []
    data = json.loads(text)
    return data["mtime_ns"], data["names"]


def inbox_sensor(source: str) -> dg.SensorDefinition:
    @dg.sensor(name=f"{source}_inbox_sensor", minimum_interval_seconds=60, job=sync_partitions_job,
               description=f"Adds a partition of arrivals for each file with new content dropped in "
                           f"inbox/{source}/ and starts a run of it (at most {MAX_RUNS_PER_TICK} per tick)")
    def _sensor(context: dg.SensorEvaluationContext, paths: JembatanPaths):
        where = paths.paths()
        mtime_ns, names = _cursor(context.cursor)
        scan = scan_inbox(where.inbox / source)      # the syncs' own rule: settled regular files, no links
        # The cursor never passes a file still being written: it is requested once it has settled.
        written = min((e.mtime_ns for e in scan.entries if e.status == "waiting"), default=None)
        pending = [p for p in scan.files                                    # oldest first
                   if scan.stats[p].st_mtime_ns > mtime_ns
                   or (scan.stats[p].st_mtime_ns == mtime_ns and p.name not in names)]
        requests, handled = [], []
        for path in pending:
            if written is not None and scan.stats[path].st_mtime_ns >= written:
                break
            try:
                sha = sha256_of(path)
            except NotTaken as exc:
                if exc.entry.status == "waiting":
                    break
                handled.append(path)        # refused: the next sync reports it
                continue
            if not where.work.manifest_path(sha).exists() and sha not in {r.run_key for r in requests}:
                if len(requests) == MAX_RUNS_PER_TICK:
                    break
                found = {"sha256": sha, "source": source, "file_name": path.name,
                         "mtime_ns": scan.stats[path].st_mtime_ns}
                arrival = record_arrival(where.work.root, [found])
                requests.append(dg.RunRequest(run_key=f"{source}:{sha}", partition_key=arrival,
                                              asset_selection=FILE_RUN,
                                              tags={"jembatan/file": scrub(path.name)[:200], "jembatan/sha256": sha}))
            handled.append(path)
        cursor = context.cursor
        if handled:
            last = scan.stats[handled[-1]].st_mtime_ns
            same = [p.name for p in handled if scan.stats[p].st_mtime_ns == last]
            names = sorted({*names, *same}) if last == mtime_ns else same
            cursor = json.dumps({"mtime_ns": last, "names": names})
        if not requests:
            waiting = [e.name for e in scan.entries if e.status == "waiting"]
            return dg.SensorResult(cursor=cursor, skip_reason=f"no new content in inbox/{source}/" + (
                f"; {len(waiting)} file(s) still being written" if waiting else ""))
        return dg.SensorResult(run_requests=requests, cursor=cursor, dynamic_partitions_requests=[
            ARRIVALS.build_add_request([r.partition_key for r in requests])])
    return _sensor


INBOX_SENSORS = [inbox_sensor(source) for source in SOURCES]



@dg.schedule(name="daily_full_sync", cron_schedule=DAILY_SYNC_CRON, execution_timezone="Asia/Jakarta",
             job=sync_partitions_job, default_status=dg.DefaultScheduleStatus.STOPPED,
             description="Full sync every day at 02:00 WIB: reference lists, every inbox folder (the new files "
                         "as one arrival, all read in the one run), matching, marts, reports")
def daily_full_sync(context: dg.ScheduleEvaluationContext, paths: JembatanPaths):
    _, tags, selection = plan_run(context.instance, paths.paths(), [key for a in ALL_ASSETS for key in a.keys])
    if selection == []:
        return dg.SkipReason("nothing changed since the last sync: no run")
    return dg.RunRequest(tags=tags, asset_selection=selection)

"""When a sync runs by itself: one sensor per agency folder, and a daily full sync (Asia/Jakarta).

A sensor's cursor is compact: the newest modification time it has handled and the names carrying it,
never a list of every file ever seen. What a file is comes from its content hash: a run is requested
once per new content (run key), and content the warehouse already holds is not requested at all, so
a file dropped twice, or renamed, starts nothing.
"""
from __future__ import annotations

import json

import dagster as dg

from assets.ingest.receive import inbox_files, sha256_of
from pipelines.resources import JembatanPaths
from schemas import SOURCES

MAX_RUNS_PER_TICK = 5
DAILY_SYNC_CRON = "0 2 * * *"      # 02:00 in Jakarta, before the working day


def _cursor(text: str | None) -> tuple[int, list[str]]:
    if not text:
        return 0, []
    data = json.loads(text)
    return data["mtime_ns"], data["names"]


def inbox_sensor(source: str) -> dg.SensorDefinition:
    @dg.sensor(name=f"{source}_inbox_sensor", minimum_interval_seconds=60,
               target=dg.AssetSelection.assets(f"{source}_files").downstream(),
               description=f"Starts an ingest of inbox/{source}/ when a file with new content is dropped "
                           f"(at most {MAX_RUNS_PER_TICK} runs per tick, one per content hash)")
    def _sensor(context: dg.SensorEvaluationContext, paths: JembatanPaths):
        where = paths.paths()
        mtime_ns, names = _cursor(context.cursor)
        pending = [p for p in inbox_files(where.inbox, source)      # oldest first
                   if p.stat().st_mtime_ns > mtime_ns or (p.stat().st_mtime_ns == mtime_ns and p.name not in names)]
        requests, handled = [], []
        for path in pending:
            sha = sha256_of(path)
            if not where.work.manifest_path(sha).exists() and sha not in {r.run_key for r in requests}:
                if len(requests) == MAX_RUNS_PER_TICK:
                    break
                requests.append(dg.RunRequest(run_key=f"{source}:{sha}", tags={"jembatan/file": path.name[:200],
                                                                               "jembatan/sha256": sha}))
            handled.append(path)
        if handled:
            last = handled[-1].stat().st_mtime_ns
            same = [p.name for p in handled if p.stat().st_mtime_ns == last]
            names = sorted({*names, *same}) if last == mtime_ns else same
            context.update_cursor(json.dumps({"mtime_ns": last, "names": names}))
        if not requests:
            return dg.SkipReason(f"no new content in inbox/{source}/")
        return requests
    return _sensor


INBOX_SENSORS = [inbox_sensor(source) for source in SOURCES]

daily_full_sync = dg.ScheduleDefinition(
    name="daily_full_sync", cron_schedule=DAILY_SYNC_CRON, execution_timezone="Asia/Jakarta",
    target=dg.AssetSelection.all(), default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Full sync every day at 02:00 WIB: reference lists, every inbox folder, matching, marts, reports")

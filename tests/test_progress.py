"""`jembatan sync`'s progress lines follow its own run of `sync_partitions`, not a run of the same job that a
sensor, the schedule or another sync started meanwhile on the same instance (an instance on disk)."""
from __future__ import annotations

import dagster as dg

from pipelines.defs.jobs import PLANNED_JOB
from pipelines.progress import PROCESS_TAG, own_run_tags, run_progress
from tests.test_partitions import on_disk


@dg.asset(name="received_file", config_schema={"fail": dg.Field(bool, default_value=False)})
def reading(context) -> int:
    if context.op_execution_context.op_config["fail"]:
        raise ValueError("a file that could not be read")
    return 1


def test_progress_follows_the_sync_s_own_run(tmp_path):
    job = dg.Definitions(assets=[reading], jobs=[dg.define_asset_job(PLANNED_JOB)]).resolve_job_def(PLANNED_JOB)
    lines: list[str] = []
    with on_disk(tmp_path / "dagster_home") as instance:
        with run_progress(instance, lines.append):
            other = job.execute_in_process(       # a run of the same job by another process: it fails
                instance=instance, tags={PROCESS_TAG: "1"}, raise_on_error=False,
                run_config={"ops": {"received_file": {"config": {"fail": True}}}})
            own = job.execute_in_process(instance=instance, tags=own_run_tags())
        assert not other.success and own.success
    assert [line.split(None, 1)[1].split(" (")[0] for line in lines] == [
        "received_file: reading the new files", "received_file: done"]

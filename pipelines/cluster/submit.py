"""`jembatan sync --cluster`: submit the planned job (`sync_partitions`) to the running cluster and wait for it.

The run is launched through the webserver's GraphQL API (`launchPipelineExecution`), so it goes through the
instance's QueuedRunCoordinator like a run started in the UI: the daemon dequeues it (one at a time per
warehouse), the run worker sends each step to the Celery workers. The inbox and warehouse are the run's
resource config (`paths`); the run carries `dagster/max_runtime` so the daemon fails a run that hangs (a
worker killed with its whole process tree). A run that fails and is retried by the daemon (`run_retries`)
is followed to its retry; the answer is the last run of that chain."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import dagster as dg

from pipelines.cluster.settings import ClusterSettings

LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchPipelineExecution(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on InvalidSubsetError { message }
    ... on PipelineNotFoundError { message }
    ... on UnauthorizedError { message }
    ... on RunConflict { message }
    ... on PresetNotFoundError { message }
    ... on ConflictingExecutionParamsError { message }
    ... on NoModeProvidedError { message }
    ... on InvalidStepError { invalidStepKey }
    ... on InvalidOutputError { stepKey }
  }
}"""
LOCATIONS = "{ workspaceOrError { __typename ... on Workspace { locationEntries { name } } } }"
JOB = "sync_partitions"      # pipelines/defs/jobs.PLANNED_JOB (this module stays free of the definitions)
REPOSITORY = "__repository__"


class ClusterError(RuntimeError):
    """The cluster could not be reached, refused the run, or the run did not end in time."""


@dataclass
class ClusterRun:
    run_ids: list[str]         # the submitted run, then each retry of it, in order
    success: bool
    events: list               # DagsterEvents of every run of the chain, in order


def graphql(settings: ClusterSettings, query: str, variables: dict | None = None, timeout: float = 60) -> dict:
    request = urllib.request.Request(f"{settings.webserver_url}/graphql",
                                     data=json.dumps({"query": query, "variables": variables or {}}).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read())
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise ClusterError(f"the cluster's webserver at {settings.webserver_url} does not answer ({error}); "
                           "start the cluster with `make cluster`") from None
    if answer.get("errors"):
        raise ClusterError(f"the webserver refused the request: {answer['errors'][0].get('message')}")
    return answer["data"]


def launch(settings: ClusterSettings, inbox: str, warehouse: str, max_runtime_seconds: int,
           tags: dict[str, str] | None = None, selection: list | None = None) -> str:
    """Submit the sync of `inbox` into `warehouse` (absolute paths, as the workers see them); the run id.
    `tags`, `selection`: the run over the new files' partitions and its asset keys (None: every asset), as
    pipelines.defs.planning.plan_run gives them."""
    locations = graphql(settings, LOCATIONS)["workspaceOrError"].get("locationEntries") or []
    if not locations:
        raise ClusterError("the cluster's webserver has no code location loaded")
    params = {
        "selector": {"repositoryLocationName": locations[0]["name"], "repositoryName": REPOSITORY,
                     "pipelineName": JOB,
                     **({"assetSelection": [{"path": list(key.path)} for key in selection]}
                        if selection is not None else {})},
        "runConfigData": {"resources": {"paths": {"config": {"inbox": inbox, "warehouse": warehouse}}}},
        "executionMetadata": {"tags": [
            {"key": "jembatan/warehouse", "value": warehouse},
            {"key": "jembatan/submitted_by", "value": "jembatan sync --cluster"},
            {"key": "dagster/max_runtime", "value": str(max_runtime_seconds)},
            *({"key": k, "value": v} for k, v in (tags or {}).items())]},
    }
    answer = graphql(settings, LAUNCH, {"params": params})["launchPipelineExecution"]
    if answer["__typename"] != "LaunchRunSuccess":
        detail = answer.get("message") or "; ".join(e["message"] for e in answer.get("errors", [])) or answer
        raise ClusterError(f"the cluster refused the sync ({answer['__typename']}): {detail}")
    return answer["run"]["runId"]


# The tags Dagster's run retries write (the daemon's auto re-execution); Dagster exports no public constant
# for them, so their values are named here.
PARENT_RUN_ID_TAG = "dagster/parent_run_id"
WILL_RETRY_TAG = "dagster/will_retry"


def wait(instance, run_id: str, timeout_seconds: float, on_retry=None, poll_seconds: float = 1.0) -> ClusterRun:
    """Wait for `run_id` and the retries the daemon makes of it; ClusterError when the chain has not ended
    within `timeout_seconds`."""
    deadline = time.monotonic() + timeout_seconds
    chain = [run_id]
    while time.monotonic() < deadline:
        run = instance.get_run_by_id(chain[-1])
        if run is not None and run.is_finished:
            if run.status == dg.DagsterRunStatus.SUCCESS:
                return _finished(instance, chain, True)
            retry = instance.get_runs(filters=dg.RunsFilter(tags={PARENT_RUN_ID_TAG: run.run_id}), limit=1)
            if retry:
                chain.append(retry[0].run_id)
                if on_retry is not None:
                    on_retry(run.run_id, retry[0].run_id)
                continue
            if run.tags.get(WILL_RETRY_TAG) != "true":
                return _finished(instance, chain, False)
        time.sleep(poll_seconds)
    raise ClusterError(f"run {chain[-1]} did not finish within {timeout_seconds:.0f} s; see it in the UI")


def _finished(instance, chain: list[str], success: bool) -> ClusterRun:
    events = [entry.dagster_event for run_id in chain for entry in instance.all_logs(run_id)
              if entry.dagster_event is not None]
    return ClusterRun(chain, success, events)

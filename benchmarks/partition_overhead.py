"""What Dagster itself costs per file partition, apart from any of the project's work: one run of an asset
partitioned like `received_file` (dynamic partitions, BackfillPolicy.single_run) over N partitions, with and
without per-partition metadata (`context.add_asset_metadata(..., partition_key=...)`, as received_file and
placed_file attach each file's figures), with the load average before each figure.

    .venv/bin/python benchmarks/partition_overhead.py [N ...]      (default: 200 2049, 2049 = the national inbox)
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import dagster as dg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import timed  # noqa: E402

warnings.filterwarnings("ignore", category=dg.BetaWarning)


def run_seconds(n: int, per_partition_metadata: bool) -> tuple[float, float]:
    """(seconds of the whole run, seconds of the metadata calls) over n partitions."""
    spent = []
    files = dg.DynamicPartitionsDefinition(name="received_files")

    @dg.asset(partitions_def=files, backfill_policy=dg.BackfillPolicy.single_run())
    def received(context) -> None:
        start = time.perf_counter()
        if per_partition_metadata:
            for key in context.partition_keys:
                context.add_asset_metadata({"file": key, "rows": 1}, partition_key=key)
        spent.append(time.perf_counter() - start)

    job = dg.Definitions(assets=[received], jobs=[dg.define_asset_job("j", "*")]).resolve_job_def("j")
    with dg.DagsterInstance.ephemeral() as instance:
        keys = [f"{i:064x}" for i in range(n)]
        instance.add_dynamic_partitions(files.name, keys)
        start = time.perf_counter()
        result = job.execute_in_process(
            instance=instance, run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
            tags={"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]})
        assert result.success
        return time.perf_counter() - start, spent[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="*", default=[200, 2049], help="partitions per run (default 200 2049)")
    for n in parser.parse_args().n:
        load = timed.load_average()
        bare, _ = run_seconds(n, False)
        whole, metadata = run_seconds(n, True)
        print(f"{n:>6} partitions: run {bare:6.2f} s without metadata, {whole:6.2f} s with it "
              f"(metadata calls {metadata:5.2f} s, {1000 * metadata / n:.1f} ms each; load {load:.2f} before)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

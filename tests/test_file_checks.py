"""A run that read a wholly rejected file is not plain green: the `file_not_wholly_rejected` check on
`received_file` fails with WARN severity, naming the file as a person tells partitions apart (folder, file
name, day received); a sync on the project's instance says what it does, step by step, while it works."""
from __future__ import annotations

import datetime as dt

import dagster as dg

from pipelines.cli import main
from tests.test_ingest import msme_workbook
from tests.test_nothing_landed import refused_file

CHECK = dg.AssetCheckKey(dg.AssetKey("received_file"), "file_not_wholly_rejected")


def test_a_wholly_rejected_file_fails_its_check_as_a_warning(reference_dir, tmp_path, capsys, monkeypatch):
    home = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))          # the instance on disk, as `make run` and the UI
    inbox = reference_dir.parent
    (inbox / "bps").mkdir()
    msme_workbook(inbox / "bps" / "umkm_babel_2023.xlsx")
    refused_file(inbox / "polda")
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(tmp_path / "warehouse")]) == 0
    captured = capsys.readouterr()
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert "Checks that did not pass: 1 (see each in the Dagster UI)" in captured.out.splitlines()
    assert (f"  received_file.file_not_wholly_rejected (warn): 1 of 2 file(s) read wholly rejected: "
            f"polda / umkm_2023.xlsx / {today}") in captured.out.splitlines()
    # progress while it worked, on stderr: a line as each stage started and ended
    progress = [line.split(None, 1)[1] for line in captured.err.splitlines() if line.startswith("  0:")]
    assert progress[3].startswith("received_file: done (") and progress[3].endswith(" s)")
    # the reference lists first: a worker builds the matcher from them while the files are read
    assert [line for line in progress if not line.split(": ", 1)[1].startswith("done")] == [
        "reference_gazetteer: the official village lists", "received_file: reading the new files",
        "placed_file: placing each file's rows in villages", "harmonised_places: every row's village, match quality",
        "agency_reports: the agencies' reports", "published_marts: publishing the marts",
        "analyst_report: the analyst report"]
    with dg.DagsterInstance.from_config(str(home)) as instance:
        [run] = instance.get_runs()
        [evaluation] = [record.event_log_entry.dagster_event.event_specific_data
                        for record in instance.get_records_for_run(
                            run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
                        if record.event_log_entry.dagster_event.event_specific_data.check_name == CHECK.name]
        assert (evaluation.passed, evaluation.severity, evaluation.metadata["files_wholly_rejected"].value,
                evaluation.metadata["files_read"].value) == (False, dg.AssetCheckSeverity.WARN, 1, 2)
        # one arrival (the run's partition) read both files; each file named for a person beside its hash
        labels = sorted(line["partition_label"]
                        for record in instance.fetch_materializations(dg.AssetKey("received_file"), limit=10).records
                        for line in record.asset_materialization.metadata["files_read"].value)
        assert labels == [f"bps / umkm_babel_2023.xlsx / {today}", f"polda / umkm_2023.xlsx / {today}"]

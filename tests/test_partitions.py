"""Each received file is a partition of `received_files` (keyed by its SHA-256), on a real Dagster
instance on disk: a sync adds one per new content and runs just those; an unchanged inbox runs none; one
new file materializes one partition and the marts are a full rebuild's; a steward's alias followed by a
re-run of one file's partition places its rows."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from pipelines.defs.partitions import RECEIVED_FILES
from assets.harmonise import aliases
from assets.harmonise.names import name_key
from pipelines.definitions import definitions
from pipelines.sync_run import execute_sync
from pipelines.defs.resources import JembatanPaths
from tests.agency_files import crime_rows, crime_xlsx
from tests.test_incremental import february_reports
from tests.test_ingest import msme_workbook
from tests.test_pipeline_small import crime_workbook

FILE_ASSETS = ("received_file", "placed_file")


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def on_disk(folder) -> dg.DagsterInstance:
    """A Dagster instance with SQLite storage in `folder` (as a DAGSTER_HOME would be)."""
    folder.mkdir()
    return dg.DagsterInstance.local_temp(str(folder))


@pytest.fixture
def instance(tmp_path):
    with on_disk(tmp_path / "dagster_home") as instance:
        yield instance


@pytest.fixture
def inbox(reference_dir):
    inbox = reference_dir.parent
    (inbox / "bps").mkdir()
    (inbox / "polda").mkdir()
    msme_workbook(inbox / "bps" / "umkm.xlsx")
    crime_workbook(inbox / "polda" / "lp_januari.xlsx")
    return inbox


def sync(instance, inbox, warehouse) -> dg.ExecuteInProcessResult | None:
    """The sync's run, or None when nothing changed (no run)."""
    result = execute_sync(instance, JembatanPaths(inbox=str(inbox), warehouse=str(warehouse)), {})
    assert result is None or result.success
    return result


def materialized(result, asset: str) -> dict[str, dict]:
    """The partitions of `asset` this run materialized, with their metadata values (none without a run)."""
    if result is None:
        return {}
    return {event.partition: {k: v.value for k, v in event.step_materialization_data.materialization.metadata.items()}
            for event in result.get_asset_materialization_events() if event.asset_key.to_user_string() == asset}


def folder_summary(result, source: str) -> dict:
    """What the sync's summary reads: the `<source>_files` materialization of the run."""
    return next({k: v.value for k, v in e.step_materialization_data.materialization.metadata.items()}
                for e in result.get_asset_materialization_events()
                if e.asset_key.to_user_string() == f"{source}_files")


def tables(database) -> dict[str, list]:
    """Every published table (restricted and public) but the publication's own record, all rows in order,
    without when each file was received (a time, not a value of the files)."""
    with duckdb.connect(str(database), read_only=True) as con:
        names = con.execute("SELECT schema_name, table_name, list(column_name) FILTER (WHERE column_name = "
                            "'received_at') FROM duckdb_columns() WHERE NOT internal AND schema_name IN ('main', 'public') "
                            "AND table_name <> 'publication' GROUP BY ALL ORDER BY ALL").fetchall()
        return {f"{schema}.{name}": con.execute(f'SELECT * {"EXCLUDE (received_at)" if when else ""} '
                                                 f'FROM {schema}."{name}" ORDER BY ALL').fetchall()
                for schema, name, when in names}


def test_a_partition_per_new_content_none_for_an_unchanged_inbox_one_for_a_new_file(instance, inbox, tmp_path):
    crimes = inbox / "polda" / "lp_januari.xlsx"
    shutil.copyfile(crimes, inbox / "polda" / "lp_januari (1).xlsx")       # the same content again: one partition
    warehouse = tmp_path / "warehouse"
    first = sync(instance, inbox, warehouse)
    keys = {sha256(inbox / "bps" / "umkm.xlsx"), sha256(crimes)}
    assert set(instance.get_dynamic_partitions(RECEIVED_FILES.name)) == keys
    read = materialized(first, "received_file")
    assert set(read) == keys and set(materialized(first, "placed_file")) == keys
    assert (read[sha256(crimes)]["file"], read[sha256(crimes)]["status"], read[sha256(crimes)]["rows_accepted"],
            read[sha256(crimes)]["rows_rejected"]) == ("lp_januari.xlsx", "partially_accepted", 4, 1)
    assert materialized(first, "placed_file")[sha256(crimes)]["rows_unplaced"] == 1     # Antah Berantah
    report = json.loads(Path(read[sha256(crimes)]["report"]).with_suffix(".json").read_text())   # the file's own
    assert [(e["row"], e["code"]) for e in report["errors"]] == [(5, "duplicate_key"), (6, "unknown_village")]
    summary = folder_summary(first, "polda")
    assert (summary["files_new"], summary["files_in_inbox"], summary["dagster/row_count"]) == (1, 2, 4)

    runs = len(instance.get_runs())
    again = sync(instance, inbox, warehouse)                # nothing new: no run, nothing recorded
    assert again is None and len(instance.get_runs()) == runs
    assert instance.get_materialized_partitions(dg.AssetKey("received_file")) == keys

    february_reports(inbox)
    new = sha256(inbox / "polda" / "lp_februari.xlsx")
    third = sync(instance, inbox, warehouse)
    assert list(materialized(third, "received_file")) == [new]
    assert list(materialized(third, "placed_file")) == [new]
    assert folder_summary(third, "polda")["files_new"] == 1 and folder_summary(third, "bps")["files_new"] == 0
    assert set(instance.get_dynamic_partitions(RECEIVED_FILES.name)) == keys | {new}

    with on_disk(tmp_path / "rebuild_home") as fresh:      # every file at once
        sync(fresh, inbox, tmp_path / "rebuilt")
    grown, rebuilt = tables(warehouse / "jembatan.duckdb"), tables(tmp_path / "rebuilt" / "jembatan.duckdb")
    assert grown.keys() == rebuilt.keys() and len(grown["main.fact_crime_report"]) == 6
    for name in grown:
        assert grown[name] == rebuilt[name], name


def simpang_iii(paths) -> int:
    """Crimes the marts count in Simpang III (19.01.02.2003), where no row of the test files is."""
    with duckdb.connect(str(paths.database), read_only=True) as con:
        return con.execute("SELECT coalesce(sum(crime_count), 0) FROM mart_village_year "
                           "WHERE village_code = '19.01.02.2003'").fetchone()[0]


def alias_the_unknown_village(paths) -> None:
    """The steward decides that the one unresolved name, Antah Berantah in Mendo, is Simpang III."""
    unresolved = pd.read_parquet(paths.placed_store / "unresolved.parquet")
    (name, scope), = unresolved[["village_name", "match_scope"]].itertuples(index=False)
    assert name == "Antah Berantah"
    aliases.add(paths.warehouse / "steward", [{"name_key": name_key(name), "scope_code": scope,
                                               "written": name, "village_code": "19.01.02.2003"}],
                "steward", dt.datetime.now(dt.timezone.utc).isoformat(), "test")


def test_rerunning_one_file_partition_after_an_alias_places_its_rows(instance, inbox, tmp_path):
    warehouse = tmp_path / "warehouse"
    sync(instance, inbox, warehouse)
    paths = JembatanPaths(inbox=str(inbox), warehouse=str(warehouse))
    crimes = sha256(inbox / "polda" / "lp_januari.xlsx")
    assert simpang_iii(paths.paths()) == 0
    alias_the_unknown_village(paths.paths())
    # The steward re-runs that one file's placing (and what is built from it) in the UI, or so:
    defs = definitions(paths)
    rerun = defs.resolve_job_def("sync").execute_in_process(
        instance=instance, partition_key=crimes,
        asset_selection=[dg.AssetKey(k) for k in ("placed_file", "harmonised_places", "published_marts")])
    assert rerun.success
    placed = materialized(rerun, "placed_file")
    assert list(placed) == [crimes]
    assert (placed[crimes]["rows_unplaced"], placed[crimes]["methods"].get("steward_alias")) == (0, 1)
    assert simpang_iii(paths.paths()) == 1
    assert not materialized(rerun, "received_file")         # the file was not read again


def test_a_sync_after_an_alias_places_every_file_again_each_in_its_partition(inbox, tmp_path):
    warehouse = tmp_path / "warehouse"
    files = {sha256(inbox / "bps" / "umkm.xlsx"), sha256(inbox / "polda" / "lp_januari.xlsx")}
    # As `jembatan sync` without DAGSTER_HOME: a new instance every time, its partitions made the warehouse's.
    with dg.DagsterInstance.ephemeral() as instance:
        sync(instance, inbox, warehouse)
    paths = JembatanPaths(inbox=str(inbox), warehouse=str(warehouse)).paths()
    alias_the_unknown_village(paths)
    with dg.DagsterInstance.ephemeral() as instance:
        result = sync(instance, inbox, warehouse)
        assert set(instance.get_dynamic_partitions(RECEIVED_FILES.name)) == files
    placed = materialized(result, "placed_file")
    assert set(placed) == files and placed[sha256(inbox / "polda" / "lp_januari.xlsx")]["methods"]["steward_alias"] == 1
    assert set(materialized(result, "received_file")) == files
    assert not any(m["read_now"] for m in materialized(result, "received_file").values())     # none read again
    assert simpang_iii(paths) == 1
    with dg.DagsterInstance.ephemeral() as instance:
        assert not materialized(sync(instance, inbox, warehouse), "placed_file")      # placed: nothing to do


def test_a_corrected_file_takes_the_place_of_the_partition_it_supersedes(instance, reference_dir, tmp_path):
    inbox = reference_dir.parent
    (inbox / "polda").mkdir()
    old = crime_xlsx(inbox / "polda" / "lp_2023.xlsx", crime_rows(4))
    os.utime(old, ns=(1_700_000_000_000_000_000,) * 2)
    warehouse = tmp_path / "warehouse"
    sync(instance, inbox, warehouse)
    assert instance.get_dynamic_partitions(RECEIVED_FILES.name) == [sha256(old)]
    rows = crime_rows(4)
    rows[3][4] = "Sidorejo"                                  # the correction: same reports, one village
    corrected = crime_xlsx(inbox / "polda" / "lp_2023_revisi.xlsx", rows)
    os.utime(corrected, ns=(1_700_000_001_000_000_000,) * 2)
    result = sync(instance, inbox, warehouse)
    assert materialized(result, "received_file")[sha256(corrected)]["supersedes"] == sha256(old)
    assert instance.get_dynamic_partitions(RECEIVED_FILES.name) == [sha256(corrected)]
    with duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True) as con:
        assert con.execute("SELECT file_name, status, rows_placed FROM mart_data_quality ORDER BY ALL").fetchall() \
            == [("lp_2023.xlsx", "superseded", 0), ("lp_2023_revisi.xlsx", "accepted", 4)]


def test_the_daily_schedule_adds_the_new_files_partitions_and_runs_them_together(instance, inbox, tmp_path):
    from pipelines.defs.sensors import daily_full_sync
    paths = JembatanPaths(inbox=str(inbox), warehouse=str(tmp_path / "warehouse"))
    context = dg.build_schedule_context(instance=instance, resources={"paths": paths})
    request = daily_full_sync.evaluate_tick(context).run_requests[0]
    keys = instance.get_dynamic_partitions(RECEIVED_FILES.name)
    assert sorted(keys) == sorted([sha256(inbox / "bps" / "umkm.xlsx"), sha256(inbox / "polda" / "lp_januari.xlsx")])
    assert (request.tags["dagster/asset_partition_range_start"], request.tags["dagster/asset_partition_range_end"]) \
        == (keys[0], keys[-1]) and request.asset_selection is None          # every asset, over both files
    for folder in ("bps", "polda"):
        shutil.rmtree(inbox / folder)
    quiet = daily_full_sync.evaluate_tick(dg.build_schedule_context(instance=instance, resources={"paths": paths}))
    request, = quiet.run_requests                  # nothing new: a run of every asset but the file partitions
    assert not {k.to_user_string() for k in request.asset_selection} & set(FILE_ASSETS)
    assert "harmonised_places" in {k.to_user_string() for k in request.asset_selection}


def test_a_file_taken_out_before_any_run_read_it_loses_its_partition(instance, inbox, tmp_path):
    from pipelines.defs.planning import plan_run
    paths = JembatanPaths(inbox=str(inbox), warehouse=str(tmp_path / "warehouse")).paths()
    msme, crimes = sha256(inbox / "bps" / "umkm.xlsx"), sha256(inbox / "polda" / "lp_januari.xlsx")
    keys, tags, selection = plan_run(instance, paths, [])
    assert (keys, selection) == ([msme, crimes], None) and tags["dagster/asset_partition_range_end"] == crimes
    (inbox / "bps" / "umkm.xlsx").unlink()                  # e.g. a sensor added it, then the clerk took it back
    keys, tags, _ = plan_run(instance, paths, [])
    assert keys == [crimes] and tags == {"dagster/partition": crimes}
    assert instance.get_dynamic_partitions(RECEIVED_FILES.name) == [crimes]

"""Each set of new contents a sync finds is an arrival, a partition of `arrivals` whose key leads to its
files, on a real Dagster instance on disk: a sync adds one arrival and reads its files (each content once);
an unchanged inbox starts no run and records nothing; one new file is an arrival of its own and the marts
are a full rebuild's; a steward's alias followed by a re-run of one file of its arrival places its rows."""
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

from assets.arrivals import arrival_files
from pipelines.defs.partitions import ARRIVALS
from assets.harmonise import aliases
from assets.harmonise.names import name_key
from pipelines.definitions import definitions
from pipelines.sync_run import execute_sync
from pipelines.defs.resources import JembatanPaths
from schemas import SOURCES
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
    """The partitions (arrivals) of `asset` this run materialized, with their metadata values (none without
    a run)."""
    if result is None:
        return {}
    return {event.partition: {k: v.value for k, v in event.step_materialization_data.materialization.metadata.items()}
            for event in result.get_asset_materialization_events() if event.asset_key.to_user_string() == asset}


def files_read(result) -> dict[str, dict]:
    """Per file (SHA-256) of the run's arrivals, what `received_file` recorded of it."""
    return {line["sha256"]: line for m in materialized(result, "received_file").values() for line in m["files_read"]}


def files_placed(result) -> dict[str, dict]:
    """Per file (SHA-256) of the run's arrivals, what `placed_file` recorded of it."""
    return {sha: stats for m in materialized(result, "placed_file").values() for sha, stats in m["files"].items()}


def arrival_shas(warehouse, key: str) -> set[str]:
    return {f["sha256"] for f in arrival_files(JembatanPaths(inbox=".", warehouse=str(warehouse)).paths().work.root,
                                                key)}


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


def test_an_arrival_per_sync_none_for_an_unchanged_inbox_one_for_a_new_file(instance, inbox, tmp_path):
    crimes = inbox / "polda" / "lp_januari.xlsx"
    shutil.copyfile(crimes, inbox / "polda" / "lp_januari (1).xlsx")       # the same content again: read once
    warehouse = tmp_path / "warehouse"
    first = sync(instance, inbox, warehouse)
    keys = {sha256(inbox / "bps" / "umkm.xlsx"), sha256(crimes)}
    arrival, = instance.get_dynamic_partitions(ARRIVALS.name)       # one partition for the sync's new files
    assert arrival_shas(warehouse, arrival) == keys                 # its key leads to them
    assert list(materialized(first, "received_file")) == [arrival] == list(materialized(first, "placed_file"))
    read = files_read(first)
    assert set(read) == keys and set(files_placed(first)) == keys
    assert (read[sha256(crimes)]["file"], read[sha256(crimes)]["status"], read[sha256(crimes)]["rows_accepted"],
            read[sha256(crimes)]["rows_rejected"]) == ("lp_januari.xlsx", "partially_accepted", 4, 1)
    assert files_placed(first)[sha256(crimes)]["unplaced"] == 1     # Antah Berantah
    assert materialized(first, "received_file")[arrival]["files_read_now"] == 2
    report = json.loads(Path(read[sha256(crimes)]["report"]).with_suffix(".json").read_text())   # the file's own
    assert [(e["row"], e["code"]) for e in report["errors"]] == [(5, "duplicate_key"), (6, "unknown_village")]
    summary = folder_summary(first, "polda")
    assert (summary["files_new"], summary["files_in_inbox"], summary["dagster/row_count"]) == (1, 2, 4)

    runs = len(instance.get_runs())
    again = sync(instance, inbox, warehouse)                # nothing new: no run, nothing recorded
    assert again is None and len(instance.get_runs()) == runs
    assert instance.get_materialized_partitions(dg.AssetKey("received_file")) == {arrival}

    february_reports(inbox)
    new = sha256(inbox / "polda" / "lp_februari.xlsx")
    third = sync(instance, inbox, warehouse)
    assert list(files_read(third)) == [new] and list(files_placed(third)) == [new]
    second, = set(instance.get_dynamic_partitions(ARRIVALS.name)) - {arrival}
    assert arrival_shas(warehouse, second) == {new}
    assert folder_summary(third, "polda")["files_new"] == 1
    assert not {e.asset_key.to_user_string() for e in third.get_asset_materialization_events()} & {
        "reference_gazetteer", "bps_files"}                  # unchanged: not built again, nothing recorded

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


def test_rerunning_one_file_of_an_arrival_after_an_alias_places_its_rows(instance, inbox, tmp_path):
    warehouse = tmp_path / "warehouse"
    sync(instance, inbox, warehouse)
    paths = JembatanPaths(inbox=str(inbox), warehouse=str(warehouse))
    crimes = sha256(inbox / "polda" / "lp_januari.xlsx")
    assert simpang_iii(paths.paths()) == 0
    alias_the_unknown_village(paths.paths())
    # The steward re-runs that one file's placing (and what is built from it) in the UI, or so:
    arrival, = instance.get_dynamic_partitions(ARRIVALS.name)
    defs = definitions(paths)
    rerun = defs.resolve_job_def("sync_partitions").execute_in_process(
        instance=instance, partition_key=arrival, run_config={"ops": {"placed_file": {"config": {"files": [crimes]}}}},
        asset_selection=[dg.AssetKey(k) for k in ("placed_file", "harmonised_places", "published_marts")])
    assert rerun.success
    placed = files_placed(rerun)
    assert list(placed) == [crimes]
    assert (placed[crimes]["unplaced"], placed[crimes]["methods"].get("steward_alias")) == (0, 1)
    assert simpang_iii(paths.paths()) == 1
    assert not materialized(rerun, "received_file")         # the file was not read again


def test_a_sync_after_an_alias_places_every_file_again(inbox, tmp_path):
    warehouse = tmp_path / "warehouse"
    files = {sha256(inbox / "bps" / "umkm.xlsx"), sha256(inbox / "polda" / "lp_januari.xlsx")}
    # As `jembatan sync` without DAGSTER_HOME: a new instance every time, its partitions made the warehouse's.
    with dg.DagsterInstance.ephemeral() as instance:
        sync(instance, inbox, warehouse)
        arrivals = instance.get_dynamic_partitions(ARRIVALS.name)
    paths = JembatanPaths(inbox=str(inbox), warehouse=str(warehouse)).paths()
    alias_the_unknown_village(paths)
    with dg.DagsterInstance.ephemeral() as instance:
        result = sync(instance, inbox, warehouse)
        assert instance.get_dynamic_partitions(ARRIVALS.name) == arrivals
    placed = files_placed(result)
    assert set(placed) == files and placed[sha256(inbox / "polda" / "lp_januari.xlsx")]["methods"]["steward_alias"] == 1
    assert set(files_read(result)) == files
    assert not any(m["read_now"] for m in files_read(result).values())     # none read again
    assert simpang_iii(paths) == 1
    with dg.DagsterInstance.ephemeral() as instance:
        assert not materialized(sync(instance, inbox, warehouse), "placed_file")      # placed: nothing to do


def test_a_corrected_file_supersedes_the_one_an_earlier_arrival_held(instance, reference_dir, tmp_path):
    inbox = reference_dir.parent
    (inbox / "polda").mkdir()
    old = crime_xlsx(inbox / "polda" / "lp_2023.xlsx", crime_rows(4))
    os.utime(old, ns=(1_700_000_000_000_000_000,) * 2)
    warehouse = tmp_path / "warehouse"
    sync(instance, inbox, warehouse)
    first, = instance.get_dynamic_partitions(ARRIVALS.name)
    rows = crime_rows(4)
    rows[3][4] = "Sidorejo"                                  # the correction: same reports, one village
    corrected = crime_xlsx(inbox / "polda" / "lp_2023_revisi.xlsx", rows)
    os.utime(corrected, ns=(1_700_000_001_000_000_000,) * 2)
    result = sync(instance, inbox, warehouse)
    assert files_read(result)[sha256(corrected)]["supersedes"] == sha256(old)
    arrivals = instance.get_dynamic_partitions(ARRIVALS.name)        # both arrivals stay: both happened
    assert arrivals[0] == first and [arrival_shas(warehouse, key) for key in arrivals] == [{sha256(old)},
                                                                                         {sha256(corrected)}]
    with duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True) as con:
        assert con.execute("SELECT file_name, status, rows_placed FROM mart_data_quality ORDER BY ALL").fetchall() \
            == [("lp_2023.xlsx", "superseded", 0), ("lp_2023_revisi.xlsx", "accepted", 4)]


def test_the_daily_schedule_adds_the_new_files_arrival_and_runs_it(instance, inbox, tmp_path):
    from pipelines.defs.sensors import daily_full_sync
    paths = JembatanPaths(inbox=str(inbox), warehouse=str(tmp_path / "warehouse"))
    # Each context is closed (`with`): the instance it opens sets Dagster's current definitions-state storage,
    # which a context left open would leave pointing at that instance once it is collected.
    with dg.build_schedule_context(instance=instance, resources={"paths": paths}) as context:
        request = daily_full_sync.evaluate_tick(context).run_requests[0]
    arrival, = instance.get_dynamic_partitions(ARRIVALS.name)
    assert arrival_shas(tmp_path / "warehouse", arrival) == {sha256(inbox / "bps" / "umkm.xlsx"),
                                                             sha256(inbox / "polda" / "lp_januari.xlsx")}
    assert request.tags["dagster/partition"] == arrival and request.asset_selection is None   # every asset
    for folder in ("bps", "polda"):
        shutil.rmtree(inbox / folder)
    with dg.build_schedule_context(instance=instance, resources={"paths": paths}) as context:
        quiet = daily_full_sync.evaluate_tick(context)
    request, = quiet.run_requests                  # nothing synced yet, nothing new: every asset but the files
    assert not {k.to_user_string() for k in request.asset_selection} & set(FILE_ASSETS)
    assert "harmonised_places" in {k.to_user_string() for k in request.asset_selection}


def test_an_arrival_no_run_read_is_planned_again_without_a_file_taken_out(instance, inbox, tmp_path):
    from pipelines.defs.planning import plan_run
    warehouse = tmp_path / "warehouse"
    paths = JembatanPaths(inbox=str(inbox), warehouse=str(warehouse)).paths()
    msme, crimes = sha256(inbox / "bps" / "umkm.xlsx"), sha256(inbox / "polda" / "lp_januari.xlsx")
    os.utime(inbox / "bps" / "umkm.xlsx", (1_796_576_400, 1_796_576_400))            # 2026-12-06 17:00 UTC
    os.utime(inbox / "polda" / "lp_januari.xlsx", (1_796_490_000, 1_796_490_000))    # a day earlier
    keys, tags, selection = plan_run(instance, paths, [])
    assert (keys, selection) == ([msme, crimes], None)
    assert arrival_shas(warehouse, tags["dagster/partition"]) == {msme, crimes}
    # named for a person: the newest file's day in WIB (00:00 on 7 December), its folders with their counts,
    # a short digest of the contents
    digest = hashlib.sha256(f"{msme}\n{crimes}".encode()).hexdigest()[:12]
    assert tags["dagster/partition"] == f"2026-12-07-bps1-polda1-{digest}"
    assert plan_run(instance, paths, [])[1] == tags          # planned again (a killed sync): the same arrival
    (inbox / "bps" / "umkm.xlsx").unlink()                  # e.g. a sensor added it, then the clerk took it back
    keys, tags, _ = plan_run(instance, paths, [])
    assert keys == [crimes] and arrival_shas(warehouse, tags["dagster/partition"]) == {crimes}
    assert instance.get_dynamic_partitions(ARRIVALS.name) == [tags["dagster/partition"]]


def test_an_arrival_a_sensor_recorded_is_read_by_the_next_sync_with_the_rest(instance, inbox, tmp_path):
    from assets.arrivals import record_arrival
    from pipelines.defs.planning import plan_run
    warehouse = tmp_path / "warehouse"
    paths = JembatanPaths(inbox=str(inbox), warehouse=str(warehouse)).paths()
    msme, crimes = sha256(inbox / "bps" / "umkm.xlsx"), sha256(inbox / "polda" / "lp_januari.xlsx")
    seen = record_arrival(paths.work.root, [{"sha256": crimes, "source": "polda", "file_name": "lp_januari.xlsx"}])
    keys, tags, _ = plan_run(instance, paths, [])        # as the polda sensor left it, its run not yet come
    rest = tags["dagster/asset_partition_range_end"]
    assert keys == [msme, crimes] and tags["dagster/asset_partition_range_start"] == seen
    assert arrival_shas(warehouse, seen) == {crimes} and arrival_shas(warehouse, rest) == {msme}
    result = sync(instance, inbox, warehouse)
    assert set(files_read(result)) == {msme, crimes} and all(m["read_now"] for m in files_read(result).values())


def test_an_arrival_recorded_under_the_earlier_key_form_is_still_read(instance, inbox, tmp_path):
    """A warehouse whose arrivals were recorded as `arrival-<16 hex>` before keys were made readable."""
    from assets.storage import atomic_write
    warehouse = tmp_path / "warehouse"
    paths = JembatanPaths(inbox=str(inbox), warehouse=str(warehouse)).paths()
    crimes = sha256(inbox / "polda" / "lp_januari.xlsx")
    earlier = "arrival-" + hashlib.sha256(crimes.encode()).hexdigest()[:16]     # as the earlier code keyed it
    record = {"key": earlier, "recorded_at": "2026-12-01T03:00:00+00:00",
              "files": [{"sha256": crimes, "source": "polda", "file_name": "lp_januari.xlsx"}]}
    (paths.work.root / "arrivals").mkdir(parents=True)
    atomic_write(paths.work.root / "arrivals" / f"{earlier}.json", lambda tmp: tmp.write_text(json.dumps(record)))
    result = sync(instance, inbox, warehouse)          # a killed sync's arrival, read with the new one
    partitions = instance.get_dynamic_partitions(ARRIVALS.name)
    assert partitions[0] == earlier and len(partitions) == 2 and partitions[1].endswith(
        "-bps1-" + hashlib.sha256(sha256(inbox / "bps" / "umkm.xlsx").encode()).hexdigest()[:12])
    assert set(materialized(result, "received_file")) == set(partitions)
    assert files_read(result)[crimes]["read_now"] and arrival_shas(warehouse, earlier) == {crimes}
    assert sync(instance, inbox, warehouse) is None    # then nothing new


def count_listings(monkeypatch, inbox) -> list[str]:
    """The agency folders os.scandir lists from now on, by name, once per listing."""
    folders = {str(inbox / source) for source in SOURCES}
    listed: list[str] = []
    real_scandir = os.scandir

    def counting_scandir(path="."):
        if str(path) in folders:
            listed.append(Path(path).name)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", counting_scandir)
    return listed


def test_a_sync_lists_each_agency_folder_once_and_its_steps_read_the_planners_look(instance, inbox, tmp_path,
                                                                                    monkeypatch):
    """The planner lists and hashes the agency folders once and records the look (named masked); the run's
    steps (received_file, the folder assets) read the record instead of listing the folders again."""
    (inbox / "polda" / "lp_januari.xlsx").rename(inbox / "polda" / "lp_januari 081298765432.xlsx")
    (inbox / "polda" / "old").mkdir()                      # refused: the polda folder asset reports it
    listed = count_listings(monkeypatch, inbox)
    warehouse = tmp_path / "warehouse"
    result = sync(instance, inbox, warehouse)
    assert sorted(listed) == sorted(SOURCES)            # each once (koperasi, missing, too)
    crimes = sha256(inbox / "polda" / "lp_januari 081298765432.xlsx")
    read = files_read(result)
    assert (read[crimes]["file"], read[crimes]["status"], read[crimes]["rows_accepted"]) == (
        "lp_januari 0812********.xlsx", "partially_accepted", 4)
    summary = folder_summary(result, "polda")
    assert (summary["files_new"], summary["files_in_inbox"], summary["files_refused"]) == (1, 2, 1)
    look, = (warehouse / "work" / "scans").glob("*.json")
    assert "081298765432" not in look.read_text() and "lp_januari 0812" in look.read_text()
    assert result.dagster_run.tags["jembatan/inbox_look"] == look.stem


def test_jembatan_sync_lists_each_agency_folder_once_with_its_settle_wait(inbox, tmp_path, monkeypatch, capsys):
    """The settle wait's last look is the planner's: `jembatan sync` lists each agency folder once, and an
    unchanged inbox's sync once more (no run)."""
    from pipelines.cli import main
    listed = count_listings(monkeypatch, inbox)
    warehouse = tmp_path / "warehouse"
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    assert sorted(listed) == sorted(SOURCES)
    assert "polda" in capsys.readouterr().out
    listed.clear()
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    assert sorted(listed) == sorted(SOURCES)

"""The whole journey on a hand-made inbox, through Dagster: Definitions load, the sync job runs, the
published marts hold the values the files say."""
from __future__ import annotations

import datetime as dt

import dagster as dg
import duckdb
import openpyxl
import pytest

from pipelines.definitions import defs
from pipelines.sync_run import execute_sync
from pipelines.defs.resources import JembatanPaths
from tests.test_ingest import msme_workbook


def crime_workbook(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2023"
    ws.append(["No", "Nomor LP", "Tgl Lapor", "Tgl Kejadian", "Jenis Kejahatan", "Korban", "Desa/Kel TKP",
               "Kecamatan", "Polsek", "Status", "Kerugian (Rp)", "Nama Korban", "Nama Tersangka"])
    rows = [
        ("LP/B/1/I/2023/SPKT/POLRES BANGKA", dt.date(2023, 1, 5), "Curat", "UMKM", "Air Duren", "Sungai Jaya", ""),
        ("LP/B/2/I/2023/SPKT/POLRES BANGKA", "06-01-2023", "Narkotika", "Lainnya", "Ds. Airduren", "", "Polsek Mendo"),
        ("LP/B/3/I/2023/SPKT/POLRES BANGKA", 44933, "Penipuan", "Perorangan", "Sidorejo", "Sungai Jaya", ""),
        ("LP/B/3/I/2023/SPKT/POLRES BANGKA", 44933, "Penipuan", "Perorangan", "Sidorejo", "Sungai Jaya", ""),
        ("LP/B/4/I/2023/SPKT/POLRES BANGKA", "07/01/2023", "Curas", "Perorangan", "Antah Berantah", "Mendo", ""),
    ]
    for i, (lp, date, kind, victim, village, district, polsek) in enumerate(rows, start=1):
        ws.append([i, lp, date, date, kind, victim, village, district, polsek or f"Polsek {district}", "Lapor",
                   "Rp 2.500.000", "Ani", ""])
    wb.save(path)


def test_definitions_load():
    names = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert names == {"reference_gazetteer", "received_file", "placed_file", "bps_files", "koperasi_files",
                     "polda_files", "harmonised_places", "published_marts", "analyst_report", "agency_reports"}
    # `sync` (the UI's launch: one op running `jembatan sync`) and `sync_partitions` (every asset, the planner's)
    assert [node.name for node in defs.resolve_job_def("sync").nodes] == ["jembatan_sync"]
    assert defs.resolve_job_def("sync").partitions_def is None
    from pipelines.cluster.submit import JOB       # what `jembatan sync --cluster` launches: the planned job
    from pipelines.defs.jobs import PLANNED_JOB
    assert JOB == PLANNED_JOB
    assert {k.to_user_string() for k in defs.resolve_job_def("sync_partitions").asset_layer.executable_asset_keys} \
        == names


@pytest.fixture
def synced(tmp_path, reference_dir):
    inbox = reference_dir.parent
    (inbox / "bps").mkdir()
    (inbox / "polda").mkdir()
    msme_workbook(inbox / "bps" / "umkm_bangka_2023.xlsx")
    crime_workbook(inbox / "polda" / "lp_2023.xlsx")
    paths = JembatanPaths(inbox=str(inbox), warehouse=str(tmp_path / "warehouse"))
    with dg.DagsterInstance.ephemeral() as instance:
        assert execute_sync(instance, paths, {}).success       # a partition per new file, one run over them
    return paths.paths()


def test_sync_publishes_marts(synced):
    con = duckdb.connect(str(synced.database), read_only=True)
    mart = {row[0]: row[1:] for row in con.execute(
        "SELECT village_code, msme_count, population, crime_count, narcotics_crime_count, "
        "crime_against_msme_count FROM mart_village_year WHERE year = 2023").fetchall()}
    assert mart["19.01.01.2001"] == (1239, 3456, 1, 0, 1)
    assert mart["19.01.01.2002"] == (431, 2100, 1, 0, 0)
    # Unreadable micro counts (abc, -5) cost their cells: the rows land, their totals unknown (NULL).
    assert mart["19.01.02.2001"] == (None, 900, 1, 1, 0)
    assert mart["19.01.01.2003"] == (None, 2100, 0, 0, 0)
    assert con.execute("SELECT count(*) FROM dim_village").fetchone()[0] == 7
    rejected = con.execute("SELECT file_name, sheet, \"row\", code, severity FROM data_quality_rejection "
                           "ORDER BY file_name, \"row\"").fetchall()
    assert rejected == [("lp_2023.xlsx", "2023", 5, "duplicate_key", "error"),
                        ("lp_2023.xlsx", "2023", 6, "unknown_village", "error"),
                        ("umkm_bangka_2023.xlsx", "Bangka", 9, "negative_value", "warning"),
                        ("umkm_bangka_2023.xlsx", "Bangka", 11, "type_error", "warning")]
    quality = con.execute("SELECT file_name, rows_read, rows_accepted, rows_rejected, rows_skipped, cells_flagged, "
                          "rows_flagged FROM mart_data_quality ORDER BY file_name").fetchall()
    assert quality == [("lp_2023.xlsx", 5, 3, 2, 0, 0, 0), ("umkm_bangka_2023.xlsx", 8, 4, 0, 4, 2, 2)]
    con.close()


def test_resync_of_unchanged_inbox_changes_nothing(synced, tmp_path):
    before = duckdb.connect(str(synced.database), read_only=True).execute(
        "SELECT sum(crime_count), sum(msme_count) FROM mart_village_year").fetchone()
    paths = JembatanPaths(inbox=str(synced.inbox), warehouse=str(synced.warehouse))
    with dg.DagsterInstance.ephemeral() as instance:
        assert execute_sync(instance, paths, {}) is None        # nothing changed: no run, nothing recorded
        assert not instance.get_runs()
    con = duckdb.connect(str(synced.database), read_only=True)
    assert con.execute("SELECT sum(crime_count), sum(msme_count) FROM mart_village_year").fetchone() == before
    assert con.execute("SELECT count(*) FROM file_register").fetchone()[0] == 2


def test_multiprocess_executor_publishes_the_same_marts(synced, tmp_path, monkeypatch):
    """`jembatan sync --executor multiprocess`: steps in their own processes, the three inboxes at once,
    publishing in its pool; the marts are those of the in-process sync."""
    from pipelines.cli import main
    for name in ("JEMBATAN_INBOX", "JEMBATAN_WAREHOUSE"):     # the command sets them; restored after
        monkeypatch.setenv(name, "")
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    warehouse = tmp_path / "warehouse_multiprocess"
    assert main(["sync", "--inbox", str(synced.inbox), "--warehouse", str(warehouse),
                 "--executor", "multiprocess"]) == 0
    query = "SELECT * FROM mart_village_year ORDER BY village_code, year"
    marts = [duckdb.connect(str(db), read_only=True).execute(query).fetchall()
             for db in (synced.database, warehouse / "jembatan.duckdb")]
    assert marts[0] == marts[1] and len(marts[0]) == 7          # 7 villages, one year (2023)

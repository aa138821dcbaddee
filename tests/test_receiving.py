"""What the agency gets back, corrected files replacing earlier ones, a sync killed mid-way, the inbox
sensors and schedule, and the template."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pandas as pd
import pytest

from assets import steps
from assets.arrivals import arrival_files
from pipelines.defs.assets import ALL_ASSETS, ROWS_RECONCILE_CHECKS
from pipelines.defs.partitions import FILE_ASSETS
from assets.ingest.receive import receive_file
from assets.ingest.work_area import WorkArea
from assets.ingest.reconcile import reconcile_source
from assets.ingest.report import scrub
from assets.privacy import load_key
from pipelines.definitions import defs
from pipelines.defs.planning import plan_run
from pipelines.defs.sensors import MAX_RUNS_PER_TICK, daily_full_sync, inbox_sensor
from pipelines.defs.resources import JembatanPaths
from tests.agency_files import crime_rows, crime_xlsx, entity_bomb_xlsx
from tests.test_ingest import msme_workbook


def program_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["No", "Nama Usaha", "NIK", "No. HP", "Desa/Kel", "Kecamatan", "Program", "Tanggal"])
    ws.append([1, "Warung", "1901014508900001", "0812-3456-7890", "Air Duren", "Mendo", "KUR", "17/08/2023"])
    ws.append([2, "Toko", "1901011203850000", "0813 9999 1111", "Air Duren", None, "QRIS", "18/08/2023"])
    ws.append([3, "Kios", "19010112038", "081299998888", "Air Duren", "Mendo", "Hibah", "19/08/2023"])
    wb.save(path)
    return path


# Everything up to the agency reports; the marts are issue 5's and tested there.
UP_TO_REPORTS = [dg.AssetKey(name) for name in ("reference_gazetteer", "bps_files", "koperasi_files",
                                                "polda_files", "harmonised_places", "agency_reports")]

SYNC_UP_TO_REPORTS = """
import sys
from pathlib import Path
from assets import steps
from assets.arrivals import arrival_files
paths = steps.Paths(Path(sys.argv[1]), Path(sys.argv[2]))
steps.refresh_gazetteer(paths)
for source in ("bps", "koperasi", "polda"):
    steps.ingest_source(paths, source)
steps.harmonise(paths)
steps.agency_reports(paths)
"""


def sync(inbox: Path, warehouse: Path):
    """Up to the agency reports, with the new files' arrival as `jembatan sync` adds it."""
    paths = JembatanPaths(inbox=str(inbox), warehouse=str(warehouse))
    with dg.DagsterInstance.ephemeral() as instance:
        keys, tags, _ = plan_run(instance, paths.paths(), [])
        result = dg.materialize([*ALL_ASSETS, *ROWS_RECONCILE_CHECKS],
                                selection=UP_TO_REPORTS + (list(FILE_ASSETS) if keys else []),
                                resources={"paths": paths}, instance=instance, tags=tags)
    assert result.success
    return result


def placed(warehouse: Path, dataset: str) -> pd.DataFrame:
    return steps.placed_rows(steps.Paths(warehouse.parent / "inbox", warehouse), dataset)


@pytest.fixture
def inbox(reference_dir) -> Path:
    inbox = reference_dir.parent
    for source in ("bps", "koperasi", "polda"):
        (inbox / source).mkdir()
    return inbox


def reports_of(warehouse: Path) -> dict[str, dict]:
    return {r["file_name"]: r for r in (json.loads(p.read_text()) for p in warehouse.glob("reports/*/*.json"))}


def test_every_file_gets_a_report(inbox, tmp_path):
    msme_workbook(inbox / "bps" / "umkm_2023.xlsx")
    (inbox / "bps" / "umkm_2023 (salinan).xlsx").write_bytes((inbox / "bps" / "umkm_2023.xlsx").read_bytes())
    program_workbook(inbox / "koperasi" / "peserta.xlsx")
    entity_bomb_xlsx(inbox / "polda" / "lol.xlsx")
    warehouse = tmp_path / "warehouse"
    sync(inbox, warehouse)
    reports = reports_of(warehouse)
    assert {name: r["status"] for name, r in reports.items()} == {
        "umkm_2023.xlsx": "accepted", "umkm_2023 (salinan).xlsx": "duplicate",
        "peserta.xlsx": "partially_accepted", "lol.xlsx": "rejected"}
    msme = reports["umkm_2023.xlsx"]
    # Two unreadable micro counts cost their cells, not their rows: flagged as warnings.
    assert (msme["rows_read"], msme["rows_accepted"], msme["rows_rejected"], msme["cells_flagged"]) == (8, 4, 0, 2)
    assert [(e["sheet"], e["row"], e["column"], e["value"], e["code"], e["severity"]) for e in msme["errors"]] == [
        ("Bangka", 9, "F", "-5", "negative_value", "warning"), ("Bangka", 11, "F", "abc", "type_error", "warning")]
    assert reports["umkm_2023 (salinan).xlsx"]["duplicate_of"] == "umkm_2023.xlsx"
    program = reports["peserta.xlsx"]
    by_row = {(e["row"], e["code"]): e for e in program["errors"]}
    assert set(by_row) == {(3, "ambiguous_village"), (4, "invalid_nik"), (4, "not_in_vocabulary")}
    assert by_row[(3, "ambiguous_village")]["candidates"].count("19.01.0") == 2     # both Air Durens
    # Named as the template's Desa list names them, the code after each, and where that list is.
    assert by_row[(3, "ambiguous_village")]["message_id"] == (
        "Desa/Kel: 'Air Duren' bisa berarti beberapa desa (kandidat: Air Duren (Kec. Sungai Jaya), kode "
        "19.01.01.2001; Air Duren (Kec. Mendo), kode 19.01.02.2001); salin nama dari lembar 'Desa' templat; "
        "tambahkan kecamatan atau kode.")
    assert "could be several villages (candidates: Air Duren (Kec. Sungai Jaya), kode 19.01.01.2001; " \
           "Air Duren (Kec. Mendo), kode 19.01.02.2001); copy the name from the template's 'Desa' sheet" \
           in by_row[(3, "ambiguous_village")]["message"]
    assert by_row[(4, "invalid_nik")]["value"] == "1901*******"
    text = json.dumps(program)
    for secret in ("1901014508900001", "1901011203850000", "0812-3456-7890", "081299998888", "Warung"):
        assert secret not in text
    bomb = reports["lol.xlsx"]
    assert bomb["problems"][0]["code"] == "xml_entities" and bomb["dataset"] is None
    workbook = openpyxl.load_workbook(next(warehouse.glob("reports/koperasi/peserta.xlsx.*.xlsx")))
    assert workbook.sheetnames == ["Ringkasan (Summary)", "Kesalahan (Errors)", "Baris dilewati (Skipped rows)",
                                  "Keputusan (Decisions)"]
    errors = list(workbook["Kesalahan (Errors)"].values)
    assert errors[0] == ("Lembar / Sheet", "Baris Excel / Excel row", "Kolom / Column", "Judul kolom / Header",
                         "Isi sel / Value as typed", "Tingkat / Severity", "Seharusnya / Expected", "Pesan / Message",
                         "Kandidat desa / Candidate villages", "Kode / Code")
    # What was expected in Bahasa Indonesia first, the English under it; the candidates in their own column.
    assert errors[2][6] == ("NIK 16 digit diketik sebagai teks (angka kehilangan digit terakhir)\n"
                            "(a 16-digit NIK typed as text (a number loses its last digit))")
    assert errors[1][6] == ("nama desa/kelurahan dengan kecamatannya, atau kodenya, agar hanya satu desa yang cocok\n"
                            "(the village with its district, or its code, so that one village matches)")
    assert "kandidat" not in errors[1][7] and "candidates" not in errors[1][7]
    assert errors[1][7].startswith(by_row[(3, "ambiguous_village")]["message_id"].split(" (kandidat")[0])
    assert errors[1][8].count("19.01.0") == 2 and errors[1][8].count("\n") == 1       # one candidate a line
    assert [(r[1], r[2], r[5], r[9]) for r in errors[1:]] == [(3, "E", "kesalahan (error)", "ambiguous_village"),
                                                             (4, "C", "kesalahan (error)", "invalid_nik"),
                                                             (4, "G", "kesalahan (error)", "not_in_vocabulary")]
    # Every note in both languages, side by side.
    assert len(msme["notes_id"]) == len(msme["notes"])
    summary = list(openpyxl.load_workbook(next(warehouse.glob("reports/bps/umkm_2023.xlsx.*.xlsx")))[
        "Ringkasan (Summary)"].values)
    notes = [row[2:4] for row in summary if row[0] == "Catatan"]
    # the subtotal rows are counted on the summary, each listed on the skipped rows' sheet
    assert not any("subtotal row 10" in note for _, note in notes)
    assert ("2 baris jumlah/subtotal dan catatan dilewati: lihat lembar 'Baris dilewati (Skipped rows)'",
            "2 subtotal and note rows left out: see sheet 'Baris dilewati (Skipped rows)'") in notes
    skipped = list(openpyxl.load_workbook(next(warehouse.glob("reports/bps/umkm_2023.xlsx.*.xlsx")))[
        "Baris dilewati (Skipped rows)"].values)
    assert ("Bangka", 10, "baris jumlah/subtotal\n(subtotal row)",
            "Jumlah Kecamatan Sungai Jaya | 1609 | 75 | 2 | 7656") in skipped
    # A refused file's reason comes right under its status, in both languages.
    summary = list(openpyxl.load_workbook(next(warehouse.glob("reports/polda/lol.xlsx.*.xlsx")))[
        "Ringkasan (Summary)"].values)
    status_row = next(i for i, row in enumerate(summary) if row[0] == "Status")
    assert summary[status_row][2:4] == ("ditolak", "rejected")
    assert summary[status_row + 1][:2] == ("Masalah berkas", "File problem") and "entitas" in summary[status_row + 1][2]
    assert "entit" in summary[status_row + 1][3]                # the English beside it


def test_scrub_masks_nik_and_phone_numbers_in_free_text():
    assert scrub("NIK 1901014508900001 HP 0812-3456-7890, +6281234567890") == \
        "NIK 1901************ HP 0812**********, +628**********"
    assert scrub("Jumlah 1.204 | 2023") == "Jumlah 1.204 | 2023"


def test_corrected_file_supersedes_the_earlier_one(inbox, tmp_path):
    first = crime_rows(4)
    first[3][4] = "Antah Berantah"                           # no such village: rejected at matching
    old = crime_xlsx(inbox / "polda" / "lp_2023.xlsx", first)
    os.utime(old, ns=(1_700_000_000_000_000_000,) * 2)
    other_resort = crime_xlsx(inbox / "polda" / "lp_2023_polres_lain.xlsx", crime_rows(2, 100, "Tanjung Baru"))
    os.utime(other_resort, ns=(1_700_000_000_500_000_000,) * 2)
    warehouse = tmp_path / "warehouse"
    sync(inbox, warehouse)
    rows = crime_rows(4)
    rows[3][4] = "Sidorejo"                                  # the correction
    corrected = crime_xlsx(inbox / "polda" / "lp_2023_revisi.xlsx", rows)
    os.utime(corrected, ns=(1_700_000_001_000_000_000,) * 2)
    sync(inbox, warehouse)
    work = WorkArea(warehouse / "work")
    manifests = {m["file_name"]: m for m in work.manifests()}
    names = {m["sha256"]: name for name, m in manifests.items()}
    landed = placed(warehouse, "crime_report")       # what the marts are built from
    assert landed["source_file"].map(names).value_counts().to_dict() == {"lp_2023_revisi.xlsx": 4,
                                                                          "lp_2023_polres_lain.xlsx": 2}
    assert landed.loc[landed["source_row"] == 6, "village_code"].tolist() == ["19.01.01.2002"]
    assert manifests["lp_2023_revisi.xlsx"]["supersedes"] == [manifests["lp_2023.xlsx"]["sha256"]]
    assert manifests["lp_2023.xlsx"]["superseded_by"] == manifests["lp_2023_revisi.xlsx"]["sha256"]
    assert manifests["lp_2023_polres_lain.xlsx"]["superseded_by"] == ""
    assert all(line["balanced"] for line in reconcile_source(work, "polda"))
    assert reports_of(warehouse)["lp_2023.xlsx"]["superseded_by"] == manifests["lp_2023_revisi.xlsx"]["sha256"]
    # The replaced file's answer still lists the row its village was not found for (rejected at matching).
    replaced = reports_of(warehouse)["lp_2023.xlsx"]
    assert (replaced["rows_rejected"], [(e["row"], e["code"]) for e in replaced["errors"]]) == (1, [(6, "unknown_village")])
    steps.publish_marts(steps.Paths(inbox, warehouse))
    con = duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True)
    assert con.execute("SELECT file_name, status, rows_placed FROM mart_data_quality WHERE source = 'polda' "
                       "ORDER BY file_name").fetchall() == [
        ("lp_2023.xlsx", "superseded", 0), ("lp_2023_polres_lain.xlsx", "accepted", 2),
        ("lp_2023_revisi.xlsx", "accepted", 4)]
    # The replaced file's counts are its answer's: its row whose village was not found is still rejected.
    assert con.execute("SELECT rows_read, rows_accepted, rows_rejected, rows_unplaced FROM mart_data_quality "
                       "WHERE file_name = 'lp_2023.xlsx'").fetchone() == (4, 3, 1, 1)
    con.close()


def test_reconcile_check_passes_and_lists_skipped_rows(inbox, tmp_path):
    msme_workbook(inbox / "bps" / "umkm.xlsx")
    result = sync(inbox, tmp_path / "warehouse")
    checks = {e.asset_check_key.asset_key.to_user_string(): e for e in result.get_asset_check_evaluations()}
    assert all(c.passed for c in checks.values()) and set(checks) == {"bps_files", "koperasi_files", "polda_files"}
    assert "Bangka!10 subtotal" in checks["bps_files"].metadata["reconciliation"].value


def test_reconcile_counts_again_a_stored_file_that_changed(inbox, tmp_path):
    msme_workbook(inbox / "bps" / "umkm.xlsx")
    sync(inbox, tmp_path / "warehouse")
    work = WorkArea(tmp_path / "warehouse" / "work")
    assert [line["balanced"] for line in reconcile_source(work, "bps")] == [True]      # counted, and kept
    stored = next((work.root / "accepted").glob("*/*.parquet"))
    pd.read_parquet(stored).iloc[1:].to_parquet(stored, index=False)                 # a row lost after the fact
    [line] = reconcile_source(work, "bps")
    assert not line["balanced"] and line["accepted"] == line["rows_read"] - line["rejected"] - line["skipped"] - 1


def _sync_command(inbox: Path, warehouse: Path) -> list[str]:
    return [sys.executable, "-c", SYNC_UP_TO_REPORTS, str(inbox), str(warehouse)]


def _final_state(warehouse: Path) -> tuple:
    work = WorkArea(warehouse / "work")
    files = sorted((m["file_name"], m["status"], m["rows_read"], m["rows_accepted"], m["rows_rejected"],
                    m["rows_skipped"]) for m in work.manifests())
    crimes = placed(warehouse, "crime_report")
    reports = sorted((r["file_name"], r["status"], r["rows_accepted"], len(r["errors"]))
                     for r in reports_of(warehouse).values())
    return files, (len(crimes), crimes["source_file"].nunique()), len(work.rejections()), reports


def test_sync_killed_mid_ingest_then_rerun_gives_the_same_result(inbox, tmp_path):
    for i in range(6):
        crime_xlsx(inbox / "polda" / f"lp_{i}.xlsx", crime_rows(300, 1000 * i + 1))
    msme_workbook(inbox / "bps" / "umkm.xlsx")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    clean = tmp_path / "clean"
    subprocess.run(_sync_command(inbox, clean), check=True, env=env, capture_output=True)
    killed = tmp_path / "killed"
    process = subprocess.Popen(_sync_command(inbox, killed), env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    files = killed / "work" / "files"
    while process.poll() is None and len(list(files.glob("*.json"))) < 3:   # some files received, not all
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert len(list(files.glob("*.json"))) < 7, "the sync finished before it could be killed"
    subprocess.run(_sync_command(inbox, killed), check=True, env=env, capture_output=True)
    assert _final_state(killed) == _final_state(clean)
    assert _final_state(clean)[1] == (1800, 6) and len(_final_state(clean)[3]) == 7
    assert not list(killed.rglob("*.tmp"))


def test_sensor_requests_one_run_per_new_content_and_keeps_a_compact_cursor(inbox, tmp_path):
    paths = JembatanPaths(inbox=str(inbox), warehouse=str(tmp_path / "warehouse"))
    sensor = inbox_sensor("polda")
    for i in range(MAX_RUNS_PER_TICK + 2):
        path = crime_xlsx(inbox / "polda" / f"lp_{i}.xlsx", crime_rows(1, i + 1))
        os.utime(path, ns=(1_700_000_000_000_000_000 + i,) * 2)
    (inbox / "polda" / "lp_0 copy.xlsx").write_bytes((inbox / "polda" / "lp_0.xlsx").read_bytes())
    os.utime(inbox / "polda" / "lp_0 copy.xlsx", ns=(1_700_000_000_000_000_000 + 99,) * 2)
    resources = {"paths": paths}
    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_sensor_context(instance=instance, resources=resources)
        first = sensor(context)
        assert len(first.run_requests) == MAX_RUNS_PER_TICK       # capped; the cursor stops after the last one asked
        assert len(first.cursor) < 200
        # each run is of one arrival of one file (its key leads to the content's SHA-256), added by the same tick
        added = [key for request in first.dynamic_partitions_requests for key in request.partition_keys]
        assert [r.partition_key for r in first.run_requests] == added
        # named for a person: the file's day in WIB (22:13 UTC on 14 November 2023), its folder, a digest
        assert all(re.fullmatch(r"2023-11-15-polda1-[0-9a-f]{12}", key) for key in added)
        work = paths.paths().work.root
        assert all([f["sha256"] for f in arrival_files(work, r.partition_key)] == [r.tags["jembatan/sha256"]]
                   and r.run_key == f"polda:{r.tags['jembatan/sha256']}" for r in first.run_requests)
        context = dg.build_sensor_context(instance=instance, cursor=first.cursor, resources=resources)
        second = sensor(context)
        keys = [r.run_key for r in [*first.run_requests, *second.run_requests]]
        # The copy of lp_0 carries lp_0's run key, and Dagster starts one run per key: one run per content.
        assert len(keys) == MAX_RUNS_PER_TICK + 3 and len(set(keys)) == MAX_RUNS_PER_TICK + 2
        assert sensor(dg.build_sensor_context(instance=instance, cursor=second.cursor, resources=resources)).skip_reason
        receive_file(inbox / "polda" / "lp_0.xlsx", "polda", WorkArea(tmp_path / "warehouse" / "work"),
                     tmp_path / "archive", load_key())
        again = inbox / "polda" / "lp_0 again.xlsx"
        again.write_bytes((inbox / "polda" / "lp_0.xlsx").read_bytes())
        result = sensor(dg.build_sensor_context(instance=instance, resources=resources))   # a fresh cursor: every file
        assert "polda:" + WorkArea(tmp_path / "warehouse" / "work").manifests()[0]["sha256"] not in \
            [r.run_key for r in result.run_requests]     # content the warehouse holds starts nothing, whatever its name


def test_daily_schedule_runs_in_jakarta_time():
    assert (daily_full_sync.cron_schedule, daily_full_sync.execution_timezone) == ("0 2 * * *", "Asia/Jakarta")
    assert {s.name for s in defs.sensors} == {"bps_inbox_sensor", "koperasi_inbox_sensor", "polda_inbox_sensor",
                                              "dead_run_sweeper"}


def test_template_has_headers_instructions_typed_columns_and_villages(inbox, tmp_path):
    from pipelines.cli import main
    warehouse = tmp_path / "warehouse"
    sync(inbox, warehouse)
    out = tmp_path / "template.xlsx"
    assert main(["template", "program_participation", "--out", str(out), "--warehouse", str(warehouse)]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Petunjuk", "Data", "Desa"]
    headers = [c.value for c in wb["Data"][1]]
    assert headers[:3] == ["Nama Usaha", "Nama Pemilik", "NIK"] and "Program" in headers
    validations = {str(v.sqref).split(":")[0]: v for v in wb["Data"].data_validations.dataValidation}
    nik = validations["C2"]
    assert (nik.type, nik.formula1) == ("textLength", "16")
    village_letter = chr(65 + headers.index("Desa/Kelurahan"))
    assert validations[f"{village_letter}2"].formula1 == "=Desa!$A$2:$A$8"
    program_letter = chr(65 + headers.index("Program"))
    assert "Koperasi Merah Putih" in validations[f"{program_letter}2"].formula1
    villages = [r[1] for r in wb["Desa"].iter_rows(min_row=2, values_only=True)]
    assert sorted(villages) == sorted(["Air Duren", "Sidorejo", "Sidorojo", "Tanjung Baru", "Air Duren",
                                       "Kampung Baru", "Simpang III"])
    picks = [r[0] for r in wb["Desa"].iter_rows(min_row=2, values_only=True)]
    assert {"Air Duren (Kec. Sungai Jaya)", "Air Duren (Kec. Mendo)", "Simpang III (Kec. Mendo)"} <= set(picks)
    assert "Petunjuk pengisian" in wb["Petunjuk"]["A1"].value
    # the template, filled in, is read back as the dataset it was made for
    data = wb["Data"]
    row = {"NIK": "1901014508900001", "Desa/Kelurahan": "Sidorejo", "Kecamatan": "Sungai Jaya",
           "Program": "KUR", "Tanggal": "17/08/2023", "Kabupaten/Kota": "Bangka"}
    for i, header in enumerate(headers, start=1):
        data.cell(row=2, column=i, value=row.get(header))
    wb.save(out)
    work = WorkArea(tmp_path / "w")
    received = receive_file(out, "koperasi", work, tmp_path / "a", load_key())
    assert (received.datasets, received.rows_accepted) == (["program_participation"], 1)


def test_a_code_and_a_name_that_disagree_are_never_placed_silently(inbox, tmp_path):
    (inbox / "bps" / "umkm_kode.csv").write_text(
        "Kode Desa;Nama Desa;Kecamatan;Tahun;Mikro;Kecil;Menengah\n"
        "19.01.01.2002;Air Duren;Sungai Jaya;2023;10;2;0\n"         # Sidorejo's code, another village's name
        "19.01.01.2003;Sidorojo Lor;Sungai Jaya;2023;11;3;1\n"      # a name placing nowhere: the code, flagged
        "19.01.01.2001;Air Duren;Sungai Jaya;2022;12;4;1\n")        # code and name agree
    warehouse = tmp_path / "warehouse"
    sync(inbox, warehouse)
    landed = placed(warehouse, "msme_village_count")
    assert sorted(zip(landed["village_code"], landed["msme_micro"])) == [("19.01.01.2001", 12), ("19.01.01.2003", 11)]
    report = reports_of(warehouse)["umkm_kode.csv"]
    assert sorted((e["row"], e["code"], e["severity"]) for e in report["errors"]) == [
        (2, "ambiguous_village", "error"), (3, "code_name_mismatch", "warning")]
    assert (report["rows_accepted"], report["rows_rejected"], report["cells_flagged"]) == (2, 1, 1)


def test_a_report_number_sent_again_by_the_same_polres_replaces_just_that_row(inbox, tmp_path):
    first = crime_xlsx(inbox / "polda" / "lp_a.xlsx", crime_rows(3))
    os.utime(first, ns=(1_700_000_000_000_000_000,) * 2)
    warehouse = tmp_path / "warehouse"
    sync(inbox, warehouse)
    later = crime_rows(2, 3, "Sidorejo")           # LP/B/3 again (its village corrected), and LP/B/4
    crime_xlsx(inbox / "polda" / "lp_b.xlsx", later)
    sync(inbox, warehouse)
    landed = placed(warehouse, "crime_report")
    assert sorted(landed["report_number"].str.split("/").str[2].astype(int)) == [1, 2, 3, 4]
    assert landed.loc[landed["report_number"].str.startswith("LP/B/3/"), "village_name"].tolist() == ["Sidorejo"]
    reports = reports_of(warehouse)
    assert reports["lp_b.xlsx"]["errors"] == [] and reports["lp_b.xlsx"]["status"] == "accepted"
    assert reports["lp_b.xlsx"]["notes"][0].startswith("Replaces 1 row(s) of lp_a.xlsx, sent earlier by your office")
    assert reports["lp_b.xlsx"]["notes_id"][0].startswith("Menggantikan 1 baris dari lp_a.xlsx")
    assert reports["lp_a.xlsx"]["notes"][0].startswith("1 row(s) of this file were replaced by lp_b.xlsx")
    steps.publish_marts(steps.Paths(inbox, warehouse))
    with duckdb.connect(str(warehouse / "jembatan.duckdb"), read_only=True) as con:
        assert con.execute("SELECT rows_rejected, rows_unplaced, rows_placed FROM mart_data_quality "
                           "WHERE file_name = 'lp_b.xlsx'").fetchone() == (0, 0, 2)


def test_a_village_year_sent_again_by_the_same_office_replaces_that_row_and_names_the_file(inbox, tmp_path):
    header = "Kode Desa;Nama Desa;Kecamatan;Tahun;Mikro;Kecil;Menengah\n"
    first = inbox / "bps" / "umkm_a.csv"
    first.write_text(header + "19.01.01.2001;Air Duren;Sungai Jaya;2023;10;2;0\n"
                              "19.01.01.2002;Sidorejo;Sungai Jaya;2023;11;3;1\n")
    os.utime(first, ns=(1_700_000_000_000_000_000,) * 2)
    warehouse = tmp_path / "warehouse"
    sync(inbox, warehouse)
    (inbox / "bps" / "umkm_b.csv").write_text(header + "19.01.02.2001;Air Duren;Mendo;2023;20;2;0\n"
                                                       "19.01.02.1002;Kampung Baru;Mendo;2023;21;3;1\n"
                                                       "19.01.02.2003;Simpang III;Mendo;2023;22;3;1\n"
                                                       "19.01.01.2001;Air Duren;Sungai Jaya;2023;99;9;9\n")
    sync(inbox, warehouse)
    landed = placed(warehouse, "msme_village_count")
    assert landed.loc[landed["village_code"] == "19.01.01.2001", "msme_micro"].tolist() == [99]
    assert landed.loc[landed["village_code"] == "19.01.01.2002", "msme_micro"].tolist() == [11]
    report = reports_of(warehouse)["umkm_b.csv"]
    assert report["errors"] == [] and report["rows_accepted"] == 4
    assert report["notes"][0].startswith("Replaces 1 row(s) of umkm_a.csv, sent earlier by your office "
                                         "(the same villages and years)")


def test_a_phone_number_or_nik_typed_in_a_text_column_lands_masked_and_is_said(inbox, tmp_path):
    rows = [[*r, status] for r, status in zip(crime_rows(3), ["Lidik", "hub pelapor 081298765432",
                                                                  "NIK saksi 3201 2345 6789 0123"])]
    path = crime_xlsx(inbox / "polda" / "lp_status.xlsx", rows)
    book = openpyxl.load_workbook(path)
    book.active.cell(row=2, column=8).value = "Status"
    book.save(path)
    warehouse = tmp_path / "warehouse"
    sync(inbox, warehouse)
    landed = placed(warehouse, "crime_report").sort_values("source_row")
    assert landed["case_status"].tolist() == ["Lidik", "hub pelapor 0812********", "NIK saksi 3201" + "*" * 15]
    report = reports_of(warehouse)["lp_status.xlsx"]
    assert (report["rows_accepted"], report["rows_rejected"], report["cells_flagged"]) == (3, 0, 2)
    assert sorted((e["row"], e["column"], e["code"], e["severity"]) for e in report["errors"]) == [
        (4, "H", "personal_data_masked", "warning"), (5, "H", "personal_data_masked", "warning")]
    for stored in (warehouse / "work").rglob("*.parquet"):         # nowhere in the work area in clear
        text = stored.read_bytes()
        assert b"081298765432" not in text and b"3201 2345 6789 0123" not in text, stored

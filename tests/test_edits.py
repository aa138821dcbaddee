"""Edits over what was read (assets/ingest/edits.py, assets/harmonise/history_edits.py): each edit with real
values, passing and failing, then a real sync of two yearly MSME files whose stored facts and
data_quality_rejection rows are checked: a failing value lands as written, flagged as a warning."""
from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from assets.harmonise.history_edits import hb_outliers, history_flags
from assets.ingest.dates import check_against_period, report_periods
from assets.ingest.edits import (balance_total, check_frame, column_ratio, count_domain, date_order, date_period,
                                 date_sequence, parts_within_whole, subtotal_rows, thousands_separator)
from pipelines.cli import main
from schemas import DATASETS
from tests.test_cases import query, reports, sample_reference

MSME = ("msme_micro", "msme_small", "msme_medium")


def test_balance_total_flags_only_the_row_whose_total_is_not_its_parts():
    frame = pd.DataFrame({"msme_micro": [300, 410], "msme_small": [20, 31], "msme_medium": [1, 2],
                          "msme_total": [321, 453]})
    flags = balance_total(frame, MSME, "msme_total")
    assert [(f.index, f.field, f.code, f.expected) for f in flags] == [(1, "msme_total", "edit_balance_total",
                                                                          ("443", "443"))]


def test_subtotal_rows_found_by_their_sums_whatever_their_label():
    # The district-subtotal-rows case: I / II carry the sums of the villages under them.
    frame = pd.DataFrame({"village_name": ["KEBONJATI", "Tawangrejo", "Sumbertengah", "TAWANGREJO", "Waruk",
                                           "Sugihmanis"],
                          "msme_micro": [650, 320, 330, 700, 380, 320], "msme_small": [40, 22, 18, 45, 25, 20],
                          "msme_medium": [3, 2, 1, 4, 3, 1]})
    assert subtotal_rows(frame, MSME) == {0: (1, 2), 3: (4, 5)}
    # a total under its villages, too; villages alone are no subtotal (nor are rows of zeros)
    assert subtotal_rows(frame.iloc[1:3]._append(frame.iloc[[0]]).reset_index(drop=True), MSME) == {2: (0, 1)}
    assert subtotal_rows(frame.iloc[[1, 2, 4, 5]].reset_index(drop=True), MSME) == {}
    assert subtotal_rows(pd.DataFrame({c: [0, 0, 0, 0] for c in MSME}), MSME) == {}


def test_a_lost_thousands_separator_is_told_from_a_value_orders_off_its_column():
    loss = pd.DataFrame({"loss_amount": [750_000.0, 1_200_000, 500_000, 800_000, 950_000, 750, 2_000_000_000]})
    separator = thousands_separator(loss, "loss_amount")
    assert [(f.index, f.expected) for f in separator] == [(5, ("750,000", "750.000"))]
    ratio = column_ratio(loss, "loss_amount")
    assert [(f.index, f.code) for f in ratio] == [(6, "edit_ratio_column")]     # 750 is said once, above
    fine = pd.DataFrame({"loss_amount": [750_000.0, 1_200_000, 500_000, 800_000, 950_000, 50_000]})
    assert thousands_separator(fine, "loss_amount") == [] and column_ratio(fine, "loss_amount") == []


def test_count_domain_flags_columns_of_fractions_and_shares_adding_up_to_100():
    frame = pd.DataFrame({"msme_micro": [80, 75, 300], "msme_small": [15, 20, 20], "msme_medium": [5, 5, 1]})
    flags = count_domain(frame, MSME, {})
    assert [(f.index, f.field) for f in flags] == [(0, "msme_micro"), (1, "msme_micro")]
    counts = pd.DataFrame({"msme_micro": [300, 310, 290], "msme_small": [20, 21, 19], "msme_medium": [1, 2, 3]})
    assert count_domain(counts, MSME, {}) == []
    # 3 of 5 cells of the column held fractions (12,5 ...): the two that read as whole numbers are flagged
    assert [f.index for f in count_domain(counts.iloc[:2], ("msme_micro",), {"msme_micro": 3})] == [0, 1]
    assert count_domain(counts, ("msme_micro",), {"msme_micro": 1}) == []


def test_population_below_the_msmes_counted_in_it():
    frame = pd.DataFrame({"msme_micro": [300, 410], "msme_small": [20, 31], "msme_medium": [1, 2],
                          "population": [3100, 0]})
    flags = parts_within_whole(frame, MSME, "population")
    assert [(f.index, f.field, f.expected) for f in flags] == [(1, "population", ("at least 443",
                                                                                    "paling sedikit 443"))]


def test_date_edits_order_sequence_and_period():
    days = pd.to_datetime(["2023-08-01", "2023-08-05", "2023-01-09", "2023-09-14", "2023-09-20", "2023-09-30"])
    frame = pd.DataFrame({"activity_date": days})
    assert [(f.index, f.expected[0]) for f in date_order(frame, "activity_date")] == \
        [(2, "between 2023-08-05 and 2023-09-14")]
    shuffled = pd.DataFrame({"activity_date": days[[3, 0, 5, 1, 4, 2]]})
    assert date_order(shuffled, "activity_date") == []          # a column in no order says nothing
    crimes = pd.DataFrame({"report_date": pd.to_datetime(["2023-03-02", "2023-03-01"]),
                           "incident_date": pd.to_datetime(["2023-03-01", "2023-03-04"])})
    assert [(f.index, f.expected[0]) for f in date_sequence(crimes, "report_date", "incident_date")] == \
        [(1, "on or after 2023-03-04")]
    period = pd.DataFrame({"report_date": pd.to_datetime(["2023-12-31", "2022-12-31", "2024-02-01"])})
    flags = date_period(period, "report_date", (2023,), dt.date(2024, 1, 15))
    assert [(f.index, f.code) for f in flags] == [(1, "edit_date_period"), (2, "edit_date_period")]
    assert [(f.index, f.code) for f in date_period(period, "report_date", (), dt.date(2024, 1, 15))] == \
        [(2, "edit_date_future")]


def test_a_day_of_slack_for_time_zones_around_the_report_month_and_receipt_but_not_the_stated_year():
    """The slack assets/ingest/dates.py documents, at its edges: a report date one day outside its number's
    month passes, two days are flagged; an incident one day after the month passes; the day after receipt
    passes, two days after is flagged; the day before a stated year is flagged."""
    days = pd.Series(pd.to_datetime(["2024-01-30", "2024-01-31", "2024-02-15", "2024-03-01", "2024-03-02"]))
    numbers = report_periods(pd.Series(["LP/B/22/II/2024/SPKT"] * 5))
    report = check_against_period(days, numbers, True, [2024], dt.date(2024, 3, 10))
    assert [(f.index, f.code, f.extra[0]) for f in report] == [
        (0, "date_contradicts_report_number", "(February 2024)"),
        (4, "date_contradicts_report_number", "(February 2024)")]
    incident = check_against_period(days, numbers, False, [2024], dt.date(2024, 3, 10))
    assert [f.index for f in incident] == [4]
    received = pd.DataFrame({"report_date": pd.to_datetime(["2023-12-31", "2024-03-05", "2024-03-06", "2024-03-07"])})
    flags = date_period(received, "report_date", (2024,), dt.date(2024, 3, 5))
    assert [(f.index, f.code) for f in flags] == [(0, "edit_date_period"), (3, "edit_date_future")]


def test_check_frame_runs_the_declared_edits_once_per_cell():
    frame = pd.DataFrame({"msme_micro": [300, 310, 290, 305, 295], "msme_small": [20, 21, 19, 20, 22],
                          "msme_medium": [1, 2, 3, 1, 2], "msme_total": [321, 333, 312, 326, 319],
                          "population": [3100, 3200, 3, 3300, 3000]})
    flags = check_frame(frame, DATASETS["msme_village_count"])
    # population 3 among 3,000s: a lost thousands separator (declared before the population floor)
    assert [(f.index, f.field, f.code) for f in flags] == [(2, "population", "edit_thousands_separator")]


def test_hidiroglou_berthelot_flags_the_unusual_change_only():
    rng = np.random.default_rng(7)
    earlier = rng.integers(100, 1000, 30).astype(float)
    now = np.round(earlier * rng.uniform(1.02, 1.08, 30))
    failing, median = hb_outliers(earlier, now)
    assert not failing.any() and 1.02 < median < 1.08
    now[4] = earlier[4] * 10
    failing, _ = hb_outliers(earlier, now)
    assert list(np.flatnonzero(failing)) == [4]
    assert not hb_outliers(earlier[:10], now[:10])[0].any()        # too few villages to have quartiles


def test_history_flags_small_counts_only_beyond_chance():
    villages = [f"19.01.01.{2000 + i}" for i in range(25)]
    rows = pd.DataFrame({"village_code": villages * 2, "year": [2022] * 25 + [2023] * 25,
                         "msme_medium": [1] * 25 + [1] * 20 + [6] * 5,
                         "population": [3000 + i for i in range(25)] + [3030 + i for i in range(24)] + [0]})
    flags = history_flags(rows, ("msme_medium", "population"))
    assert [(rows.loc[p, "village_code"], c, round(e)) for p, c, e, *_ in flags] == [(villages[24], "population", 3054)]


# -- a real sync --------------------------------------------------------------------------------------
def _villages(count: int) -> list[tuple[str, str, str]]:
    """(code, name, district name) of the first `count` villages of Kabupaten Bangka in the sample's list,
    names unique in the regency."""
    with open(sample_reference() / "wilayah_kemendagri_2023.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    districts = {r["kemendagri_code"]: r["name"] for r in rows if r["level"] == "district"}
    villages = [r for r in rows if r["level"] == "village" and r["kemendagri_code"].startswith("19.01.")]
    names = pd.Series([v["name"] for v in villages])
    unique = [v for v in villages if (names == v["name"]).sum() == 1]
    return [(v["kemendagri_code"], v["name"], districts[v["parent_code"]]) for v in unique[:count]]


def _yearly_file(path: Path, year: int, rows: list[list]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = str(year)
    ws.append([f"Jumlah UMKM Menurut Desa, Kabupaten Bangka, Tahun {year}"])
    ws.append(["Kecamatan", "Desa/Kelurahan", "Mikro", "Kecil", "Menengah", "Jumlah UMKM", "Jumlah Penduduk"])
    for row in rows:
        ws.append(row)
    wb.save(path)


def test_failing_values_land_flagged_after_a_real_sync(tmp_path):
    villages = _villages(27)
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse"
    (inbox / "bps").mkdir(parents=True)
    shutil.copytree(sample_reference(), inbox / "reference")
    before = [[d, n, 100 + 10 * i, 20 + i, 2, 122 + 11 * i, 3000 + 100 * i]
              for i, (_, n, d) in enumerate(villages[:25])]
    _yearly_file(inbox / "bps" / "umkm_bangka_2022.xlsx", 2022, before)
    after = [[d, n, round((100 + 10 * i) * 1.05), 20 + i, 2, None, 3030 + 100 * i]
             for i, (_, n, d) in enumerate(villages[:25])]
    for row in after:
        row[5] = row[2] + row[3] + row[4]
    after[0][2] = 1000              # ten times its 2022 figure: edit_ratio_history
    after[0][5] = 1000 + 20 + 2
    after[1][6] = 0                 # population 0 below its 139 MSMEs (a formula saved as 0)
    after[2][5] += 10               # a total that is not micro + small + medium
    # A row labelled as a village of its own, whose counts are the sums of the three rows under it
    subtotal = [villages[26][2], villages[26][1], *[sum(r[k] for r in after[3:6]) for k in (2, 3, 4, 5, 6)]]
    _yearly_file(inbox / "bps" / "umkm_bangka_2023.xlsx", 2023, [*after[:3], subtotal, *after[3:]])
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0

    facts = dict(((code, year), values) for code, year, *values in query(
        warehouse, "SELECT village_code, year, msme_micro, population FROM fact_msme_count"))
    code = {n: c for c, n, _ in villages}
    assert len(facts) == 50                                   # every row landed, the subtotal row not
    assert facts[(villages[0][0], 2023)] == [1000, 3030]      # as written, flagged
    assert facts[(villages[1][0], 2023)] == [116, 0]
    assert facts[(villages[2][0], 2023)] == [126, 3230]
    assert not [k for k in facts if k[0] == code[villages[26][1]]]   # the subtotal never lands on a village
    flags = query(warehouse, "SELECT file_name, row, field, value, code, severity, expected FROM "
                  "data_quality_rejection WHERE code LIKE 'edit%' ORDER BY row, code")
    assert flags == [
        ("umkm_bangka_2023.xlsx", 3, "msme_micro", "1,000", "edit_ratio_history", "warning", "about 105"),
        ("umkm_bangka_2023.xlsx", 4, "population", "0", "edit_parts_within_whole", "warning", "at least 139"),
        ("umkm_bangka_2023.xlsx", 4, "population", "0", "edit_ratio_history", "warning", "about 3,122"),
        ("umkm_bangka_2023.xlsx", 5, "msme_total", "160", "edit_balance_total", "warning", "150"),
    ]
    messages = query(warehouse, "SELECT message, message_id FROM data_quality_rejection "
                     "WHERE code = 'edit_balance_total'")
    assert messages == [("Jumlah UMKM: the total '160' is not micro + small + medium (their sum is 150); the "
                         "counts landed as written: check them.",
                         "Jumlah UMKM: jumlah '160' tidak sama dengan mikro + kecil + menengah (jumlahnya 150); "
                         "angkanya diterima seperti tertulis: periksa kembali.")]
    report = reports(warehouse, "bps")["umkm_bangka_2023.xlsx"]
    assert report["status"] == "accepted" and report["rows_accepted"] == 25 and report["rows_skipped"] == 1
    assert any("left out as a subtotal" in n and villages[26][1] in n for n in report["notes"])
    assert {e["code"] for e in report["errors"]} == {"edit_ratio_history", "edit_parts_within_whole",
                                                     "edit_balance_total"}


def test_rows_left_out_counted_and_ordered_alike_in_the_sync_summary_and_the_agency_report(reference_dir, tmp_path,
                                                                                         capsys):
    """A subtotal found by its sums (row 3, above its villages) is left out after the reader's own (the Jumlah
    row, a blank, a note): the report lists all four in the sheet's order, its summary counts the three
    subtotal and note rows its skipped-rows sheet lists, and the sync's summary counts the rows in as the
    report does (read less skipped)."""
    import json

    inbox, warehouse = reference_dir.parent, tmp_path / "warehouse"
    (inbox / "bps").mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Bangka"
    for row in (["Jumlah UMKM Menurut Desa/Kelurahan Kabupaten Bangka, 2023"],
                ["No", "Kecamatan", "Desa/Kelurahan", "Mikro", "Kecil", "Menengah"],
                ["I", "Sungai Jaya", None, 620, 40, 2],              # row 3: the sums of rows 4-5, no label
                [1, "Sungai Jaya", "Air Duren", 210, 20, 1],
                [2, "Sungai Jaya", "Sidorejo", 410, 20, 1],
                [None, None, "Jumlah", 620, 40, 2],                   # row 6
                [],                                                   # row 7
                ["Sumber: BPS Kabupaten Bangka"]):                    # row 8
        ws.append(row)
    wb.save(inbox / "bps" / "umkm_bangka_2023.xlsx")
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out.splitlines()

    [twin] = (warehouse / "reports" / "bps").glob("umkm_bangka_2023.xlsx.*.json")
    report = json.loads(twin.read_text())
    assert [(s["row"], s["reason"]) for s in report["skipped"]] == [(3, "subtotal"), (6, "subtotal"), (7, "blank"),
                                                                   (8, "note")]
    assert (report["rows_read"], report["rows_skipped"], report["rows_accepted"]) == (6, 4, 2)
    assert f"{'bps':<10}{1:>7}{1:>6}{2:>10}{2:>9}{0:>10}{'100.0%':>10}{0:>9}" in out
    assert "2 rows in, 0 rows rejected, 0 rows flagged" in "\n".join(out)

    book = openpyxl.load_workbook(twin.with_suffix(".xlsx"))
    summary = [row for row in book["Ringkasan (Summary)"].iter_rows(values_only=True)]
    listed = [row[:3] for row in book["Baris dilewati (Skipped rows)"].iter_rows(min_row=2, values_only=True)]
    assert [row[1] for row in listed] == [3, 6, 7, 8]
    assert ("Baris dilewati (jumlah, catatan, kosong)", "Rows skipped (totals, notes, blank)", 4, None) in summary
    assert ("Catatan", "Note", "3 baris jumlah/subtotal dan catatan dilewati: lihat lembar 'Baris dilewati (Skipped "
            "rows)'", "3 subtotal and note rows left out: see sheet 'Baris dilewati (Skipped rows)'") in summary

"""Incremental syncs: an unchanged inbox is not read, placed or published again; a new file is placed
on its own and changes the marts."""
from __future__ import annotations

import shutil

import duckdb
import openpyxl
import pandas as pd

from assets import steps
from schemas import SOURCES
from tests.test_ingest import msme_workbook
from tests.test_pipeline_small import crime_workbook


def sync(paths: steps.Paths) -> dict:
    """As the planner runs a sync: the stages whose inputs changed (steps.stale_stages), in order."""
    ran = []
    if "reference" in steps.stale_stages(paths):
        steps.refresh_gazetteer(paths)
        ran.append("reference")
    received = [r for source in SOURCES for r in steps.ingest_source(paths, source)]
    stale = steps.stale_stages(paths)
    stats = steps.harmonise(paths) if "harmonise" in stale else None
    counts = steps.publish_marts(paths) if "publish" in stale else None
    if "agency_reports" in stale:
        steps.agency_reports(paths)
    if "analyst_report" in stale:
        steps.analyst_report(paths, paths.reports / "analyst_report.html")
    return {"received": received, "stats": stats, "counts": counts, "ran": ran + stale}


def published(paths: steps.Paths, sql: str):
    """One value from the published database, opened read-only as analysts do."""
    with duckdb.connect(str(paths.database), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def publication_id(paths: steps.Paths) -> str:
    return published(paths, "SELECT publication_id FROM publication")


def crimes_2023(paths: steps.Paths) -> int:
    return published(paths, "SELECT sum(crime_count) FROM mart_village_year WHERE year = 2023")


def february_reports(inbox) -> None:
    """A second police file: the same rows as lp_januari.xlsx under new report numbers (new reports)."""
    path = inbox / "polda" / "lp_februari.xlsx"
    crime_workbook(path)
    wb = openpyxl.load_workbook(path)
    for row in wb.active.iter_rows(min_row=2):
        row[1].value = row[1].value.replace("LP/B/", "LP/B/10")     # LP/B/101/I/2023: made in the same month
    wb.save(path)


def cached_placements(paths: steps.Paths) -> set[str]:
    return {p.name for p in paths.placed_by_file.glob("*/*/*.pickle")}      # <fingerprint>/<dataset>/<file>


def test_unchanged_inbox_is_skipped_and_a_new_file_is_placed_alone(tmp_path, reference_dir):
    inbox = reference_dir.parent
    (inbox / "bps").mkdir()
    (inbox / "polda").mkdir()
    msme_workbook(inbox / "bps" / "umkm.xlsx")
    crime_workbook(inbox / "polda" / "lp_januari.xlsx")
    paths = steps.Paths(inbox, tmp_path / "warehouse")

    first = sync(paths)
    assert crimes_2023(paths) == 3
    placements = cached_placements(paths)
    assert len(placements) == 2
    assert len(list(paths.placed_by_file.glob("*/matcher.pickle"))) == 1   # the new file below is placed by it
    published = publication_id(paths)

    assert first["ran"] == list(steps.STAGES)
    again = sync(paths)                                  # nothing new: no stage runs
    assert {r.status for r in again["received"]} == {"unchanged"}
    assert again["ran"] == [] and steps.stale_stages(paths) == []
    assert publication_id(paths) == published

    msme_placed = (paths.placed_store / "msme_village_count.parquet").stat().st_mtime_ns
    february_reports(inbox)
    sync(paths)
    assert crimes_2023(paths) == 6
    new_placements = cached_placements(paths)
    assert placements < new_placements and len(new_placements) == 3
    assert (paths.placed_store / "msme_village_count.parquet").stat().st_mtime_ns == msme_placed  # not rebuilt
    assert publication_id(paths) != published


def test_files_added_to_a_dataset_give_what_placing_all_of_them_gives(tmp_path, reference_dir):
    """The results of a dataset's earlier files are kept when files are only added; the outcome must be
    the one a warehouse that placed every file at once has."""
    inbox = reference_dir.parent
    (inbox / "polda").mkdir()
    crime_workbook(inbox / "polda" / "lp_januari.xlsx")
    grown = steps.Paths(inbox, tmp_path / "grown")
    sync(grown)
    february_reports(inbox)                                     # one of them in an unknown village
    sync(grown)
    at_once = steps.Paths(inbox, tmp_path / "at_once")
    sync(at_once)
    for name in ("rejections", "unresolved", "match_quality"):       # (received_at: when, not what)
        pd.testing.assert_frame_equal(
            *(pd.read_parquet(p.placed_store / f"{name}.parquet").drop(columns="received_at", errors="ignore")
              for p in (grown, at_once)))
    assert steps.placed_rows(grown, "crime_report").equals(steps.placed_rows(at_once, "crime_report"))
    assert pd.read_parquet(grown.placed_store / "unresolved.parquet")["source_file"].nunique() == 2


def test_a_moved_warehouse_keeps_syncing(tmp_path, reference_dir):
    """The work area refers to its own files relative to itself: a steward may move the warehouse."""
    inbox = reference_dir.parent
    (inbox / "polda").mkdir()
    crime_workbook(inbox / "polda" / "lp_januari.xlsx")
    sync(steps.Paths(inbox, tmp_path / "old"))
    shutil.move(tmp_path / "old", tmp_path / "new")
    moved = steps.Paths(inbox, tmp_path / "new")
    february_reports(inbox)
    sync(moved)
    assert crimes_2023(moved) == 6

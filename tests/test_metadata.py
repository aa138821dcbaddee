"""What the Dagster UI shows: every metadata table narrow enough to read in its dialog, the widest
details in a CSV file linked from the asset, the analyst report's charts under their titles."""
from __future__ import annotations

import dagster as dg
import pandas as pd
import pytest

from pipelines.defs.metadata import MAX_CELL, MAX_COLUMNS, markdown
from assets.publish.report import charts
from pipelines.sync_run import execute_sync
from pipelines.defs.resources import JembatanPaths
from tests.test_ingest import msme_workbook
from tests.test_pipeline_small import crime_workbook


def columns_of(text: str) -> list[str]:
    """The header cells of a markdown table."""
    header = next(line for line in text.splitlines() if line.startswith("|"))
    return [cell.strip() for cell in header.strip("|").split("|")]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from tests.conftest import write_reference_lists
    root = tmp_path_factory.mktemp("metadata")
    reference = root / "inbox" / "reference"
    write_reference_lists(reference)
    for source in ("bps", "polda"):
        (root / "inbox" / source).mkdir()
    msme_workbook(root / "inbox" / "bps" / "umkm_bangka_2023.xlsx")
    crime_workbook(root / "inbox" / "polda" / "lp_2023.xlsx")
    paths = JembatanPaths(inbox=str(root / "inbox"), warehouse=str(root / "warehouse"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JEMBATAN_MATCH_WARN_BELOW", "0.9")         # lp_2023.xlsx (75 % placed) falls below
        with dg.DagsterInstance.ephemeral() as instance:
            result = execute_sync(instance, paths, {})       # a partition per new file, one run over them
    assert result.success
    return result, paths.paths()


def metadata_of(result) -> dict[str, dict]:
    found = {e.asset_key.to_user_string(): e.step_materialization_data.materialization.metadata
             for e in result.get_asset_materialization_events()}
    for check in result.get_asset_check_evaluations():
        found[f"{check.asset_check_key.asset_key.to_user_string()}:{check.check_name}"] = check.metadata
    return found


def test_every_metadata_table_fits_its_dialog(run):
    result, _ = run
    tables = {(owner, key): value.value for owner, metadata in metadata_of(result).items()
              for key, value in metadata.items()
              if isinstance(value, dg.MarkdownMetadataValue) and "\n|" in value.value}
    # the tables of every asset and check that has one
    assert {owner for owner, _ in tables} >= {"reference_gazetteer", "bps_files", "polda_files", "harmonised_places",
                                              "analyst_report", "bps_files:rows_reconcile",
                                              "harmonised_places:polda_rows_placed"}
    for (owner, key), text in tables.items():
        assert len(columns_of(text)) <= MAX_COLUMNS, (owner, key, columns_of(text))
        rows = [line for line in text.splitlines() if line.startswith("|")][2:]
        for line in rows:       # no cell wider than MAX_CELL (a cell's own pipes escaped)
            cells = line.replace("\\|", "¦").strip("|").split("|")
            assert len(cells) == len(columns_of(text)), (owner, key, line)
            assert all(len(cell.strip()) <= MAX_CELL for cell in cells), (owner, key, line)


def test_match_quality_shown_narrow_and_written_whole(run):
    result, paths = run
    metadata = metadata_of(result)["harmonised_places"]
    assert columns_of(metadata["match_quality_by_file"].value) == [
        "source", "file_name", "dataset", "rows", "placed %", "ambiguous", "unmatched", "not_a_village"]
    assert columns_of(metadata["match_methods_by_file"].value) == ["file_name", "dataset", "rows per match method"]
    # lp_2023.xlsx: 4 rows reached matching, 1 village unknown (Antah Berantah): 75 % placed
    line = next(line for line in metadata["match_quality_by_file"].value.splitlines() if "lp_2023.xlsx" in line)
    assert [c.strip() for c in line.strip("|").split("|")] == ["polda", "lp_2023.xlsx", "crime_report", "4", "75",
                                                               "0", "1", "0"]
    # every column (the manifest's counts too) in the CSV the asset links to, under the reports
    link = metadata["match_quality_file"]
    assert isinstance(link, dg.PathMetadataValue) and link.value == str(paths.reports / "match_quality_by_file.csv")
    written = pd.read_csv(link.value)
    stored = pd.read_parquet(paths.placed_store / "match_quality.parquet")
    assert len(written.columns) > MAX_COLUMNS and "notes" not in written.columns
    assert set(written.columns) == set(stored.columns) - {"notes", "datasets"}
    merged = written.merge(stored, on=["source", "file_name", "dataset"], suffixes=("", "_stored"))
    assert len(merged) == len(stored) == 2
    assert (merged["rows"] == merged["rows_stored"]).all()
    assert (merged["share_placed"] == merged["share_placed_stored"]).all()
    assert merged.set_index("file_name").loc["lp_2023.xlsx", "unmatched"] == 1
    below = metadata_of(result)["harmonised_places:polda_rows_placed"]["files_below"].value
    assert columns_of(below) == ["file_name", "dataset", "rows", "placed %", "ambiguous", "unmatched"]
    assert [c.strip() for c in below.splitlines()[2].strip("|").split("|")] == ["lp_2023.xlsx", "crime_report", "4",
                                                                              "75", "0", "1"]


def test_charts_titled_in_the_ui_with_their_figures(run):
    result, paths = run
    metadata = metadata_of(result)["analyst_report"]
    drawn = charts(paths.database)
    assert [k for k in metadata if k != "report"] == [c.title for c in drawn]
    quality = drawn[-1]         # one year of files: the growth charts have nothing to draw, this one has
    text = metadata[quality.title].value
    assert text.startswith(f"### {quality.title}\n\n{quality.caption}\n\n![{quality.title}](data:image/png;base64,")
    assert columns_of(text) == list(quality.figures.columns) == ["file", "outcome", "rows", "rows of data",
                                                                "% of the file's rows"]
    landed = next(line for line in text.splitlines() if line.startswith("| polda/lp_2023.xlsx") and "landed" in line)
    assert [c.strip() for c in landed.strip("|").split("|")][2:] == ["3", "5", "60"]     # 3 of 5 rows landed


def test_a_table_too_wide_is_refused_and_long_cells_cut():
    wide = pd.DataFrame([range(MAX_COLUMNS + 1)], columns=[f"c{i}" for i in range(MAX_COLUMNS + 1)])
    with pytest.raises(ValueError, match=f"{MAX_COLUMNS + 1} columns do not fit"):
        markdown(wide, "elsewhere")
    text = markdown(pd.DataFrame({"file": ["a | b.xlsx"], "notes": ["x" * 200], "nik": ["NIK 1901014508900001"]}),
                    "elsewhere")
    row = text.splitlines()[2]
    assert "a \\| b.xlsx" in row and "x" * (MAX_CELL - 1) + "…" in row and "x" * MAX_CELL not in row
    assert "1901014508900001" not in text and "1901************" in text


def test_match_quality_of_no_files_yet(tmp_path):
    from assets.harmonise.quality import match_quality
    from pipelines.defs.metadata import match_quality_metadata
    empty = match_quality(pd.DataFrame(), pd.DataFrame())          # the columns, no rows, object dtypes
    metadata = match_quality_metadata(empty, tmp_path / "match_quality_by_file.csv")
    assert metadata["match_quality_by_file"].value == "none" == metadata["match_methods_by_file"].value
    assert pd.read_csv(tmp_path / "match_quality_by_file.csv").empty

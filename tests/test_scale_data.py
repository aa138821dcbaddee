"""The scale generator (benchmarks.scale_data): village selection, files the pipeline can read, row
counts that agree between the manifest and the files, fixed header texts, determinism."""
from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from benchmarks.scale_data import generate_scale
from benchmarks.scale_data.generate import default_reference
from benchmarks.scale_data.places import national_folder
from sample_data.bhabin import ACTIVITY_HEADER, ROSTER_HEADER
from sample_data.crime import HEADER as CRIME_HEADER
from sample_data.programs import HEADER as PROGRAM_HEADER
from sample_data.programs import PROGRAMS

MSME_HEADER = ["No", "Kode Wilayah", "Kecamatan", "Desa/Kelurahan", "Tahun", "Mikro", "Kecil", "Menengah",
               "Jumlah Penduduk"]
HEADERS = {"msme_village_count": MSME_HEADER, "crime_report": CRIME_HEADER,
           "program_participation": PROGRAM_HEADER, "bhabinkamtibmas_assignment": ROSTER_HEADER,
           "bhabinkamtibmas_activity": ACTIVITY_HEADER}
NATIONAL = national_folder(default_reference())
SMALL = 0.25          # ~98 villages: a regency's worth, enough for every dataset


@pytest.fixture(scope="module")
def one(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("scale1")
    return out, generate_scale(out, 1, default_reference(), workers=1)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("small")
    return out, generate_scale(out, SMALL, reference=None, workers=1)


def read_table(path: Path) -> tuple[list[str], list[list]]:
    """Header and data rows of a generated file (title rows above, blank row and source line below)."""
    if path.suffix == ".csv":
        with path.open(encoding="cp1252", newline="") as fh:
            fh.readline()                                  # title line
            rows = list(csv.reader(fh, delimiter=";"))
        return rows[0], rows[1:]
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header_at = next(i for i, r in enumerate(rows) if r[0] == "No")
    data = rows[header_at + 1:]
    end = next(i for i, r in enumerate(data) if all(c == "" for c in r))
    assert len(data) == end + 2 and str(data[-1][0]).startswith("Sumber"), path.name
    return [c for c in rows[header_at] if c != ""], data[:end]


def inbox_hashes(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((out / "inbox").rglob("*")) if p.is_file()}


@pytest.mark.parametrize("which", ["one", "small"])
def test_rows_agree_between_manifest_and_files(which, request):
    out, manifest = request.getfixturevalue(which)
    per_dataset: dict[str, int] = {}
    for f in manifest["files"]:
        header, rows = read_table(out / f["path"])
        assert header == HEADERS[f["dataset"]], f["path"]
        assert len(rows) == f["rows"], f["path"]
        assert [r[0] for r in rows] == [str(i) if f["path"].endswith(".csv") else float(i)
                                        for i in range(1, len(rows) + 1)]
        per_dataset[f["dataset"]] = per_dataset.get(f["dataset"], 0) + len(rows)
    assert per_dataset == manifest["rows_per_dataset"]
    assert set(per_dataset) == set(HEADERS)
    files_on_disk = {p.relative_to(out).as_posix() for p in (out / "inbox").rglob("*") if p.is_file()}
    assert files_on_disk == {f["path"] for f in manifest["files"]} | set(manifest["reference_files"])


@pytest.mark.parametrize("which", ["one", "small"])
def test_volumes_follow_the_scale(which, request):
    out, manifest = request.getfixturevalue(which)
    villages = manifest["villages"]
    rows, bad = manifest["rows_per_dataset"], manifest["bad_rows_per_dataset"]
    assert rows["msme_village_count"] - bad["msme_village_count"] == manifest["data_villages"] * 5
    factor = villages / 83_762
    assert abs((rows["crime_report"] - bad["crime_report"]) / (3 * 400_000 * factor) - 1) < 0.02
    assert abs(rows["program_participation"] - bad["program_participation"] - 2_000_000 * factor) <= 1
    for dataset, n in rows.items():
        assert 0.003 < bad[dataset] / n < 0.03, dataset
    names = {Path(f["path"]).name for f in manifest["files"]}
    assert sum(n.endswith(".csv") for n in names) == 2
    assert {n.rsplit("_", 1)[0] for n in names if n.startswith("peserta_")} == {
        "peserta_" + p.lower().replace(" ", "_") for p in PROGRAMS}


def test_village_counts(one, small):
    assert one[1]["villages"] == 393
    assert small[1]["villages"] == round(SMALL * 393) == small[1]["data_villages"]
    assert small[1]["gazetteer"] == "synthetic"
    for out, manifest in (one, small):
        lists = sorted((out / "inbox" / "reference").glob("wilayah_kemendagri_*.csv"))
        assert [p.name for p in lists] == ["wilayah_kemendagri_2022.csv", "wilayah_kemendagri_2025.csv"]
        newest = lists[-1].read_text(encoding="utf-8").splitlines()
        assert sum(line.startswith("village,") for line in newest) == manifest["villages"]


@pytest.mark.skipif(NATIONAL is None, reason=f"national reference lists not found under {default_reference()}")
def test_one_province_is_exactly_bangka_belitung(one):
    out, manifest = one
    assert manifest["gazetteer"] == "national" and manifest["provinces"] == 1
    for name in ("wilayah_kemendagri_2022.csv", "wilayah_kemendagri_2025.csv", "bps_kemendagri_bridging_2018s1.csv"):
        lines = (out / "inbox" / "reference" / name).read_text(encoding="utf-8").splitlines()
        source = (NATIONAL / name).read_text(encoding="utf-8").splitlines()
        assert lines[0] == source[0]
        assert set(lines[1:]) <= set(source[1:])          # copied verbatim
        codes = [next(csv.reader([line]))[3 if "bridging" in name else 1] for line in lines[1:]]
        assert all(c == "19" or c.startswith("19.") or c == "" for c in codes), name
    villages = [line for line in (out / "inbox" / "reference" / "wilayah_kemendagri_2025.csv")
                .read_text(encoding="utf-8").splitlines() if line.startswith("village,")]
    assert len(villages) == 393 and all(line.startswith("village,19.") for line in villages)


def test_cells_look_like_the_agencies(one):
    out, manifest = one
    report_numbers, programs, niks = [], set(), []
    for f in manifest["files"]:
        header, rows = read_table(out / f["path"])
        if f["dataset"] == "crime_report":
            report_numbers += [r[1] for r in rows]
        if f["dataset"] == "program_participation":
            programs |= {r[10] for r in rows}
            niks += [r[3] for r in rows]
    duplicates = len(report_numbers) - len(set(report_numbers))
    assert 0 < duplicates < manifest["bad_rows_per_dataset"]["crime_report"]
    assert programs == set(PROGRAMS)
    text_niks = [n for n in niks if isinstance(n, str) and "E+" not in n]
    assert all(len(n) == 16 and n.isdigit() for n in text_niks)
    assert 0 < len(niks) - len(text_niks) < manifest["bad_rows_per_dataset"]["program_participation"]


def test_deterministic(small, tmp_path):
    out, manifest = small
    again = generate_scale(tmp_path / "again", SMALL, reference=None, workers=1)
    assert inbox_hashes(tmp_path / "again") == inbox_hashes(out)
    assert again["files"] == manifest["files"]
    other = generate_scale(tmp_path / "other", SMALL, reference=None, seed=8, workers=1)
    assert inbox_hashes(tmp_path / "other") != inbox_hashes(out)
    assert other["villages"] == manifest["villages"]

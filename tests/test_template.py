"""The clerk's own template, filled as a clerk fills it and dropped back: every row lands in the village
picked from its dropdown, and its helper sheets are not reported as problems."""
from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from assets import steps
from assets.harmonise.gazetteer import load_gazetteer
from assets.harmonise.labels import parse_village_label, village_labels
from assets.harmonise.matcher import Matcher
from assets.harmonise.places import match_place, split_village_list
from pipelines.cli import main
from schemas import DATASETS
from tests.conftest import reference_root

REAL_LISTS = ("wilayah_kemendagri_babel_tuban.csv", "bps_kemendagri_crosswalk_babel_tuban.csv")


@pytest.fixture(scope="module")
def real_inbox(tmp_path_factory) -> Path:
    """An inbox holding only the real reference lists (Bangka Belitung and Tuban)."""
    root = reference_root()
    if not all((root / name).exists() for name in REAL_LISTS):
        pytest.skip(f"real reference lists not found in {root} (set JEMBATAN_REFERENCE)")
    inbox = tmp_path_factory.mktemp("clerk") / "inbox"
    (inbox / "reference").mkdir(parents=True)
    for name in REAL_LISTS:
        shutil.copy(root / name, inbox / "reference" / name)
    return inbox


@pytest.fixture(scope="module")
def first_sync(real_inbox):
    """A first sync that reads only the reference lists: nothing lands."""
    warehouse = real_inbox.parent / "warehouse"
    assert main(["sync", "--inbox", str(real_inbox), "--warehouse", str(warehouse)]) == 0
    return warehouse


def dropdown(sheet) -> dict[str, list[str]]:
    """Each validated column's header -> the values its dropdown offers (a list or a sheet range)."""
    wb, headers = sheet.parent, [c.value for c in sheet[1]]
    offered = {}
    for validation in sheet.data_validations.dataValidation:
        if validation.type != "list":
            continue
        letter = str(validation.sqref).split(":")[0].rstrip("0123456789")
        header = headers[openpyxl.utils.column_index_from_string(letter) - 1]
        formula = validation.formula1
        if formula.startswith('"'):
            offered[header] = formula.strip('"').split(",")
        else:
            target, cells = formula.lstrip("=").split("!")
            offered[header] = [c.value for row in wb[target][cells.replace("$", "")] for c in row]
    return offered


def twin_villages(labels: list[str], villages) -> tuple[str, str, str]:
    """Two labels of one village name in two districts, and a third village of the first one's district."""
    by_label = {r[0]: r for r in villages}
    for label in labels:
        name, district = by_label[label][1], by_label[label][2]
        twins = [other for other in labels if by_label[other][1] == name and other != label]
        neighbours = [other for other in labels if by_label[other][2] == district and by_label[other][1] != name]
        if twins and neighbours:
            return label, twins[0], neighbours[0]
    raise AssertionError("no village name repeats in two districts of the list")


def clerk_rows(dataset: str, first: str, twin: str, neighbour: str, pick: dict[str, list[str]]) -> list[dict]:
    """What a clerk types (or picks) per header; the village labels come from the dropdown list itself."""
    day = datetime(2023, 8, 17)
    if dataset == "msme_village_count":
        return [{"Desa/Kelurahan": v, "Tahun": 2023, "Mikro": 40 + i, "Kecil": 5 + i, "Menengah": i,
                 "Jumlah Penduduk": 1500 + i} for i, v in enumerate((first, twin, neighbour))]
    if dataset == "program_participation":
        return [{"Nama Usaha": "Warung Berkah", "Nama Pemilik": "Siti Aminah", "NIK": "1901014508900001",
                 "Desa/Kelurahan": first, "Program": pick["Program"][0], "Tanggal": day, "Nilai (Rp)": 5_000_000},
                {"Nama Usaha": "Toko Maju", "NIK": "1901011203850002", "Desa/Kelurahan": twin,
                 "Program": pick["Program"][1], "Tanggal": day},
                {"Nama Usaha": "Kios Jaya", "NIK": "1901011203850003", "Desa/Kelurahan": neighbour,
                 "Program": pick["Program"][0], "Tanggal": day}]
    if dataset == "village_cooperative":
        return [{"Nama Koperasi": f"Koperasi Merah Putih {i}", "Desa/Kelurahan": v, "Tanggal Berdiri": day,
                 "Jumlah Anggota": 20 + i} for i, v in enumerate((first, twin, neighbour))]
    if dataset == "crime_report":
        return [{"Nomor LP": f"LP/B/{20 + i}/VIII/2023", "Tgl Lapor": day, "Jenis Kejahatan": "Pencurian",
                 "Desa/Kelurahan": v, "Status": "Proses"} for i, v in enumerate((first, twin, neighbour))]
    if dataset == "bhabinkamtibmas_assignment":
        return [{"NRP": "85011234", "Nama Personel": "Budi", "Tahun": 2023, "Desa/Kelurahan Binaan": first},
                {"NRP": "85011235", "Nama Personel": "Ahmad", "Tahun": 2023,
                 "Desa/Kelurahan Binaan": f"{twin}, {neighbour}"}]
    if dataset == "bhabinkamtibmas_activity":
        return [{"Tanggal": day, "NRP": "85011234", "Desa/Kelurahan": v, "Jenis Kegiatan": "Sambang",
                 "Uraian": "Sambang warga"} for v in (first, twin, neighbour)]
    raise AssertionError(f"no clerk rows for {dataset}")


def fill(path: Path, rows: list[dict]) -> None:
    wb = openpyxl.load_workbook(path)
    data = wb["Data"]
    headers = [c.value for c in data[1]]
    for r, row in enumerate(rows, start=2):
        assert set(row) <= set(headers), set(row) - set(headers)
        for header, value in row.items():
            data.cell(row=r, column=headers.index(header) + 1, value=value)
    wb.save(path)


def test_every_template_filled_by_a_clerk_lands_every_row_in_the_village_picked(first_sync, real_inbox, tmp_path):
    warehouse = first_sync
    expected = {}           # dataset -> sorted village codes of its rows
    for name, dataset in DATASETS.items():
        out = tmp_path / f"{name}.xlsx"
        assert main(["template", name, "--out", str(out), "--warehouse", str(warehouse)]) == 0
        wb = openpyxl.load_workbook(out)
        assert wb.sheetnames == ["Petunjuk", "Data", "Desa"]
        assert (wb["Desa"].sheet_state, wb["Desa"].protection.sheet) == ("visible", True)   # to copy from, not edit
        villages = list(wb["Desa"].iter_rows(min_row=2, values_only=True))
        labels = [v[0] for v in villages]
        assert len(set(labels)) == len(labels) == len(villages) > 700   # one label per village, none twice
        pick = dropdown(wb["Data"])
        if "Desa/Kelurahan" in pick:
            assert pick["Desa/Kelurahan"] == labels
        first, twin, neighbour = twin_villages(labels, villages)
        code = {v[0]: v[4] for v in villages}
        rows = clerk_rows(name, first, twin, neighbour, pick)
        fill(out, rows)
        (real_inbox / dataset.source).mkdir(exist_ok=True)
        shutil.copy(out, real_inbox / dataset.source / f"template_{name}.xlsx")      # dropped in its folder
        expected[name] = sorted(code[v] for v in (first, twin, neighbour))
    assert main(["sync", "--inbox", str(real_inbox), "--warehouse", str(warehouse)]) == 0

    reports = {json.loads(p.read_text())["dataset"]: json.loads(p.read_text())
               for p in (warehouse / "reports").glob("*/template_*.json")}
    assert set(reports) == set(DATASETS)
    for name, report in reports.items():
        assert (report["status"], report["rows_rejected"], report["problems"], report["errors"]) == \
            ("accepted", 0, [], []), name
        assert report["rows_accepted"] == (2 if name == "bhabinkamtibmas_assignment" else 3), name
        assert not any("unrecognised" in n or "not recognised" in n or "hidden" in n for n in report["notes"]), name
        placed = steps.placed_rows(steps.Paths(real_inbox, warehouse), name)
        assert sorted(placed["village_code"]) == expected[name], name
        assert set(placed["match_method"]) <= {"name_exact", "name_normalised"}, name


def test_every_village_of_the_real_list_picked_from_the_dropdown_is_read_back_as_itself(first_sync, tmp_path):
    assert main(["template", "crime_report", "--out", str(tmp_path / "t.xlsx"), "--warehouse", str(first_sync)]) == 0
    villages = list(openpyxl.load_workbook(tmp_path / "t.xlsx")["Desa"].iter_rows(min_row=2, values_only=True))
    matcher = Matcher(steps.stored_gazetteer(steps.Paths(first_sync.parent / "inbox", first_sync)))
    read_back = {label: match_place(matcher, (None, label, None, None, None), 2025) for label, *_ in villages}
    assert {label: m.village_code for label, m in read_back.items()} == {v[0]: v[4] for v in villages}
    assert {m.method for m in read_back.values()} <= {"name_exact", "name_normalised"}


def test_template_text_names_columns_by_their_indonesian_headers(first_sync, tmp_path):
    # internal names as whole words, case as written ("program" is also the Indonesian word)
    internal = ({c.name for d in DATASETS.values() for c in d.columns} | set(DATASETS)) - {"program"}
    for name in DATASETS:
        out = tmp_path / f"{name}.xlsx"
        assert main(["template", name, "--out", str(out), "--warehouse", str(first_sync)]) == 0
        wb = openpyxl.load_workbook(out)
        texts = [str(c.value) for ws in wb for row in ws.iter_rows(max_row=60) for c in row if c.value]
        texts += [f"{v.error} {v.errorTitle} {v.prompt}" for v in wb["Data"].data_validations.dataValidation]
        shown = {word for text in texts for word in internal if re.search(rf"\b{word}\b", text)}
        assert not shown, (name, shown)
        assert wb["Petunjuk"]["A1"].value.startswith("Petunjuk pengisian: ") and \
            wb["Petunjuk"]["A1"].value.removeprefix("Petunjuk pengisian: ") == DATASETS[name].title_id




@pytest.mark.parametrize("village, district, regency, expected", [
    ("Air Duren (Kec. Mendo)", None, None, "19.01.02.2001"),
    ("Air Duren (Kec. Sungai Jaya)", None, None, "19.01.01.2001"),
    ("Air Duren (Kec. Mendo)", "Kec. Mendo", "Kabupaten Bangka", "19.01.02.2001"),   # the same place twice
    ("air duren (kec. mendo, Kabupaten Bangka)", None, None, "19.01.02.2001"),
    ("Air Duren", "Mendo", None, "19.01.02.2001"),                                # no label: as ever
])
def test_a_village_named_as_the_dropdown_names_it_is_read_in_its_district(reference_dir, village, district,
                                                                           regency, expected):
    matcher = Matcher(load_gazetteer(reference_dir))
    found = match_place(matcher, (None, village, district, regency, None), 2023)
    assert (found.village_code, found.method) == (expected, "name_exact")


def test_a_label_contradicted_by_the_district_column_is_ambiguous_not_guessed(reference_dir):
    matcher = Matcher(load_gazetteer(reference_dir))
    found = match_place(matcher, (None, "Air Duren (Kec. Mendo)", "Sungai Jaya", None, None), 2023)
    assert (found.village_code, found.method, found.candidates) == \
        (None, "ambiguous", ["19.01.01.2001", "19.01.02.2001"])


def test_a_label_with_its_code_places_a_desa_and_a_kelurahan_of_one_name_apart(reference_dir):
    matcher = Matcher(load_gazetteer(reference_dir))
    found = match_place(matcher, (None, "Air Duren (Kec. Mendo, Kabupaten Bangka, kode 19.01.02.2001)", None, None,
                                  None), 2023)
    assert (found.village_code, found.method) == ("19.01.02.2001", "kemendagri_code")


def test_labels_are_unique_and_read_back():
    villages = pd.DataFrame({"name": ["Air Duren", "Air Duren", "Sukamaju", "Sukamaju", "Baru", "Baru",
                                      "Kurau (Timur)"],
                             "district": ["Mendo", "Pemali", "Cibeber", "Cibeber", "Kota", "Kota",
                                          "Misool (Misool Utara)"],
                             "regency": ["Kabupaten Bangka", "Kabupaten Bangka", "Kabupaten Cianjur",
                                         "Kabupaten Lebak", "Kota Jambi", "Kota Jambi", "Kabupaten Raja Ampat"],
                             "code": ["19.01.02.2001", "19.01.08.2001", "32.03.01.2001", "36.02.01.2001",
                                      "15.71.01.1001", "15.71.01.2001", "92.05.01.2001"]})
    labels = list(village_labels(villages))
    assert labels == ["Air Duren (Kec. Mendo)", "Air Duren (Kec. Pemali)",
                      "Sukamaju (Kec. Cibeber, Kabupaten Cianjur)", "Sukamaju (Kec. Cibeber, Kabupaten Lebak)",
                      "Baru (Kec. Kota, Kota Jambi, kode 15.71.01.1001)",
                      "Baru (Kec. Kota, Kota Jambi, kode 15.71.01.2001)",
                      "Kurau (Timur) (Kec. Misool (Misool Utara))"]
    assert [parse_village_label(label) for label in labels] == [
        ("Air Duren", "Mendo", None, None), ("Air Duren", "Pemali", None, None),
        ("Sukamaju", "Cibeber", "Kabupaten Cianjur", None), ("Sukamaju", "Cibeber", "Kabupaten Lebak", None),
        ("Baru", "Kota", "Kota Jambi", "15.71.01.1001"), ("Baru", "Kota", "Kota Jambi", "15.71.01.2001"),
        ("Kurau (Timur)", "Misool (Misool Utara)", None, None)]
    assert split_village_list(", ".join(labels[1:])) == labels[1:]       # a list of labels: one name each
    assert parse_village_label("Sungai Liat (Lama)") is None and parse_village_label("Air Duren") is None


def test_a_template_made_before_any_list_asks_for_the_district(tmp_path):
    out = tmp_path / "t.xlsx"
    assert main(["template", "crime_report", "--out", str(out), "--warehouse", str(tmp_path / "none")]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Petunjuk", "Data"]
    assert "Isi juga kolom Kecamatan: nama desa/kelurahan yang sama ada di beberapa kecamatan." in \
        [row[0] for row in wb["Petunjuk"].iter_rows(values_only=True)]


def test_every_input_check_shows_its_prompt_and_its_message_in_excel(tmp_path):
    """Excel shows a check's message only with showErrorMessage="1" (and its prompt with
    showInputMessage="1"): read from the written file's own XML."""
    import zipfile
    from xml.etree import ElementTree

    from assets.ingest.template import write_template
    villages = pd.DataFrame({"name": ["Air Duren", "Air Duren"], "district": ["Mendo", "Pemali"],
                             "regency": ["Kabupaten Bangka"] * 2, "code": ["19.01.01.2001", "19.01.02.2001"]})
    out = write_template(DATASETS["crime_report"], tmp_path / "lp.xlsx", villages)
    wb = openpyxl.load_workbook(out)
    headers = [c.value for c in wb["Data"][1]]
    sheet = next(n for n in zipfile.ZipFile(out).namelist() if n.startswith("xl/worksheets/sheet")
                 and b"dataValidation " in zipfile.ZipFile(out).read(n))
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    checks = {}
    for element in ElementTree.fromstring(zipfile.ZipFile(out).read(sheet)).iterfind(".//m:dataValidation", ns):
        letter = element.get("sqref").split(":")[0].rstrip("0123456789")
        checks[headers[openpyxl.utils.column_index_from_string(letter) - 1]] = element.attrib
    assert {"Tgl Lapor", "Desa/Kelurahan"} <= set(checks)
    for header, check in checks.items():
        assert (check["showErrorMessage"], check["showInputMessage"], check["allowBlank"]) == ("1", "1", "1"), header
        assert check["promptTitle"] == header and check["prompt"] and check["error"], header
    assert (checks["Tgl Lapor"]["errorTitle"], checks["Tgl Lapor"]["errorStyle"]) == ("Bukan tanggal", "warning")
    village = checks["Desa/Kelurahan"]
    # A village not on the list warns (a new village can still be typed); it never stops the clerk.
    assert (village["errorTitle"], village["errorStyle"], village["type"]) == \
        ("Desa tidak ada di daftar resmi", "warning", "list")
    assert "tetap memakainya" in village["error"]
    program = write_template(DATASETS["program_participation"], tmp_path / "p.xlsx")
    found = {v.errorTitle: (v.errorStyle, v.showErrorMessage)
             for v in openpyxl.load_workbook(program)["Data"].data_validations.dataValidation}
    assert found["NIK harus 16 digit"] == ("stop", True) and found["Isian tidak sah"] == ("warning", True)

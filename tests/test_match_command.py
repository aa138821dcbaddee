"""`jembatan match` for analysts: a CSV in, the same CSV plus village codes and how they were found out."""
from __future__ import annotations

import pandas as pd

from pipelines.cli import main


def test_match_a_csv_against_a_reference_folder(reference_dir, tmp_path):
    given = tmp_path / "places.csv"
    pd.DataFrame({
        "id": [1, 2, 3, 4, 5],
        "village": ["Ds. Airduren", "Air Duren", "Sidorijo", "", "Tanjung Lama"],
        "district": ["Kec. Mendo", "", "Sungai Jaya", "", "Sungai Jaya"],
        "regency": ["Kab. Bangka", "Kab. Bangka", "", "", ""],
        "code": ["", "", "", "1901050002", ""],
    }).to_csv(given, index=False)
    out = tmp_path / "matched.csv"
    assert main(["match", str(given), "--out", str(out), "--reference", str(reference_dir), "--as-of", "2021"]) == 0
    result = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert result["id"].tolist() == ["1", "2", "3", "4", "5"]
    assert result["village_code"].tolist() == ["19.01.02.2001", "", "", "19.01.01.2002", "19.01.01.2004"]
    assert result["match_method"].tolist() == ["name_normalised", "ambiguous", "ambiguous", "bps_code", "name_exact"]
    assert result.loc[1, "candidates"].startswith("19.01.01.2001 (Air Duren, Sungai Jaya, Kabupaten Bangka")


def test_match_reads_indonesian_headers(reference_dir, tmp_path):
    given = tmp_path / "desa.csv"
    given.write_text("No;Desa/Kelurahan;KECAMATAN;Kabupaten;Kode\n"
                     "1;Ds. Airduren;Kec. Mendo;Kab. Bangka;\n"
                     "2;Air Duren;Sungai Jaya;;\n"
                     "3;;;;1901050002\n", encoding="utf-8")
    out = tmp_path / "matched.csv"
    assert main(["match", str(given), "--out", str(out), "--reference", str(reference_dir)]) == 0
    result = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(result.columns[:5]) == ["No", "Desa/Kelurahan", "KECAMATAN", "Kabupaten", "Kode"]
    assert result["village_code"].tolist() == ["19.01.02.2001", "19.01.01.2001", "19.01.01.2002"]
    assert result["match_method"].tolist() == ["name_normalised", "name_exact", "bps_code"]

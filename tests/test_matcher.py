"""Harmonisation: the traps of domain.md section 2 on a small gazetteer, and the real lists."""
from __future__ import annotations

import pytest

from assets.harmonise.gazetteer import derive_changes, dotted_code, load_gazetteer
from assets.harmonise.matcher import Matcher
from assets.harmonise.names import name_key
from tests.conftest import reference_root


@pytest.fixture
def matcher(reference_dir):
    return Matcher(load_gazetteer(reference_dir))


def test_gazetteer_versions_and_changes(reference_dir):
    gazetteer = load_gazetteer(reference_dir)
    assert gazetteer.versions == ["2020", "2023"]
    changes = gazetteer.changes.set_index("change")
    assert changes.loc["renamed", ["code", "old_name", "new_name"]].tolist() == [
        "19.01.01.2004", "Tanjung Lama", "Tanjung Baru"]
    assert changes.loc["recoded", ["code", "new_code"]].tolist() == ["19.01.02.2002", "19.01.02.1002"]
    assert changes.loc["added", "new_code"] == "19.01.02.2003"
    assert gazetteer.to_current() == {"19.01.02.2002": "19.01.02.1002"}
    assert gazetteer.version_for_year(2021) == "2020" and gazetteer.version_for_year(2024) == "2023"


@pytest.mark.parametrize("written, expected", [
    ("Desa Air Duren", "airduren"), ("AIRDUREN", "airduren"), ("Kel. Sungai Liat", "sungailiat"),
    ("Sei Liat", "sungailiat"), ("S. Liat", "sungailiat"), ("Soembersoeko", "sumbersuko"),
    ("Ds.  Simpang III", "simpang3"), ("Djati", "jati"), ("Tjempaka", "cempaka"), ("Tj. Pandan", "tanyungpandan"),
])
def test_name_key_folds_real_variants(written, expected):
    assert name_key(written) == expected


def test_same_name_in_two_districts_needs_the_district(matcher):
    assert matcher.match(village="Air Duren", district="Sungai Jaya").village_code == "19.01.01.2001"
    assert matcher.match(village="Ds. Airduren", district="Kec. Mendo").village_code == "19.01.02.2001"
    unsure = matcher.match(village="Air Duren", regency="Kab. Bangka")
    assert unsure.method == "ambiguous" and unsure.candidates == ["19.01.01.2001", "19.01.02.2001"]


def test_police_sector_gives_the_district(matcher):
    assert matcher.match(village="Air Duren", police_sector="Polsek Mendo").village_code == "19.01.02.2001"


def test_one_letter_apart_villages_are_not_merged(matcher):
    assert matcher.match(village="Sidorejo", district="Sungai Jaya").village_code == "19.01.01.2002"
    assert matcher.match(village="SIDOROJO", district="Sungai Jaya").village_code == "19.01.01.2003"
    assert matcher.match(village="Sidoredjo", district="Sungai Jaya").village_code == "19.01.01.2002"
    between = matcher.match(village="Sidorijo", district="Sungai Jaya")
    assert between.village_code is None and between.method == "ambiguous"


def test_codes_in_every_form(matcher):
    assert matcher.match(code="19.01.01.2001").village_code == "19.01.01.2001"
    assert matcher.match(code="1901012001").method == "ambiguous"      # Kemendagri 19.01.01.2001 and BPS of Simpang III
    assert matcher.match(code="1901012001", village="Air Duren").village_code == "19.01.01.2001"
    assert matcher.match(code="1901012001", village="Simpang Tiga").village_code == "19.01.02.2003"
    bps = matcher.match(code="1901050002", village="Sidorejo")
    assert (bps.village_code, bps.method) == ("19.01.01.2002", "bps_code")
    assert dotted_code("1901012001") == "19.01.01.2001"


def test_old_code_and_old_name_reach_the_current_code(matcher):
    assert matcher.match(code="19.01.02.2002").village_code == "19.01.02.1002"    # desa became kelurahan
    assert matcher.match(village="Tanjung Lama", district="Sungai Jaya").village_code == "19.01.01.2004"


def test_unknown_village_is_unmatched(matcher):
    found = matcher.match(code="1901999999", village="Antah Berantah", district="Mendo")
    assert (found.village_code, found.method) == (None, "unmatched")


def test_real_national_lists_load():
    folder = reference_root() / "national"
    if not folder.exists():
        pytest.skip(f"real reference lists not found at {folder} (set JEMBATAN_REFERENCE)")
    gazetteer = load_gazetteer(folder)
    assert len(gazetteer.current("village")) == 83762
    counts = gazetteer.changes["change"].value_counts()
    assert counts["retired"] + counts.get("recoded", 0) == 1112 and counts["added"] + counts.get("recoded", 0) == 1111

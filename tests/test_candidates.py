"""The candidates a clerk is told for a village name that could not be placed: the row's own district and
regency first, named as the template's `Desa` list names them, with a pointer to that list."""
from __future__ import annotations

import pandas as pd
import pytest

from assets.harmonise.candidates import CandidateNames, candidate_codes
from assets.harmonise.gazetteer import load_gazetteer
from assets.harmonise.matcher import Matcher
from assets.harmonise.places import place_rows
from schemas import DATASETS


@pytest.fixture
def matcher(reference_dir):
    return Matcher(load_gazetteer(reference_dir))


def test_own_district_first_named_as_the_desa_list(matcher):
    names = CandidateNames(matcher)
    both = ["19.01.01.2001", "19.01.02.2001"]         # Air Duren in Sungai Jaya, Air Duren in Mendo
    assert names.ordered(both, district="Kec. Mendo") == ["19.01.02.2001", "19.01.01.2001"]
    assert names.ordered(both, scope_code="19.01.02") == ["19.01.02.2001", "19.01.01.2001"]
    assert names.ordered(both) == both                 # nothing to go by: the matcher's order
    assert names.extra(both, district="Mendo") == (
        " (candidates: Air Duren (Kec. Mendo), kode 19.01.02.2001; Air Duren (Kec. Sungai Jaya), kode "
        "19.01.01.2001); copy the name from the template's 'Desa' sheet",
        " (kandidat: Air Duren (Kec. Mendo), kode 19.01.02.2001; Air Duren (Kec. Sungai Jaya), kode "
        "19.01.01.2001); salin nama dari lembar 'Desa' templat")
    assert names.extra([]) == ("; copy the name from the template's 'Desa' sheet",
                               "; salin nama dari lembar 'Desa' templat")


def test_unknown_name_in_a_district_gets_that_districts_villages(matcher):
    """'Sukamakmur' (in no list) written with its district and regency: the clerk reads villages of that
    district, as the Desa list names them; 'Air Duren' in a district that does not exist: both of the
    regency's, each with its district."""
    frame = pd.DataFrame({"village_name": ["Sukamakmur", "Air Duren"], "district_name": ["Mendo", "Kecamatan Entah"],
                          "regency_name": ["Kabupaten Bangka"] * 2, "year": [2023] * 2, "source_file": ["f"] * 2,
                          "source_sheet": ["S"] * 2, "source_row": [3, 4]})
    placed, rejections, unresolved, _ = place_rows(frame, DATASETS["msme_village_count"], matcher, {})
    assert placed.empty
    assert [(r["row"], r["code"], r["message_id"]) for r in rejections] == [
        (3, "unknown_village", "village_name: desa/kelurahan 'Sukamakmur' tidak ditemukan di daftar resmi (kandidat: "
         "Kampung Baru (Kec. Mendo), kode 19.01.02.1002; Air Duren (Kec. Mendo), kode 19.01.02.2001; Simpang III "
         "(Kec. Mendo), kode 19.01.02.2003); salin nama dari lembar 'Desa' templat."),
        (4, "ambiguous_village", "village_name: 'Air Duren' bisa berarti beberapa desa (kandidat: Air Duren (Kec. "
         "Sungai Jaya), kode 19.01.01.2001; Air Duren (Kec. Mendo), kode 19.01.02.2001); salin nama dari lembar "
         "'Desa' templat; tambahkan kecamatan atau kode.")]
    assert [candidate_codes(c) for c in unresolved["match_candidates"]] == [
        ["19.01.02.1002", "19.01.02.2001", "19.01.02.2003"], ["19.01.01.2001", "19.01.02.2001"]]

"""The candidate villages a clerk is told for a village name that could not be placed (unknown or
ambiguous): the row's own district first, then its regency, then elsewhere; each named as the template's
`Desa` list names it ("Air Duren (Kec. Pemali)", assets/harmonise/labels.py) with its Kemendagri code after
it, never a bare code. The message points at that list, where the clerk copies the name from.
"""
from __future__ import annotations

import pandas as pd

from assets.harmonise.labels import village_labels
from assets.harmonise.matcher import Matcher
from assets.harmonise.names import name_key
from assets.harmonise.read_as import official_villages

# Said after the candidates, so the clerk knows where every village's name is written: (English, Indonesian).
DESA_LIST = ("copy the name from the template's 'Desa' sheet", "salin nama dari lembar 'Desa' templat")


# The labelled list of the last matcher asked for, (matcher, frame): made once per process and matcher, not
# once per file (83,762 labels for the whole country take seconds; a sync places thousands of files).
_LABELLED: list[tuple[Matcher, pd.DataFrame]] = []


class CandidateNames:
    """Candidates for the clerk, from the matcher's current official list (built on first use, then kept
    for that matcher by the process)."""

    def __init__(self, matcher: Matcher):
        self.matcher = matcher

    def villages(self) -> pd.DataFrame:
        """code -> label, district, regency of every village of the current official list."""
        if _LABELLED and _LABELLED[0][0] is self.matcher:
            return _LABELLED[0][1]
        villages = official_villages(self.matcher.gazetteer.current())
        labelled = villages.assign(label=village_labels(villages)).set_index("code")
        _LABELLED[:] = [(self.matcher, labelled)]
        return labelled

    def ordered(self, codes: list[str], scope_code: str = "", district: str | None = None,
                regency: str | None = None) -> list[str]:
        """`codes` (current Kemendagri codes) in the order a clerk reads them: a village of the district the
        row names (by name, or the district `scope_code` is) first, then of its regency, then the rest; the
        matcher's order kept within each."""
        villages = self.villages()
        district_key = name_key(district) if district else ""
        regency_key = name_key(regency, regency=True) if regency else ""

        def tier(code: str) -> int:
            known = code in villages.index
            if (len(scope_code) == 8 and code.startswith(scope_code)) or (
                    known and district_key and name_key(villages.at[code, "district"]) == district_key):
                return 0
            if (scope_code and code.startswith(scope_code[:5])) or (
                    known and regency_key and name_key(villages.at[code, "regency"], regency=True) == regency_key):
                return 1
            return 2
        return sorted(codes, key=tier)

    def named(self, code: str) -> str:
        """'Air Duren (Kec. Pemali), kode 19.01.03.2001'; a code not on the current list as described."""
        villages = self.villages()
        if code in villages.index:
            return f"{villages.at[code, 'label']}, kode {code}"
        return f"{self.matcher.describe(code)}, kode {code}"

    def extra(self, codes: list[str], scope_code: str = "", district: str | None = None,
              regency: str | None = None) -> tuple[str, str]:
        """What an unknown_village or ambiguous_village message adds, (English, Bahasa Indonesia):
        " (candidates: A; B); copy the name from the template's 'Desa' sheet"."""
        named = "; ".join(self.named(c) for c in self.ordered(codes, scope_code, district, regency))
        listed = (f" (candidates: {named})", f" (kandidat: {named})") if named else ("", "")
        return f"{listed[0]}; {DESA_LIST[0]}", f"{listed[1]}; {DESA_LIST[1]}"


def candidate_codes(match_candidates: str | None) -> list[str]:
    """The codes of a row's `match_candidates` ("19.01.03.2001 (Air Duren, ...); 19.01.05.2004 (...)")."""
    return [c.split(" ")[0] for c in str(match_candidates or "").split("; ") if c]

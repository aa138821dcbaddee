"""The matching cascade: every place an agency wrote, to one current Kemendagri village code.

Order: (1) a code in any form (dotted or bare Kemendagri, 10-digit BPS through the bridging; a bare
10-digit code that fits both lists is settled by the row's village name, else ambiguous); (2) the name,
scoped by the row's hierarchy (district, or the police sector's district, within the regency when
given): exact after normalisation, then fuzzy within the scope only, accepted only when clearly ahead
of the runner-up. Everything else is `ambiguous` (with its candidates) or `unmatched`: never a guess.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from assets.harmonise.gazetteer import Gazetteer, dotted_code
from assets.harmonise.names import loose_key, name_key

FUZZY_ACCEPT = 88.0      # a fuzzy score must reach this ...
FUZZY_MARGIN = 6.0       # ... and lead the runner-up by this much


@dataclass
class Match:
    village_code: str | None
    method: str            # kemendagri_code, bps_code, name_exact, name_normalised, name_fuzzy, ambiguous, unmatched
    score: float
    candidates: list[str] = field(default_factory=list)


@dataclass
class _Village:
    code: str              # current code
    key: str
    name: str


class Matcher:
    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer
        recoded = gazetteer.to_current()
        current_codes = set(gazetteer.current("village")["code"])
        areas = gazetteer.areas
        self.names_of: dict[str, set[str]] = defaultdict(set)   # current code -> name keys (all versions, BPS)
        self.by_district: dict[str, dict[str, _Village]] = defaultdict(dict)
        self.kemendagri: dict[str, str] = {}                    # any version's code -> current code
        for row in areas[areas["level"] == "village"].itertuples():
            current = recoded.get(row.code, row.code)
            if current not in current_codes:
                continue                                        # retired without successor
            key = name_key(row.name)
            self.kemendagri[row.code] = current
            self.names_of[current].add(key)
            self.by_district[row.parent_code].setdefault(f"{key}|{current}", _Village(current, key, row.name))
        self.bps: dict[str, str] = {}
        for row in gazetteer.bridging.itertuples():
            current = recoded.get(row.kemendagri_code, row.kemendagri_code)
            self.bps[row.bps_code] = current
            if row.level == "village" and current in self.names_of and row.bps_name:
                self.names_of[current].add(name_key(row.bps_name))
        self.districts: dict[str, set[str]] = defaultdict(set)  # name key -> district codes
        self.regencies: dict[str, set[str]] = defaultdict(set)
        self.full_name: dict[str, str] = {}
        for row in areas.itertuples():
            if row.level == "district":
                self.districts[name_key(row.name)].add(row.code)
            elif row.level == "regency":
                self.regencies[name_key(row.name, regency=True)].add(row.code)
            if row.version == gazetteer.current_version:
                self.full_name[row.code] = row.name

    # -- scope ---------------------------------------------------------------------------------------
    def regency_scope(self, regency: str | None) -> set[str] | None:
        if not regency:
            return None
        return self.regencies.get(name_key(regency, regency=True)) or None

    def district_scope(self, district: str | None, police_sector: str | None,
                       regencies: set[str] | None) -> set[str] | None:
        found: set[str] = set()
        for text in (district, police_sector):
            if text:
                found |= self.districts.get(name_key(text), set())
        if regencies:
            found = {d for d in found if d[:5] in regencies}
            if not found:
                found = {d for d in self.by_district if d[:5] in regencies}
        return found or None

    # -- cascade -------------------------------------------------------------------------------------
    def match(self, code: str | None = None, village: str | None = None, district: str | None = None,
              regency: str | None = None, police_sector: str | None = None) -> Match:
        key = name_key(village) if village else ""
        if code:
            found = self._by_code(code, key)
            if found.method != "unmatched":
                return found
        if not key:
            return Match(None, "unmatched", 0.0)
        regencies = self.regency_scope(regency)
        districts = self.district_scope(district, police_sector, regencies)
        if districts is None:
            districts = ({d for d in self.by_district if d[:5] in regencies} if regencies
                         else set(self.by_district))
        return self._by_name(village, key, districts)

    def _by_code(self, code: str, key: str) -> Match:
        digits = re.sub(r"\D", "", code)
        dotted = "." in code        # only Kemendagri codes are written with dots
        options = {}
        if len(digits) == 10:
            if (k := self.kemendagri.get(dotted_code(digits))):
                options[k] = "kemendagri_code"
            if not dotted and (b := self.bps.get(digits)) and b in self.names_of:
                options.setdefault(b, "bps_code")
        if not options:
            return Match(None, "unmatched", 0.0)
        if len(options) == 1:
            (found, method), = options.items()
            agrees = not key or key in self.names_of[found]
            return Match(found, method, 1.0 if agrees else 0.9)
        # A bare 10-digit code that is one village's Kemendagri code and another's BPS code.
        by_name = [c for c in options if key and key in self.names_of[c]]
        if len(by_name) == 1:
            return Match(by_name[0], options[by_name[0]] + "+name", 1.0)
        return Match(None, "ambiguous", 0.0, sorted(options))

    def _by_name(self, village: str, key: str, districts: set[str]) -> Match:
        pool = [v for d in districts for v in self.by_district.get(d, {}).values()]
        exact = {v.code for v in pool if v.name == village.strip()}
        if len(exact) == 1:
            return Match(exact.pop(), "name_exact", 1.0)
        same = {v.code for v in pool if v.key == key}
        if len(same) == 1:
            return Match(same.pop(), "name_normalised", 1.0)
        if len(same) > 1:
            return Match(None, "ambiguous", 1.0, sorted(same))
        loose = {v.code for v in pool if loose_key(v.key) == loose_key(key)}
        if len(loose) == 1:
            return Match(loose.pop(), "name_normalised", 0.98)
        return self._fuzzy(key, pool)

    def _fuzzy(self, key: str, pool: list[_Village]) -> Match:
        best_by_code: dict[str, float] = {}
        for v in pool:
            score = fuzz.ratio(key, v.key)
            best_by_code[v.code] = max(best_by_code.get(v.code, 0.0), score)
        ranked = sorted(best_by_code.items(), key=lambda kv: -kv[1])
        if not ranked or ranked[0][1] < 75:
            return Match(None, "unmatched", ranked[0][1] / 100 if ranked else 0.0,
                         [c for c, s in ranked[:3] if s >= 60])
        top, runner = ranked[0][1], (ranked[1][1] if len(ranked) > 1 else 0.0)
        if top >= FUZZY_ACCEPT and top - runner >= FUZZY_MARGIN:
            return Match(ranked[0][0], "name_fuzzy", round(top / 100, 3))
        return Match(None, "ambiguous", round(top / 100, 3), [c for c, s in ranked[:3] if s >= top - FUZZY_MARGIN])

    def describe(self, code: str) -> str:
        """'Village, District, Regency' for reports and review queues."""
        parts = [code, code[:8], code[:5]]
        return ", ".join(self.full_name.get(p, p) for p in parts)

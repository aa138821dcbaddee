"""The matching cascade: every place an agency wrote, to one current Kemendagri village code.

Order, first answer wins:
1. a code in any form (clean_code undoes Excel): dotted Kemendagri (any decree, carried to the current
   code); bare 10 digits looked up as Kemendagri and as BPS (through the bridging), settled by the row's
   village name when both fit, else ambiguous;
2. the scope from the row's hierarchy: district (any decree's name), else the police sector's district,
   within the regency when given; an unknown district leaves the regency; a district of another regency
   adds its own area to the regency's (a village in both is ambiguous); nothing leaves the country;
3. the name in that scope: exact or normalised (names.name_key) against the decree valid at the row's
   year first, then against other decrees' and BPS's names; then the looser key (j = y, Bhakti = Bakti);
4. a steward's alias for that name in that scope (or marked "not a village"), where the name found none
   or several;
5. other readings of the name: in capitals without its glued prefix or with its glued numeral as a number
   (DESASUKAMAJU, BANJARXII); number words as numbers or the reverse (DOLOK MERANGIR SATU = Dolok Merangir I);
   without a regional word for village (BARO = Gampong Baro), when together they pick out one village;
6. fuzzy within a district or regency only (never nationwide), on edit distance between keys (two
   neighbouring letters swapped count as one edit: optimal string alignment), among
   villages carrying the same numbers (Ketapang I is never Ketapang II), accepted only when close and
   at least FUZZY_MARGIN edits nearer than any other village.
Everything else is `ambiguous` (with candidates) or `unmatched`: never a guess.
"""
from __future__ import annotations

import re
from collections import defaultdict
from functools import partial
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from assets.harmonise.aliases import NOT_A_VILLAGE, Alias
from assets.harmonise.codes import clean_code, dotted_code
from assets.harmonise.gazetteer import Gazetteer
from assets.harmonise.names import (loose_key, name_key, number_readings, spelled_key, split_names, variant_keys,
                                    word_readings)

FUZZY_SHARE = 0.4        # a fuzzy match may need edits up to this share of the name's letters ...
FUZZY_MARGIN = 1         # ... and the runner-up must need more edits, and at least twice as many


def fuzzy_allowance(key: str) -> int:
    return max(1, int(len(key) * FUZZY_SHARE))


def clearly_ahead(best: int, runner_up: int) -> bool:
    return runner_up - best >= max(FUZZY_MARGIN, best)


@dataclass
class Match:
    village_code: str | None
    method: str      # kemendagri_code, bps_code, (+name), name_exact, name_normalised, steward_alias, name_fuzzy,
                     # not_a_village, ambiguous, unmatched
    score: float
    candidates: list[str] = field(default_factory=list)
    scope: str = ""  # narrowest area the row's hierarchy resolved to ("" = the whole country)


class Matcher:
    def __init__(self, gazetteer: Gazetteer, aliases: list[Alias] | None = None):
        self.gazetteer = gazetteer
        self.current_version = gazetteer.current_version
        self.memo: dict[tuple, Match] = {}      # (place tuple, decree version) -> Match, across files
        areas = gazetteer.areas
        current = areas[areas["version"] == self.current_version]
        current_villages = set(current.loc[current["level"] == "village", "code"])
        recoded = gazetteer.to_current()
        villages = areas[areas["level"] == "village"]
        successors = [recoded.get(c, c) for c in villages["code"]]
        # Any decree's village code -> its current code (retired codes without a successor are left out).
        self.successor = {c: s for c, s in zip(villages["code"], successors) if s in current_villages}
        # District / regency codes of any decree -> the current ones their villages are in now.
        self.district_now: dict[str, set[str]] = defaultdict(set)
        self.regency_now: dict[str, set[str]] = defaultdict(set)
        for code, now in self.successor.items():
            self.district_now[code[:8]].add(now[:8])
            self.regency_now[code[:5]].add(now[:5])
        for code in current.loc[current["level"] == "district", "code"]:
            self.district_now[code].add(code)
        # Name indexes per current district: key -> {code: versions where the name holds}.
        # (partial, not lambda: a built matcher is pickled and reused while its inputs are unchanged)
        self.names: dict[str, dict[str, dict[str, set[str]]]] = defaultdict(partial(defaultdict, dict))
        self.loose: dict[str, dict[str, set[str]]] = defaultdict(partial(defaultdict, set))
        self.as_spelled: dict[str, set[tuple[str, str]]] = defaultdict(set)   # district -> (spelled key, code)
        # district -> reading -> codes: official names without a leading regional word ("Gampong Baro" read
        # "Baro") and each of two names written "A/B", tried after the name itself
        self.readings: dict[str, dict[str, set[str]]] = defaultdict(partial(defaultdict, set))
        self.names_of: dict[str, set[str]] = defaultdict(set)
        self.spelled: dict[str, set[str]] = defaultdict(set)   # code -> official spellings (case-folded)
        self.official_names: dict[str, list[str]] = defaultdict(list)   # code -> its names in every decree
        for code, name, version in zip(villages["code"], villages["name"], villages["version"]):
            if (now := self.successor.get(code)):
                self._add_name(now, name, version)
                self.spelled[now].add(_folded(name))
                self.official_names[now].append(name)
        self.bps: dict[str, set[str]] = defaultdict(set)
        bridging = gazetteer.bridging
        for bps_code, kemendagri, level, bps_name, alt in zip(
                bridging["bps_code"], bridging["kemendagri_code"], bridging["level"], bridging["bps_name"],
                bridging.get("bps_name_alt", [""] * len(bridging))):
            now = self.successor.get(recoded.get(kemendagri, kemendagri))
            if level == "village" and now:
                self.bps[bps_code].add(now)
                for name in [bps_name, *str(alt or "").split("; ")]:
                    if name:
                        self._add_name(now, name, "bps")
        self.pool: dict[str, tuple[list[str], list[str]]] = {}    # district -> (keys, codes), for fuzzy
        for district, by_key in self.names.items():
            pairs = sorted({(k, c) for k, codes in by_key.items() for c in codes} | self.as_spelled[district])
            self.pool[district] = ([k for k, _ in pairs], [c for _, c in pairs])
        self.districts: dict[str, set[str]] = defaultdict(set)   # district name key -> current district codes
        self.regencies: dict[str, set[str]] = defaultdict(set)   # regency name key -> current regency codes
        self.full_name: dict[str, str] = {}
        for code, name, level, version in zip(areas["code"], areas["name"], areas["level"], areas["version"]):
            if level == "district":
                self.districts[name_key(name)] |= self.district_now.get(code, set())
            elif level == "regency":
                now = self.regency_now.get(code, {code})
                self.regencies[name_key(name, regency=True)] |= now
                self.regencies[name_key(name)] |= now        # "Kota Bogor" apart from "Kabupaten Bogor"
            if version == self.current_version:
                self.full_name[code] = name
        self.regency_districts: dict[str, set[str]] = defaultdict(set)
        for district in self.names:
            self.regency_districts[district[:5]].add(district)
        self._pools: dict[frozenset, tuple[list[str], list[str]]] = {}
        self._scopes: dict[tuple, tuple] = {}
        self.aliases = {(a.scope_code, a.name_key): a for a in sorted(aliases or [], key=lambda a: a.decided_at)}

    def _add_name(self, code: str, name: str, version: str) -> None:
        key = name_key(name)
        if key:
            self.names[code[:8]][key].setdefault(code, set()).add(version)
            self.loose[code[:8]][loose_key(key)].add(code)
            self.names_of[code].add(key)
            if (spelled := spelled_key(name)) != key:
                self.as_spelled[code[:8]].add((spelled, code))
            for reading in word_readings(name):      # not number readings: "X Satu" is not "X I"
                self.readings[code[:8]][reading].add(code)

    # -- scope ---------------------------------------------------------------------------------------
    def regency_scope(self, regency: str | None) -> set[str] | None:
        if not regency:
            return None
        return self.regencies.get(name_key(regency)) or self.regencies.get(name_key(regency, regency=True)) or None

    def district_scope(self, district: str | None, police_sector: str | None,
                       regencies: set[str] | None) -> set[str] | None:
        """Current districts the row's district (or, failing that, its police sector) names."""
        for text in (district, police_sector):
            found = self.districts.get(name_key(text), set()) if text else set()
            if regencies:
                found = {d for d in found if d[:5] in regencies}
            if found:
                return found
        if district and regencies:      # a district spelt otherwise ("Silau Kahean" for Silou Kahean)
            return self._district_nearest(name_key(district), regencies)
        return None

    def _district_nearest(self, key: str, regencies: set[str]) -> set[str] | None:
        """The one district of the regencies whose name is clearly nearest the key (the same fuzzy rule as for
        villages, at half the allowance: district names are few and short), else None."""
        keys, codes = [], []
        for name, found in self.districts.items():
            for code in found:
                if code[:5] in regencies:
                    keys.append(name)
                    codes.append(code)
        best: dict[str, int] = {}
        for _, distance, i in process.extract(key, keys, scorer=OSA.distance, limit=None,
                                              score_cutoff=fuzzy_allowance(key) + FUZZY_MARGIN):
            best[codes[i]] = min(distance, best.get(codes[i], 99))
        ranked = sorted(best.values())
        if ranked and ranked[0] <= max(1, fuzzy_allowance(key) // 2) and \
                clearly_ahead(ranked[0], ranked[1] if len(ranked) > 1 else 99):
            return {min(best, key=best.get)}
        return None

    def _scope(self, district: str | None, police_sector: str | None, regency: str | None):
        """(current districts to search or None for the whole country, the narrowest single area's code,
        the regencies named)."""
        regencies = self.regency_scope(regency)
        districts = self.district_scope(district, police_sector, regencies)
        named = self.districts.get(name_key(district), set()) if district and regencies else set()
        if named and not any(d[:5] in regencies for d in named):
            # The district is a real one, of another regency than the row's (a Polres Bangka report naming a
            # Kecamatan of Belitung): both areas are searched, so a village found in each is ambiguous with
            # both candidates, never placed in the regency alone.
            within = districts or {d for r in regencies for d in self.regency_districts.get(r, ())}
            return within | named, "", regencies
        if districts:
            scope_code = next(iter(districts)) if len(districts) == 1 else ""
            if not scope_code and regencies and len(regencies) == 1:
                scope_code = next(iter(regencies))
            return districts, scope_code, regencies
        if regencies:
            scope = {d for r in regencies for d in self.regency_districts.get(r, ())}
            return scope, (next(iter(regencies)) if len(regencies) == 1 else ""), regencies
        return None, "", None

    def version_for(self, year: int | None) -> str:
        return self.current_version if year is None else self.gazetteer.version_for_year(year)

    # -- cascade -------------------------------------------------------------------------------------
    def match(self, code: str | None = None, village: str | None = None, district: str | None = None,
              regency: str | None = None, police_sector: str | None = None, year: int | None = None) -> Match:
        key = name_key(village) if village else ""
        by_code = None
        if code and clean_code(code):
            by_code = self._by_code(clean_code(code), key)
            if by_code.method != "unmatched" and (by_code.score >= 1.0 or not key):
                return by_code
            if by_code.method == "unmatched":
                by_code = None
        if not key:
            return Match(None, "unmatched", 0.0)
        hierarchy = (district, police_sector, regency)
        if hierarchy not in self._scopes:
            self._scopes[hierarchy] = self._scope(*hierarchy)
        scope, scope_code, regencies = self._scopes[hierarchy]
        found = self._by_name(str(village), key, scope, self.version_for(year))
        if by_code is not None:
            # The code names another village than the row's name does: which is right is not guessed.
            # A name that places nowhere (a spelling, a rename) leaves the code's village, flagged.
            if found is not None and found.village_code and found.village_code != by_code.village_code:
                return Match(None, "ambiguous", 0.0, sorted([by_code.village_code, found.village_code]),
                             scope=scope_code)
            return by_code
        if found is None or found.method == "ambiguous":      # a steward's decision settles an ambiguity too
            found = self._by_alias(key, scope_code, regencies) or found
        if found is None:
            found = self._by_variant(str(village), scope, self.version_for(year))
        if found is None:
            found = self._fuzzy(key, scope, str(village)) if scope else Match(None, "unmatched", 0.0)
        found.scope = scope_code
        return found

    def _by_code(self, code: str, key: str) -> Match:
        digits = re.sub(r"\D", "", code)
        options: dict[str, str] = {}
        if "." in code:            # only Kemendagri codes are written with dots
            if (now := self.successor.get(dotted_code(code))):
                options[now] = "kemendagri_code"
        elif len(digits) == 10:
            if (now := self.successor.get(dotted_code(digits))):
                options[now] = "kemendagri_code"
            for now in sorted(self.bps.get(digits, ())):
                options.setdefault(now, "bps_code")
        if not options:
            return Match(None, "unmatched", 0.0)
        if len(options) == 1:
            (found, method), = options.items()
            return Match(found, method, 1.0 if not key or self._named(found, key) else 0.9)
        # A bare 10-digit code that is one village's Kemendagri code and another's BPS code (or a BPS code
        # bridged to several villages): the row's village name settles it, else it stays ambiguous.
        by_name = [c for c in options if key and self._named(c, key)]
        if len(by_name) == 1:
            return Match(by_name[0], options[by_name[0]] + "+name", 1.0)
        return Match(None, "ambiguous", 0.0, sorted(options))

    def _named(self, code: str, key: str) -> bool:
        return key in self.names_of[code] or loose_key(key) in {loose_key(k) for k in self.names_of[code]}

    def _scope_districts(self, scope: set[str] | None):
        return scope if scope is not None else self.names.keys()

    def _by_name(self, village: str, key: str, scope: set[str] | None, version: str) -> Match | None:
        hits: dict[str, set[str]] = {}
        for district in self._scope_districts(scope):
            for code, versions in self.names.get(district, {}).get(key, {}).items():
                hits.setdefault(code, set()).update(versions)
        if hits:
            valid = sorted(c for c, versions in hits.items() if version in versions)
            chosen = valid or sorted(hits)
            if len(chosen) > 1:
                return Match(None, "ambiguous", 1.0, chosen)
            code = chosen[0]
            if _folded(village) in self.spelled[code] and valid:
                return Match(code, "name_exact", 1.0)
            return Match(code, "name_normalised", 1.0 if valid else 0.97)
        loose = loose_key(key)
        near = sorted({c for d in self._scope_districts(scope) for c in self.loose.get(d, {}).get(loose, ())})
        if len(near) == 1:
            return Match(near[0], "name_normalised", 0.95)
        if len(near) > 1:
            return Match(None, "ambiguous", 0.95, near)
        return None

    def _by_variant(self, village: str, scope: set[str] | None, version: str) -> Match | None:
        """A name in capitals read with its glued prefix taken off or its trailing numeral as a number, and any
        name read with its number words as numbers (or the reverse) or without a regional word for village
        (names.variant_keys), against official names and their own such readings: placed only when every
        reading that fits names the same one village."""
        def hits(keys) -> set[str]:
            found = [m for k in keys if (m := self._by_name(village, k, scope, version))]
            return ({c for m in found for c in ([m.village_code] if m.village_code else m.candidates)} |
                    {c for d in self._scope_districts(scope) for k in keys for c in self.readings.get(d, {}).get(k, ())})
        parts = set(split_names(village))
        codes = hits([name_key(village), *(k for k in variant_keys(village) if k not in parts)])
        # Two names written "A/B": each must name a village, and the same one ("WAMESA II / IDOR" is two).
        each = [hits([part]) for part in parts]
        if each and all(each):
            codes |= set.union(*each)
        codes = sorted(codes)
        if len(codes) == 1:
            return Match(codes[0], "name_normalised", 0.93)
        return Match(None, "ambiguous", 0.9, codes) if codes else None

    def _by_alias(self, key: str, scope_code: str, regencies: set[str] | None) -> Match | None:
        scopes = [scope_code, scope_code[:5], *(sorted(regencies or ())), ""]
        for scope in dict.fromkeys(scopes):
            alias = self.aliases.get((scope, key))
            if alias is not None:
                if alias.village_code == NOT_A_VILLAGE:
                    return Match(None, "not_a_village", 1.0)
                now = self.successor.get(alias.village_code)
                if now:
                    return Match(now, "steward_alias", 1.0)
        return None

    def _pool_of(self, scope) -> tuple[list[str], list[str]]:
        """Keys and codes of every name in the scope's districts, built once per scope."""
        scope = frozenset(scope)
        if scope not in self._pools:
            keys, codes = [], []
            for district in sorted(scope):
                k, c = self.pool.get(district, ([], []))
                keys += k
                codes += c
            self._pools[scope] = (keys, codes)
        return self._pools[scope]

    def _fuzzy(self, key: str, scope: set[str], village: str = "") -> Match:
        """Nearest villages by edit distance (OSA) within the scope, from the key, the key as spelled (old
        spelling kept: "Purwoejo" is Purworejo less one letter) and the name's other readings
        (names.variant_keys; not its number readings: "X I" and "X Satu" may be two villages), each against
        official names folded and as spelled; a village's distance is its nearest reading's."""
        keys, codes = self._pool_of(scope)
        if not keys:
            return Match(None, "unmatched", 0.0)
        allowed = fuzzy_allowance(key)
        best: dict[str, int] = {}
        other = set(number_readings(village)) if village else set()     # two villages "X I" and "X Satu" exist
        tried = dict.fromkeys([key, spelled_key(village) if village else key,
                               *(r for r in (variant_keys(village) if village else ()) if r not in other)])
        for reading in tried:
            numbers = _NUMBERS.findall(reading)
            for choice, distance, i in process.extract(reading, keys, scorer=OSA.distance, limit=None,
                                                       score_cutoff=2 * allowed + FUZZY_MARGIN):
                if distance < best.get(codes[i], 99) and _NUMBERS.findall(choice) == numbers:
                    best[codes[i]] = distance
        ranked = sorted(best.items(), key=lambda kv: (kv[1], kv[0]))
        if not ranked:
            return Match(None, "unmatched", 0.0)
        code, d1 = ranked[0]
        d2 = ranked[1][1] if len(ranked) > 1 else 99
        score = round(1 - d1 / max(len(key), 1), 3)
        if d1 <= allowed and clearly_ahead(d1, d2):
            return Match(code, "name_fuzzy", score)
        near = [c for c, d in ranked if d <= d1 + 1][:5]
        if d1 <= allowed:
            return Match(None, "ambiguous", score, near)
        return Match(None, "unmatched", score, [c for c, _ in ranked[:3]])

    # -- for people ----------------------------------------------------------------------------------
    def suggestions(self, village: str, scope_code: str, limit: int = 5) -> list[tuple[str, float]]:
        """Closest villages to a name within a scope (a district or regency code; '' = nationwide), for the
        steward's review queue: (code, similarity 0..1), best first."""
        key = name_key(village)
        scope = ({scope_code} if len(scope_code) == 8 else self.regency_districts.get(scope_code, set())
                 if scope_code else set(self.pool))
        keys, codes = self._pool_of(scope)
        best: dict[str, float] = {}
        for _, distance, i in process.extract(key, keys, scorer=OSA.normalized_distance,
                                              limit=limit * 4):
            best[codes[i]] = max(best.get(codes[i], 0.0), round(1 - distance, 3))
        return sorted(best.items(), key=lambda kv: -kv[1])[:limit]

    def describe(self, code: str) -> str:
        """'Village, District, Regency, Province' for reports and review queues; a village renamed by a decree
        shows its earlier names: 'Gangkutas (formerly Tanjung Selan), Bukit Ulin, ...'."""
        parts = dict.fromkeys(p for p in (code, code[:8], code[:5], code[:2]) if p)
        named = [self.full_name.get(p, p) for p in parts]
        earlier = [n for n in dict.fromkeys(self.official_names.get(code, ())) if _folded(n) != _folded(named[0])]
        if earlier:
            named[0] += f" (formerly {' / '.join(earlier)})"
        return ", ".join(named)


_NUMBERS = re.compile(r"\d+")


def _folded(name: str) -> str:
    return " ".join(str(name).split()).casefold()

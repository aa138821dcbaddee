"""Near-misses for the steward: places written so that jembatan must not guess, although a person who knows
the area would accept one village. Written into the Polda Babel crime file in place of some invented places,
and listed in the ground truth (`near_misses.csv`) with the village they mean, so that a test can drive the
steward's review loop as a steward would: find each in the review queue, accept the village meant, sync again.

Three kinds, each built from the sample's own gazetteer traps:
- `misspelled`: one of a near pair (two villages of a district one letter apart) with two more letters wrong:
  two edits from the village meant and three from its neighbour, too close to tell apart;
- `renamed`: the old name of the village renamed by the 2023 decree, written in 2024 with two letters wrong, as
  close to another village of its district as a guess would need;
- `two_districts`: a name that two districts of one regency share, written without district or Polsek (only
  the Polres in the report number scopes it).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from .model import Gazetteer, Village
from .spelling import levenshtein, skeleton

KINDS = ("misspelled", "renamed", "two_districts")
VOWELS = "aeiou"


@dataclass(frozen=True)
class NearMiss:
    kind: str
    village: Village        # the village meant
    written: str            # the place as the clerk wrote it
    year: int               # the sheet (year) it is written in
    with_district: bool     # whether the row names the district and Polsek


def near_misses(gaz: Gazetteer, rng: random.Random) -> list[NearMiss]:
    """One near-miss of each kind from the Babel part of the sample gazetteer (deterministic for a seed)."""
    villages = gaz.villages("19")
    return [_misspelled(villages, rng), _renamed(villages, rng), _two_districts(villages, rng)]


def _district_names(v: Village) -> list[str]:
    """Every name (any decree) of the other villages of v's district, as skeletons."""
    names = []
    for other in v.district.villages:
        if other is not v:
            names += [skeleton(n) for n in (other.name, other.old_name) if n]
    return names


def _two_letters_wrong(name: str, rng: random.Random, keep: set[int] = frozenset()) -> list[str]:
    """Spellings of `name` with two of its vowels (not at the positions in `keep`) changed, in random order."""
    spots = [i for i, c in enumerate(name) if c in VOWELS and i > 0 and i not in keep]
    out = []
    for i in spots:
        for j in spots:
            if i < j:
                for a in VOWELS.replace(name[i], ""):
                    for b in VOWELS.replace(name[j], ""):
                        out.append(name[:i] + a + name[i + 1:j] + b + name[j + 1:])
    rng.shuffle(out)
    return out


def _misspelled(villages: list[Village], rng: random.Random) -> NearMiss:
    pairs = sorted(((x, y) for x in villages for y in x.district.villages
                    if x is not y and {"near_pair"} <= x.tags and {"near_pair"} <= y.tags and x.code < y.code),
                   key=lambda p: p[0].code)
    for x, y in pairs:
        differ = {i for i, (a, b) in enumerate(zip(x.name, y.name)) if a != b}
        if len(x.name) != len(y.name) or len(differ) != 1:
            continue
        others = [n for n in _district_names(x) if n != skeleton(y.name)]
        for written in _two_letters_wrong(x.name, rng, keep=differ):
            s = skeleton(written)
            if levenshtein(s, skeleton(x.name)) == 2 and levenshtein(s, skeleton(y.name)) == 3 and \
                    min(levenshtein(s, n) for n in others) >= 4:
                return NearMiss("misspelled", x, written, 2022, True)
    raise RuntimeError("no near pair to misspell")


def _renamed(villages: list[Village], rng: random.Random) -> NearMiss:
    v = next(v for v in villages if "renamed" in v.tags)
    new = skeleton(v.name)
    others = _district_names(v)
    for written in _two_letters_wrong(v.old_name, rng):
        s = skeleton(written)
        if levenshtein(s, skeleton(v.old_name)) == 2 and levenshtein(s, new) >= 4 and \
                min(levenshtein(s, n) for n in others) == 3:
            return NearMiss("renamed", v, written, 2024, True)
    raise RuntimeError("no spelling of the renamed village's old name that a matcher must not guess")


def _two_districts(villages: list[Village], rng: random.Random) -> NearMiss:
    by_name: dict[tuple[str, str], list[Village]] = {}
    for v in villages:
        by_name.setdefault((v.regency.code, v.name), []).append(v)
    shared = sorted((vs for vs in by_name.values() if len(vs) == 2 and vs[0].district is not vs[1].district),
                    key=lambda vs: vs[0].code)
    if not shared:
        raise RuntimeError("no name shared by two districts of one regency")
    v = rng.choice(rng.choice(shared))
    return NearMiss("two_districts", v, v.name, 2023, False)

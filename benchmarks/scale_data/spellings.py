"""How the agencies write each village and district: the official name most of the time, otherwise
one of a few variants made once per place with ``sample_data.spelling`` (case, Desa/Ds./Kel. prefixes,
joined words, old spelling, abbreviations), all of which normalise back to the official name."""
from __future__ import annotations

import random

import numpy as np

from sample_data.rng import streams
from sample_data.spelling import district_variant, skeleton, variant

from .places import Places

VARIANTS = 4               # written forms kept per place; rows pick among them
P_VILLAGE_VARIANT = 0.2
P_DISTRICT_VARIANT = 0.3


def _village_forms(name: str, vtype: str, safe: bool, rng: random.Random) -> list[str]:
    forms = []
    for _ in range(VARIANTS):
        try:
            forms.append(variant(name, vtype, rng, safe=safe))
        except AssertionError:
            # a few real names (odd letter pairs) do not survive a rule; keep their official spelling
            forms.append(name)
    return forms


class Spellings:
    def __init__(self, places: Places, seed: int):
        rng, _ = streams(seed, "spellings")
        v = places.villages
        self.village = v["name"].to_numpy(dtype=object)
        # two villages of one district that normalise alike get no core rewrites (it would only
        # add ambiguity the official names already have)
        skel = v["district_code"] + "|" + v["name"].map(skeleton)
        safe = skel.duplicated(keep=False).to_numpy()
        self.village_forms = np.array([_village_forms(n, t, s, rng) for n, t, s in
                                       zip(self.village, v["vtype"], safe)], dtype=object).reshape(len(v), VARIANTS)
        codes, self.district_of = np.unique(v["district_code"].to_numpy(), return_inverse=True)
        first = np.unique(self.district_of, return_index=True)[1]
        self.district = v["district_name"].to_numpy(dtype=object)[first]
        self.district_forms = np.array([[district_variant(d, rng) for _ in range(VARIANTS)] for d in self.district],
                                       dtype=object).reshape(len(codes), VARIANTS)

    def villages(self, idx: np.ndarray, npg: np.random.Generator, p: float = P_VILLAGE_VARIANT) -> np.ndarray:
        """Written village names for row villages ``idx``."""
        form = self.village_forms[idx, npg.integers(0, VARIANTS, len(idx))]
        return np.where(npg.random(len(idx)) < p, form, self.village[idx])

    def districts(self, idx: np.ndarray, npg: np.random.Generator, p: float = P_DISTRICT_VARIANT) -> np.ndarray:
        """Written district names for row villages ``idx``."""
        d = self.district_of[idx]
        form = self.district_forms[d, npg.integers(0, VARIANTS, len(idx))]
        return np.where(npg.random(len(idx)) < p, form, self.district[d])

    def district_name(self, idx: np.ndarray) -> np.ndarray:
        return self.district[self.district_of[idx]]

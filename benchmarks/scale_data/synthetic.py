"""An invented gazetteer of any size for machines without the national lists: same CSV layout,
a 2022 and a 2025 version (1% of villages renamed), no bridging (so MSME files carry Kemendagri codes).
Proportions follow the national list: ~11.5 villages per district, ~163 per regency, <= 38 provinces."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sample_data import names
from sample_data.rng import streams
from sample_data.spelling import canonical_ok, skeleton

from .places import COLUMNS, LISTS, Places, polres_name

VILLAGES_PER_DISTRICT = 11.5
VILLAGES_PER_REGENCY = 163
REGENCIES_PER_PROVINCE = 13.5
HEADER = "level,kemendagri_code,name,parent_code,village_type"


def _unique(make, taken: set[str]) -> str:
    """A fresh canonical name whose skeleton is not taken yet (names are unique within their parent)."""
    while True:
        name = make()
        if canonical_ok(name) and skeleton(name) not in taken:
            taken.add(skeleton(name))
            return name


def synthetic_places(n_villages: int, seed: int) -> Places:
    rng, npg = streams(seed, "synthetic-gazetteer")
    n_reg = max(1, round(n_villages / VILLAGES_PER_REGENCY))
    n_prov = min(38, max(1, math.ceil(n_reg / REGENCIES_PER_PROVINCE)))
    reg_sizes = [len(a) for a in np.array_split(np.arange(n_villages), n_reg)]
    reg_of_prov = np.array_split(np.arange(n_reg), n_prov)
    rows, lines22, lines25 = [], [], []
    prov_taken: set[str] = set()
    reg_taken: set[str] = set()
    for p, regs in enumerate(reg_of_prov):
        pcode = f"{11 + p:02d}"
        pname = _unique(lambda: names.syllable_word(rng), prov_taken)
        lines22.append(f"province,{pcode},{pname.upper()},,")
        lines25.append(f"province,{pcode},{pname},,")
        style = "java" if p % 3 == 1 else "malay"
        for k, r in enumerate(regs):
            rcode = f"{pcode}.{k + 1:02d}"
            short = _unique(lambda: names.syllable_word(rng), reg_taken)
            rname = f"Kabupaten {short}"
            lines22.append(f"regency,{rcode},KAB. {short.upper()},{pcode},")
            lines25.append(f"regency,{rcode},{rname},{pcode},")
            n_dist = max(1, round(reg_sizes[r] / VILLAGES_PER_DISTRICT))
            dist_taken: set[str] = set()
            for d, size in enumerate(len(a) for a in np.array_split(np.arange(reg_sizes[r]), n_dist)):
                dcode = f"{rcode}.{d + 1:02d}"
                dname = _unique(lambda: names.district_name(rng, style), dist_taken)
                lines22.append(f"district,{dcode},{dname},{rcode},")
                lines25.append(f"district,{dcode},{dname},{rcode},")
                village_taken: set[str] = set()
                n_kel = int(npg.binomial(size, 0.1))
                for j in range(size):
                    kel = j < n_kel
                    vcode = f"{dcode}.{1 if kel else 2}{(j if kel else j - n_kel) + 1:03d}"
                    make = (lambda: names.java_name(rng)) if style == "java" else (lambda: names.malay_name(rng))
                    vname = _unique(make, village_taken)
                    vtype = "kelurahan" if kel else "desa"
                    lines22.append(f"village,{vcode},{vname},{dcode},{vtype}")
                    # the newer decree renames a few villages
                    new_name = _unique(make, village_taken) if rng.random() < 0.01 else vname
                    lines25.append(f"village,{vcode},{new_name},{dcode},{vtype}")
                    rows.append((vcode, vname, vtype, dcode, dname, rcode, rname, pcode, pname))
    villages = pd.DataFrame(rows, columns=COLUMNS[:9])
    villages["kode_wilayah"] = villages["code"].str.replace(".", "", regex=False)
    villages["polres"] = villages["regency_name"].map(polres_name)
    reference = {LISTS[2022]: [HEADER] + sorted(lines22, key=lambda s: s.split(",")[1]),
                 LISTS[2025]: [HEADER] + sorted(lines25, key=lambda s: s.split(",")[1])}
    return Places("synthetic", villages[COLUMNS], n_villages, reference)

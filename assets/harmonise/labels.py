"""The one way a village is named in a template's dropdown, and reading that name back.

A village name repeats across districts ("Air Duren" in Mendo Barat and in Pemali), so the dropdown
names each village with its district, "Air Duren (Kec. Pemali)", and with its regency too where the
district name repeats as well, "Sukamaju (Kec. Cibeber, Kabupaten Cianjur)", and with its code where a
desa and a kelurahan share a name in one district. Ingest reads that form back as the village name scoped
to that district (and regency, or by that code), so a village picked from the list is never ambiguous.
"""
from __future__ import annotations

import re

import pandas as pd

AREA = r"(?:[^,()]|\([^()]*\))+?"          # a name, with at most one bracket of its own: "Misool (Misool Utara)"
LABEL = re.compile(rf"^\s*(?P<village>.+?)\s*\(\s*Kec\.\s*(?P<district>{AREA})\s*"
                   rf"(?:,\s*(?!kode\s)(?P<regency>{AREA})\s*)?(?:,\s*kode\s+(?P<code>[\d.]+)\s*)?\)\s*$",
                   re.IGNORECASE)


def village_label(name: str, district: str, regency: str | None = None, code: str | None = None) -> str:
    """'Air Duren', 'Pemali' -> 'Air Duren (Kec. Pemali)'; with a regency -> 'X (Kec. D, Kabupaten R)'; with
    a code too (a desa and a kelurahan of one name in one district) -> 'X (Kec. D, Kabupaten R, kode C)'."""
    parts = [f"Kec. {district}", *([regency] if regency else []), *([f"kode {code}"] if code else [])]
    return f"{name} ({', '.join(parts)})"


def village_labels(villages: pd.DataFrame) -> pd.Series:
    """villages (name, district, regency, code): one label per row, each a different text."""
    with_regency = villages.duplicated(["name", "district"], keep=False)
    with_code = villages.duplicated(["name", "district", "regency"], keep=False)
    return pd.Series([village_label(n, d, r if wide else None, c if twin else None) for n, d, r, c, wide, twin in
                      zip(villages["name"], villages["district"], villages["regency"], villages["code"],
                          with_regency, with_code)], index=villages.index, dtype=object)


def parse_village_label(text) -> tuple[str, str, str | None, str | None] | None:
    """'Air Duren (Kec. Pemali)' -> ('Air Duren', 'Pemali', None, None); 'X (Kec. D, R)' -> ('X', 'D', 'R',
    None); 'X (Kec. D, R, kode C)' -> ('X', 'D', 'R', 'C'); anything else -> None."""
    if not isinstance(text, str) or "kec." not in text.lower():
        return None
    found = LABEL.match(text)
    return (found["village"], found["district"], found["regency"], found["code"]) if found else None

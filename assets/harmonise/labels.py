"""The one way a village is named in a template's dropdown, and reading that name back.

A village name repeats across districts ("Air Duren" in Mendo Barat and in Pemali), so the dropdown
names each village with its district, "Air Duren (Kec. Pemali)", and with its regency too where the
district name repeats as well, "Sukamaju (Kec. Cibeber, Kabupaten Cianjur)". Ingest reads that form back
as the village name scoped to that district (and regency), so a village picked from the list is never
ambiguous.
"""
from __future__ import annotations

import re

import pandas as pd

LABEL = re.compile(r"^\s*(?P<village>.+?)\s*\(\s*Kec\.\s*(?P<district>[^,()]+?)\s*(?:,\s*(?P<regency>[^,()]+?)\s*)?\)\s*$",
                   re.IGNORECASE)


def village_label(name: str, district: str, regency: str | None = None) -> str:
    """'Air Duren', 'Pemali' -> 'Air Duren (Kec. Pemali)'; with a regency -> 'X (Kec. D, Kabupaten R)'."""
    return f"{name} (Kec. {district}, {regency})" if regency else f"{name} (Kec. {district})"


def village_labels(villages: pd.DataFrame) -> pd.Series:
    """villages (name, district, regency): one label per row, unique where (name, district, regency) is."""
    with_regency = villages.duplicated(["name", "district"], keep=False)
    return pd.Series([village_label(n, d, r if wide else None) for n, d, r, wide in
                      zip(villages["name"], villages["district"], villages["regency"], with_regency)],
                     index=villages.index, dtype=object)


def parse_village_label(text) -> tuple[str, str, str | None] | None:
    """'Air Duren (Kec. Pemali)' -> ('Air Duren', 'Pemali', None); 'X (Kec. D, R)' -> ('X', 'D', 'R');
    anything else -> None."""
    if not isinstance(text, str) or "kec." not in text.lower():
        return None
    found = LABEL.match(text)
    return (found["village"], found["district"], found["regency"]) if found else None

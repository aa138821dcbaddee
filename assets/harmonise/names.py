"""Place-name normalisation: the spelling variants agencies really write, folded to one key.

Rules, in order: lower case; prefixes (Desa, Ds., Kelurahan, Kel., Kecamatan, Kec., Polsek, Sektor)
dropped; abbreviations expanded (Sei / S. = Sungai, Tj. = Tanjung, P. = Pulau, Kp. = Kampung,
Gn. = Gunung, Aik = Air); Roman numerals to digits; old spelling (oe dj tj nj sj ch) to the current
one; punctuation and spaces removed, so joined and spaced words meet (Airduren = Air Duren). A bare j
is never rewritten to y in the key: j and y meet only in `loose_key`, which the matcher accepts only
when it singles out one village in the row's scope.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

PREFIXES = re.compile(
    r"^(desa|ds|kelurahan|kel|kelurahan/desa|desa/kelurahan|kecamatan|kec|polsek|polsekta|polsubsektor|sektor|"
    r"kabupaten|kab|kampung adat)\b[\s/.,:-]*")
ABBREVIATIONS = [
    (r"\b(sei|s)\.?\s+", "sungai "), (r"\bsei\b", "sungai"), (r"\b(tj|tg)(\.\s*|\s+)", "tanjung "),
    (r"\bp\.\s*", "pulau "), (r"\bkp\.?\s+", "kampung "), (r"\bgn\.?\s+", "gunung "), (r"\baik\b", "air"),
]
ABBREVIATIONS = [(re.compile(pattern), repl) for pattern, repl in ABBREVIATIONS]
ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9",
         "x": "10", "xi": "11", "xii": "12"}
OLD_SPELLING = [("oe", "u"), ("dj", "j"), ("tj", "c"), ("nj", "ny"), ("sj", "sy"), ("ch", "kh")]


# A Roman numeral glued to the word before it, told by the case change: "WarenII", "Suka RamiIII".
_GLUED_ROMAN = re.compile(r"(?<=[a-z])(?=(?:I{1,3}|IV|VI{0,3}|IX|X)\b)")


def _ascii_lower(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return _SPACES.sub(" ", _GLUED_ROMAN.sub(" ", text).lower()).strip()


_REGENCY_PREFIX = re.compile(r"^(kota|kab|kabupaten)\b\.?\s*")
_PUNCTUATION = re.compile(r"[^a-z0-9\s\-]")
_WORD_BREAK = re.compile(r"[\s\-]+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=500_000)
def name_key(text: str | None, regency: bool = False) -> str:
    if text is None or text != text:     # None or NaN
        return ""
    t = _ascii_lower(text)
    for _ in range(3):                       # "Kelurahan/Desa", "Ds. Kel."
        t = PREFIXES.sub("", t)
    if regency:
        t = _REGENCY_PREFIX.sub("", t)
    for pattern, repl in ABBREVIATIONS:
        t = pattern.sub(repl, t)
    t = " ".join(ROMAN.get(w, w) for w in _WORD_BREAK.split(_PUNCTUATION.sub(" ", t)) if w)
    for old, new in OLD_SPELLING:
        t = t.replace(old, new)
    return t.replace(" ", "")


_ASPIRATED = re.compile(r"([bdgkpt])h")
_DOUBLED = re.compile(r"(.)\1+")


@lru_cache(maxsize=500_000)
def loose_key(key: str) -> str:
    """j and y as one letter, bh dh kh th as b d k t (Bhakti = Bakti), doubled letters single: a second,
    coarser key, trusted only when it singles out one village in the row's scope."""
    return _DOUBLED.sub(r"\1", _ASPIRATED.sub(r"\1", key.replace("y", "j")))

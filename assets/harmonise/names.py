"""Place-name normalisation: the spelling variants agencies really write, folded to one key.

Rules, in order: a prefix, abbreviation or Roman numeral glued to the name is told apart by the case change
(KelurahanSukamaju, DESASukamaju, BanjarXII); lower case, every kind of blank (tab, no-break space) one space;
prefixes (Desa, Ds, Dss., Kelurahan, Keloerahan, Kel., Kecamatan, Kec., Polsek, Sektor) dropped, with or
without a dot or a space after them; abbreviations expanded, with or without a dot (Sei / S. / Sg. = Sungai,
Tj. = Tanjung, P. / Pl. = Pulau, Kp. / Kg. = Kampung, Gn. = Gunung, Dsn. = Dusun, Aik = Air); Roman numerals
(I..XXX) to digits; old spelling (oe dj tj nj sj ch) to the current one; punctuation and spaces removed, so
joined and spaced words meet (Airduren = Air Duren, Banjar12 = Banjar XII). A bare j
is never rewritten to y in the key: j and y meet only in `loose_key`, which the matcher accepts only
when it singles out one village in the row's scope. Number words (satu..sepuluh) and the regional words for
a village (Lembang, Gampong, Nagari, ...) are other readings of a name (readings), not part of its key.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

PREFIXES = re.compile(
    r"^(desa|ds|dss|kelurahan|keloerahan|kel|kelurahan/desa|desa/kelurahan|kecamatan|kec|polsek|polsekta|polsubsektor|sektor|"
    r"kabupaten|kab|kampung adat)\b[\s/.,:-]*(?=\w)")
# Number words, as BPS writes numerals the decree writes as numbers: "Dolok Merangir Satu" = "Dolok
# Merangir I". Not folded in the key (a clerk's "WoloanTiga" or
# "Tigga" would then miss "Woloan Tiga"): read as another reading of the name (number_readings).
NUMBER_WORDS = {"satu": "1", "dua": "2", "tiga": "3", "empat": "4", "lima": "5", "enam": "6", "tujuh": "7",
                "delapan": "8", "sembilan": "9", "sepuluh": "10"}
# Regional words for a village that official lists and BPS write or leave out: "Gampong Baro" = "BARO",
# "LEMBANG BUNTU TANGTI" = "Buntu Tangti". Kept in the key; the name without it is another reading.
REGIONAL_WORDS = ("lembang", "gampong", "nagari", "nagori", "pekon", "tiyuh", "kampung", "meunasah")
ABBREVIATIONS = [
    (r"\b(sei|s|sg)(\.\s*|\s+)", "sungai "), (r"\bsei\b", "sungai"), (r"\b(tj|tg)(\.\s*|\s+)", "tanjung "),
    (r"\b(p|pl)\.\s*", "pulau "), (r"\bpl\s+", "pulau "), (r"\b(kp|kg)(\.\s*|\s+)", "kampung "),
    (r"\bgn(\.\s*|\s+)", "gunung "), (r"\bdsn(\.\s*|\s+)", "dusun "), (r"\baik\b", "air"),
    (r"\bmns(\.\s*|\s+)", "meunasah "),        # Aceh: MNS BLANG IBOIH = Meunasah Blang Iboih
]
ABBREVIATIONS = [(re.compile(pattern), repl) for pattern, repl in ABBREVIATIONS]
_UNITS = ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"]
ROMAN = {"x" * (n // 10) + _UNITS[n % 10]: str(n) for n in range(1, 31)}      # i .. xxx
OLD_SPELLING = [("oe", "u"), ("dj", "j"), ("tj", "c"), ("nj", "ny"), ("sj", "sy"), ("ch", "kh")]


# A Roman numeral glued to the word before it, told by the case change: "WarenII", "Suka RamiIII".
_GLUED_ROMAN = re.compile(r"(?<=[a-z])(?=X{0,3}(?:IX|IV|VI{0,3}|I{1,3})\b|X{1,3}\b)")
# A prefix glued to the name, told by the case change: "KelurahanSukamaju", "DESASukamaju", "DsSukamaju".
_GLUED_PREFIX = re.compile(r"^\s*((?i:kelurahan|keloerahan|desa|dss|ds|kel))(?=[A-Z][a-z])")
# An abbreviation or a Roman numeral glued to the word after it, told by the case change: "SeiTualang",
# "TjMerah", "Pasar VNatal", "Sihare'o IIIBawosalo'o" (a capitalised word after it, never letters of one word).
_GLUED_BEFORE_WORD = re.compile(
    r"\b((?:Sei|SEI|Sg|SG|Tj|TJ|Tg|TG|Kp|KP|Kg|KG|Gn|GN|Pl|PL|Dsn|DSN)\.?|X{0,3}(?:IX|IV|VI{0,3}|I{1,3})|X{1,3})"
    r"(?=[A-Z][a-z])")


# A short name spelt out letter by letter, as BPS writes some ("U R I S A", "B A I"): one word, never Roman
# numerals ("L I U" is Liu, not L 1 U).
_SPACED_LETTERS = re.compile(r"^\s*[A-Za-z](?: [A-Za-z]){2,}\s*$")


def _ascii_lower(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    if _SPACED_LETTERS.match(text):
        text = text.replace(" ", "")
    text = _GLUED_PREFIX.sub(r"\1 ", text)
    text = _GLUED_BEFORE_WORD.sub(r"\1 ", text)
    return _SPACES.sub(" ", _GLUED_ROMAN.sub(" ", text).lower()).strip()


_REGENCY_PREFIX = re.compile(r"^(kota|kab|kabupaten)\b\.?\s*")
_PUNCTUATION = re.compile(r"[^a-z0-9\s\-]")
_WORD_BREAK = re.compile(r"[\s\-]+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=500_000)
def name_key(text: str | None, regency: bool = False) -> str:
    return _old_spelling_folded(spelled_key(text, regency))


@lru_cache(maxsize=500_000)
def spelled_key(text: str | None, regency: bool = False) -> str:
    """name_key before old spelling is folded (oe, dj, tj, nj, sj, ch kept as written): the fuzzy step
    compares both, so that a typo making "oe" ("Purwoejo" for Purworejo) is one edit, not a vowel change."""
    return "".join(_key_words(text, regency))


@lru_cache(maxsize=200_000)
def _key_words(text: str | None, regency: bool = False) -> tuple[str, ...]:
    """The words of spelled_key, before they are joined."""
    if text is None or text != text:     # None or NaN
        return ()
    t = _ascii_lower(text)
    for _ in range(3):                       # "Kelurahan/Desa", "Ds. Kel."
        t = PREFIXES.sub("", t)
    if regency:
        t = _REGENCY_PREFIX.sub("", t)
    for pattern, repl in ABBREVIATIONS:
        t = pattern.sub(repl, t)
    return tuple(ROMAN.get(w, w) for w in _WORD_BREAK.split(_PUNCTUATION.sub(" ", t)) if w)


@lru_cache(maxsize=200_000)
def number_readings(text: str) -> tuple[str, ...]:
    """Keys of the name with its number words as numbers ("DOLOK MERANGIR SATU" = Dolok Merangir I), also
    without a leading regional word. Never the other way: where both "X I" and "X Satu" are villages, "X Satu"
    is the newer one (measured on the real lists: "KOTAKEO I" is Kotakeo, not Kotakeo Satu). Tried for an
    exact hit only."""
    words = _key_words(text)
    readings = []
    if any(w in NUMBER_WORDS for w in words):
        readings.append([NUMBER_WORDS.get(w, w) for w in words])
    if len(words) > 1 and words[0] in REGIONAL_WORDS:
        readings = [*readings, *(r[1:] for r in readings)]
    return _keys(readings, text)


@lru_cache(maxsize=200_000)
def word_readings(text: str) -> tuple[str, ...]:
    """Keys of the name without a leading regional word for village (REGIONAL_WORDS: "Gampong Baro" read
    "Baro", "LEMBANG BUNTU TANGTI" read "Buntu Tangti"), and of each of two names written "A/B"."""
    words = _key_words(text)
    readings = [[p] for p in split_names(text)]
    if len(words) > 1 and words[0] in REGIONAL_WORDS:
        readings.append(list(words[1:]))
    return _keys(readings, text)


@lru_cache(maxsize=200_000)
def split_names(text: str) -> tuple[str, ...]:
    """The keys of the two (or more) names of a place written "A/B" ("MISADWER/MICADIWOR"); () for one name."""
    if "/" not in str(text):
        return ()
    return tuple(p for p in (name_key(part) for part in str(text).split("/")) if len(p) >= 3)


def readings(text: str) -> tuple[str, ...]:
    """Every other reading of a name (word_readings, number_readings): what the matcher tries after the name
    itself, and what the official lists are also indexed by (a decree's "Gampong Baro" is found by "BARO")."""
    return tuple(dict.fromkeys([*word_readings(text), *number_readings(text)]))


def _keys(readings: list[list[str]], text: str) -> tuple[str, ...]:
    key = name_key(text)
    return tuple(dict.fromkeys(k for r in readings if (k := _old_spelling_folded("".join(r))) and k != key))


def _old_spelling_folded(key: str) -> str:
    for old, new in OLD_SPELLING:
        key = key.replace(old, new)
    return key


_ASPIRATED = re.compile(r"([bdgkpt])h")
_DOUBLED = re.compile(r"(.)\1+")


@lru_cache(maxsize=500_000)
def loose_key(key: str) -> str:
    """j and y as one letter, bh dh kh th as b d k t (Bhakti = Bakti), doubled letters single: a second,
    coarser key, trusted only when it singles out one village in the row's scope."""
    numeral = _TRAILING_NUMERAL_LETTERS.search(key)     # "panjiiii" (Panji III glued) keeps its numeral
    head, tail = (key[:numeral.start()], numeral[0]) if numeral else (key, "")
    return _DOUBLED.sub(r"\1", _ASPIRATED.sub(r"\1", head.replace("y", "j"))) + tail


_TRAILING_NUMERAL_LETTERS = re.compile(r"(?<=[a-z])[ivx]*(ii|xx)[ivx]*$")


_KEY_PREFIXES = ("kelurahan", "desa", "dss", "ds", "kel")
# Abbreviations glued to the name in one case, where no case change shows them ("SEITUALANG", "tjmerah").
_GLUED_ABBREVIATIONS = (("sei", "sungai"), ("sg", "sungai"), ("tj", "tanjung"), ("tg", "tanjung"), ("kp", "kampung"),
                        ("kg", "kampung"))


@lru_cache(maxsize=100_000)
def variant_keys(text: str) -> tuple[str, ...]:
    """Other readings of a name written in capitals, where the case change cannot tell a glued prefix,
    abbreviation or Roman numeral apart ("DESASUKAMAJU", "KELSUKAMAJU", "SEITUALANG", "BANJARXII"): the keys
    with the prefix taken off, the abbreviation written out and the trailing numeral read as a number. The matcher tries them only after the name itself found
    nothing, and accepts them only when together they pick out one village."""
    if not (str(text).isupper() or str(text).islower()):      # a case change already told them apart
        return readings(str(text))
    key = name_key(text)
    found = [key[len(p):] for p in _KEY_PREFIXES if key.startswith(p) and len(key) - len(p) >= 3]
    spelled = spelled_key(text)
    for stem in [spelled, *(spelled[len(p):] for p in _KEY_PREFIXES if spelled.startswith(p))]:
        found += [_old_spelling_folded(full + stem[len(short):]) for short, full in _GLUED_ABBREVIATIONS
                  if stem.startswith(short) and not stem.startswith(full) and len(stem) - len(short) >= 4]
    for k in [key, *found]:       # every split of a glued numeral: SANAIII = Sanai II or Sana III
        found += [k[:-n] + ROMAN[k[-n:]] for n in range(1, 6) if len(k) - n >= 3 and k[-n:] in ROMAN]
    return tuple(dict.fromkeys([*(k for k in found if k != key), *readings(str(text))]))

"""How agencies write a place name, and the skeleton used to keep names distinguishable.

Variants only use the documented rules: case, prefixes (Desa/Ds./Kel./Kelurahan),
joined vs spaced words, old spelling (oe/dj/tj/nj/sj/ch), the abbreviations
Sei/S. (Sungai), Tj. (Tanjung), P. (Pulau), Kp. (Kampung), Gn. (Gunung), and
stray spaces.  ``skeleton`` undoes all of them, so every variant of a name has
the same skeleton as the name itself (asserted on every variant written).
"""
from __future__ import annotations

import random
import re

CONSONANTS = set("bcdfghjklmnpqrstvwxyz")
ABBREVIATIONS = {
    "Sungai": ["Sei", "S."],
    "Tanjung": ["Tj."],
    "Pulau": ["P."],
    "Kampung": ["Kp."],
    "Gunung": ["Gn."],
}
_EXPAND = [
    (re.compile(r"^(sei\b\.?|s\.)\s*"), "sungai "),
    (re.compile(r"^tj\.\s*"), "tanjung "),
    (re.compile(r"^p\.\s*"), "pulau "),
    (re.compile(r"^kp\.\s*"), "kampung "),
    (re.compile(r"^gn\.\s*"), "gunung "),
]
_PREFIX = re.compile(r"^(desa|ds\.?|kelurahan|kel\.?)\s+")
_OLD_TO_NEW = [("oe", "u"), ("dj", "j"), ("tj", "c"), ("nj", "ny"), ("sj", "sy"), ("ch", "kh")]
# Substrings a canonical (new-spelling) name must not contain, so old spelling is reversible.
FORBIDDEN_IN_CANONICAL = ("oe", "dj", "tj", "sj", "ch", "kh", "sy")


def skeleton(text: str) -> str:
    """Lower-case letters only, prefixes/abbreviations expanded, old spelling undone."""
    s = " ".join(text.lower().split())
    s = _PREFIX.sub("", s)
    for pattern, repl in _EXPAND:
        s = pattern.sub(repl, s)
    s = "".join(ch for ch in s if ch.isalnum())
    for old, new in _OLD_TO_NEW:
        s = s.replace(old, new)
    return s


_RESERVED_FIRST_WORDS = {"sei", "s", "tj", "p", "kp", "gn", "desa", "ds", "kel", "kelurahan"}


def canonical_ok(name: str) -> bool:
    """A canonical name must not contain letter pairs that look like old spelling,
    nor start with a word that reads as a prefix or an abbreviation."""
    flat = "".join(ch for ch in name.lower() if ch.isalnum())
    first = name.split()[0].lower().rstrip(".")
    return first not in _RESERVED_FIRST_WORDS and not any(bad in flat for bad in FORBIDDEN_IN_CANONICAL)


def levenshtein(a: str, b: str) -> int:
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


_OLD_PAIRS = {"ny": "nj", "sy": "sj", "kh": "ch"}
_OLD_SINGLE = {"j": "dj", "c": "tj"}


def _keep_case(orig: str, repl: str) -> str:
    if orig.isupper():
        return repl.upper() if len(orig) > 1 or len(repl) == 1 else repl[0].upper() + repl[1:]
    return repl


def old_spelling(name: str) -> str:
    """Old spelling: u->oe (after a consonant), j->dj, c->tj, ny->nj, sy->sj, kh->ch."""
    out: list[str] = []
    i = 0
    while i < len(name):
        two = name[i:i + 2]
        if two.lower() in _OLD_PAIRS:
            repl = _OLD_PAIRS[two.lower()]
            out.append("".join(r.upper() if o.isupper() else r for o, r in zip(two, repl)))
            i += 2
            continue
        ch = name[i]
        low = ch.lower()
        if low in _OLD_SINGLE:
            out.append(_keep_case(ch, _OLD_SINGLE[low]))
        elif low == "u" and i > 0 and name[i - 1].lower() in CONSONANTS:
            out.append("OE" if ch.isupper() else "oe")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def joined(name: str) -> str:
    """'Air Duren' -> 'Airduren'."""
    words = name.split()
    return words[0] + "".join(w.lower() for w in words[1:])


def abbreviated(name: str, rng: random.Random) -> str | None:
    words = name.split()
    if len(words) < 2 or words[0] not in ABBREVIATIONS:
        return None
    return rng.choice(ABBREVIATIONS[words[0]]) + " " + " ".join(words[1:])


def core_forms(name: str, rng: random.Random) -> list[str]:
    """Alternative spellings of the bare name (no case/prefix changes)."""
    forms = []
    if " " in name and not name.split()[-1].isupper():
        forms.append(joined(name))
    old = old_spelling(name)
    if old != name:
        forms.append(old)
    abbr = abbreviated(name, rng)
    if abbr:
        forms.append(abbr)
    return forms


def variant(name: str, vtype: str, rng: random.Random, *, safe: bool = False,
            p_core: float = 0.35, p_prefix: float = 0.3, p_case: float = 0.35,
            p_space: float = 0.05) -> str:
    """One written form of a village name.  ``safe`` names only get case/prefix/space changes."""
    out = name
    if not safe and rng.random() < p_core:
        forms = core_forms(name, rng)
        if forms:
            out = rng.choice(forms)
    if rng.random() < p_case:
        out = out.upper() if rng.random() < 0.6 else out.lower()
    if rng.random() < p_prefix:
        if vtype == "kelurahan":
            pre = rng.choice(["Kel. ", "Kelurahan ", "Kel. ", "Desa "] if rng.random() < 0.05 else ["Kel. ", "Kelurahan "])
        else:
            pre = rng.choice(["Desa ", "Ds. "])
        if out.isupper():
            pre = pre.upper()
        out = pre + out
    if rng.random() < p_space:
        if " " in out.strip():
            idx = out.index(" ")
            out = out[:idx] + "  " + out[idx + 1:]
        else:
            out = out + " "
    assert skeleton(out) == skeleton(name), (name, out)
    return out


def district_variant(name: str, rng: random.Random, p_kec: float = 0.15, p_upper: float = 0.3) -> str:
    out = name.upper() if rng.random() < p_upper else name
    if rng.random() < p_kec:
        out = ("KEC. " if out.isupper() else "Kec. ") + out
    return out

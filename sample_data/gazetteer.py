"""Build the invented gazetteer with its traps (duplicate names, near-identical names,
decree changes, swapped BPS regency codes, a colliding 10-digit code)."""
from __future__ import annotations

import random

from . import names
from .model import District, Gazetteer, Province, Regency, Village
from .rng import streams
from .spelling import canonical_ok, joined, levenshtein, old_spelling, skeleton

# code, name, short, bps code, bps name, polres, n districts, villages (2020 decree), kelurahan (2020)
BABEL = [
    ("19.01", "Kabupaten Bangka", "Bangka", "1901", "BANGKA", "POLRES BANGKA", 8, 80, 15),
    ("19.02", "Kabupaten Belitung", "Belitung", "1902", "BELITUNG", "POLRES BELITUNG", 5, 49, 8),
    ("19.03", "Kabupaten Bangka Selatan", "Bangka Selatan", "1905", "BANGKA SELATAN",
     "POLRES BANGKA SELATAN", 8, 53, 3),
    ("19.04", "Kabupaten Bangka Tengah", "Bangka Tengah", "1904", "BANGKA TENGAH",
     "POLRES BANGKA TENGAH", 6, 62, 6),
    ("19.05", "Kabupaten Bangka Barat", "Bangka Barat", "1903", "BANGKA BARAT",
     "POLRES BANGKA BARAT", 6, 62, 4),
    ("19.06", "Kabupaten Belitung Timur", "Belitung Timur", "1906", "BELITUNG TIMUR",
     "POLRES BELITUNG TIMUR", 7, 40, 1),
    ("19.71", "Kota Pangkal Pinang", "Kota Pangkal Pinang", "1971", "KOTA PANGKAL PINANG",
     "POLRESTA PANGKALPINANG", 7, 46, 46),
]
TUBAN = ("35.23", "Kabupaten Tuban", "Tuban", "3523", "TUBAN", "POLRES TUBAN", 20, 328, 17)
# Tuban kelurahan per Kemendagri district number: district 12 has exactly one kelurahan (12.1001),
# whose undotted code equals the BPS code of village 001 in BPS district 121.
TUBAN_KEL = {1: 12, 12: 1, 5: 2, 9: 2}
TUBAN_COLLISION_DISTRICT, TUBAN_COLLISION_BPS = 12, "121"

FORCED_MALAY = ["Simpang III", "Kampung Nyiur", "Gunung Cempaka", "Tanjung Kelubi",
                "Pulau Jerujuk", "Sungai Duren", "Air Ruai", "Kampung Jeruk"]
FORCED_JAVA = ["Gunung Anyar", "Sumbersuko", "Jatirejo", "Kedungcangkring"]
FORBIDDEN_SKELETONS = {skeleton(n) for n in names.UNKNOWN_PLACES}


class _Namer:
    """Keeps names distinguishable: unique within a regency (unless a deliberate duplicate)
    and at least 3 edits apart (on skeletons) inside a district (unless a deliberate near pair)."""

    def __init__(self, rng: random.Random, style: str):
        self.rng = rng
        self.style = style
        self.regency_skels: set[str] = set()

    def candidate(self) -> str:
        return names.java_name(self.rng) if self.style == "java" else names.malay_name(self.rng)

    def fits(self, name: str, district: District, ignore: Village | None = None,
             allow_dupe: bool = False, near: Village | None = None) -> bool:
        if not canonical_ok(name):
            return False
        sk = skeleton(name)
        if len(sk) < 5 or any(levenshtein(sk, bad) < 4 for bad in FORBIDDEN_SKELETONS):
            return False
        if not allow_dupe and sk in self.regency_skels:
            return False
        for v in district.villages:
            if v is ignore or not v.name:
                continue
            d = levenshtein(sk, skeleton(v.name))
            if v is near:
                if d != 1:
                    return False
            elif d < 3:
                return False
        return True

    def fresh(self, district: District, ignore: Village | None = None) -> str:
        for _ in range(20000):
            name = self.candidate()
            if self.fits(name, district, ignore):
                return name
        raise RuntimeError(f"could not name a village in {district.name}")

    def assign(self, village: Village, name: str) -> None:
        if village.name:
            self.regency_skels.discard(skeleton(village.name))
        village.name = name
        self.regency_skels.add(skeleton(name))


def _partition(rng: random.Random, total: int, parts: int, minimum: int) -> list[int]:
    sizes = [minimum] * parts
    weights = [rng.gammavariate(4.0, 1.0) for _ in range(parts)]
    for _ in range(total - minimum * parts):
        sizes[rng.choices(range(parts), weights=weights)[0]] += 1
    return sizes


def _kelurahan_split(rng: random.Random, sizes: list[int], n_kel: int, city: bool, tuban: bool) -> list[int]:
    if city:
        return list(sizes)
    if tuban:
        return [TUBAN_KEL.get(i + 1, 0) for i in range(len(sizes))]
    kel = [0] * len(sizes)
    capital = rng.randrange(len(sizes))
    kel[capital] = min(sizes[capital] - 2, (n_kel * 2 + 2) // 3)
    rest = n_kel - kel[capital]
    others = [i for i in range(len(sizes)) if i != capital]
    while rest > 0:
        i = rng.choice(others)
        if kel[i] < sizes[i] // 2:
            kel[i] += 1
            rest -= 1
    return kel


_VOWEL_SWAP = {"e": "o", "o": "e", "a": "o", "i": "e", "u": "o"}


def _mutate(rng: random.Random, name: str, kind: str) -> str | None:
    """One-letter change in the last word: 'Sidorejo' -> 'Sidorojo' (sub), 'Sumberejo' -> 'Sumberjo' (del)."""
    start = name.rfind(" ") + 1
    if kind == "del":
        positions = [i for i in range(start + 2, len(name) - 2)
                     if name[i] == "e" and name[i + 1:] == "jo" and name[i - 1] == "r" and name[i - 2] in "aeiou"]
        if not positions:
            return None
        i = positions[0]
        return name[:i] + name[i + 1:]
    positions = [i for i in range(start + 2, len(name) - 1) if name[i] in _VOWEL_SWAP]
    if not positions:
        return None
    i = rng.choice(positions)
    return name[:i] + _VOWEL_SWAP[name[i]] + name[i + 1:]


def _build_regency(rng: random.Random, province: Province, spec: tuple, style: str,
                   district_skels: list[str]) -> Regency:
    """One regency with named districts and villages; district names stay distinct province-wide
    (``district_skels`` is shared) so a Polsek name alone identifies its district."""
    code, rname, short, bps, bps_name, polres, n_dist, n_vill, n_kel = spec
    reg = Regency(code, rname, short, bps, bps_name, polres, style, province)
    namer = _Namer(rng, style)
    sizes = _partition(rng, n_vill, n_dist, 5 if style == "malay" else 11)
    kel = _kelurahan_split(rng, sizes, n_kel, code == "19.71", code == "35.23")
    for i in range(n_dist):
        while True:
            dname = names.district_name(rng, style)
            sk = skeleton(dname)
            if canonical_ok(dname) and len(sk) >= 4 and all(levenshtein(sk, o) >= 3 for o in district_skels):
                break
        district_skels.append(sk)
        dist = District(f"{code}.{i + 1:02d}", dname, reg)
        for j in range(sizes[i]):
            is_kel = j < kel[i]
            nnn = j + 1 if is_kel else j - kel[i] + 1
            vcode = f"{dist.code}.{1 if is_kel else 2}{nnn:03d}"
            dist.villages.append(Village(vcode, "", "kelurahan" if is_kel else "desa", dist))
        reg.districts.append(dist)
    # trap-word names first (always in Kabupaten Bangka, in other Babel regencies half the time),
    # then everything else
    forced = FORCED_MALAY if style == "malay" else FORCED_JAVA
    all_villages = [v for d in reg.districts for v in d.villages]
    for fname in forced:
        if rng.random() < 0.5 and style == "malay" and code != "19.01":
            continue
        for _ in range(200):
            v = rng.choice(all_villages)
            if not v.name and namer.fits(fname, v.district):
                namer.assign(v, fname)
                v.tags.add("forced")
                break
    for v in all_villages:
        if not v.name:
            namer.assign(v, namer.fresh(v.district, v))
    reg._namer = namer  # type: ignore[attr-defined]
    return reg


def _free(v: Village) -> bool:
    return not v.safe and not v.tags


def _add_duplicates(rng: random.Random, reg: Regency, count: int) -> None:
    namer: _Namer = reg._namer  # type: ignore[attr-defined]
    done = 0
    villages = [v for d in reg.districts for v in d.villages]
    while done < count:
        src = rng.choice(villages)
        if not _free(src):
            continue
        copies = 2 if (reg.style == "java" and done == 0) else 1
        targets = []
        for dist in rng.sample(reg.districts, len(reg.districts)):
            if dist is src.district or len(targets) == copies:
                continue
            cands = [t for t in dist.villages if _free(t)]
            rng.shuffle(cands)
            for t in cands:
                if namer.fits(src.name, dist, ignore=t, allow_dupe=True):
                    targets.append(t)
                    break
        if len(targets) < copies:
            continue
        src.tags.add("duplicate")
        for t in targets:
            namer.assign(t, src.name)
            t.tags.add("duplicate")
        done += 1


def _add_near_pair(rng: random.Random, reg: Regency, same_district: bool, kind: str) -> None:
    namer: _Namer = reg._namer  # type: ignore[attr-defined]
    villages = [v for d in reg.districts for v in d.villages]
    if kind == "del" and not any(_free(v) and v.vtype == "desa" and _mutate(rng, v.name, kind) for v in villages):
        _seed_deletable_name(rng, reg, villages)
    for _ in range(100000):
        x = rng.choice(villages)
        if not _free(x) or x.vtype != "desa":
            continue
        new = _mutate(rng, x.name, kind)
        if not new:
            continue
        dist = x.district if same_district else rng.choice([d for d in reg.districts if d is not x.district])
        cands = [t for t in dist.villages if t is not x and _free(t) and t.vtype == "desa"]
        if not cands:
            continue
        y = rng.choice(cands)
        if levenshtein(skeleton(new), skeleton(x.name)) != 1:
            continue
        if namer.fits(new, dist, ignore=y, near=x if same_district else None):
            namer.assign(y, new)
            for v in (x, y):
                v.safe = True
                v.tags.add("near_pair")
            return
    raise RuntimeError("no near pair found")


def _seed_deletable_name(rng: random.Random, reg: Regency, villages: list[Village]) -> None:
    """Give one free desa a name like 'Sumberejo' whose one-letter deletion ('Sumberjo') reads naturally."""
    namer: _Namer = reg._namer  # type: ignore[attr-defined]
    bases = [p + "ejo" for p in names.JAVA_PREFIX if p.endswith("r") and p[-2] in "aeiou"] + \
        [p + "rejo" for p in ("Sido", "Tlogo", "Wono", "Simo", "Boto", "Mojo", "Ngulo")]
    for _ in range(10000):
        x = rng.choice(villages)
        base = rng.choice(bases)
        if _free(x) and x.vtype == "desa" and namer.fits(base, x.district, ignore=x):
            namer.assign(x, base)
            return
    raise RuntimeError("could not seed a deletable name")


def _apply_changes(rng: random.Random, regs: dict[str, Regency]) -> list[dict]:
    changes = []
    # recoded: a desa in Kabupaten Bangka becomes a kelurahan (2NNN retired, 1NNN added, same NNN)
    bangka = regs["19.01"]
    for dist in rng.sample(bangka.districts, len(bangka.districts)):
        k = sum(v.vtype == "kelurahan" for v in dist.villages)
        target = f"{dist.code}.2{k + 1:03d}"
        match = [v for v in dist.villages if v.code == target and _free(v)]
        if k > 0 and match:
            v = match[0]
            v.old_code, v.code, v.vtype = v.code, f"{dist.code}.1{k + 1:03d}", "kelurahan"
            v.tags.add("recoded")
            changes.append({"change": "recoded", "old_code": v.old_code, "new_code": v.code,
                            "old_name": v.name, "new_name": v.name})
            break
    else:
        raise RuntimeError("no village to recode")
    # renamed: a desa in Belitung Timur gets a new name (same code)
    beltim = regs["19.06"]
    namer: _Namer = beltim._namer  # type: ignore[attr-defined]
    v = rng.choice([v for d in beltim.districts for v in d.villages if _free(v) and v.vtype == "desa"])
    new_name = namer.fresh(v.district, v)
    v.old_name = v.name
    namer.regency_skels.add(skeleton(new_name))
    v.name = new_name
    v.tags.add("renamed")
    changes.append({"change": "renamed", "old_code": v.code, "new_code": v.code,
                    "old_name": v.old_name, "new_name": v.name})
    # added: a new desa in Bangka Tengah from 2023
    bateng = regs["19.04"]
    namer = bateng._namer  # type: ignore[attr-defined]
    dist = rng.choice(bateng.districts)
    m = max(int(x.code[-3:]) for x in dist.villages if x.vtype == "desa")
    v = Village(f"{dist.code}.2{m + 1:03d}", "", "desa", dist, since=2023)
    v.tags.add("added")
    namer.assign(v, namer.fresh(dist))
    dist.villages.append(v)
    changes.append({"change": "added", "old_code": None, "new_code": v.code,
                    "old_name": None, "new_name": v.name})
    return changes


def _bps_district_codes(rng: random.Random, reg: Regency, regs: dict[str, Regency]) -> list[str]:
    """3-digit BPS district codes (010, 011, 020, ...) in an order unrelated to Kemendagri's.

    A code ending in 1 ("DD1") would make BPS village codes equal to undotted Kemendagri
    kelurahan codes ("PPKK.DD.1NNN") of the regency whose Kemendagri code reads like this
    BPS regency code, so x1 codes are used only where that district has no kelurahan
    (except Tuban's deliberate "121")."""
    n = len(reg.districts)
    if reg.code == "35.23":
        codes = [f"{10 * i:03d}" for i in range(1, n)] + [TUBAN_COLLISION_BPS]
        while True:
            rng.shuffle(codes)
            if codes[TUBAN_COLLISION_DISTRICT - 1] != TUBAN_COLLISION_BPS:
                return codes
    twin = regs.get(f"{reg.bps_code[:2]}.{reg.bps_code[2:]}")
    with_kel = set()
    if twin is not None:
        with_kel = {int(d.code[-2:]) for d in twin.districts if any(v.code.split(".")[3][0] == "1" or
                                                                     (v.old_code or "").split(".")[-1][:1] == "1"
                                                                     for v in d.villages)}
    codes = []
    i = 1
    while len(codes) < n:
        codes.append(f"{10 * i:03d}")
        if len(codes) < n and i not in with_kel and rng.random() < 0.4:
            codes.append(f"{10 * i + 1:03d}")
        i += 1
    rng.shuffle(codes)
    return codes


def _assign_bps(rng: random.Random, regencies: list[Regency]) -> None:
    regs = {r.code: r for r in regencies}
    for reg in regencies:
        for dist, dcode in zip(reg.districts, _bps_district_codes(rng, reg, regs)):
            dist.bps_code = reg.bps_code + dcode
            ordered = sorted((v for v in dist.villages if v.since == 2020), key=lambda v: (v.name_in(2020), v.code))
            ordered += [v for v in dist.villages if v.since != 2020]
            for n, v in enumerate(ordered, 1):
                v.bps_code = f"{dist.bps_code}{n:03d}"


def _collisions(villages: list[Village]) -> list[tuple[str, Village, Village]]:
    by_bps = {v.bps_code: v for v in villages}
    out = []
    for v in villages:
        codes = [v.undotted] + ([v.old_code.replace(".", "")] if v.old_code else [])
        for code in codes:
            other = by_bps.get(code)
            if other is not None:
                out.append((code, v, other))
    return sorted(out, key=lambda t: (t[0], t[1].code))


def _bps_names(rng: random.Random, villages: list[Village]) -> None:
    for v in villages:
        v.bps_name = v.name.upper()
        if v.safe:
            continue
        r = rng.random()
        words = v.name.split()
        if r < 0.10 and len(words) > 1 and not words[-1].isupper():
            v.bps_name = joined(v.name).upper()
        elif r < 0.16 and old_spelling(v.name) != v.name:
            v.bps_name = old_spelling(v.name).upper()


def build_gazetteer(seed: int) -> Gazetteer:
    rng, _ = streams(seed, "gazetteer")
    babel = Province("19", "Kepulauan Bangka Belitung", "KEPULAUAN BANGKA BELITUNG")
    jatim = Province("35", "Jawa Timur", "JAWA TIMUR")
    regs: dict[str, Regency] = {}
    district_skels: list[str] = []
    for spec in BABEL:
        reg = _build_regency(rng, babel, spec, "malay", district_skels)
        babel.regencies.append(reg)
        regs[reg.code] = reg
    tuban = _build_regency(rng, jatim, TUBAN, "java", district_skels)
    jatim.regencies.append(tuban)
    regs[tuban.code] = tuban
    # deliberate traps
    for code in ("19.01", "19.03", "19.05", "19.02", "19.04"):
        _add_duplicates(rng, regs[code], 1)
    _add_duplicates(rng, tuban, 16)
    _add_near_pair(rng, regs["19.01"], True, "sub")
    _add_near_pair(rng, regs["19.04"], False, "sub")
    _add_near_pair(rng, tuban, True, "sub")
    _add_near_pair(rng, tuban, False, "del")
    _add_near_pair(rng, tuban, True, "sub")
    changes = _apply_changes(rng, regs)
    gaz = Gazetteer([babel, jatim], changes)
    villages = gaz.villages()
    for attempt in range(200):
        _assign_bps(rng, list(regs.values()))
        hits = _collisions(villages)
        if len(hits) == 1 and hits[0][1].province.code == "35" and hits[0][1].name != hits[0][2].name:
            break
    else:
        raise RuntimeError("could not arrange BPS codes")
    code, kem, bpsv = hits[0]
    gaz.ambiguous = [{"code": code, "kemendagri_code": kem.code, "bps_village_kemendagri_code": bpsv.code}]
    _bps_names(rng, villages)
    for reg in regs.values():
        del reg._namer  # type: ignore[attr-defined]
    _check(gaz)
    return gaz


def _check(gaz: Gazetteer) -> None:
    cur = gaz.villages("19", 2023)
    assert len(cur) == 393, len(cur)
    assert sum(v.vtype == "kelurahan" for v in cur) == 84
    assert len(gaz.districts("19")) == 47
    assert len(gaz.villages("35", 2023)) == 328 and len(gaz.districts("35")) == 20
    for d in gaz.districts():
        sks = [skeleton(v.name) for v in d.villages]
        assert len(set(sks)) == len(sks), d.name

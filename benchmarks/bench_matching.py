"""Village matching at national scale: accuracy and speed on noisy names generated from the real
national list (83,762 villages), side by side with RapidFuzz `process.extractOne` over the whole list.

    .venv/bin/python benchmarks/bench_matching.py [--quick] [--rows N] [--baseline-rows N] [--seed N]
                                                  [--per-kind N]

Each row is a real current village written the way agencies write names (domain.md section 2: case,
joined words, prefixes, old spelling, abbreviations, Roman numerals, Aik/Air, j/y, vowel variants,
one-letter typos, stray spaces), with its regency, and its district for most rows (itself written with
prefix and case noise); REGENCY_ONLY of the rows name no district. Targets (issue 4): precision among answered
>= 99.8%, answered >= 98.5%, correct >= 99.5% among rows whose scope singles out one village, 100,000
names in < 10 s, >= 50x faster than the baseline. Then each kind of writing of issue 15 on its own (KINDS: glued
or abbreviated prefixes, lower-case abbreviations, numerals joined or swapped, swapped neighbouring letters,
tabs and other blanks), answered share and precision per kind. The reference folder comes from $JEMBATAN_REFERENCE
(default ../shared/reference); the lists are read from there, never copied.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assets.harmonise.gazetteer import load_gazetteer  # noqa: E402
from assets.harmonise.matcher import Matcher  # noqa: E402
from assets.harmonise.names import name_key  # noqa: E402
from assets.harmonise.places import match_frame  # noqa: E402
from benchmarks import timed  # noqa: E402

REGENCY_ONLY = 0.15
ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV", "5": "V", "6": "VI", "7": "VII", "8": "VIII", "9": "IX"}
ABBREVIATE = [("Sungai ", ["Sei ", "S. ", "Sei. "]), ("Tanjung ", ["Tj. ", "Tg. "]), ("Pulau ", ["P. "]),
              ("Kampung ", ["Kp. "]), ("Gunung ", ["Gn. "]), ("Air ", ["Aik "])]
OLD_SPELLING = [("u", "oe"), ("j", "dj"), ("c", "tj"), ("ny", "nj"), ("sy", "sj"), ("kh", "ch")]
VOWELS = {"a": "e", "e": "a", "o": "u", "u": "o", "i": "e"}


def reference_folder() -> Path:
    root = Path(os.environ.get("JEMBATAN_REFERENCE", Path(__file__).resolve().parents[2] / "shared" / "reference"))
    return root / "national"


def noisy(name: str, rng: random.Random) -> str:
    """One to three of the variants agencies really write."""
    text = " ".join(name.split())
    variants = rng.sample(range(11), rng.choice([1, 1, 2, 2, 3]))
    for variant in sorted(variants, key=lambda v: v == 2):      # a prefix goes on last
        if variant == 0:
            text = rng.choice([str.upper, str.lower, str.title])(text)
        elif variant == 1 and re.search(r" (?![IVX]+\b|\d)", text):  # joined words (not before a number)
            i = rng.choice([m.start() for m in re.finditer(r" (?![IVX]+\b|\d)", text)])
            text = text[:i] + text[i + 1:]
        elif variant == 2:
            text = rng.choice(["Desa ", "Ds. ", "Kelurahan ", "Kel. ", "DESA "]) + text
        elif variant == 3:                                         # old spelling
            old, new = rng.choice(OLD_SPELLING)
            text = text.replace(old, new, 1)
        elif variant == 4:
            for full, short in ABBREVIATE:
                if full.lower() in text.lower():
                    i = text.lower().index(full.lower())
                    text = text[:i] + rng.choice(short) + text[i + len(full):]
                    break
        elif variant == 5:                                         # Roman <-> Arabic numerals
            text = re.sub(r"\b([1-9])\b", lambda m: ROMAN[m.group(1)], text)
        elif variant == 6:
            text = text.replace("y", "j", 1) if "y" in text else text.replace("j", "y", 1)
        elif variant == 7:                                         # vowel variant (Mentok / Muntok)
            spots = [i for i, c in enumerate(text) if c in VOWELS and i > 0]
            if spots:
                i = rng.choice(spots)
                text = text[:i] + VOWELS[text[i]] + text[i + 1:]
        elif variant == 8:                       # one-letter typo, dropped or doubled, in a word (not a numeral)
            letters = [m.start() for m in re.finditer(r"(?<=\w)[a-z]", text)]
            if len(letters) > 4:
                i = rng.choice(letters)
                text = text[:i] + text[i + 1:] if rng.random() < 0.5 else text[:i] + text[i] + text[i:]
        elif variant == 9:
            text = "  " + text.replace(" ", "  ", 1) + " "          # stray spaces
        elif variant == 10 and rng.random() < 0.5:
            text = text.replace("Air ", "Aik ", 1)
    return text


# Issue 15: each way clerks write names, on its own (the kind's writer returns None where a name offers it
# no place, e.g. no numeral to join).
LOWER_ABBREVIATIONS = [("Sungai ", ["sg. ", "sg.", "sei ", "Sei.", "SG. "]), ("Kampung ", ["kg. ", "kp.", "kg ", "KP. "]),
                       ("Pulau ", ["pl. ", "pl.", "p."]), ("Gunung ", ["gn. ", "gn.", "gn "]),
                       ("Tanjung ", ["tj. ", "tj.", "tg "]), ("Dusun ", ["dsn. ", "dsn.", "dsn "])]
ARABIC = {v: k for k, v in ROMAN.items()}


def joined_prefix(name: str, rng: random.Random) -> str | None:
    prefix = rng.choice(["Kelurahan", "KELURAHAN", "DESA", "Desa", "Kel.", "Keloerahan ", "Dss. ", "Ds ", "DS."])
    text = prefix + name.replace(" ", rng.choice([" ", ""]))
    return text.upper() if rng.random() < 0.25 else text


def lower_abbreviation(name: str, rng: random.Random) -> str | None:
    for full, short in LOWER_ABBREVIATIONS:
        if name.startswith(full) or f" {full}" in name:
            return name.replace(full, rng.choice(short), 1)
    return None


def numeral(name: str, rng: random.Random) -> str | None:
    found = re.search(r" (\d|[IVX]+)$", name)
    if not found:
        return None
    number = found.group(1)
    other = ROMAN.get(number) or ARABIC.get(number)
    written = rng.choice([number, other or number])
    joined = name[:found.start()] + rng.choice(["", " ", "  "]) + written
    return joined.upper() if rng.random() < 0.25 else joined


def swapped_letters(name: str, rng: random.Random) -> str | None:
    spots = [m.start() for m in re.finditer(r"(?<=[A-Za-z])[a-z](?=[a-z])", name)]
    spots = [i for i in spots if name[i] != name[i + 1]]
    if len(name.replace(" ", "")) < 6 or not spots:
        return None
    i = rng.choice(spots)
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]


def blanks(name: str, rng: random.Random) -> str | None:
    blank = rng.choice(["\t", "\u00a0", "  ", " \t", "\u3000"])
    return rng.choice(["", "\t", " "]) + name.replace(" ", blank) + rng.choice(["", "\t", "\u00a0"])


KINDS = {"mixed (1-3 variants)": noisy, "joined/abbreviated prefix": joined_prefix,
         "lower-case abbreviation": lower_abbreviation, "numeral joined/swapped": numeral,
         "swapped neighbouring letters": swapped_letters, "tabs and other blanks": blanks}


def written_district(name: str, rng: random.Random) -> str:
    return rng.choice(["", "Kec. ", "Kecamatan ", "KEC "]) + rng.choice([str, str.upper, str.title])(name)


def written_regency(name: str, rng: random.Random) -> str:
    return rng.choice([name, name.upper(), re.sub(r"^Kabupaten ", "Kab. ", name)])


def make_rows(matcher: Matcher, n: int, seed: int, write=noisy) -> pd.DataFrame:
    rng = random.Random(seed)
    villages = matcher.gazetteer.current("village")[["code", "name"]].values.tolist()
    if write is not noisy:              # only the villages whose name offers the kind a place
        villages = [(c, v) for c, v in villages if write(v, random.Random(0)) is not None]
    rows = []
    for code, name in rng.choices(villages, k=n):
        regency_only = rng.random() < REGENCY_ONLY
        rows.append({
            "truth": code, "village_name": write(name, rng),
            "district_name": None if regency_only else written_district(matcher.full_name[code[:8]], rng),
            "regency_name": written_regency(matcher.full_name[code[:5]], rng),
            "scope": code[:5] if regency_only else code[:8]})
    return pd.DataFrame(rows)


def singled_out(matcher: Matcher, rows: pd.DataFrame) -> pd.Series:
    """True where the village's own current name is unique in the row's scope (district or regency)."""
    current = matcher.gazetteer.current("village")
    keys = current["name"].map(name_key)
    per_district = Counter(zip(current["code"].str[:8], keys))
    per_regency = Counter(zip(current["code"].str[:5], keys))
    key_of = dict(zip(current["code"], keys))
    return pd.Series([(per_district if len(s) == 8 else per_regency)[(s, key_of[t])] == 1
                      for s, t in zip(rows["scope"], rows["truth"])], index=rows.index)


def bps_rows(gazetteer, matcher: Matcher, n: int, seed: int) -> pd.DataFrame:
    """Real BPS-written names: villages of the BPS-Kemendagri bridging as BPS spells them (capitals, its own
    spellings), with BPS's district name (REGENCY_ONLY of the rows: its regency name only); the truth is the
    bridged Kemendagri code carried to the current decree. Matched by a matcher that never saw the bridging."""
    rng = random.Random(seed)
    bridging = gazetteer.bridging
    names_of = {level: dict(zip(part["bps_code"], part["bps_name"])) for level, part in bridging.groupby("level")}
    recoded = gazetteer.to_current()
    # Only villages that kept their name since the bridging was made (its Kemendagri name is still one of the
    # village's names in the lists): a village split or renamed since has no true answer in the bridging.
    kemendagri_name = {(str(b), str(k)): n for f in reference_folder().glob("*bridging*.csv")
                       for b, k, n in pd.read_csv(f, dtype=str)[["bps_code", "kemendagri_code", "kemendagri_name"]]
                       .itertuples(index=False)}
    villages = [(b, name, matcher.successor.get(recoded.get(k, k)), kemendagri_name.get((b, k), ""))
                for b, name, k in bridging.loc[bridging["level"] == "village", ["bps_code", "bps_name", "kemendagri_code"]]
                .itertuples(index=False)]
    areas = gazetteer.areas[gazetteer.areas["level"] == "village"]
    official: dict[str, set[str]] = {}      # current code -> its names in every decree, case-folded (as written:
    for code, name in zip(areas["code"], areas["name"]):          # the same rows whatever the matching code)
        official.setdefault(matcher.successor.get(code, code), set()).add(" ".join(str(name).split()).casefold())
    villages = [(b, name, now) for b, name, now, k_name in villages
                if now and b[:7] in names_of["district"] and b[:4] in names_of["regency"]
                and " ".join(str(k_name).split()).casefold() in official.get(now, set())]
    rows = []
    for bps, name, now in rng.sample(villages, min(n, len(villages))):
        regency_only = rng.random() < REGENCY_ONLY
        rows.append({"truth": now, "village_name": name,
                     "district_name": None if regency_only else names_of["district"][bps[:7]],
                     "regency_name": names_of["regency"][bps[:4]], "scope": now[:5] if regency_only else now[:8]})
    return pd.DataFrame(rows)


def baseline(gazetteer, rows: pd.DataFrame) -> tuple[float, float]:
    """RapidFuzz extractOne (default WRatio) of each name against every current village name: seconds per
    name and share correct."""
    from rapidfuzz import process
    current = gazetteer.current("village")
    names, codes = current["name"].tolist(), current["code"].tolist()
    start = time.perf_counter()
    found = [codes[process.extractOne(name, names)[2]] for name in rows["village_name"]]
    seconds = time.perf_counter() - start
    return seconds / len(rows), sum(f == t for f, t in zip(found, rows["truth"])) / len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30,000 names, 100 baseline names (about 1 minute)")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--baseline-rows", type=int, default=None)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--per-kind", type=int, default=None, dest="per_kind",
                        help="names per kind of writing (default 10,000; --quick 3,000)")
    args = parser.parse_args(argv)
    n = args.rows or (30_000 if args.quick else 100_000)
    n_base = args.baseline_rows or (100 if args.quick else 300)
    folder = reference_folder()
    if not folder.exists():
        print(f"skipped: national reference lists not found at {folder} (set JEMBATAN_REFERENCE)")
        return 0

    start = time.perf_counter()
    gazetteer = load_gazetteer(folder)
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    matcher = Matcher(gazetteer)
    built = time.perf_counter() - start
    rows = make_rows(matcher, n, args.seed)
    load, start = timed.load_average(), time.perf_counter()
    matched = match_frame(rows[["village_name", "district_name", "regency_name"]], matcher)
    seconds = time.perf_counter() - start

    answered = matched["village_code"].notna()
    correct = matched["village_code"] == rows["truth"]
    single = singled_out(matcher, rows)
    per_name = seconds / n
    base_per_name, base_correct = baseline(gazetteer, rows.sample(n_base, random_state=args.seed))
    district_rows = rows["district_name"].notna()
    print(f"reference: {len(gazetteer.current('village')):,} villages, versions {', '.join(gazetteer.versions)}; "
          f"loaded in {loaded:.1f} s, matcher built in {built:.1f} s")
    print(f"rows: {n:,} ({district_rows.mean():.1%} with district, {(~district_rows).mean():.1%} regency only); "
          f"{single.mean():.1%} have a scope that singles out one village")
    print(f"answered:                       {answered.mean():.2%}   (target >= 98.5%)")
    print(f"precision among answered:       {correct[answered].mean():.3%}  (target >= 99.8%)")
    print(f"correct where scope singles out: {correct[single].mean():.3%}  (target >= 99.5%)")
    print(f"answered where scope singles out: {answered[single].mean():.2%}; elsewhere (the name repeats in the "
          f"only scope written, so no answer is right to give): {answered[~single].mean():.2%}")
    print(f"  district rows answered / precise: {answered[district_rows].mean():.2%} / "
          f"{correct[answered & district_rows].mean():.3%}; regency-only: {answered[~district_rows].mean():.2%} / "
          f"{correct[answered & ~district_rows].mean():.3%}")
    print("methods: " + ", ".join(f"{m} {c:,}" for m, c in matched["match_method"].value_counts().items()))
    print(f"speed: {n:,} names in {seconds:.2f} s ({n / seconds:,.0f} names/s; 100,000 in "
          f"{100_000 * per_name:.1f} s, target < 10 s; load {load:.2f} before)")
    print(f"baseline RapidFuzz extractOne over all villages, {n_base} names: {base_per_name * 1000:.1f} ms/name, "
          f"{base_correct:.1%} correct; speed-up {base_per_name / per_name:,.0f}x (target >= 50x)")
    per_kind = args.per_kind or (3_000 if args.quick else 10_000)
    print(f"\nper kind of writing ({per_kind:,} names each, seed {args.seed}; scope as above):")
    print(f"{'kind':32} {'answered':>9} {'precision':>10} {'correct where singled out':>26}")
    for kind, write in KINDS.items():
        some = make_rows(matcher, per_kind, args.seed, write)
        got = match_frame(some[["village_name", "district_name", "regency_name"]], matcher)
        yes = got["village_code"].notna()
        right = got["village_code"] == some["truth"]
        print(f"{kind:32} {yes.mean():>9.2%} {right[yes].mean():>10.3%} {right[singled_out(matcher, some)].mean():>26.3%}")
        if os.environ.get("BENCH_SHOW_WRONG"):
            print(got.assign(truth=some["truth"])[yes & ~right][["village_name", "district_name", "village_code",
                                                                  "truth", "match_method"]].head(10).to_string())
    # Real BPS-written names, unseen: the matcher is built without the bridging, so BPS's spellings are new to it.
    from dataclasses import replace
    blind = Matcher(replace(gazetteer, bridging=gazetteer.bridging.iloc[0:0]))
    some = bps_rows(gazetteer, blind, per_kind, args.seed)
    got = match_frame(some[["village_name", "district_name", "regency_name"]], blind)
    yes, right = got["village_code"].notna(), got["village_code"] == some["truth"]
    print(f"{'real BPS-written (unseen)':32} {yes.mean():>9.2%} {right[yes].mean():>10.3%} "
          f"{right[singled_out(blind, some)].mean():>26.3%}")
    wrong = matched[answered & ~correct].assign(truth=rows["truth"])
    if len(wrong) and os.environ.get("BENCH_SHOW_WRONG"):
        print(wrong[["village_name", "district_name", "regency_name", "village_code", "truth", "match_method"]]
              .head(40).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())

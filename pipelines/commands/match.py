"""`jembatan match INPUT.csv --out OUT.csv [--reference DIR] [--as-of YEAR]`: the matcher for analysts.

INPUT has any of the columns village, district, regency, province, code (and optionally police_sector), or
their Indonesian names (desa, kelurahan, desa/kelurahan, kecamatan, kabupaten, kabupaten/kota, kota, provinsi,
kode, kode desa, polsek), in any case;
OUT is INPUT plus village_code, match_method, match_score, candidates. The reference lists are the
warehouse's current gazetteer, or a folder of official lists as in inbox/reference/ (--reference).
--as-of YEAR reads the names against the decree valid that year (default: the newest).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

COLUMNS = {"village": "village_name", "district": "district_name", "regency": "regency_name",
           "code": "village_code_sent", "police_sector": "police_sector"}
# Indonesian headers, read as the English column they name.
INDONESIAN = {"desa": "village", "kelurahan": "village", "desa/kelurahan": "village", "kelurahan/desa": "village",
              "nama desa": "village", "kecamatan": "district", "kabupaten": "regency", "kabupaten/kota": "regency",
              "kota": "regency", "provinsi": "province", "kode": "code", "kode desa": "code", "kode wilayah": "code",
              "polsek": "police_sector"}


def register(commands) -> None:
    match = commands.add_parser("match", help="match a CSV of place names or codes to Kemendagri village codes")
    match.add_argument("input", help="CSV with any of: village, district, regency, province, code")
    match.add_argument("--out", required=True, help="CSV to write: the input plus village_code, match_method, "
                       "match_score, candidates")
    match.add_argument("--reference", help="folder of reference lists (default: the warehouse's gazetteer)")
    match.add_argument("--as-of", type=int, dest="as_of", help="year the names were written (default: newest)")
    match.add_argument("--warehouse", help="warehouse folder (default $JEMBATAN_WAREHOUSE or ./warehouse)")
    match.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os

    import pandas as pd

    from assets.harmonise import aliases
    from assets.harmonise.gazetteer import load_gazetteer
    from assets.harmonise.matcher import Matcher
    from assets.harmonise.places import match_frame
    from assets.inert import inert_frame
    from assets.steps import Paths, steward_dir, stored_gazetteer

    if args.warehouse:
        os.environ["JEMBATAN_WAREHOUSE"] = str(Path(args.warehouse).resolve())
    paths = Paths.from_env()
    if args.reference:
        gazetteer = load_gazetteer(Path(args.reference), settle=0)   # named explicitly: read as it is
    elif (paths.reference_store / "areas.parquet").exists():
        gazetteer = stored_gazetteer(paths)
    else:
        print(f"no gazetteer in {paths.warehouse}: run `jembatan sync` or pass --reference DIR", file=sys.stderr)
        return 1
    table = pd.read_csv(args.input, dtype=str, keep_default_na=False, sep=None, engine="python",
                        encoding="utf-8-sig")
    wanted = {}
    for column in table.columns:
        name = " ".join(str(column).split()).lower()
        wanted.setdefault(INDONESIAN.get(name, name), column)
    if not set(wanted) & set(COLUMNS):
        print(f"{args.input} has none of the columns {', '.join(COLUMNS)}", file=sys.stderr)
        return 1
    places = pd.DataFrame({field: table[wanted[name]].where(table[wanted[name]] != "", None) if name in wanted
                           else None for name, field in COLUMNS.items()}, index=table.index)
    if "province" in wanted and "regency" not in wanted:
        places["regency_name"] = None      # a province alone does not narrow the scope below the country
    if args.as_of:
        places["year"] = args.as_of
    matcher = Matcher(gazetteer, [] if args.reference else aliases.load_active(steward_dir(paths)))
    matched = match_frame(places, matcher)
    out = table.assign(village_code=matched["village_code"], match_method=matched["match_method"],
                       match_score=matched["match_score"], candidates=matched["match_candidates"])
    inert_frame(out).to_csv(args.out, index=False)       # text starting like a formula stays text
    counts = out["match_method"].value_counts()
    print(f"{len(out)} rows -> {args.out}: " + ", ".join(f"{m} {n}" for m, n in counts.items()))
    return 0

"""Attach a village code to every accepted row of a dataset, and send the rows that cannot be placed
to quarantine with their candidates. Each distinct place tuple (and decree version) is matched once."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from assets.harmonise.labels import parse_village_label
from assets.harmonise.candidates import CandidateNames, candidate_codes
from assets.harmonise.matcher import Match, Matcher
from assets.harmonise.names import name_key
from assets.ingest.dates import as_datetime
from assets.ingest.errors import cell_error
from schemas.base import Dataset

PLACE_FIELDS = ("village_code_sent", "village_name", "district_name", "regency_name", "police_sector")
VILLAGE_LIST_SPLIT = re.compile(r"\s*(?:,|;|/|&|\n|\bdan\b)\s*|\s+-\s+", re.IGNORECASE)
PREFIX = re.compile(r"(ds|desa|kel|kelurahan)\.?\s", re.IGNORECASE)
LIST_NUMBER = re.compile(r"(?:^|(?<=\s))\d{1,2}[.)](?=\s|[a-z])", re.IGNORECASE)    # "1. Air Duren 2. Jelutung"


LABEL_BRACKET = re.compile(r"\(\s*kec\.(?:[^()]|\([^()]*\))*\)", re.IGNORECASE)      # "(Kec. Cibeber, Kabupaten Cianjur)"
HELD = re.compile("\x00")


def split_village_list(text: str) -> list[str]:
    """'Air Duren, Jelutung / Sinar Jaya dan Kimak', 'Air Duren - Jelutung', '1. Air Duren 2. Jelutung' and
    'Ds. Air Duren Ds. Jelutung' -> the names. A district in brackets is kept whole: 'Sukamaju (Kec. Cibeber,
    Kabupaten Cianjur)', as a template's list names a village, is one name."""
    text = str(text).strip()
    if bracketed := LABEL_BRACKET.findall(text):
        held = iter(bracketed)
        return [HELD.sub(lambda _: next(held), name) for name in split_village_list(LABEL_BRACKET.sub("\x00", text))]
    if LIST_NUMBER.match(text):         # a numbered list: each number starts a name
        text = LIST_NUMBER.sub(";", text)
    if prefix := PREFIX.match(text):    # "Ds. Air Duren Ds. Jelutung": each prefix starts a name
        text = re.sub(rf"\s+(?={re.escape(prefix[1])}\.?\s)", ";", text, flags=re.IGNORECASE)
    return [p for p in VILLAGE_LIST_SPLIT.split(text) if p and p.strip()]


def explode_village_list(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["village_name"] = frame["village_list"].map(split_village_list)
    return frame.explode("village_name", ignore_index=True).drop(columns="village_list")


def add_year(frame: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    column = dataset.column(dataset.year_column)
    if column.kind == "date":
        frame["year"] = as_datetime(frame[column.name]).dt.year.astype("Int64")
    return frame


def match_frame(frame: pd.DataFrame, matcher: Matcher) -> pd.DataFrame:
    """Adds village_code (current), match_method, match_score, match_candidates, match_scope and
    gazetteer_version (the decree the row was read against). Each distinct place tuple and decree is
    matched once (and remembered across files in matcher.memo); the rows take their tuple's match."""
    frame = frame.copy()
    for name in PLACE_FIELDS:
        if name not in frame:
            frame[name] = None
    places = frame[list(PLACE_FIELDS)].astype(object).where(frame[list(PLACE_FIELDS)].notna(), None)
    years = pd.to_numeric(frame["year"], errors="coerce") if "year" in frame \
        else pd.Series(np.nan, index=frame.index, dtype="float64")
    year_code, year_values = pd.factorize(years)        # a missing year: -1, the last entry below
    year_of = [int(y) for y in year_values] + [None]
    versions = np.asarray([matcher.version_for(y) for y in year_of], dtype=object)[year_code]
    group = (places.assign(_version=versions).groupby([*PLACE_FIELDS, "_version"], dropna=False, sort=False)
             .ngroup().to_numpy()) if len(frame) else np.zeros(0, dtype="int64")
    firsts = np.unique(group, return_index=True)[1]
    cache = matcher.memo
    matches = []
    rows = places.to_numpy(dtype=object)
    for row in firsts:
        place, version = tuple(rows[row]), versions[row]
        if (place, version) not in cache:
            cache[(place, version)] = match_place(matcher, place, year_of[year_code[row]])
        matches.append(cache[(place, version)])

    def column(values, dtype=object) -> pd.Series:
        return pd.Series(np.asarray(values, dtype=dtype)[group], index=frame.index, dtype=dtype)

    frame["village_code"] = column([m.village_code for m in matches])
    frame["match_method"] = column([m.method for m in matches])
    frame["match_score"] = column([m.score for m in matches], "float64")
    frame["match_candidates"] = column(["; ".join(f"{c} ({matcher.describe(c)})" for c in m.candidates)
                                        for m in matches])
    frame["match_scope"] = column([m.scope for m in matches])
    frame["gazetteer_version"] = pd.Series(versions, index=frame.index, dtype=object)
    return frame


def match_place(matcher: Matcher, place: tuple, year: int | None) -> Match:
    """One place tuple (code, village, district, regency, police sector) matched. A village named as a
    template's dropdown names it, 'Air Duren (Kec. Pemali)', is matched in the district (and regency) the
    label names; a Kecamatan or Kabupaten column naming another area makes it ambiguous between the two."""
    code, village, district, regency, sector = place
    if (label := parse_village_label(village)) is None:
        return matcher.match(code=code, village=village, district=district, regency=regency,
                             police_sector=sector, year=year)
    name, label_district, label_regency, label_code = label
    picked = matcher.match(code=code or label_code, village=name, district=label_district, regency=label_regency or regency,
                           year=year)
    if (_differs(district, label_district) or _differs(regency, label_regency, regency=True)) and \
            (stated := matcher.match(code=code or label_code, village=name, district=district, regency=regency,
                                     police_sector=sector, year=year)).village_code != picked.village_code:
        return Match(None, "ambiguous", 0.0, sorted(c for c in {picked.village_code, stated.village_code} if c))
    return picked


def _differs(stated, labelled, regency: bool = False) -> bool:
    return bool(stated and labelled and name_key(str(stated), regency) != name_key(labelled, regency))


UNRESOLVED_COLUMNS = ["dataset", "source_file", *PLACE_FIELDS, "year", "match_method", "match_scope",
                      "match_candidates"]


# The Polres that registered a police report, as its number ends: .../SPKT/POLRES BANGKA SELATAN.
POLRES_IN_NUMBER = re.compile(r"/\s*POLRES(?:TA)?\s+([A-Z][A-Z .'-]*?)\s*(?:/|$)", re.IGNORECASE)


def regency_of_report_number(number: object) -> str | None:
    """The regency (or city) whose Polres a report number names ("Bangka Selatan"), or None."""
    if not isinstance(number, str) or not (m := POLRES_IN_NUMBER.search(number)):
        return None
    return m[1].strip().title()


def with_regency_from_report_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """A row that names no regency takes the one its report number's Polres covers: a village, district or
    Polsek name found in several regencies is then looked for in that one."""
    if "report_number" not in frame:
        return frame
    named = frame["report_number"].map(regency_of_report_number)
    current = frame["regency_name"] if "regency_name" in frame else pd.Series(None, index=frame.index, dtype=object)
    return frame.assign(regency_name=current.where(current.notna(), named))


def place_rows(frame: pd.DataFrame, dataset: Dataset, matcher: Matcher, layouts: dict[str, dict]):
    """(rows placed in a village, rejection records of the rows that could not be placed, their place tuples
    for the steward's review queue, and every row's source_file and match_method for the quality figures)."""
    if "village_list" in frame:
        frame = explode_village_list(frame)
    frame = frame.rename(columns={"village_code": "village_code_sent"})
    frame = match_frame(add_year(with_regency_from_report_numbers(frame), dataset), matcher)
    placed = frame[frame["village_code"].notna()]
    unplaced = frame[frame["village_code"].isna()]
    candidates = CandidateNames(matcher)
    rejections = [_rejection(row, "ambiguous_village" if row.match_method == "ambiguous" else "unknown_village",
                             layouts, dataset, value=row.village_name or row.village_code_sent or "",
                             extra=_why(row, candidates))
                  for row in unplaced.itertuples()]
    # Placed by a code whose village's name is not the row's (nor another village's): flagged, not silent.
    doubtful = placed[placed["match_method"].str.contains("code", na=False) & (placed["match_score"] < 1.0)
                      & placed["village_name"].notna()]
    rejections += [{**_rejection(row, "code_name_mismatch", layouts, dataset, value=row.village_name,
                                 extra=(f"{row.village_code} {matcher.describe(row.village_code)}",
                                        f"{row.village_code} {matcher.describe(row.village_code)}")),
                    "severity": "warning"}
                   for row in doubtful.itertuples()]
    unresolved = unplaced[unplaced["match_method"].isin(["ambiguous", "unmatched"])].assign(dataset=dataset.name)
    unresolved = unresolved.reindex(columns=UNRESOLVED_COLUMNS)
    methods = frame[["source_file", "match_method"]].assign(dataset=dataset.name)
    return placed.reset_index(drop=True), rejections, unresolved.reset_index(drop=True), methods


def drop_repeated_village_years(placed: pd.DataFrame, dataset: Dataset, layouts: dict[str, dict]):
    """One row per village and year within each file: the first wins, later ones are rejected and point
    at it. Across files, assets/harmonise/collisions.py decides (a correction of the same office
    replaces, another office's rows are held for the steward)."""
    if not dataset.one_row_per_village_year or placed.empty:
        return placed, []
    duplicated = placed.duplicated(["source_file", "village_code", "year"], keep="first")
    first = placed[~duplicated].set_index(["source_file", "village_code", "year"])["source_row"]
    rejections = [_rejection(row, "duplicate_village_year", layouts, dataset, value=row.village_name or "",
                             extra=str(first.loc[(row.source_file, row.village_code, row.year)]))
                  for row in placed[duplicated].itertuples()]
    return placed[~duplicated].reset_index(drop=True), rejections


def _why(row, candidates: CandidateNames) -> tuple[str, str]:
    """What the message adds, in English and in Bahasa Indonesia: the candidates, the row's own district and
    regency first, as the template's `Desa` list names them, and a pointer to that list."""
    if row.match_method == "not_a_village":
        return " (marked not a village by the data steward)", " (ditandai bukan desa oleh pengelola data)"
    return candidates.extra(candidate_codes(row.match_candidates), row.match_scope or "", row.district_name,
                            row.regency_name)


def _rejection(row, code: str, layouts: dict[str, dict], dataset: Dataset, value: str, extra: str = "") -> dict:
    field_name = "village_list" if "village_list" in dataset.stored_columns else "village_name"
    letter, header = layouts.get(row.source_file, {}).get(row.source_sheet, {}).get(field_name, ["", field_name])
    error = cell_error(row.source_sheet, int(row.source_row), letter, header, dataset.column(field_name),
                       str(value), code, extra=extra)
    return {"source_file": row.source_file, "dataset": dataset.name, "stage": "harmonise", **error.as_dict()}

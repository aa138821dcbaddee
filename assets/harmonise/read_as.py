"""Village names placed by likeness, told to the clerk: a name read as another spelling (a fuzzy match) or
through a steward's alias landed in that village, and the clerk's answer says so ("Padang Harpan dibaca
sebagai Padang Harapan (Kec. ..., ...)"), so the spelling can be fixed at source. A notice, not an error:
the row counts.

Villages are named as the template's `Desa` list names them (assets/harmonise/labels.village_labels over
the current official list), so the clerk can find the name there and copy it.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa

from assets import storage
from assets.harmonise.kept_rows import kept_rows
from assets.harmonise.labels import village_labels

LIKENESS = ("name_fuzzy", "steward_alias")          # match methods that are not the name as written
# name_normalised below this score: a loose reading (letters doubled or dropped, a variant of a prefix or
# numeral; matcher._by_name 0.95, _by_variant 0.93), not the name itself in another case or spacing
LOOSE_READING_BELOW = 0.96
READ_AS_COLUMNS = ["source_file", "source_sheet", "source_row", "village_name", "village_code", "match_method",
                   "match_score"]
# The rows likeness_rows keeps, as a Parquet filter (pyarrow's disjunctive normal form).
LIKENESS_FILTER = [[("match_method", "in", list(LIKENESS))],
                   [("match_method", "==", "name_normalised"), ("match_score", "<", LOOSE_READING_BELOW)]]


def official_villages(areas: pd.DataFrame) -> pd.DataFrame:
    """The current official list's villages (name, district, regency, code), sorted as the template's
    `Desa` list: by regency, district, name. `areas`: Gazetteer.current()."""
    names = areas.set_index("code")["name"]
    villages = areas[areas["level"] == "village"]
    districts = villages["parent_code"]
    regencies = districts.map(areas.set_index("code")["parent_code"])
    return (villages.assign(district=districts.map(names).values, regency=regencies.map(names).values)
            [["name", "district", "regency", "code"]].sort_values(["regency", "district", "name"]))


def likeness_rows(placed_files: list, kept: Path | None = None) -> pd.DataFrame:
    """The placed rows (Parquet files of placed rows) whose village was found by likeness (a fuzzy match, a
    steward's alias, a loose reading of the name): READ_AS_COLUMNS. `kept`: where each file's are kept
    from the last call (kept_rows.py), so that only new or rewritten files are read."""
    rows = kept_rows(list(placed_files), _likeness_of, kept)
    if "source_file" not in rows:
        return pd.DataFrame(columns=READ_AS_COLUMNS)
    return rows[READ_AS_COLUMNS]


def _likeness_of(path) -> pd.DataFrame:
    """One placed file's rows placed by likeness (no village name column: none)."""
    try:        # only these columns, only these rows: a placed file holds every column of its rows
        rows = storage.read_parquet(path, columns=READ_AS_COLUMNS, filters=LIKENESS_FILTER)
    except (pa.ArrowTypeError, pa.ArrowNotImplementedError):    # a column of nulls only: filtered here
        rows = storage.read_parquet(path)
        rows = rows[rows["match_method"].isin(LIKENESS) | ((rows["match_method"] == "name_normalised")
                                                           & (rows["match_score"] < LOOSE_READING_BELOW))]
    except (KeyError, ValueError, pa.ArrowInvalid):      # no village name column (a list of programs)
        return pd.DataFrame()
    return rows.reindex(columns=READ_AS_COLUMNS)


def with_labels(rows: pd.DataFrame, areas: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """`rows` (READ_AS_COLUMNS) with `read_as`: the village as the template's `Desa` list names it.
    `areas`: a callable giving Gazetteer.current() (called only when there is a row to name)."""
    if rows.empty:
        return rows.assign(read_as=pd.Series(dtype=object))
    villages = official_villages(areas())
    labels = pd.Series(village_labels(villages).to_numpy(), index=villages["code"].to_numpy())
    return rows.assign(read_as=rows["village_code"].map(labels).fillna(rows["village_code"]))


def notices(rows: pd.DataFrame, layouts: dict) -> list[dict]:
    """One notice per row placed by likeness (`rows`: one file's, with `read_as`), in sheet and row order:
    {sheet, row, column, header, value, read_as, village_code, method, score, message_id, message}.
    `layouts`: the file's manifest layouts (sheet -> field -> [letter, header])."""
    out = []
    for r in rows.sort_values(["source_sheet", "source_row"], kind="stable").itertuples():
        letter, header = layouts.get(r.source_sheet, {}).get("village_name", ["", "Desa/Kelurahan"])
        how_id, how = (("menurut alias yang ditetapkan pengelola data", "by the data steward's alias")
                       if r.match_method == "steward_alias" else ("karena ejaannya mirip", "as a close spelling"))
        out.append({"sheet": r.source_sheet, "row": int(r.source_row), "column": letter, "header": header,
                    "value": str(r.village_name), "read_as": r.read_as, "village_code": r.village_code,
                    "method": r.match_method, "score": round(float(r.match_score), 3),
                    "message_id": f"{r.village_name} dibaca sebagai {r.read_as} ({how_id}); tulis nama seperti di "
                                  "daftar desa templat (lembar 'Desa') agar tidak perlu ditebak",
                    "message": f"{r.village_name} read as {r.read_as} ({how}); write the name as the template's "
                               "village list ('Desa' sheet) has it, so it need not be guessed"})
    return out

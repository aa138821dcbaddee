"""The ratio edit against history: each village's value against its own earlier years, once rows are placed.

A dataset declaring the edit `ratio_history` (schemas/, `Edit("ratio_history", columns)`) has every
placed row of year t compared, column by column, with the same village's row of its latest earlier year
in the warehouse (the placed rows of every file received, which the published facts are made of). A value
that fails lands all the same, flagged as a warning (code `edit_ratio_history`) naming the earlier figure
and the value expected; it is recorded with the placement rejections (data_quality_rejection, the
agency's answer and the steward's report).

Method: Hidiroglou-Berthelot (1986), the ratio edit of Statistics Canada, per column and year t over
the n villages having a value in t and in an earlier year (x1 earlier, x2 now, both > 0):

- ratio r_i = x2 / x1, and its median r_M over the villages;
- centred ratio transform, symmetric around 0 whether a value grows or shrinks:
  s_i = 1 - r_M / r_i when r_i < r_M, else r_i / r_M - 1;
- effect E_i = s_i * max(x1, x2) ** U: a change of the same ratio weighs more in a large village;
  U in [0, 1] (here U = 0.5) sets how much size counts;
- bounds from the quartiles E_Q1, E_M, E_Q3 of the effects: d_Q1 = max(E_M - E_Q1, |A * E_M|) and
  d_Q3 = max(E_Q3 - E_M, |A * E_M|), where A (here 0.05) keeps the bounds open when most effects are
  equal; a value fails when E_i < E_M - C * d_Q1 or E_i > E_M + C * d_Q3 (here C = 7).

A failing value must also be off the value expected (x1 * r_M) by more than max(MIN_CHANGE, 3 * sqrt(expected)):
small counts (medium enterprises: 1 one year, 6 the next) vary by chance more than a ratio can tell. The
quartiles need enough villages: with fewer than MIN_PAIRS pairs a column and year is not edited. A
value of 0 after an earlier figure of at least ZERO_AFTER (no ratio to take) fails too: a formula saved
as 0, a population read from an empty column. The value expected is x1 * r_M.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from assets.ingest.edits import number
from assets.ingest.errors import edit_flag
from schemas.base import Dataset

U, A, C = 0.5, 0.05, 7.0
MIN_PAIRS = 20
MIN_CHANGE = 10
ZERO_AFTER = 20


def hb_outliers(earlier: np.ndarray, now: np.ndarray, u: float = U, a: float = A,
                c: float = C) -> tuple[np.ndarray, float]:
    """Hidiroglou-Berthelot over pairs of positive values: (a mask of the pairs that fail, the median ratio).
    Fewer than MIN_PAIRS pairs: none fail."""
    earlier, now = np.asarray(earlier, dtype="float64"), np.asarray(now, dtype="float64")
    if len(now) < MIN_PAIRS:
        return np.zeros(len(now), dtype=bool), float(np.median(now / earlier)) if len(now) else 1.0
    ratio = now / earlier
    median = float(np.median(ratio))
    centred = np.where(ratio < median, 1 - median / ratio, ratio / median - 1)
    effect = centred * np.maximum(earlier, now) ** u
    q1, em, q3 = np.quantile(effect, [0.25, 0.5, 0.75])
    low, high = max(em - q1, abs(a * em)), max(q3 - em, abs(a * em))
    return (effect < em - c * low) | (effect > em + c * high), median


def history_pairs(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per placed row with a value in `column`: the same village's value of its latest earlier year.
    Columns: position (in `rows`), year, earlier_year, earlier, now."""
    have = rows[rows["village_code"].notna() & rows[column].notna() & rows["year"].notna()]
    table = pd.DataFrame({"position": have.index.to_numpy(), "village_code": have["village_code"].to_numpy(),
                          "year": have["year"].astype("int64").to_numpy(),
                          "now": pd.to_numeric(have[column]).to_numpy(dtype="float64")})
    table = table.sort_values(["village_code", "year"], kind="stable")
    same = table["village_code"].eq(table["village_code"].shift())
    table["earlier"] = table["now"].shift().where(same)
    table["earlier_year"] = table["year"].shift().where(same)
    return table[table["earlier"].notna() & (table["earlier_year"] < table["year"])]


def history_flags(rows: pd.DataFrame, columns: tuple[str, ...]) -> list[tuple[int, str, float, str, str]]:
    """(position in `rows`, column, value expected, compared English, compared Bahasa Indonesia) of every
    value failing the ratio edit against its village's history. `rows`: placed rows (village_code, year and
    the columns)."""
    out = []
    for column in columns:
        if column not in rows or rows[column].isna().all():
            continue
        pairs = history_pairs(rows, column)
        for _, group in pairs.groupby("year", sort=True):
            positive = group[(group["earlier"] > 0) & (group["now"] > 0)]
            failing, median = hb_outliers(positive["earlier"].to_numpy(), positive["now"].to_numpy())
            expected = positive["earlier"].to_numpy() * median
            failing &= np.abs(positive["now"].to_numpy() - expected) > np.maximum(MIN_CHANGE, 3 * np.sqrt(expected))
            zeros = group[(group["now"] == 0) & (group["earlier"] >= ZERO_AFTER)]
            for pair in [*positive[failing].itertuples(), *zeros.itertuples()]:
                was_en, was_id = number(pair.earlier)
                out.append((int(pair.position), column, pair.earlier * median,
                            f"{int(pair.earlier_year)}: {was_en}, median change x{median:.2f}",
                            f"{int(pair.earlier_year)}: {was_id}, perubahan median x"
                            + f"{median:.2f}".replace(".", ",")))
    return out


def history_rejections(rows: pd.DataFrame, dataset: Dataset, layouts: dict) -> list[dict]:
    """The dataset's ratio_history edit over its placed rows, as rejection records (severity warning;
    receive.rejection_frame's columns, stage harmonise). `layouts`: sha256 -> sheet -> field -> [letter,
    header], from the manifests."""
    edit = next((e for e in dataset.edits if e.kind == "ratio_history"), None)
    if edit is None or rows.empty or "village_code" not in rows:
        return []
    records = []
    for position, column, expected, compared_en, compared_id in history_flags(rows, edit.columns):
        row = rows.loc[position]
        letter, header = layouts.get(row["source_file"], {}).get(row["source_sheet"], {}).get(column, ["", column])
        value = number(float(row[column]))[0]
        error = edit_flag(row["source_sheet"], int(row["source_row"]), letter, header, dataset.column(column), value,
                          "edit_ratio_history", (compared_en, compared_id),
                          (f"about {number(round(expected))[0]}", f"sekitar {number(round(expected))[1]}"))
        records.append({"source_file": row["source_file"], "dataset": dataset.name, "stage": "harmonise",
                        **error.as_dict()})
    return records

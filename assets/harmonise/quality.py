"""How well the places of each file were matched: rows per match method, ambiguous and unmatched counts,
and the share placed. Shown on the `harmonised_places` asset and checked against the steward's threshold
(JEMBATAN_MATCH_WARN_BELOW, default 0.95)."""
from __future__ import annotations

import os

import pandas as pd

DEFAULT_WARN_BELOW = 0.95
UNPLACED = ("ambiguous", "unmatched", "not_a_village")


def warn_below() -> float:
    return float(os.environ.get("JEMBATAN_MATCH_WARN_BELOW", DEFAULT_WARN_BELOW))


def match_quality(methods: pd.DataFrame, files: pd.DataFrame) -> pd.DataFrame:
    """methods: rows per source_file, dataset and match_method; files: sha256, source, file_name.
    One row per source, file and dataset: rows, share_placed, ambiguous, unmatched, share_<method>..."""
    if methods.empty:
        return pd.DataFrame(columns=["source", "file_name", "dataset", "rows", "share_placed", "ambiguous",
                                     "unmatched"])
    counts = (methods.groupby(["source_file", "dataset", "match_method"])["rows"].sum()
              .unstack("match_method", fill_value=0))
    out = pd.DataFrame({"rows": counts.sum(axis=1)})
    for method in UNPLACED:
        out[method] = counts[method] if method in counts else 0
    out["share_placed"] = (1 - out[list(UNPLACED)].sum(axis=1) / out["rows"]).round(4)
    for method in sorted(c for c in counts.columns if c not in UNPLACED):
        out[f"share_{method}"] = (counts[method] / out["rows"]).round(4)
    out = out.reset_index().merge(files.rename(columns={"sha256": "source_file"}), on="source_file", how="left")
    leading = ["source", "file_name", "dataset", "rows", "share_placed", *UNPLACED]
    return out[leading + [c for c in out.columns if c not in leading and c != "source_file"]].sort_values(
        ["source", "file_name", "dataset"]).reset_index(drop=True)

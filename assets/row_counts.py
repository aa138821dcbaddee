"""The one sentence that counts an inbox's rows: rows in, rows rejected, rows flagged.

The sample generator (sample_data/generate.py, from its ground truth) and `jembatan sync`'s summary
(pipelines/summary.py, from mart_data_quality) both say it, so the two can be compared word for word.
"""
from __future__ import annotations


def rows_sentence(rows_in: int, rows_rejected: int, rows_flagged: int) -> str:
    """`rows_in`: rows of data (read, less the rows left out: subtotals, notes, blank rows);
    `rows_rejected`: rows with at least one error (they do not land: a required value, the place or the
    period unreadable, or a repeated key); `rows_flagged`: rows that landed with at least one warning (an
    optional cell left missing). E.g. "25923 rows in, 370 rows rejected, 26 rows flagged"."""
    return f"{rows_in} rows in, {rows_rejected} rows rejected, {rows_flagged} rows flagged"

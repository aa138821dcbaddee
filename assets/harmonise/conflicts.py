"""The steward's decisions on conflicts between offices: rows of one office whose keys (report numbers;
village and year) another office sent (assets/harmonise/collisions.py holds them). A conflict is named by
a short id from its dataset, the held file and the office whose rows count; the steward accepts it (the
held rows replace the other office's) or refuses it (the held rows never count), with who and when.

Stored as <warehouse>/steward/conflicts.json: {id: {"decision", "decided_by", "decided_at", "note"}},
written by atomic rename. The current conflicts (what the last sync held, with both offices named) are in
<warehouse>/work/placed/conflicts.parquet, for the steward only.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from assets.incremental import atomic_write

DECISIONS_FILE = "conflicts.json"
ACCEPT, REFUSE = "accepted", "refused"
CONFLICT_COLUMNS = ["conflict_id", "dataset", "rows", "held_file", "held_file_name", "held_office",
                    "counting_files", "counting_file_names", "counting_office", "status", "decided_by", "decided_at"]


def conflict_id(dataset: str, held_sha: str, counting_office: str) -> str:
    """A short stable id: the same conflict keeps its id from one sync to the next."""
    return hashlib.sha256(f"{dataset}\0{held_sha}\0{counting_office}".encode()).hexdigest()[:10]


def decisions_path(steward: Path) -> Path:
    return steward / DECISIONS_FILE


def load(steward: Path) -> dict[str, dict]:
    try:
        return json.loads(decisions_path(steward).read_text())
    except FileNotFoundError:
        return {}


def decide(steward: Path, conflict: str, decision: str, decided_by: str, decided_at: str, note: str = "") -> dict:
    """Record the steward's decision (ACCEPT or REFUSE) on a conflict id; a later decision on the same
    conflict replaces the earlier one (the earlier is kept under "earlier"). Returns the record."""
    if decision not in (ACCEPT, REFUSE):
        raise ValueError(f"decision {decision!r}: {ACCEPT} or {REFUSE}")
    decisions = load(steward)
    earlier = decisions.get(conflict)
    record = {"decision": decision, "decided_by": decided_by, "decided_at": decided_at, "note": note}
    if earlier:
        record["earlier"] = [*earlier.pop("earlier", []), earlier]
    decisions[conflict] = record
    steward.mkdir(parents=True, exist_ok=True)
    atomic_write(decisions_path(steward), lambda tmp: tmp.write_text(json.dumps(decisions, indent=1)))
    return record

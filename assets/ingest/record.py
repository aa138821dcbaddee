"""The record of one received file (its manifest): what was read, accepted, rejected and noted, in
the clerk's two languages, and the frame of its rejected cells (the columns of data_quality_rejection,
errors.REJECTION_COLUMNS).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from assets.ingest.errors import REJECTION_COLUMNS, CellError
from assets.ingest.inbox import Entry, stored_name
from assets.privacy import scrub


@dataclass
class Received:
    sha256: str
    source: str
    file_name: str
    status: str                      # accepted, partially_accepted, rejected, duplicate, unchanged; or, for
                                     # what was not received now: waiting, refused, left_alone (NOT_RECEIVED)
    datasets: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    cells_flagged: int = 0           # warnings: optional cells that could not be read (their rows landed)
    skipped: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)           # what the clerk should know, in English ...
    notes_id: list[str] = field(default_factory=list)        # ... and the same in Bahasa Indonesia
    layouts: dict[str, dict] = field(default_factory=dict)   # sheet -> field -> [column letter, header]
    received_at: str = ""
    duplicate_of: str = ""
    problems: list[dict] = field(default_factory=list)       # why the whole file was refused: code, messages
    period: dict[str, dict] = field(default_factory=dict)    # sheet -> {"year", "from"} when not a column
    hidden: dict[str, dict] = field(default_factory=dict)    # sheet -> hidden rows / columns / the sheet itself
    years: list[str] = field(default_factory=list)           # periods its rows are about: "2023" or "2023-08"
    coverage: list[str] = field(default_factory=list)        # sketch of its rows (supersede.file_scope)
    supersedes: list[str] = field(default_factory=list)      # sha256 of earlier files this one replaces
    superseded_by: str = ""
    also_received_as: list[str] = field(default_factory=list)  # other names the same content was dropped under
    decisions: list[dict] = field(default_factory=list)      # what the reader decided, why (decisions.py)

    def __post_init__(self):
        self.file_name = stored_name(self.file_name)     # the name as typed: original_names only

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    def note(self, english: str, indonesian: str) -> None:
        """Notes quote the file (sheet names, headers, skipped rows): NIK- and phone-shaped numbers masked."""
        self.notes.append(scrub(english))
        self.notes_id.append(scrub(indonesian))

    def problem(self, code: str, english: str, indonesian: str) -> None:
        """Why (part of) the file was refused, also noted."""
        self.problems.append({"code": code, "message": scrub(english), "message_id": scrub(indonesian)})
        self.note(english, indonesian)

    @classmethod
    def not_received(cls, entry: Entry, source: str) -> "Received":
        """What an inbox entry that was not received (inbox.Entry: waiting, refused, left alone) reports."""
        received = cls(entry.sha256, source, entry.name, entry.status)
        received.problem(entry.code, entry.message, entry.message_id)
        return received


NOT_RECEIVED = ("waiting", "refused", "left_alone")


def file_status(rows_accepted: int, rows_rejected: int, problems: list[dict]) -> str:
    """rejected (no row landed), partially_accepted (some rows rejected, or a sheet that looks like a
    dataset was not read) or accepted."""
    if rows_accepted <= 0:
        return "rejected"
    return "partially_accepted" if rows_rejected or problems else "accepted"


def safe_name(name: str) -> str:
    cleaned = re.sub(r"[^0-9A-Za-z._ ()\-]+", "_", name).strip(" .")
    return cleaned[:120] or "file"


def rejection_frame(errors: list[tuple[str, CellError]], received: Received, stage: str) -> pd.DataFrame:
    columns = ["source_file", "file_name", "source", *REJECTION_COLUMNS[1:]]
    records = [{"source_file": received.sha256, "file_name": received.file_name, "source": received.source,
                "dataset": dataset, "stage": stage, **e.as_dict()} for dataset, e in errors]
    return pd.DataFrame.from_records(records, columns=columns).astype({"row": "int64"})

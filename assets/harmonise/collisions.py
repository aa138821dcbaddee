"""Keys sent in more than one file: who may correct what (assets/offices.py).

A key is a report number (crime reports) or a village and year (MSME counts). Across files, in the order
received:
- **the same office** sends a key again: its later row replaces the earlier one (a partial correction);
  both files' answers say how many rows and which (their keys and rows in the earlier file), naming the
  other file (an office sees only its own files).
- **another office** sends it: the later office's row is **held** for the data steward and does not count;
  the rows that counted stay. Both clerks are told in one line that a steward will decide, without the
  other office or file. A report number belongs first to the office it names (`POLRES BANGKA`): another
  office sending it first does not take it; that office's rows are the ones held.
- the steward **accepts** a conflict (assets/harmonise/conflicts.py): the held rows replace the others;
  **refuses** it: the held rows are rejected (`conflict_refused`) and never count.

Every held or refused row is a rejection record at its key cell (file, sheet, row, column); the conflicts,
naming both offices, are for the steward only.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from assets import storage
from assets.harmonise.conflicts import ACCEPT, CONFLICT_COLUMNS, REFUSE, conflict_id
from assets.harmonise.kept_rows import kept_rows
from assets.ingest.errors import cell_error
from assets.offices import key_owner, manifest_office
from schemas.base import Dataset


@dataclass
class Outcome:
    drop: list[tuple[int, int]] = field(default_factory=list)     # (file index, row position in it)
    rejections: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)               # source_file, note, note_id
    conflicts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CONFLICT_COLUMNS))


# What a key is, in a clerk's words (English, Bahasa Indonesia).
KEY_WORDS = {True: ("the same report numbers", "nomor LP yang sama"),
             False: ("the same villages and years", "desa dan tahun yang sama")}


def resolve(keyed: pd.DataFrame, key: list[str], dataset: Dataset, offices: dict[str, str],
            office_names: dict[str, str], file_names: dict[str, str], decisions: dict[str, dict],
            layouts) -> Outcome:
    """`keyed`: every placed row with a key (no key twice within one file), with columns `key`,
    source_file, source_sheet, source_row, village_name (for messages), `_file` (the file's place in the
    order received) and `_at` (the row's position in its file's rows). `offices`: sha256 -> office key;
    `office_names` and `file_names`: sha256 -> names; `decisions`: conflict id -> the steward's decision;
    `layouts`: sha256 -> sheet -> field -> [column letter, header]. Returns the rows to drop, rejection
    records, notes per file and the conflicts."""
    out = Outcome()
    if keyed.empty:
        return out
    spread = keyed.groupby(key, sort=False)["_file"].transform("nunique") > 1
    shared = keyed[spread]
    if shared.empty:
        return out
    by_report = bool(dataset.unique_key)
    replaced = defaultdict(list)     # (new sha, old sha) -> the replaced rows' keys as a clerk knows them
    held = {}                        # conflict id -> record
    told = defaultdict(int)          # (sha, what) -> rows
    column = "report_number" if by_report else "village_name"
    for _, group in shared.sort_values(["_file", "_at"]).groupby(key, sort=False):
        files = group["source_file"].tolist()
        of = [offices.get(s, "") for s in files]
        owner = key_owner(group[key[0]].iloc[0], dataset.source) if by_report else None
        owner = owner if owner in of else of[0]
        mine = group[[o == owner for o in of]]
        counting = mine.iloc[-1]
        for _, old in mine.iloc[:-1].iterrows():            # the same office's earlier rows: replaced
            out.drop.append((int(old["_file"]), int(old["_at"])))
            replaced[(counting["source_file"], old["source_file"])].append(_key_text(old, column, by_report))
        accepted = []
        for _, row in group[[o != owner for o in of]].iterrows():
            cid = conflict_id(dataset.name, row["source_file"], owner)
            record = held.setdefault(cid, {"conflict_id": cid, "dataset": dataset.name, "rows": 0,
                                           "held_file": row["source_file"], "counting_office": owner,
                                           "counting_files": set()})
            record["rows"] += 1
            record["counting_files"].add(counting["source_file"])
            decision = decisions.get(cid, {}).get("decision")
            if decision == ACCEPT:
                accepted.append(row)
                continue
            out.drop.append((int(row["_file"]), int(row["_at"])))
            code = "conflict_refused" if decision == REFUSE else "held_for_steward"
            out.rejections.append(_rejection(row, column, code, dataset, layouts))
            told[(row["source_file"], code)] += 1
            if decision != REFUSE:
                told[(counting["source_file"], "also_sent")] += 1
        if accepted:        # the latest accepted row counts; the office's row and any other give way
            winner = accepted[-1]
            for row in [counting, *accepted[:-1]]:
                out.drop.append((int(row["_file"]), int(row["_at"])))
            told[(counting["source_file"], "replaced_by_decision")] += 1
            told[(winner["source_file"], "replaces_by_decision")] += 1
    words = KEY_WORDS[by_report]
    for (new, old), keys in replaced.items():
        out.notes += [_note(new, *_replaces(keys, file_names.get(old, old[:12]), words)),
                      _note(old, *_replaced(keys, file_names.get(new, new[:12]), words))]
    for (sha, what), n in told.items():
        out.notes.append(_note(sha, *TOLD[what](n, words)))
    out.conflicts = pd.DataFrame([_conflict(r, offices, office_names, file_names, decisions) for r in held.values()],
                                 columns=CONFLICT_COLUMNS)
    return out


NAMED_KEYS = 10     # rows named in a note of replaced rows; more are counted ("and 5 more")


def _key_text(row, column: str, by_report: bool) -> tuple[str, int]:
    """(the row's key as the clerk typed it: its report number, or its village as sent and year; the row
    of its sheet in the earlier file)."""
    name = row.get(column)
    name = name if isinstance(name, str) and name.strip() else str(row.get("village_code", ""))
    return (name if by_report else f"{name} {int(row['year'])}"), int(row["source_row"])


def _named(keys: list[tuple[str, int]]) -> tuple[str, str]:
    """The replaced rows, the first NAMED_KEYS of them: "LP/B/3/VIII/2023 (row 4), ..." (English, Bahasa
    Indonesia)."""
    more = len(keys) - NAMED_KEYS
    return tuple(", ".join(f"{text} ({word} {row})" for text, row in keys[:NAMED_KEYS])
                 + (f" {also} {more} {rest}" if more > 0 else "")
                 for word, also, rest in (("row", "and", "more"), ("baris", "dan", "lainnya")))


def _replaces(keys: list[tuple[str, int]], old: str, words) -> tuple[str, str]:
    n, (named, named_id) = len(keys), _named(keys)
    return (f"Replaces {n} row(s) of {old}, sent earlier by your office ({words[0]}): {named}; the rest of {old} "
            "still counts.",
            f"Menggantikan {n} baris dari {old}, yang dikirim lebih dahulu oleh kantor Anda ({words[1]}): {named_id}; "
            f"baris lain dari {old} tetap dihitung.")


def _replaced(keys: list[tuple[str, int]], new: str, words) -> tuple[str, str]:
    n, (named, named_id) = len(keys), _named(keys)
    return (f"{n} row(s) of this file were replaced by {new}, a later file of your office ({words[0]}): {named}.",
            f"{n} baris berkas ini digantikan oleh {new}, berkas kantor Anda yang lebih baru ({words[1]}): "
            f"{named_id}.")


TOLD = {
    "held_for_steward": lambda n, w: (
        f"{n} row(s) held: another office already sent {w[0]}; a data steward will decide which count.",
        f"{n} baris ditahan: kantor lain sudah mengirim {w[1]}; pengelola data akan memutuskan mana yang dihitung."),
    "also_sent": lambda n, w: (
        f"{n} of your rows were also sent by another office ({w[0]}); a data steward will decide; until then "
        "your rows count.",
        f"{n} baris Anda juga dikirim oleh kantor lain ({w[1]}); pengelola data akan memutuskan; sampai itu baris "
        "Anda tetap dihitung."),
    "conflict_refused": lambda n, w: (
        f"{n} row(s) not counted: another office sent {w[0]}, and the data steward decided that office's rows count.",
        f"{n} baris tidak dihitung: kantor lain mengirim {w[1]}, dan pengelola data memutuskan baris kantor itu "
        "yang dihitung."),
    "replaced_by_decision": lambda n, w: (
        f"{n} of your rows were replaced by another office's rows ({w[0]}), on the data steward's decision.",
        f"{n} baris Anda digantikan oleh baris kantor lain ({w[1]}), atas keputusan pengelola data."),
    "replaces_by_decision": lambda n, w: (
        f"{n} row(s) replace another office's rows ({w[0]}), on the data steward's decision.",
        f"{n} baris menggantikan baris kantor lain ({w[1]}), atas keputusan pengelola data."),
}


def _note(sha: str, english: str, indonesian: str) -> dict:
    return {"source_file": sha, "note": english, "note_id": indonesian}


def _rejection(row, column: str, code: str, dataset: Dataset, layouts) -> dict:
    sha, sheet = row["source_file"], row["source_sheet"]
    letter, header = layouts().get(sha, {}).get(sheet, {}).get(column, ["", column])
    value = row.get(column)
    error = cell_error(sheet, int(row["source_row"]), letter, header, dataset.column(column),
                       "" if value is None or value != value else str(value), code)
    return {"source_file": sha, "dataset": dataset.name, "stage": "harmonise", **error.as_dict()}


def _conflict(record: dict, offices, office_names, file_names, decisions) -> dict:
    decided = decisions.get(record["conflict_id"], {})
    counting = sorted(record["counting_files"])
    held = record["held_file"]
    return {**record, "held_file_name": file_names.get(held, ""), "held_office": office_names.get(held, offices.get(held, "")),
            "counting_files": ", ".join(counting), "counting_file_names": ", ".join(file_names.get(s, "") for s in counting),
            "counting_office": next((office_names[s] for s in counting if s in office_names), record["counting_office"]),
            "status": decided.get("decision", "open"), "decided_by": decided.get("decided_by", ""),
            "decided_at": decided.get("decided_at", "")}


def _who(manifests: dict[str, dict]) -> tuple[dict, dict, dict]:
    """(sha256 -> office key, -> office name, -> file name) from the manifests."""
    return ({sha: manifest_office(m) for sha, m in manifests.items()},
            {sha: m.get("office_name") or f"{m.get('source', '')} (whole folder)" for sha, m in manifests.items()},
            {sha: m["file_name"] for sha, m in manifests.items()})


def settle_rows(rows: pd.DataFrame, dataset: Dataset, manifests: dict[str, dict], decisions: dict[str, dict],
                layouts) -> tuple[pd.DataFrame, Outcome]:
    """One dataset's placed rows of every file together (in the order received; one row per village and
    year within each file already): the rows that count, and what resolve() says."""
    if rows.empty:
        return rows, Outcome()
    keyed = rows.assign(_file=pd.factorize(rows["source_file"])[0], _at=range(len(rows)))
    keyed = keyed.dropna(subset=["village_code", "year"])
    out = resolve(keyed, ["village_code", "year"], dataset, *_who(manifests), decisions, layouts)
    dropped = [at for _, at in out.drop]
    return rows.drop(index=rows.index[dropped]).reset_index(drop=True), out


def settle_files(files: list[Path], dataset: Dataset, manifests: dict[str, dict], decisions: dict[str, dict],
                 layouts, kept_keys: Path | None = None) -> tuple[list[Path], Outcome]:
    """A dataset with a unique key (report numbers), one placed Parquet file per received file, in the
    order received: the files to publish (a filtered copy, `<sha>.unique.parquet`, where rows were
    dropped) and what resolve() says. `kept_keys`: a Parquet file keeping every file's key rows from
    the last settling (key_rows), so that a new file is read alone, not with every file before it."""
    key = list(dataset.unique_key)
    if not files:
        return files, Outcome()
    rows = key_rows(files, [*key, "source_file", "source_sheet", "source_row"], kept_keys)
    rows["_at"] = rows.groupby("_file").cumcount()            # position within its file's Parquet
    out = resolve(rows.dropna(subset=key), key, dataset, *_who(manifests), decisions, layouts)
    kept = list(files)
    positions = defaultdict(list)
    for n, at in out.drop:
        positions[n].append(at)
    for n, at in positions.items():
        frame = storage.read_parquet(files[n]).drop(index=at).reset_index(drop=True)
        kept[n] = files[n].with_name(f"{files[n].stem}.unique.parquet")
        storage.write_parquet(kept[n], frame, index=False)
    return kept, out


def key_rows(files: list[Path], columns: list[str], kept: Path | None = None) -> pd.DataFrame:
    """`columns` of every row of `files` (placed Parquet files), in file order and each file's row order,
    with `_file` (its index in `files`); `kept`: where they are kept from the last call (kept_rows.py)."""
    rows = kept_rows(files, lambda path: storage.read_parquet(path, columns=columns), kept)
    return rows[[*columns, "_file"]] if len(rows.columns) > 1 else pd.DataFrame(columns=[*columns, "_file"])

"""The steward's decisions, kept as aliases: "in this area, this written name is that village" (or is not
a village at all). They live in warehouse/steward/aliases.csv, beside and not inside the DuckDB file,
because the database is rebuilt on every sync and the decisions must outlive it. Revoking keeps the
record (who revoked, when) so the history stays readable; a later decision for the same name and area
supersedes an earlier one.
"""
from __future__ import annotations

import csv
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

NOT_A_VILLAGE = "not a village"
STORE_NAME = "aliases.csv"


@dataclass
class Alias:
    id: int
    name_key: str          # names.name_key of the written name
    scope_code: str        # district or regency code the rows named ("" = no usable hierarchy)
    written: str           # the name as the rows wrote it (most common spelling)
    village_code: str      # a Kemendagri village code, or NOT_A_VILLAGE
    decided_by: str
    decided_at: str        # ISO timestamp
    from_file: str         # the review workbook the decision came from
    revoked_by: str = ""
    revoked_at: str = ""

    @property
    def active(self) -> bool:
        return not self.revoked_at


def store_path(steward_dir: Path) -> Path:
    return Path(steward_dir) / STORE_NAME


def load_all(steward_dir: Path) -> list[Alias]:
    path = store_path(steward_dir)
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return [Alias(**{**row, "id": int(row["id"])}) for row in csv.DictReader(f)]


def load_active(steward_dir: Path) -> list[Alias]:
    return [a for a in load_all(steward_dir) if a.active]


def save_all(steward_dir: Path, aliases: list[Alias]) -> None:
    """Written whole to a temporary file and renamed over the old one, so a crash never leaves half a file."""
    path = store_path(steward_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=[f.name for f in fields(Alias)])
        writer.writeheader()
        writer.writerows(asdict(a) for a in aliases)
    os.replace(temporary, path)


def add(steward_dir: Path, decisions: list[dict], decided_by: str, decided_at: str, from_file: str) -> list[Alias]:
    """Store decisions (name_key, scope_code, written, village_code, optional decided_by); earlier active aliases for the same
    name and area are revoked by the new one. Returns the new aliases."""
    existing = load_all(steward_dir)
    next_id = max((a.id for a in existing), default=0) + 1
    new = []
    for decision in decisions:
        for old in existing:
            if old.active and (old.name_key, old.scope_code) == (decision["name_key"], decision["scope_code"]):
                old.revoked_by, old.revoked_at = f"superseded by #{next_id}", decided_at
        alias = Alias(id=next_id, decided_by=decision.get("decided_by") or decided_by, decided_at=decided_at,
                      from_file=from_file,
                      **{k: decision[k] for k in ("name_key", "scope_code", "written", "village_code")})
        existing.append(alias)
        new.append(alias)
        next_id += 1
    save_all(steward_dir, existing)
    return new


def revoke(steward_dir: Path, alias_id: int, revoked_by: str, revoked_at: str) -> Alias:
    aliases = load_all(steward_dir)
    for alias in aliases:
        if alias.id == alias_id:
            if not alias.active:
                raise ValueError(f"alias {alias_id} was already revoked on {alias.revoked_at}")
            alias.revoked_by, alias.revoked_at = revoked_by, revoked_at
            save_all(steward_dir, aliases)
            return alias
    raise KeyError(f"no alias with id {alias_id}")


def revoked_before(steward_dir: Path, decisions: list[dict]) -> list[tuple[dict, Alias]]:
    """The decisions that would bring back an alias revoked (or superseded) earlier: the same name, area and
    village as a revoked alias, with no alias in force saying the same. (decision, the latest such alias)."""
    existing = load_all(steward_dir)
    same = lambda a, d: (a.name_key, a.scope_code, a.village_code) == (d["name_key"], d["scope_code"],  # noqa: E731
                                                                         d["village_code"])
    found = []
    for decision in decisions:
        if any(a.active and same(a, decision) for a in existing):
            continue
        revoked = [a for a in existing if not a.active and same(a, decision)]
        if revoked:
            found.append((decision, max(revoked, key=lambda a: a.revoked_at)))
    return found

"""The names files were dropped under, as typed, kept in one owner-only place: the archive.

A clerk may name a file "Laporan NIK 1901234567890123 HP 081298765432.csv". Everything the project
stores or shows (manifests, file_register, marts, reports and their names, publications, Dagster's
events, the portal) carries the name masked (privacy.scrub, as cell values are); the name as typed is
recorded only here, beside the archived bytes: original_names/<sha256>.json next to archive/ (the
archive holds content only, named by its hash), a sorted list of names, owner-only (or JEMBATAN_GROUP's)
like the archive itself, for the steward who must find a file by it.
"""
from __future__ import annotations

import json

from assets import storage
from assets.ingest.inbox import shown_name, stored_name


def names_path(archive_dir: storage.Location, sha: str) -> storage.Location:
    return archive_dir.parent / "original_names" / f"{sha}.json"


def remember(archive_dir: storage.Location, sha: str, name: str) -> None:
    """Add `name` (an inbox file's name, not UTF-8 bytes shown as U+FFFD) to the names content `sha` was
    dropped under. Written whole (storage.atomic_write), restricted."""
    path = names_path(archive_dir, sha)
    names = set(recorded(archive_dir, sha))
    name = shown_name(name)
    if name in names:
        return
    text = json.dumps(sorted(names | {name}), ensure_ascii=False, indent=0)
    storage.atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def recorded(archive_dir: storage.Location, sha: str) -> list[str]:
    """The names content `sha` was dropped under, as typed ([] when none was recorded)."""
    path = names_path(archive_dir, sha)
    return json.loads(storage.read_text(path)) if storage.exists(path) else []


def as_dropped(archive_dir: storage.Location, sha: str, name: str) -> str:
    """The name content `sha` was dropped under that `name` stands for: `name` itself when recorded (or
    when nothing is recorded), else the first recorded name it is the masked form of (inbox.stored_name)."""
    names = recorded(archive_dir, sha)
    if name in names:
        return name
    return next((n for n in names if stored_name(n) == name), name)

"""A file's answer as its office may see it: the agency report a sync wrote for it, or that it waits.

A sync writes, for every name a content was received under, `<warehouse>/reports/<agency>/<name>.<sha[:12]>.json`
and its workbook twin `.xlsx` (assets.ingest.report.report_path; a file refused before it was read gets the
same names). The portal knows the name it gave the upload in the inbox, so it reads exactly that report and
no other. Until one exists the file is `waiting` (read by the next sync: the inbox sensors, the daily
schedule or `jembatan sync`), or `gone` when it left the inbox unread.

What an office sees of a report leaves out other offices' files: names of received files that the office
did not upload (a duplicate of, or a report number already sent in, another office's file)
read "berkas lain" / "another file", their fingerprints are dropped, and the rows left out are listed without
their content (the workbook has it, for the clerk who sent the file).

When the content an office sent was first received from someone else (another office, another agency
folder, or a file the steward dropped), the sync's report for it is that first file's report under the
office's name. The office then sees only what concerns its own upload: status `duplicate`, its own
folder, file name and upload time, the note "the same content was already received; it was counted once"
without naming whom, the content's counts and cells to fix; never the first file's received time,
corrections, supersession or notes about them.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from assets.ingest.work_area import WorkArea
from assets.ingest.report import report_path
from pipelines.portal.store import Upload

READ_STATUSES = ("accepted", "partially_accepted", "rejected", "duplicate", "refused")
OTHER_FILE = ("berkas lain", "another file")
# The first note of a file whose content came first from someone else (English, Bahasa Indonesia).
SAME_CONTENT = ("the same content was already received; it was counted once",
                "isi yang sama sudah pernah diterima; dihitung sekali")
# Notes the sync adds about other files: this content received under another name, or replaced by a
# corrected file (assets/ingest/report.duplicate_reports, assets/ingest/receive.settle_supersessions).
ABOUT_OTHER_FILES = re.compile(r"^(?:superseded by |the same content was already received as )")
ALREADY_CAME_IN = "already came in "


@dataclass(frozen=True)
class Answer:
    status: str               # waiting, gone, or a report's status (READ_STATUSES)
    report: dict | None       # the report as the office may see it (None while waiting)
    workbook: Path | None     # the report's workbook as the sync wrote it
    rewritten: dict | None = None   # when that workbook names another office's file: the report to write
                                    # the office's workbook from instead (names replaced, rows kept)


def report_files(reports: Path, upload: Upload) -> tuple[Path, Path]:
    """(JSON report, workbook) for the upload's name and content, whether written yet or not."""
    workbook = report_path(reports, upload.agency, upload.file_name, upload.sha256)
    return workbook.with_suffix(".json"), workbook


@dataclass(frozen=True)
class Others:
    """What the office did not send: names of received files (any agency folder) and their SHA-256."""
    names: frozenset = frozenset()
    shas: frozenset = frozenset()


def answer(inbox: Path, warehouse: Path, upload: Upload, own: list[Upload], others: Others | None = None,
           senders: list[Upload] | None = None) -> Answer:
    """The upload's status and report; `own` is every upload of the same office (their names and
    fingerprints may be shown), `others` other_names() when already known, `senders` every office's
    upload of the same content (PortalStore.senders; default: the office's own)."""
    reports = warehouse / "reports"
    work = WorkArea(warehouse / "work")
    manifest = work.manifest(upload.sha256)
    twin, workbook = report_files(reports, upload)
    if not twin.exists() and manifest and manifest["source"] != upload.agency:
        # the same content came first in another folder: its report under this name is written there
        twin, workbook = report_files(reports, Upload(**{**upload.__dict__, "agency": manifest["source"]}))
    try:
        report = json.loads(twin.read_text())
    except FileNotFoundError:
        here = (inbox / upload.agency / upload.file_name).exists()
        return Answer("waiting" if here or manifest else "gone", None, None)
    others = other_names(warehouse, own) if others is None else others
    first = manifest is None or first_received_from(manifest, upload, own if senders is None else senders)
    seen = for_office(report, upload, own, others, first=first)
    with_rows = for_office(report, upload, own, others, keep_rows=True, first=first)
    as_written = {**report, "file_name": upload.file_name, "original_name": upload.original_name,
                  "uploaded_at": upload.uploaded_at}
    return Answer(seen["status"], seen, workbook if workbook.exists() else None,
                  None if with_rows == as_written else with_rows)


def other_names(warehouse: Path, own: list[Upload]) -> Others:
    """Names and SHA-256 of received files (of any agency folder) that the office did not upload."""
    names, shas = set(), set()
    for manifest in WorkArea(warehouse / "work").manifests():
        names.update([manifest["file_name"], *manifest.get("also_received_as", [])])
        shas.add(manifest["sha256"])
    return Others(frozenset(names - {u.file_name for u in own}), frozenset(shas - {u.sha256 for u in own}))


def first_received_from(manifest: dict, upload: Upload, senders: list[Upload]) -> bool:
    """Whether the content's first receipt (the manifest's folder and file name) is this office's upload:
    the earliest upload of it under that name into that folder came from the office. False for content
    first dropped by someone else (another office or folder, or straight into the inbox)."""
    first = sorted((u for u in senders if u.sha256 == manifest["sha256"] and u.agency == manifest["source"]
                    and u.file_name == manifest["file_name"]), key=lambda u: u.uploaded_at)
    return bool(first) and first[0].office == upload.office and first[0].agency == upload.agency


def for_office(report: dict, upload: Upload, own: list[Upload], others: Others | set[str], keep_rows: bool = False,
               first: bool = True) -> dict:
    """The report with other offices' file names replaced and their fingerprints dropped, and the rows
    left out without their content (with it when `keep_rows`: for the office's own workbook). `first`
    False: the content came first from someone else; only what concerns this upload is kept (module doc)."""
    others = others if isinstance(others, Others) else Others(frozenset(others))
    own_shas = {u.sha256 for u in own}
    own_names = {u.file_name for u in own}
    pattern = _names_pattern(others.names)
    prefixes = re.compile(r" ?\(?\b(?:" + "|".join(sorted(s[:12] for s in others.shas)) + r")\w*\)?") \
        if others.shas else None

    def clean(text, lang: int):
        if not isinstance(text, str):
            return text
        text = pattern.sub(OTHER_FILE[lang], text) if pattern else text
        return prefixes.sub("", text) if prefixes else text

    out = dict(report)
    out["file_name"] = upload.file_name
    out["original_name"] = upload.original_name
    out["uploaded_at"] = upload.uploaded_at
    notes, notes_id = report.get("notes", []), report.get("notes_id", [])
    if not first:       # notes about the first file's other names and corrections are not this upload's
        kept = [i for i, n in enumerate(notes) if not ABOUT_OTHER_FILES.match(n)]
        notes = [SAME_CONTENT[0], *(notes[i] for i in kept)]
        notes_id = [SAME_CONTENT[1], *(notes_id[i] for i in kept if i < len(notes_id))]
    out["notes"] = [clean(n, 1) for n in notes]
    out["notes_id"] = [clean(n, 0) for n in notes_id]
    if report.get("duplicate_of") in others.names:
        out["duplicate_of"] = OTHER_FILE[1]
    out["supersedes"] = [s for s in report.get("supersedes", []) if s in own_shas]
    if report.get("superseded_by") and report["superseded_by"] not in own_shas:
        out["superseded_by"] = OTHER_FILE[1]
    if out.get("status") == "rejected" and not report.get("rows_read") and report.get("problems"):
        out["status"] = "refused"       # not read at all (not a spreadsheet, protected, ...): said as such
    if not first:
        out.update(status="duplicate", sha256=upload.sha256, source=upload.agency, duplicate_of=OTHER_FILE[1],
                   received_at=upload.uploaded_at, supersedes=[], superseded_by="")
    out["errors"] = [_seen_error(e, own_names, clean) for e in report.get("errors", [])]
    out["skipped"] = [{k: v for k, v in s.items() if k != "text" or keep_rows} for s in report.get("skipped", [])]
    out["problems"] = [{**p, "message": clean(p.get("message"), 1), "message_id": clean(p.get("message_id"), 0)}
                       for p in report.get("problems", [])]
    return out


def _seen_error(error: dict, own_names: set[str], clean) -> dict:
    """A cell error as the office sees it: a report number already sent in a file the office did not
    send says so, without that file's name or row."""
    message = error.get("message")
    if error.get("code") == "duplicate_key_other_file" and isinstance(message, str) and not any(
            f"{ALREADY_CAME_IN}{name} row " in message for name in own_names):
        said = f"{error.get('header')}: '{error.get('value')}'"
        return {**error, "message": f"{said} was already sent in another file; each report is counted once.",
                "message_id": f"{said} sudah pernah dikirim dalam berkas lain; setiap laporan dihitung sekali."}
    return {**error, "message": clean(message, 1), "message_id": clean(error.get("message_id"), 0)}


def _names_pattern(names: set[str]) -> re.Pattern | None:
    """Each name where it stands alone (not inside a longer name), longest first."""
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w.\-])(?:{alternatives})(?!\.?[\w\-])")

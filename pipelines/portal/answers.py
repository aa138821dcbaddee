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
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from assets.ingest.receive import WorkArea
from assets.ingest.report import report_path
from pipelines.portal.store import Upload

READ_STATUSES = ("accepted", "partially_accepted", "rejected", "duplicate", "refused")
OTHER_FILE = ("berkas lain", "another file")


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


def answer(inbox: Path, warehouse: Path, upload: Upload, own: list[Upload], others: set[str] | None = None) -> Answer:
    """The upload's status and report; `own` is every upload of the same office (their names and
    fingerprints may be shown), `others` other_names() when already known."""
    reports = warehouse / "reports"
    twin, workbook = report_files(reports, upload)
    if not twin.exists():
        manifest = WorkArea(warehouse / "work").manifest(upload.sha256)
        if manifest and manifest["source"] != upload.agency:    # the same content came first in another folder
            twin, workbook = report_files(reports, Upload(**{**upload.__dict__, "agency": manifest["source"]}))
    try:
        report = json.loads(twin.read_text())
    except FileNotFoundError:
        here = (inbox / upload.agency / upload.file_name).exists()
        return Answer("waiting" if here or WorkArea(warehouse / "work").manifest(upload.sha256) else "gone",
                      None, None)
    others = other_names(warehouse, own) if others is None else others
    seen = for_office(report, upload, own, others)
    with_rows = for_office(report, upload, own, others, keep_rows=True)
    as_written = {**report, "file_name": upload.file_name, "original_name": upload.original_name}
    return Answer(seen["status"], seen, workbook if workbook.exists() else None,
                  None if with_rows == as_written else with_rows)


def other_names(warehouse: Path, own: list[Upload]) -> set[str]:
    """Names of received files (of any agency folder) that the office did not upload."""
    names = set()
    for manifest in WorkArea(warehouse / "work").manifests():
        names.update([manifest["file_name"], *manifest.get("also_received_as", [])])
    return names - {u.file_name for u in own}


def for_office(report: dict, upload: Upload, own: list[Upload], others: set[str], keep_rows: bool = False) -> dict:
    """The report with other offices' file names replaced and their fingerprints dropped, and the rows
    left out without their content (with it when `keep_rows`: for the office's own workbook)."""
    own_shas = {u.sha256 for u in own}
    pattern = _names_pattern(others)

    def clean(text, lang: int):
        if not isinstance(text, str) or pattern is None:
            return text
        return pattern.sub(OTHER_FILE[lang], text)

    out = dict(report)
    out["file_name"] = upload.file_name
    out["original_name"] = upload.original_name
    out["notes"] = [clean(n, 1) for n in report.get("notes", [])]
    out["notes_id"] = [clean(n, 0) for n in report.get("notes_id", [])]
    if report.get("duplicate_of") in others:
        out["duplicate_of"] = OTHER_FILE[1]
    out["supersedes"] = [s for s in report.get("supersedes", []) if s in own_shas]
    if report.get("superseded_by") and report["superseded_by"] not in own_shas:
        out["superseded_by"] = OTHER_FILE[1]
    out["errors"] = [{**e, "message": clean(e.get("message"), 1), "message_id": clean(e.get("message_id"), 0)}
                     for e in report.get("errors", [])]
    out["skipped"] = [{k: v for k, v in s.items() if k != "text" or keep_rows} for s in report.get("skipped", [])]
    out["problems"] = [{**p, "message": clean(p.get("message"), 1), "message_id": clean(p.get("message_id"), 0)}
                       for p in report.get("problems", [])]
    return out


def _names_pattern(names: set[str]) -> re.Pattern | None:
    """Each name where it stands alone (not inside a longer name), longest first."""
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w.\-])(?:{alternatives})(?!\.?[\w\-])")

"""The answer to the agency: for every received file (and every other name its content came under), a
workbook the clerk can open and fix their file from, and a JSON twin for machines.

Built after village matching, so rows whose village was not recognised are listed with their
candidates. Personal data is never echoed in clear: personal columns were masked at ingest, and
anything that still looks like a NIK or a phone number is masked here.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from assets import storage
from assets.harmonise.read_as import notices
from assets.incremental import atomic_write, read_memo, write_memo
from assets.ingest.decisions import KINDS, ordered
from assets.ingest import printed_sheets
from assets.ingest.notes import where_id as _where_id
from assets.ingest.printed_sheets import PrintedSheet, Style
from assets.ingest.record import file_status, safe_name
from assets.ingest.work_area import WorkArea
from assets.privacy import scrub
from assets.workers import broken, pool_for, worker_count
from schemas import DATASETS

CANDIDATES = re.compile(r"\(candidates: (.*)\)")   # greedy: candidates carry their own parentheses


def report_path(reports: storage.Location, source: str, file_name: str, sha: str) -> storage.Location:
    return reports / source / f"{safe_name(file_name)}.{sha[:12]}.xlsx"


def write_file_reports(work: WorkArea, reports: Path, placed_rejections: pd.DataFrame,
                       code_key: str, read_as: pd.DataFrame | None = None,
                       file_notes: pd.DataFrame | None = None) -> dict[str, int]:
    """A report per received name: the file's own, and one per duplicate drop of the same content.
    A file's reports are built again only when what they are made of changed (its manifest, its stored
    rejections, its rows rejected at matching, the code writing them: code_key); work/reported.json keeps
    that digest per file. `read_as`: the rows placed by likeness (assets/harmonise/read_as.py, with
    `read_as`), told in each file's answer; `file_notes`: notes placing added (source_file, note, note_id:
    rows replaced by a correction, or held for the steward, assets/harmonise/collisions.py). Returns the
    number of reports per status."""
    ledger = work.root / "reported.json"
    known = read_memo(ledger)
    placed_digest = _digest_per_file(placed_rejections)
    read_as = read_as if read_as is not None and len(read_as) else None
    likeness_digest = _digest_per_file(read_as) if read_as is not None else {}
    added = {} if file_notes is None or file_notes.empty else \
        {sha: list(zip(group["note"], group["note_id"])) for sha, group in file_notes.groupby("source_file")}
    placed_by_file = _by_file(placed_rejections)
    read_as_by_file = _by_file(read_as)
    reported, statuses, tasks = {}, {}, []
    for manifest in work.manifests():
        sha = manifest["sha256"]
        stored = [(p, st) for p in _stored_rejections(work, sha) if (st := storage.stamp(p)) is not None]
        digest = hashlib.sha256(json.dumps([code_key, manifest, placed_digest.get(sha), likeness_digest.get(sha), added.get(sha),
                                            [(p.name, *st) for p, st in stored]],
                                           default=str).encode()).hexdigest()
        stored = [p for p, _ in stored]
        entry = known.get(sha)
        if entry and entry["digest"] == digest and all(storage.location(p).exists() for p in entry["paths"]):
            reported[sha] = entry
        else:
            tasks.append((work, reports, manifest, stored,
                          placed_by_file.get(sha),
                          read_as_by_file.get(sha), added.get(sha, []), digest))
    for sha, entry in _in_workers(_report_file, tasks):
        reported[sha] = entry
    for entry in reported.values():
        for status in entry["statuses"]:
            statuses[status] = statuses.get(status, 0) + 1
    write_memo(ledger, reported, known)
    return statuses


def _by_file(frame: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """A frame's rows per source_file (none: {})."""
    if frame is None or frame.empty:
        return {}
    return {sha: group for sha, group in frame.groupby("source_file", sort=False)}


def _report_file(task: tuple) -> tuple[str, dict]:
    """One file's reports built and written (in a worker process when there are many): its rows rejected
    at matching kept beside them, its answer and one per duplicate name. Returns (sha256, its entry in
    work/reported.json)."""
    work, reports, manifest, stored, placed, read_as, added, digest = task
    placed = _placed_rejections(work, manifest, placed)
    told = notices(read_as, manifest.get("layouts", {})) if read_as is not None else []
    report = file_report(manifest, _errors(stored, placed), told, added)
    written = [report, *duplicate_reports(manifest, report)]
    for r in written:
        write_report(reports, r, rewrite=True)
    return manifest["sha256"], {"digest": digest, "statuses": [r["status"] for r in written],
                                "paths": [str(report_path(reports, r["source"], r["file_name"], r["sha256"]))
                                          for r in written]}


PARALLEL_MIN_REPORTS = 64       # reports to write before worker processes pay for their start (~2 s)


def _in_workers(function, tasks: list) -> list:
    """[function(task) for task in tasks], shared among JEMBATAN_INGEST_WORKERS worker processes when
    there are many (laying out and saving a styled workbook is most of the agency reports' time: ~25 ms
    each, 2,049 files for the whole country); what a dead worker left is done here."""
    workers = min(worker_count(), len(tasks))
    results: dict[int, object] = {}
    if workers >= 2 and len(tasks) >= PARALLEL_MIN_REPORTS:
        with pool_for(workers) as pool:     # the sync's pool (assets/workers.py), or one of its own
            try:
                for i, result in pool.map(_numbered, [(i, function, t) for i, t in enumerate(tasks)],
                                          chunksize=max(1, len(tasks) // (workers * 8))):
                    results[i] = result
            except BrokenProcessPool:
                broken(pool)    # a worker died (out of memory, killed): the rest are done below
    return [results[i] if i in results else function(task) for i, task in enumerate(tasks)]


def _numbered(task: tuple) -> tuple[int, object]:
    i, function, argument = task
    return i, function(argument)


def write_reports(reports: Path, to_write: list[dict]) -> None:
    """Write these reports (workbook and JSON twin each), rewritten even when the JSON says the same: the
    code laying out the workbook may have changed; many are written in worker processes (_in_workers)."""
    _in_workers(_write_one, [(reports, r) for r in to_write])


def _write_one(task: tuple[Path, dict]) -> None:
    reports, report = task
    write_report(reports, report, rewrite=True)


def _digest_per_file(rejections: pd.DataFrame) -> dict[str, list[int]]:
    """Per file: its rows rejected at matching, as a count and an order-free sum of row hashes."""
    if rejections.empty:
        return {}
    rows = pd.util.hash_pandas_object(rejections.astype(str), index=False)
    grouped = rows.groupby(rejections["source_file"].to_numpy())
    return {sha: [int(n), int(total)] for sha, n, total in zip(grouped.size().index, grouped.size(), grouped.sum())}


def duplicate_reports(manifest: dict, report: dict) -> list[dict]:
    """The same content dropped under other names: each name gets its answer."""
    return [{**report, "file_name": name, "status": "duplicate", "duplicate_of": manifest["file_name"],
             "notes": [f"the same content was already received as {manifest['file_name']}; it was counted once",
                       *report["notes"]],
             "notes_id": [f"isi yang sama sudah diterima sebagai {manifest['file_name']}; dihitung sekali",
                          *report["notes_id"]]}
            for name in manifest.get("also_received_as", [])]


def _placed_rejections(work: WorkArea, manifest: dict, placed: pd.DataFrame | None) -> pd.DataFrame:
    """The file's rows rejected at matching (`placed`: its own, None when it has none now). A counted
    file's are kept beside its report
    (work/placed_rejections/<sha256>.parquet): once a corrected file supersedes it, it is placed no more,
    and its report still lists them (never fewer rejected rows than it had)."""
    sha = manifest["sha256"]
    kept = work.root / "placed_rejections" / f"{sha}.parquet"
    if placed is not None:
        storage.write_parquet(kept, placed)
        return placed
    if manifest.get("superseded_by") and storage.exists(kept):
        return storage.read_parquet(kept)
    if storage.exists(kept):        # counted, and none of its rows rejected at matching any more
        storage.delete(kept)
    return pd.DataFrame()


def replaced_files_rejections(work: WorkArea) -> pd.DataFrame:
    """The rejections of every file a corrected one superseded: its ingest rejections (set aside with its
    rows in work/superseded/) and its rows rejected at matching while it counted (kept beside its report).
    They no longer count, but they are what the file's answer said (mart_data_quality)."""
    frames = []
    for manifest in work.manifests():
        if manifest.get("superseded_by"):
            sha = manifest["sha256"]
            kept = [p for p in [_stored_rejections(work, sha)[1], work.root / "placed_rejections" / f"{sha}.parquet"]
                    if storage.exists(p)]
            frames += [f.assign(source_file=sha) for f in map(storage.read_parquet, kept) if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _stored_rejections(work: WorkArea, sha: str) -> list[Path]:
    return [work.rejections_path(sha), work.root / "superseded" / sha / "rejections" / f"{sha}.parquet"]


def _errors(stored: list[Path], placed: pd.DataFrame) -> pd.DataFrame:
    frames = [f for f in [*(storage.read_parquet(p) for p in stored), placed] if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["sheet", "row"])


def file_report(manifest: dict, errors: pd.DataFrame, read_as: list[dict] | None = None,
                added: list[tuple[str, str]] | None = None) -> dict:
    """The file's answer (the JSON twin's dict). `errors`: its rejected and flagged cells; `read_as`: its
    village names placed by likeness (read_as.notices), told as notices; `added`: notes placing added
    (English, Bahasa Indonesia), first. Warnings are counted
    (`cells_flagged`) only on rows that landed: a rejected row's flagged cells are listed, not counted."""
    if len(errors):
        errors = errors.assign(severity=errors["severity"].fillna("error") if "severity" in errors else "error")
    rejecting = errors[errors["severity"] == "error"] if len(errors) else errors
    rejected_rows = len(rejecting[["sheet", "row"]].drop_duplicates()) if len(rejecting) else 0
    rejected_at = set(zip(rejecting["sheet"], rejecting["row"])) if len(rejecting) else set()
    read_as = [n for n in read_as or [] if (n["sheet"], n["row"]) not in rejected_at]
    flagged = sum(severity == "warning" and (sheet, row) not in rejected_at
                  for sheet, row, severity in zip(errors["sheet"], errors["row"], errors["severity"])) \
        if len(errors) else 0
    rows_accepted = manifest["rows_read"] - manifest["rows_skipped"] - rejected_rows
    status = file_status(rows_accepted, rejected_rows, manifest.get("problems", []))
    records = []
    for e in errors.sort_values(["sheet", "row", "column"], kind="stable").to_dict("records") if len(errors) else []:
        candidates = CANDIDATES.search(str(e.get("message", "")))
        expected_id = e.get("expected_id") if isinstance(e.get("expected_id"), str) and e.get("expected_id") \
            else e["expected"]
        expected_id, expected = EXPECTED_BY_CODE.get(e["code"], (expected_id, e["expected"]))
        records.append({"sheet": e["sheet"], "row": int(e["row"]), "column": e["column"], "header": e["header"],
                        "value": scrub(e["value"]), "expected": expected, "expected_id": expected_id,
                        "severity": e["severity"],
                        "code": e["code"],
                        "message": scrub(e["message"]), "message_id": scrub(e["message_id"]),
                        "candidates": candidates[1] if candidates else ""})
    return {
        "file_name": manifest["file_name"], "sha256": manifest["sha256"], "source": manifest["source"],
        "dataset": ", ".join(manifest["datasets"]) or None, "datasets": manifest["datasets"], "status": status,
        "rows_read": manifest["rows_read"], "rows_accepted": max(rows_accepted, 0), "rows_rejected": rejected_rows,
        "rows_skipped": manifest["rows_skipped"],
        "cells_flagged": flagged, "cells_read_as": len(read_as),
        "received_at": manifest.get("received_at", ""),
        "years": manifest.get("years", []), "period": manifest.get("period", {}),
        "hidden": manifest.get("hidden", {}), "problems": manifest.get("problems", []),
        "supersedes": manifest.get("supersedes", []), "superseded_by": manifest.get("superseded_by", ""),
        "duplicate_of": "", "notes": [scrub(n) for n in [*(a[0] for a in added or []), *manifest.get("notes", [])]],
        "notes_id": [scrub(n) for n in [*(a[1] for a in added or []), *_notes_id(manifest)]],
        "skipped": [{**s, "text": scrub(s["text"])} for s in manifest.get("skipped", [])],
        "decisions": ordered(manifest.get("decisions", [])),
        "errors": records, "read_as": [{**n, "value": scrub(n["value"])} for n in read_as],
    }


def write_inbox_reports(reports: Path, refused: list) -> None:
    """A report for each inbox entry refused before it was read (receive.Received with status refused:
    a link, a folder, a fifo, a file that cannot be opened or whose name is not UTF-8), under its shown
    name and the first 12 hex digits of its content's SHA-256 when it could be read safely, else of its
    name. Rewritten only when it says something new."""
    for received in refused:
        tag = received.sha256 or hashlib.sha256(received.file_name.encode()).hexdigest()
        report = {"file_name": received.file_name, "sha256": received.sha256 or None, "source": received.source,
                  "dataset": None, "datasets": [], "status": "refused", "rows_read": 0, "rows_accepted": 0,
                  "rows_rejected": 0, "rows_skipped": 0, "received_at": "", "years": [], "period": {},
                  "hidden": {}, "problems": received.problems, "supersedes": [], "superseded_by": "",
                  "duplicate_of": "", "notes": received.notes, "notes_id": received.notes_id, "skipped": [],
                  "errors": []}
        write_report(reports, report, tag)


def _notes_id(manifest: dict) -> list[str]:
    """The Indonesian notes, one per English note (a file received before they were kept has the
    English ones only: shown in both places)."""
    notes, notes_id = manifest.get("notes", []), manifest.get("notes_id", [])
    return notes_id if len(notes_id) == len(notes) else notes


def write_report(reports: Path, report: dict, tag: str | None = None, rewrite: bool = False) -> dict:
    """Writes the workbook and its JSON twin (the twin last), unless the report on disk already says the
    same (rewrite: write them anyway). Returns the status and the workbook's path, named by the file
    name and `tag` (default the file's sha256), its first 12 characters."""
    path = report_path(reports, report["source"], report["file_name"], tag or report["sha256"])
    twin = path.with_suffix(".json")
    text = json.dumps(report, indent=1, ensure_ascii=False, default=str)
    if rewrite or not (twin.exists() and storage.read_text(twin) == text and path.exists()):
        atomic_write(path, lambda tmp: report_workbook(report, tmp))
        atomic_write(twin, lambda tmp: tmp.write_text(text))
    return {"status": report["status"], "path": path}


SUMMARY_LABELS = [
    ("file_name", "Nama berkas", "File name"), ("sha256", "Sidik berkas (SHA-256)", "File fingerprint"),
    ("source", "Folder instansi", "Agency folder"), ("dataset", "Jenis data", "Dataset"),
    ("status", "Status", "Status"),
    ("rows_read", "Baris dibaca (termasuk yang dilewati)", "Rows read (skipped rows included)"),
    ("rows_accepted", "Baris diterima", "Rows accepted"), ("rows_rejected", "Baris ditolak", "Rows rejected"),
    ("rows_skipped", "Baris dilewati (jumlah, catatan, kosong)", "Rows skipped (totals, notes, blank)"),
    ("cells_flagged", "Sel bermasalah pada baris yang diterima (peringatan)", "Cells flagged in accepted rows (warnings)"),
    ("cells_read_as", "Nama desa dibaca sebagai desa yang mirip (catatan)",
     "Village names read as a similar village (notices)"),
    ("received_at", "Diterima", "Received"), ("years", "Tahun data", "Years"),
    ("duplicate_of", "Sama dengan berkas", "Same content as"),
    ("superseded_by", "Digantikan oleh", "Replaced by"), ("supersedes", "Menggantikan", "Replaces"),
]
STATUS_ID = {"accepted": "diterima", "partially_accepted": "diterima sebagian", "rejected": "ditolak",
             "duplicate": "duplikat (sudah pernah diterima)", "refused": "ditolak tanpa dibaca"}
SEVERITY_ID = {"error": "kesalahan (error)", "warning": "peringatan (warning)", "notice": "catatan (notice)"}
# What a village name placed by likeness should have been written as (read_as.py's notices).
READ_AS_EXPECTED = ("nama desa seperti di daftar desa templat (lembar 'Desa')",
                    "the village's name as the template's village list ('Desa' sheet) has it")
HEADER_FILL = "DDEBF7"
# The sheets, named in Bahasa Indonesia with English beside (Excel allows 31 characters).
SUMMARY_SHEET, ERRORS_SHEET, SKIPPED_SHEET = "Ringkasan (Summary)", "Kesalahan (Errors)", "Baris dilewati (Skipped rows)"
DECISIONS_SHEET = "Keputusan (Decisions)"      # what the reader decided, flagged first
# What a clerk must do about a row, by the kind of problem: the column's type ("teks") says nothing
# about a village that is not on the official list. (Bahasa Indonesia, English.)
EXPECTED_BY_CODE = {
    "unknown_village": ("desa/kelurahan yang ada di daftar resmi Kemendagri (lihat kandidat desa, dan daftar desa "
                        "templat: lembar 'Desa')",
                        "a village on the official Kemendagri list (see the candidates, and the template's village "
                        "list: 'Desa' sheet)"),
    "ambiguous_village": ("nama desa/kelurahan dengan kecamatannya, atau kodenya, agar hanya satu desa yang cocok",
                          "the village with its district, or its code, so that one village matches"),
    "duplicate_village_year": ("satu baris per desa dan tahun", "one row per village and year"),
    "duplicate_key": ("nomor yang belum dipakai baris lain", "a number no other row uses"),
    "duplicate_key_other_file": ("nomor yang belum pernah dikirim", "a number not sent before"),
    "held_for_steward": ("keputusan pengelola data", "the data steward's decision"),
    "conflict_refused": ("data kantor Anda sendiri", "your own office's data"),
}
# Why a row was left out, as the clerk reads it (Bahasa Indonesia, English).
SKIPPED_REASON = {"blank": ("baris kosong", "blank row"), "subtotal": ("baris jumlah/subtotal", "subtotal row"),
                  "note": ("catatan atau kaki halaman", "note or footer"),
                  "column_numbers": ("baris nomor kolom", "row of column numbers"),
                  "header_repeat": ("judul kolom berulang", "header repeated"),
                  "district_heading": ("judul kecamatan", "district heading")}


LOCAL_ZONE = ZoneInfo("Asia/Jakarta")      # the daily sync's zone too (pipelines/defs/sensors.py)


def local_time(iso: str) -> str:
    """An ISO 8601 time (UTC) as the clerk reads it: "30/11/2026 08:34 WIB" (Jakarta time); as given
    when it is not one."""
    try:
        return dt.datetime.fromisoformat(iso).astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M WIB")
    except (TypeError, ValueError):
        return iso or ""


def both(id_: object, en: object) -> str:
    """Bahasa Indonesia first, the English under it in the same cell (once when they are the same)."""
    id_, en = ("" if v is None or v != v else str(v) for v in (id_, en))
    return id_ if not en or en == id_ else f"{id_}\n({en})" if id_ else en


def _without_candidates(message: str) -> str:
    """A message without its "(kandidat: ...)" or "(candidates: ...)": the candidates have a column of their own."""
    return re.sub(r" ?\((?:kandidat|candidates): .*\)(?=[.;]|$)", "", message or "")


def _skipped_notes(report: dict) -> set[str]:
    """The English notes that only repeat a line of the skipped-rows sheet (a subtotal or note row left
    out, as assets/ingest/receive.py words them): the summary counts them instead of listing each."""
    def label(sheet):
        return f"sheet {sheet!r}" if sheet else "the file"
    return {f"{label(s['sheet'])}: {s['reason']} row {s['row']} left out ({s['text']})"
            for s in report["skipped"] if s["reason"] in ("subtotal", "note")}


def report_workbook(report: dict, target) -> None:
    """Write the clerk's workbook to `target` (a path or a binary file object): a summary, every rejected
    or flagged cell, the rows left out, the reader's decisions; every sheet and header in Bahasa Indonesia
    with the English beside it, printed landscape on A4, one page wide, long text wrapped, the header row
    repeated on every page (assets/ingest/printed_sheets.py)."""
    summary = PrintedSheet(SUMMARY_SHEET, widths=[28, 24, 50, 50])
    summary.append(["Laporan penerimaan berkas / File receipt report"])
    summary.style(0, 0, TITLE)
    header = summary.append(["Keterangan", "Item (English)", "Isi / Value", "(English)"])
    for column in range(4):
        summary.style(header, column, HEADER)
    for key, label_id, label_en in SUMMARY_LABELS:
        value, value_en = report.get(key), None
        if key == "status":
            value, value_en = STATUS_ID.get(value, value), str(value).replace("_", " ")
        elif key == "dataset" and report["datasets"]:        # what the agency calls it, and the English
            value = "; ".join(DATASETS[d].title_id or d if d in DATASETS else d for d in report["datasets"])
            value_en = "; ".join(f"{DATASETS[d].description} ({d})" if d in DATASETS else d for d in report["datasets"])
        elif key == "received_at":
            value = local_time(value)
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        summary.append([label_id, label_en, value, value_en])
        if key == "status":         # why a file was refused comes first, where the clerk looks
            for problem in report["problems"]:
                row = summary.append(["Masalah berkas", "File problem", problem["message_id"], problem["message"]])
                for column in (2, 3):
                    summary.style(row, column, ALARM)
    decisions = report.get("decisions", [])
    for d in decisions:         # the flagged ones where the clerk looks; all of them on their own sheet
        if d.get("flagged"):
            label_en, label_id = KINDS.get(d["decision"], (d["decision"], d["decision"]))
            where = f"{d['sheet']}: " if d.get("sheet") else ""
            row = summary.append([f"Periksa: {label_id}", f"Check: {label_en}",
                                  f"{where}{d['value_id']} ({d['evidence_id']})", f"{where}{d['value']} ({d['evidence']})"])
            for column in range(4):
                summary.style(row, column, ALARM)
    if decisions:
        summary.append(["Keputusan", "Decisions", f"{len(decisions)} keputusan saat membaca berkas: lihat lembar "
                        f"'{DECISIONS_SHEET}'", f"{len(decisions)} decisions taken reading the file: see sheet "
                        f"'{DECISIONS_SHEET}'"])
    for sheet, found in report["period"].items():
        summary.append(["Tahun diambil dari", "Year taken from", f"{sheet}: {found['year']} ({_where_id(found['from'])})",
                        f"{sheet}: {found['year']} ({found['from']})"])
    repeated = _skipped_notes(report)
    problems = {p["message"] for p in report["problems"]}       # said under the status already
    for note_id, note in zip(report["notes_id"], report["notes"]):
        if note not in repeated and note not in problems:
            summary.append(["Catatan", "Note", note_id, note])
    # Counted from the rows left out, as the skipped-rows sheet lists them (a subtotal found by its sums is
    # one of them though its note, which says what it adds up, is listed above).
    if left_out := sum(s["reason"] in ("subtotal", "note") for s in report["skipped"]):
        summary.append(["Catatan", "Note", f"{left_out} baris jumlah/subtotal dan catatan dilewati: lihat lembar "
                        f"'{SKIPPED_SHEET}'", f"{left_out} subtotal and note rows left out: see sheet '{SKIPPED_SHEET}'"])
    summary.append([])
    summary.append(["Tingkat: kesalahan", "Severity: error", "baris ditolak; perbaiki lalu kirim ulang berkasnya",
                    "the row was rejected; correct it and send the file again"])
    summary.append(["Tingkat: peringatan", "Severity: warning", "baris diterima tanpa isi sel itu (kode edit_...: "
                    "dengan nilai seperti tertulis); periksa selnya",
                    "the row was accepted without that cell's value (codes edit_...: with the value as written); "
                    "check the cell"])
    if report.get("cells_read_as"):      # told only where a village name was read as another
        summary.append(["Tingkat: catatan", "Severity: notice", "baris diterima; nama desanya dibaca sebagai desa yang "
                        "mirip: perbaiki ejaannya di berkas berikutnya", "the row was accepted; its village name was read "
                        "as a similar village: fix the spelling in the next file"])
    summary.fit_rows()
    for row in range(2, len(summary.rows)):      # counts beside their labels
        summary.style(row, 2, COUNT)
    summary.styles[(0, 0)] = TITLE       # the title runs over the empty cells beside it, unwrapped
    summary.heights[0] = 20
    errors = _table(ERRORS_SHEET, [
        ("Lembar", "Sheet"), ("Baris Excel", "Excel row"), ("Kolom", "Column"), ("Judul kolom", "Header"),
        ("Isi sel", "Value as typed"), ("Tingkat", "Severity"), ("Seharusnya", "Expected"), ("Pesan", "Message"),
        ("Kandidat desa", "Candidate villages"), ("Kode", "Code")],
        [[e["sheet"], e["row"], e["column"], e["header"], e["value"], SEVERITY_ID.get(e["severity"], e["severity"]),
          both(e["expected_id"], e["expected"]),
          both(_without_candidates(e["message_id"]), _without_candidates(e["message"])),
          (e["candidates"] or "").replace("; ", "\n"), e["code"]]       # one candidate a line
         for e in report["errors"]]
        + [[n["sheet"], n["row"], n["column"], n["header"], n["value"], SEVERITY_ID["notice"], both(*READ_AS_EXPECTED),
            both(n["message_id"], n["message"]), n["read_as"], n["method"]] for n in report.get("read_as", [])],
        widths=[18, 8, 8, 16, 16, 12, 24, 44, 32, 18])
    skipped = _table(SKIPPED_SHEET, [("Lembar", "Sheet"), ("Baris Excel", "Excel row"),
                                     ("Alasan", "Reason"), ("Isi baris", "Row content")],
                     [[s["sheet"], s["row"], both(*SKIPPED_REASON.get(s["reason"], (s["reason"], s["reason"]))), s["text"]]
                      for s in report["skipped"]], widths=[18, 8, 24, 80])
    decided = _table(DECISIONS_SHEET, [("Periksa", "Check"), ("Lembar", "Sheet"), ("Keputusan", "Decision"),
                                       ("Hasil", "Value"), ("Bukti", "Evidence"), ("Kode", "Code")],
                     [["ya (yes)" if d.get("flagged") else "", d["sheet"],
                       both(*reversed(KINDS.get(d["decision"], (d["decision"], d["decision"])))),
                       both(d["value_id"], d["value"]), both(d["evidence_id"], d["evidence"]), d.get("code", "")]
                      for d in decisions], widths=[10, 16, 20, 40, 60, 18])
    # Every text is written as text, never as a formula (printed_sheets.save).
    printed_sheets.save([summary, errors, skipped, decided], target)


TITLE = Style(bold=True, size=13, top=True)
HEADER = Style(bold=True, fill=HEADER_FILL)
ALARM = Style(bold=True, color="C00000")
COUNT = Style(wrap=True, top=True, left=True)


def _table(title: str, headers: list[tuple[str, str]], rows: list[list], widths: list[int]) -> PrintedSheet:
    """A sheet of `rows` under a header row ("Bahasa / English"), frozen, filtered and printed on every page."""
    sheet = PrintedSheet(title, widths=widths, header=True)
    sheet.append([f"{id_} / {en}" for id_, en in headers])
    for column in range(len(headers)):
        sheet.style(0, column, HEADER)
    for row in rows:
        sheet.append(row)
    sheet.fit_rows()
    return sheet

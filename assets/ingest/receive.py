"""Receive one dropped file: keep it (content-addressed), read every sheet, recognise its dataset, and
store accepted rows (personal data already replaced) and rejections under the work folder.

Idempotent by content hash: a file whose content was already received is not read again, whatever
its name, so the same file dropped twice is counted once. Outputs are written before the manifest,
each by atomic rename, so a sync killed at any moment leaves either nothing or a complete result.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from assets import storage
from assets.incremental import atomic_write, write_frame
from assets.ingest.cells import EXCEL_EPOCH, EXCEL_EPOCH_1904
from assets.ingest.errors import CellError
from assets.ingest.formula_cells import mark_error_cells
from assets.ingest.guard import RefusedFile, inspect_file
from assets.ingest.helper_sheets import helper_sheet
from assets.ingest.inbox import Entry, NotTaken, stored_name, take
from assets.ingest.layout import normalise_header, recognise
from assets.ingest.original_names import remember
from assets.ingest.period import find_district, find_period, from_title
from assets.ingest.subtables import header_changes, split_at
from assets.ingest.table import TableResult, read_table
from assets.ingest.vocabulary import named_value
from assets.ingest.workbook import UnreadableFile, column_letter, read_file
from assets.privacy import pseudonym, scrub
from schemas import DATASETS, datasets_for_source
from schemas.base import DROP, PSEUDONYMISE


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
    coverage: list[str] = field(default_factory=list)        # sketch of its rows (receive.file_scope)
    supersedes: list[str] = field(default_factory=list)      # sha256 of earlier files this one replaces
    superseded_by: str = ""
    also_received_as: list[str] = field(default_factory=list)  # other names the same content was dropped under

    def __post_init__(self):
        self.file_name = stored_name(self.file_name)     # the name as typed: archive/names only (original_names)

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


def _where_id(found_in: str) -> str:
    """Where a value was found (period.from_title's words), in Bahasa Indonesia."""
    return (found_in.replace("title row", "baris judul").replace("sheet name", "nama lembar")
            .replace("file name", "nama berkas"))


_PARSED_MANIFESTS: dict[str, tuple[tuple, dict]] = {}


class WorkArea:
    """Where ingest results live between stages (work/ in the shared storage, assets/storage.py)."""

    def __init__(self, root: storage.Location):
        self.root = root

    def manifest_path(self, sha: str) -> Path:
        return self.root / "files" / f"{sha}.json"

    def accepted_path(self, dataset: str, sha: str) -> Path:
        return self.root / "accepted" / dataset / f"{sha}.parquet"

    def rejections_path(self, sha: str) -> Path:
        return self.root / "rejections" / f"{sha}.parquet"

    def manifest(self, sha: str) -> dict | None:
        path = self.manifest_path(sha)
        try:
            return json.loads(storage.read_text(path))
        except FileNotFoundError:
            return None

    def manifests(self) -> list[dict]:
        """Every manifest, parsed once per process while its file is unchanged (a sync's stages each
        read all of them: thousands at national scale). Shared: treat them as read-only."""
        out = []
        for path, stamp in storage.stamps(self.root / "files", "*.json"):    # a rewrite: a new inode or ETag
            parsed = _PARSED_MANIFESTS.get(str(path))
            if parsed is None or parsed[0] != stamp:
                parsed = _PARSED_MANIFESTS[str(path)] = (stamp, json.loads(storage.read_text(path)))
            out.append(parsed[1])
        return out

    def write_manifest(self, received: Received) -> None:
        self.write_manifest_dict(received.as_dict())

    def write_manifest_dict(self, manifest: dict) -> None:
        atomic_write(self.manifest_path(manifest["sha256"]),
                            lambda tmp: tmp.write_text(json.dumps(manifest, indent=1, default=str,
                                                                  ensure_ascii=False)))

    def write_frame(self, path: Path, frame: pd.DataFrame) -> None:
        write_frame(path, frame)

    def accepted(self, dataset: str) -> pd.DataFrame:
        paths = sorted((self.root / "accepted" / dataset).glob("*.parquet"))
        frames = [storage.read_parquet(p) for p in paths]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def rejection_files(self) -> list[Path]:
        """One per current (not superseded) received file, named by its hash and never rewritten: their
        names say what they hold."""
        return sorted((self.root / "rejections").glob("*.parquet"))

    def rejections(self) -> pd.DataFrame:
        """Every current file's ingest rejections (one Parquet file each: thousands at national scale,
        read together by DuckDB, whose reader also copes with the all-empty files' null types)."""
        files = self.rejection_files()
        if not files:
            return pd.DataFrame()
        with storage.local_copies(files) as local:       # DuckDB reads local files (object storage: copies)
            paths = [str(p) for p in local]
            return duckdb.sql(f"SELECT * FROM read_parquet({paths}, union_by_name = true)").df()


def pseudonymise(frame: pd.DataFrame, dataset_name: str, key: bytes) -> pd.DataFrame:
    """Drop personal columns and replace identifiers by keyed pseudonyms, before anything is stored."""
    dataset = DATASETS[dataset_name]
    frame = frame.copy()
    for column in dataset.columns:
        if column.personal == PSEUDONYMISE:
            frame[column.pseudonym] = [None if pd.isna(v) else pseudonym(key, column.name, str(v))
                                       for v in frame[column.name]]
        if column.personal in (DROP, PSEUDONYMISE):
            frame = frame.drop(columns=column.name)
    return frame


class Ledger:
    """Every received file's manifest, read once per batch and kept in step with what is written: a
    batch of thousands of files would otherwise re-read every manifest for each file it records."""

    def __init__(self, work: WorkArea):
        self.work = work
        self.by_sha = {m["sha256"]: dict(m) for m in work.manifests()}     # own copies: changed here

    def get(self, sha: str) -> dict | None:
        return self.by_sha.get(sha)

    def manifests(self) -> list[dict]:
        return list(self.by_sha.values())

    def write(self, manifest: dict) -> None:
        self.work.write_manifest_dict(manifest)
        self.by_sha[manifest["sha256"]] = manifest


def receive_file(path: Path, source: str, work: WorkArea, archive_dir: Path, key: bytes,
                 ledger: Ledger | None = None) -> Received:
    """Receive one file: taken into the archive (inbox.take), then read from there; a file that cannot
    be taken (a link, still being written, unreadable) gives a Received with its status and reason."""
    ledger = ledger or Ledger(work)
    try:
        sha, archived, _ = take(path, archive_dir)
        remember(archive_dir, sha, path.name)
    except NotTaken as exc:
        return Received.not_received(exc.entry, source)
    if known := known_file(path, sha, source, ledger):
        return known
    return record_received(read_received(archived, path.name, sha, source, work, key), ledger)


def known_file(path: Path, sha: str, source: str, ledger: Ledger) -> Received | None:
    """The same content received before: unchanged (same name) or a duplicate (another name)."""
    known = ledger.get(sha)
    if not known:
        return None
    name = stored_name(path.name)
    if name != known["file_name"] and name not in known.get("also_received_as", []):
        known["also_received_as"] = sorted({*known.get("also_received_as", []), name})
        ledger.write(known)
    status = "unchanged" if name == known["file_name"] else "duplicate"
    return Received(sha, source, name, status, known["datasets"], duplicate_of=known["file_name"])


def read_received(archived: storage.Location, file_name: str, sha: str, source: str, work: WorkArea, key: bytes) -> Received:
    """What receiving a new file depends on only that file: read its archived copy (the bytes that were
    hashed, inbox.take) as `file_name`, store its accepted rows and rejections (content-addressed).
    Files can go through this in parallel processes."""
    received = Received(sha, source, file_name, "rejected",
                        received_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds"))
    with storage.local_copy(archived) as local:     # the readers open a local file (object storage: a copy)
        results = _read_tables(local, source, received)
    errors: list[tuple[str, CellError]] = [(r.dataset, e) for r in results for e in r.errors]
    for result in results:
        received.rows_read += result.rows_read
        received.rows_accepted += len(result.rows)
        received.rows_rejected += len(result.rejected_rows)
        received.cells_flagged += sum(e.severity == "warning" for e in result.errors)
        received.rows_skipped += len(result.skipped)
        received.skipped += [{"sheet": result.sheet, **s} for s in result.skipped]
        received.layouts[result.sheet] = {name: [letter, scrub(header)] for name, (letter, header)
                                          in result.columns.items()}
    received.datasets = sorted({r.dataset for r in results})
    # The file's scope (Arrow and numpy work, mostly outside the GIL) is worked out on the other core
    # while its rows are pseudonymised and written.
    with ThreadPoolExecutor(1) as scope_thread:
        scope = scope_thread.submit(file_scope, results)
        for dataset in received.datasets:
            frames = [r.rows for r in results if r.dataset == dataset and not r.rows.empty]
            if frames:
                frame = pseudonymise(pd.concat(frames, ignore_index=True), dataset, key)
                frame.insert(0, "source_file", sha)
                work.write_frame(work.accepted_path(dataset, sha), frame)
        work.write_frame(work.rejections_path(sha), rejection_frame(errors, received, stage="ingest"))
        received.years, received.coverage = scope.result()
    received.status = file_status(received.rows_accepted, received.rows_rejected, received.problems)
    return received


def file_status(rows_accepted: int, rows_rejected: int, problems: list[dict]) -> str:
    """rejected (no row landed), partially_accepted (some rows rejected, or a sheet that looks like a
    dataset was not read) or accepted."""
    if rows_accepted <= 0:
        return "rejected"
    return "partially_accepted" if rows_rejected or problems else "accepted"


def record_received(received: Received, ledger: Ledger) -> Received:
    """What depends on the files received before it, so done one file at a time in drop order: which
    earlier files it supersedes, then its manifest (last: a file with a manifest is completely received)."""
    if received.rows_accepted:
        received.supersedes = superseded_files(ledger.manifests(), received)
    manifest = received.as_dict()
    ledger.write(manifest)
    settle_supersessions(ledger, [manifest])
    return received


def _read_tables(path: Path, source: str, received: Received) -> list[TableResult]:
    """Guard, read, recognise and parse every sheet of `path` (the archived copy, named
    received.file_name); file-level problems go to `received`."""
    file_name = received.file_name
    try:
        inspection = inspect_file(path)
        sheets = read_file(path, inspection.kind)
    except RefusedFile as exc:
        received.problem(exc.code, exc.message, exc.message_id)
        return []
    except UnreadableFile as exc:
        received.problem("unreadable_file", str(exc), f"Berkas tidak dapat dibaca sebagai spreadsheet ({exc}).")
        return []
    for english, indonesian in inspection.notes:
        received.note(english, indonesian)
    epoch = EXCEL_EPOCH_1904 if inspection.date1904 else EXCEL_EPOCH
    if inspection.date1904:
        received.note("the workbook uses the 1904 date system (Excel for Mac): its dates and date serial "
                      "numbers are read in that system",
                      "buku kerja memakai sistem tanggal 1904 (Excel untuk Mac): tanggal dan nomor seri "
                      "tanggalnya dibaca dalam sistem itu")
    if name_note := odd_name_note(file_name):
        received.note(name_note, f"nama berkas {file_name!r} memuat karakter yang diganti pada nama laporan")
    results, unrecognised = [], []
    for sheet in sheets:
        label = f"sheet {sheet.name!r}" if sheet.name else "the file"
        label_id = f"lembar {sheet.name!r}" if sheet.name else "berkas"
        if helper := helper_sheet(sheet.name, sheet.rows):      # a filled template's own instructions or list
            received.note(f"{label}: {helper[0]}, not data (not read)", f"{label_id}: {helper[1]}, bukan data "
                          "(tidak dibaca)")
            continue
        if areas := inspection.merged_cells.get(sheet.name):      # the sheet's XML says; readers may not
            sheet.merged = sheet.merged_from_a1(areas)
        if failed := inspection.error_cells.get(sheet.name):     # the readers give these as empty
            cells = mark_error_cells(sheet, failed)
            received.note(f"{label}: {len(cells)} cell(s) show a formula error instead of a value "
                          f"({', '.join(cells[:10])}); "
                          "each is reported at its cell",
                          f"{label_id}: {len(cells)} sel berisi galat rumus, bukan nilai "
                          f"({', '.join(cells[:10])}); "
                          "masing-masing dilaporkan pada selnya")
        hidden = {k: v for k, v in (("sheet_hidden", sheet.hidden),
                                     ("rows", inspection.hidden_rows.get(sheet.name, [])),
                                     ("columns", inspection.hidden_columns.get(sheet.name, []))) if v}
        if hidden:
            received.hidden[sheet.name] = hidden
            received.note(f"{label}: hidden " + "; ".join(
                "sheet" if k == "sheet_hidden" else f"{k} {_span(v)}" for k, v in hidden.items())
                + " (read like the rest)",
                f"{label_id}: tersembunyi " + "; ".join(
                    "lembar" if k == "sheet_hidden" else f"{HIDDEN_ID[k]} {_span(v)}" for k, v in hidden.items())
                + " (tetap dibaca)")
        if formulas := inspection.formulas_without_value.get(sheet.name):
            received.note(f"{label}: {len(formulas)} formula cell(s) without a saved result, read as "
                          f"empty ({', '.join(formulas[:10])}); open and save the file in Excel",
                          f"{label_id}: {len(formulas)} sel rumus tanpa hasil tersimpan, dibaca kosong "
                          f"({', '.join(formulas[:10])}); buka lalu simpan berkas di Excel")
        layout, closest = recognise(sheet, datasets_for_source(source))
        named = _named_in_title(sheet, closest, file_name) if layout is None and closest else None
        if named is not None:        # its title names what its one missing column would hold
            layout = closest
        if layout is None:
            if elsewhere := _other_folders_dataset(sheet, source):
                message, message_id = _wrong_folder(label, label_id, elsewhere, source)
                received.note(message, message_id)
                unrecognised.append((elsewhere, {"code": "wrong_folder", "message": message,
                                                 "message_id": message_id}))
            elif any(any(str(v).strip() for v in row) for row in sheet.rows):
                note, note_id = _unrecognised_note(label, closest), _unrecognised_note_id(label_id, closest)
                received.note(note, note_id)
                unrecognised.append((closest, {"code": "dataset_not_recognised", "message": note,
                                               "message_id": note_id}))
            continue
        if unread := [h for h in layout.unrecognised_headers if h]:
            received.note(f"{label}: columns not read, their headers name nothing "
                          f"{layout.dataset.name} holds: {', '.join(unread)}",
                          f"{label_id}: kolom tidak dibaca, judulnya tidak dikenal untuk data "
                          f"{layout.dataset.name}: {', '.join(unread)}")
        if layout.subcolumns:   # a header merged over sub-columns: which one each measure was read from
            listed = "; ".join(layout.subcolumns)
            received.note(f"{label}: sub-columns under merged headers: {listed}",
                          f"{label_id}: sub-kolom di bawah judul gabungan: " + listed.replace(
                              " read as ", " dibaca sebagai ").replace(" added into ", " dijumlahkan ke ").replace(
                              " not read", " tidak dibaca"))
        if layout.same_field:   # two columns headed alike: read together, disagreements flagged
            shown = "; ".join(", ".join(column_letter(sheet.first_col + k) for k in [c, *others]) + f" as {layout.columns[c]}"
                              for c, others in layout.same_field.items())
            received.note(f"{label}: columns headed alike, read together (a value missing in one is taken from "
                          f"the other; where they differ the cell is flagged): {shown}",
                          f"{label_id}: kolom dengan judul sama dibaca bersama (nilai kosong di satu kolom diambil "
                          f"dari yang lain; bila berbeda, selnya ditandai): {shown.replace(' as ', ' sebagai ')}")
        if layout.loose:        # read by a close match: the clerk sees what each such column was taken for
            read_as = ", ".join(f"{column_letter(sheet.first_col + c)} '{layout.headers[c]}' as "
                                f"{layout.columns[c]}" for c in layout.loose)
            received.note(f"{label}: columns read by a close match of their header: {read_as}",
                          f"{label_id}: kolom dibaca karena judulnya mirip: {read_as.replace(' as ', ' sebagai ')}")
        constants = {}
        for name, (value, found_in) in (named or {}).items():
            constants[name] = value
            received.note(f"{label}: no {name} column; {name} {value} taken from the {found_in}",
                          f"{label_id}: tidak ada kolom {name}; {name} {value} diambil dari {_where_id(found_in)}")
        year_column = layout.dataset.column(layout.dataset.year_column)
        if layout.wide:         # years laid out as columns: one row per place and year
            years = sorted({y for by_year in layout.wide.values() for y in by_year})
            measures = ", ".join(layout.wide_headers.values())
            received.note(f"{label}: years laid out as columns ({_span(years)}) under {measures}: read as one row "
                          "per place and year",
                          f"{label_id}: tahun disusun sebagai kolom ({_span(years)}) di bawah {measures}: dibaca "
                          "sebagai satu baris per wilayah dan tahun")
            if beside := layout.beside_years:
                shown = ", ".join(f"{column_letter(sheet.first_col + c)} '{h}'" for c, h in beside.items())
                received.note(f"{label}: {shown} not read: one value per row beside years laid out as columns, "
                              "and the sheet does not say which year it is for; give it a column per year",
                              f"{label_id}: {shown} tidak dibaca: satu nilai per baris di samping kolom-kolom tahun, "
                              "dan lembar tidak menyebut tahunnya; buat satu kolom per tahun")
        elif year_column.kind == "year" and year_column.name not in layout.columns.values():
            year, found_in = find_period(sheet, layout, file_name)
            if year:
                constants[year_column.name] = year
                received.period[sheet.name] = {"year": year, "from": found_in}
                received.note(f"{label}: no year column; year {year} taken from the {found_in}",
                              f"{label_id}: tidak ada kolom tahun; tahun {year} diambil dari {_where_id(found_in)}")
        if "district_name" in layout.dataset.stored_columns and "district_name" not in layout.columns.values():
            district, found_in = find_district(sheet, layout, file_name)
            if district:
                constants["district_name"] = district
                received.note(f"{label}: no district column; district {district} taken from the {found_in}",
                              f"{label_id}: tidak ada kolom kecamatan; kecamatan {district} diambil dari "
                              f"{_where_id(found_in)}")
        stated = constants.get(year_column.name) if year_column.kind == "year" else find_period(sheet, layout,
                                                                                               file_name)[0]
        for year_layout, year in layout.per_year():
            result = read_table(sheet, year_layout, constants | ({year_column.name: year} if year else {}),
                                epoch=epoch, stated_years=(year or stated,) if year or stated else ())
            repeats = [s["row"] for s in result.skipped if s["reason"] == "header_repeat"]
            if repeats and not layout.wide and (changes := header_changes(sheet, year_layout, repeats)):
                # Another table under its own header with the columns in another order: each read with its own.
                shown = ", ".join(str(sheet.excel_row(r)) for r, _ in changes)
                received.note(f"{label}: a new table header at row {shown} names the columns in another order; "
                              "the rows under it are read with that header",
                              f"{label_id}: judul tabel baru di baris {shown} menyebut kolom dengan urutan lain; "
                              "baris di bawahnya dibaca dengan judul itu")
                parts = split_at(sheet, year_layout, changes)
                result = None
                for cut, table, district in parts:
                    own = dict(constants)
                    if district and "district_name" not in table.columns.values():
                        own["district_name"] = district
                    part = read_table(cut, table, own, epoch=epoch, stated_years=(stated,) if stated else ())
                    results.append(part)
                    result = part
                continue
            results.append(result)
        for s in (result.skipped if results else []):
            if s["reason"] in ("subtotal", "note"):
                received.note(f"{label}: {s['reason']} row {s['row']} left out ({s['text']})",
                              f"{label_id}: baris {SKIPPED_ID[s['reason']]} {s['row']} dilewati ({s['text']})")
            elif s["reason"] == "district_heading":
                received.note(f"{label}: row {s['row']} ({s['text']}) gives the district of the rows under it",
                              f"{label_id}: baris {s['row']} ({s['text']}) menjadi kecamatan baris-baris di bawahnya")
        if result.filled_down:
            received.note(f"{label}: merged cells {_span(result.filled_down)} read as their value on every row "
                          "they span",
                          f"{label_id}: sel gabungan {_span(result.filled_down)} dibaca sebagai isinya di setiap "
                          "baris yang dicakupnya")
    # A sheet like none of the datasets is a problem when it holds a table with some of a dataset's
    # columns, or when nothing else was read; a sheet of instructions beside the data is only noted.
    received.problems += [{**problem, "message": scrub(problem["message"]), "message_id": scrub(problem["message_id"])}
                          for closest, problem in unrecognised if closest is not None or not results]
    if not results and not received.problems:
        received.problems.append({"code": "no_data", "message": "Every sheet of the file is empty.",
                                  "message_id": "Semua lembar (sheet) dalam berkas kosong."})
        received.note("every sheet of the file is empty", "semua lembar berkas kosong")
    return results


HIDDEN_ID = {"rows": "baris", "columns": "kolom"}
SKIPPED_ID = {"subtotal": "jumlah/subtotal", "note": "catatan"}


def _named_in_title(sheet, closest, file_name: str) -> dict[str, tuple[str, str]] | None:
    """For a sheet lacking only columns of a fixed vocabulary (the program): the value its title, sheet
    name or file name names for each ({column: (value, where)}), or None when one is not named."""
    missing = [closest.dataset.column(name) for name in closest.missing_required]
    if not missing or any(not column.allowed for column in missing):
        return None
    named = {}
    for column in missing:
        value, found_in = from_title(sheet, closest, file_name, lambda text, c=column: named_value(c, text))
        if value is None:
            return None
        named[column.name] = (value, found_in)
    return named


def _span(values: list) -> str:
    shown = ", ".join(map(str, values[:20]))
    return shown + (f" and {len(values) - 20} more" if len(values) > 20 else "")


def odd_name_note(name: str) -> str:
    """File names are never used as paths here (the archive and work area use the content hash), but
    a clerk should know a name was odd, and reports use a cleaned one."""
    if safe_name(name) != name:
        return f"the file name {name!r} has characters that were replaced in the report name"
    return ""


def safe_name(name: str) -> str:
    cleaned = re.sub(r"[^0-9A-Za-z._ ()\-]+", "_", name).strip(" .")
    return cleaned[:120] or "file"


# -- supersession -----------------------------------------------------------------------------------
SAME_COVERAGE = 0.5     # estimated Jaccard similarity of two files' rows for one to replace the other
SKETCH_SIZE = 128


def file_scope(results: list[TableResult]) -> tuple[list[str], list[str]]:
    """(periods the rows are about: "2023" for yearly counts, "2023-08" for dated events; a compact
    sketch of what the rows are: their unique keys (report numbers) or else the places they name)."""
    periods, hashes = set(), [np.empty(0, dtype="uint64")]
    for result in results:
        dataset = DATASETS[result.dataset]
        frame = result.all_rows
        when = frame.get(dataset.year_column)
        if when is not None:
            when = pd.Series(when.dropna().unique())       # a few hundred dates, not one per row
            periods |= set(when.dt.strftime("%Y-%m") if dataset.column(dataset.year_column).kind == "date"
                           else when.astype(int).astype(str))
        names = list(dataset.unique_key) or [next((n for n in ("village_code", "village_name", "village_list",
                                                                "police_sector") if n in frame), "")]
        if all(n in frame for n in names):
            rows = frame[names].dropna()
            keys = pd.DataFrame({n: _normalised(rows[n]) for n in names})
            hashes.append(pd.util.hash_pandas_object(keys, index=False).to_numpy())
    return sorted(periods), bottom_k_sketch(np.concatenate(hashes))


def _normalised(values: pd.Series) -> np.ndarray:
    """normalise_header(str(v)) per value: with Arrow for ASCII texts (the same result), else in Python."""
    codes, uniques = pd.factorize(values.astype(str))
    texts = pa.array(uniques, type=pa.string())
    out = pc.utf8_trim(pc.replace_substring_regex(pc.ascii_lower(texts), "[^0-9a-z]+", " "), " ")
    out = out.to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(~pc.string_is_ascii(texts).to_numpy(zero_copy_only=False)):
        out[i] = normalise_header(uniques[i])
    return out[codes]


def bottom_k_sketch(hashes: np.ndarray) -> list[str]:
    """The SKETCH_SIZE smallest distinct 64-bit hashes of a set's items (pandas' fixed-key hash, the
    same on every run): two sketches estimate how alike two sets are."""
    smallest = None
    if len(hashes) > 8 * SKETCH_SIZE:
        # The smallest distinct hashes are among the smallest hashes: a partial sort finds those.
        smallest = np.unique(np.partition(hashes, 8 * SKETCH_SIZE)[:8 * SKETCH_SIZE + 1])
    if smallest is None or len(smallest) < SKETCH_SIZE:
        smallest = np.unique(hashes)
    return [f"{h:016x}" for h in smallest[:SKETCH_SIZE]]


def similarity(a: list[str], b: list[str]) -> float:
    """Estimated Jaccard similarity of the sets behind two bottom-k sketches."""
    if not a or not b:
        return 0.0
    union = sorted(set(a) | set(b))[:SKETCH_SIZE]
    both = set(a) & set(b)
    return sum(h in both for h in union) / len(union)


def superseded_files(manifests: list[dict], received: Received) -> list[str]:
    """Earlier files a corrected one replaces: same agency folder, datasets and periods, and mostly the
    same rows (same report numbers, or same places), so two police resorts sending the same months, or
    one sending a month at a time, do not replace each other."""
    if not received.years:
        return []
    return [other["sha256"] for other in manifests
            if other["sha256"] != received.sha256 and not other.get("superseded_by")
            and other["source"] == received.source and other["datasets"] == received.datasets
            and other.get("years") == received.years and other["status"] in ("accepted", "partially_accepted")
            and similarity(received.coverage, other.get("coverage", [])) >= SAME_COVERAGE]


def settle_supersessions(ledger: Ledger, manifests: list[dict] | None = None) -> None:
    """Retire every file a later one (of `manifests`, default all) supersedes: its stored rows move to
    superseded/ (kept, no longer counted) and its manifest says by what. Idempotent, so a sync killed
    half-way finishes it on rerun."""
    work = ledger.work
    for manifest in ledger.manifests() if manifests is None else manifests:
        for old_sha in manifest.get("supersedes", []):
            old = ledger.get(old_sha)
            if old is None or old.get("superseded_by") == manifest["sha256"]:
                continue
            for path in [*work.root.glob(f"accepted/*/{old_sha}.parquet"), work.rejections_path(old_sha)]:
                if path.exists():
                    storage.move(path, work.root / "superseded" / old_sha / path.relative_to(work.root))
            old["superseded_by"] = manifest["sha256"]
            old["notes"] = [*old["notes"], f"superseded by {manifest['file_name']} ({manifest['sha256'][:12]}), "
                                           "a corrected file for the same data; its rows no longer count"]
            old["notes_id"] = [*old.get("notes_id", []),
                               f"digantikan oleh {manifest['file_name']} ({manifest['sha256'][:12]}), berkas "
                               "perbaikan untuk data yang sama; barisnya tidak dihitung lagi"]
            ledger.write(old)


def rejection_frame(errors: list[tuple[str, CellError]], received: Received, stage: str) -> pd.DataFrame:
    columns = ["source_file", "file_name", "source", "dataset", "stage", "sheet", "row", "column", "header",
               "field", "value", "code", "expected", "message", "message_id", "severity", "expected_id"]
    records = [{"source_file": received.sha256, "file_name": received.file_name, "source": received.source,
                "dataset": dataset, "stage": stage, **e.as_dict()} for dataset, e in errors]
    return pd.DataFrame.from_records(records, columns=columns).astype({"row": "int64"})


def _other_folders_dataset(sheet, source: str):
    """The layout of another agency's dataset this sheet holds completely (a crime report dropped in
    bps/), or None. Not read: where a file comes from says who answers for it."""
    others = [d for d in DATASETS.values() if d.source != source]
    layout, _ = recognise(sheet, others) if others else (None, None)
    return layout


def _wrong_folder(label: str, label_id: str, layout, source: str) -> tuple[str, str]:
    folder = layout.dataset.source
    return (f"{label}: holds {layout.dataset.name} data, which inbox/{folder}/ receives, not inbox/{source}/; "
            f"drop the file in inbox/{folder}/",
            f"{label_id}: berisi data {_title_id(layout.dataset)} yang diterima folder inbox/{folder}/, bukan "
            f"inbox/{source}/; letakkan berkas di inbox/{folder}/")


def _title_id(dataset) -> str:
    """The dataset as the agency calls it (its Indonesian title), for the Indonesian notes."""
    return f"'{dataset.title_id}'" if dataset.title_id else dataset.name


def _unrecognised_note_id(label: str, closest) -> str:
    if closest is None:
        return f"{label}: tidak ada baris judul kolom yang dikenali"
    headers = [closest.dataset.column(name).aliases[0] for name in closest.missing_required]   # as the template heads them
    return (f"{label}: tidak dikenali sebagai data apa pun; paling mirip {_title_id(closest.dataset)}, kolom yang "
            f"kurang: {', '.join(headers)}; judul kolom yang tidak dikenal: "
            f"{', '.join(h for h in closest.unrecognised_headers if h) or 'tidak ada'}")


def _unrecognised_note(label: str, closest) -> str:
    if closest is None:
        return f"{label}: no table header recognised"
    return (f"{label}: not recognised as any dataset; closest is {closest.dataset.name}, missing columns "
            f"{', '.join(closest.missing_required)}; unrecognised headers: "
            f"{', '.join(h for h in closest.unrecognised_headers if h) or 'none'}")

"""Receive one dropped file: keep it (content-addressed), read every sheet, recognise its dataset, and
store accepted rows (personal data already replaced) and rejections under the work folder.

Only the orchestration lives here; one file's way runs: take (inbox.py) -> guard (formats/guard.py) ->
read (formats/workbook.py) -> locate the table (layout.py, period.py, subtables.py) -> parse and check its
cells (table.py, columns.py, cells.py, dates.py; errors.py) -> pseudonymise and store (work_area.py), with
its record (record.py), notes (notes.py) and the files it supersedes (supersede.py). Placing on the
gazetteer follows in assets/harmonise/.

Idempotent by content hash: a file whose content was already received is not read again, whatever
its name, so the same file dropped twice is counted once. Outputs are written before the manifest,
each by atomic rename, so a sync killed at any moment leaves either nothing or a complete result.
"""
from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from assets import storage
from assets.ingest import notes
from assets.ingest.cells import EXCEL_EPOCH, EXCEL_EPOCH_1904
from assets.ingest.edits import edit_tables
from assets.ingest.decisions import flag_errors
from assets.ingest.errors import CellError
from assets.ingest.formats.formula_cells import mark_error_cells
from assets.ingest.formats.formula_values import compute_formulas
from assets.ingest.formats.guard import RefusedFile, inspect_file
from assets.ingest.formats.sheet import UnreadableFile, column_letter
from assets.ingest.formats.workbook import read_file
from assets.ingest.helper_sheets import helper_sheet
from assets.ingest.inbox import NotTaken, stored_name, take
from assets.ingest.layout import recognise
from assets.ingest.original_names import remember
from assets.ingest.header_decisions import header_decisions
from assets.ingest.period import decide_period, find_district, find_period, named_in_title
from assets.ingest.record import Received, file_status, rejection_frame
from assets.ingest.sheet_choice import hidden_copies
from assets.ingest.subtables import header_changes, split_at
from assets.ingest.supersede import file_scope, settle_supersessions, superseded_files
from assets.ingest.table import TableResult, read_table
from assets.ingest.work_area import Ledger, WorkArea
from assets.offices import office_of, portal_office, unit_named_by_rows, warehouse_of
from assets.privacy import mask_sheet_names, pseudonyms, scrub
from schemas import DATASETS, datasets_for_source
from schemas.base import DROP, PSEUDONYMISE


def pseudonymise(frame: pd.DataFrame, dataset_name: str, key: bytes) -> pd.DataFrame:
    """Drop personal columns and replace identifiers by keyed pseudonyms, before anything is stored."""
    dataset = DATASETS[dataset_name]
    frame = frame.copy()
    for column in dataset.columns:
        if column.personal == PSEUDONYMISE:
            frame[column.pseudonym] = pseudonyms(key, column.name, frame[column.name].tolist())
        if column.personal in (DROP, PSEUDONYMISE):
            frame = frame.drop(columns=column.name)
    return frame


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
    received.decisions += [d.as_dict() for r in results for d in r.decisions]
    edit_tables(results, received)                  # edits over what was read: subtotal rows out, flags in
    errors: list[tuple[str, CellError]] = [(r.dataset, e) for r in results for e in r.errors]
    errors += flag_errors(received.decisions)
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
    received.unit = unit_named_by_rows([r.all_rows for r in results], source)
    # The file's scope (Arrow and numpy work, mostly outside the GIL) is worked out on the other core
    # while its rows are pseudonymised and written.
    with ThreadPoolExecutor(1) as scope_thread:
        scope = scope_thread.submit(file_scope, results, key)
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


def record_received(received: Received, ledger: Ledger) -> Received:
    """What depends on the files received before it, so done one file at a time in drop order: which
    earlier files it supersedes, then its manifest (last: a file with a manifest is completely received).
    Its office (assets/offices.py) is decided here: the portal records an upload just before the share
    shows it, and a sync leaves a file that new for the settle time."""
    received.__dict__.update(office_of(received.source, portal_office(
        warehouse_of(ledger.work.root), received.source, received.file_name, received.sha256), received.unit))
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
        inspection.notes += compute_formulas(path, inspection, sheets)     # results a writer did not compute
        mask_sheet_names(sheets, inspection.hidden_rows, inspection.hidden_columns, inspection.merged_cells,
                         inspection.error_cells, inspection.formulas_without_value)
    except RefusedFile as exc:
        received.problem(exc.code, exc.message, exc.message_id)
        return []
    except UnreadableFile as exc:
        received.problem("unreadable_file", *notes.unreadable(exc))
        return []
    for english, indonesian in inspection.notes:
        received.note(english, indonesian)
    epoch = EXCEL_EPOCH_1904 if inspection.date1904 else EXCEL_EPOCH
    if inspection.date1904:
        received.note(*notes.DATE_1904)
    if odd := notes.odd_name(file_name):
        received.note(*odd)
    results, unrecognised = [], []
    copies = hidden_copies(sheets, datasets_for_source(source))     # a hidden first version of a visible table
    for sheet in sheets:
        label, label_id = notes.labels(sheet.name)
        if sheet.name in copies:            # named in the decisions, not read
            received.decisions.append(copies[sheet.name].as_dict())
            continue
        if helper := helper_sheet(sheet.name, sheet.rows):      # a filled template's own instructions or list
            received.note(*notes.helper_sheet(label, label_id, helper))
            continue
        if areas := inspection.merged_cells.get(sheet.name):      # the sheet's XML says; readers may not
            sheet.merged = sheet.merged_from_a1(areas)
        if failed := inspection.error_cells.get(sheet.name):     # the readers give these as empty
            cells = mark_error_cells(sheet, failed)
            received.note(*notes.formula_errors(label, label_id, cells))
        hidden = {k: v for k, v in (("sheet_hidden", sheet.hidden),
                                     ("rows", inspection.hidden_rows.get(sheet.name, [])),
                                     ("columns", inspection.hidden_columns.get(sheet.name, []))) if v}
        if hidden:
            received.hidden[sheet.name] = hidden
            received.note(*notes.hidden(label, label_id, hidden))
        if formulas := inspection.formulas_without_value.get(sheet.name):
            received.note(*notes.formulas_without_value(label, label_id, formulas))
        layout, closest = recognise(sheet, datasets_for_source(source))
        named = named_in_title(sheet, closest, file_name) if layout is None and closest else None
        if named is not None:        # its title names what its one missing column would hold
            layout = closest
        if layout is None:
            if elsewhere := _other_folders_dataset(sheet, source):
                message, message_id = notes.wrong_folder(label, label_id, elsewhere, source)
                received.note(message, message_id)
                unrecognised.append((elsewhere, {"code": "wrong_folder", "message": message,
                                                 "message_id": message_id}))
            elif any(any(str(v).strip() for v in row) for row in sheet.rows):
                note, note_id = notes.unrecognised(label, label_id, closest)
                received.note(note, note_id)
                unrecognised.append((closest, {"code": "dataset_not_recognised", "message": note,
                                               "message_id": note_id}))
            continue
        received.decisions += [d.as_dict() for d in header_decisions(sheet, layout)]
        if unread := [h for h in layout.unrecognised_headers if h]:
            received.note(*notes.columns_not_read(label, label_id, layout.dataset.name, unread))
        if layout.subcolumns:   # a header merged over sub-columns: which one each measure was read from
            received.note(*notes.subcolumns(label, label_id, layout.subcolumns))
        if layout.same_field:   # two columns headed alike: read together, disagreements flagged
            shown = "; ".join(", ".join(column_letter(sheet.first_col + k) for k in [c, *others]) + f" as {layout.columns[c]}"
                              for c, others in layout.same_field.items())
            received.note(*notes.same_field(label, label_id, shown))
        if layout.loose:        # read by a close match: the clerk sees what each such column was taken for
            read_as = ", ".join(f"{column_letter(sheet.first_col + c)} '{layout.headers[c]}' as "
                                f"{layout.columns[c]}" for c in layout.loose)
            received.note(*notes.close_match(label, label_id, read_as))
        constants = {}
        for name, (value, found_in) in (named or {}).items():
            constants[name] = value
            received.note(*notes.taken_from(label, label_id, name, value, found_in))
        year_column = layout.dataset.column(layout.dataset.year_column)
        if layout.wide:         # years laid out as columns: one row per place and year
            years = sorted({y for by_year in layout.wide.values() for y in by_year})
            measures = ", ".join(layout.wide_headers.values())
            received.note(*notes.wide_years(label, label_id, years, measures))
            if beside := layout.beside_years:
                shown = ", ".join(f"{column_letter(sheet.first_col + c)} '{h}'" for c, h in beside.items())
                received.note(*notes.beside_years(label, label_id, shown))
        elif year_column.kind == "year" and year_column.name not in layout.columns.values():
            year, found_in, decision = decide_period(sheet, layout, file_name)
            received.decisions += [decision.as_dict()] if decision else []
            if year:
                constants[year_column.name] = year
                received.period[sheet.name] = {"year": year, "from": found_in}
                received.note(*notes.year_taken_from(label, label_id, year, found_in))
        if "district_name" in layout.dataset.stored_columns and "district_name" not in layout.columns.values():
            district, found_in = find_district(sheet, layout, file_name)
            if district:
                constants["district_name"] = district
                received.note(*notes.district_taken_from(label, label_id, district, found_in))
        stated = constants.get(year_column.name) if year_column.kind == "year" else find_period(sheet, layout,
                                                                                               file_name)[0]
        for year_layout, year in layout.per_year():
            result = read_table(sheet, year_layout, constants | ({year_column.name: year} if year else {}),
                                epoch=epoch, stated_years=(year or stated,) if year or stated else ())
            repeats = [s["row"] for s in result.skipped if s["reason"] == "header_repeat"]
            if repeats and not layout.wide and (changes := header_changes(sheet, year_layout, repeats)):
                # Another table under its own header with the columns in another order: each read with its own.
                shown = ", ".join(str(sheet.excel_row(r)) for r, _ in changes)
                received.note(*notes.new_header(label, label_id, shown))
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
            if note := notes.skipped_row(label, label_id, s):
                received.note(*note)
        if result.filled_down:
            received.note(*notes.filled_down(label, label_id, result.filled_down))
    # A sheet like none of the datasets is a problem when it holds a table with some of a dataset's
    # columns, or when nothing else was read; a sheet of instructions beside the data is only noted.
    received.problems += [{**problem, "message": scrub(problem["message"]), "message_id": scrub(problem["message_id"])}
                          for closest, problem in unrecognised if closest is not None or not results]
    if not results and not received.problems:
        received.problems.append({"code": "no_data", "message": notes.NO_DATA[0], "message_id": notes.NO_DATA[1]})
        received.note(*notes.EMPTY_FILE)
    return results


def _other_folders_dataset(sheet, source: str):
    """The layout of another agency's dataset this sheet holds completely (a crime report dropped in
    bps/), or None. Not read: where a file comes from says who answers for it."""
    others = [d for d in DATASETS.values() if d.source != source]
    layout, _ = recognise(sheet, others) if others else (None, None)
    return layout

"""Checks a dropped file must pass before any reader touches it.

The readers trust what they are given: calamine allocates a dense grid for the used range of a sheet
(two cells at A1 and XFD1048576 abort the whole process asking for 512 GB), inflates whatever a zip
directory says, and would parse a DOCTYPE. So the file's kind is checked from its first bytes, and a
zip-based workbook from its directory (entry count, sizes, compression ratio), its XML prologues
(no entity declarations) and the cell references its sheets use, all before parsing.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from assets.ingest import notes as file_notes
from assets.ingest.formats import sheetxml, sniff, text_budget, xml2003
from assets.ingest.formats.sniff import OLE2_MAGIC, ZIP_MAGIC
from assets.ingest.formats.sheet import CSV_SUFFIXES, column_letter, column_number

ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
VBA_STREAM = "_VBA_PROJECT".encode("utf-16-le")

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
MAX_ZIP_ENTRIES = 10_000
MAX_UNCOMPRESSED_BYTES = 1 << 30       # all entries together, as the zip directory declares them
MAX_COMPRESSION_RATIO = 200            # real workbooks compress 5-30x; bombs 1000x and more
RATIO_CHECK_FROM_BYTES = 1 << 20       # tiny entries can have any ratio
MAX_GRID_CELLS = 60_000_000            # the dense grid calamine allocates per sheet (rows x columns)
MAX_CSV_BYTES = 512 << 20
XML_PROLOGUE_BYTES = 4096

MAX_MERGED_AREAS = 100_000
# Every reader's budget (assets/ingest/formats/text_budget.py for text): agency tables are tens of columns wide;
# the layout recognition's cost grows with the columns, the readers' memory with the cells.
MAX_COLUMNS = 2_000
MAX_TEXT_CELLS = 20_000_000            # filled or not, as the text separates them
MAX_TEXT_SECONDS = 60.0                # measuring a text file stops (and refuses it) after this


class RefusedFile(Exception):
    """The file is refused before parsing; the message says why, for the agency (English, Indonesian)."""

    def __init__(self, code: str, message: str, message_id: str):
        super().__init__(message)
        self.code, self.message, self.message_id = code, message, message_id


@dataclass
class Inspection:
    """What the checks learnt about a file the readers may open."""
    kind: str                                   # xlsx, xls, ods, csv
    notes: list[tuple[str, str]] = field(default_factory=list)    # (English, Bahasa Indonesia)
    has_macros: bool = False
    hidden_rows: dict[str, list[int]] = field(default_factory=dict)       # sheet name -> Excel rows
    hidden_columns: dict[str, list[str]] = field(default_factory=dict)    # sheet name -> column letters
    formulas_without_value: dict[str, list[str]] = field(default_factory=dict)  # sheet name -> cells
    # The sheets holding any formula, where the scan saw every sheet (.xlsx); None: not known (every sheet may)
    sheets_with_formulas: set[str] | None = None
    # sheet name -> merged areas as (first row, first column, last row, last column), 0-based from A1
    merged_cells: dict[str, list[tuple[int, int, int, int]]] = field(default_factory=dict)
    # sheet name -> cells showing a formula's error value: (row, column) 0-based from A1 -> "#N/A"
    error_cells: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)
    date1904: bool = False      # saved in the 1904 date system (Excel for Mac): serial 0 is 1904-01-01


def inspect_file(path: Path) -> Inspection:
    """Refuse (RefusedFile) or describe a file before it is parsed. What the file is comes from its
    content, not its name: a refusal says what it really is (a PDF, a Word document, an image, ...)."""
    size = path.stat().st_size
    if size == 0:
        raise RefusedFile("empty_file", "The file is empty (0 bytes).", "Berkas kosong (0 byte).")
    with path.open("rb") as f:
        head = f.read(XML_PROLOGUE_BYTES)
    suffix = path.suffix.lower()
    markup = sniff.markup_kind(head) if not head.startswith((ZIP_MAGIC, OLE2_MAGIC)) else None
    if markup == sniff.XML2003:
        return _inspect_xml2003(path, size, suffix)
    if markup == sniff.HTML:
        raise RefusedFile("html_not_spreadsheet",
                          f"This is a web page (HTML) saved with a spreadsheet name ({suffix}); open it in Excel "
                          "and save it as .xlsx.",
                          f"Ini halaman web (HTML) yang diberi nama berkas spreadsheet ({suffix}); buka di Excel "
                          "lalu simpan sebagai .xlsx.")
    if suffix in CSV_SUFFIXES or sniff.text_encoding(head) in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        return _inspect_text(path, size, head, suffix)
    if head.startswith(ZIP_MAGIC):
        return _inspect_zip(path, suffix)
    if head.startswith(OLE2_MAGIC):
        return _inspect_ole2(path, suffix)
    if sniff.identify(path) is None and sniff.looks_like_text(head):     # a CSV export named .xls
        return _inspect_text(path, size, head, suffix)
    raise _not_spreadsheet(path, suffix)


def _not_spreadsheet(path: Path, suffix: str, advice: str = "", advice_id: str = "") -> RefusedFile:
    """The refusal of a file that is not a spreadsheet, naming what it is when its content says."""
    what, what_id = sniff.identify(path) or ("a file of an unknown kind (binary data)",
                                              "berkas jenis tidak dikenal (data biner)")
    advice = advice or "send the table as .xlsx or .csv"
    advice_id = advice_id or "kirim tabelnya sebagai .xlsx atau .csv"
    return RefusedFile("not_spreadsheet", f"This is {what}, not a spreadsheet (it was named {suffix}); {advice}.",
                       f"Berkas ini {what_id}, bukan spreadsheet (namanya {suffix}); {advice_id}.")


def _inspect_text(path: Path, size: int, head: bytes, suffix: str) -> Inspection:
    if size > MAX_CSV_BYTES:
        raise RefusedFile("file_too_large", f"The CSV file is larger than {MAX_CSV_BYTES >> 20} MB.",
                          f"Berkas CSV lebih besar dari {MAX_CSV_BYTES >> 20} MB.")
    encoding = sniff.text_encoding(head)
    what = sniff.identify(path) if encoding is None else None
    if what and what[0] not in sniff.TEXT_LOOKALIKES or encoding is None and b"\x00" in head:
        if what is None:
            raise RefusedFile("not_spreadsheet", f"The file is named {suffix} but holds binary data, not text.",
                              f"Berkas bernama {suffix} tetapi isinya data biner, bukan teks.")
        raise _not_spreadsheet(path, suffix, f"save it as {suffix} again, or send it under its own name",
                               f"simpan ulang sebagai {suffix}, atau kirim dengan nama aslinya")
    if refused := _text_over_budget(path, encoding, head):
        raise refused
    inspection = Inspection("csv")
    form = encoding.upper().replace("-LE", " LE").replace("-BE", " BE") if encoding and \
        encoding.startswith(("utf-16", "utf-32")) else ""
    if suffix not in CSV_SUFFIXES:
        inspection.notes.append(file_notes.text_named_otherwise(suffix, form))
    elif form:
        inspection.notes.append(file_notes.unicode_text(form))
    return inspection


def _text_over_budget(path: Path, encoding: str | None, head: bytes) -> RefusedFile | None:
    """The refusal of a text file past a budget (columns, cells, seconds, one cell's size), or None."""
    extent = text_budget.measure(path, encoding, head, MAX_COLUMNS, MAX_TEXT_CELLS, MAX_TEXT_SECONDS)
    row = extent.at_row
    if extent.over == "columns":
        return _too_many_columns(extent.columns, f"Row {row:,} of the text file", f"Baris {_id(row)} berkas teks")
    if extent.over == "cells":
        return RefusedFile("file_too_large", f"The text file holds more than {MAX_TEXT_CELLS:,} cells (reached at "
                           f"row {row:,}); send it in parts of fewer rows.",
                           f"Berkas teks berisi lebih dari {_id(MAX_TEXT_CELLS)} sel (tercapai di baris {_id(row)}); "
                           "kirim dalam beberapa bagian yang lebih sedikit barisnya.")
    if extent.over == "seconds":
        return RefusedFile("file_too_slow", f"The text file could not be measured within {MAX_TEXT_SECONDS:.0f} "
                           f"seconds (stopped at row {row:,}); send it in smaller parts.",
                           f"Berkas teks tidak dapat diukur dalam {MAX_TEXT_SECONDS:.0f} detik (berhenti di baris "
                           f"{_id(row)}); kirim dalam bagian yang lebih kecil.")
    if extent.over == "cell_size":
        limit = text_budget.CSV_FIELD_LIMIT
        return RefusedFile("cell_too_large", f"Row {row:,} of the text file has a cell longer than {limit:,} "
                           "characters (a quote left open?); check the file and send it again.",
                           f"Baris {_id(row)} berkas teks memuat sel lebih dari {_id(limit)} karakter (tanda kutip "
                           "tidak ditutup?); periksa berkasnya lalu kirim ulang.")
    return None


def _too_many_columns(columns: int, where: str, where_id: str) -> RefusedFile:
    """`where`: "Sheet 'Rekap'" or "Row 1 of the text file", and the same in Bahasa Indonesia."""
    return RefusedFile("too_many_columns",
                       f"{where} has {columns:,} columns, more than the {MAX_COLUMNS:,} a table may have; delete "
                       "the empty or stray columns (or check the separator) and send it again.",
                       f"{where_id} memiliki {_id(columns)} kolom, lebih dari {_id(MAX_COLUMNS)} kolom yang boleh "
                       "dimiliki tabel; hapus kolom kosong atau nyasar (atau periksa pemisahnya) lalu kirim ulang.")


def _inspect_xml2003(path: Path, size: int, suffix: str) -> Inspection:
    """XML Spreadsheet 2003: parsed once (no DTD, no entities) to measure every sheet against the grid
    budget and learn its hidden rows and columns, merged areas and formulas without a saved value."""
    if size > MAX_CSV_BYTES:
        raise RefusedFile("file_too_large",
                          f"This is an XML Spreadsheet 2003 file larger than {MAX_CSV_BYTES >> 20} MB; open it in "
                          "Excel and save it as .xlsx.",
                          f"Berkas ini XML Spreadsheet 2003 yang lebih besar dari {MAX_CSV_BYTES >> 20} MB; buka "
                          "di Excel lalu simpan sebagai .xlsx.")
    try:
        sheets = xml2003.parse(path, values=False, max_merged=MAX_MERGED_AREAS)
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as exc:
        raise RefusedFile("xml_entities", "This XML Spreadsheet 2003 file declares XML entities or a DTD (a known "
                          f"attack); it was refused before reading ({type(exc).__name__}).",
                          "Berkas XML Spreadsheet 2003 ini memuat deklarasi entitas XML atau DTD (serangan yang "
                          f"dikenal); berkas ditolak sebelum dibaca ({type(exc).__name__}).") from exc
    except (ElementTree.ParseError, ValueError) as exc:
        raise RefusedFile("corrupt_file", f"This is an XML Spreadsheet 2003 file, but it is damaged ({exc}); open "
                          "it in Excel and save it as .xlsx.",
                          f"Berkas ini XML Spreadsheet 2003, tetapi rusak ({exc}); buka di Excel lalu simpan "
                          "sebagai .xlsx.") from exc
    inspection = Inspection("xml2003")
    inspection.notes.append(file_notes.XML2003)
    for sheet in sheets:
        if refused := _too_big(sheet.max_row, sheet.max_col, f"Sheet {sheet.name!r}", sheet.farthest):
            raise refused
        if sheet.hidden_rows:
            inspection.hidden_rows[sheet.name] = sheet.hidden_rows
        if sheet.hidden_columns:
            inspection.hidden_columns[sheet.name] = [column_letter(c) for c in sheet.hidden_columns]
        if sheet.formulas_without_value:
            inspection.formulas_without_value[sheet.name] = sheet.formulas_without_value
        if sheet.merged:
            inspection.merged_cells[sheet.name] = sheet.merged
    return inspection


def _inspect_ole2(path: Path, suffix: str) -> Inspection:
    data = path.read_bytes() if path.stat().st_size < (64 << 20) else b""
    if ENCRYPTED_PACKAGE in data:
        raise RefusedFile("password_protected",
                          "The workbook is protected with a password; remove the password and send it again.",
                          "Workbook dilindungi kata sandi; hapus kata sandinya lalu kirim ulang.")
    if suffix != ".xls" or sniff.identify(path) in sniff.OLE2_NOT_EXCEL:
        raise _not_spreadsheet(path, suffix, "save the table as .xlsx", "simpan tabelnya sebagai .xlsx")
    inspection = Inspection("xls", has_macros=VBA_STREAM in data)
    if inspection.has_macros:
        inspection.notes.append(file_notes.MACROS)
    return inspection


def _inspect_zip(path: Path, suffix: str) -> Inspection:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _corrupt(exc) from exc
    with archive:
        entries = archive.infolist()
        _check_directory(entries)
        names = {e.filename for e in entries}
        if "content.xml" in names and "mimetype" in names:
            kind, sheets = "ods", ["content.xml"]
        elif "xl/workbook.xml" in names:
            kind, sheets = "xlsx", sorted(n for n in names if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n))
        else:
            raise _not_spreadsheet(path, suffix)
        try:
            for entry in entries:
                if entry.filename.endswith((".xml", ".rels")):
                    _check_prologue(archive, entry)
            ods_merged = _check_ods_extent(archive, "content.xml") if kind == "ods" else {}
            shown = sheetxml.sheet_parts(archive)
            details = {shown.get(sheet, sheet): _scan_xlsx_sheet(archive, sheet, shown.get(sheet, sheet))
                       for sheet in sheets} if kind == "xlsx" else {}
        except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as exc:
            raise _entities(getattr(exc, "sysid", None) or "XML") from exc
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
                ElementTree.ParseError) as exc:
            raise _corrupt(exc) from exc
        inspection = Inspection(kind, has_macros=any(n.lower().endswith("vbaproject.bin") for n in names),
                                date1904=kind == "xlsx" and sheetxml.uses_1904_dates(archive))
        inspection.merged_cells.update(ods_merged)      # calamine gives none for an .ods: the XML says
        if kind == "xlsx":
            inspection.sheets_with_formulas = {sheet for sheet, found in details.items() if found[5]}
        for sheet, (rows, columns, formulas, merged, errors, _) in details.items():
            if errors:
                inspection.error_cells[sheet] = errors
            if rows:
                inspection.hidden_rows[sheet] = rows
            if columns:
                inspection.hidden_columns[sheet] = columns
            if formulas:
                inspection.formulas_without_value[sheet] = formulas
            if merged:
                inspection.merged_cells[sheet] = merged
    if inspection.has_macros:
        inspection.notes.append(file_notes.MACROS)
    return inspection


def _corrupt(exc: Exception) -> RefusedFile:
    return RefusedFile("corrupt_file", f"The file is damaged and cannot be opened ({exc}).",
                       f"Berkas rusak dan tidak dapat dibuka ({exc}).")


def _check_directory(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        raise _bomb(f"{len(entries):,} parts (at most {MAX_ZIP_ENTRIES:,})")
    total = sum(e.file_size for e in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _bomb(f"{total / 2**30:.1f} GB once unpacked (at most {MAX_UNCOMPRESSED_BYTES >> 30} GB)")
    for e in entries:
        if e.file_size >= RATIO_CHECK_FROM_BYTES and e.file_size > MAX_COMPRESSION_RATIO * max(e.compress_size, 1):
            raise _bomb(f"part {e.filename} inflates {e.file_size // max(e.compress_size, 1):,} times")


def _bomb(detail: str) -> RefusedFile:
    return RefusedFile("zip_bomb", f"The file was refused before reading: it would unpack to too much data "
                       f"({detail}).",
                       f"Berkas ditolak sebelum dibaca: isinya terlalu besar setelah dibuka ({detail}).")


def _check_prologue(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    """Real workbooks never declare a DOCTYPE; one that does is an entity attack (billion laughs, XXE)."""
    with archive.open(entry) as f:
        head = f.read(XML_PROLOGUE_BYTES)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise _entities(entry.filename)


def _entities(part: str) -> RefusedFile:
    return RefusedFile("xml_entities", f"The workbook part {part} declares XML entities (a known "
                       "attack); it was refused before reading.",
                       f"Bagian workbook {part} memuat deklarasi entitas XML (serangan yang "
                       "dikenal); berkas ditolak sebelum dibaca.")


def _too_big(rows: int, columns: int, sheet: str, farthest: str = "") -> RefusedFile | None:
    """`sheet` as "Sheet 'Rekap'" (its Indonesian form is made from it); `farthest`: the cell that
    stretches it, when known."""
    sheet_id = sheet.replace("Sheet", "Lembar", 1).replace("The sheet", "Lembar")
    where, where_id = (f"; its farthest cell is {farthest}", f"; sel terjauhnya {farthest}") if farthest else ("", "")
    if rows > EXCEL_MAX_ROWS or columns > EXCEL_MAX_COLUMNS:
        return RefusedFile("beyond_excel_limits",
                           f"{sheet} uses {rows:,} rows x {columns:,} columns, beyond Excel's limits "
                           f"({EXCEL_MAX_ROWS:,} x {EXCEL_MAX_COLUMNS:,}){where}.",
                           f"{sheet_id} memakai {_id(rows)} baris x {_id(columns)} kolom, melebihi batas Excel "
                           f"({_id(EXCEL_MAX_ROWS)} x {_id(EXCEL_MAX_COLUMNS)}){where_id}.")
    if rows * columns > MAX_GRID_CELLS:
        return RefusedFile("sheet_too_large",
                           f"{sheet} spans {rows:,} rows x {columns:,} columns ({rows * columns:,} cells, at most "
                           f"{MAX_GRID_CELLS:,}){where}; delete stray cells far from the table.",
                           f"{sheet_id} membentang {_id(rows)} baris x {_id(columns)} kolom ({_id(rows * columns)} "
                           f"sel, paling banyak {_id(MAX_GRID_CELLS)}){where_id}; hapus sel yang terisi jauh dari "
                           "tabel.")
    if columns > MAX_COLUMNS:
        return _too_many_columns(columns, sheet, sheet_id)
    return None


def _id(number: int) -> str:
    """A whole number as Indonesian writes it: 1.048.576."""
    return f"{number:,}".replace(",", ".")


def _scan_xlsx_sheet(archive: zipfile.ZipFile, name: str, shown: str) -> tuple[list[int], list[str], list[str], list,
                                                                              dict]:
    """Refuse a sheet whose cells span more than Excel's limits or the grid budget; return its hidden
    rows, hidden columns, formula cells without a saved result, merged areas and cells showing a formula
    error ((row, column) 0-based from A1 -> its text). The sheet's XML is
    read namespace-aware and streamed, never held whole (assets/ingest/formats/sheetxml.py)."""
    try:
        scan = sheetxml.scan_sheet(archive, name, MAX_MERGED_AREAS)
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as exc:
        raise _entities(name) from exc
    except ElementTree.ParseError as exc:
        raise _corrupt(exc) from exc
    if refused := _too_big(scan.max_row, scan.max_col, f"Sheet {shown!r}", scan.farthest):
        raise refused
    errors = {(int(m[2]) - 1, column_number(m[1].encode()) - 1): text
              for ref, text in scan.error_cells if (m := re.fullmatch(r"([A-Z]{1,3})([0-9]{1,7})", ref))}
    return (scan.hidden_rows, [column_letter(c) for c in scan.hidden_columns], scan.formulas_without_value,
            scan.merged, errors, scan.formulas)


def _check_ods_extent(archive: zipfile.ZipFile, name: str) -> dict[str, list[tuple[int, int, int, int]]]:
    """An ODS repeats rows and cells by count: a filled cell repeated can spread over the whole grid.
    Each table is measured as calamine will fill it: down to its last filled row (rows repeated counted)
    and across to the last filled cell of its widest row (cells repeated counted; the empty cells a
    producer repeats to the sheet's edge after the last filled one are not, calamine drops them). The XML
    is streamed through expat (no DTD, no entities, bounded memory), elements matched by local name in any
    namespace, so white space (Gnumeric indents it) or another prefix changes nothing. Returns each
    table's merged areas (table name -> (row, column, last row, last column), 0-based from A1), which
    calamine does not give for an .ods (a district merged down over its villages)."""
    extent = _OdsExtent()
    sheetxml.stream(archive, name, extent.start, extent.end)
    for table, height, width in extent.tables:
        if refused := _too_big(height, width, f"Sheet {table!r}"):
            raise refused
    return {table: areas for table, areas in extent.merged.items() if areas}


class _OdsExtent:
    """Expat handlers measuring each table of an ODS content.xml: `tables` lists (name, rows, columns)."""
    FILLED = {"value", "value-type", "date-value", "time-value", "boolean-value", "string-value", "formula"}

    def __init__(self):
        self.tables: list[tuple[str, int, int]] = []
        self.merged: dict[str, list[tuple[int, int, int, int]]] = {}     # table -> spanned areas
        self.name, self.rows, self.height, self.width = "", 0, 0, 0
        self.row_repeat = self.across = self.last_filled = self.cell_repeat = 0
        self.in_cell, self.cell_filled = 0, False      # in_cell: depth inside a cell (1: the cell itself)

    @staticmethod
    def _local(name: str) -> str:
        return name.rpartition(":")[2]

    @staticmethod
    def _count(attributes: dict, local: str) -> int:
        for key, value in attributes.items():
            if key.rpartition(":")[2] == local:
                return max(int(value), 1) if value.strip().isdigit() else 1
        return 1

    def start(self, name: str, attributes: dict) -> None:
        local = self._local(name)
        if self.in_cell:                       # anything inside a cell (a paragraph, a note) fills it
            self.in_cell += 1
            self.cell_filled = True
        elif local == "table":
            self.name = next((v for k, v in attributes.items() if self._local(k) == "name"), "")
            self.rows = self.height = self.width = 0
        elif local == "table-row":
            self.row_repeat, self.across, self.last_filled = self._count(attributes, "number-rows-repeated"), 0, 0
        elif local in ("table-cell", "covered-table-cell"):
            self.in_cell, self.cell_repeat = 1, self._count(attributes, "number-columns-repeated")
            down, across = self._count(attributes, "number-rows-spanned"), self._count(attributes, "number-columns-spanned")
            if (down > 1 or across > 1) and len(self.merged.setdefault(self.name, [])) < MAX_MERGED_AREAS:
                self.merged[self.name].append((self.rows, self.across, self.rows + down - 1, self.across + across - 1))
            self.cell_filled = any(self._local(k) in self.FILLED for k in attributes)

    def end(self, name: str) -> None:
        if self.in_cell > 1:
            self.in_cell -= 1
            return
        local = self._local(name)
        if self.in_cell:                       # the cell's own end
            self.in_cell = 0
            self.across += self.cell_repeat
            if self.cell_filled:
                self.last_filled = self.across
        elif local == "table-row":
            self.rows += self.row_repeat
            if self.last_filled:
                self.height, self.width = self.rows, max(self.width, self.last_filled)
        elif local == "table":
            self.tables.append((self.name, self.height, self.width))

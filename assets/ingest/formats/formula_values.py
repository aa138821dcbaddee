"""Formula results a writer did not calculate, computed from the sheet's own cells (the `formulas` library).

Excel saves each formula with its result. Libraries that write workbooks without calculating do not:
XlsxWriter saves `0` as every result and sets `fullCalcOnLoad` (the reader's application is to recalculate
on opening); openpyxl, SheetJS and ExcelJS save no result at all. Read as saved, a population `=F4+G4`
lands as 0 or empty without a word.

Which results are not trusted: every formula saved without a result, and, in a workbook whose `calcPr` asks
for `fullCalcOnLoad`, every formula saved with the placeholder result 0 (a result other than 0, or an error
value, was put there by the writer and is kept). Each is computed with `formulas` (a kept Excel formula parser and
evaluator) from the cells it refers to, on the same sheet or another, formulas referring to formulas
computed first. A formula that cannot be computed (a function the library lacks, a reference to another
workbook, a cycle, an input that is a date) is given back as its text, "=F4+G4", which the cell parsers
report as `formula_not_computed` at its cell (a warning where the column is optional): empty and flagged,
never 0. A formula whose result is an Excel error (#DIV/0!) is given back as that error's text, reported as
`formula_error`.

Two ways of writing a formula are put in A1 notation for its cell first: the cells of an .xlsx shared
formula (`<f t="shared" si="0"/>`, no text: Excel's fill-down, ExcelJS's `sharedFormula`) get the first
cell's formula moved by their offset (openpyxl's Translator), and an XML Spreadsheet 2003 file's R1C1
formulas (`=RC[-2]+RC[-1]`, SheetJS saves them without a result) are rewritten by r1c1.py.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache

from defusedxml.ElementTree import fromstring, iterparse

from assets.ingest import notes as file_notes
from assets.ingest.formats.formula_cells import put_cells
from assets.ingest.formats.r1c1 import to_a1
from assets.ingest.formats.sheet import column_letter, column_number
from assets.ingest.formats.sheetxml import MAIN_NAMESPACES, MAX_FORMULAS, sheet_parts

_REF = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")


@dataclass
class SheetFormulas:
    """The formula cells of one sheet whose saved result is not trusted: A1 reference -> formula text
    (without "="), and the saved result as text ("" when none)."""
    formulas: dict[str, str] = field(default_factory=dict)
    saved: dict[str, str] = field(default_factory=dict)
    # A1 reference -> the formula as the file writes it, where that is not `formulas`' text (R1C1 notation);
    # a cell that cannot be computed is given back this text
    written: dict[str, str] = field(default_factory=dict)


def recalculation_asked(archive: zipfile.ZipFile) -> bool:
    """xl/workbook.xml's `calcPr fullCalcOnLoad` is set: the saved results are placeholders (XlsxWriter)."""
    try:
        workbook = fromstring(archive.read("xl/workbook.xml"), forbid_dtd=True)
    except KeyError:
        return False
    for element in workbook.iter():
        if element.tag.rpartition("}")[2] == "calcPr":
            return (element.get("fullCalcOnLoad") or "").strip().lower() in ("1", "true")
    return False


def untrusted_formulas(archive: zipfile.ZipFile, sheets_with_unsaved: set[str],
                       sheets_with_formulas: set[str] | None = None) -> dict[str, SheetFormulas]:
    """Sheet name -> its formulas to compute: every formula of every sheet when the workbook asks for
    recalculation, else those saved without a result on the sheets named in `sheets_with_unsaved`. At most
    MAX_FORMULAS per sheet (the rest keep what the readers give and the guard's note names them).
    `sheets_with_formulas`: the sheets the guard's scan saw a formula on; a sheet outside it is not parsed
    again (openpyxl and pandas ask for recalculation in every workbook they write, formulas or not), None
    when not known."""
    everything = recalculation_asked(archive)
    out = {}
    for part, name in sheet_parts(archive).items():
        if sheets_with_formulas is not None and name not in sheets_with_formulas:
            continue
        if not everything and name not in sheets_with_unsaved:
            continue
        found = _formula_cells(archive, part, everything)
        if found.formulas:
            out[name] = found
    return out


def _formula_cells(archive: zipfile.ZipFile, part: str, everything: bool) -> SheetFormulas:
    """Formula cells of a worksheet part (namespace-aware, streamed): all of them, or those without a result."""
    found, row, col = SheetFormulas(), 0, 0
    cell: list | None = None             # [reference, formula, saved]
    masters: dict[str, tuple[str, str]] = {}     # shared formula index -> (its text, its cell)
    with archive.open(part) as f:
        for event, element in iterparse(f, events=("start", "end"), forbid_dtd=True):
            namespace, _, local = element.tag[1:].partition("}")
            if namespace not in MAIN_NAMESPACES:
                continue
            if event == "start":
                if local == "row":
                    row, col = int(element.get("r") or row + 1), 0
                elif local == "c":
                    m = _REF.fullmatch(element.get("r") or "")
                    col = column_number(m[1].encode()) if m else col + 1
                    cell = [f"{column_letter(col)}{int(m[2]) if m else row}", None, ""]
                continue
            if local == "f" and cell is not None:
                cell[1] = element.text or ""
                if element.get("t") == "shared":
                    cell[1] = _shared(masters, element.get("si"), element.text, cell[0])
            elif local == "v" and cell is not None:
                cell[2] = (element.text or "").strip()
            elif local == "c" and cell is not None:
                reference, formula, saved = cell
                # A result the writer did save (an error value, a number other than the placeholder 0) is kept.
                if formula is not None and (not saved or (everything and saved == "0")) \
                        and len(found.formulas) < MAX_FORMULAS:
                    found.formulas[reference], found.saved[reference] = formula, saved
                cell = None
            if local in ("c", "row"):
                element.clear()
    return found


MAX_SHARED = 10_000        # shared formulas remembered per sheet; cells sharing one beyond are flagged


def _shared(masters: dict[str, tuple[str, str]], index: str | None, text: str | None, reference: str):
    """The formula of a cell in a shared formula (`<f t="shared" si="0">`): the first cell carries the
    text and is remembered; a later one carries none and gets the first one's formula with its relative
    references moved by the offset between the two cells (openpyxl's Translator: G4+H4 from I4 is G7+H7 in
    I7; $A$1 stays). Gives an Uncomputable when the first cell was not seen or a reference moves off the sheet."""
    from openpyxl.formula.translate import Translator, TranslatorError
    if text:
        if index is not None and len(masters) < MAX_SHARED:
            masters[index] = (text, reference)
        return text
    if index not in masters:
        return Uncomputable("a shared formula whose first cell the reader did not find")
    first, origin = masters[index]
    try:
        return Translator("=" + first, origin=origin).translate_formula(reference)[1:]
    except TranslatorError as exc:
        return Uncomputable(f"the shared formula of {origin} moved to {reference} ({exc})")


@lru_cache(maxsize=512)
def _compiled(formula: str):
    import formulas                      # loaded only for a workbook that needs it
    return formulas.Parser().ast("=" + formula)[1].compile()


class Evaluator:
    """Computes formula cells from the grids of a workbook's sheets.

    `grids`: sheet name -> (rows, first_row, first_col) as assets/ingest/formats/sheet.RawSheet holds them;
    `todo`: sheet name -> A1 reference -> formula text."""

    def __init__(self, grids: dict[str, tuple], todo: dict[str, dict[str, str]]):
        self.grids = {name.upper(): grid for name, grid in grids.items()}
        self.todo = {name.upper(): cells for name, cells in todo.items()}
        self.done: dict[tuple[str, str], object] = {}
        self.running: set[tuple[str, str]] = set()

    def value(self, sheet: str, reference: str) -> object:
        """The cell's computed result: a number, text or bool; an Excel error's text ("#DIV/0!"); raises
        Uncomputable."""
        key = (sheet.upper(), reference)
        if key in self.done:
            return self.done[key]
        if key in self.running:
            raise Uncomputable("a circular reference")
        self.running.add(key)
        try:
            result = self._compute(key[0], self.todo[key[0]][reference])
        finally:
            self.running.discard(key)
        self.done[key] = result
        return result

    def _compute(self, sheet: str, formula: str | Uncomputable) -> object:
        import numpy as np
        from formulas.functions import XlError
        if isinstance(formula, Uncomputable):      # known before computing (a reference it cannot rewrite)
            raise formula
        try:
            function = _compiled(formula)
        except Exception as exc:            # the parser's own errors for what it cannot read
            raise Uncomputable(f"a formula the reader cannot parse ({type(exc).__name__})") from exc
        inputs = [self._input(sheet, name) for name in function.inputs]
        try:
            result = function(*inputs)
        except Exception as exc:            # a function the library lacks, or one it fails on
            raise Uncomputable(f"{type(exc).__name__}: {exc}") from exc
        if isinstance(result, np.ndarray):
            if result.size != 1:
                raise Uncomputable("a result of several cells")
            result = result.ravel()[0]
        if isinstance(result, XlError):
            return str(result)
        if isinstance(result, np.generic):
            result = result.item()
        return result

    def _input(self, sheet: str, name: str):
        import numpy as np
        target, _, ref = name.rpartition("!")
        target = target.strip("'").upper() if target else sheet
        if "[" in target or target not in self.grids:
            raise Uncomputable(f"a reference to {name}, not a sheet of this workbook")
        first, _, last = ref.partition(":")
        a, b = _REF.fullmatch(first), _REF.fullmatch(last or first)
        if a is None or b is None:
            raise Uncomputable(f"a reference the reader cannot place ({name})")
        c0, r0, c1, r1 = column_number(a[1].encode()), int(a[2]), column_number(b[1].encode()), int(b[2])
        if (r1 - r0 + 1) * (c1 - c0 + 1) > 100_000:
            raise Uncomputable(f"a range too large to compute here ({name})")
        cells = [[self._cell(target, r, c) for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]
        return cells[0][0] if not last else np.array(cells, dtype=object)

    def _cell(self, sheet: str, row: int, col: int):
        import schedula
        reference = f"{column_letter(col)}{row}"
        if reference in self.todo.get(sheet, {}):
            return self.value(sheet, reference)
        rows, first_row, first_col = self.grids[sheet]
        i, j = row - first_row, col - first_col
        value = rows[i][j] if 0 <= i < len(rows) and 0 <= j < len(rows[i]) else ""
        if value == "" or value is None:
            return schedula.EMPTY
        if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
            raise Uncomputable(f"a date or time at {reference}")
        return value


class Uncomputable(Exception):
    """The formula cannot be computed here; the message says why."""


def r1c1_formulas(unsaved: dict[str, list[str]], sheets: dict) -> dict[str, SheetFormulas]:
    """Sheet name -> the formulas of an XML Spreadsheet 2003 file saved without a result, rewritten from
    R1C1 to A1 for their cell (r1c1.py). xml2003.py puts each such formula's text, "=RC[-2]+RC[-1]", in its
    cell of the grid; a formula that cannot be rewritten is kept as an Uncomputable saying why."""
    out = {}
    for name, references in unsaved.items():
        if (sheet := sheets.get(name)) is None:
            continue
        found = SheetFormulas()
        for reference in references[:MAX_FORMULAS]:
            m = _REF.fullmatch(reference)
            row, col = int(m[2]), column_number(m[1].encode())
            i, j = row - sheet.first_row, col - sheet.first_col
            text = sheet.rows[i][j] if 0 <= i < len(sheet.rows) and 0 <= j < len(sheet.rows[i]) else ""
            if not isinstance(text, str) or not text.startswith("="):
                continue
            found.written[reference] = text[1:]
            try:
                found.formulas[reference] = to_a1(text[1:], row, col)
            except ValueError as exc:
                found.formulas[reference] = Uncomputable(f"an R1C1 formula the reader cannot rewrite: {exc}")
        if found.formulas:
            out[name] = found
    return out


def compute_formulas(path, inspection, sheets) -> list[tuple[str, str]]:
    """Put the computed result of every untrusted formula of an .xlsx in the grids read from it (`sheets`,
    assets/ingest/formats/sheet.RawSheet), or its text where it cannot be computed; the cells computed are taken
    out of `inspection.formulas_without_value` (the notes returned name them) (assets/ingest/formats/guard.Inspection). Returns notes
    (English, Bahasa Indonesia) naming the cells."""
    by_name = {sheet.name: sheet for sheet in sheets}
    if inspection.kind == "xlsx":
        with zipfile.ZipFile(path) as archive:
            todo = untrusted_formulas(archive, set(inspection.formulas_without_value),
                                      inspection.sheets_with_formulas)
    elif inspection.kind == "xml2003":
        todo = r1c1_formulas(inspection.formulas_without_value, by_name)
    else:
        return []
    if not todo:
        return []
    evaluator = Evaluator({s.name: (s.rows, s.first_row, s.first_col) for s in sheets},
                          {name: found.formulas for name, found in todo.items()})
    notes = []
    for name, found in todo.items():
        if name not in by_name:
            continue
        values, computed, failed = {}, [], []
        for reference, formula in found.formulas.items():
            m = _REF.fullmatch(reference)
            place = (int(m[2]) - 1, column_number(m[1].encode()) - 1)
            try:
                values[place] = evaluator.value(name, reference)
                computed.append(reference)
            except Uncomputable as exc:
                formula = found.written.get(reference, formula if isinstance(formula, str) else "")
                values[place] = f"={formula}"
                failed.append(f"{reference} ={formula} ({exc})")
        put_cells(by_name[name], values)
        if unsaved := inspection.formulas_without_value.get(name):     # the notes below name them all
            inspection.formulas_without_value[name] = [r for r in unsaved if r not in found.formulas]
            if not inspection.formulas_without_value[name]:
                del inspection.formulas_without_value[name]
        recalculate = any(found.saved.values())
        if computed:
            notes.append(file_notes.formulas_computed(*file_notes.labels(name), computed, recalculate))
        if failed:
            notes.append(file_notes.formulas_not_computed(*file_notes.labels(name), failed, recalculate))
    return notes

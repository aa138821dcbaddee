"""A worksheet part of an .xlsx/.xlsm read as XML, namespace-aware, before any reader may allocate for it.

Excel writes `<worksheet xmlns="...spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1">`; other
producers bind the same namespace to a prefix (the .NET Open XML SDK: `<x:worksheet xmlns:x=...><x:row>`),
use the ISO strict namespace, or leave out `r` on rows and cells (their place is then counted). What matters
is the element's namespace and local name, never its literal tag text.

`scan_sheet` gives a sheet's extent (rows x columns, for the grid budget), hidden rows and columns, merged
areas and formula cells without a saved value, in bounded memory (the part is streamed from the zip in
blocks). Two ways, the same answers:

- the XML way: defusedxml's iterparse (no DTD, no entities) fed from the zip stream, elements cleared as
  they end, matching `{main namespace}row`, `{...}c`, ...; every case (several seconds per 100 MB);
- the fast way, for the common sheet (141 MB of XML in about 0.3 s): the root is parsed as XML to learn
  the prefix bound to the main namespace, and the rest is searched (Arrow/RE2, outside the GIL) for tags
  spelt with that prefix. That is exact only when tag text cannot mean anything else, so every block is
  first checked for what would break it: a comment, CDATA or processing instruction (which may hold
  tag-like text), the main namespace declared again below the root or the prefix bound to another one,
  and any `row`/`c`/`mergeCell` start tag not in the exact form `<p:c r="A1"` (another attribute first,
  no `r`, a character reference, other white space, a single-quoted attribute, a `>` inside a value). One such block sends the sheet to the XML way.

For the extent both ways count elements named `row` and `c` in any namespace: calamine allocates its grid
for any element named `c` in a row, whatever its namespace (checked), and the budget must bound what the
reader will meet. Hidden rows, merged areas and formulas are the main namespace's.

`stream` is the one expat loop over a zip member (blocks, declarations refused, errors as ParseError): the
XML way here and the measure of an ODS content.xml (assets/ingest/formats/guard.py) both run on it.
"""
from __future__ import annotations

import re
import zipfile
from xml.etree import ElementTree
from xml.parsers import expat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring, iterparse

from assets.ingest.formats.sheet import column_letter, column_number

MAIN_NAMESPACES = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",      # transitional
                   "http://purl.oclc.org/ooxml/spreadsheetml/main")                  # ISO strict
RELATIONSHIP_NAMESPACES = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                           "http://purl.oclc.org/ooxml/officeDocument/relationships")
PACKAGE_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
MAX_FORMULAS = 1000
BLOCK = 1 << 22


@dataclass
class SheetScan:
    """What a sheet's XML says before reading; rows and columns 1-based as Excel numbers them."""
    max_row: int = 0
    max_col: int = 0
    farthest: str = ""                     # the cell that stretches the extent ("" when not measured)
    measured: bool = True                  # False: the fast way saw no reference that can break the budget
    hidden_rows: list[int] = field(default_factory=list)
    hidden_columns: list[int] = field(default_factory=list)
    formulas_without_value: list[str] = field(default_factory=list)    # A1 references
    formulas: bool = False                 # the sheet holds at least one formula (saved result or not)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based from A1, inclusive
    # Cells whose formula ended in an error (type "e": #N/A, #REF!, ...), which the readers give as empty:
    # (A1 reference, the error's text).
    error_cells: list[tuple[str, str]] = field(default_factory=list)
    fast: bool = False                     # which way it was read (for tests and benchmarks)


def scan_sheet(archive: zipfile.ZipFile, part: str, max_merged: int = 100_000, fast: bool = True) -> SheetScan:
    """Scan worksheet `part`. Raises defusedxml's DTDForbidden/EntitiesForbidden for a DTD or entity and
    xml.etree.ElementTree.ParseError for XML that is not well formed (the XML way) or a root that is not."""
    prefix = main_prefix(archive, part)
    if fast and prefix is not None:
        if (scan := _fast_scan(archive, part, prefix, max_merged)) is not None:
            return scan
    return _xml_scan(archive, part, max_merged)


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part ("xl/worksheets/sheet1.xml") -> sheet name as the clerk sees it, from xl/workbook.xml
    and its relationships read as XML (any prefixes); {} when either is missing."""
    try:
        rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"), forbid_dtd=True)
        workbook = fromstring(archive.read("xl/workbook.xml"), forbid_dtd=True)
    except KeyError:
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(PACKAGE_RELATIONSHIPS)}
    out = {}
    for sheet in workbook.iter():
        namespace, _, local = sheet.tag[1:].partition("}")
        if local != "sheet" or namespace not in MAIN_NAMESPACES:
            continue
        rid = next((sheet.get(f"{{{ns}}}id") for ns in RELATIONSHIP_NAMESPACES if sheet.get(f"{{{ns}}}id")), None)
        target = targets.get(rid, "").lstrip("/")
        part = target if target.startswith("xl/") else f"xl/{target}"
        out[part] = sheet.get("name", "")
    return out


def uses_1904_dates(archive: zipfile.ZipFile) -> bool:
    """The workbook counts dates from 1904-01-01 (`workbookPr date1904`, as Excel for Mac may save), read from
    xl/workbook.xml as XML (any prefix); False when it says nothing."""
    try:
        workbook = fromstring(archive.read("xl/workbook.xml"), forbid_dtd=True)
    except KeyError:
        return False
    for element in workbook.iter():
        if element.tag.rpartition("}")[2] == "workbookPr":
            return (element.get("date1904") or "").strip().lower() in ("1", "true")
    return False


def main_prefix(archive: zipfile.ZipFile, part: str) -> str | None:
    """The prefix the root element binds to the main namespace ("" for the default namespace), read as
    XML; None when the root is not a main-namespace element or the namespace has several prefixes."""
    bound: list[str] = []
    with archive.open(part) as f:
        for event, item in iterparse(f, events=("start-ns", "start"), forbid_dtd=True):
            if event == "start-ns":
                if item[1] in MAIN_NAMESPACES:
                    bound.append(item[0])
                continue
            namespace = item.tag[1:].partition("}")[0] if item.tag.startswith("{") else ""
            return bound[0] if namespace in MAIN_NAMESPACES and len(bound) == 1 else None
    return None


def _qualified(prefix: str, local: str) -> str:
    return f"{prefix}:{local}" if prefix else local


@lru_cache(maxsize=8)
def _patterns(prefix: str) -> dict[str, re.Pattern]:
    """The fast way's searches for a sheet whose root binds the main namespace to `prefix`.

    Cells and rows are matched under any prefix for the extent, as calamine allocates a grid for any
    element named `c` in a row whatever its namespace (checked): the budget counts what the reader will
    meet. Hidden rows, merged areas and formulas are the main namespace's, matched with its prefix.
    """
    p = f"{re.escape(prefix)}:" if prefix else ""
    any_c, any_row = r"<(?:[\w.-]+:)?c", r"<(?:[\w.-]+:)?row"
    row, merge = f"<{p}row", f"<{p}mergeCell"
    declared = f"xmlns:{re.escape(prefix)}[\\s=]" if prefix else r"xmlns[\s=]"
    namespaces = "|".join(re.escape(n) for n in MAIN_NAMESPACES)
    bytes_ = {
        # Anything that would make tag text mean something else than the XML says (see the module doc).
        "inexact": (rf'<!--|<!\[CDATA\[|<\?|{namespaces}|{declared}'
                    rf'|{any_c}(?:[>/\t\r\n]| [^r]| r[^=]| r=[^"]| r="[^A-Z]| r="[A-Z]{{1,3}}[^A-Z0-9]| r="[A-Z]{{4}}'
                    rf'| r="[A-Z]{{1,3}}[0-9]{{1,7}}[^0-9"]| r="[A-Z]{{1,3}}[0-9]{{8}})'
                    rf'|{any_row}(?:[>/\t\r\n]| [^r]| r[^=]| r=[^"]| r="[^0-9]| r="[0-9]{{1,7}}[^0-9"]| r="[0-9]{{8}})'
                    rf'|{merge}(?:[>/\t\r\n]| [^r]| r[^e]| re[^f]| ref[^=]| ref=[^"])'
                    # a single-quoted attribute, or a '>' inside a value, in a row or cell start tag
                    rf'|{any_row} r="[0-9]{{1,7}}"[^>]*(?:\'|="[^"]*>)'
                    rf'|{any_c} r="[A-Z]{{1,3}}[0-9]{{1,7}}"[^>]*(?:\'|="[^"]*>)'),
        # A reference to a column beyond Z, or to a row of 7 digits: the only ones that can break the budget.
        "risky": r' r="(?:[A-Z]{2}|[A-Z]?[0-9]{7})',
        "hidden": r'hidden="1"|hidden="true"',
        "formula": rf'<{p}f[ >/]',
        "merge": merge + " ",
        "error": r'\st="e"',
    }
    bytes_["any"] = "|".join(bytes_.values())
    return {name: re.compile(pattern.encode()) for name, pattern in bytes_.items()} | {
        "cell_ref": re.compile(rf'{any_c} r="([A-Z]{{1,3}})([0-9]{{1,7}})"'.encode()),
        "row_ref": re.compile(rf'{any_row} r="([0-9]{{1,7}})"'.encode()),
        "hidden_row": re.compile(rf'{row} r="([0-9]{{1,7}})"[^>]*?\shidden="(?:1|true)"'.encode()),
        "error_cell": re.compile(rf'<{p}c r="([A-Z]{{1,3}}[0-9]{{1,7}})"[^>]*?\st="e"[^>]*>(?:(?!</{p}c>).)*?'
                                 rf'<{p}v>([^<]*)</{p}v>'.encode(), re.S),
        "formula_without_value": re.compile(
            rf'<{p}c r="([A-Z]{{1,3}}[0-9]{{1,7}})"[^>]*>\s*(?:<{p}f[^>]*/>|<{p}f[^>]*>[^<]*</{p}f>)\s*'
            rf'(?:<{p}v\s*/>\s*|<{p}v></{p}v>\s*)?</{p}c>'.encode()),
        "merged_area": re.compile(rf'{merge} ref="([A-Z]{{1,3}})([0-9]{{1,7}}):([A-Z]{{1,3}})([0-9]{{1,7}})"'.encode()),
        "cols": re.compile(rf'<{p}cols>(.*?)</{p}cols>'.encode(), re.S),
        "col": re.compile(rf'<{p}col\s([^>]*)>'.encode()),
        "root": re.compile(rf'<{p}worksheet\b[^>]*>'.encode()),
    }


def _fast_scan(archive: zipfile.ZipFile, part: str, prefix: str, max_merged: int) -> SheetScan | None:
    """The fast way; None as soon as a block is not in the exact form it relies on."""
    patterns = _patterns(prefix)
    scan, risky = SheetScan(fast=True, measured=False), False
    with archive.open(part) as f, ThreadPoolExecutor(1) as inflater:
        blocks = tag_chunks(f)
        upcoming = inflater.submit(next, blocks, None)
        n = 0
        while (chunk := upcoming.result()) is not None:
            upcoming = inflater.submit(next, blocks, None)
            if n == 0:
                root = patterns["root"].search(chunk)
                if root is None:
                    return None
                chunk = chunk[root.end():]          # the root declares the namespace; below it, nothing may
                if (cols := patterns["cols"].search(chunk)) is not None:      # before sheetData
                    scan.hidden_columns += _hidden_columns(patterns["col"].findall(cols[1]))
            n += 1
            block = pa.array([chunk], pa.large_binary())
            if not _found(block, patterns["any"]):       # most blocks: plain cells, one search
                continue
            if _found(block, patterns["inexact"]):
                return None
            risky = risky or _found(block, patterns["risky"])
            if _found(block, patterns["hidden"]):
                scan.hidden_rows += [int(r) for r in patterns["hidden_row"].findall(chunk)]
            if _found(block, patterns["formula"]):
                scan.formulas = True
                if len(scan.formulas_without_value) < MAX_FORMULAS:
                    scan.formulas_without_value += [r.decode()
                                                    for r in patterns["formula_without_value"].findall(chunk)]
            if len(scan.error_cells) < MAX_FORMULAS and _found(block, patterns["error"]):
                scan.error_cells += [(r.decode(), v.decode("utf-8", "replace").strip())
                                     for r, v in patterns["error_cell"].findall(chunk)]
            if len(scan.merged) < max_merged and _found(block, patterns["merge"]):
                scan.merged += [(int(r0) - 1, column_number(c0) - 1, int(r1) - 1, column_number(c1) - 1)
                                for c0, r0, c1, r1 in patterns["merged_area"].findall(chunk)]
    scan.merged = scan.merged[:max_merged]
    scan.formulas_without_value = scan.formulas_without_value[:MAX_FORMULAS]
    scan.error_cells = scan.error_cells[:MAX_FORMULAS]
    if risky:
        scan.measured = True
        with archive.open(part) as f:
            for chunk in tag_chunks(f):
                for letters, row in patterns["cell_ref"].findall(chunk):
                    column, row = column_number(letters), int(row)
                    if column > scan.max_col or row > scan.max_row:
                        scan.farthest = f"{letters.decode()}{row}"
                    scan.max_col, scan.max_row = max(scan.max_col, column), max(scan.max_row, row)
                scan.max_row = max([scan.max_row, *map(int, patterns["row_ref"].findall(chunk))])
    return scan


def _hidden_columns(specs: list[bytes]) -> list[int]:
    out = []
    for spec in specs:
        first, last = re.search(rb'\bmin=["\']([0-9]+)', spec), re.search(rb'\bmax=["\']([0-9]+)', spec)
        if re.search(rb'(?:^|\s)hidden=["\'](?:1|true)["\']', spec) and first and last:
            out += range(int(first[1]), min(int(last[1]), 16_384) + 1)
    return out


def _xml_scan(archive: zipfile.ZipFile, part: str, max_merged: int) -> SheetScan:
    """The XML way: every element by namespace and local name, rows and cells without `r` counted.
    Expat's event handlers, no tree (bounded memory, and several times faster than iterparse); a DTD,
    entity declaration or external reference raises what defusedxml raises for them."""
    scan, walk = SheetScan(), _Walk(max_merged)
    walk.scan = scan
    stream(archive, part, walk.start, walk.end, text=walk.text, namespace_separator="}")
    return scan


def stream(archive: zipfile.ZipFile, part: str, start, end, text=None, namespace_separator: str | None = None,
           block: int = 1 << 20) -> None:
    """Feed zip member `part` through expat in `block`-byte reads (bounded memory, no tree), calling
    `start(name, attributes)` and `end(name)` for each element and `text(data)` for character data (runs
    of text joined; not called when `text` is None).

    Element names are as expat gives them: with `namespace_separator` "}" a namespaced name is
    "namespace}local"; without it the literal tag ("table:table-row", prefix and all). A DTD, entity
    declaration or external reference raises defusedxml's DTDForbidden/EntitiesForbidden/
    ExternalReferenceForbidden; XML that is not well formed raises xml.etree.ElementTree.ParseError naming
    `part`; a missing member raises KeyError, as ZipFile.open does."""
    parser = expat.ParserCreate(namespace_separator=namespace_separator)
    parser.StartElementHandler, parser.EndElementHandler = start, end
    if text is not None:
        parser.buffer_text = True
        parser.CharacterDataHandler = text
    refuse_declarations(parser)
    try:
        with archive.open(part) as f:
            while data := f.read(block):
                parser.Parse(data, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise ElementTree.ParseError(f"{part}: {exc}") from exc


class _Walk:
    """Expat handlers keeping only the scan's answers and the current row, column and cell."""

    def __init__(self, max_merged: int):
        self.max_merged, self.row, self.col = max_merged, 0, 0
        self.kinds: dict[str, tuple[str, bool]] = {}      # expanded name -> (local name, in main namespace)
        self.cell: list | None = None                     # [reference, has formula, has value] of a main c
        self.in_value = False
        self.columns: dict[str, int] = {}                 # column letters -> number

    def kind(self, name: str) -> tuple[str, bool]:
        if (known := self.kinds.get(name)) is None:
            namespace, _, local = name.rpartition("}")
            known = self.kinds[name] = (local, namespace in MAIN_NAMESPACES)
        return known

    def start(self, name: str, attributes: dict) -> None:
        local, main = self.kinds.get(name) or self.kind(name)
        scan = self.scan
        if local == "c":                                  # the extent: any namespace, as calamine reads it
            reference = attributes.get("r")
            if reference and (m := _REF.fullmatch(reference)):
                letters = m[1]
                if (col := self.columns.get(letters)) is None:
                    col = self.columns[letters] = column_number(letters.upper().encode())
                self.col, cell_row = col, int(m[2])
            else:
                self.col, cell_row = self.col + 1, self.row
            if self.col > scan.max_col or cell_row > scan.max_row:
                scan.farthest = f"{column_letter(self.col)}{cell_row}"
                scan.max_col, scan.max_row = max(scan.max_col, self.col), max(scan.max_row, cell_row)
            self.cell = [self.col, cell_row, False, False, attributes.get("t") == "e", []] if main else None
        elif local == "row":
            self.row, self.col = _row_number(attributes.get("r"), self.row), 0
            scan.max_row = max(scan.max_row, self.row)
            if main and attributes.get("hidden") in ("1", "true"):
                scan.hidden_rows.append(self.row)
        elif not main:
            return
        elif local == "f" and self.cell is not None:
            self.cell[2] = scan.formulas = True
        elif local == "v" and self.cell is not None:
            self.in_value = True
        elif local == "col":
            first, last = attributes.get("min", ""), attributes.get("max", "")
            if attributes.get("hidden") in ("1", "true") and first.isdigit() and last.isdigit():
                scan.hidden_columns += range(int(first), min(int(last), 16_384) + 1)
        elif local == "mergeCell" and len(scan.merged) < self.max_merged:
            if m := re.fullmatch(r"([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})", attributes.get("ref", "")):
                c0, r0, c1, r1 = m.groups()
                scan.merged.append((int(r0) - 1, column_number(c0.encode()) - 1,
                                    int(r1) - 1, column_number(c1.encode()) - 1))

    def end(self, name: str) -> None:
        local, main = self.kinds.get(name) or self.kind(name)
        if local == "v":
            self.in_value = False
        elif local == "c" and main and self.cell is not None:
            col, row, formula, value, error, text = self.cell
            if formula and not value and len(self.scan.formulas_without_value) < MAX_FORMULAS:
                self.scan.formulas_without_value.append(f"{column_letter(col)}{row}")
            if error and "".join(text).strip() and len(self.scan.error_cells) < MAX_FORMULAS:
                self.scan.error_cells.append((f"{column_letter(col)}{row}", "".join(text).strip()))
            self.cell = None

    def text(self, data: str) -> None:
        if self.in_value and data:
            self.cell[3] = True
            if self.cell[4]:
                self.cell[5].append(data)


def refuse_declarations(parser) -> None:
    """Make an expat parser raise what defusedxml raises for a DTD, an entity declaration or an external
    reference (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden)."""
    parser.StartDoctypeDeclHandler = _forbid_dtd
    parser.EntityDeclHandler = _forbid_entity
    parser.UnparsedEntityDeclHandler = _forbid_unparsed_entity
    parser.ExternalEntityRefHandler = _forbid_external


def _forbid_dtd(name, sysid, pubid, has_internal_subset):
    raise DTDForbidden(name, sysid, pubid)


def _forbid_entity(name, is_parameter_entity, value, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)


def _forbid_unparsed_entity(name, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)


def _forbid_external(context, base, sysid, pubid):
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


_REF = re.compile(r"([A-Za-z]{1,4})([0-9]{1,9})")


def _row_number(r: str | None, previous: int) -> int:
    return int(r) if r and r.isdigit() else previous + 1


def _cell_place(r: str | None, row: int, previous_col: int) -> tuple[int, int]:
    """(column, row) of a cell: from its reference when it has one, else the next column of its row."""
    if r and (m := _REF.fullmatch(r)):
        return column_number(m[1].upper().encode()), int(m[2])
    return previous_col + 1, row


def head_cells(archive: zipfile.ZipFile, part: str, rows: int):
    """(row, column, cell type) of the cells of the first `rows` rows (1-based; type as the XML `t`, "n"
    when absent), read as XML and stopped after them."""
    row = col = 0
    with archive.open(part) as f:
        for event, element in iterparse(f, events=("start",), forbid_dtd=True):
            namespace, _, local = element.tag[1:].partition("}")
            if namespace not in MAIN_NAMESPACES:
                continue
            if local == "row":
                row, col = _row_number(element.get("r"), row), 0
                if row > rows:
                    return
            elif local == "c":
                col, cell_row = _cell_place(element.get("r"), row, col)
                if cell_row <= rows:
                    yield cell_row, col, element.get("t", "n")


def _found(block: pa.Array, pattern: re.Pattern) -> bool:
    return pc.match_substring_regex(block, pattern.pattern.decode())[0].as_py()


def tag_chunks(f, size: int = BLOCK):
    """Blocks of a stream cut before a '<', so no tag is split between two blocks."""
    tail = b""
    while block := f.read(size):
        chunk = tail + block
        cut = chunk.rfind(b"<")
        chunk, tail = (chunk[:cut], chunk[cut:]) if cut > 0 else (chunk, b"")
        yield chunk
    if tail:
        yield tail

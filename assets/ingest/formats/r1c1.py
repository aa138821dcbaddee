"""Formulas written in R1C1 notation (XML Spreadsheet 2003's `ss:Formula`) rewritten in A1 notation.

XML Spreadsheet 2003 stores every formula in R1C1 form, relative to the cell that holds it: in I4,
`=RC[-2]+RC[-1]` is `=G4+H4`, `=SUM(R[-6]C:R[-1]C)` is `=SUM(I3:I8)`, `=R2C3` is `=$C$2`. The formula
evaluator (formula_values.py, the `formulas` library) reads A1 notation only, so each reference is
rewritten for its cell:

    R[n] / C[n]   relative: n rows / columns from the cell (negative: up / left) -> G4
    Rn / Cn       absolute: row / column n                                         -> $G$4
    R / C         the cell's own row / column                                      -> G4
    Rm:Rn, Cm:Cn  whole rows / columns                                             -> 4:9, G:H

Text in double quotes ("R1C1") and sheet names in single quotes ('R1C1'!RC) are kept as they are; a name
followed by "(" is a function (ROUND, COUNT), never a reference. A reference that falls outside the sheet
(row < 1, column < 1, beyond Excel's 1,048,576 x 16,384) or a formula that is not R1C1 raises ValueError.
"""
from __future__ import annotations

import re

from assets.ingest.formats.sheet import column_letter

MAX_ROW, MAX_COL = 1_048_576, 16_384

_PART = r"(?:\[(-?[0-9]{1,7})\]|([0-9]{1,7}))?"
# A reference: not inside a longer name (letters, digits, "_", "." before it; those or "(" / "[" after it).
_REFERENCE = re.compile(rf"(?<![\w.])(?:R{_PART}C{_PART}|R{_PART}|C{_PART})(?![\w.(\[])")
# Literal text and quoted sheet names, whose characters are never references.
_QUOTED = re.compile(r'"(?:[^"]|"")*"|\'(?:[^\']|\'\')*\'')


def to_a1(formula: str, row: int, col: int) -> str:
    """`formula` (with or without its leading "=") as written in the cell at `row`, `col` (1-based), with
    every R1C1 reference rewritten in A1 notation; the leading "=" is kept if given.
    Raises ValueError for a reference outside the sheet or an unterminated quote."""
    out, at = [], 0
    for quoted in _QUOTED.finditer(formula):
        out.append(_references(formula[at:quoted.start()], row, col))
        out.append(quoted[0])
        at = quoted.end()
    rest = formula[at:]
    if '"' in rest or "'" in rest:
        raise ValueError(f"an unterminated quote in {formula!r}")
    out.append(_references(rest, row, col))
    return "".join(out)


def _references(text: str, row: int, col: int) -> str:
    def rewrite(m: re.Match) -> str:
        cell_row, cell_col, only_row, only_col = m.group(1, 2), m.group(3, 4), m.group(5, 6), m.group(7, 8)
        if m[0].startswith("R") and "C" in m[0]:
            return _part(cell_col, col, MAX_COL, True) + _part(cell_row, row, MAX_ROW, False)
        if m[0].startswith("R"):
            number = _part(only_row, row, MAX_ROW, False)
            return f"{number}:{number}" if not _in_range(m, text) else number
        letters = _part(only_col, col, MAX_COL, True)
        return f"{letters}:{letters}" if not _in_range(m, text) else letters
    return _REFERENCE.sub(rewrite, text)


def _in_range(m: re.Match, text: str) -> bool:
    """A whole row or column that is one end of a range (R2:R5): the range gives the colon."""
    return text[m.end():m.end() + 1] == ":" or text[m.start() - 1:m.start()] == ":"


def _part(groups: tuple[str | None, str | None], own: int, limit: int, is_column: bool) -> str:
    relative, absolute = groups
    if absolute is not None:
        number, mark = int(absolute), "$"
    else:
        number, mark = own + int(relative or 0), ""
    if not 1 <= number <= limit:
        raise ValueError(f"a reference outside the sheet ({'column' if is_column else 'row'} {number})")
    return mark + (column_letter(number) if is_column else str(number))

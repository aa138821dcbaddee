"""Parse a whole column at once. Each distinct cell is looked at once and the result mapped back to
every row; among the distinct cells, the text ones in the common well-formed shapes (clean text and
identifiers, plain and grouped numbers, 'Rp' amounts, 16-digit NIKs) are read with Arrow compute, and
every other cell goes to the per-cell parser in cells.py, so an error is still a cell's own. The
shapes below only ever take values the per-cell parser reads the same way (tests/test_fast_read.py
checks this on generated values)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from assets.ingest.cells import FORMULA_ERROR, FORMULA_ERRORS, FORMULA_NOT_COMPUTED, PARSERS, is_blank, masked_text

# Excel's own limit. calamine cuts longer cells to exactly this length, so a cell that long was cut
# (or did not come from Excel): rejected rather than stored shortened.
MAX_CELL_CHARS = 32_767
TEXT_TOO_LONG = "text_too_long"
_LONG_NUMBER = r"\d(?:[ .-]?\d){7}"   # eight digits, maybe grouped: texts that may hold a phone number or NIK


@dataclass
class Cells:
    """One column as codes into its distinct cells."""
    codes: np.ndarray     # int64, per row: index into `uniques`
    uniques: np.ndarray   # object: the distinct cells (str, float, date, bool, None, ...)
    text_at: np.ndarray   # positions in `uniques` of the str ones ...
    texts: pa.Array       # ... and those, as an Arrow string array


def distinct(values) -> Cells:
    """`values`: an Arrow string array (null for empty; the Arrow reader) or a sequence of cells."""
    if isinstance(values, pa.Array):
        encoded = values.dictionary_encode()
        texts = encoded.dictionary
        uniques = np.empty(len(texts) + 1, dtype=object)
        uniques[:-1] = texts.to_numpy(zero_copy_only=False)
        uniques[-1] = None
        codes = encoded.indices.fill_null(len(texts)).to_numpy().astype(np.int64)
        return Cells(codes, uniques, np.arange(len(texts)), texts)
    array = np.empty(len(values), dtype=object)
    array[:] = values
    codes, uniques = pd.factorize(array, use_na_sentinel=False)
    # True == 1 == 1.0 in a hash table: a column holding booleans is looked at cell by cell.
    if any(isinstance(u, bool) for u in uniques):
        codes, uniques = np.arange(len(array)), array
    text_at = np.array([i for i, u in enumerate(uniques) if isinstance(u, str)], dtype=np.int64)
    return Cells(codes.astype(np.int64), uniques, text_at, pa.array(list(uniques[text_at]), type=pa.string()))


def _python(cells: Cells, at: np.ndarray, check) -> np.ndarray:
    return np.array([check(u) for u in cells.uniques[at]], dtype=bool)


def blank_uniques(cells: Cells) -> np.ndarray:
    """Per distinct cell: empty or whitespace only. A text holding a printable ASCII character is
    not blank; only the others are asked to cells.is_blank."""
    out = np.zeros(len(cells.uniques), dtype=bool)
    filled = pc.match_substring_regex(cells.texts, "[!-~]").to_numpy(zero_copy_only=False)
    unsure = np.setdiff1d(np.arange(len(cells.uniques)), cells.text_at[filled], assume_unique=True)
    out[unsure] = _python(cells, unsure, is_blank)
    return out


def matching_uniques(cells: Cells, pattern: re.Pattern, ascii_prefilter: str) -> np.ndarray:
    """Per distinct cell: a text that `pattern` matches once stripped. `ascii_prefilter` (RE2) is
    matched by every ASCII text `pattern` can match, so only those, and non-ASCII texts, go to `pattern`."""
    out = np.zeros(len(cells.uniques), dtype=bool)
    maybe = pc.or_(pc.invert(pc.string_is_ascii(cells.texts)),
                   pc.match_substring_regex(cells.texts, ascii_prefilter, ignore_case=True))
    at = cells.text_at[maybe.to_numpy(zero_copy_only=False)]
    out[at] = _python(cells, at, lambda u: bool(pattern.match(u.strip())))
    return out


# -- fast shapes ---------------------------------------------------------------------------------------
CLEAN_TEXT = r"^[!-~](?: ?[!-~])*$"                            # printable ASCII words, single spaces
CLEAN_IDENTIFIER = r"^[!-&(-~](?:(?: ?[!-~])* ?[!-&(-~])?$"    # ... without a quote at either end
CLEAN_CODE = r"^[!-&(-~]+$"                                   # no space, no quote
NIK_DIGITS = r"^[0-9]{16}$"
# A number as typed: optional "Rp"/"IDR" (amounts), then the figure.
FIGURE = r"^(?:(?i:rp\.?|idr) ?)?(?P<figure>-?[0-9][0-9.,]*)$"
PLAIN = r"^-?[0-9]{1,15}$"
DOT_GROUPS = r"^[0-9]{1,3}(?:\.[0-9]{3}){1,4}$"                # 1.234.567 (15 digits at most)
COMMA_GROUPS = r"^[0-9]{1,3}(?:,[0-9]{3}){1,4}$"              # 1,234,567
ONE_GROUP = r"^[0-9]{1,3}[.,][0-9]{3}$"                       # 1.234 / 1,234: thousands, never decimals
DOT_DECIMAL = r"^[0-9]{1,15}\.[0-9]{1,15}$"                   # 1234.5
COMMA_DECIMAL = r"^[0-9]{1,3}(?:\.[0-9]{3}){0,4},[0-9]{1,15}$"  # 1.234,5 / 12,5


def _is(texts: pa.Array, pattern: str) -> np.ndarray:
    return pc.match_substring_regex(texts, pattern).to_numpy(zero_copy_only=False)


# A long number a data tool wrote as a float ("1901041005.0"): read by the cell parser (its digits).
FLOAT_WRITTEN = r"^[0-9]{6,}\.0+$"


def _fast_identity(pattern: str, float_written: bool = False):
    def read(texts: pa.Array):
        settled = _is(texts, pattern)
        return None, (settled & ~_is(texts, FLOAT_WRITTEN)) if float_written else settled
    return read


def _fast_nik(texts: pa.Array):
    ok = _is(texts, NIK_DIGITS)
    digits = pc.if_else(pa.array(ok), texts, "1101010101000001")
    day = pc.cast(pc.utf8_slice_codeunits(digits, 6, 8), pa.int64()).to_numpy()
    month = pc.cast(pc.utf8_slice_codeunits(digits, 8, 10), pa.int64()).to_numpy()
    day = np.where(day > 40, day - 40, day)
    prefix = _is(digits, "^00")
    return None, ok & (day >= 1) & (day <= 31) & (month >= 1) & (month <= 12) & ~prefix


def _fast_number(integer: bool):
    def read(texts: pa.Array):
        figure = pc.struct_field(pc.extract_regex(texts, FIGURE), [0]) if not integer else texts
        figure = figure.fill_null("")
        plain, dots, commas = _is(figure, PLAIN), _is(figure, DOT_GROUPS), _is(figure, COMMA_GROUPS)
        grouped = pc.replace_substring(pc.replace_substring(figure, ".", ""), ",", "")
        if integer:
            settled = plain | dots | commas
            source = grouped
        else:
            dot_decimal = _is(figure, DOT_DECIMAL) & ~_is(figure, ONE_GROUP)
            comma_decimal = _is(figure, COMMA_DECIMAL) & ~_is(figure, ONE_GROUP)
            settled = plain | dots | commas | dot_decimal | comma_decimal
            decimal = pc.replace_substring(pc.replace_substring(figure, ".", ""), ",", ".")
            source = pc.if_else(pa.array(dot_decimal), figure, pc.if_else(pa.array(comma_decimal), decimal, grouped))
        source = pc.if_else(pa.array(settled), source, "0")
        return pc.cast(source, pa.int64() if integer else pa.float64()).to_numpy(), settled
    return read


FAST = {
    "text": _fast_identity(CLEAN_TEXT),
    "list": _fast_identity(CLEAN_TEXT),       # on one line, read as written
    "identifier": _fast_identity(CLEAN_IDENTIFIER, float_written=True),
    "code": _fast_identity(CLEAN_CODE, float_written=True),
    "nik": _fast_nik,
    "integer": _fast_number(integer=True),
    "amount": _fast_number(integer=False),
}


# -- parsing -----------------------------------------------------------------------------------------------

@dataclass
class Parsed:
    values: object        # typed, one per distinct cell (Int64 / float64 / datetime64 / object array)
    errors: list          # error code or None, one per distinct cell


# Texts a number cell of these kinds could have been rendered as by the Arrow reader, and that read
# differently as text ("1.234" is 1234 typed, 1.234 as a number; a NIK typed as a number is refused).
NUMBER_LOOKALIKE = {"nik": r"^-?[0-9]+(?:\.[0-9]+)?$", "integer": r"^-?[0-9]{1,3}\.[0-9]{3}$",
                    "amount": r"^-?[0-9]{1,3}\.[0-9]{3}$"}


def needs_cell_types(cells: Cells, kind: str) -> bool:
    return kind in NUMBER_LOOKALIKE and bool(pc.any(pc.match_substring_regex(cells.texts, NUMBER_LOOKALIKE[kind])).as_py())


# An error value a formula left in a cell (cells.FORMULA_ERRORS), as RE2 sees it.
FORMULA_ERROR_TEXT = r"^\s*(?i:" + FORMULA_ERRORS.pattern + r")\s*$"
FORMULA_TEXT = r"^=[A-Za-z$'(_]"


def parse_uniques(cells: Cells, kind: str, parser=None) -> Parsed:
    """`parser`: the kind's parser from cells.PARSERS unless given (a date parser in the workbook's own
    date system). A formula's error value (#N/A, #REF!, ...) is an error in every kind, never empty."""
    n = len(cells.uniques)
    fast_values, settled = (FAST[kind](cells.texts) if kind in FAST and len(cells.texts)
                            else (None, np.zeros(len(cells.texts), dtype=bool)))
    long = pc.greater_equal(pc.utf8_length(cells.texts), MAX_CELL_CHARS).to_numpy(zero_copy_only=False)
    failed = _is(cells.texts, FORMULA_ERROR_TEXT) if len(cells.texts) else np.zeros(0, dtype=bool)
    # A formula whose result could not be computed is given as its text (assets/ingest/formats/formula_values.py).
    uncomputed = _is(cells.texts, FORMULA_TEXT) if len(cells.texts) else np.zeros(0, dtype=bool)
    errors: list = [None] * n
    for i in cells.text_at[uncomputed]:
        errors[i] = FORMULA_NOT_COMPUTED
    failed |= uncomputed
    settled &= ~long & ~failed
    for i in cells.text_at[long]:
        errors[i] = TEXT_TOO_LONG
    for i in cells.text_at[failed & ~uncomputed]:
        errors[i] = FORMULA_ERROR
    slow = np.ones(n, dtype=bool)
    slow[cells.text_at[settled | long | failed]] = False
    slow_at = np.flatnonzero(slow)
    parser = parser or PARSERS[kind]
    results = [parser("" if is_blank(u) else u) for u in cells.uniques[slow_at]]
    for i, (_, error) in zip(slow_at, results):
        errors[i] = error
    slow_values = [value for value, _ in results]
    fast_at = cells.text_at[settled]
    if kind in ("integer", "year", "amount"):
        numbers = np.zeros(n, dtype="int64" if kind != "amount" else "float64")
        missing = np.ones(n, dtype=bool)
        if fast_values is not None:
            numbers[fast_at] = fast_values[settled]
            missing[fast_at] = False
        for i, value in zip(slow_at, slow_values):
            if value is not None:
                numbers[i], missing[i] = value, False
        if kind == "amount":
            return Parsed(np.where(missing, np.nan, numbers), errors)
        return Parsed(pd.arrays.IntegerArray(numbers, missing), errors)
    if kind == "date":
        dates = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        for i, value in zip(slow_at, slow_values):
            if value is not None:
                dates[i] = np.datetime64(value, "ns")
        return Parsed(dates, errors)
    out = cells.uniques.copy()              # the fast text shapes are read as they are
    out[cells.text_at[failed]] = None
    for i, value in zip(slow_at, slow_values):
        out[i] = value
    if kind in ("text", "list") and len(cells.texts):
        numbered = pc.match_substring_regex(cells.texts, _LONG_NUMBER).to_numpy(zero_copy_only=False)
        for i in cells.text_at[numbered]:
            if errors[i] is None and isinstance(out[i], str):          # the cell parsers' rule (masked_text)
                out[i], errors[i] = masked_text(out[i])
    return Parsed(out, errors)

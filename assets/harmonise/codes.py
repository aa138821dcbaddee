"""Place codes in the forms agencies really send them: dotted or bare Kemendagri, 10-digit BPS, and codes
Excel turned into numbers (19.10 -> float 19.1, 1901012001 -> 1901012001.0 or 1.901012001E+09)."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

LEVEL_BY_LENGTH = {2: "province", 5: "regency", 8: "district", 13: "village"}
BPS_LEVEL_BY_LENGTH = {2: "province", 4: "regency", 7: "district", 10: "village"}
VILLAGE_TYPES = {"1": "kelurahan", "2": "desa", "3": "desa adat"}
_DOTTED = re.compile(r"\d{1,2}(\.\d{1,2}){0,2}(\.\d{1,4})?")
_SEGMENT_WIDTHS = (2, 2, 2, 4)


def clean_code(code) -> str:
    """The code as text, undoing what a spreadsheet did to it: float suffix '.0', scientific notation,
    stray spaces. Dots are kept (they say the code is Kemendagri)."""
    if code is None:
        return ""
    text = str(code).strip().replace(" ", "")
    if re.fullmatch(r"\d+(\.\d+)?[eE][+-]?\d+", text):
        try:
            text = format(Decimal(text), "f")
        except InvalidOperation:
            return text
    if re.fullmatch(r"\d{7,}\.0+", text):         # a long number read back as a float
        text = text.split(".")[0]
    return text


def dotted_code(code) -> str:
    """A Kemendagri code in its dotted form, whatever Excel or the sender did to it: '1901012001' ->
    '19.01.01.2001', float 19.1 (was 19.10) -> '19.10', '19.01.01.2001' unchanged."""
    text = clean_code(code)
    if "." in text and _DOTTED.fullmatch(text):
        segments = text.split(".")
        # Excel drops a trailing zero of the last segment only (19.10 -> 19.1); earlier ones are intact.
        segments[-1] = segments[-1].ljust(_SEGMENT_WIDTHS[len(segments) - 1], "0")
        return ".".join(segments)
    digits = re.sub(r"\D", "", text)
    parts = [digits[:2], digits[2:4], digits[4:6], digits[6:10]]
    return ".".join(p for p in parts if p)


def code_level(code: str) -> str:
    return LEVEL_BY_LENGTH.get(len(code), "unknown")


def parent_of(code: str) -> str:
    return code.rsplit(".", 1)[0] if "." in code else ""


def village_type(code: str) -> str:
    return VILLAGE_TYPES.get(code[9], "") if len(code) == 13 else ""

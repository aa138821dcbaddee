"""Pseudonyms for personal identifiers: a keyed HMAC whose key lives outside the warehouse.

A plain hash of a NIK can be brute-forced (its digits are a district, a birth date and a serial), so
the key matters: it is owner-only, never stored beside the data, and checked against the warehouse's
recorded fingerprint before a sync uses it (assets/pseudonym_key.py).
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import re
from pathlib import Path

import numpy as np
import pandas as pd

from assets.pseudonym_key import read_key


def load_key(path: Path | None = None) -> bytes:
    """The pseudonym key at `path` (default JEMBATAN_KEY_FILE), checked; never created here.
    Raises assets.pseudonym_key.KeyRefused (see there, and warehouse_key for a sync)."""
    return read_key(path)


def pseudonym(key: bytes, purpose: str, value: str) -> str:
    """The same value gives the same pseudonym in every file, however its digits were grouped
    ("77.02.1234" and "77021234" are one officer); `purpose` keeps NIK and NRP keys apart.

    The 24 lower-case base32 letters of the first 15 bytes of HMAC-SHA256(key, "<purpose>:<VALUE>")."""
    return pseudonyms(key, purpose, [value])[0]


def pseudonyms(key: bytes, purpose: str, values) -> list[str | None]:
    """pseudonym() of each of `values` (None, NaN and pd.NA give None): each distinct value hashed once, the
    key's HMAC pads once, and the base32 letters of all of them at once (numpy)."""
    values = [None if pd.isna(value) else str(value) for value in values]
    distinct = list(dict.fromkeys(v for v in values if v is not None))
    if not distinct:
        return [None] * len(values)
    digests = b"".join(d[:15] for d in hmac_sha256(key, (
        f"{purpose}:{v.upper() if v.isascii() and v.isalnum() else _NOT_ALNUM.sub('', v).upper()}".encode()
        for v in distinct)))
    # Base32 letters, not hex: a pseudonym never looks like a NIK or any other run of digits.
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8)).reshape(-1, 5)
    letters = _B32[bits @ np.array([16, 8, 4, 2, 1], dtype=np.uint8)].reshape(len(distinct), 24)
    found = dict(zip(distinct, letters.view("S24").ravel().astype(str).tolist()))
    return [None if value is None else found[value] for value in values]


_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")
_B32 = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)


def hmac_sha256(key: bytes, messages) -> list[bytes]:
    """HMAC-SHA256(key, message) of each of `messages` (bytes): the standard library's HMAC keyed once
    and copied per message, so the key's pads are not hashed again for every one."""
    keyed = _keyed(key)
    out = []
    for message in messages:
        h = keyed.copy()
        h.update(message)
        out.append(h.digest())
    return out


@functools.lru_cache(maxsize=8)
def _keyed(key: bytes):
    return hmac.new(key, digestmod=hashlib.sha256)


def mask(value: str) -> str:
    """What a report may echo of a personal value: enough to find the cell, not enough to identify."""
    value = str(value)
    if len(value) <= 4:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 4)


# A NIK: 16 digits, possibly grouped by spaces, dots or dashes ("3201 2345 6789 0123"). A mobile number:
# 08.., +62 8.. or 62 8.., then 7 to 12 more digits, possibly grouped ("0812-3456-7890", "+62 812 3456 7890").
NIK_LIKE = re.compile(r"(?<![\d*])\d(?:[ .-]?\d){15}(?!\d)")
_DIGIT = re.compile(r"\d")
PHONE_LIKE = re.compile(r"(?<![\d*])(?:\+62[ .-]?|62[ .-]?|0)8\d(?:[ .-]?\d){6,11}?(?!\d)")


def mask_sheet_names(sheets, *by_sheet: dict) -> None:
    """Sheet names are free text a clerk typed: each of `sheets` (objects with a `name`, as the readers
    return them) gets its name scrubbed before anything stores or shows it, and each dict of `by_sheet`
    (sheet name -> what was found on that sheet) is re-keyed to the masked names, in place."""
    for sheet in sheets:
        sheet.name = scrub(sheet.name)
    for found in by_sheet:
        masked = {scrub(name): value for name, value in found.items()}
        found.clear()
        found.update(masked)


def scrub(text) -> str:
    """`text` (any value; None and NaN give "") with every NIK- or phone-shaped number masked (mask()).

    The one filter for free text the project writes: notes, skipped-row descriptions, error messages,
    values echoed in reports and rejections, Dagster metadata and run tags."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    text = str(text)
    if _DIGIT.search(text) is None:
        return text
    # Phone numbers first: grouped ones side by side would otherwise read as one 16-digit NIK.
    return NIK_LIKE.sub(lambda m: mask(m[0]), PHONE_LIKE.sub(lambda m: mask(m[0]), text))


def described_row(cells: list[str], personal: set[int]) -> str:
    """A row left out of a table, as the report lists it: its non-empty cells joined by " | ", without
    the cells of personal columns (their indexes: `personal`), scrubbed, at most 200 characters."""
    return scrub(" | ".join(text for i, text in enumerate(cells) if text and i not in personal))[:200]

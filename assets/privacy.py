"""Pseudonyms for personal identifiers: a keyed HMAC whose key lives outside the warehouse.

A plain hash of a NIK can be brute-forced (its digits are a district, a birth date and a serial), so
the key matters: it is owner-only, never stored beside the data, and checked against the warehouse's
recorded fingerprint before a sync uses it (assets/pseudonym_key.py).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from pathlib import Path


def load_key(path: Path | None = None) -> bytes:
    """The pseudonym key at `path` (default JEMBATAN_KEY_FILE), checked; never created here.
    Raises assets.pseudonym_key.KeyRefused (see there, and warehouse_key for a sync)."""
    from assets.pseudonym_key import read_key
    return read_key(path)


def pseudonym(key: bytes, purpose: str, value: str) -> str:
    """The same value gives the same pseudonym in every file, however its digits were grouped
    ("77.02.1234" and "77021234" are one officer); `purpose` keeps NIK and NRP keys apart."""
    value = re.sub(r"[^0-9A-Za-z]", "", value).upper()
    digest = hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    # Base32 letters, not hex: a pseudonym never looks like a NIK or any other run of digits.
    return base64.b32encode(digest[:15]).decode().lower()


def mask(value: str) -> str:
    """What a report may echo of a personal value: enough to find the cell, not enough to identify."""
    value = str(value)
    if len(value) <= 4:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 4)

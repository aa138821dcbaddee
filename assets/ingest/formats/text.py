"""CSV and text exports read into one sheet: the bytes decoded (by byte-order mark, UTF-16 without one,
UTF-8, else cp1252) and split on the separator the header lines use.
"""
from __future__ import annotations

import csv
import io

from assets.ingest.formats.sheet import RawSheet
from assets.ingest.formats.sniff import text_encoding


def decode_text(data: bytes) -> str:
    """A text export's characters: by its byte-order mark (UTF-8, UTF-16 LE/BE as Excel's "Unicode Text"
    writes, UTF-32), UTF-16 without a mark, else UTF-8, else cp1252. Raises UnicodeDecodeError only for
    a marked UTF-16/32 file that is damaged."""
    if encoding := text_encoding(data):
        return data.decode(encoding)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def detect_separator(text: str) -> str:
    sample = [line for line in text.splitlines()[:30] if line.strip()]
    counts = {sep: sum(line.count(sep) for line in sample) for sep in (";", ",", "\t", "|")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def read_csv(data: bytes) -> RawSheet:
    text = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_separator(text))
    return RawSheet(name="", rows=[list(row) for row in reader])

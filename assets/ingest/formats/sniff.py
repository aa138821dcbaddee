"""What a file really is, from its first bytes (magic numbers), whatever its name says; and the encoding
of a text export (byte-order marks, UTF-16 without one).

`identify` names the common kinds a clerk may drop by mistake (PDF, Word, PowerPoint, images, archives,
web pages, programs) so that a refusal says what the file is, in English and Bahasa Indonesia.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"     # Office 97-2003 files, and password-protected .xlsx
XML2003_NAMESPACE = b"urn:schemas-microsoft-com:office:spreadsheet"

# (magic prefix, English, Indonesian); longest and most specific first.
MAGIC = [
    (b"%PDF", "a PDF document", "dokumen PDF"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", "gambar PNG"),
    (b"\xff\xd8\xff", "a JPEG image (a photo or scan)", "gambar JPEG (foto atau hasil pindai)"),
    (b"GIF87a", "a GIF image", "gambar GIF"),
    (b"GIF89a", "a GIF image", "gambar GIF"),
    (b"II*\x00", "a TIFF image (a scan)", "gambar TIFF (hasil pindai)"),
    (b"MM\x00*", "a TIFF image (a scan)", "gambar TIFF (hasil pindai)"),
    (b"Rar!\x1a\x07", "a RAR archive", "arsip RAR"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "arsip 7-Zip"),
    (b"\x1f\x8b", "a gzip archive", "arsip gzip"),
    (b"{\\rtf", "a Rich Text (RTF) document", "dokumen Rich Text (RTF)"),
    (b"SQLite format 3\x00", "an SQLite database", "basis data SQLite"),
    (b"\x00\x01\x00\x00Standard Jet DB", "a Microsoft Access database", "basis data Microsoft Access"),
    (b"\x00\x01\x00\x00Standard ACE DB", "a Microsoft Access database", "basis data Microsoft Access"),
    (b"MZ", "a Windows program (.exe)", "program Windows (.exe)"),
    (b"\x7fELF", "a program (ELF executable)", "program (berkas ELF)"),
]
# Kinds whose magic is short printable text a CSV could begin with: not taken from a text file's first bytes.
TEXT_LOOKALIKES = ("a Windows program (.exe)",)
# Parts that name the kind of an Office Open XML or OpenDocument zip.
ZIP_PARTS = [
    ("word/document.xml", "a Word document (.docx)", "dokumen Word (.docx)"),
    ("ppt/presentation.xml", "a PowerPoint presentation (.pptx)", "presentasi PowerPoint (.pptx)"),
]
# Stream names in an OLE2 (Office 97-2003) directory, stored in UTF-16-LE.
OLE2_STREAMS = [
    ("WordDocument", "a Word 97-2003 document (.doc)", "dokumen Word 97-2003 (.doc)"),
    ("PowerPoint Document", "a PowerPoint 97-2003 presentation (.ppt)", "presentasi PowerPoint 97-2003 (.ppt)"),
    ("Workbook", "an Excel 97-2003 workbook (.xls)", "workbook Excel 97-2003 (.xls)"),
    ("Book", "an Excel 5.0/95 workbook (.xls)", "workbook Excel 5.0/95 (.xls)"),
]
OLE2_NOT_EXCEL = [kind[1:] for kind in OLE2_STREAMS[:2]]
XML2003 = ("an XML Spreadsheet 2003 file", "berkas XML Spreadsheet 2003")
HTML = ("a web page (HTML)", "halaman web (HTML)")


def identify(path: Path) -> tuple[str, str] | None:
    """(English, Indonesian) naming what the file is from its content, e.g. ("a PDF document",
    "dokumen PDF"); None when the first bytes say nothing known (plain text, or unknown binary)."""
    with path.open("rb") as f:
        head = f.read(4096)
    for magic, english, indonesian in MAGIC:
        if head.startswith(magic):
            return english, indonesian
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(path)
    if head.startswith(OLE2_MAGIC):
        with path.open("rb") as f:
            data = f.read(64 << 20)
        for stream, english, indonesian in OLE2_STREAMS:
            if stream.encode("utf-16-le") + b"\x00\x00" in data:
                return english, indonesian
        return "an Office 97-2003 file", "berkas Office 97-2003"
    return markup_kind(head)


def markup_kind(head: bytes) -> tuple[str, str] | None:
    """XML Spreadsheet 2003, a web page or other XML, from the first bytes of a text file (any BOM)."""
    text = _as_ascii(head).lstrip().lower()
    if XML2003_NAMESPACE in _as_ascii(head) or b"progid=\"excel.sheet\"" in text:
        return XML2003
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<head", b"<meta")) or b"<html" in text[:1024]:
        return HTML
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        return "an XML file that is not a spreadsheet", "berkas XML yang bukan spreadsheet"
    return None


def _as_ascii(head: bytes) -> bytes:
    """The first bytes with any BOM removed and UTF-16 narrowed, enough to look for ASCII markers."""
    encoding = text_encoding(head)
    if encoding and encoding.startswith("utf-16"):
        return head.decode(encoding, "replace").encode("ascii", "replace")
    return head.removeprefix(b"\xef\xbb\xbf")


def _zip_kind(path: Path) -> tuple[str, str]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100].decode("ascii", "replace") if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError, KeyError):
        return "a damaged zip archive", "arsip zip yang rusak"
    if "xl/workbook.xml" in names:
        return "an Excel workbook (.xlsx)", "workbook Excel (.xlsx)"
    if mimetype.endswith("spreadsheet"):
        return "an OpenDocument spreadsheet (.ods)", "spreadsheet OpenDocument (.ods)"
    if mimetype.endswith("text"):
        return "an OpenDocument text document (.odt)", "dokumen teks OpenDocument (.odt)"
    for part, english, indonesian in ZIP_PARTS:
        if part in names:
            return english, indonesian
    return "a zip archive that is not a workbook", "arsip zip yang bukan workbook"


def looks_like_text(head: bytes) -> bool:
    """The first bytes read as text: no NUL, and UTF-8 (a character cut at the end allowed) or a legacy
    code page without control characters other than tab and line ends."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return True
    return not any(b < 32 and b not in (9, 10, 13) for b in head)


def text_encoding(data: bytes) -> str | None:
    """The Python codec of a text export when its bytes say it: a byte-order mark (UTF-32, UTF-16 LE/BE,
    UTF-8), or UTF-16 without one (NUL bytes at every other place, as text in the ASCII range gives);
    None otherwise (UTF-8 without BOM or a legacy code page: decided by decoding)."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    sample = data[:4096]
    sample = sample[:len(sample) & ~1]
    pairs = len(sample) // 2
    if pairs >= 2:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd >= 0.7 * pairs and even == 0:
            return "utf-16-le"
        if even >= 0.7 * pairs and odd == 0:
            return "utf-16-be"
    return None

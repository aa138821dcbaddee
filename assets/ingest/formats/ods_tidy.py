"""An .ods whose content.xml is indented (Gnumeric's `ssconvert`) rewritten so calamine can read it.

Gnumeric writes OpenDocument spreadsheets pretty-printed, with white space between the table elements:

    <table:table-row table:style-name="ro-0">
      <table:table-cell office:value-type="float" office:value="410">
        <text:p>410</text:p>
      </table:table-cell>

White space there is not content (OpenDocument 1.2 part 1, 19.8 and 5.1.1: only text in paragraphs is), but
python-calamine (0.9.1) stops at it: "Expecting 'table-cell', found 'Text'". `tidied_copy` streams
content.xml through a real XML parser (defusedxml's expat reader: no DTD, no entities, no external
references) and writes it again without the white-space-only text that lies outside text content (every
element of the text namespace, `text:p`, `text:span`, ..., keeps its characters as they are); the other
parts of the package are copied unchanged. Calamine then reads the copy as it reads any .ods: sheets,
hidden sheets, typed values and formula results as saved.

The file must have passed assets/ingest/formats/guard.py first (its zip directory, sizes and prologues are
checked there); the copy is written to a temporary folder removed when the context ends.
"""
from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.sax.handler import ContentHandler, feature_namespaces
from xml.sax.saxutils import XMLGenerator

from defusedxml.expatreader import DefusedExpatParser

CONTENT = "content.xml"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


@contextmanager
def tidied_copy(path: Path) -> Iterator[Path]:
    """A copy of the .ods at `path` whose content.xml holds no white space between table elements; yields
    its path (removed on exit). Raises defusedxml's DTDForbidden / EntitiesForbidden /
    ExternalReferenceForbidden, xml.sax.SAXParseException for malformed XML, KeyError without content.xml."""
    with tempfile.TemporaryDirectory(prefix="jembatan-ods-") as folder:
        copy = Path(folder) / "tidied.ods"
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as target:
            source.getinfo(CONTENT)
            for entry in source.infolist():      # mimetype first and stored, as the package format asks
                compression = zipfile.ZIP_STORED if entry.filename == "mimetype" else zipfile.ZIP_DEFLATED
                with source.open(entry) as f, target.open(_entry(entry.filename, compression), "w") as out:
                    if entry.filename == CONTENT:
                        without_layout_space(f, out)
                    else:
                        shutil.copyfileobj(f, out)
        yield copy


def _entry(name: str, compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = compression
    return info


def without_layout_space(source, out) -> None:
    """Stream the XML document `source` (a binary file) to `out` (binary), UTF-8, dropping every run of
    white-space-only characters that is not inside an element of the OpenDocument text namespace."""
    writer = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
    parser = DefusedExpatParser(forbid_dtd=True)
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(_Tidy(writer))
    parser.parse(source)


class _Tidy(ContentHandler):
    """Passes every event to `writer`; characters are buffered up to the next tag and dropped when they are
    white space alone outside text content."""

    def __init__(self, writer: XMLGenerator):
        super().__init__()
        self.writer, self.pending, self.in_text = writer, [], 0

    def _flush(self) -> None:
        if self.pending:
            text = "".join(self.pending)
            self.pending = []
            if self.in_text or text.strip():
                self.writer.characters(text)

    def startDocument(self):
        self.writer.startDocument()

    def endDocument(self):
        self.writer.endDocument()

    def startPrefixMapping(self, prefix, uri):
        self.writer.startPrefixMapping(prefix, uri)

    def endPrefixMapping(self, prefix):
        self.writer.endPrefixMapping(prefix)

    def startElementNS(self, name, qname, attrs):
        self._flush()
        self.in_text += name[0] == TEXT
        self.writer.startElementNS(name, qname, attrs)

    def endElementNS(self, name, qname):
        self._flush()
        self.in_text -= name[0] == TEXT
        self.writer.endElementNS(name, qname)

    def characters(self, content):
        self.pending.append(content)

    def ignorableWhitespace(self, whitespace):
        pass

    def processingInstruction(self, target, data):
        self._flush()
        self.writer.processingInstruction(target, data)

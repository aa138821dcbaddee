"""File formats named truly (issue 11, points 7 and 8): text exports in UTF-16 (Excel's "Unicode Text"),
XML Spreadsheet 2003, workbooks whose XML other producers wrote (namespace prefixes, strict namespace,
inline strings, shared formulas, rows and cells without references), and refusals that say what a file is.

Every fixture is written by hand here as the other producer writes it (strings and zipfile), never by
openpyxl, so the readers meet the bytes they will meet in agencies' files.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from assets.ingest.formats import sheetxml
from assets.ingest.formats.formula_values import compute_formulas
from assets.ingest.formats.ods_tidy import without_layout_space
from assets.ingest.formats.r1c1 import to_a1
from assets.ingest.formats.guard import RefusedFile, inspect_file
from assets.ingest.receive import receive_file
from assets.ingest.work_area import WorkArea
from assets.ingest.formats.workbook import SUPPORTED_SUFFIXES, read_file
from assets.privacy import load_key

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
TSV = ("Jumlah UMKM menurut Desa, Kecamatan Sungai Jaya, 2023\r\n"
       "Kecamatan\tDesa/Kelurahan\tTahun\tUsaha Mikro\tUsaha Kecil\tUsaha Menengah\tPenduduk\r\n"
       "Sungai Jaya\tAir Duren\t2023\t300\t20\t0\t3.100\r\n"
       "Sungai Jaya\tSidorejo\t2023\t301\t21\t1\t4.101\r\n"
       "Sungai Jaya\tTanjung Baru\t2023\t302\t22\t2\t5.102\r\n")
EXPECTED = [["Air Duren", "Sungai Jaya", 300, 20, 0, 3100], ["Sidorejo", "Sungai Jaya", 301, 21, 1, 4101],
            ["Tanjung Baru", "Sungai Jaya", 302, 22, 2, 5102]]


@pytest.fixture
def work(tmp_path):
    return WorkArea(tmp_path / "work")


def receive(path: Path, work: WorkArea, source: str = "bps"):
    return receive_file(path, source, work, path.parent / "archive", load_key())


def msme_rows(work: WorkArea) -> list[list]:
    rows = work.accepted("msme_village_count").sort_values("source_row")
    return rows[["village_name", "district_name", "msme_micro", "msme_small", "msme_medium",
                 "population"]].values.tolist()


# -- text exports ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, data", [
    ("unicode.txt", b"\xff\xfe" + TSV.encode("utf-16-le")),           # what Excel writes
    ("unicode_renamed.csv", b"\xff\xfe" + TSV.encode("utf-16-le")),
    ("big_endian.txt", b"\xfe\xff" + TSV.encode("utf-16-be")),
    ("no_bom.txt", TSV.encode("utf-16-le")),
    ("no_bom_be.csv", TSV.encode("utf-16-be")),
    ("utf8_bom.csv", b"\xef\xbb\xbf" + TSV.encode("utf-8")),
    ("named_as_workbook.xls", b"\xff\xfe" + TSV.encode("utf-16-le")),  # web apps name their exports .xls
])
def test_text_exports_in_every_unicode_form_are_read(tmp_path, work, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    assert inspect_file(path).kind == "csv"
    received = receive(path, work)
    assert (received.status, received.rows_read, received.rows_accepted) == ("accepted", 3, 3), received.notes
    assert msme_rows(work) == EXPECTED


def test_a_plain_csv_export_named_xls_is_read_and_said(tmp_path, work):
    path = tmp_path / "export_sipd.xls"
    path.write_bytes(TSV.encode("cp1252"))
    received = receive(path, work)
    assert received.rows_accepted == 3 and msme_rows(work) == EXPECTED
    assert any("named .xls but is plain text" in n for n in received.notes), received.notes


def test_damaged_utf16_is_refused_not_crashed(tmp_path, work):
    path = tmp_path / "rusak.txt"
    path.write_bytes(b"\xff\xfe" + TSV.encode("utf-16-le")[:-1])     # odd length: cut in a character
    received = receive(path, work)
    assert received.status == "rejected" and received.problems[0]["code"] == "unreadable_file"
    assert "damaged utf-16" in received.problems[0]["message"]


# -- refusals say what the file is -------------------------------------------------------------------

def _zip(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.parametrize("name, data, said, said_id", [
    ("laporan.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "This is a PDF document", "Berkas ini dokumen PDF"),
    ("laporan.csv", b"%PDF-1.4\n", "This is a PDF document", "Berkas ini dokumen PDF"),
    ("scan.xls", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "This is a JPEG image", "gambar JPEG"),
    ("foto.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(64), "This is a PNG image", "gambar PNG"),
    ("surat.xlsx", _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}),
     "This is a Word document (.docx)", "dokumen Word (.docx)"),
    ("data.xlsx", _zip({"readme.txt": "hello", "data/a.csv": "a,b"}),
     "This is a zip archive that is not a workbook", "arsip zip yang bukan workbook"),
    ("surat.xls", OLE2 + bytes(200) + "WordDocument".encode("utf-16-le") + b"\x00\x00" + bytes(100),
     "This is a Word 97-2003 document (.doc)", "dokumen Word 97-2003 (.doc)"),
    ("arsip.xlsx", b"Rar!\x1a\x07\x01\x00" + bytes(50), "This is a RAR archive", "arsip RAR"),
    ("data.csv", _zip({"xl/workbook.xml": "<workbook/>"}), "This is an Excel workbook (.xlsx)",
     "workbook Excel (.xlsx)"),
])
def test_a_refusal_names_what_the_file_really_is(tmp_path, name, data, said, said_id):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(RefusedFile) as refused:
        inspect_file(path)
    assert refused.value.code == "not_spreadsheet"
    assert refused.value.message.startswith(said), refused.value.message
    assert said_id in refused.value.message_id, refused.value.message_id


# -- XML Spreadsheet 2003 ----------------------------------------------------------------------------

XML2003 = """<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:html="http://www.w3.org/TR/REC-html40">
 <DocumentProperties xmlns="urn:schemas-microsoft-com:office:office"><Author>SIPD</Author></DocumentProperties>
 <Worksheet ss:Name="UMKM 2023">
  <Table ss:ExpandedColumnCount="9" ss:ExpandedRowCount="{rows}" x:FullColumns="1" x:FullRows="1">
   <Column ss:Index="8" ss:Hidden="1" ss:Span="1"/>
   <Row><Cell><Data ss:Type="String">Jumlah UMKM Kecamatan Sungai Jaya 2023</Data></Cell></Row>
   <Row ss:Index="3">
    <Cell><Data ss:Type="String">Kecamatan</Data></Cell><Cell><Data ss:Type="String">Desa/Kelurahan</Data></Cell>
    <Cell><Data ss:Type="String">Tahun</Data></Cell><Cell><Data ss:Type="String">Mikro</Data></Cell>
    <Cell><Data ss:Type="String">Kecil</Data></Cell><Cell><Data ss:Type="String">Menengah</Data></Cell>
    <Cell><Data ss:Type="String">Jumlah Penduduk</Data></Cell><Cell><Data ss:Type="String">Catatan</Data></Cell>
    <Cell><Data ss:Type="String">Tanggal Pendataan</Data></Cell>
   </Row>
   <Row>
    <Cell ss:MergeDown="2"><Data ss:Type="String">Sungai Jaya</Data></Cell>
    <Cell><Data ss:Type="String">Air Duren</Data></Cell><Cell><Data ss:Type="Number">2023</Data></Cell>
    <Cell><Data ss:Type="Number">300</Data></Cell><Cell><Data ss:Type="Number">20</Data></Cell>
    <Cell><Data ss:Type="Number">0</Data></Cell><Cell><Data ss:Type="Number">3100</Data></Cell>
    <Cell ss:Formula="=VLOOKUP(B4,Ref!A:B,2,0)"><Data ss:Type="Error">#N/A</Data></Cell>
    <Cell><Data ss:Type="DateTime">2023-08-17T00:00:00.000</Data></Cell>
   </Row>
   <Row ss:Hidden="1">
    <Cell ss:Index="2"><Data ss:Type="String"><B>Sidorejo</B></Data></Cell>
    <Cell><Data ss:Type="Number">2023</Data></Cell>
    <Cell><Data ss:Type="Number">301</Data></Cell><Cell><Data ss:Type="Number">21</Data></Cell>
    <Cell><Data ss:Type="Number">1</Data></Cell><Cell><Data ss:Type="Number">4101</Data></Cell>
    <Cell ss:Index="9"><Data ss:Type="DateTime">2023-08-18T09:30:00.000</Data></Cell>
   </Row>
   <Row>
    <Cell ss:Index="2"><Data ss:Type="String">Tanjung Baru</Data></Cell>
    <Cell><Data ss:Type="Number">2023</Data></Cell>
    <Cell><Data ss:Type="Number">302</Data></Cell><Cell><Data ss:Type="Number">22</Data></Cell>
    <Cell><Data ss:Type="Number">2</Data></Cell><Cell><Data ss:Type="Number">5102</Data></Cell>
    <Cell ss:Formula="=1/0"/><Cell><Data ss:Type="Boolean">1</Data></Cell>
   </Row>
   {extra}
  </Table>
 </Worksheet>
 <Worksheet ss:Name="Ref">
  <Table><Row><Cell><Data ss:Type="String">lookup</Data></Cell></Row></Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions>
 </Worksheet>
</Workbook>
"""


def xml2003(path: Path, extra: str = "", rows: int = 6) -> Path:
    path.write_text(XML2003.replace("{extra}", extra).replace("{rows}", str(rows)), encoding="utf-8")
    return path


def test_xml_spreadsheet_2003_is_an_accepted_suffix():
    assert ".xml" in SUPPORTED_SUFFIXES


@pytest.mark.parametrize("name", ["umkm_2023.xml", "umkm_2023.xls"])
def test_xml_spreadsheet_2003_is_read(tmp_path, work, name):
    path = xml2003(tmp_path / name)
    inspection = inspect_file(path)
    assert inspection.kind == "xml2003"
    assert inspection.hidden_rows == {"UMKM 2023": [5]} and inspection.hidden_columns == {"UMKM 2023": ["H", "I"]}
    assert inspection.merged_cells == {"UMKM 2023": [(3, 0, 5, 0)]}          # A4:A6, 0-based
    assert inspection.formulas_without_value == {"UMKM 2023": ["H6"]}
    sheets = {sheet.name: sheet for sheet in read_file(path, inspection.kind)}
    data = sheets["UMKM 2023"]
    assert (data.hidden, sheets["Ref"].hidden) == (False, True)
    assert data.rows[0][0] == "Jumlah UMKM Kecamatan Sungai Jaya 2023" and data.rows[1] == [""] * 9
    assert data.rows[3] == ["Sungai Jaya", "Air Duren", 2023.0, 300.0, 20.0, 0.0, 3100.0, "#N/A",
                            dt.date(2023, 8, 17)]
    assert data.rows[4][:2] == ["", "Sidorejo"] and data.rows[4][8] == dt.datetime(2023, 8, 18, 9, 30)
    assert data.rows[5][7:] == ["=1/0", True]          # no saved result: reported at its cell, never empty

    received = receive(path, work)
    assert (received.status, received.rows_read, received.rows_accepted) in {("accepted", 3, 3),
                                                                             ("partially_accepted", 3, 3)}
    assert msme_rows(work) == EXPECTED                # the district merged down fills its three villages
    assert received.hidden["UMKM 2023"] == {"rows": [5], "columns": ["H", "I"]}
    assert received.hidden["Ref"] == {"sheet_hidden": True}
    # The formula saved without a result (=1/0 in H6) is computed: Excel's #DIV/0!, flagged at its cell.
    assert any("1 formula result(s) saved without a result were computed from the sheet's cells (H6)" in n
               for n in received.notes), received.notes
    assert any("XML Spreadsheet 2003" in n for n in received.notes)


def test_xml_spreadsheet_2003_beyond_the_grid_budget_is_refused(tmp_path):
    path = xml2003(tmp_path / "stray.xls", extra='<Row ss:Index="1000000"><Cell ss:Index="100">'
                                                  '<Data ss:Type="String">x</Data></Cell></Row>', rows=1000000)
    with pytest.raises(RefusedFile) as refused:
        inspect_file(path)
    assert refused.value.code == "sheet_too_large"
    assert "Sheet 'UMKM 2023' spans 1,000,000 rows x 100 columns" in refused.value.message
    assert "farthest cell is CV1000000" in refused.value.message


def test_xml_spreadsheet_2003_with_entities_is_refused(tmp_path):
    path = tmp_path / "bom.xml"
    path.write_text(XML2003.replace('<?mso-application progid="Excel.Sheet"?>',
                                    '<!DOCTYPE Workbook [<!ENTITY a "aaaaaaaaaa">]><?mso-application '
                                    'progid="Excel.Sheet"?>').replace("{extra}", "&a;").replace("{rows}", "6"))
    with pytest.raises(RefusedFile) as refused:
        inspect_file(path)
    assert refused.value.code == "xml_entities"
    assert refused.value.message.startswith("This XML Spreadsheet 2003 file declares XML entities")


# -- other producers' .xlsx ---------------------------------------------------------------------------

def sheet(prefix: str = "x", namespace: str = MAIN, refs: bool = True, stray: str = "") -> str:
    """A BPS table as the .NET Open XML SDK writes it: every element prefixed, inline strings, no shared
    strings, a shared formula whose cells have no saved value, district merged down, row 5 hidden."""
    p = f"{prefix}:" if prefix else ""
    declare = f'xmlns:{prefix}="{namespace}"' if prefix else f'xmlns="{namespace}"'

    def row(number: int, cells: list, extra: str = "") -> str:
        out = []
        for col, value in enumerate(cells):
            ref = f' r="{"ABCDEFGH"[col]}{number}"' if refs else ""
            if value is None:
                continue
            if isinstance(value, str) and value.startswith("="):
                formula = (f'<{p}f t="shared" ref="H4:H6" si="0">{value[1:]}</{p}f>' if number == 4
                           else f'<{p}f t="shared" si="0"/>')
                out.append(f"<{p}c{ref}>{formula}</{p}c>")
            elif isinstance(value, str):
                out.append(f'<{p}c{ref} t="inlineStr"><{p}is><{p}t>{value}</{p}t></{p}is></{p}c>')
            else:
                out.append(f'<{p}c{ref} t="n"><{p}v>{value}</{p}v></{p}c>')
        number_ref = f' r="{number}"' if refs else ""
        return f'<{p}row{number_ref}{extra}>{"".join(out)}</{p}row>'

    header = ["Kecamatan", "Desa/Kelurahan", "Tahun", "Mikro", "Kecil", "Menengah", "Penduduk", "Jumlah"]
    body = [["Sungai Jaya", "Air Duren", 2023, 300, 20, 0, 3100, "=D4+E4+F4"],
            ["", "Sidorejo", 2023, 301, 21, 1, 4101, "=D5+E5+F5"],
            ["", "Tanjung Baru", 2023, 302, 22, 2, 5102, "=D6+E6+F6"]]
    row_ref, cell_ref = (' r="1"', ' r="A1"') if refs else ("", "")
    title = f'<{p}row{row_ref}><{p}c{cell_ref} t="inlineStr"><{p}is>' \
            f'<{p}t>UMKM Kecamatan Sungai Jaya</{p}t></{p}is></{p}c></{p}row>'
    blank = "" if refs else f"<{p}row/>"            # row 2: present only when rows are counted
    rows = [title, blank, row(3, header), row(4, body[0]), row(5, body[1], ' hidden="1"'), row(6, body[2])]
    return (f'<?xml version="1.0" encoding="utf-8"?><{p}worksheet {declare}>'
            f'<{p}cols><{p}col min="9" max="10" width="0" hidden="1" customWidth="1"/></{p}cols>'
            f'<{p}sheetData>{"".join(rows)}{stray}</{p}sheetData>'
            f'<{p}mergeCells count="1"><{p}mergeCell ref="A4:A6"/></{p}mergeCells></{p}worksheet>')


def other_xlsx(path: Path, sheet_xml: str, prefix: str = "x", namespace: str = MAIN) -> Path:
    p = f"{prefix}:" if prefix else ""
    declare = f'xmlns:{prefix}="{namespace}"' if prefix else f'xmlns="{namespace}"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    path.write_bytes(_zip({
        "[Content_Types].xml": '<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.'
        'org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
        '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+'
        'xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="utf-8"?><Relationships xmlns="http://schemas.openxmlformats.'
        'org/package/2006/relationships"><Relationship Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="/xl/workbook.xml" Id="R1"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="utf-8"?><{p}workbook {declare} xmlns:r="{rel}">'
        f'<{p}sheets><{p}sheet name="UMKM" sheetId="1" r:id="R2"/></{p}sheets></{p}workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="utf-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet1.xml" Id="R2"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet_xml,
    }))
    return path


PRODUCERS = {
    "excel_unprefixed": dict(prefix=""),
    "dotnet_prefixed": dict(prefix="x"),
    "other_prefix": dict(prefix="ss"),
    "without_references": dict(prefix="x", refs=False),
}


@pytest.mark.parametrize("producer", PRODUCERS)
def test_other_producers_xlsx_get_the_same_checks_and_rows(tmp_path, work, producer):
    options = PRODUCERS[producer]
    path = other_xlsx(tmp_path / f"{producer}.xlsx", sheet(**options), prefix=options["prefix"])
    inspection = inspect_file(path)
    assert inspection.hidden_rows == {"UMKM": [5]}
    assert inspection.hidden_columns == {"UMKM": ["I", "J"]}
    assert inspection.merged_cells == {"UMKM": [(3, 0, 5, 0)]}
    assert inspection.formulas_without_value == {"UMKM": ["H4", "H5", "H6"]}
    received = receive(path, work)
    assert received.rows_accepted == 3, received.notes
    assert msme_rows(work) == EXPECTED                # the merged district fills its block
    assert received.hidden["UMKM"] == {"rows": [5], "columns": ["I", "J"]}
    # The shared formula's first cell is computed, and so are the cells sharing it (no text: the first
    # cell's D4+E4+F4 moved to their row).
    assert any("3 formula result(s) saved without a result were computed from the sheet's cells (H4, H5, H6)"
               in n for n in received.notes), received.notes
    assert not any("could not be computed" in n for n in received.notes), received.notes


@pytest.mark.parametrize("producer", PRODUCERS)
def test_a_stray_cell_is_refused_whoever_wrote_the_xml(tmp_path, producer):
    options = PRODUCERS[producer]
    p = f"{options['prefix']}:" if options["prefix"] else ""
    if options.get("refs", True):
        stray = f'<{p}row r="1000000"><{p}c r="CV1000000" t="inlineStr"><{p}is><{p}t>x</{p}t></{p}is></{p}c></{p}row>'
    else:     # a row whose 100th cell is the stray one, its column counted by position
        stray = f'<{p}row r="1000000">' + f"<{p}c/>" * 99 + \
            f'<{p}c t="inlineStr"><{p}is><{p}t>x</{p}t></{p}is></{p}c></{p}row>'
    path = other_xlsx(tmp_path / "stray.xlsx", sheet(**options, stray=stray), prefix=options["prefix"])
    with pytest.raises(RefusedFile) as refused:
        inspect_file(path)
    assert refused.value.code == "sheet_too_large"
    assert "Sheet 'UMKM' spans 1,000,000 rows x 100 columns" in refused.value.message
    assert "farthest cell is CV1000000" in refused.value.message


def test_cells_without_references_are_counted_against_excel_limits(tmp_path):
    stray = "<x:row>" + "<x:c/>" * 16_384 + '<x:c t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c></x:row>'
    path = other_xlsx(tmp_path / "lebar.xlsx", sheet(refs=False, stray=stray))
    with pytest.raises(RefusedFile) as refused:
        inspect_file(path)
    assert refused.value.code == "beyond_excel_limits"
    assert "uses 7 rows x 16,385 columns" in refused.value.message and "XFE7" in refused.value.message


def _scan(path: Path, fast: bool) -> sheetxml.SheetScan:
    with zipfile.ZipFile(path) as archive:
        return sheetxml.scan_sheet(archive, "xl/worksheets/sheet1.xml", fast=fast)


@pytest.mark.parametrize("variant, fast_way", [
    ("excel", True), ("prefixed", True), ("strict", True), ("no_refs", False),
    ("comment_with_tags", False), ("cdata", False), ("other_namespace", False), ("attribute_first", False),
    ("main_namespace_again", False), ("single_quotes", False), ("gt_in_value", False),
])
def test_the_fast_scan_is_used_only_where_it_is_exact(tmp_path, variant, fast_way):
    """Both ways give the same answers; the fast one is kept only where tag text means what the XML says.
    Cells in another namespace count for the extent (calamine reads any element named c in a row), but
    are no hidden row, merged area or formula of the sheet."""
    stray = '<x:row r="1000000"><x:c r="CV1000000"><x:v>1</x:v></x:c></x:row>'
    xml = {
        "excel": sheet(prefix=""),
        "prefixed": sheet(),
        "strict": sheet(namespace=STRICT),
        "no_refs": sheet(refs=False),
        # a comment and CDATA may hold tag-like text that is not XML: a stray cell there is no cell
        "comment_with_tags": sheet().replace("</x:sheetData>", f"<!-- {stray} --></x:sheetData>"),
        "cdata": sheet().replace("<x:t>Sidorejo</x:t>", f"<x:t><![CDATA[{stray}]]>Sidorejo</x:t>"),
        # the prefix bound to another namespace below the root: not the sheet's rows, but within the extent
        "other_namespace": sheet().replace("</x:sheetData>", f'</x:sheetData><x:extLst xmlns:x="urn:other">'
                                           + stray.replace('r="1000000">', 'r="1000000" hidden="1">') + "</x:extLst>"),
        # another prefix bound to the main namespace below the root: its hidden row is the sheet's
        "main_namespace_again": sheet().replace("</x:sheetData>", f'<y:row xmlns:y="{MAIN}" r="7" hidden="1">'
                                                '<y:c r="A7"><y:v>1</y:v></y:c></y:row></x:sheetData>'),
        "attribute_first": sheet().replace('<x:c r="B5" t="inlineStr">', '<x:c t="inlineStr" r="B5">'),
        # forms a tag search would misread: hidden='1', and a '>' inside an attribute value before it
        "single_quotes": sheet().replace(' hidden="1"', " hidden='1'"),
        "gt_in_value": sheet().replace('<x:row r="5" hidden="1">', '<x:row r="5" spans="1>8" hidden="1">'),
    }[variant]
    path = other_xlsx(tmp_path / f"{variant}.xlsx", xml)
    fast, slow = _scan(path, fast=True), _scan(path, fast=False)
    assert fast.fast is fast_way and slow.fast is False
    for name in ("hidden_rows", "hidden_columns", "formulas_without_value", "merged", "formulas"):
        assert getattr(fast, name) == getattr(slow, name), name
    assert slow.formulas is True
    assert slow.hidden_rows == ([5, 7] if variant == "main_namespace_again" else [5])
    assert slow.merged == [(3, 0, 5, 0)] and slow.formulas_without_value == ["H4", "H5", "H6"]
    if variant == "other_namespace":
        assert (fast.max_row, fast.max_col) == (slow.max_row, slow.max_col) == (1_000_000, 100)
        with pytest.raises(RefusedFile):
            inspect_file(path)
    else:
        assert (slow.max_row, slow.max_col) == (7 if variant == "main_namespace_again" else 6, 8)
        inspect_file(path)        # the stray text in a comment or CDATA is no cell: the guard lets it through


def test_head_types_are_read_as_xml_whatever_the_prefix(tmp_path):
    from assets.ingest.formats.workbook import _head_types
    for prefix, refs in (("", True), ("x", True), ("x", False)):
        path = other_xlsx(tmp_path / f"head_{prefix}_{refs}.xlsx", sheet(prefix=prefix, refs=refs), prefix=prefix)
        types = _head_types(path, "xl/worksheets/sheet1.xml", 1)
        assert types[(0, 0)] == "inlineStr" and types[(3, 2)] == "n" and types[(3, 7)] == "n", (prefix, refs)
        assert (1, 0) not in types and len([k for k in types if k[0] == 3]) == 8


def test_fast_read_of_prefixed_xml_gives_the_same_rows(tmp_path, work, monkeypatch):
    """The Arrow reader (large sheets) on a prefixed workbook: the head's cell types still come from its XML."""
    from assets.ingest.formats import workbook
    monkeypatch.setattr(workbook, "FAST_READ_BYTES", 0)
    path = other_xlsx(tmp_path / "besar.xlsx", sheet())
    received = receive(path, work)
    assert received.rows_accepted == 3 and msme_rows(work) == EXPECTED
    assert pd.read_parquet(work.rejections_path(received.sha256)).empty


def test_a_dtd_pushed_past_the_prologue_is_still_refused(tmp_path):
    """The prologue check reads 4 KB; a comment can push a DOCTYPE beyond it, the XML parser still sees it."""
    xml = sheet().replace('<?xml version="1.0" encoding="utf-8"?>',
                          '<?xml version="1.0" encoding="utf-8"?><!--' + "x" * 5000 + '-->'
                          '<!DOCTYPE x:worksheet [<!ENTITY big "' + "y" * 100 + '">]>')
    with pytest.raises(RefusedFile) as refused:
        inspect_file(other_xlsx(tmp_path / "dtd.xlsx", xml))
    assert refused.value.code == "xml_entities"
    from defusedxml import DTDForbidden
    with zipfile.ZipFile(tmp_path / "dtd.xlsx") as archive, pytest.raises(DTDForbidden):
        sheetxml._xml_scan(archive, "xl/worksheets/sheet1.xml", 10)


# -- formulas written another way: R1C1 (XML Spreadsheet 2003), shared (.xlsx) -------------------------------

PRODUCER_FILES = Path(__file__).resolve().parent / "producers" / "files"
POPULATION = [3545.0, 2222.0, 4000.0, 4999.0, 3001.0, 12002.0]         # I4:I9 of the MSME table, male + female


@pytest.mark.parametrize("formula, a1", [
    ("=RC[-2]+RC[-1]", "=G10+H10"),                      # relative: columns to the left, same row
    ("=SUM(R[-6]C:R[-1]C)", "=SUM(I4:I9)"),               # the six rows above
    ("=R2C3", "=$C$2"), ("=R[1]C3", "=$C11"), ("=RC1", "=$A10"),
    ("=ROUND(RC[-1]/R1C1,2)", "=ROUND(H10/$A$1,2)"),      # ROUND( is a function, never a reference
    ("=COUNT(C2)", "=COUNT($B:$B)"), ("=SUM(R2:R5)", "=SUM($2:$5)"), ("=SUM(R)", "=SUM(10:10)"),
    ('="RC"&RC[1]', '="RC"&J10'),                       # text in quotes is kept
    ("='R1C1'!RC[1]*2", "='R1C1'!J10*2"), ("=Data!R[-1]C", "=Data!I9"),
    ('=IF(RC[-1]>0,R[-1]C,"")', '=IF(H10>0,I9,"")'),
    ("=RC2D+R_x", "=RC2D+R_x"),                         # names, not references
])
def test_r1c1_references_are_rewritten_for_their_cell(formula, a1):
    assert to_a1(formula, 10, 9) == a1


@pytest.mark.parametrize("formula, said", [("=R[-10]C", "row 0"), ("=RC[-10]", "column -1"),
                                           ("=R1048577C1", "row 1048577"), ('="abc', "unterminated quote")])
def test_r1c1_references_off_the_sheet_are_not_guessed(formula, said):
    with pytest.raises(ValueError, match=said):
        to_a1(formula, 10, 9)


def computed(path: Path):
    """The guard's inspection, the sheets read and the notes of computing their formulas, as a sync does."""
    inspection = inspect_file(path)
    unsaved = {name: list(cells) for name, cells in inspection.formulas_without_value.items()}
    sheets = read_file(path, inspection.kind)
    notes = compute_formulas(path, inspection, sheets)
    return unsaved, {sheet.name: sheet for sheet in sheets}, notes, inspection


def test_sheetjs_xml2003_r1c1_formulas_are_computed():
    """SheetJS writes XML Spreadsheet 2003 formulas in R1C1 with no result (the committed producer file)."""
    path = PRODUCER_FILES / "sheetjs" / "umkm.xml"
    assert 'ss:Formula="=RC[-2]+RC[-1]"' in path.read_text(encoding="utf-8")
    unsaved, sheets, notes, inspection = computed(path)
    assert unsaved["UMKM 2023"][:6] == ["I4", "I5", "I6", "I7", "I8", "I9"]
    rows = sheets["UMKM 2023"].rows
    assert [row[8] for row in rows[3:9]] == POPULATION
    assert [row[3] for row in rows[9:10]] == [2367.0]                    # =SUM(R[-6]C:R[-1]C) in D10
    assert rows[9][8] == sum(POPULATION)                                 # =SUM over the computed cells
    assert inspection.formulas_without_value == {}                       # all computed, none left to flag
    assert "were computed from the sheet's cells (I4, I5, I6, I7, I8, I9" in notes[0][0]
    assert notes[0][1].startswith("lembar 'UMKM 2023': ")                # the clerk's language, same sheet
    assert "hasil rumus yang disimpan tanpa hasil dihitung dari sel lembarnya (I4, I5, I6, I7, I8, I9" in notes[0][1]


def test_shared_formulas_of_a_real_producer_are_computed():
    """ExcelJS writes a filled-down column as one shared formula: I4 carries G4+H4, I5:I9 only
    `<f t="shared" si="0"/>` (the committed producer file, tests/producers/build.py exceljs_shared)."""
    path = PRODUCER_FILES / "exceljs_shared" / "umkm.xlsx"
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="I4" s="1"><f t="shared" ref="I4:I9" si="0">G4+H4</f></c>' in xml
    assert '<c r="I7" s="1"><f t="shared" si="0"/></c>' in xml
    unsaved, sheets, notes, inspection = computed(path)
    assert unsaved["UMKM 2023"][:6] == ["I4", "I5", "I6", "I7", "I8", "I9"]
    rows = sheets["UMKM 2023"].rows
    assert [row[8] for row in rows[3:9]] == POPULATION
    assert rows[9][8] == sum(POPULATION)
    assert inspection.formulas_without_value == {}
    assert not any("could not be computed" in english for english, _ in notes)


def test_a_shared_formula_without_its_first_cell_is_flagged_not_guessed(tmp_path, work):
    """Cells sharing a formula whose first cell is not in the sheet are given back empty and flagged."""
    xml = sheet(prefix="").replace('<f t="shared" ref="H4:H6" si="0">D4+E4+F4</f>', '<f t="shared" si="0"/>')
    path = other_xlsx(tmp_path / "orphans.xlsx", xml, prefix="")
    received = receive(path, work)
    assert msme_rows(work) == EXPECTED
    assert any("3 formula(s) saved without a result could not be computed" in n and "first cell" in n
               for n in received.notes), received.notes


# -- OpenDocument as Gnumeric writes it (indented) ----------------------------------------------------------

def test_gnumeric_ods_reads_as_libreoffice_ods():
    """Gnumeric indents content.xml (white space between table cells, which calamine stops at); read from a
    tidied copy it gives the same sheets, cells and hidden sheet as LibreOffice's .ods of the same table."""
    for table in ("umkm", "lp"):
        gnumeric, libreoffice = (PRODUCER_FILES / producer / f"{table}.ods" for producer in ("gnumeric", "libreoffice"))
        with zipfile.ZipFile(gnumeric) as archive:
            assert b"</table:table-cell>\n" in archive.read("content.xml")
        ours, theirs = (read_file(p, inspect_file(p).kind) for p in (gnumeric, libreoffice))
        assert [(s.name, s.hidden, s.rows) for s in ours] == [(s.name, s.hidden, s.rows) for s in theirs]
    rows = read_file(PRODUCER_FILES / "gnumeric" / "umkm.ods", "ods")[0].rows
    assert rows[3] == [1.0, "Pasir Nangka", "Simpang Hitam", 410.0, 31.0, 2.0, 1790.0, 1755.0, 3545.0]


def test_tidying_ods_keeps_the_text_of_paragraphs():
    """Only white space between table elements goes; a paragraph's own spaces and its spans stay."""
    source = ('<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
              'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
              'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
              'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">\n  <table:table table:name="A &amp; B">\n'
              '    <table:table-row>\n      <table:table-cell office:value-type="string">\n'
              '        <text:p> Air  <text:span>Duren</text:span> <text:s/></text:p>\n      </table:table-cell>\n'
              '    </table:table-row>\n  </table:table>\n</office:document-content>\n')
    out = io.BytesIO()
    without_layout_space(io.BytesIO(source.encode()), out)
    text = out.getvalue().decode()
    assert ('<table:table table:name="A &amp; B"><table:table-row><table:table-cell office:value-type="string">'
            '<text:p> Air  <text:span>Duren</text:span> <text:s/></text:p></table:table-cell></table:table-row>'
            '</table:table>') in text


def test_an_ods_gives_its_merged_cells_as_an_xlsx_does():
    """calamine gives no merged areas for an .ods; the guard reads them from content.xml (spanned cells), so a
    district merged down over its villages is read on every row whoever wrote the file."""
    from assets.ingest.formats.guard import inspect_file
    files = Path(__file__).parent / "producers" / "files"
    merged = {name: inspect_file(files / name).merged_cells
              for name in ("libreoffice/umkm.ods", "gnumeric/umkm.ods", "openpyxl/umkm.xlsx")}
    assert merged == {name: {"UMKM 2023": [(3, 1, 5, 1), (6, 1, 8, 1)]} for name in merged}   # B4:B6, B7:B9


def test_only_sheets_holding_formulas_are_parsed_again_for_them(tmp_path, monkeypatch):
    """openpyxl (and pandas through it) asks for recalculation in every workbook it writes: the formula
    cells are looked for only on the sheets where the guard's scan saw a formula, and computed there."""
    import openpyxl
    from assets.ingest.formats import formula_values
    path = tmp_path / "dua_sheet.xlsx"
    workbook = openpyxl.Workbook()
    data = workbook.active
    data.title = "Data"
    data.append(["Desa", "Mikro", "Kecil"])
    data.append(["Sidorejo", 12, 3])
    sums = workbook.create_sheet("Jumlah")
    sums.append(["Desa", "UMK"])
    sums.append(["Sidorejo", "=Data!B2+Data!C2"])
    workbook.save(path)
    with zipfile.ZipFile(path) as archive:
        assert formula_values.recalculation_asked(archive)        # openpyxl's fullCalcOnLoad
    inspection = inspect_file(path)
    assert inspection.sheets_with_formulas == {"Jumlah"}
    parsed = []
    real = formula_values._formula_cells
    monkeypatch.setattr(formula_values, "_formula_cells",
                        lambda archive, part, everything: parsed.append(part) or real(archive, part, everything))
    sheets = read_file(path, inspection.kind)
    notes = compute_formulas(path, inspection, sheets)
    assert parsed == ["xl/worksheets/sheet2.xml"]
    jumlah = next(sheet for sheet in sheets if sheet.name == "Jumlah")
    assert jumlah.rows[1][0] == "Sidorejo" and float(jumlah.rows[1][1]) == 15.0
    assert notes and "B2" in notes[0][0]

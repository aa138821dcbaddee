"""Files agencies send, good and hostile, made by the tests that need them (never shipped)."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl

CRIME_HEADER = ["No", "Nomor LP", "Tgl Lapor", "Jenis Kejahatan", "Desa/Kel TKP", "Kecamatan", "Polsek"]


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def crime_rows(n: int, start: int = 1, village: str = "Air Duren") -> list[list]:
    """Reports whose numbers name the month they were made in, as a police register's do."""
    days = {i: dt.date(2023, 1, 1) + dt.timedelta(days=i % 300) for i in range(start, start + n)}
    return [[i, f"LP/B/{i}/{ROMAN[day.month - 1]}/2023/SPKT/POLRES BANGKA", day,
             "Curat", village, "Sungai Jaya", "Polsek Sungai Jaya"] for i, day in days.items()]


def crime_xlsx(path: Path, rows: list[list] | None = None, title: str = "Laporan Polisi 2023") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "LP"
    ws.append([title])
    ws.append(CRIME_HEADER)
    for row in rows if rows is not None else crime_rows(3):
        ws.append(row)
    wb.save(path)
    return path


def replace_part(path: Path, part: str, data: bytes, out: Path | None = None, extra: dict | None = None) -> Path:
    """A copy of a workbook with one zip part replaced (and extra parts added)."""
    out = out or path
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, data if item.filename == part else src.read(item.filename))
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    out.write_bytes(buffer.getvalue())
    return out


def sheet_xml(cells: str) -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            + cells.encode() + b"</sheetData></worksheet>")


def entity_bomb_xlsx(path: Path) -> Path:
    crime_xlsx(path)
    lol = "".join(f'<!ENTITY lol{i} "{"&lol%d;" % (i - 1) * 10}">' for i in range(1, 10))
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">' + lol + ']>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    return replace_part(path, "xl/worksheets/sheet1.xml", bomb.encode())


def ods(path: Path, rows: list[list[str]], sheet: str = "Data") -> Path:
    """A minimal OpenDocument spreadsheet, every cell text (as LibreOffice writes a text cell)."""
    def cell(value: str) -> str:
        value = str(value).replace("&", "&amp;").replace("<", "&lt;")
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
    body = "".join(f"<table:table-row>{''.join(cell(v) for v in row)}</table:table-row>" for row in rows)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="{sheet}">{body}</table:table>'
               '</office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def encrypted_office_file(path: Path) -> Path:
    """A workbook protected with a password, encrypted the way Excel does it (ECMA-376 agile
    encryption, by msoffcrypto-tool): an OLE2 compound file holding an EncryptedPackage stream."""
    import msoffcrypto.format.ooxml
    plain = crime_xlsx(path.with_name(f"{path.stem}_plain.xlsx"))
    with plain.open("rb") as source, path.open("wb") as target:
        msoffcrypto.format.ooxml.OOXMLFile(source).encrypt("rahasia", target)
    plain.unlink()
    return path


def legacy_xls(path: Path, rows: list[list], title: str = "Laporan Polisi 2023") -> Path:
    """A real Excel 97-2003 workbook (BIFF8, written by xlwt): title row, header, data; dates as dates."""
    import xlwt
    book = xlwt.Workbook()
    sheet = book.add_sheet("LP")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for r, row in enumerate([[title], CRIME_HEADER, *rows]):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write(r, c, value, date_style)
            else:
                sheet.write(r, c, value)
    book.save(str(path))
    return path


def excel_row_of(text: str) -> int:
    return int(re.sub(r"\D", "", text))

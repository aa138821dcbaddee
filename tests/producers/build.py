"""Rebuild the producer matrix: every logical table of tests/producers/tables.py written by every producer.

The files are committed (tests/producers/files/<producer>/<table>.<ext>), so CI never installs a producer;
run this only to change a table or add a producer. `make producer-files` installs what it needs and runs
it; on a fresh Debian machine (as root) that is:

    apt-get update
    apt-get install -y --no-install-recommends libreoffice-calc-nogui gnumeric nodejs npm
    .venv/bin/pip install -e '.[producers]'                  # XlsxWriter; openpyxl and pandas come with jembatan
    npm ci --prefix tests/producers                          # SheetJS (xlsx) and ExcelJS, pinned in package.json

Producers and what each writes (the real programs; nothing here imitates one):
  openpyxl     .xlsx   formulas with no saved result
  xlsxwriter   .xlsx   formulas saved with result 0, `fullCalcOnLoad`
  pandas       .xlsx .csv   values only (a data tool's export; the district written on every row)
  sheetjs      .xlsx .xml   (npm xlsx; .xml is XML Spreadsheet 2003), formulas with no saved result
  exceljs      .xlsx   formulas with no saved result
  exceljs_shared .xlsx  the same, each column's formula filled down as one shared formula (`<f t="shared"
               si="0"/>` on the cells below the first, with no text and no result), as Excel saves a fill
  libreoffice  .xlsx .ods .csv (id-ID: `;`, 1.234 thousands, as shown), each converted by headless soffice
               from the openpyxl file (which it recalculates on loading). Its XML Spreadsheet 2003 export
               (an XSLT filter) fails on these sheets in LibreOffice 7.4 ("infinite template recursion" over
               the 1,024 columns a sheet declares), so XML 2003 comes from SheetJS alone.
  gnumeric     .xlsx .ods .xls, each converted by ssconvert --recalc from the openpyxl file

Run: .venv/bin/python tests/producers/build.py [--only PRODUCER ...]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from tables import TABLES  # noqa: E402

FILES = HERE / "files"
# LibreOffice's CSV filter: separator ';' (59), quote '"' (34), UTF-8 (76), from line 1, no column
# formats, language id-ID (1057), quoted fields not forced to text, detect special numbers, cells saved
# as shown (so 1.204 and 05/01/2023, as an Indonesian Calc shows them: soffice runs with LC_ALL=id_ID, its
# number formats following that locale, which needs no glibc locale installed).
LIBREOFFICE_CSV = "csv:Text - txt - csv (StarCalc):59,34,76,1,,1057,false,true,true"


def cell_value(cell):
    """The value a writer that stores values (not formulas) puts in the cell."""
    if isinstance(cell, dict):
        return dt.date.fromisoformat(cell["date"]) if "date" in cell else cell["v"]
    return cell


def write_openpyxl(table: dict, out: Path) -> None:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = table["sheet"]
    ws["A1"] = table["title"]
    for j, text in enumerate(table["header"], 1):
        ws.cell(table["header_row"], j, text)
    for i, row in enumerate(table["rows"], table["header_row"] + 1):
        for j, cell in enumerate(row, 1):
            if cell is None:
                continue
            target = ws.cell(i, j)
            if isinstance(cell, dict) and "f" in cell:
                target.value = "=" + cell["f"]
            else:
                target.value = cell_value(cell)
            if fmt := table["formats"].get(target.column_letter):
                target.number_format = fmt
    for area in table["merges"]:
        ws.merge_cells(area)
    for r in table["hidden_rows"]:
        ws.row_dimensions[r].hidden = True
    if hidden := table["hidden_sheet"]:
        notes = wb.create_sheet(hidden["name"])
        for row in hidden["rows"]:
            notes.append(row)
        notes.sheet_state = "hidden"
    wb.save(out)


def write_xlsxwriter(table: dict, out: Path) -> None:
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(out))
    ws = wb.add_worksheet(table["sheet"])
    formats = {c: wb.add_format({"num_format": f}) for c, f in table["formats"].items()}
    ws.write(0, 0, table["title"])
    ws.write_row(table["header_row"] - 1, 0, table["header"])
    merged_first = {}
    for area in table["merges"]:
        first, last = area.split(":")
        merged_first[first] = last
    for i, row in enumerate(table["rows"], table["header_row"]):
        for j, cell in enumerate(row):
            if cell is None:
                continue
            letter = chr(65 + j)
            fmt = formats.get(letter)
            ref = f"{letter}{i + 1}"
            if ref in merged_first:
                ws.merge_range(f"{ref}:{merged_first[ref]}", cell_value(cell), fmt)
            elif isinstance(cell, dict) and "f" in cell:
                ws.write_formula(i, j, "=" + cell["f"], fmt)         # XlsxWriter saves 0 as its result
            elif isinstance(cell, dict):
                ws.write_datetime(i, j, dt.datetime.fromisoformat(cell["date"]), fmt)
            else:
                ws.write(i, j, cell, fmt)
    for r in table["hidden_rows"]:
        ws.set_row(r - 1, None, None, {"hidden": True})
    if hidden := table["hidden_sheet"]:
        notes = wb.add_worksheet(hidden["name"])
        for i, row in enumerate(hidden["rows"]):
            notes.write_row(i, 0, row)
        notes.hide()
    wb.close()


def pandas_frame(table: dict):
    """The table as a data tool holds it: values, the merged district on every row of its block."""
    import pandas as pd
    rows, district = [], None
    for row in table["rows"]:
        values = [cell_value(c) for c in row]
        j = table["header"].index("Kecamatan")
        if row[0] is not None:          # the subtotal row keeps its blanks
            district = values[j] if values[j] is not None else district
            values[j] = district
        rows.append(values)
    return pd.DataFrame(rows, columns=table["header"])


def write_pandas(table: dict, out_dir: Path) -> None:
    frame = pandas_frame(table)
    with_title = frame.copy()
    # An analyst's export: the title in A1, the table from the header row, no index.
    import pandas as pd
    with pd.ExcelWriter(out_dir / f"{table['name']}.xlsx", engine="openpyxl") as writer:
        with_title.to_excel(writer, sheet_name=table["sheet"], index=False, startrow=table["header_row"] - 1)
        writer.sheets[table["sheet"]].cell(1, 1, table["title"])
    frame.to_csv(out_dir / f"{table['name']}.csv", index=False)


def write_node(producer: str, table: dict, out_dir: Path, *options: str) -> None:
    modules = HERE / "node_modules"
    if not modules.is_dir():
        raise SystemExit(f"{modules} is missing: run `npm ci --prefix {HERE}`")
    subprocess.run(["node", str(HERE / f"write_{producer}.js"), str(out_dir), *options], input=json.dumps(table),
                   text=True, check=True, cwd=HERE)


def soffice_convert(source: Path, target: str, out_dir: Path, profile: Path) -> Path:
    """`soffice --convert-to target` of `source` into out_dir; returns the written file."""
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                    "--convert-to", target, "--outdir", str(out_dir), str(source)],
                   check=True, capture_output=True, timeout=300,
                   env={**os.environ, "LC_ALL": "id_ID.UTF-8", "LANG": "id_ID.UTF-8"})   # an Indonesian desktop
    return out_dir / f"{source.stem}.{target.split(':')[0]}"


def write_libreoffice(table: dict, out_dir: Path, source: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        profile, work = Path(tmp) / "profile", Path(tmp) / "out"
        for target, ext in (("xlsx:Calc MS Excel 2007 XML", "xlsx"), ("ods", "ods"),
                            (LIBREOFFICE_CSV, "csv")):
            written = soffice_convert(source, target, work, profile)
            shutil.move(written, out_dir / f"{table['name']}.{ext}")


def write_gnumeric(table: dict, out_dir: Path, source: Path) -> None:
    for export, ext in (("Gnumeric_Excel:xlsx2", "xlsx"), ("Gnumeric_OpenCalc:odf", "ods"),
                        ("Gnumeric_Excel:excel_biff8", "xls")):
        subprocess.run(["ssconvert", "--recalc", f"--export-type={export}", str(source),
                        str(out_dir / f"{table['name']}.{ext}")], check=True, capture_output=True, timeout=300)


PRODUCERS = ["openpyxl", "xlsxwriter", "pandas", "sheetjs", "exceljs", "exceljs_shared", "libreoffice", "gnumeric"]


def build(only: list[str]) -> None:
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    for producer in only:
        out_dir = FILES / producer
        shutil.rmtree(out_dir, ignore_errors=True)
        out_dir.mkdir(parents=True)
        for table in TABLES.values():
            source = FILES / "openpyxl" / f"{table['name']}.xlsx"
            if producer == "openpyxl":
                write_openpyxl(table, out_dir / f"{table['name']}.xlsx")
            elif producer == "xlsxwriter":
                write_xlsxwriter(table, out_dir / f"{table['name']}.xlsx")
            elif producer == "pandas":
                write_pandas(table, out_dir)
            elif producer in ("sheetjs", "exceljs"):
                write_node(producer, table, out_dir)
            elif producer == "exceljs_shared":
                write_node("exceljs", table, out_dir, "shared")
            elif producer == "libreoffice":
                write_libreoffice(table, out_dir, source)
            elif producer == "gnumeric":
                write_gnumeric(table, out_dir, source)
        print(producer, sorted(p.name for p in out_dir.iterdir()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", choices=PRODUCERS, default=PRODUCERS)
    args = parser.parse_args()
    order = [p for p in PRODUCERS if p in args.only]
    if any(p in order for p in ("libreoffice", "gnumeric")) and "openpyxl" not in order \
            and not (FILES / "openpyxl").is_dir():
        order.insert(0, "openpyxl")        # the converters start from the openpyxl file
    build(order)

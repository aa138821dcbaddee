// ExcelJS: the logical table read from stdin (JSON, tests/producers/tables.py) written as .xlsx into the
// folder given. Formulas are written without a result, as an application that builds reports with ExcelJS
// writes them. With a third argument "shared", a formula that repeats the one above it in its column moved
// down a row (I5 =G5+H5 under I4 =G4+H4) is written as ExcelJS's shared formula of the first one
// ({sharedFormula: "I4"}: `<f t="shared" si="0"/>` with no text, as Excel writes a filled-down column).
const fs = require("fs");
const path = require("path");
const ExcelJS = require("exceljs");

async function main() {
  const table = JSON.parse(fs.readFileSync(0, "utf8"));
  const wb = new ExcelJS.Workbook();
  wb.created = wb.modified = new Date(Date.UTC(2023, 11, 31));
  const shared = process.argv[3] === "shared";
  const down = (f) => f.replace(/([A-Z]+)([0-9]+)/g, (_, c, r) => `${c}${Number(r) + 1}`);
  const masters = {};                                       // column -> [master reference, last formula]
  const ws = wb.addWorksheet(table.sheet);
  ws.getCell("A1").value = table.title;
  ws.getRow(table.header_row).values = table.header;
  table.rows.forEach((row, i) => row.forEach((cell, j) => {
    if (cell === null) return;
    const target = ws.getRow(table.header_row + 1 + i).getCell(j + 1);
    if (typeof cell === "number" || typeof cell === "string") target.value = cell;
    else if (cell.date) {
      const [y, m, d] = cell.date.split("-").map(Number);
      target.value = new Date(Date.UTC(y, m - 1, d));       // ExcelJS counts dates in UTC
    } else if (shared && masters[j] && down(masters[j][1]) === cell.f) {
      target.value = { sharedFormula: masters[j][0] };      // no result saved, no text
      masters[j][1] = cell.f;
    } else {
      target.value = { formula: cell.f };                   // no result saved
      masters[j] = [target.address, cell.f];
    }
    const fmt = table.formats[String.fromCharCode(65 + j)];
    if (fmt) target.numFmt = fmt;
  }));
  table.merges.forEach((a) => ws.mergeCells(a));
  table.hidden_rows.forEach((r) => { ws.getRow(r).hidden = true; });
  if (table.hidden_sheet) {
    const notes = wb.addWorksheet(table.hidden_sheet.name, { state: "hidden" });
    table.hidden_sheet.rows.forEach((row) => notes.addRow(row));
  }
  await wb.xlsx.writeFile(path.join(process.argv[2], `${table.name}.xlsx`));
}
main().catch((e) => { console.error(e); process.exit(1); });

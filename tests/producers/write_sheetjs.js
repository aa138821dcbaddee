// SheetJS (npm xlsx): the logical table read from stdin (JSON, tests/producers/tables.py) written as .xlsx
// and as XML Spreadsheet 2003 (.xml) into the folder given. Formulas are written without a result, as a
// web application's export built with SheetJS writes them.
const fs = require("fs");
const path = require("path");
const XLSX = require("xlsx");

const table = JSON.parse(fs.readFileSync(0, "utf8"));
const outDir = process.argv[2];

function put(ws, ref, cell, fmt) {
  if (cell === null) return;
  let out;
  if (typeof cell === "number") out = { t: "n", v: cell };
  else if (typeof cell === "string") out = { t: "s", v: cell };
  else if (cell.date) {
    const [y, m, d] = cell.date.split("-").map(Number);
    out = { t: "d", v: new Date(y, m - 1, d) };
  } else out = { t: "n", f: cell.f };             // no v: SheetJS saves no result
  if (fmt) out.z = fmt;
  ws[ref] = out;
}

const ws = {};
put(ws, "A1", table.title);
table.header.forEach((h, j) => put(ws, XLSX.utils.encode_cell({ r: table.header_row - 1, c: j }), h));
table.rows.forEach((row, i) => row.forEach((cell, j) => {
  const ref = XLSX.utils.encode_cell({ r: table.header_row + i, c: j });
  put(ws, ref, cell, table.formats[XLSX.utils.encode_col(j)]);
}));
ws["!ref"] = XLSX.utils.encode_range({ s: { r: 0, c: 0 },
  e: { r: table.header_row + table.rows.length - 1, c: table.header.length - 1 } });
ws["!merges"] = table.merges.map((a) => XLSX.utils.decode_range(a));
ws["!rows"] = [];
table.hidden_rows.forEach((r) => { ws["!rows"][r - 1] = { hidden: true }; });

const wb = XLSX.utils.book_new();
XLSX.utils.book_append_sheet(wb, ws, table.sheet);
if (table.hidden_sheet) {
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(table.hidden_sheet.rows), table.hidden_sheet.name);
  wb.Workbook = { Sheets: [{ Hidden: 0 }, { Hidden: 1 }] };
}
XLSX.writeFile(wb, path.join(outDir, `${table.name}.xlsx`), { cellDates: true });
XLSX.writeFile(wb, path.join(outDir, `${table.name}.xml`), { bookType: "xlml", cellDates: true });

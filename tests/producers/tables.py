"""The logical tables of the producer matrix: what a clerk typed, before any program wrote it to a file.

Each table is a dict (JSON-safe, handed as-is to the node writers):
  sheet, title         the data sheet's name and its title in A1
  header_row           Excel row of the header (the title is in row 1)
  header               the header cells, from column A
  rows                 the data rows (Excel rows header_row+1 ...), each a list of cells from column A:
                         int / str                 a number or text
                         {"date": "2023-08-17"}    a date cell (shown with the column's format)
                         {"f": "G4+H4", "v": 3545} a formula and its result (writers that calculate, or
                                                   write values only, use v; the others write f alone)
                         None                      an empty cell (the rows a merged area covers)
  merges               merged areas, "B4:B6"
  hidden_rows          Excel rows hidden
  formats              column letter -> Excel number format ("#,##0", "dd/mm/yyyy")
  hidden_sheet         {"name", "rows"}: a hidden sheet of notes, after the data sheet

The village and district names are the bundled sample's (sample_data), Kabupaten Bangka.
"""
from __future__ import annotations

UMKM_VILLAGES = [
    # district, village, micro, small, medium, male, female
    ("Pasir Nangka", "Simpang Hitam", 410, 31, 2, 1790, 1755),
    ("Pasir Nangka", "Pulau Indah", 205, 17, 0, 1120, 1102),
    ("Pasir Nangka", "Teluk Ketapang", 300, 20, 1, 2010, 1990),
    ("Padang Nyohas", "Gugor Jaya", 150, 12, 1, 2480, 2519),
    ("Padang Nyohas", "Air Pelawan", 98, 7, 0, 1503, 1498),      # its row (8) is hidden
    ("Padang Nyohas", "Lubuk Dupi", 1204, 45, 3, 6012, 5990),    # shown 1.204 / 12.002 in id-ID
]


def _umkm() -> dict:
    rows = []
    for i, (district, village, micro, small, medium, male, female) in enumerate(UMKM_VILLAGES):
        r = 4 + i
        rows.append([i + 1, district if i in (0, 3) else None, village, micro, small, medium, male, female,
                     {"f": f"G{r}+H{r}", "v": male + female}])
    sums = [sum(v[k] for v in UMKM_VILLAGES) for k in range(2, 7)]
    last = 3 + len(UMKM_VILLAGES)
    rows.append([None, "Jumlah", None]
                + [{"f": f"SUM({c}4:{c}{last})", "v": s} for c, s in zip("DEFGH", sums)]
                + [{"f": f"SUM(I4:I{last})", "v": sums[3] + sums[4]}])
    return {
        "name": "umkm",
        "sheet": "UMKM 2023",
        "title": "JUMLAH UMKM DAN PENDUDUK PER DESA KABUPATEN BANGKA TAHUN 2023",
        "header_row": 3,
        "header": ["No", "Kecamatan", "Desa/Kelurahan", "Mikro", "Kecil", "Menengah", "Penduduk Laki-laki",
                   "Penduduk Perempuan", "Jumlah Penduduk"],
        "rows": rows,
        "merges": ["B4:B6", "B7:B9"],
        "hidden_rows": [8],
        "formats": {c: "#,##0" for c in "DEFGHI"},
        "hidden_sheet": {"name": "Keterangan", "rows": [["Sumber: BPS Kabupaten Bangka"],
                                                        ["Catatan: angka sementara"]]},
    }


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
LP_REPORTS = [
    # number, reported (a date cell), incident (typed as text, day first), crime, village, district, loss
    (101, "2023-01-05", "04/01/2023", "Curat", "Simpang Hitam", "Pasir Nangka", 750000),
    (142, "2023-03-13", "12/03/2023", "Curanmor", "Pulau Indah", "Pasir Nangka", 12500000),
    (230, "2023-08-17", "16/08/2023", "Penipuan", "Teluk Ketapang", "Pasir Nangka", 3250000),
    (301, "2023-10-02", "30/09/2023", "Penganiayaan", "Gugor Jaya", "Padang Nyohas", 0),
    (355, "2023-12-21", "20/12/2023", "Curat", "Lubuk Dupi", "Padang Nyohas", 1500000),
]


def report_number(number: int, reported: str) -> str:
    return f"LP/B/{number}/{ROMAN[int(reported[5:7]) - 1]}/2023/SPKT/POLRES BANGKA"


def _lp() -> dict:
    rows = []
    for i, (number, reported, incident, crime, village, district, loss) in enumerate(LP_REPORTS):
        rows.append([i + 1, report_number(number, reported), {"date": reported}, incident, crime, village,
                     district if i in (0, 3) else None, f"Polsek {district}", loss])
    return {
        "name": "lp",
        "sheet": "LP 2023",
        "title": "LAPORAN POLISI POLRES BANGKA TAHUN 2023",
        "header_row": 3,
        "header": ["No", "Nomor LP", "Tgl Lapor", "Tgl Kejadian", "Jenis Kejahatan", "Desa/Kel TKP", "Kecamatan",
                   "Polsek", "Kerugian (Rp)"],
        "rows": rows,
        "merges": ["G4:G6", "G7:G8"],
        "hidden_rows": [],
        "formats": {"C": "dd/mm/yyyy", "I": "#,##0"},
        "hidden_sheet": None,
    }


TABLES = {"umkm": _umkm(), "lp": _lp()}
# Which agency folder of the inbox each table is sent to.
SOURCE = {"umkm": "bps", "lp": "polda"}

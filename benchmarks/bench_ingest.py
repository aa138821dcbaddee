"""Ingest benchmark: a generated crime-report workbook read the whole way (guard, read, header
location, cell parsing, validation, quarantine, staging) next to pandas.read_excel(engine="openpyxl")
alone and the raw Rust readers alone, each in its own process so its peak memory is its own. The
workbook is over workbook.FAST_READ_BYTES, so jembatan reads it with fastexcel into Arrow.

    .venv/bin/python benchmarks/bench_ingest.py            # 200,000 rows (the issue's figure)
    .venv/bin/python benchmarks/bench_ingest.py --quick    # 20,000 rows, for `make bench`
"""
from __future__ import annotations

import argparse
import os
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JEMBATAN_SETTLE_SECONDS", "0")      # files generated just now are read at once

from benchmarks import timed  # noqa: E402

HEADER = ["No", "Nomor LP", "Tgl Lapor", "Tgl Kejadian", "Jenis Kejahatan", "Korban", "Desa/Kel TKP", "Kecamatan",
          "Polsek", "Status", "Kerugian (Rp)", "Nama Korban", "Nama Tersangka"]
CRIMES = ["Curat", "Curas", "Curanmor", "Penganiayaan", "Penipuan", "Narkotika"]


def generate(path: Path, rows: int) -> Path:
    """As a Polda sends it: a title row, a header, mixed real dates and text dates, rupiah as numbers
    and as text, one bad date and one repeated report number per thousand rows."""
    import openpyxl
    rnd = random.Random(7)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("LP 2023")
    ws.append(["Data Laporan Polisi Polda Kepulauan Bangka Belitung Tahun 2023"])
    ws.append([])
    ws.append(HEADER)
    villages = [f"Desa {i}" for i in range(400)]
    for i in range(1, rows + 1):
        day = dt.date(2023, 1, 1) + dt.timedelta(days=rnd.randrange(365))
        number = i - 1 if i % 1000 == 0 else i
        ws.append([i, f"LP/B/{number}/{day.month}/2023/SPKT/POLRES BANGKA", day,
                   "31/02/2023" if i % 1000 == 500 else (day if i % 3 else day.strftime("%d/%m/%Y")),
                   rnd.choice(CRIMES), rnd.choice(["Perorangan", "UMKM", "Badan Usaha"]), rnd.choice(villages),
                   f"Kecamatan {rnd.randrange(40)}", "Polsek Mendo", rnd.choice(["Lapor", "Sidik", "P21"]),
                   rnd.randrange(10**7) if i % 2 else f"Rp {rnd.randrange(10**6):,}".replace(",", "."),
                   rnd.choice(["Ani", "Budi", "Sari", "Wayan"]), ""])
    wb.save(path)
    return path


def measure(what: str, path: Path) -> dict:
    """Runs one measurement in this process; returns seconds and peak RSS. Imports are made before the
    clock starts, for every measurement alike."""
    import fastexcel
    import pandas as pd
    import pyarrow  # noqa: F401  (fastexcel's to_arrow)
    from python_calamine import CalamineWorkbook
    detail = {}
    if what == "jembatan_ingest":
        from assets.ingest.receive import receive_file
        from assets.ingest.work_area import WorkArea
        from assets.pseudonym_key import write_new_key
        with tempfile.TemporaryDirectory() as tmp:
            key = write_new_key(Path(tmp) / "key")
            # One-time process costs (pandera's backend registration) are paid once per sync, not per
            # file: a 20-row file is received first, untimed.
            receive_file(generate(Path(tmp) / "warm.xlsx", 20), "polda", WorkArea(Path(tmp) / "warm"),
                         Path(tmp) / "archive", key)
            start = time.perf_counter()
            received = receive_file(path, "polda", WorkArea(Path(tmp) / "work"), Path(tmp) / "archive", key)
            seconds = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            detail = {k: getattr(received, k) for k in ("rows_read", "rows_accepted", "rows_rejected", "rows_skipped")}
            detail["stages"] = stages(path, Path(tmp), key)
        return {"what": what, "seconds": round(seconds, 2), "peak_rss_mb": round(peak / 1024), **detail}
    start = time.perf_counter()
    if what == "pandas_openpyxl":
        detail["rows"] = len(pd.read_excel(path, engine="openpyxl", header=None))
    elif what == "calamine_read":
        workbook = CalamineWorkbook.from_path(str(path))
        detail["rows"] = sum(len(workbook.get_sheet_by_name(n).to_python(skip_empty_area=False))
                             for n in workbook.sheet_names)
    elif what == "fastexcel_read":
        reader = fastexcel.read_excel(str(path))
        detail["rows"] = sum(reader.load_sheet(n, header_row=None).to_arrow().num_rows for n in reader.sheet_names)
    seconds = time.perf_counter() - start
    return {"what": what, "seconds": round(seconds, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), **detail}


def stages(path: Path, tmp: Path, key: bytes) -> dict[str, float]:
    """Where the time of receive_file goes: its steps run again one by one, after the timed run."""
    from assets.ingest.formats.guard import inspect_file
    from assets.ingest.layout import recognise
    from assets.ingest.receive import pseudonymise
    from assets.ingest.supersede import file_scope
    from assets.ingest.table import read_table
    from assets.ingest.formats.workbook import read_file
    from schemas import datasets_for_source
    out, clock = {}, time.perf_counter()

    def lap(name):
        nonlocal clock
        out[name] = round(time.perf_counter() - clock, 2)
        clock = time.perf_counter()

    kind = inspect_file(path).kind
    lap("guard")
    sheets = read_file(path, kind)
    lap("read")
    layouts = [recognise(sheet, datasets_for_source("polda"))[0] for sheet in sheets]
    lap("header")
    results = [read_table(sheet, layout) for sheet, layout in zip(sheets, layouts) if layout]
    lap("cells+validation+quarantine")
    file_scope(results)
    lap("file_scope (supersede.py)")
    for result in results:
        pseudonymise(result.rows, result.dataset, key).to_parquet(tmp / "staged.parquet", index=False)
    lap("staging")
    return out


def run_isolated(what: str, path: Path) -> dict:
    """One reader measured in a process of its own (its peak RSS its own), with the load average before."""
    load = timed.load_average()
    out = subprocess.run([sys.executable, __file__, "--measure", what, str(path)], check=True,
                         capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1]) | {"load": load}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 rows instead of 200,000")
    parser.add_argument("--rows", type=int)
    parser.add_argument("--measure", nargs=2, metavar=("WHAT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]))))
        return 0
    rows = args.rows or (20_000 if args.quick else 200_000)
    path = ROOT / "build" / "bench" / f"crime_report_{rows}.xlsx"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        generate(path, rows)
        print(f"generated {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.0f} s")
    print(f"{rows:,} data rows x {len(HEADER)} columns{' (quick mode: fewer rows than the 200,000 of the issue)' if args.quick else ''}")
    results = {what: run_isolated(what, path)
               for what in ("pandas_openpyxl", "calamine_read", "fastexcel_read", "jembatan_ingest")}
    for r in results.values():
        extra = ", ".join(f"{k}={v:,}" for k, v in r.items() if k.startswith("rows"))
        print(f"  {r['what']:<17} {r['seconds']:>7.2f} s   peak RSS {r['peak_rss_mb']:>5,} MB   {extra}   "
              f"(load {r['load']:.2f} before)")
    print("  ingest steps, run again one by one: "
          + ", ".join(f"{k} {v:.2f} s" for k, v in results["jembatan_ingest"]["stages"].items()))
    ingest = results["jembatan_ingest"]["seconds"]
    print(f"whole ingest path vs pandas.read_excel(openpyxl) alone: "
          f"{results['pandas_openpyxl']['seconds'] / ingest:.1f}x faster (target >= 20x)")
    for reader in ("calamine_read", "fastexcel_read"):
        print(f"whole ingest path vs raw {reader}: {ingest / results[reader]['seconds']:.2f}x its time (target <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A tiny hand-made world for the publish build: three villages in two districts, 2021-2023, every
source. The values are chosen so each mart figure can be worked out by hand (see test_marts.py)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

A, B, C = "19.01.01.2001", "19.01.01.2002", "19.01.02.2001"
NAMES = {A: "Air Duren", B: "Sidorejo", C: "Kampung Baru"}

AREAS = pd.DataFrame.from_records([
    ("19", "Kepulauan Bangka Belitung", "province", None, None),
    ("19.01", "Kabupaten Bangka", "regency", "19", None),
    ("19.01.01", "Sungai Jaya", "district", "19.01", None),
    ("19.01.02", "Mendo", "district", "19.01", None),
    (A, NAMES[A], "village", "19.01.01", "desa"),
    (B, NAMES[B], "village", "19.01.01", "desa"),
    (C, NAMES[C], "village", "19.01.02", "desa"),
], columns=["code", "name", "level", "parent_code", "village_type"]).assign(version="2023")
BRIDGING = pd.DataFrame({"bps_code": ["1901050001", "1901050002", "1901031001"], "kemendagri_code": [A, B, C],
                         "bps_name": ["AIR DUREN", "SIDOREJO", "KAMPUNG BARU"], "level": "village"})
CHANGES = pd.DataFrame(columns=["from_version", "to_version", "code", "new_code", "change", "old_name",
                                "new_name"], dtype=object)


def _placed(dataset: str, records: list[dict]) -> pd.DataFrame:
    """Rows as harmonise leaves them: placed, with their origin."""
    frame = pd.DataFrame.from_records(records)
    frame["village_name"] = frame["village_code"].map(NAMES)
    frame["match_method"] = "name_exact"
    frame["match_score"] = 1.0
    frame["gazetteer_version"] = "2023"
    frame["source_file"] = f"sha-{dataset}"
    frame["source_sheet"] = "Sheet1"
    frame["source_row"] = range(2, len(frame) + 2)
    return frame


def _msme() -> list[dict]:
    counts = {  # (village, year): (micro, small, medium, population)
        (A, 2021): (90, 8, 2, 2000), (A, 2022): (100, 8, 2, 2050), (A, 2023): (110, 8, 2, 2100),
        (B, 2021): (45, 4, 1, 1000), (B, 2022): (43, 4, 1, 1000), (B, 2023): (40, 4, 1, 1000),
        (C, 2021): (27, 2, 1, 500), (C, 2022): (28, 2, 1, 550), (C, 2023): (30, 2, 1, 600),
    }
    return [{"village_code": v, "year": y, "msme_micro": mi, "msme_small": sm, "msme_medium": me,
             "population": pop, "village_code_sent": None} for (v, y), (mi, sm, me, pop) in counts.items()]


CRIMES = [  # village, report date, crime type, victim type
    (A, "2021-03-02", "Curat", "Perorangan"), (A, "2021-03-09", "Narkotika", "Lainnya"),
    (A, "2022-01-15", "Penipuan", "Perorangan"),
    (A, "2023-01-05", "Curat", "Pelaku Usaha (UMKM)"), (A, "2023-02-07", "Curat", "Perorangan"),
    (A, "2023-02-08", "Penganiayaan", "Perorangan"),
    *[(A, f"2023-03-{day:02d}", "Narkotika", "Lainnya") for day in range(1, 6)],
    (A, "2023-04-11", "Obat Keras Berbahaya", "Lainnya"),
    (B, "2021-06-01", "Penipuan", "UMKM"), (B, "2021-06-20", "Penipuan", "Perorangan"),
    (B, "2023-05-05", "Penipuan", "Perorangan"),
    (C, "2022-07-07", "KDRT", "Perorangan"),
    (C, "2023-08-01", "Curanmor", "Perorangan"), (C, "2023-08-02", "Curanmor", "Perorangan"),
    (C, "2023-08-03", "Pencurian Hewan", "Perorangan"),
]


def _crime() -> list[dict]:
    return [{"report_number": f"LP/B/{i}/2023/SPKT/POLRES BANGKA", "report_date": dt.date.fromisoformat(day),
             "incident_date": dt.date.fromisoformat(day), "year": int(day[:4]), "crime_type": kind,
             "victim_type": victim, "case_status": "Lapor", "loss_amount": None, "village_code": v,
             "police_sector": "Polsek Sungai Jaya"} for i, (v, day, kind, victim) in enumerate(CRIMES, start=1)]


def _program() -> list[dict]:
    rows = [("biz1", "KUR", "2022-03-01", 10_000_000.0, A), ("biz1", "Pelatihan", "2022-04-01", None, A),
            ("biz2", "QRIS", "2022-05-01", 0.0, A), ("biz3", "KUR", "2023-02-01", 5_000_000.0, A)]
    return [{"business_key": key, "program": program, "sector": "Kuliner",
             "participation_date": dt.date.fromisoformat(day), "year": int(day[:4]), "amount": amount,
             "village_code": v} for key, program, day, amount, v in rows]


def _cooperative() -> list[dict]:
    return [{"cooperative_name": "Koperasi Desa Merah Putih Air Duren", "village_code": A,
             "established_date": dt.date(2022, 5, 1), "year": 2022, "members": 25, "legal_number": "AHU-1"}]


def _assignment() -> list[dict]:
    rows = [("off1", 2022, A), ("off2", 2022, B), ("off1", 2023, A), ("off2", 2023, B), ("off2", 2023, C)]
    return [{"officer_key": key, "rank": "BRIPKA", "police_sector": "Polsek Sungai Jaya", "year": year,
             "village_code": v} for key, year, v in rows]


def _activity() -> list[dict]:
    # As officers write them: a type's first words, capitals, English.
    rows = [("off1", "2023-01-03", "Sambang", A), ("off1", "2023-02-03", "SAMBANG DESA", A),
            ("off1", "2023-03-03", "Pencegahan Narkoba", A), ("off2", "2023-04-03", "MSME Assistance", C)]
    return [{"officer_key": key, "activity_date": dt.date.fromisoformat(day), "year": int(day[:4]),
             "activity_type": kind, "village_code": v} for key, day, kind, v in rows]


def tiny_inputs() -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """(inputs, tables) for assets.publish.build.build_database / publication.publish."""
    inputs = {"ref_area": AREAS, "ref_bridging": BRIDGING, "ref_change": CHANGES,
              "stg_msme_village_count": _placed("msme_village_count", _msme()),
              "stg_crime_report": _placed("crime_report", _crime()),
              "stg_program_participation": _placed("program_participation", _program()),
              "stg_village_cooperative": _placed("village_cooperative", _cooperative()),
              "stg_bhabinkamtibmas_assignment": _placed("bhabinkamtibmas_assignment", _assignment()),
              "stg_bhabinkamtibmas_activity": _placed("bhabinkamtibmas_activity", _activity())}
    register = pd.DataFrame.from_records([
        {"sha256": f"sha-{name.removeprefix('stg_')}", "source": source, "file_name": f"{name}.xlsx",
         "status": "accepted", "datasets": name.removeprefix("stg_"), "rows_read": len(inputs[name]) + 1,
         "rows_accepted": len(inputs[name]), "rows_rejected": 1, "rows_skipped": 0,
         "received_at": "2024-01-01T00:00:00+00:00", "notes": "[]", "superseded_by": None}
        for name, source in [("stg_msme_village_count", "bps"), ("stg_crime_report", "polda"),
                             ("stg_program_participation", "koperasi"), ("stg_village_cooperative", "koperasi"),
                             ("stg_bhabinkamtibmas_assignment", "polda"),
                             ("stg_bhabinkamtibmas_activity", "polda")]])
    rejections = pd.DataFrame.from_records([
        {"source": "polda", "file_name": "stg_crime_report.xlsx", "source_file": "sha-crime_report",
         "dataset": "crime_report", "stage": "harmonise", "sheet": "Sheet1", "row": 99, "column": "G",
         "header": "Desa", "field": "village_name", "value": "Antah", "code": "unknown_village",
         "expected": "a village", "message": "unknown", "message_id": "tidak dikenal", "severity": "error"}] + [
        {"source": s, "file_name": f, "source_file": sha, "dataset": sha.removeprefix("sha-"), "stage": "ingest",
         "sheet": "Sheet1", "row": 98, "column": "B", "header": "x", "field": "x", "value": "x",
         "code": "type_error", "expected": "x", "message": "x", "message_id": "x", "severity": "error"}
        for s, f, sha in register[["source", "file_name", "sha256"]].itertuples(index=False)
        if sha != "sha-crime_report"])
    return inputs, {"file_register": register, "data_quality_rejection": rejections}

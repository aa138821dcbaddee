"""Who may correct what (assets/offices.py, assets/harmonise/collisions.py): two police offices and a BPS
office through the real portal process and through the inbox share, `jembatan sync` and `jembatan review`
as processes, the stored facts read from the published warehouse.

- Polres Tuban reuses 7 of Polres Bangka's 12 report numbers after Bangka sent them (an overwrite) and
  before (squatting): Bangka's 12 rows count either way, Tuban's 7 are held for the steward, each clerk is
  told in one line without the other office, its file or its hash.
- The steward refuses, then accepts, the conflict.
- A BPS office corrects 5 villages of its own earlier province-wide file: just those rows are replaced.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess

import duckdb
import pandas as pd
import pytest
import requests

from tests.portal_fixture import JEMBATAN, REPO, add_user, crime_workbook, make_world, portal_server, sync

BANGKA = ("clerk.bangka", "kata-sandi-bangka")
TUBAN = ("clerk.tuban", "kata-sandi-tuban")
BPS = ("clerk.bps", "kata-sandi-bps-prov")
VILLAGES = [("Sidorejo", "Sungai Jaya"), ("Kampung Baru", "Mendo"), ("Tanjung Baru", "Sungai Jaya")]
# Polres Bangka's twelve reports of August 2023, all thefts.
BANGKA_ROWS = [(f"LP/B/{i}/VIII/2023/SPKT/POLRES BANGKA", dt.datetime(2023, 8, i), "Pencurian",
                *VILLAGES[i % 3], None) for i in range(1, 13)]
# Seven invented rows under Bangka's numbers 1-7, as frauds in another village.
TUBAN_ROWS = [(f"LP/B/{i}/VIII/2023/SPKT/POLRES BANGKA", dt.datetime(2023, 8, i), "Penipuan", "Air Duren", "Mendo",
               None) for i in range(1, 8)]


def login(portal: str, account: tuple[str, str]) -> tuple[requests.Session, str]:
    session = requests.Session()
    answer = session.post(f"{portal}/api/login", data={"username": account[0], "password": account[1]}, timeout=60)
    assert answer.status_code == 200, answer.text
    return session, answer.json()["csrf_token"]


def upload(portal: str, account, name: str, content: bytes) -> tuple[requests.Session, str]:
    session, token = login(portal, account)
    sent = session.post(f"{portal}/api/files", headers={"X-CSRFToken": token}, timeout=60,
                        files={"file": (name, content)})
    assert sent.status_code == 202, sent.text
    return session, sent.json()["sha256"]


def answer(portal: str, session: requests.Session, sha: str) -> dict:
    return session.get(f"{portal}/api/files/{sha}", timeout=60).json()


def facts(world, sql: str) -> list[tuple]:
    with duckdb.connect(str(world.warehouse / "jembatan.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def crime_facts(world) -> dict[int, tuple]:
    """report number's serial -> (crime type, village name sent, source file)."""
    return {int(n.split("/")[2]): (kind, village, sha) for n, kind, village, sha in facts(
        world, "SELECT report_number, crime_type, village_name_sent, source_file FROM fact_crime_report")}


def review(world, *args: str) -> str:
    done = subprocess.run([JEMBATAN, "review", *args], env=world.env(), cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def police(tmp_path):
    world = make_world(tmp_path)
    add_user(world, BANGKA[0], "polda", "Polres Bangka", BANGKA[1])
    add_user(world, TUBAN[0], "polda", "Polres Tuban", TUBAN[1])
    return world


def workbooks(folder) -> tuple[bytes, bytes]:
    """Bangka's twelve reports and Tuban's seven under Bangka's numbers, as the real template filled."""
    return (crime_workbook(folder / "bangka.xlsx", BANGKA_ROWS).read_bytes(),
            crime_workbook(folder / "tuban.xlsx", TUBAN_ROWS).read_bytes())


def told_without_the_other(report: dict, other_office: str, other_file: str, other_sha: str) -> None:
    seen = json.dumps(report)
    assert other_office not in seen and other_file not in seen and other_sha[:12] not in seen


def test_another_office_reusing_report_numbers_is_held_and_the_steward_refuses_then_accepts(police, tmp_path):
    bangka_book, tuban_book = workbooks(tmp_path)
    with portal_server(police) as portal:
        bangka, bangka_sha = upload(portal, BANGKA, "LP Agustus Bangka.xlsx", bangka_book)
        sync(police)
        before = crime_facts(police)
        tuban, tuban_sha = upload(portal, TUBAN, "LP Agustus Tuban.xlsx", tuban_book)
        sync(police)
        # Bangka's twelve rows are as they were: nothing of Tuban's counts.
        assert crime_facts(police) == before
        assert sorted(before) == list(range(1, 13)) and {v[0] for v in before.values()} == {"Pencurian"}
        assert {v[2] for v in before.values()} == {bangka_sha}
        held = answer(portal, tuban, tuban_sha)
        assert (held["status"], held["rows_accepted"], held["rows_rejected"]) == ("rejected", 0, 7)
        assert held["notes"][0] == ("7 row(s) held: another office already sent the same report numbers; a data "
                                    "steward will decide which count.")
        assert held["notes_id"][0].startswith("7 baris ditahan: kantor lain sudah mengirim nomor LP yang sama")
        assert [(e["row"], e["column"], e["code"]) for e in held["errors"]] == \
            [(r, "A", "held_for_steward") for r in range(2, 9)]
        told_without_the_other(held, "Polres Bangka", "LP Agustus Bangka", bangka_sha)
        kept = answer(portal, bangka, bangka_sha)
        assert (kept["status"], kept["rows_accepted"], kept["errors"]) == ("accepted", 12, [])
        assert kept["notes"][0] == ("7 of your rows were also sent by another office (the same report numbers); a "
                                    "data steward will decide; until then your rows count.")
        told_without_the_other(kept, "Polres Tuban", "LP Agustus Tuban", tuban_sha)

        # The steward sees both offices, and refuses.
        listed = review(police, "conflicts")
        conflict = listed.split()[0]
        assert (f"{conflict}  crime_report: 7 row(s) of Polres Tuban (LP Agustus Tuban.xlsx) against Polres Bangka "
                "(LP Agustus Bangka.xlsx)  [open: held until decided]") in listed
        assert review(police, "refuse", conflict, "--by", "steward.prov").startswith(f"conflict {conflict} refused")
        sync(police)
        assert crime_facts(police) == before
        refused = answer(portal, tuban, tuban_sha)
        assert {e["code"] for e in refused["errors"]} == {"conflict_refused"} and len(refused["errors"]) == 7
        assert refused["notes"][0].startswith("7 row(s) not counted: another office sent the same report numbers")
        assert "[refused by steward.prov at" in review(police, "conflicts")

        # Accepted after all: Tuban's seven replace Bangka's 1-7; Bangka's 8-12 stay.
        review(police, "accept", conflict, "--by", "steward.prov")
        sync(police)
        after = crime_facts(police)
        assert {n: after[n] for n in range(1, 8)} == {n: ("Penipuan", "Air Duren", tuban_sha) for n in range(1, 8)}
        assert {n: after[n] for n in range(8, 13)} == {n: before[n] for n in range(8, 13)}
        replaced = answer(portal, bangka, bangka_sha)
        assert replaced["notes"][0] == ("7 of your rows were replaced by another office's rows (the same report "
                                        "numbers), on the data steward's decision.")
        assert answer(portal, tuban, tuban_sha)["rows_accepted"] == 7
    decisions = json.loads((police.warehouse / "steward" / "conflicts.json").read_text())
    assert decisions[conflict]["decision"] == "accepted" and decisions[conflict]["earlier"][0]["decision"] == "refused"


def test_sending_another_offices_report_numbers_first_takes_nothing(police, tmp_path):
    bangka_book, tuban_book = workbooks(tmp_path)
    with portal_server(police) as portal:
        tuban, tuban_sha = upload(portal, TUBAN, "LP Tuban.xlsx", tuban_book)
        sync(police)
        assert {v[0] for v in crime_facts(police).values()} == {"Penipuan"}      # nobody else sent them yet
        bangka, bangka_sha = upload(portal, BANGKA, "LP Bangka.xlsx", bangka_book)
        sync(police)
        # The numbers name Polres Bangka: its real rows land, all twelve; Tuban's seven are held.
        assert crime_facts(police) == {n: (row[2], row[3], bangka_sha) for n, row in
                                       zip(range(1, 13), BANGKA_ROWS)}
        real = answer(portal, bangka, bangka_sha)
        assert (real["status"], real["rows_accepted"], real["errors"]) == ("accepted", 12, [])
        assert real["notes"][0].startswith("7 of your rows were also sent by another office")
        told_without_the_other(real, "Polres Tuban", "LP Tuban", tuban_sha)
        squatter = answer(portal, tuban, tuban_sha)
        assert (squatter["rows_accepted"], {e["code"] for e in squatter["errors"]}) == (0, {"held_for_steward"})
        assert squatter["notes"][0].startswith("7 row(s) held: another office already sent the same report numbers")
        told_without_the_other(squatter, "Polres Bangka", "LP Bangka", bangka_sha)
    assert "7 row(s) of Polres Tuban (LP Tuban.xlsx) against Polres Bangka (LP Bangka.xlsx)" in \
        review(police, "conflicts")


def test_through_the_share_a_file_mixing_two_polres_numbers_changes_neither(tmp_path):
    world = make_world(tmp_path)
    share = world.inbox / "polda"
    share.mkdir()
    crime_workbook(share / "lp_bangka.xlsx", BANGKA_ROWS)
    sync(world)
    before = crime_facts(world)
    own = [(f"LP/B/{i}/VIII/2023/SPKT/POLRES TUBAN", dt.datetime(2023, 8, i), "Penganiayaan", "Sidorejo",
            "Sungai Jaya", None) for i in range(1, 4)]
    crime_workbook(share / "lp_tuban.xlsx", own + TUBAN_ROWS)
    sync(world)
    bangka = "SELECT report_number, crime_type, village_name_sent FROM fact_crime_report WHERE report_number LIKE " \
             "'%POLRES BANGKA' ORDER BY 1"
    assert facts(world, bangka) == sorted((row[0], row[2], row[3]) for row in BANGKA_ROWS)   # Bangka's twelve as they were
    assert {v[2] for v in before.values()} == {v[2] for n, v in crime_facts(world).items() if n > 3}
    tuban = facts(world, "SELECT report_number, crime_type FROM fact_crime_report WHERE report_number LIKE "
                         "'%POLRES TUBAN' ORDER BY 1")
    assert tuban == [(row[0], "Penganiayaan") for row in own]
    reports = {r["file_name"]: r for r in (json.loads(p.read_text()) for p in world.warehouse.glob("reports/*/*.json"))}
    assert (reports["lp_tuban.xlsx"]["rows_accepted"], reports["lp_tuban.xlsx"]["rows_rejected"]) == (3, 7)
    assert reports["lp_tuban.xlsx"]["notes"][0].startswith("7 row(s) held")
    assert reports["lp_bangka.xlsx"]["notes"][0].startswith("7 of your rows were also sent by another office")
    listed = review(world, "conflicts")
    assert "7 row(s) of polda (whole folder) (lp_tuban.xlsx) against Polres Bangka (lp_bangka.xlsx)" in listed


MSME_HEADER = "Kode Desa;Nama Desa;Kecamatan;Tahun;Mikro;Kecil;Menengah\n"
MSME_VILLAGES = [("19.01.01.2001", "Air Duren", "Sungai Jaya"), ("19.01.01.2002", "Sidorejo", "Sungai Jaya"),
                 ("19.01.01.2003", "Sidorojo", "Sungai Jaya"), ("19.01.01.2004", "Tanjung Baru", "Sungai Jaya"),
                 ("19.01.02.2001", "Air Duren", "Mendo"), ("19.01.02.1002", "Kampung Baru", "Mendo"),
                 ("19.01.02.2003", "Simpang III", "Mendo")]


def test_an_office_corrects_five_villages_of_its_own_file_and_just_those_rows_are_replaced(tmp_path):
    world = make_world(tmp_path)
    add_user(world, BPS[0], "bps", "BPS Provinsi Kepulauan Bangka Belitung", BPS[1])
    whole = MSME_HEADER + "".join(f"{code};{name};{district};{year};{10 * n + year - 2023};2;1\n"
                                  for year in (2023, 2024) for n, (code, name, district) in enumerate(MSME_VILLAGES, 1))
    corrected = MSME_HEADER + "".join(f"{code};{name};{district};2024;{500 + n};2;1\n"
                                      for n, (code, name, district) in enumerate(MSME_VILLAGES[:5], 1))
    with portal_server(world) as portal:
        session, first = upload(portal, BPS, "UMKM Babel 2023-2024.csv", whole.encode())
        sync(world)
        counts = "SELECT village_code, year, msme_micro FROM fact_msme_count ORDER BY 1, 2"
        before = facts(world, counts)
        assert len(before) == 14
        _, second = upload(portal, BPS, "UMKM perbaikan 5 desa.csv", corrected.encode())
        sync(world)
        after = dict(((code, year), micro) for code, year, micro in facts(world, counts))
        fixed = {(code, 2024): 500 + n for n, (code, _, _) in enumerate(MSME_VILLAGES[:5], 1)}
        assert after == {**{(code, year): micro for code, year, micro in before}, **fixed}
        assert facts(world, "SELECT count(*) FROM fact_msme_count WHERE source_file = ?".replace("?", f"'{second}'")) \
            == [(5,)]
        told = answer(portal, session, second)
        assert (told["status"], told["rows_accepted"], told["errors"]) == ("accepted", 5, [])
        assert told["notes"][0] == (
            "Replaces 5 row(s) of UMKM Babel 2023-2024.csv, sent earlier by your office (the same villages and "
            "years): Air Duren 2024 (row 9), Sidorejo 2024 (row 10), Sidorojo 2024 (row 11), Tanjung Baru 2024 "
            "(row 12), Air Duren 2024 (row 13); the rest of UMKM Babel 2023-2024.csv still counts.")
        earlier = answer(portal, session, first)
        assert earlier["status"] == "accepted" and earlier["rows_accepted"] == 14
        assert earlier["notes"][0].startswith("5 row(s) of this file were replaced by UMKM perbaikan 5 desa.csv")
        page = session.get(f"{portal}/files/{second}", timeout=60)
        assert page.status_code == 200 and "replaces the earlier one" not in page.text


def test_key_rows_kept_from_the_last_settling_are_those_the_files_hold(tmp_path):
    """collisions.key_rows: rows kept per file (a Parquet file beside the placed rows) give what reading
    every file gives, in file order and row order, after a file is added, one is dropped and the order
    changes; a file not kept is read, and one no longer listed leaves the kept rows."""
    from assets.harmonise.collisions import key_rows

    columns = ["report_number", "source_file", "source_sheet", "source_row"]
    files = []
    for n in range(4):
        path = tmp_path / f"f{n}.parquet"
        pd.DataFrame({"report_number": [f"LP/{n}/{i}" for i in (3, 1, 2)], "source_file": f"sha{n}",
                      "source_sheet": "Data", "source_row": [5, 6, 7]}).to_parquet(path)
        files.append(path)

    def read_all(listed):
        return pd.concat([pd.read_parquet(p, columns=columns).assign(_file=n) for n, p in enumerate(listed)],
                         ignore_index=True)

    kept = tmp_path / "keys" / "crime_report.parquet"
    first = key_rows(files[:2], columns, kept)
    pd.testing.assert_frame_equal(first, read_all(files[:2]))
    assert sorted(pd.read_parquet(kept)["_path"].unique()) == [str(files[0]), str(files[1])]
    later = [files[3], files[1], files[2]]         # f0 dropped, f2 and f3 new, in another order
    again = key_rows(later, columns, kept)
    pd.testing.assert_frame_equal(again, read_all(later))
    assert again["report_number"].tolist()[:3] == ["LP/3/3", "LP/3/1", "LP/3/2"]
    assert sorted(pd.read_parquet(kept)["_path"].unique()) == sorted(map(str, later))
    kept.write_bytes(b"not parquet")              # a damaged copy: every file read again
    pd.testing.assert_frame_equal(key_rows(later, columns, kept), read_all(later))


def test_likeness_rows_kept_are_read_again_when_a_file_is_rewritten(tmp_path):
    """read_as.likeness_rows with `kept`: a file with no such rows is not read again; a filtered copy
    rewritten in place (a new stamp) is; the result is always what reading every file gives."""
    from assets.harmonise import read_as

    def placed(path, methods, sha=None):
        pd.DataFrame({"source_file": sha or path.stem, "source_sheet": "Data", "source_row": range(5, 5 + len(methods)),
                      "village_name": "Air Duren", "village_code": "1901012001", "match_method": methods,
                      "match_score": [0.9 if m == "name_fuzzy" else 1.0 for m in methods]}).to_parquet(path)
        return path

    a = placed(tmp_path / "a.parquet", ["name_exact", "name_fuzzy"])
    b = placed(tmp_path / "b.parquet", ["name_exact"])
    kept = tmp_path / "kept" / "likeness.parquet"
    whole = read_as.likeness_rows([a, b])
    assert whole[["source_file", "source_row"]].values.tolist() == [["a", 6]]
    pd.testing.assert_frame_equal(read_as.likeness_rows([a, b], kept=kept), whole)
    read = []
    original = read_as._likeness_of
    read_as._likeness_of = lambda path: read.append(path.name) or original(path)
    try:
        pd.testing.assert_frame_equal(read_as.likeness_rows([a, b], kept=kept), whole)
        assert read == []                       # b (no such rows) is known too
        placed(b.with_name("b.tmp.parquet"), ["name_fuzzy", "name_exact"], "b").replace(b)     # rewritten in place
        again = read_as.likeness_rows([a, b], kept=kept)
        assert read == ["b.parquet"]
        assert again[["source_file", "source_row"]].values.tolist() == [["a", 6], ["b", 5]]
        pd.testing.assert_frame_equal(again, read_as.likeness_rows([a, b]))
    finally:
        read_as._likeness_of = original

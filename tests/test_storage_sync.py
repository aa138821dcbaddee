"""A whole sync with its archive, work area and reports in S3-compatible object storage (a moto server on
loopback): the marts equal those of a sync on the local disk, value for value, and what the storage
holds is in the bucket, not in the local warehouse folder."""
from __future__ import annotations

import shutil

import duckdb
import pytest

from assets import storage
from pipelines.cli import main
from tests.test_ingest import msme_workbook
from tests.test_pipeline_small import crime_workbook
from tests.test_storage import BUCKET, bucket_keys, s3_server

# Columns that say when a sync ran, not what it published.
WHEN = {"publication_id", "published_at", "received_at", "days_since_received"}
IN_THE_STORAGE = ("archive", "original_names", "work", "reports")    # original_names: beside the archive


def published(database) -> dict[str, list[tuple]]:
    """Every table of the restricted database (both schemas), its rows in a fixed order, without the
    columns that say when a sync ran."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        out = {}
        for schema, table in con.execute("SELECT schema_name, table_name FROM duckdb_tables() "
                                         "ORDER BY 1, 2").fetchall():
            columns = [c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE schema_name = ? "
                                                 "AND table_name = ? ORDER BY column_index", [schema, table]).fetchall()
                       if c not in WHEN]
            listed = ", ".join(f'"{c}"' for c in columns)
            out[f"{schema}.{table}"] = con.execute(f'SELECT {listed} FROM "{schema}"."{table}" ORDER BY ALL').fetchall()
        return out
    finally:
        con.close()


def sync(inbox, warehouse) -> None:
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0


@pytest.fixture
def inbox(reference_dir):
    inbox = reference_dir.parent
    (inbox / "bps").mkdir()
    (inbox / "polda").mkdir()
    msme_workbook(inbox / "bps" / "umkm_bangka_2023.xlsx")
    crime_workbook(inbox / "polda" / "lp_2023.xlsx")
    (inbox / "polda" / "lp_link.xlsx").symlink_to(inbox / "polda" / "lp_2023.xlsx")     # refused: a report
    return inbox


def test_a_sync_into_object_storage_publishes_what_a_local_sync_publishes(inbox, tmp_path, monkeypatch):
    for name in ("JEMBATAN_INBOX", "JEMBATAN_WAREHOUSE"):        # the command sets them; restored after
        monkeypatch.setenv(name, "")
    monkeypatch.delenv(storage.STORAGE_ENV, raising=False)
    local = tmp_path / "local"
    sync(inbox, local)
    sync(inbox, local)                        # nothing new: the same publication
    with s3_server() as endpoint:
        monkeypatch.setenv(storage.STORAGE_ENV, f"s3://{BUCKET}/jembatan")
        remote = tmp_path / "remote"
        sync(inbox, remote)
        sync(inbox, remote)
        assert published(remote / "jembatan.duckdb") == published(local / "jembatan.duckdb")

        keys = bucket_keys(endpoint, "jembatan/")
        kept = {k.split("/")[1] for k in keys}
        assert kept == set(IN_THE_STORAGE)
        archived = [k for k in keys if k.startswith("jembatan/archive/")]
        assert sorted(k.rsplit("/", 1)[1] for k in archived) == sorted(
            p.name for p in (local / "archive").rglob("*") if p.is_file())        # the same content addresses
        assert {k for k in keys if k.startswith("jembatan/work/files/")} == {
            f"jembatan/work/files/{p.name}" for p in (local / "work" / "files").iterdir()}
        reports = {k.removeprefix("jembatan/reports/") for k in keys if k.startswith("jembatan/reports/")}
        assert reports == {str(p.relative_to(local / "reports")) for p in (local / "reports").rglob("*") if p.is_file()}
        assert "polda/lp_link.xlsx.json" not in reports and any(r.startswith("polda/lp_link.xlsx.") for r in reports)
        assert not any((remote / name).exists() for name in IN_THE_STORAGE)     # nothing of it on the local disk
        assert (remote / "jembatan.duckdb").is_file()                           # the database stays local

        # A corrected crime file (same reports, one fixed village) supersedes the first in both places.
        corrected = inbox / "polda" / "lp_2023_perbaikan.xlsx"
        crime_workbook(corrected)
        fixed = __import__("openpyxl").load_workbook(corrected)
        fixed.active["G6"] = "Sidorejo"
        fixed.save(corrected)
        sync(inbox, remote)
        monkeypatch.delenv(storage.STORAGE_ENV)
        sync(inbox, local)
        assert published(remote / "jembatan.duckdb") == published(local / "jembatan.duckdb")
        keys = bucket_keys(endpoint, "jembatan/work/superseded/")
        assert keys == sorted(f"jembatan/{p.relative_to(local).as_posix()}"
                              for p in (local / "work" / "superseded").rglob("*") if p.is_file()) and keys
        assert not any((remote / name).exists() for name in IN_THE_STORAGE)
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_a_key_rotation_rekeys_the_rows_kept_in_object_storage(reference_dir, tmp_path, monkeypatch):
    """`jembatan key rotate` reads every received file again from the archive in the bucket and replaces
    the stored rows there: one person, one new pseudonym, and nothing of it on the local disk."""
    from tests.test_pseudonym_key import NIK, program_file, published_keys
    monkeypatch.setenv("JEMBATAN_KEY_FILE", str(tmp_path / "keys" / "pseudonym.key"))
    for name in ("JEMBATAN_INBOX", "JEMBATAN_WAREHOUSE"):
        monkeypatch.setenv(name, "")
    inbox, warehouse = reference_dir.parent, tmp_path / "warehouse"
    (inbox / "koperasi").mkdir()
    program_file(inbox / "koperasi" / "kur_2023.xlsx", [(NIK, "KUR", "17/08/2023"), ("1901011203850000", "QRIS",
                                                                                     "18/08/2023")])
    program_file(inbox / "koperasi" / "halal_2024.xlsx", [(NIK, "Sertifikasi Halal", "15/03/2024")])
    with s3_server() as endpoint:
        monkeypatch.setenv(storage.STORAGE_ENV, f"s3://{BUCKET}/rotate")
        sync(inbox, warehouse)
        before = published_keys(warehouse)
        stored = {k: storage.read_bytes(storage.location(f"s3://{BUCKET}/{k}"))
                  for k in bucket_keys(endpoint, "rotate/work/accepted/")}
        assert len(stored) == 2
        assert main(["key", "rotate", "--warehouse", str(warehouse), "--inbox", str(inbox)]) == 0
        after = published_keys(warehouse)
        rows = [sorted(zip(frame["file_name"], frame["program"])) for frame in (before, after)]
        assert rows[0] == rows[1] == [("halal_2024.xlsx", "Sertifikasi Halal"), ("kur_2023.xlsx", "KUR"),
                                      ("kur_2023.xlsx", "QRIS")]
        assert not set(after["business_key"]) & set(before["business_key"])      # every pseudonym made anew
        person = set(after.loc[after["program"] != "QRIS", "business_key"])
        assert len(person) == 1                                                  # still one person in two files
        assert all(storage.read_bytes(storage.location(f"s3://{BUCKET}/{k}")) != data for k, data in stored.items())
        assert not any((warehouse / name).exists() for name in IN_THE_STORAGE)

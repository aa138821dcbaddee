"""The `jembatan` command line as a steward meets it."""
from __future__ import annotations

import shutil

import pytest

from pipelines.cli import main


@pytest.mark.parametrize("reference_folder", [True, False])
def test_sync_of_agency_files_without_reference_lists_says_why_and_fails(tmp_path, capsys, reference_folder):
    inbox = tmp_path / "inbox"
    (inbox / ("reference" if reference_folder else "bps")).mkdir(parents=True)
    (inbox / "polda").mkdir()
    (inbox / "polda" / "lp.csv").write_text("Nomor LP,Tgl Lapor,Jenis Kejahatan,Desa/Kelurahan\n"
                                            "LP/B/1/VIII/2023,17/08/2023,Pencurian,Air Duren\n")
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(tmp_path / "warehouse")]) == 1
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.startswith("sync failed in reference_gazetteer: FileNotFoundError: no Kemendagri village list in ")
    assert "put the official list there" in err


@pytest.mark.parametrize("reference_folder", [True, False])
def test_sync_of_an_empty_inbox_says_where_the_lists_go_and_ends_cleanly(tmp_path, capsys, reference_folder):
    inbox = tmp_path / "inbox"
    (inbox / ("reference" if reference_folder else "bps")).mkdir(parents=True)
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(tmp_path / "warehouse")]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Nothing published: the inbox holds no official village list yet (put the Kemendagri lists in "
        f"inbox/reference/) and no agency file; {tmp_path / 'warehouse'} is unchanged."]


def test_a_resync_with_nothing_new_says_no_new_publication_was_made(reference_dir, tmp_path, capsys, monkeypatch):
    """The first sync publishes; the same inbox again starts no run and says so, the publication the same; a
    copy of a file under another name is read in a run that publishes nothing new, and says that."""
    from assets.publish.publication import Warehouse
    from tests.test_ingest import msme_workbook
    inbox, warehouse = reference_dir.parent, tmp_path / "warehouse"
    (inbox / "bps").mkdir()
    msme_workbook(inbox / "bps" / "umkm_bangka_2023.xlsx")
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    database = warehouse / "jembatan.duckdb"
    first = capsys.readouterr().out.splitlines()
    assert first[0] == f"Published {database} (restricted)"
    published = Warehouse(warehouse).history()

    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    again = capsys.readouterr().out.splitlines()
    assert again[0] == ("Nothing changed since the last sync: nothing was read and no new publication was made; "
                        f"analysts still see {database} (restricted)")
    assert not any(line.startswith("Published") for line in again)
    assert Warehouse(warehouse).history() == published
    # other settings of how a sync goes (its settle time, the portal's whole files, workers) publish nothing
    for name, value in (("JEMBATAN_SETTLE_SECONDS", "0"), ("JEMBATAN_WHOLE_FILES", "1-2-3-4"),
                        ("JEMBATAN_INGEST_WORKERS", "1"), ("JEMBATAN_PORTAL_IDLE_MINUTES", "31")):
        monkeypatch.setenv(name, value)
        assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
        assert capsys.readouterr().out.startswith("Nothing changed since the last sync"), name
    assert Warehouse(warehouse).history() == published
    # the same figures, read from the same publication; no file new this time
    assert first[3] == f"{'bps':<10}{1:>7}{1:>6}{4:>10}{4:>9}{0:>10}{'100.0%':>10}{2:>9}"
    assert again[3] == f"{'bps':<10}{1:>7}{0:>6}{4:>10}{4:>9}{0:>10}{'100.0%':>10}{2:>9}"
    assert again[1:3] + again[4:] == first[1:3] + first[4:]

    # the same content under another name: a run reads it, but the marts are made of nothing new
    shutil.copyfile(inbox / "bps" / "umkm_bangka_2023.xlsx", inbox / "bps" / "salinan.xlsx")
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    copied = capsys.readouterr().out.splitlines()
    assert copied[0] == ("No new publication: what the marts are made of did not change; analysts still see "
                         f"{database} (restricted)")
    assert "bps       salinan.xlsx = umkm_bangka_2023.xlsx" in copied
    assert Warehouse(warehouse).history() == published

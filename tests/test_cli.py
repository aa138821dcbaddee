"""The `jembatan` command line as a steward meets it."""
from __future__ import annotations

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

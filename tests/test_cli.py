"""The `jembatan` command line as a steward meets it."""
from __future__ import annotations

from pipelines.cli import main


def test_sync_without_reference_lists_says_why_and_fails(tmp_path, capsys):
    inbox = tmp_path / "inbox"
    (inbox / "reference").mkdir(parents=True)
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(tmp_path / "warehouse")]) == 1
    err = capsys.readouterr().err
    assert "sync failed in reference_gazetteer" in err and "no Kemendagri reference list" in err

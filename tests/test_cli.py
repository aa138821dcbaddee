"""The `jembatan` command line as a steward meets it."""
from __future__ import annotations

import pytest

from pipelines.cli import main


@pytest.mark.parametrize("reference_folder", [True, False])
def test_sync_without_reference_lists_says_why_and_fails(tmp_path, capsys, reference_folder):
    inbox = tmp_path / "inbox"
    (inbox / ("reference" if reference_folder else "bps")).mkdir(parents=True)
    assert main(["sync", "--inbox", str(inbox), "--warehouse", str(tmp_path / "warehouse")]) == 1
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.startswith("sync failed in reference_gazetteer: FileNotFoundError: no Kemendagri village list in ")
    assert "put the official list there" in err

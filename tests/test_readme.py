"""Every command of the README's shell blocks runs as printed on a fresh clone, in the order printed.

The repository is cloned (`git clone`: what is committed, nothing else) into a temporary folder, whose
`.venv` links to the venv running the tests (its bin/, lib/, pyvenv.cfg: nothing installed again), so
`make run` and `.venv/bin/jembatan ...` run there as a newcomer types them, with the clone's own code
first on PYTHONPATH. `make run` runs in full (the bundled sample: one to two minutes on two cores). The
README's SQL examples then run read-only against the database `make run` published.

Commands that start a server, need the cluster, or carry a placeholder a reader replaces are not run;
each is named in SKIPPED with the reason, and the test fails when the README's commands and that list
drift apart.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "kata-sandi-yang-panjang-2025"
SERVER = "starts a server (tests/test_portal_*.py and the browser tests start it)"
CLUSTER = "the cluster (make test-cluster)"
# Commands not run, by their text before any comment: the whole command, or (ending in "...") its start.
SKIPPED = {
    "make test": "runs this test suite itself",
    ".venv/bin/jembatan portal": SERVER,
    "make portal PORT=8081": SERVER,
    ".venv/bin/jembatan portal --inbox DIR --warehouse DIR": SERVER,
    "curl -s ...": "needs the portal running (tests/test_portal_api.py)",
    ".venv/bin/jembatan publications restore 20250101T120000000000Z": "placeholder: a publication id of "
                                                                      "`jembatan publications` (tests/test_publication.py)",
    ".venv/bin/jembatan key rotate": "reads every file again (tests/test_pseudonym_key.py)",
    ".venv/bin/jembatan review accept ID --by NAME": "placeholder: a conflict id of `jembatan review conflicts` "
                                                     "(tests/test_offices.py)",
    ".venv/bin/jembatan review refuse ID --by NAME": "placeholder: a conflict id (tests/test_offices.py)",
    ".venv/bin/jembatan match places.csv ...": "placeholder: a list of places of one's own (tests/test_match_command.py)",
    "make ui": SERVER, "make ui PORT=3001": SERVER,
    "make cluster": CLUSTER, "make cluster-status": CLUSTER, "make cluster-down": CLUSTER,
    ".venv/bin/jembatan sync --cluster ...": CLUSTER,
}


def readme_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^ *```{language}\n(.*?)^ *```", text, flags=re.MULTILINE | re.DOTALL)


def commands(block: str) -> list[str]:
    """The block's commands: each line not blank and not a comment (a comment after a command stays)."""
    return [line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith("#")]


def skipped_as(command: str) -> str | None:
    """The SKIPPED entry a README command falls under, or None (it runs)."""
    plain = command.split(" #")[0].strip()
    for entry in SKIPPED:
        if plain == entry or (entry.endswith(" ...") and plain.startswith(entry.removesuffix("..."))):
            return entry
    return None


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fresh") / "jembatan"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(folder)], check=True)
    venv = folder / ".venv"
    venv.mkdir()
    for entry in Path(sys.prefix).iterdir():
        if not entry.name.startswith("."):
            (venv / entry.name).symlink_to(entry)
    (venv / ".installed").touch()         # newer than pyproject.toml: make installs nothing
    return folder


def run(command: str, clone: Path) -> subprocess.CompletedProcess:
    # A newcomer's shell: no settings of the project's, and not inside a make (`make test` runs this test; a
    # make started from it would print "Entering/Leaving directory" lines a newcomer never sees).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JEMBATAN_", "DAGSTER_"))
           and k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES")}
    env.update(PYTHONPATH=str(clone), PASSWORD=PASSWORD)
    return subprocess.run(["bash", "-c", command], cwd=clone, env=env, input=PASSWORD + "\n",
                          capture_output=True, text=True, timeout=1800)


def test_every_readme_command_runs_as_printed_on_a_fresh_clone(clone):
    text = (clone / "README.md").read_text(encoding="utf-8")
    found = [c for block in readme_blocks(text, "sh") for c in commands(block)]
    # every skip names a command the README prints: none left over from an older README
    assert {skipped_as(c) for c in found} - {None} == set(SKIPPED)
    outputs = {}
    for command in found:
        if skipped_as(command):
            continue
        done = run(command, clone)
        assert done.returncode == 0, (command, done.stdout[-3000:], done.stderr[-3000:])
        outputs.setdefault(command.split(" #")[0].strip(), done)
    assert list(outputs)[:2] == ["make run", ".venv/bin/jembatan sync"], list(outputs)

    made = outputs["make run"]
    out = made.stdout.splitlines()
    # The generator and the sync count rows in the same words, to the same numbers.
    generated = next(line for line in out if line.startswith("wrote 17 files to build/sample"))
    assert generated.endswith(": 25923 rows in, 370 rows rejected, 26 rows flagged"), generated
    assert "25923 rows in, 370 rows rejected, 26 rows flagged (each cell in data_quality_rejection and the " \
           f"agencies' reports in {clone / 'warehouse' / 'reports'})" in out
    assert "total          10    10     25923    25553       370     99.4%       26" in out
    at = out.index("  Kepulauan Bangka Belitung (19)")
    assert out[at + 1].startswith("    2020: 180,412 / -   2021: 185,127 / 1,566") and out[at + 2] == "  Jawa Timur (35)"
    assert out[-5:] == [
        "Next:",
        "  review queue: 136 village names the matcher could not place (165 rows) wait for the steward: "
        ".venv/bin/jembatan review export",
        f"  analyst report: {clone / 'warehouse' / 'reports' / 'analyst_report.html'}",
        "  Dagster UI (runs, checks, each file's partition): make ui",
        "  agencies' portal (uploads, answers, templates): make portal"]
    # it said what it was doing while it worked (stderr), stage by stage
    assert re.search(r"^  \d+:\d\d  received_file: reading the new files$", made.stderr, re.MULTILINE), made.stderr
    assert re.search(r"^  \d+:\d\d  published_marts: done \(\d+ s\)$", made.stderr, re.MULTILINE), made.stderr
    # the sync printed next in the README finds every file already received
    again = outputs[".venv/bin/jembatan sync"].stdout.splitlines()
    assert "total          10     0     25923    25553       370     99.4%       26" in again
    assert "polres.bangka" in outputs[".venv/bin/jembatan portal user list"].stdout

    # The README's SQL examples, read-only against what make run published.
    with duckdb.connect(str(clone / "warehouse" / "jembatan.duckdb"), read_only=True) as con:
        statements = [s for block in readme_blocks(text, "sql") for s in con.extract_statements(block)]
        assert len(statements) == 6
        for statement in statements:
            assert con.execute(statement).fetchall() is not None
        assert con.execute("SELECT count(DISTINCT (file_name, sheet, \"row\")) FROM data_quality_rejection "
                           "WHERE severity = 'error'").fetchone()[0] == 370

"""Publishing with real processes: a reader querying in a loop during publications never fails or sees a
half-built table; a publishing process killed at any moment leaves the last good publication; kept
publications can be restored."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from assets.publish.publication import Warehouse, publish, restore
from tests.publish_fixture import tiny_inputs

ROOT = Path(__file__).resolve().parents[1]

# Reads the published file and its Parquet export until told to stop; logs each publication it saw.
READER = """
import json, sys, duckdb
from pathlib import Path
folder, log, stop = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
errors, seen = [], []
for _ in range(200000):
    if stop.exists():
        break
    try:
        con = duckdb.connect(str(folder / "jembatan.duckdb"), read_only=True)
        pid, rows, villages = con.execute(
            "SELECT (SELECT publication_id FROM publication), count(*), count(DISTINCT village_code) "
            "FROM mart_village_year").fetchone()
        con.close()
        parquet = duckdb.sql(f"SELECT count(*) FROM '{folder}/parquet/current/mart_village_year.parquet'").fetchall()[0][0]
        if rows != 9 or villages != 3 or parquet != 9:
            errors.append(f"half-built: {rows} rows, {villages} villages, {parquet} in parquet")
        if not seen or seen[-1] != pid:
            seen.append(pid)
            with log.open("a") as f:
                f.write(pid + "\\n")
    except Exception as error:
        errors.append(repr(error))
print(json.dumps({"errors": errors[:5], "error_count": len(errors), "seen": len(seen)}))
"""

PUBLISHER = """
import sys
from pathlib import Path
from assets.publish.publication import publish
from tests.publish_fixture import tiny_inputs
publish(Path(sys.argv[1]), *tiny_inputs())
"""


def python(code: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def wait_for(condition, what: str, limit: int = 1200) -> None:
    """Poll (bounded) for something another process does; not a timing assertion."""
    for _ in range(limit):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def test_reader_in_a_loop_never_sees_an_error_during_publications(tmp_path):
    folder = tmp_path / "warehouse"
    publish(folder, *tiny_inputs())
    log, stop = tmp_path / "seen.log", tmp_path / "stop"
    reader = python(READER, str(folder), str(log), str(stop))
    try:
        wait_for(lambda: log.exists(), "the reader to start")
        for _ in range(4):
            publish(folder, *tiny_inputs())
            current = Warehouse(folder).current_id()
            wait_for(lambda: current in log.read_text().split(), "the reader to see the new publication")
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=120)
    result = json.loads(out.strip().splitlines()[-1])
    assert result["error_count"] == 0, (result["errors"], err)
    assert result["seen"] >= 5


@pytest.mark.parametrize("delay", [0.0, 0.3, 0.8, 1.5, 2.5])
def test_publisher_killed_at_any_point_leaves_the_last_good_publication(tmp_path, delay):
    folder = tmp_path / "warehouse"
    publish(folder, *tiny_inputs())
    before = Warehouse(folder).current_id()
    publisher = python(PUBLISHER, str(folder))
    time.sleep(delay)          # where the kill lands varies; what must hold does not
    publisher.send_signal(signal.SIGKILL)
    publisher.wait(timeout=60)
    con = duckdb.connect(str(folder / "jembatan.duckdb"), read_only=True)
    after, rows = con.execute("SELECT (SELECT publication_id FROM publication), count(*) FROM mart_village_year").fetchone()
    con.close()
    assert rows == 9
    assert after == before or after in Warehouse(folder).history()      # the old one, or a finished new one
    assert duckdb.sql(f"SELECT count(*) FROM '{folder}/parquet/current/mart_village_year.parquet'").fetchall() == [(9,)]
    publish(folder, *tiny_inputs())           # the next build clears what the killed one left
    assert not [p for p in folder.rglob(".*") if p.name.startswith((".staging", ".current"))]


def test_previous_publications_kept_and_restorable(tmp_path, monkeypatch):
    monkeypatch.setenv("JEMBATAN_KEEP_PUBLICATIONS", "2")
    folder = tmp_path / "warehouse"
    ids = []
    for _ in range(3):
        publish(folder, *tiny_inputs())
        ids.append(Warehouse(folder).current_id())
    warehouse = Warehouse(folder)
    assert warehouse.history() == [ids[2], ids[1]]
    assert sorted(p.name for p in warehouse.parquet.iterdir()) == sorted([ids[1], ids[2], "current"])
    restore(folder, ids[1])
    assert warehouse.current_id() == ids[1]
    assert os.readlink(warehouse.parquet / "current") == ids[1]
    publish(folder, *tiny_inputs())   # a newer publication: the oldest beyond the kept count goes
    assert warehouse.history()[1] == ids[2] and (warehouse.parquet / ids[1]).exists() is False

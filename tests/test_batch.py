"""Receiving a folder with worker processes gives exactly what receiving it in-process gives: the same
statuses, manifests, stored rows and rejections, duplicates and supersessions in drop order."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

from assets.ingest import batch
from assets.ingest.work_area import WorkArea
from assets.privacy import load_key
from tests.agency_files import crime_rows, crime_xlsx

VOLATILE = {"received_at"}


def polda_folder(folder: Path) -> list[Path]:
    """Drop order: two resorts' files, a bad row in one, the same content under a second name, and a
    corrected file replacing the first."""
    folder.mkdir(parents=True)
    first = crime_xlsx(folder / "lp_a.xlsx", crime_rows(40))
    other = crime_xlsx(folder / "lp_b.xlsx", crime_rows(30, 500, "Tanjung Baru") + [[0, "", "kemarin", "", "", "", ""]])
    again = folder / "lp_a_copy.xlsx"
    again.write_bytes(first.read_bytes())
    rows = crime_rows(40)
    rows[5][4] = "Sidorejo"
    corrected = crime_xlsx(folder / "lp_a_revisi.xlsx", rows)
    files = [first, other, again, corrected]
    for i, path in enumerate(files):
        os.utime(path, ns=(1_700_000_000_000_000_000 + i,) * 2)
    return files


def stored(work: WorkArea) -> dict:
    manifests = {m["file_name"]: {k: v for k, v in m.items() if k not in VOLATILE} for m in work.manifests()}
    frames = {str(p.relative_to(work.root)): pd.read_parquet(p) for p in sorted(work.root.rglob("*.parquet"))}
    return {"manifests": manifests, "frames": frames}


def test_worker_processes_give_the_in_process_result(tmp_path, monkeypatch):
    files = polda_folder(tmp_path / "polda")
    monkeypatch.setattr(batch, "PARALLEL_MIN_BYTES", 0)
    results = {}
    for workers in (1, 2):
        work = WorkArea(tmp_path / f"work_{workers}")
        received = batch.receive_files(files, "polda", work, tmp_path / "archive", load_key(), workers=workers)
        results[workers] = ([(r.file_name, r.status, r.rows_accepted, r.rows_rejected) for r in received],
                            stored(work))
    statuses, serial = results[1]
    assert statuses == [("lp_a.xlsx", "accepted", 40, 0), ("lp_b.xlsx", "partially_accepted", 30, 1),
                        ("lp_a_copy.xlsx", "duplicate", 0, 0), ("lp_a_revisi.xlsx", "accepted", 40, 0)]
    assert serial["manifests"]["lp_a.xlsx"]["superseded_by"] == serial["manifests"]["lp_a_revisi.xlsx"]["sha256"]
    assert serial["manifests"]["lp_a.xlsx"]["also_received_as"] == ["lp_a_copy.xlsx"]
    assert results[2][0] == statuses
    assert results[2][1]["manifests"] == serial["manifests"]
    assert results[2][1]["frames"].keys() == serial["frames"].keys()
    for name, frame in serial["frames"].items():
        pd.testing.assert_frame_equal(results[2][1]["frames"][name], frame)


def test_files_are_hashed_again_only_when_they_changed(tmp_path, monkeypatch):
    folder = tmp_path / "bps"
    folder.mkdir()
    a, b = folder / "a.csv", folder / "b.csv"
    a.write_text("desa;jumlah\nAir Duren;3\n")
    b.write_text("desa;jumlah\nSidorejo;4\n")
    cache, archive = tmp_path / "hashes.json", tmp_path / "archive"
    hashed = []
    take = batch.take
    monkeypatch.setattr(batch, "take", lambda path, *args, **kw: hashed.append(path.name) or take(path, *args, **kw))
    first = batch.known_hashes([a, b], cache, archive)
    assert hashed == ["a.csv", "b.csv"]
    assert batch.known_hashes([a, b], cache, archive) == first and hashed == ["a.csv", "b.csv"]
    b.write_text("desa;jumlah\nSidorejo;5\n")           # same size, new content
    again = batch.known_hashes([a, b], cache, archive)
    assert hashed == ["a.csv", "b.csv", "b.csv"]
    assert again[0] == first[0] and again[1] != first[1] and again[1] == batch_sha(b)


def batch_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pid(_: object) -> int:
    return os.getpid()


def _die(status: int) -> None:
    os._exit(status)


def test_a_syncs_batches_share_one_pool_of_worker_processes():
    """assets/workers.py: inside worker_pool() every batch runs on the same worker processes (spawned once);
    outside one, each batch has processes of its own; after a worker dies the next batch gets a new pool."""
    from concurrent.futures.process import BrokenProcessPool

    from assets.workers import broken, pool_for, worker_pool

    def pids(pool) -> set[int]:
        return set(pool.map(_pid, range(8)))

    with pool_for(2) as first:
        alone = pids(first)
    with pool_for(2) as second:
        assert pids(second).isdisjoint(alone)          # a pool of its own, each time
    with worker_pool(2):
        with pool_for(2) as reading:
            read_by = pids(reading)
        with pool_for(2) as placing:
            assert placing is reading and pids(placing) <= read_by and os.getpid() not in read_by
        with pool_for(2) as after:
            with pytest.raises(BrokenProcessPool):      # a worker dies
                after.submit(_die, 1).result()
            broken(after)
        with pool_for(2) as fresh:
            assert fresh is not reading and pids(fresh).isdisjoint(read_by)


def test_folders_read_ahead_by_the_syncs_workers_give_the_in_process_result(tmp_path, monkeypatch):
    """batch.read_ahead: inside a sync's worker_pool, every new file of two folders is submitted at once
    (largest first) and receive_files takes each read from there, never reading in this process; what is
    stored is what reading them here, one folder at a time, stores."""
    from assets.workers import worker_pool

    polda = polda_folder(tmp_path / "inbox" / "polda")
    bps = tmp_path / "inbox" / "bps"
    bps.mkdir()
    (bps / "umkm.csv").write_text("desa;kecamatan;tahun;usaha mikro\nAir Duren;Pemali;2023;3\n")   # any file
    folders = {"polda": polda, "bps": [bps / "umkm.csv"]}
    results = {}
    for how in ("here", "ahead"):
        work, archive = WorkArea(tmp_path / f"work_{how}"), tmp_path / f"archive_{how}"
        shas = {source: batch.known_hashes(files, tmp_path / f"hashes_{how}_{source}.json", archive)
                for source, files in folders.items()}
        if how == "ahead":
            monkeypatch.setattr(batch, "PARALLEL_MIN_BYTES", 0)       # a few small files: workers all the same
            monkeypatch.setattr(batch, "read_received", None)      # any read in this process would fail
        with worker_pool(2):
            if how == "ahead":
                assert batch.read_ahead([(s, folders[s], shas[s]) for s in ("bps", "polda")], work, archive,
                                        load_key()) == 4     # lp_a_copy.xlsx is lp_a.xlsx's content
            received = [r for source in ("bps", "polda") for r in batch.receive_files(
                folders[source], source, work, archive, load_key(), workers=1 if how == "here" else 2,
                hashed=shas[source])]
        assert batch._AHEAD == {}
        results[how] = ([(r.file_name, r.status, r.rows_accepted) for r in received], stored(work))
    assert results["ahead"][0] == results["here"][0]
    assert [s for _, s, _ in results["here"][0][1:]] == ["accepted", "partially_accepted", "duplicate", "accepted"]
    assert results["ahead"][1]["manifests"] == results["here"][1]["manifests"]
    for name, frame in results["here"][1]["frames"].items():
        pd.testing.assert_frame_equal(results["ahead"][1]["frames"][name], frame)


def test_the_matcher_is_built_by_a_worker_while_the_files_are_read(tmp_path, monkeypatch):
    """stage.matcher_ahead: with the reference lists read first (a sync's run orders its steps so), read_ahead
    has a worker build and pickle the matcher before the first read, instead of the sync building it after
    the reading while the workers wait. This process never builds one (stage.Matcher is unusable here);
    the matcher placing loads is the one this process would have built."""
    from assets import steps
    from assets.harmonise import aliases, stage
    from assets.paths import steward_dir, stored_gazetteer
    from assets.workers import worker_pool
    from tests.conftest import write_reference_lists

    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse"
    write_reference_lists(inbox / "reference")
    polda = polda_folder(inbox / "polda")
    paths = steps.Paths(inbox, warehouse)
    assert stage.matcher_ahead(paths) is None           # no reference list read yet: nothing to build
    steps.refresh_gazetteer(paths)
    stored = stage.matcher_path(paths)
    assert not stored.exists()
    shas = batch.known_hashes(polda, tmp_path / "hashes.json", paths.archive)
    monkeypatch.setattr(batch, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(stage, "Matcher", None)         # a matcher built in this process would fail
    with worker_pool(2):
        assert batch.read_ahead([("polda", polda, shas)], paths.work, paths.archive, load_key(),
                                first=stage.matcher_ahead(paths)) == 3      # lp_a_copy.xlsx: lp_a.xlsx
        assert stage.matcher_ahead(paths) is None       # being built: not submitted twice
        placing = stage._LazyMatcher(paths, stored)
        assert placing.built() and stored.exists()
        batch.forget_ahead()
    assert stage._AHEAD == {} and stage.matcher_ahead(paths) is None
    loaded = placing()
    monkeypatch.undo()
    here = stage.Matcher(stored_gazetteer(paths), aliases.load_active(steward_dir(paths)))
    assert loaded.names == here.names and loaded.successor == here.successor and loaded.memo == {}
    assert len(loaded.successor) == 8          # the small lists: eight villages


def _participants(path: Path, program: str, first: int, day: int = 17) -> Path:
    """A koperasi list of 40 participants (NIKs `first`..`first`+39) of one program in August 2023."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["No", "Nama Usaha", "NIK", "Desa/Kel", "Kecamatan", "Program", "Tanggal"])
    for i in range(40):
        n = first + i
        nik = f"190101{1 + n % 28:02d}{1 + n % 12:02d}{80 + n % 20:02d}{n:04d}"
        ws.append([i + 1, f"Usaha {n}", nik, ("Air Duren", "Kampung Baru")[i % 2], "Mendo", program, f"{day}/08/2023"])
    wb.save(path)
    return path


def test_two_programs_lists_of_the_same_villages_do_not_replace_each_other(tmp_path):
    """A program file without a report number is compared with the earlier ones by its participants (their
    NIKs' keyed pseudonyms) and program, not by the villages alone: KUR and Pelatihan lists of the same
    villages and month both count; a corrected KUR list (its dates fixed) replaces the first."""
    folder = tmp_path / "koperasi"
    folder.mkdir()
    files = [_participants(folder / "kur_2023.xlsx", "KUR", 1), _participants(folder / "pelatihan_2023.xlsx",
                                                                              "Pelatihan", 101),
             _participants(folder / "kur_2023_revisi.xlsx", "KUR", 1, day=18)]
    for i, path in enumerate(files):
        os.utime(path, ns=(1_700_000_000_000_000_000 + i,) * 2)
    work = WorkArea(tmp_path / "work")
    received = batch.receive_files(files, "koperasi", work, tmp_path / "archive", load_key(), workers=1)
    assert [(r.file_name, r.status, r.rows_accepted) for r in received] == [
        ("kur_2023.xlsx", "accepted", 40), ("pelatihan_2023.xlsx", "accepted", 40),
        ("kur_2023_revisi.xlsx", "accepted", 40)]
    manifests = {m["file_name"]: m for m in work.manifests()}
    assert manifests["kur_2023.xlsx"]["superseded_by"] == manifests["kur_2023_revisi.xlsx"]["sha256"]
    assert not manifests["pelatihan_2023.xlsx"].get("superseded_by")
    # the sketch is of keyed pseudonyms: another key, other hashes
    from assets.ingest.supersede import file_scope
    from assets.ingest.receive import _read_tables
    from assets.ingest.record import Received
    results = _read_tables(files[0], "koperasi", Received("0" * 64, "koperasi", files[0].name, "rejected"))
    assert file_scope(results, b"k" * 32)[1] != file_scope(results, b"j" * 32)[1] == file_scope(results, b"j" * 32)[1]

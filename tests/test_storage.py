"""The storage layer (assets/storage.py) against a local folder and against a real S3-compatible server
(moto's, on loopback): every operation, on both."""
from __future__ import annotations

import contextlib
import os
import pickle
import socket
import threading
from pathlib import Path

import pandas as pd
import pytest

from assets import storage

BUCKET = "jembatan-test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def s3_server():
    """A moto S3 server on a free loopback port with an empty bucket; yields its endpoint URL. Sets the
    AWS credentials and JEMBATAN_S3_ENDPOINT for the test (restored after)."""
    boto3 = pytest.importorskip("boto3")
    from moto.server import ThreadedMotoServer
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION",
                                            storage.ENDPOINT_ENV)}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    os.environ[storage.ENDPOINT_ENV] = endpoint
    try:
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def bucket_keys(endpoint: str, prefix: str = "") -> list[str]:
    """Every object key under `prefix`, listed by boto3 (not through the storage layer)."""
    import boto3
    client = boto3.client("s3", endpoint_url=endpoint)
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        keys += [item["Key"] for item in page.get("Contents", [])]
    return sorted(keys)


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture(params=["local", "s3"])
def root(request, tmp_path, monkeypatch):
    """The storage root from JEMBATAN_STORAGE: a folder, or a fresh prefix of the moto bucket."""
    if request.param == "local":
        monkeypatch.setenv(storage.STORAGE_ENV, str(tmp_path / "shared"))
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        monkeypatch.setenv(storage.ENDPOINT_ENV, endpoint)
        monkeypatch.setenv(storage.STORAGE_ENV, f"s3://{BUCKET}/{request.node.name.replace('[', '-').strip(']')}")
    return storage.storage_root(tmp_path / "warehouse")


def test_the_setting_chooses_the_storage(tmp_path, monkeypatch):
    monkeypatch.delenv(storage.STORAGE_ENV, raising=False)
    assert storage.storage_root(tmp_path) == tmp_path           # default: the warehouse folder, a plain Path
    monkeypatch.setenv(storage.STORAGE_ENV, str(tmp_path / "share"))
    assert type(storage.storage_root(tmp_path)) is type(tmp_path) and storage.is_local(storage.storage_root(tmp_path))
    monkeypatch.setenv(storage.STORAGE_ENV, "s3://bucket/some/prefix")
    monkeypatch.setenv(storage.ENDPOINT_ENV, "http://127.0.0.1:9")
    remote = storage.storage_root(tmp_path)
    assert not storage.is_local(remote) and str(remote) == "s3://bucket/some/prefix"
    assert remote.storage_options["endpoint_url"] == "http://127.0.0.1:9"
    assert str(remote / "work" / "files") == "s3://bucket/some/prefix/work/files"
    assert storage.location(str(remote / "a.json")) == remote / "a.json"        # a place from its text


def test_bytes_written_atomically_then_read(root):
    target = root / "work" / "files" / "a.json"
    assert not storage.exists(target) and storage.stamp(target) is None
    storage.write_bytes(target, b'{"n": 1}')
    assert storage.exists(target) and storage.read_bytes(target) == b'{"n": 1}'
    first = storage.stamp(target)
    storage.write_bytes(target, b'{"n": 2}')
    assert storage.read_bytes(target) == b'{"n": 2}' and storage.stamp(target) != first
    # Nothing but the file itself is left beside it (no temporary file).
    assert [p.name for p in storage.listing(root / "work" / "files")] == ["a.json"]


def test_a_failed_write_leaves_the_old_content(root):
    target = root / "reports" / "bps" / "r.json"
    storage.write_bytes(target, b"old")

    def half_then_fail(tmp: Path):
        tmp.write_bytes(b"ne")
        raise OSError("disk gone")
    with pytest.raises(OSError):
        storage.atomic_write(target, half_then_fail)
    assert storage.read_bytes(target) == b"old"


def test_list_stamps_delete_and_move(root):
    for name in ("b.parquet", "a.parquet", "c.json"):
        storage.write_bytes(root / "work" / "accepted" / "bps" / name, name.encode())
    storage.write_bytes(root / "work" / "accepted" / "polda" / "a.parquet", b"x")
    found = storage.listing(root / "work" / "accepted", "*/*.parquet")
    assert [str(p.relative_to(root)) for p in found] == ["work/accepted/bps/a.parquet", "work/accepted/bps/b.parquet",
                                                         "work/accepted/polda/a.parquet"]
    stamped = storage.stamps(root / "work" / "accepted" / "bps", "*.parquet")
    assert [p.name for p, _ in stamped] == ["a.parquet", "b.parquet"]
    assert [s for _, s in stamped] == [storage.stamp(p) for p, _ in stamped]
    assert [p.name for p in storage.subfolders(root / "work" / "accepted")] == ["bps", "polda"]
    source = root / "work" / "accepted" / "bps" / "a.parquet"
    target = root / "work" / "superseded" / "a" / "accepted" / "bps" / "a.parquet"
    storage.move(source, target)
    assert not storage.exists(source) and storage.read_bytes(target) == b"a.parquet"
    storage.delete(target)
    storage.delete(target)               # already gone: nothing to do
    assert not storage.exists(target)
    storage.delete_tree(root / "work" / "accepted")
    assert storage.listing(root / "work" / "accepted", "**/*") == [] and storage.subfolders(root / "work") in (
        [], [root / "work" / "superseded"])
    assert storage.listing(root / "missing", "*.json") == [] and storage.stamps(root / "missing", "*") == []


def test_parquet_and_pickle_round_trip(root):
    frame = pd.DataFrame({"village_code": ["19.01.01.2001", None], "msme_micro": pd.array([12, None], "Int64"),
                          "amount": [2.5e6, float("nan")], "when": pd.to_datetime(["2023-08-17", None])})
    target = root / "work" / "placed" / "fact.parquet"
    storage.write_parquet(target, frame, index=False, compression="lz4")
    back = storage.read_parquet(target)
    pd.testing.assert_frame_equal(back, frame)
    assert storage.parquet_rows(target) == 2
    pd.testing.assert_frame_equal(storage.read_parquet(target, columns=["amount"]), frame[["amount"]])
    pickled = root / "work" / "placed" / "x.pickle"
    storage.atomic_write(pickled, lambda tmp: pd.to_pickle({"rows": target, "n": 2}, tmp))
    assert storage.read_pickle(pickled) == {"rows": target, "n": 2}


def test_local_copy_is_the_content(root):
    target = root / "archive" / "ab" / "abcdef.xlsx"
    storage.write_bytes(target, b"PK\x03\x04 workbook")
    with storage.local_copy(target) as local:
        assert isinstance(local, Path) and local.suffix == ".xlsx" and local.read_bytes() == b"PK\x03\x04 workbook"
        copied = local
    assert storage.exists(target)
    assert copied.exists() == storage.is_local(target)      # a downloaded copy is removed afterwards


def test_places_pickle_with_their_settings(root):
    """Worker processes get places by pickle: an object-storage place keeps its endpoint."""
    place = root / "work" / "files" / "x.json"
    storage.write_bytes(place, b"{}")
    again = pickle.loads(pickle.dumps(place))
    assert again == place and storage.read_bytes(again) == b"{}"


def test_writers_in_threads_never_show_half_a_file(root):
    target = root / "work" / "state.json"
    storage.write_bytes(target, b"0" * 100_000)
    seen, stop = set(), threading.Event()

    def read():
        while not stop.is_set():
            seen.add(len(storage.read_bytes(target)))
    reader = threading.Thread(target=read)
    reader.start()
    for n in range(1, 6):
        storage.write_bytes(target, str(n).encode() * 100_000)
    stop.set()
    reader.join()
    assert seen == {100_000}

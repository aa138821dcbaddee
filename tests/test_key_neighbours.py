"""The pseudonym key and the folders around it (issue 20, point 6): `jembatan key status` and a sync
refuse a key owned by another user, in a folder others may write, reached through a symbolic link, or
made of one repeated byte; the folders the project makes for personal data are owner-only."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from assets.pseudonym_key import KeyRefused, read_key, warehouse_key, write_new_key

ROOT = Path(__file__).resolve().parents[1]
NOBODY = 65534


def key_status(key: Path, warehouse: Path) -> subprocess.CompletedProcess:
    """`jembatan key status` in its own process, as an operator runs it."""
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "key", "status", "--warehouse", str(warehouse)],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "JEMBATAN_KEY_FILE": str(key)})


def sync(key: Path, warehouse: Path, inbox: Path) -> subprocess.CompletedProcess:
    inbox.mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "sync", "--inbox", str(inbox), "--warehouse",
                           str(warehouse)], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "JEMBATAN_KEY_FILE": str(key), "JEMBATAN_DAGSTER_INSTANCE": "ephemeral"})


def _other_owner(key: Path) -> str:
    os.chown(key, NOBODY, -1)
    return f"belongs to user {_name(NOBODY)}, not to"


def _group_writable_folder(key: Path) -> str:
    key.parent.chmod(0o770)
    return f"({key.parent}) can be written by others (mode 770)"


def _folder_of_another_user(key: Path) -> str:
    os.chown(key.parent, NOBODY, -1)
    return f"({key.parent}) belongs to user {_name(NOBODY)}"


def _link_into_world_writable_folder(key: Path) -> str:
    public = key.parent.parent / "public"
    public.mkdir()
    public.chmod(0o1777)            # like /tmp: anyone may put a file there
    target = public / "pseudonym.key"
    os.replace(key, target)
    key.symlink_to(target)
    return f"is a symbolic link (to {target})"


def _zero_key(key: Path) -> str:
    key.write_text("00" * 32 + "\n")
    return "is one byte repeated (00 x 32)"


def _repeated_byte(key: Path) -> str:
    key.write_text("ab" * 48 + "\n")
    return "is one byte repeated (ab x 48)"


def _name(uid: int) -> str:
    import pwd
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


FAULTS = [_other_owner, _group_writable_folder, _folder_of_another_user, _link_into_world_writable_folder,
          _zero_key, _repeated_byte]


@pytest.mark.parametrize("fault", FAULTS, ids=[f.__name__.strip("_") for f in FAULTS])
def test_key_status_and_a_sync_refuse_a_key_others_could_have_placed(tmp_path, fault):
    if fault in (_other_owner, _folder_of_another_user) and os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    key = tmp_path / "keys" / "pseudonym.key"
    write_new_key(key)
    warehouse = tmp_path / "warehouse"
    says = fault(key)
    done = key_status(key, warehouse)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"key:       refused: pseudonym key {key}" in done.stdout or "the folder of pseudonym key" in done.stdout
    assert says in done.stdout, done.stdout
    assert "a sync refuses to run" in done.stdout
    with pytest.raises(KeyRefused, match="symbolic link|belongs to|written by others|one byte repeated"):
        read_key(key)
    refused = sync(key, warehouse, tmp_path / "inbox")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.startswith("sync refused: ") and says in refused.stderr, refused.stderr
    assert not (warehouse / "key_fingerprint.json").exists()       # nothing recorded for a refused key


def test_a_good_key_in_an_owner_only_folder_is_usable(tmp_path):
    key = tmp_path / "keys" / "pseudonym.key"
    made = write_new_key(key)
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700 and key.stat().st_uid == os.geteuid()
    done = key_status(key, tmp_path / "warehouse")
    assert done.returncode == 0 and "key:       usable" in done.stdout and "a sync can run" in done.stdout
    assert warehouse_key(tmp_path / "warehouse", key) == made


def test_the_sync_makes_dagster_home_owner_only(tmp_path):
    key = tmp_path / "keys" / "pseudonym.key"
    write_new_key(key)
    home = tmp_path / "dagster_home"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    old = os.umask(0o022)
    try:
        done = subprocess.run([sys.executable, "-m", "pipelines.cli", "sync", "--inbox", str(inbox),
                               "--warehouse", str(tmp_path / "warehouse")], cwd=ROOT, capture_output=True,
                              text=True, env={**os.environ, "JEMBATAN_KEY_FILE": str(key),
                                              "DAGSTER_HOME": str(home)})
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def test_the_sample_folder_is_owner_only(tmp_path):
    out = tmp_path / "sample"
    old = os.umask(0o022)
    try:
        subprocess.run([sys.executable, "-m", "sample_data.generate", "--out", str(out)], cwd=ROOT, check=True,
                       capture_output=True)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert any(out.rglob("*.xlsx"))

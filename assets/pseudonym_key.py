"""The pseudonym key fails closed.

The key (32 random bytes, written as 64 hex digits) lives outside the warehouse, at JEMBATAN_KEY_FILE
(default ~/.config/jembatan/pseudonym.key). A warehouse records the *fingerprint* of the key its
pseudonyms were made with (`key_fingerprint.json`: an HMAC of a fixed label under the key, which says
nothing about the key itself). A sync then refuses, with one line, a key that is missing, empty, shorter
than 32 bytes, one byte repeated, a symbolic link, owned by another user, readable by others,
in a folder others may write, or not the recorded one: a different key would split every person
and officer into two pseudonyms without a trace.

Only a new warehouse (no fingerprint recorded, no stored pseudonyms) gets a key made for it on its first
sync, so `make run` and the tests work on a fresh machine. Otherwise the steward says so explicitly:
`jembatan key init` (a new warehouse, or one whose data came before fingerprints were recorded) or
`jembatan key rotate` (assets/key_rotation.py). Keys are created atomically: a temporary file (0600)
is written, flushed to disk and then linked into place, so a key file is never empty or half-written.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import pwd
import secrets
import stat
from pathlib import Path

from assets.access import forbidden_bits, restrict, restricted_dir
from assets.incremental import atomic_write
from assets.storage import storage_root

DEFAULT_KEY_FILE = Path.home() / ".config" / "jembatan" / "pseudonym.key"
KEY_BYTES = 32
FINGERPRINT_FILE = "key_fingerprint.json"
_LABEL = b"jembatan pseudonym key fingerprint v1"


class KeyRefused(Exception):
    """The key cannot be used for this warehouse; str() is one line saying why and what to do."""


def key_file() -> Path:
    return Path(os.environ.get("JEMBATAN_KEY_FILE", DEFAULT_KEY_FILE))


def fingerprint(key: bytes) -> str:
    """32 hex digits identifying the key; the key cannot be recovered from it."""
    return hmac.new(key, _LABEL, hashlib.sha256).hexdigest()[:32]


def read_key(path: Path | None = None) -> bytes:
    """The key in `path` (default key_file()), checked (check_key_file): a regular file, not a link, owned
    by the user running this, readable by that user only (or JEMBATAN_GROUP), in a folder only that user
    can write, holding at least 32 bytes as hex that are not one byte repeated. Raises KeyRefused."""
    path = path or key_file()
    check_key_file(path)
    text = path.read_text(errors="replace").strip()
    if not text:
        raise KeyRefused(f"pseudonym key {path} is empty; restore it from your backup, or `jembatan key rotate`")
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise KeyRefused(f"pseudonym key {path} is not hexadecimal (make one with `jembatan key init`)") from None
    if len(key) < KEY_BYTES:
        raise KeyRefused(f"pseudonym key {path} is too short: {len(key)} bytes, at least {KEY_BYTES} needed")
    if len(set(key)) == 1:
        raise KeyRefused(f"pseudonym key {path} is one byte repeated ({key[:1].hex()} x {len(key)}), not a "
                         "random key; make a new one with `jembatan key rotate`")
    return key


def check_key_file(path: Path) -> None:
    """Refuse (KeyRefused) a key file anyone but the user running this could have placed or changed: a
    missing file, a symbolic link (it could point anywhere, e.g. into a world-writable folder), not a
    regular file, owned by another user, readable by others, or in a folder another user owns or that
    the group or others may write (they could swap the key)."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        raise KeyRefused(f"pseudonym key {path} is missing; restore it from your backup, or `jembatan key "
                         "rotate` to re-key every stored pseudonym") from None
    if stat.S_ISLNK(st.st_mode):
        raise KeyRefused(f"pseudonym key {path} is a symbolic link (to {os.readlink(path)}); put the key file "
                         "itself there, in a folder only you can write")
    if not stat.S_ISREG(st.st_mode):
        raise KeyRefused(f"pseudonym key {path} is not a regular file")
    me = os.geteuid()
    if st.st_uid != me:
        raise KeyRefused(f"pseudonym key {path} belongs to user {_user(st.st_uid)}, not to {_user(me)} who runs "
                         "this; the key must be the running user's own file")
    if st.st_mode & forbidden_bits():
        raise KeyRefused(f"pseudonym key {path} is readable by others (mode {st.st_mode & 0o777:o}); "
                         f"run `chmod 600 {path}`")
    folder = path.parent.resolve()
    fst = folder.stat()
    if fst.st_uid != me:
        raise KeyRefused(f"the folder of pseudonym key {path} ({folder}) belongs to user {_user(fst.st_uid)}; "
                         "keep the key in a folder of your own, e.g. ~/.config/jembatan (mode 700)")
    if fst.st_mode & 0o022:
        raise KeyRefused(f"the folder of pseudonym key {path} ({folder}) can be written by others (mode "
                         f"{fst.st_mode & 0o7777:o}); run `chmod 700 {folder}`")


def _user(uid: int) -> str:
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


def write_new_key(path: Path, key: bytes | None = None, replace: bool = False) -> bytes:
    """Write a key (default: 32 new random bytes) atomically: temp file 0600, fsync, then link into place
    (refusing an existing key unless `replace`). Returns the key. Raises FileExistsError."""
    key = key if key is not None else secrets.token_bytes(KEY_BYTES)
    if not path.parent.exists():
        restricted_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(key.hex() + "\n")
            f.flush()
            os.fsync(f.fileno())
        restrict(tmp)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)          # atomic, and never over an existing key
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return key


# -- the warehouse's record --------------------------------------------------------------------------
def recorded(warehouse: Path) -> dict | None:
    path = warehouse / FINGERPRINT_FILE
    return json.loads(path.read_text()) if path.exists() else None


def record(warehouse: Path, key: bytes, **extra) -> None:
    """Record the key's fingerprint in the warehouse (never the key)."""
    warehouse.mkdir(parents=True, exist_ok=True)
    entry = {"fingerprint": fingerprint(key),
             "recorded_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), **extra}
    atomic_write(warehouse / FINGERPRINT_FILE, lambda tmp: tmp.write_text(json.dumps(entry, indent=1)))


def holds_pseudonyms(warehouse: Path) -> bool:
    """Whether anything in the warehouse was made with a key: received rows, or a publication."""
    work = storage_root(warehouse) / "work"        # the shared storage's work area (default: warehouse/work)
    return (any(work.glob("accepted/*/*.parquet")) or any(work.glob("superseded/*/accepted/*/*.parquet"))
            or (warehouse / "jembatan.duckdb").exists() or any((warehouse / "publications").glob("*.duckdb")))


def warehouse_key(warehouse: Path, path: Path | None = None) -> bytes:
    """The key for a sync into `warehouse`, or KeyRefused with one line.

    A new warehouse (no fingerprint, no stored pseudonyms) gets a new key when none exists, and the
    key's fingerprint is recorded. A warehouse with pseudonyms but no fingerprint (made before
    fingerprints were recorded) needs `jembatan key init` to adopt the key it was made with."""
    path = path or key_file()
    entry = recorded(warehouse)
    if entry is None:
        if holds_pseudonyms(warehouse):
            raise KeyRefused(f"warehouse {warehouse} holds pseudonyms but no key fingerprint; if {path} is "
                             "the key they were made with, run `jembatan key init`; else `jembatan key rotate`")
        if not path.exists() and not path.is_symlink():
            try:
                write_new_key(path)
            except FileExistsError:
                pass                    # made at the same moment by another step of this sync
        key = read_key(path)
        record(warehouse, key, key_file=str(path))
        return key
    if entry.get("rotating_to"):
        raise KeyRefused(f"a key rotation of {warehouse} did not finish; run `jembatan key rotate` again")
    key = read_key(path)
    if fingerprint(key) != entry["fingerprint"]:
        raise KeyRefused(f"pseudonym key {path} (fingerprint {fingerprint(key)[:12]}) is not the key warehouse "
                         f"{warehouse} was made with ({entry['fingerprint'][:12]}); use that key, or "
                         "`jembatan key rotate` to re-key every stored pseudonym")
    return key


def unusable_key(warehouse: Path) -> str | None:
    """One line when the pseudonym key cannot be used for this warehouse (warehouse_key refuses it), else
    None: what `jembatan sync` says before it starts."""
    try:
        warehouse_key(warehouse)
    except (KeyRefused, ValueError) as refused:
        return f"sync refused: {refused}"
    return None

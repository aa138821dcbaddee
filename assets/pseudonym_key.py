"""The pseudonym key fails closed.

The key (32 random bytes, written as 64 hex digits) lives outside the warehouse, at JEMBATAN_KEY_FILE
(default ~/.config/jembatan/pseudonym.key). A warehouse records the *fingerprint* of the key its
pseudonyms were made with (`key_fingerprint.json`: an HMAC of a fixed label under the key, which says
nothing about the key itself). A sync then refuses, with one line, a key that is missing, empty, shorter
than 32 bytes, readable by others, or not the recorded one: a different key would split every person
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
import secrets
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
    """The key in `path` (default key_file()), checked: it exists, is a regular file (or a link to one)
    readable by its owner only (or JEMBATAN_GROUP), and holds at least 32 bytes as hex. Raises KeyRefused."""
    path = path or key_file()
    try:
        st = path.stat()                # a link is judged by the file it points to
    except FileNotFoundError:
        raise KeyRefused(f"pseudonym key {path} is missing; restore it from your backup, or `jembatan key "
                         "rotate` to re-key every stored pseudonym") from None
    if not path.is_file():
        raise KeyRefused(f"pseudonym key {path} is not a regular file")
    if st.st_mode & forbidden_bits():
        raise KeyRefused(f"pseudonym key {path} is readable by others (mode {st.st_mode & 0o777:o}); "
                         f"run `chmod 600 {path}`")
    folder = path.resolve().parent.stat().st_mode
    if folder & 0o002 and not folder & 0o1000:       # anyone may replace the key there (no sticky bit)
        raise KeyRefused(f"the folder of pseudonym key {path} can be written by anyone (mode {folder & 0o777:o}); "
                         f"run `chmod 700 {path.resolve().parent}`")
    text = path.read_text(errors="replace").strip()
    if not text:
        raise KeyRefused(f"pseudonym key {path} is empty; restore it from your backup, or `jembatan key rotate`")
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise KeyRefused(f"pseudonym key {path} is not hexadecimal (make one with `jembatan key init`)") from None
    if len(key) < KEY_BYTES:
        raise KeyRefused(f"pseudonym key {path} is too short: {len(key)} bytes, at least {KEY_BYTES} needed")
    return key


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

"""Writing an uploaded file into an agency's inbox folder so that no sync ever reads half of it.

The upload is written under a temporary name in the same folder that the inbox reader leaves alone (it
starts with Excel's lock-file prefix `~$`, assets/ingest/inbox.LOCK_PREFIXES), hashed while written,
flushed to disk (fsync), then hard-linked to its final name (atomic, and never over an existing file: a name
already taken gets " (2)", " (3)", ...) and the temporary name removed; the folder is fsynced too. A sync
sees no file, or the whole file. The sync the portal starts is told so (its stamp in JEMBATAN_WHOLE_FILES,
sync_runs.py) and reads it at once; any other reader leaves it `JEMBATAN_SETTLE_SECONDS` like any other file.
"""
from __future__ import annotations

import errno
import hashlib
import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from assets.access import dir_mode, file_mode, restrict
from assets.ingest.inbox import LOCK_PREFIXES, remove_stale
from assets.ingest.formats.sheet import SUPPORTED_SUFFIXES

TEMP_PREFIX = f"{LOCK_PREFIXES[0]}portal-"        # "~$portal-": left alone by the inbox reader
STALE_TEMP_SECONDS = 3600
MAX_STEM_BYTES = 200                               # a file name is at most 255 bytes: room for " (n)" and .xlsx
MAX_STEM = 100                                     # report names keep 120 characters of a file name


class UploadRefused(ValueError):
    """The upload cannot be placed in the inbox: `code` says why (no_file, unsupported_type, too_large, empty)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class Received:
    """An upload written under its temporary name: its hash and size."""
    temp: Path
    sha256: str
    size: int


def inbox_name(original: str) -> str:
    """The name an upload gets in the inbox: the clerk's file name without any folder part, made safe
    (safe_stem: letters of any script, accents included, digits, spaces and `._()-` kept; symbols and
    emoji dropped; other characters `_`; so never a hidden, lock or system file), its stem cut to MAX_STEM
    characters and MAX_STEM_BYTES bytes. Raises UploadRefused (unsupported_type) when its extension is not one the sync reads."""
    base = PureWindowsPath(PurePosixPath(original.replace("\x00", "")).name).name
    suffix = PurePosixPath(base).suffix
    if suffix.lower() not in SUPPORTED_SUFFIXES:
        raise UploadRefused("unsupported_type", suffix or base)
    stem = within_bytes(safe_stem(base[: -len(suffix)])[:MAX_STEM], MAX_STEM_BYTES).strip(" .") or "berkas"
    suffix = suffix.lower()
    return f"{stem}{suffix}"


def within_bytes(text: str, limit: int) -> str:
    """`text` cut to at most `limit` bytes of UTF-8, never inside a character (100 characters of a script
    written in 3 or 4 bytes each pass the 255 bytes a file name may have)."""
    return text.encode()[:limit].decode(errors="ignore")


def safe_stem(stem: str) -> str:
    """A file name's stem as the clerk wrote it, in NFC, with only what is safe in every file system
    and share: letters (any script, "résumé", "Laporan Ñ"), marks, digits, spaces and `._()-` (other dashes
    as `-`). Symbols
    and emoji (Unicode categories S*) are dropped, control and format characters too; any other
    character (`#`, `:`, `~`, `$`, quotes, ...) becomes `_`; spaces run together; no leading `.`."""
    out = []
    for char in unicodedata.normalize("NFC", stem):
        kind = unicodedata.category(char)
        if kind[0] in "LMN" or char in " ._()-":
            out.append(char)
        elif char.isspace():
            out.append(" ")
        elif kind[0] == "S" or kind[0] == "C":
            continue
        elif kind == "Pd":              # dashes: "–", "—"
            out.append("-")
        else:
            out.append("_")
    return " ".join("".join(out).split()).lstrip(" .")


def receive(folder: Path, stream, limit: int, chunk: int = 1 << 20) -> Received:
    """Write `stream` (a binary file object) into `folder` under a temporary name (0600, or 0640 with
    JEMBATAN_GROUP), hashing it, and flush it to disk. Raises UploadRefused (too_large past `limit` bytes,
    empty for no byte); the temporary file is then removed."""
    folder.mkdir(parents=True, exist_ok=True, mode=dir_mode())
    temp = folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, file_mode())
    digest, size = hashlib.sha256(), 0
    try:
        restrict(temp)                  # the mode whatever the umask, and the steward group's when set
        with os.fdopen(fd, "wb") as out:
            while block := stream.read(chunk):
                size += len(block)
                if size > limit:
                    raise UploadRefused("too_large", str(limit))
                digest.update(block)
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise UploadRefused("empty")
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return Received(temp, digest.hexdigest(), size)


def place(received: Received, name: str) -> Path:
    """Link the received file to `name` in its folder, or the first free "stem (n).ext", then remove the
    temporary name and fsync the folder. Returns the final path."""
    folder = received.temp.parent
    stem, suffix = os.path.splitext(name)
    n = 1
    while True:
        final = folder / (name if n == 1 else f"{stem} ({n}){suffix}")
        try:
            os.link(received.temp, final)
            break
        except FileExistsError:
            n += 1
        except OSError as exc:          # a share without hard links: a rename, the name checked just before
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP) or os.path.lexists(final):
                raise
            os.replace(received.temp, final)
            break
    received.temp.unlink(missing_ok=True)
    _fsync_dir(folder)
    return final


def discard(received: Received) -> None:
    received.temp.unlink(missing_ok=True)


def clear_stale_temps(folder: Path) -> None:
    """Temporary uploads a killed portal left (an hour old: never one being written)."""
    remove_stale(folder, TEMP_PREFIX, STALE_TEMP_SECONDS)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

"""What an inbox folder holds, looked at safely, and taking a file from it into the archive.

Nothing is followed or opened that is not a regular file: a symbolic link, a folder, a fifo, a socket or
a device is refused with the reason (a link could point at any file of the machine, a fifo would block
the sync). A file still being written (changed within the settle time, or while it was being copied) is
left for the next sync, unless its writer placed it whole in one step and says so (JEMBATAN_WHOLE_FILES:
the portal's uploads, linked to their name only once written and flushed) and it is unchanged since. A
file is opened once, without following links and without blocking, and its bytes are hashed while they
are copied into the archive, so what is read later is exactly what was hashed: `sha256sum` of an archived
file gives its name.
"""
from __future__ import annotations

import functools
import hashlib
import os
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from assets.privacy import scrub
from assets.storage import Location, is_local, put_file

DEFAULT_SETTLE_SECONDS = 5.0
# Files an editor or the operating system keeps beside a workbook: left alone, with a line in the summary.
LOCK_PREFIXES = ("~$", ".~lock.")                  # Excel's owner file, LibreOffice's lock
SYSTEM_FILES = {".ds_store", "thumbs.db", "desktop.ini"}
RECEIVING_PREFIX = ".receiving-"                   # a copy under way in the archive
STALE_RECEIVING_SECONDS = 24 * 3600


def settle_seconds() -> float:
    """JEMBATAN_SETTLE_SECONDS (default 5): a file changed more recently than this is still being written."""
    return max(0.0, float(os.environ.get("JEMBATAN_SETTLE_SECONDS", DEFAULT_SETTLE_SECONDS)))


def being_written(st: os.stat_result, settle: float | None = None, now_ns: int | None = None) -> bool:
    """True when the file's content or metadata changed less than `settle` seconds ago (its
    modification time, or its change time: a copy that restores the original modification time
    still sets the change time), unless its stamp is one of whole_stamps(). The one rule the syncs and
    the inbox sensors wait by."""
    settle = settle_seconds() if settle is None else settle
    now_ns = time.time_ns() if now_ns is None else now_ns
    if now_ns - max(st.st_mtime_ns, st.st_ctime_ns) >= settle * 1e9:
        return False
    return whole_stamp(st) not in whole_stamps(os.environ.get(WHOLE_FILES, ""))


def stamp(st: os.stat_result) -> list[int]:
    """What says a file is unchanged between two looks: size, modification and change times, inode."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


WHOLE_FILES = "JEMBATAN_WHOLE_FILES"


def whole_stamp(st: os.stat_result) -> str:
    """A file's stamp() as one word, "size:mtime_ns:ctime_ns:inode": how a writer that placed the file whole
    names it in JEMBATAN_WHOLE_FILES (taken once the file is at its final name; any later change to its
    content, times, name or links changes it)."""
    return ":".join(map(str, stamp(st)))


@functools.lru_cache(maxsize=8)
def whole_stamps(value: str) -> frozenset[str]:
    """The stamps of JEMBATAN_WHOLE_FILES (`value`: whole_stamp() words separated by commas): files a writer
    placed in the inbox whole, in one step (written under another name, flushed, then linked), so settled
    at once while unchanged; no need to wait JEMBATAN_SETTLE_SECONDS for them. Set by the portal for the
    syncs it starts (pipelines/portal/sync_runs.py); empty otherwise."""
    return frozenset(word.strip() for word in value.split(",") if word.strip())


@dataclass(frozen=True)
class Entry:
    """Something in an inbox folder that is not received now, and why."""
    name: str            # shown name: bytes that are not UTF-8 replaced by U+FFFD
    status: str          # waiting (next sync), refused (never read), left_alone (lock and system files)
    code: str
    message: str
    message_id: str      # the same in Bahasa Indonesia
    sha256: str = ""     # of its content, when it could be read safely (a name that is not UTF-8)
    mtime_ns: int = 0


@dataclass
class InboxScan:
    files: list[Path] = field(default_factory=list)        # regular, settled files, in drop order
    stats: dict[Path, os.stat_result] = field(default_factory=dict)   # each one's lstat when listed
    entries: list[Entry] = field(default_factory=list)     # everything else


class NotTaken(Exception):
    """A listed file that could not be taken into the archive; `entry` says why."""

    def __init__(self, entry: Entry):
        super().__init__(entry.message)
        self.entry = entry


def shown_name(name: str) -> str:
    """A file name as it may be shown and stored: bytes that are not UTF-8 replaced by U+FFFD."""
    return os.fsencode(name).decode("utf-8", "replace")


def stored_name(name: str) -> str:
    """A file name as the project stores and shows it anywhere but the archive's own record
    (original_names.py): shown_name, its NIK- and phone-shaped numbers masked (privacy.scrub)."""
    return scrub(shown_name(name))


def valid_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
        return True
    except UnicodeEncodeError:       # os.listdir's surrogate escapes for undecodable bytes
        return False


WAITING = ("still_being_written", "The file is still being written (it changed in the last {seconds:g} "
           "seconds, or while it was read); it will be read at the next sync.",
           "Berkas masih sedang ditulis (berubah dalam {seconds:g} detik terakhir, atau saat dibaca); "
           "akan dibaca pada sinkronisasi berikutnya.")
REFUSED = {
    "symbolic_link": ("The entry is a symbolic link; links are never followed. Put the file itself in the inbox.",
                      "Entri ini tautan simbolik (symlink); tautan tidak pernah diikuti. Letakkan berkasnya "
                      "sendiri di inbox."),
    "folder": ("The entry is a folder; files in sub-folders are not read. Put the files in the agency folder "
               "itself.",
               "Entri ini folder; berkas di dalam subfolder tidak dibaca. Letakkan berkas langsung di folder "
               "instansi."),
    "not_a_file": ("The entry is not a regular file ({kind}); it was not opened.",
                   "Entri ini bukan berkas biasa ({kind}); tidak dibuka."),
    "name_not_utf8": ("The file name is not valid UTF-8 text; the file was not read. Rename it (letters, digits, "
                      "spaces) and drop it again.",
                      "Nama berkas bukan teks UTF-8 yang sah; berkas tidak dibaca. Ganti namanya (huruf, angka, "
                      "spasi) lalu letakkan lagi."),
    "cannot_open": ("The file could not be opened ({reason}); it was not read. Check its permissions.",
                    "Berkas tidak dapat dibuka ({reason}); tidak dibaca. Periksa izin aksesnya."),
}
LEFT_ALONE = {
    "lock_file": ("A lock file of a workbook open in Excel or LibreOffice; not read.",
                  "Berkas kunci dari workbook yang sedang dibuka di Excel atau LibreOffice; tidak dibaca."),
    "system_file": ("A file the operating system keeps in folders; not read.",
                    "Berkas yang dibuat sistem operasi di folder; tidak dibaca."),
}
KINDS = {stat.S_IFIFO: ("a named pipe (fifo)", "pipa bernama (fifo)"), stat.S_IFSOCK: ("a socket", "soket"),
         stat.S_IFCHR: ("a character device", "perangkat karakter"), stat.S_IFBLK: ("a block device", "perangkat blok")}


def _refused(name: str, code: str, sha: str = "", **fill) -> Entry:
    english, indonesian = REFUSED[code]
    fill_id = {k: v[1] if isinstance(v, tuple) else v for k, v in fill.items()}
    fill_en = {k: v[0] if isinstance(v, tuple) else v for k, v in fill.items()}
    return Entry(shown_name(name), "refused", code, english.format(**fill_en), indonesian.format(**fill_id), sha)


def waiting(name: str, st: os.stat_result | None = None, settle: float | None = None) -> Entry:
    code, english, indonesian = WAITING
    seconds = settle_seconds() if settle is None else settle
    return Entry(shown_name(name), "waiting", code, english.format(seconds=seconds),
                 indonesian.format(seconds=seconds), mtime_ns=st.st_mtime_ns if st else 0)


def scan_inbox(folder: Path, settle: float | None = None) -> InboxScan:
    """Every entry of one inbox folder, by what it is (lstat: links are not followed; a folder that is
    itself a link is refused whole). Regular files are listed oldest first (then by name), so a
    corrected file comes after the one it corrects."""
    scan = InboxScan()
    if folder.is_symlink():           # the agency folder itself is a link: what it points at is not read
        scan.entries.append(_refused(folder.name, "symbolic_link"))
        return scan
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return scan
    now_ns = time.time_ns()
    for item in sorted(entries, key=lambda e: e.name):
        name = item.name
        try:
            st = item.stat(follow_symlinks=False)
        except FileNotFoundError:          # gone since it was listed
            continue
        mode = st.st_mode
        if stat.S_ISLNK(mode):
            scan.entries.append(_refused(name, "symbolic_link"))
        elif stat.S_ISDIR(mode):
            scan.entries.append(_refused(name, "folder"))
        elif not stat.S_ISREG(mode):
            scan.entries.append(_refused(name, "not_a_file", kind=KINDS.get(stat.S_IFMT(mode), ("unknown", "?"))))
        elif not valid_utf8(name):
            scan.entries.append(_refused(name, "name_not_utf8", sha=_sha_or_empty(Path(item.path))))
        elif name.startswith(LOCK_PREFIXES) or name.lower() in SYSTEM_FILES or name.startswith("._"):
            code = "lock_file" if name.startswith(LOCK_PREFIXES) else "system_file"
            scan.entries.append(Entry(name, "left_alone", code, *LEFT_ALONE[code]))
        elif being_written(st, settle, now_ns):
            scan.entries.append(waiting(name, st, settle))
        else:
            path = Path(item.path)
            scan.files.append(path)
            scan.stats[path] = st
    scan.files.sort(key=lambda p: (scan.stats[p].st_mtime_ns, p.name))
    return scan


def open_regular(path: Path) -> tuple[int, os.stat_result]:
    """An open descriptor of `path` and its fstat; raises NotTaken when it is not a regular file
    (a link is not followed, a fifo does not block) or cannot be opened."""
    name = path.name
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise NotTaken(waiting(name)) from None          # moved away while listed: look again next time
    except OSError as exc:
        if os.path.islink(path):
            raise NotTaken(_refused(name, "symbolic_link")) from None
        raise NotTaken(_refused(name, "cannot_open", reason=exc.strerror or type(exc).__name__)) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise NotTaken(_refused(name, "not_a_file", kind=KINDS.get(stat.S_IFMT(st.st_mode), ("unknown", "?"))))
    return fd, st


def _copy(fd: int, out) -> str:
    digest = hashlib.sha256()
    while block := os.read(fd, 1 << 20):
        digest.update(block)
        if out is not None:
            out.write(block)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    """SHA-256 (hex) of a regular file's content, opened as open_regular does; raises NotTaken."""
    fd, _ = open_regular(path)
    try:
        return _copy(fd, None)
    except OSError as exc:
        raise NotTaken(_refused(path.name, "cannot_open", reason=exc.strerror or "read error")) from None
    finally:
        os.close(fd)


def _sha_or_empty(path: Path) -> str:
    try:
        return sha256_of(path)
    except NotTaken:
        return ""


def archived_path(archive_dir: Location, sha: str, suffix: str) -> Location:
    return archive_dir / sha[:2] / f"{sha}{suffix.lower()}"


def take(path: Path, archive_dir: Location, listed: os.stat_result | None = None,
         settle: float | None = None) -> tuple[str, Path, os.stat_result]:
    """Copy a settled regular file into the archive while hashing it: (sha256, archived path, the
    file's fstat). Opened once (O_NOFOLLOW, O_NONBLOCK); the copy is written under a temporary name in
    the archive and renamed to <sha256><suffix>, owner-only. Raises NotTaken: waiting when the file
    changed since it was listed (`listed`) or while it was copied, refused when it cannot be read."""
    fd, before = open_regular(path)
    try:
        if being_written(before, settle) or (listed is not None and stamp(listed) != stamp(before)):
            raise NotTaken(waiting(path.name, before, settle))
        local = is_local(archive_dir)        # else object storage: copied here first, then put whole
        if local:
            archive_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp_fd, tmp = tempfile.mkstemp(dir=archive_dir if local else None, prefix=RECEIVING_PREFIX)   # mode 0600
        try:
            with os.fdopen(tmp_fd, "wb") as out:
                sha = _copy(fd, out)
            after = os.fstat(fd)
            if stamp(after) != stamp(before):
                raise NotTaken(waiting(path.name, after, settle))
            target = archived_path(archive_dir, sha, path.suffix)
            if not target.exists():
                if local:
                    target.parent.mkdir(exist_ok=True, mode=0o700)
                put_file(Path(tmp), target)
        except OSError as exc:
            raise NotTaken(_refused(path.name, "cannot_open", reason=exc.strerror or "read error")) from None
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return sha, target, before
    finally:
        os.close(fd)


def clear_stale_copies(archive_dir: Path) -> None:
    """Temporary copies a killed sync left in the archive (a day old: never one a running sync writes).
    An archive in object storage never holds one (a copy is put whole)."""
    if is_local(archive_dir):
        remove_stale(archive_dir, RECEIVING_PREFIX, STALE_RECEIVING_SECONDS)


def remove_stale(folder: Path, prefix: str, seconds: float) -> None:
    """Delete the files of `folder` named `prefix`* not changed for `seconds` (what a killed process left
    half-written); nothing when the folder is missing. Links are never followed."""
    if not folder.is_dir():
        return
    limit = time.time() - seconds
    for path in folder.glob(f"{prefix}*"):
        try:
            if path.lstat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            pass

"""Where the portal keeps its own files, and its secret key.

`<warehouse>/portal/` (owner-only, 0700) holds `secret_key` (signs the session cookie and CSRF tokens;
32 random bytes as hex, 0600, made once on first start, never in the repository) and `portal.sqlite3`
(the account store, 0600). Losing the secret key only logs everyone out: a new one is made.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from assets.pseudonym_key import write_new_key

PORTAL_FOLDER = "portal"
SECRET_KEY_FILE = "secret_key"
DATABASE_FILE = "portal.sqlite3"


class PortalRefused(Exception):
    """The portal's own files cannot be used safely; the message says what to do."""


def portal_dir(warehouse: Path) -> Path:
    """<warehouse>/portal, created owner-only (0700) or made so."""
    folder = warehouse / PORTAL_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def secret_key(folder: Path) -> bytes:
    """The portal's secret key in `folder`, made on first use (written atomically, 0600: temp file, fsync,
    link). Raises PortalRefused when the file is not a regular file, is readable by others or too short."""
    path = folder / SECRET_KEY_FILE
    if not os.path.lexists(path):
        try:
            write_new_key(path)
        except FileExistsError:          # another portal process made it first: use theirs
            pass
        os.chmod(path, 0o600)
    st = os.lstat(path)
    if not stat.S_ISREG(st.st_mode):
        raise PortalRefused(f"portal secret key {path} is not a regular file")
    if st.st_mode & 0o077:
        raise PortalRefused(f"portal secret key {path} is readable by others (mode {st.st_mode & 0o777:o}); "
                            f"run `chmod 600 {path}`")
    try:
        key = bytes.fromhex(path.read_text().strip())
    except ValueError:
        key = b""
    if len(key) < 32:
        raise PortalRefused(f"portal secret key {path} is damaged; remove it (everyone is logged out) and start "
                            "the portal again")
    return key

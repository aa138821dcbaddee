"""Who may read what the warehouse holds: restricted files (the pseudonym key, received files, the work
area, the restricted database and its Parquet) are the owner's only, or also a group the steward names
in JEMBATAN_GROUP; never anyone else's. Modes are set explicitly, whatever the process umask.
"""
from __future__ import annotations

import grp
import os
from pathlib import Path

from assets.location import is_local

GROUP_ENV = "JEMBATAN_GROUP"


def steward_group() -> int | None:
    """The gid of JEMBATAN_GROUP (a name or a number), or None when unset. Raises ValueError for a
    group name this machine does not know."""
    name = os.environ.get(GROUP_ENV, "").strip()
    if not name:
        return None
    try:
        return int(name) if name.isdigit() else grp.getgrnam(name).gr_gid
    except KeyError:
        raise ValueError(f"{GROUP_ENV}={name!r} is not a group on this machine") from None


def file_mode() -> int:
    """0o600, or 0o640 with a steward group."""
    return 0o640 if steward_group() is not None else 0o600


def dir_mode() -> int:
    """0o700, or 0o750 with a steward group."""
    return 0o750 if steward_group() is not None else 0o700


def forbidden_bits() -> int:
    """Permission bits a restricted file must not have: any for others, and any for the group unless a
    steward group is set (then group write)."""
    return 0o027 if steward_group() is not None else 0o077


def restrict(path: Path) -> Path:
    """Set a restricted file's or folder's mode (and group, when JEMBATAN_GROUP is set); returns path."""
    gid = steward_group()
    if gid is not None:
        os.chown(path, -1, gid)
    os.chmod(path, dir_mode() if path.is_dir() else file_mode())
    return path


def restricted_dir(path: Path) -> Path:
    """Create (with parents) a restricted folder, or restrict an existing one. A place in object storage
    (assets/storage.py) is left as it is: who may read it is the bucket's policy."""
    if not is_local(path):
        return path
    path.mkdir(parents=True, exist_ok=True)
    return restrict(path)


def restrict_tree(root: Path) -> None:
    """Restrict a folder and everything under it (symbolic links are left alone, never followed)."""
    if not root.exists():
        return
    restrict(root)
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            if not path.is_symlink():
                restrict(path)


def shareable(path: Path) -> Path:
    """Set a public file's or folder's mode: readable by everyone (0o644 / 0o755), whatever the umask."""
    os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return path

"""What a place of the shared storage is (assets/storage.py): a `Location` is a `pathlib.Path` for a
folder on this machine (local disk or a mounted share) and a `upath.UPath` (fsspec's pathlib) for
object storage. A leaf: assets/access.py and assets/storage.py both ask it whether a place is local.
"""
from __future__ import annotations

from pathlib import Path
from typing import Union

try:                                     # only needed for object storage
    from upath import UPath
except ImportError:                      # pragma: no cover - universal_pathlib is a dependency
    UPath = None

Location = Union[Path, "UPath"]


def is_local(place: Location) -> bool:
    """True for a folder on this machine's file system (local disk or a mounted share)."""
    return UPath is None or not isinstance(place, UPath) or place.protocol in ("", "file", "local")


def is_place(value: object) -> bool:
    """Whether `value` is a Location (a Path, or an object-storage UPath)."""
    return isinstance(value, Path) or (UPath is not None and isinstance(value, UPath))

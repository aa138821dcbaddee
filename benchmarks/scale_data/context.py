"""What every file writer needs: the places, their spellings, the volume factor, the seed, planned data."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from sample_data.rng import streams

from .places import NATIONAL_VILLAGES, Places
from .spellings import Spellings


@dataclass
class Context:
    inbox: Path
    seed: int
    places: Places
    spell: Spellings
    plans: dict = field(default_factory=dict)     # dataset -> planned rows, filled before writing

    @property
    def factor(self) -> float:
        """Volumes relative to the whole country (national volumes are per 83,762 villages)."""
        return self.places.selected / NATIONAL_VILLAGES

    def streams(self, label: str):
        return streams(self.seed, label)


@dataclass
class FileTask:
    """One agency file to write; ``write(ctx, key)`` returns (data rows, bad rows) written."""
    source: str
    dataset: str
    path: str                      # relative to the inbox
    rows: int                      # expected size, for scheduling the biggest files first
    write: Callable
    key: tuple


def year_days(year: int) -> np.ndarray:
    """Every date of a year as datetime objects (day-of-year -> cell value), built once per file."""
    start = dt.datetime(year, 1, 1)
    n = (dt.datetime(year + 1, 1, 1) - start).days
    return np.array([start + dt.timedelta(days=i) for i in range(n)], dtype=object)


def days_in(year: int) -> int:
    return (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days

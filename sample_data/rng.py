"""Seeded random generators, one independent stream per label (never the global RNG)."""
from __future__ import annotations

import random
import zlib

import numpy as np


def streams(seed: int, label: str) -> tuple[random.Random, np.random.Generator]:
    """Return a (random.Random, numpy Generator) pair for one labelled stream."""
    py = random.Random(f"{seed}:{label}")
    npg = np.random.default_rng([seed, zlib.crc32(label.encode("utf-8"))])
    return py, npg

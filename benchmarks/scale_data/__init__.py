"""Deterministic agency files at a chosen scale, for end-to-end benchmarks up to the whole country.

    python -m benchmarks.scale_data --out DIR --scale S [--reference DIR] [--seed N]

Scale 1 is one province (~393 villages: Bangka Belitung), 4, 16, ... or ``national`` (83,762
villages). Real national lists are used when the reference folder has them, an invented gazetteer
otherwise. Output: OUT/inbox/{reference,bps,koperasi,polda}/ and OUT/manifest.json.
"""
from .generate import generate_scale, parse_scale

__all__ = ["generate_scale", "parse_scale"]

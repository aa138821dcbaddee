"""Supersession: a corrected file replaces the earlier one it corrects. Each file's rows are sketched
(bottom-k of their keys' hashes, `file_scope`); a later file of the same folder, datasets and periods
whose sketch is like an earlier one's (`similarity` >= SAME_COVERAGE) supersedes it, and
`settle_supersessions` moves the earlier file's stored rows aside (kept, no longer counted).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from assets import storage
from assets.ingest.layout import normalise_header
from assets.ingest.record import Received
from assets.ingest.table import TableResult
from assets.ingest.work_area import Ledger
from assets.offices import manifest_office
from assets.privacy import pseudonyms
from schemas import DATASETS

SAME_COVERAGE = 0.5     # estimated Jaccard similarity of two files' rows for one to replace the other
SKETCH_SIZE = 128


def file_scope(results: list[TableResult], key: bytes | None = None) -> tuple[list[str], list[str]]:
    """(periods the rows are about: "2023" for yearly counts, "2023-08" for dated events; a compact
    sketch of what the rows are: their unique keys (report numbers), else their row identity (a
    participant's NIK, by its keyed pseudonym under `key`, and the program), else the places they name)."""
    periods, hashes = set(), [np.empty(0, dtype="uint64")]
    for result in results:
        dataset = DATASETS[result.dataset]
        frame = result.all_rows
        when = frame.get(dataset.year_column)
        if when is not None:
            when = pd.Series(when.dropna().unique())       # a few hundred dates, not one per row
            periods |= set(when.dt.strftime("%Y-%m") if dataset.column(dataset.year_column).kind == "date"
                           else when.astype(int).astype(str))
        names = list(dataset.unique_key) or list(dataset.row_identity) or \
            [next((n for n in ("village_code", "village_name", "village_list", "police_sector") if n in frame), "")]
        if all(n in frame for n in names):
            rows = frame[names].dropna()
            keys = pd.DataFrame({n: _normalised(_identity(rows[n], _declared(dataset, n), key)) for n in names})
            hashes.append(pd.util.hash_pandas_object(keys, index=False).to_numpy())
    return sorted(periods), bottom_k_sketch(np.concatenate(hashes))


def _declared(dataset, name: str):
    return next((c for c in dataset.columns if c.name == name), None)


def _identity(values: pd.Series, column, key: bytes | None) -> pd.Series:
    """A personal column's values as their keyed pseudonyms (what is stored): the sketch is kept in the
    manifest, and an unkeyed hash of a NIK could be reversed by trying every NIK."""
    if column is None or not column.personal:
        return values
    if key is None:
        raise ValueError(f"{column.name} is personal: its identity needs the pseudonym key")
    return pd.Series(pseudonyms(key, column.name, values.tolist()), index=values.index, dtype=object)


def _normalised(values: pd.Series) -> np.ndarray:
    """normalise_header(str(v)) per value: with Arrow for ASCII texts (the same result), else in Python."""
    codes, uniques = pd.factorize(values.astype(str))
    texts = pa.array(uniques, type=pa.string())
    out = pc.utf8_trim(pc.replace_substring_regex(pc.ascii_lower(texts), "[^0-9a-z]+", " "), " ")
    out = out.to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(~pc.string_is_ascii(texts).to_numpy(zero_copy_only=False)):
        out[i] = normalise_header(uniques[i])
    return out[codes]


def bottom_k_sketch(hashes: np.ndarray) -> list[str]:
    """The SKETCH_SIZE smallest distinct 64-bit hashes of a set's items (pandas' fixed-key hash, the
    same on every run): two sketches estimate how alike two sets are."""
    smallest = None
    if len(hashes) > 8 * SKETCH_SIZE:
        # The smallest distinct hashes are among the smallest hashes: a partial sort finds those.
        smallest = np.unique(np.partition(hashes, 8 * SKETCH_SIZE)[:8 * SKETCH_SIZE + 1])
    if smallest is None or len(smallest) < SKETCH_SIZE:
        smallest = np.unique(hashes)
    return [f"{h:016x}" for h in smallest[:SKETCH_SIZE]]


def similarity(a: list[str], b: list[str]) -> float:
    """Estimated Jaccard similarity of the sets behind two bottom-k sketches."""
    if not a or not b:
        return 0.0
    both = set(a).intersection(b)
    if not both:            # most pairs (a Polres's monthly files share no report number): no sort needed
        return 0.0
    union = sorted(set(a).union(b))[:SKETCH_SIZE]
    return sum(h in both for h in union) / len(union)


def superseded_files(manifests: list[dict], received: Received) -> list[str]:
    """Earlier files a corrected one replaces: same office (assets/offices.py: never another office's
    file), same agency folder, datasets and periods, and mostly the same rows (same report numbers, or
    same places), so two police resorts sending the same months, or one sending a month at a time, do
    not replace each other."""
    if not received.years:
        return []
    office = manifest_office(received.as_dict())       # once: as_dict copies the whole record
    return [other["sha256"] for other in manifests
            if other["sha256"] != received.sha256 and not other.get("superseded_by")
            and other["source"] == received.source and other["datasets"] == received.datasets
            and other.get("years") == received.years and other["status"] in ("accepted", "partially_accepted")
            and manifest_office(other) == office
            and similarity(received.coverage, other.get("coverage", [])) >= SAME_COVERAGE]


def settle_supersessions(ledger: Ledger, manifests: list[dict] | None = None) -> None:
    """Retire every file a later one (of `manifests`, default all) supersedes: its stored rows move to
    superseded/ (kept, no longer counted) and its manifest says by what. Idempotent, so a sync killed
    half-way finishes it on rerun."""
    work = ledger.work
    for manifest in ledger.manifests() if manifests is None else manifests:
        for old_sha in manifest.get("supersedes", []):
            old = ledger.get(old_sha)
            if old is None or old.get("superseded_by") == manifest["sha256"]:
                continue
            for path in [*work.root.glob(f"accepted/*/{old_sha}.parquet"), work.rejections_path(old_sha)]:
                if path.exists():
                    storage.move(path, work.root / "superseded" / old_sha / path.relative_to(work.root))
            old["superseded_by"] = manifest["sha256"]
            old["notes"] = [*old["notes"], f"superseded by {manifest['file_name']} ({manifest['sha256'][:12]}), "
                                           "a corrected file for the same data; its rows no longer count"]
            old["notes_id"] = [*old.get("notes_id", []),
                               f"digantikan oleh {manifest['file_name']} ({manifest['sha256'][:12]}), berkas "
                               "perbaikan untuk data yang sama; barisnya tidak dihitung lagi"]
            ledger.write(old)

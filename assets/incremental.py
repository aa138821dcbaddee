"""The fingerprints Dagster cannot keep: what each of the warehouse's own outputs was built from.

Each unpartitioned stage (reference, harmonise, agency reports, publish, analyst report) records, when it
has run, a fingerprint of its inputs (data and the code that reads them) in warehouse/work/state.json,
beside the outputs it certifies. They live in the warehouse, not in the Dagster instance, because the two
have separate lives: `jembatan sync` may run on a throw-away instance (JEMBATAN_DAGSTER_INSTANCE=ephemeral,
the tests), one instance may serve several warehouses (`--warehouse`), and a warehouse may be deleted,
rebuilt (`--rebuild`) or moved while the instance remembers it. The same fingerprint is the asset's
`data_version` in Dagster (pipelines/defs/assets.py), so the UI's history and staleness follow it.

There is one skip decision, the planner's (pipelines/defs/planning.py asks assets/steps.stale_stages):
a stage whose recorded fingerprint matches its inputs now and whose outputs exist is left out of the
run, and so records nothing; the stages never skip by themselves. Content-addressed names (files are
named by their SHA-256) keep a fingerprint cheap: it hashes names, the small reference and steward files,
and source code, not the data. Large files (the stages' own outputs, written by atomic rename) count by
size and modification time. Inside harmonise, a dataset whose files did not change keeps its earlier
result (`harmonise.<dataset>`): work saved within a step that runs, not a step skipped.

Which files a run reads and places is Dagster's: a partition per file, and a run over only the new
files' partitions (pipelines/defs/partitions.py, pipelines/defs/planning.py).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from assets.storage import atomic_write, is_place, read_text, stamp  # noqa: F401  (atomic_write: where it always was)

CODE_ROOT = Path(__file__).resolve().parents[1]
CONTENT_HASHED_BYTES = 4 << 20


def fingerprint(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            digest.update(part.name.encode())
            if part.is_file():
                st = part.stat()
                digest.update(part.read_bytes() if st.st_size <= CONTENT_HASHED_BYTES
                              else f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}".encode())
        elif is_place(part):          # in object storage: its ETag (a digest of its content) and size
            digest.update(part.name.encode() + repr(stamp(part)).encode())
        else:
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def code_files(*places: str) -> list[Path]:
    """The project's own source files under these folders, or these files (relative to the repository root)."""
    found = []
    for place in places:
        path = CODE_ROOT / place
        found += [path] if path.is_file() else [p for p in path.rglob("*")
                                                if p.suffix in (".py", ".sql") and "__pycache__" not in p.parts]
    return sorted(found)


def read_memo(path: Path) -> dict:
    """What a stage worked out per file last time (a JSON object): empty when missing or unreadable."""
    try:
        return json.loads(read_text(path))
    except (OSError, ValueError):
        return {}


def write_frame(path: Path, frame) -> None:
    """A work-area frame as Parquet, by atomic rename. LZ4: these files are written once per received
    file and read back by the next stage on the same machine, where writing fast beats writing small
    (snappy took twice as long on 200,000 crime reports)."""
    atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False, compression="lz4"))


def write_memo(path: Path, memo: dict, previous: dict | None = None) -> None:
    """Written whole by atomic rename, and only when it differs from `previous`."""
    if memo != previous:
        atomic_write(path, lambda tmp: tmp.write_text(json.dumps(memo, indent=1, default=str)))


class StageState:
    """warehouse/work/state.json: per stage, the fingerprint of the inputs it was last built from and
    the result it returned then ({stage: {"key": str, "result": dict}})."""

    def __init__(self, path: Path):
        self.path = path

    def _read(self) -> dict:
        return read_memo(self.path)

    def unchanged(self, stage: str, key: str) -> dict | None:
        """The result recorded when the stage last ran with these inputs, or None."""
        entry = self._read().get(stage)
        return entry["result"] if entry and entry["key"] == key else None

    def built_from(self, stage: str) -> str | None:
        """The fingerprint the stage was last built from (its data version), or None."""
        entry = self._read().get(stage)
        return entry["key"] if entry else None

    def record(self, stage: str, key: str, result: dict) -> None:
        state = self._read()
        state[stage] = {"key": key, "result": result}
        write_memo(self.path, state)

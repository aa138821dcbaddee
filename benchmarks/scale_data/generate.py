"""Plan every dataset in the parent process, then write the files in worker processes (forked, so
they share the plans without copying), biggest files first; write the manifest last."""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
from collections import Counter
from pathlib import Path

from . import bhabin, crime, msme, programs
from .context import Context, FileTask
from .places import load_national, national_folder
from .spellings import Spellings
from .synthetic import synthetic_places

NATIONAL = "national"
PLANNERS = [msme.plan, crime.plan, programs.plan, bhabin.plan]
_CTX: Context | None = None        # set before the workers fork; read by _write_one


def parse_scale(scale: float | str) -> float | None:
    """A positive factor (1 = one province), or None for the whole country."""
    if isinstance(scale, str) and scale.strip().lower() == NATIONAL:
        return None
    value = float(scale)
    if value <= 0:
        raise ValueError(f"scale must be positive or 'national', got {scale!r}")
    return value


def default_reference() -> Path:
    return Path(os.environ.get("JEMBATAN_REFERENCE", Path(__file__).resolve().parents[3] / "shared" / "reference"))


def _write_one(task: FileTask) -> dict:
    path = _CTX.inbox / task.path
    rows, bad = task.write(_CTX, task.key, path)
    return {"path": f"inbox/{task.path}", "source": task.source, "dataset": task.dataset, "rows": rows,
            "bad_rows": bad, "bytes": path.stat().st_size}


MARKER = ".scale_data"              # left in OUT from the start, so an interrupted run can be cleared


def _prepare(out_dir: Path) -> None:
    """Start from an empty inbox; only a folder this generator wrote (it has the marker) is cleared."""
    inbox = out_dir / "inbox"
    if (out_dir / MARKER).exists():
        shutil.rmtree(inbox, ignore_errors=True)
        (out_dir / "manifest.json").unlink(missing_ok=True)
    elif inbox.exists() and any(inbox.iterdir()):
        raise FileExistsError(f"{inbox} is not empty and was not written by this generator")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).write_text("written by benchmarks.scale_data\n", encoding="utf-8")


def generate_scale(out_dir: Path, scale: float | str, reference: Path | None = None, seed: int = 7,
                   workers: int | None = None) -> dict:
    """Write OUT/inbox/{reference,bps,koperasi,polda} and OUT/manifest.json; return the manifest.

    ``reference`` is a folder with a ``national/`` sub-folder of real lists; None (or a folder
    without them) builds an invented gazetteer of the same size instead."""
    global _CTX
    start = time.perf_counter()
    out_dir = Path(out_dir)
    factor = parse_scale(scale)
    _prepare(out_dir)
    folder = national_folder(reference)
    if folder is not None:
        places = load_national(folder, factor)
    else:
        from .places import NATIONAL_VILLAGES, target_villages
        places = synthetic_places(target_villages(factor) or NATIONAL_VILLAGES, seed)
    inbox = out_dir / "inbox"
    ref_paths = places.write_reference(inbox / "reference")
    ctx = Context(inbox, seed, places, Spellings(places, seed))
    tasks = [t for planner in PLANNERS for t in planner(ctx)]
    planned = time.perf_counter()
    tasks.sort(key=lambda t: (-t.rows, t.path))
    workers = workers or min(2, os.cpu_count() or 1)
    _CTX = ctx
    try:
        if workers > 1 and len(tasks) > 1:
            # fork shares the planned context without pickling it; only safe in a process that has not
            # started threads yet (a command line run), so tests pass workers=1.
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                files = list(pool.imap_unordered(_write_one, tasks, chunksize=1))
        else:
            files = [_write_one(t) for t in tasks]
    finally:
        _CTX = None
    files.sort(key=lambda f: f["path"])
    rows, bad, per_source = Counter(), Counter(), Counter(f["source"] for f in files)
    for f in files:
        rows[f["dataset"]] += f["rows"]
        bad[f["dataset"]] += f["bad_rows"]
    per_source["reference"] = len(ref_paths)
    v = places.villages
    manifest = {
        "scale": NATIONAL if factor is None else factor,
        "seed": seed,
        "gazetteer": places.kind,
        "villages": places.selected,
        "data_villages": len(v),
        "districts": int(v["district_code"].nunique()),
        "regencies": int(v["regency_code"].nunique()),
        "provinces": int(v["province_code"].nunique()),
        "files_per_source": dict(sorted(per_source.items())),
        "rows_per_dataset": dict(sorted(rows.items())),
        "bad_rows_per_dataset": dict(sorted(bad.items())),
        "rows": sum(rows.values()),
        "bytes": sum(f["bytes"] for f in files) + sum(p.stat().st_size for p in ref_paths),
        "reference_files": [f"inbox/reference/{p.name}" for p in ref_paths],
        "files": files,
        "seconds_planning": round(planned - start, 2),
        "seconds": round(time.perf_counter() - start, 2),
        "workers": workers,
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    return manifest

"""benchmarks/timed.py, the one timer of `jembatan sync` and other commands the benchmarks use: the figures
come from the process itself (its memory, its exit status, what it wrote to stderr)."""
from __future__ import annotations

import sys

import pytest

from benchmarks import timed


def test_a_process_peak_memory_and_load_are_its_own():
    figures = timed.run([sys.executable, "-c", "block = bytearray(96 << 20); block[::4096] = b'x' * len(block[::4096])"])
    assert figures.peak_mib >= 96                       # the child's resident set, not this process's
    assert figures.cpu > 0 and figures.wall > 0 and figures.load >= 0
    assert figures.shown().startswith(f"{figures.wall:.1f} s wall, {figures.cpu:.1f} s CPU, peak ")
    assert figures.shown().endswith(f"(load {figures.load:.2f} before)")


def test_a_failed_process_raises_with_its_exit_code_and_stderr(tmp_path):
    with pytest.raises(RuntimeError) as failed:
        timed.run([sys.executable, "-c", "import sys; sys.stderr.write('x' * 100_000 + 'sync stopped'); sys.exit(3)"],
                  cwd=tmp_path)
    # More than a pipe holds on stderr does not block the wait; the end of it is in the error.
    assert "failed (exit 3)" in str(failed.value) and str(failed.value).endswith("x" * 1988 + "sync stopped")

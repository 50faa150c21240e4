"""``python -m benchmarks --quick`` runs and prints every figure as ``name: number``.

Only that: the values are the benchmarks' business, never asserted in a test (timings vary by machine).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.__main__ import FIGURES, NATIONAL_FIGURES

ROOT = Path(__file__).resolve().parents[1]
# Only stops a hung run; the quick benchmarks take well under a minute even on a busy 2-core machine.
HANG_GUARD = 900
pytestmark = pytest.mark.slow  # about 10 s: `python3 dev.py test --all` or `-m slow`
FIGURE = re.compile(r"^(?P<name>[a-z0-9_]+): (?P<value>-?\d+(?:\.\d+)?)$")


def test_quick_benchmarks_print_every_figure() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures: dict[str, float] = {}
    for line in done.stdout.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        match = FIGURE.match(line)
        assert match is not None, f"not a `name: number` line: {line!r}"
        figures[match["name"]] = float(match["value"])
    assert sorted(figures) == sorted(FIGURES), done.stdout


def test_a_tiny_national_workload_prints_its_three_figures() -> None:
    """``--scale national`` at a hundredth of its size: 34 provinces, rolled up by /status, one sweep."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--scale", "national", "--factor", "100"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = [line.split(":")[0] for line in done.stdout.splitlines() if FIGURE.match(line)]
    assert figures == list(NATIONAL_FIGURES), done.stdout
    assert "# store: sqlite (national: 34 provinces)" in done.stdout
    # What the pass cost the bot's own processors is printed beside its time (the interpreter's share).
    spent = re.search(r"^# the pass's processor time in this process: (\d+\.\d+) s user", done.stdout, re.M)
    assert spent is not None and float(spent[1]) > 0, done.stdout

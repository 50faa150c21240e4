#!/usr/bin/env python3
"""Developer entry point: creates .venv on first use, then runs a task.

    python3 dev.py run     # the sandbox on SQLite with the bundled sample plan
    python3 dev.py test    # the fast tests (those marked slow are skipped); PYTEST ARGS... may follow
    python3 dev.py test --all     # every test, slow ones included (what CI runs)
    python3 dev.py check   # ruff, mypy, the layers check and the translation catalogue check
    python3 dev.py dondoc ARGS...   # any dondoc command inside the virtual environment

Only the Python standard library is used here, so it works on a fresh machine with Python 3.11+.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".dondoc-installed"


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036  (this file runs before any check)
        sys.exit("dondoc needs Python 3.11 or newer")
    if not (BIN / "python").exists():
        print("creating .venv …", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != digest:
        print("installing dondoc and its dependencies into .venv …", file=sys.stderr)
        pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
        STAMP.write_text(digest)


def run(*args: str, env: dict[str, str] | None = None) -> int:
    return subprocess.call(list(args), cwd=ROOT, env=env)


RAM_DISK = Path("/dev/shm")
RAM_NEEDED = 2 << 30  # bytes free on the RAM disk before the tests' files go there


def test_env() -> dict[str, str]:
    """The tests' environment: their temporary files (SQLite databases copied for every test) on the
    RAM disk when there is one with room (Linux; a container's is often too small), which halves the
    time a test spends on files; pyproject's tmp_path_retention_policy removes them as tests pass.
    TMPDIR set by the caller wins."""
    env = dict(os.environ)
    if "TMPDIR" in env or not RAM_DISK.is_dir():
        return env
    try:
        stats = os.statvfs(RAM_DISK)
    except OSError:
        return env
    if stats.f_bavail * stats.f_frsize < RAM_NEEDED:
        return env
    folder = RAM_DISK / f"dondoc-tests-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return env
    env["TMPDIR"] = str(folder)
    return env


def main(argv: list[str]) -> int:
    task = argv[0] if argv else "run"
    rest = argv[1:]
    ensure_venv()
    py = str(BIN / "python")
    if task == "run":
        return run(py, "-m", "dondoc", "sandbox", *rest)
    if task == "test":
        # pyproject's addopts skips the tests marked slow; a later -m wins, and an empty one selects all.
        rest = [arg for a in rest for arg in (("-m", "") if a == "--all" else (a,))]
        # On every core (pytest-xdist), each test file on one worker so its shared setup is built once,
        # the files handed out in the order tests/conftest.py gives them (the long ones first); `-n 0`
        # runs in one process.
        parallel = (
            []
            if any(a == "-n" or a.startswith("-n") for a in rest)
            else ["-n", "auto", "--dist", "loadfile", "--no-loadscope-reorder"]
        )
        return run(py, "-m", "pytest", "-q", *parallel, *rest, env=test_env())
    if task == "check":
        for cmd in (
            [py, "-m", "ruff", "check", "."],
            [py, "-m", "ruff", "format", "--check", "."],
            [py, "-m", "mypy", "dondoc", "tests", "benchmarks"],
            # the layers: cli / bot -> handlers -> scheduler / plan -> db, nothing lower imports anything higher
            [py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_architecture.py"],
            [py, "-m", "dondoc.i18n_check"],
        ):
            code = run(*cmd)
            if code:
                return code
        return 0
    if task == "dondoc":
        return run(py, "-m", "dondoc", *rest)
    sys.exit(f"unknown task {task!r}: use run, test, check or dondoc")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

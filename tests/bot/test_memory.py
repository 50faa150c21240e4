"""One malloc arena for the bot's long-running process (:mod:`dondoc.bot.memory`)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from dondoc.bot.memory import fewer_arenas

# Four threads allocate at once, then glibc's malloc_stats() lists the process's arenas on stderr.
THREADS = """
import ctypes, sys, threading
from dondoc.bot.memory import fewer_arenas
if sys.argv[1] == "one":
    assert fewer_arenas()
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, (ctypes.c_size_t,)
libc.free.argtypes = (ctypes.c_void_p,)
ready = threading.Barrier(4)
def work():
    ready.wait()
    blocks = [libc.malloc(4000) for _ in range(200)]
    for block in blocks:
        libc.free(block)
threads = [threading.Thread(target=work) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
sys.stderr.flush()
libc.malloc_stats()
"""

glibc = pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="glibc's arenas"
)


def arenas(mode: str, **env: str) -> int:
    """The arenas of a process whose four threads allocated at once (``mode`` "one": capped first)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES")}
    done = subprocess.run(
        [sys.executable, "-c", THREADS, mode], capture_output=True, text=True, timeout=60, env=environment | env
    )
    assert done.returncode == 0, done.stderr
    return sum(1 for line in done.stderr.splitlines() if line.startswith("Arena "))


@glibc
def test_threads_share_one_arena_once_capped() -> None:
    assert arenas("default") > 1  # each allocating thread grows an arena of its own
    assert arenas("one") == 1


@glibc
def test_a_deployment_that_chose_its_arenas_keeps_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert not fewer_arenas()
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")
    assert not fewer_arenas()


def test_elsewhere_nothing_is_done(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert not fewer_arenas()

"""The process's memory: one malloc arena for a bot that runs for weeks.

glibc's allocator gives each thread that allocates its own arena (up to eight per core), and an
arena keeps the memory it grew to. The bot does its database work, its rendering and its exports in
worker threads (``asyncio.to_thread``), so each of those threads grows an arena of its own around
what it once held (a status workbook, a reminder pass's rows, a driver's result buffers), and the
process's resident memory is the sum of their peaks. Python's own threads take turns (the
interpreter's lock), so one arena shared by all costs nothing measurable: the province benchmark's
peak memory went from 204 to 193 MB on PostgreSQL and from 195 to 187 MB on SQLite, its times
unchanged (``python -m benchmarks``, README "Performance").

A deployment that sets ``MALLOC_ARENA_MAX`` (or glibc's ``glibc.malloc.arena_max`` tunable) keeps
its own choice; on another C library (musl, macOS, Windows) nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # glibc's <malloc.h>
ARENAS = 1


def fewer_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas at ``arenas`` for the rest of the process (call it first thing, before
    threads allocate); returns whether the cap was set."""
    if "MALLOC_ARENA_MAX" in os.environ or "arena_max" in os.environ.get("GLIBC_TUNABLES", ""):
        return False  # the deployment's own choice
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
        libc.gnu_get_libc_version  # noqa: B018 (glibc's: musl's mallopt does nothing)
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(M_ARENA_MAX, arenas))
    if not done:
        log.debug("glibc refused M_ARENA_MAX=%d", arenas)
    return done

"""The process's processor core: the bot's threads kept on one core, since they take turns anyway.

The bot's event loop (polling, the web server, sending) and its worker threads (each event's database
work, the reminder pass's rendering: ``asyncio.to_thread``) take turns on the interpreter's lock, so
the process runs Python on one core at a time whatever it is given. Left free to move, the worker
thread woken for an event started on another core and waited there for the lock while the loop went
on (PTB's next ``getUpdates``): 0.80–0.85 ms before it ran, in the province benchmark's typed step.
On the loop's core it starts within 0.10 ms. The province benchmark's ``step_ratio`` went from
1.91–2.08 to 1.81–1.94 (PostgreSQL, six pairs of full runs, interleaved; SQLite 1.86 to 1.64), the process
spent 8–9 % less processor time on the same chat work, and a PTB echo in the same process, with no
thread to hand over to, hardly changed (README, Performance: "One core for the bot's threads"). The
database server, a separate process, still runs anywhere.

``DONDOC_CPU`` chooses: ``auto`` (the core the process is on when it starts serving, where the system
put it), a core's number, or ``all`` (anywhere, as the system schedules). ``dondoc run`` serves one
bot from one process, and defaults to ``auto``; ``dondoc serve`` is meant to run as several processes
on one machine, which one default cannot place on different cores: it defaults to ``all`` (each process
is given its core by ``DONDOC_CPU``, systemd's ``CPUAffinity=`` or a container's ``cpuset``). A process
already held to some of the machine's cores (``taskset``, ``CPUAffinity=``, a ``cpuset``) keeps that
choice under ``auto``. On a system that cannot hold a process to a core (macOS, Windows) ``auto`` does
nothing and a core's number is refused.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from dondoc.bot.config import SettingError
from dondoc.i18n import _

log = logging.getLogger(__name__)

AUTO = "auto"
ANYWHERE = "all"
TASKS = Path("/proc/self/task")
STAT = Path("/proc/self/stat")


def running_on() -> int | None:
    """The core this process's main thread last ran on (field 39 of ``/proc/self/stat``), if known."""
    try:
        stat = STAT.read_text(encoding="ascii")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()  # after the command's name, which may hold spaces
    try:
        return int(fields[36])  # field 3 is the first after the name: field 39 is the 37th
    except (IndexError, ValueError):
        return None


def core_to_keep(
    value: str | None,
    default: str,
    *,
    allowed: set[int] | None = None,
    cores: int | None = None,
    current: Callable[[], int | None] = running_on,
) -> int | None:
    """The core ``DONDOC_CPU`` (``value``, else ``default``) keeps the process on, or None to leave it
    where the system schedules it. A value that is not ``auto``, ``all`` or a core this process may
    use is a :class:`SettingError` naming it. ``allowed`` (the cores the process may use) and
    ``cores`` (the machine's) are the system's unless given."""
    choice = (value or "").strip().lower() or default
    if choice == ANYWHERE:
        return None
    can_choose = hasattr(os, "sched_getaffinity") and hasattr(os, "sched_setaffinity")
    if choice == AUTO:
        if allowed is None and not can_choose:
            return None
        allowed = allowed if allowed is not None else os.sched_getaffinity(0)
        cores = cores if cores is not None else os.cpu_count() or len(allowed)
        if len(allowed) <= 1 or len(allowed) < cores:
            return None  # one core already, or the deployment's own choice of cores
        here = current()
        return here if here in allowed else min(allowed)
    if not choice.isascii() or not choice.isdigit():
        raise SettingError(
            _("DONDOC_CPU is not auto, all or the number of a processor core: {value}").format(value=value)
        )
    if allowed is None and not can_choose:
        raise SettingError(
            _(
                "DONDOC_CPU={value}: this system does not let a process choose its processor core (use auto or all)"
            ).format(value=value)
        )
    allowed = allowed if allowed is not None else os.sched_getaffinity(0)
    core = int(choice)
    if core not in allowed:
        raise SettingError(
            _("DONDOC_CPU={value}: this process may run only on the cores {cores}").format(
                value=value, cores=", ".join(str(n) for n in sorted(allowed))
            )
        )
    return core


def keep_threads_on(core: int) -> bool:
    """Hold every thread of the process (and the threads they start later) to ``core``; returns
    whether it was done. A refusal (the cores changed under a container) is logged, never fatal."""
    try:
        threads = [int(name) for name in os.listdir(TASKS)]
    except OSError:
        threads = [0]  # no /proc: this thread, and the threads it starts from now on
    try:
        for thread in threads:
            try:
                os.sched_setaffinity(thread, {core})
            except ProcessLookupError:
                continue  # the thread ended meanwhile
    except OSError as error:
        log.warning("could not keep the process on processor core %d: %s", core, error)
        return False
    return True


def keep_on_one_core(value: str | None, default: str) -> int | None:
    """Apply ``DONDOC_CPU`` (see the module's docstring): the core the process is now kept on, or None."""
    core = core_to_keep(value, default)
    if core is None or not keep_threads_on(core):
        return None
    log.info("the process's threads are kept on processor core %d (DONDOC_CPU)", core)
    return core

"""The bot's threads kept on one processor core (:mod:`dondoc.bot.cpu`, ``DONDOC_CPU``): ``dondoc run``
by default, ``dondoc serve`` where told, a wrong value refused in one line before anything starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dondoc.bot.config import SettingError
from dondoc.bot.cpu import ANYWHERE, AUTO, core_to_keep
from dondoc.bot.zalo.fake import HANG_GUARD, FakeZaloServer
from tests.bot.zalo.test_run import _clean_env, _dondoc_run, zalo_env
from tests.conftest import Dondoc

CAN_CHOOSE = hasattr(os, "sched_getaffinity") and Path("/proc/self/task").is_dir()
MANY_CORES = CAN_CHOOSE and len(os.sched_getaffinity(0)) >= 2 and len(os.sched_getaffinity(0)) == os.cpu_count()
linux_cores = pytest.mark.skipif(not MANY_CORES, reason="a Linux process free to run on two cores or more")


def test_auto_keeps_the_core_the_process_runs_on() -> None:
    four = {0, 1, 2, 3}
    assert core_to_keep(None, AUTO, allowed=four, cores=4, current=lambda: 2) == 2
    assert core_to_keep(" Auto ", ANYWHERE, allowed=four, cores=4, current=lambda: 3) == 3
    assert core_to_keep("", AUTO, allowed=four, cores=4, current=lambda: None) == 0  # not known: the first


def test_all_and_a_deployments_own_choice_of_cores_are_left_alone() -> None:
    four = {0, 1, 2, 3}
    assert core_to_keep(None, ANYWHERE, allowed=four, cores=4, current=lambda: 2) is None  # serve's default
    assert core_to_keep("all", AUTO, allowed=four, cores=4, current=lambda: 2) is None
    # taskset, systemd's CPUAffinity= or a container's cpuset chose two of four cores: kept
    assert core_to_keep(None, AUTO, allowed={2, 3}, cores=4, current=lambda: 2) is None
    assert core_to_keep(None, AUTO, allowed={1}, cores=1, current=lambda: 1) is None  # one core anyway


def test_a_core_is_chosen_by_its_number_among_those_the_process_may_use() -> None:
    assert core_to_keep("3", ANYWHERE, allowed={2, 3}, cores=4) == 3  # serve told where to run
    with pytest.raises(SettingError) as outside:
        core_to_keep("5", AUTO, allowed={0, 1}, cores=2)
    assert str(outside.value) == "DONDOC_CPU=5: tiến trình này chỉ được chạy trên các lõi 0, 1"
    with pytest.raises(SettingError) as wrong:
        core_to_keep("one", AUTO, allowed={0, 1}, cores=2)
    assert str(wrong.value) == "DONDOC_CPU không phải auto, all hay số hiệu một lõi bộ xử lý: one"


# A thread started before and one after; each thread's allowed cores as Linux lists them.
THREADS = """
import os, sys, threading
from pathlib import Path
from dondoc.bot.cpu import keep_on_one_core
def cores(tid):
    status = Path(f"/proc/self/task/{tid}/status").read_text()
    return next(line.split(":")[1].strip() for line in status.splitlines() if line.startswith("Cpus_allowed_list"))
held, release = threading.Event(), threading.Event()
def wait():
    held.set(); release.wait()
before = threading.Thread(target=wait); before.start(); held.wait()
core = keep_on_one_core(sys.argv[1], "auto")
after = threading.Thread(target=lambda: print("after", cores(threading.get_native_id())))
after.start(); after.join()
print("core", core)
print("before", cores(before.native_id))
print("main", cores(threading.get_native_id()))
release.set(); before.join()
"""


def threads_cores(value: str) -> dict[str, str]:
    done = subprocess.run([sys.executable, "-c", THREADS, value], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return dict(line.split(" ", 1) for line in done.stdout.splitlines())


@linux_cores
def test_every_thread_of_the_process_is_kept_on_the_core_even_those_started_before() -> None:
    last = str(max(os.sched_getaffinity(0)))
    assert threads_cores(last) == {"core": last, "before": last, "main": last, "after": last}
    anywhere = threads_cores("all")
    assert anywhere["core"] == "None" and anywhere["before"] == anywhere["after"] != last  # a range: 0-1


def process_cores(pid: int) -> set[str]:
    """The allowed cores of each thread of process ``pid``, as Linux lists them."""
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with open(task / "status", encoding="ascii") as status:
            found |= {line.split(":")[1].strip() for line in status if line.startswith("Cpus_allowed_list")}
    return found


async def cores_of_run(server: FakeZaloServer, env: dict[str, str]) -> set[str]:
    """``dondoc run`` started with ``env``: the allowed cores of its threads once it polls Zalo."""
    polls = len(server.calls("getUpdates"))
    async with _dondoc_run(env) as run:
        polling = await server.signal.wait_for(lambda: len(server.calls("getUpdates")) > polls, HANG_GUARD)
        cores = process_cores(run.pid)
    assert polling and "Traceback" not in run.output, run.output
    return cores


@linux_cores
async def test_dondoc_run_keeps_its_threads_on_one_core_unless_told_all(sample_store: Dondoc) -> None:
    # Polls answered within a second: the bot stops (SIGTERM) without waiting out Zalo's 30 s.
    async with FakeZaloServer(max_poll_wait=1) as server:
        env = _clean_env() | zalo_env(server) | {"DONDOC_DATABASE_URL": sample_store.url}
        env["DONDOC_NOW"] = "2022-03-15T20:00"  # after office hours: no reminder due meanwhile
        kept = await cores_of_run(server, env)  # DONDOC_CPU unset: auto
        assert len(kept) == 1 and kept.pop().isdigit()  # one core, the same for every thread
        free = await cores_of_run(server, env | {"DONDOC_CPU": "all"})
    cores = os.sched_getaffinity(0)
    assert free == {f"{min(cores)}-{max(cores)}"}  # every core, as Linux lists them


@pytest.mark.skipif(not CAN_CHOOSE, reason="Linux chooses a process's cores")
def test_a_wrong_setting_stops_run_and_serve_in_one_line(sample_store: Dondoc) -> None:
    for command in ("run", "serve"):
        refused = sample_store("--lang", "en", command, env={"DONDOC_CPU": "two"})
        assert refused.code == 2 and refused.stderr.strip().splitlines() == [
            "DONDOC_CPU is not auto, all or the number of a processor core: two"
        ]
    beyond = sample_store("--lang", "en", "serve", "--no-bot", env={"DONDOC_CPU": str(os.cpu_count() or 1)})
    assert (
        beyond.code == 2
        and f"DONDOC_CPU={os.cpu_count() or 1}: this process may run only on the cores" in beyond.stderr
    )

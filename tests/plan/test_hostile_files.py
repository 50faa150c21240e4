"""Files that would exhaust the importer, or that silently lose or poison data (issue #8, items 15-17).

The memory-hungry cases run ``dondoc`` in a child process whose address space is capped at 1.5 GB:
the unsafe importer dies there (or reports a MemoryError) instead of taking the machine down, and a
safe one finishes well inside it. The timeout is only a guard against hanging, never a measure.
"""

from __future__ import annotations

import csv
import io
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from docx import Document
from openpyxl import Workbook, load_workbook
from sqlmodel import Session, select

from dondoc.db.models import Task, Unit
from dondoc.db.session import make_engine
from tests.conftest import SAMPLE, Dondoc
from tests.fuzzing import row_counts

ADDRESS_SPACE = 1536 << 20  # 1.5 GB


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_limited(url: str, *args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``dondoc --db URL ARGS…`` in a child process with 1.5 GB of address space, in English."""
    return subprocess.run(
        [sys.executable, "-m", "dondoc", "--db", url, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,  # a hang guard only
        preexec_fn=_limited,
        env={**os.environ, "DONDOC_LANG": "en", **(env or {})},
        check=False,
    )


def _tasks(url: str) -> list[Task]:
    engine = make_engine(url)
    with Session(engine) as session:
        tasks = list(session.exec(select(Task)).all())
    engine.dispose()
    return tasks


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


HEADER = ["STT", "Nội dung", "Chủ trì", "Phối hợp", "Sản phẩm", "Thời hạn", "Ghi chú"]


def _task_rows(count: int) -> list[list[str]]:
    return [
        [str(i), f"Nhiệm vụ số {i}", "Phòng Nội vụ", "Phòng Tư pháp", "Báo cáo", "Quý II/2022", ""]
        for i in range(1, count + 1)
    ]


@pytest.fixture
def registered(sqlite_url: str) -> Dondoc:
    dondoc = Dondoc(sqlite_url)
    dondoc.ok("units", "import", SAMPLE / "units.yaml")
    return dondoc


# --------------------------------------------------------------------------- item 15: spreadsheets


@pytest.mark.slow
@pytest.mark.parametrize("cell", ["XFD1048576", "A1048576", "XFD1"])
def test_a_stray_cell_far_away_costs_nothing(registered: Dondoc, tmp_path: Path, cell: str) -> None:
    workbook = load_workbook(SAMPLE / "phu-luc-cchc-2022.xlsx")
    workbook.active[cell] = "x"
    path = tmp_path / "phu-luc-2022.xlsx"
    workbook.save(path)
    assert path.stat().st_size < 20_000

    result = run_limited(registered.url, "plan", "import", path)

    assert result.returncode == 0, result.stderr
    assert "42 tasks" in result.stdout
    assert len(_tasks(registered.url)) == 42


@pytest.mark.slow
def test_an_archive_that_unpacks_to_gigabytes_is_refused(registered: Dondoc, tmp_path: Path) -> None:
    path = tmp_path / "bom-2022.xlsx"
    with zipfile.ZipFile(SAMPLE / "phu-luc-cchc-2022.xlsx") as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
        padding_info = zipfile.ZipInfo("xl/media/padding.bin")
        padding_info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(padding_info, "w", force_zip64=True) as padding:
            block = bytes(1 << 20)
            for _ in range(300):
                padding.write(block)
    assert path.stat().st_size < 2_000_000

    result = run_limited(registered.url, "plan", "import", path)

    assert result.returncode == 1
    assert "bom-2022.xlsx: the file unpacks to 300 MB, more than an appendix needs" in result.stderr
    assert "Traceback" not in result.stderr
    assert _tasks(registered.url) == []


# --------------------------------------------------------------------------- item 15: row limit


@pytest.mark.slow
def test_200000_rows_are_refused_at_the_task_limit_with_progress(registered: Dondoc, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "phu-luc-2022.csv", [HEADER, ["I", "Công tác chỉ đạo"], *_task_rows(200_000)])

    result = run_limited(registered.url, "plan", "import", path)

    assert result.returncode == 1
    assert "phu-luc-2022.csv: more than 5000 tasks" in result.stderr
    assert "--max-rows" in result.stderr and "DONDOC_MAX_TASKS" in result.stderr
    assert "… 5000 rows read" in result.stderr  # a long import says how far it got
    assert "Traceback" not in result.stderr
    assert _tasks(registered.url) == []


def test_the_task_limit_is_configurable(registered: Dondoc, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "phu-luc-2022.csv", [HEADER, ["I", "Công tác chỉ đạo"], *_task_rows(60)])

    by_option = registered("plan", "import", path, "--max-rows", "50", "--lang", "en")
    assert by_option.code == 1
    assert "phu-luc-2022.csv: more than 50 tasks" in by_option.stderr
    by_env = registered("plan", "import", path, "--lang", "en", env={"DONDOC_MAX_TASKS": "59"})
    assert by_env.code == 1 and "more than 59 tasks" in by_env.stderr
    assert _tasks(registered.url) == []

    registered.ok("plan", "import", path, "--max-rows", "60")
    assert len(_tasks(registered.url)) == 60


# --------------------------------------------------------------------------- item 15: YAML aliases


def _alias_bomb(where: str) -> str:
    """A registry whose aliases (or a group's) expand to 9^9 strings through nested aliases."""
    levels = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        levels.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    bomb = "{" + ", ".join(levels) + "}"
    unit_aliases = bomb if where == "unit" else '["Nội vụ"]'
    group_aliases = bomb if where == "group" else '["xã"]'
    return (
        "organization: Ủy ban nhân dân xã Tân Phú\n"
        "units:\n"
        "  - code: NV\n"
        "    name: Văn phòng\n"
        f"    aliases: {unit_aliases}\n"
        "    groups: [xa]\n"
        "groups:\n"
        "  - code: xa\n"
        "    name: Các ấp\n"
        f"    aliases: {group_aliases}\n"
    )


@pytest.mark.slow  # (2 s each: a subprocess under a memory limit)
@pytest.mark.parametrize("where", ["unit", "group"])
def test_a_yaml_alias_bomb_in_a_registry_is_refused(sqlite_url: str, tmp_path: Path, where: str) -> None:
    path = tmp_path / "don-vi.yaml"
    path.write_text(_alias_bomb(where), encoding="utf-8")
    assert path.stat().st_size < 1000

    result = run_limited(sqlite_url, "units", "import", path)

    assert result.returncode == 1
    line = 5 if where == "unit" else 10
    assert f"line {line}: YAML anchors (&name) are not allowed: «&a0»" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_yaml_alias_bomb_in_the_calendar_is_refused(registered: Dondoc, tmp_path: Path) -> None:
    calendar = tmp_path / "lich.yaml"
    bomb = _alias_bomb("unit").split("aliases: ", 1)[1].split("\n", 1)[0]
    calendar.write_text(f"days_off: []\nextra: {bomb}\n", encoding="utf-8")

    result = run_limited(
        registered.url, "plan", "import", SAMPLE / "phu-luc-cchc-2022.csv", env={"DONDOC_CALENDAR": str(calendar)}
    )

    assert result.returncode == 1
    assert "line 2: YAML anchors (&name) are not allowed" in result.stderr
    assert "Traceback" not in result.stderr
    assert _tasks(registered.url) == []


def test_an_alias_alone_is_refused_naming_its_line(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "don-vi.yaml"
    path.write_text(
        "organization: Ủy ban nhân dân xã Tân Phú\nunits:\n  - code: VP\n    name: Văn phòng\n    aliases: *ten\n",
        encoding="utf-8",
    )
    result = Dondoc(sqlite_url)("units", "import", path, "--lang", "en")
    assert result.code == 1
    assert "line 5" in result.stderr and "*ten" in result.stderr


# --------------------------------------------------------------------------- item 16: CSV quotes


def _sample_csv_lines() -> list[str]:
    return (SAMPLE / "phu-luc-cchc-2022.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)


@pytest.mark.parametrize("closed_by", ["nothing", "a later quote"])
def test_a_quote_left_open_is_refused_naming_its_row(registered: Dondoc, tmp_path: Path, closed_by: str) -> None:
    last = "3,Sơ kết 6 tháng" + ('"' if closed_by == "a later quote" else "")
    lines = [
        ",".join(HEADER) + "\n",
        "I,Công tác chỉ đạo,,,,,\n",
        '1,"Ban hành kế hoạch,Phòng Nội vụ,,Kế hoạch,Tháng 01/2022,\n',  # the quote is not closed here
        "2,Tổ chức tập huấn,Phòng Nội vụ,,Lớp tập huấn,Quý II/2022,\n",
        f"{last},Phòng Nội vụ,,Báo cáo,6 tháng đầu năm,\n",
    ]
    path = tmp_path / "phu-luc-2022.csv"
    path.write_text("".join(lines), encoding="utf-8")

    result = registered("plan", "import", path, "--lang", "en")

    assert result.code == 1
    assert "row 3: a quote opened on this row is not closed properly" in result.stderr
    assert '«1,"Ban hành kế hoạch' in result.stderr
    assert _tasks(registered.url) == []


def test_a_quote_closed_rows_later_is_refused(registered: Dondoc, tmp_path: Path) -> None:
    lines = _sample_csv_lines()
    # Task I.3 loses the quote that closes its title: the rows below end up inside it until a
    # later row's own quotes happen to pair up again.
    index = next(i for i, line in enumerate(lines) if line.startswith("3,"))
    assert lines[index].startswith("3,Tham mưu")
    lines[index] = lines[index].replace("3,Tham mưu", '3,"Tham mưu', 1)
    path = tmp_path / "phu-luc-cchc-2022.csv"
    path.write_text("".join(lines), encoding="utf-8-sig")

    result = registered("plan", "import", path, "--lang", "en")

    assert result.code == 1
    assert f"row {index + 1}" in result.stderr or f"line {index + 1}" in result.stderr
    assert "quote" in result.stderr
    assert _tasks(registered.url) == []


def test_cells_spanning_lines_are_still_read(registered: Dondoc) -> None:
    registered.ok("plan", "import", SAMPLE / "phu-luc-cchc-2022.csv")
    assert len(_tasks(registered.url)) == 42


# --------------------------------------------------------------------------- item 17: control characters


def test_nul_and_control_characters_are_removed_from_cells(registered: Dondoc, tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "phu-luc-2022.csv",
        [
            HEADER,
            ["I", "Công tác\x00 chỉ đạo"],
            ["1", "Ban hành\x00 kế hoạch\x07", "Phòng Nội vụ\x00", "", "Kế\x1b hoạch", "Tháng 01/2022", "Ghi\x00 chú"],
        ],
    )
    registered.ok("plan", "import", path)
    [task] = _tasks(registered.url)
    assert (task.title, task.product, task.note) == ("Ban hành kế hoạch", "Kế hoạch", "Ghi chú")
    exported = registered.ok("plan", "export")
    assert exported.json()["tasks"][0]["lead"] == ["NV"]
    assert "\\u0000" not in exported.stdout and "\x00" not in exported.stdout


def test_nul_is_removed_from_registry_names(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "don-vi.yaml"
    path.write_text(
        'organization: "Ủy ban nhân dân\\0 xã Tân Phú"\n'
        "units:\n"
        '  - code: VP\n    name: "Văn\\0 phòng\\a"\n    aliases: ["Văn phòng\\0 xã"]\n',
        encoding="utf-8",
    )
    dondoc = Dondoc(sqlite_url)
    dondoc.ok("units", "import", path)
    engine = make_engine(sqlite_url)
    with Session(engine) as session:
        unit = session.exec(select(Unit)).one()
        assert (unit.name, unit.aliases) == ("Văn phòng", ["Văn phòng xã"])
    engine.dispose()
    assert dondoc.ok("units", "list", "--json").json()["organization"] == "Ủy ban nhân dân xã Tân Phú"


# --------------------------------------------------------------------------- issue 12: the corpus
#
# Every file below is broken, disguised or built to exhaust the importer. Each import runs in its own
# process with 500 MB of address space and 30 s at most: it must end with a clear refusal (exit 1 or
# 2, no traceback, each problem named with the file, its row or line, or its field) and leave the
# store as it was. The time and the peak memory of each are printed (`pytest -s` shows them).

CORPUS_MEMORY = 500 << 20
CORPUS_SECONDS = 30.0

# The child reports its own peak resident memory as it exits (VmHWM belongs to the program it runs:
# the rusage of a forked child would also count the test process it was forked from).
_LAUNCH = "\n".join(
    [
        "import atexit, runpy, sys",
        "def peak():",
        "    with open('/proc/self/status') as status:",
        "        kib = next((line.split()[1] for line in status if line.startswith('VmHWM:')), '0')",
        "    sys.stderr.write('\\n#peak-kib ' + kib + '\\n')",
        "atexit.register(peak)",
        "sys.argv[0] = 'dondoc'",
        "runpy.run_module('dondoc', run_name='__main__', alter_sys=True)",
    ]
)
_PEAK = re.compile(r"\n#peak-kib (\d+)\n")


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


def _corpus_limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CORPUS_MEMORY, CORPUS_MEMORY))


def run_measured(url: str, *args: str | Path) -> Run:
    """``dondoc --db URL ARGS…`` in a child process under the corpus limits: its exit code, output,
    time and peak resident memory (killed at the time limit, which then fails the test)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCH, "--db", url, "--lang", "en", *map(str, args)],
            stdout=out,
            stderr=err,
            preexec_fn=_corpus_limits,
            env={**os.environ, "DONDOC_LANG": "en"},
        )
        guard = threading.Timer(CORPUS_SECONDS, process.kill)
        guard.start()
        try:
            code = process.wait()
        finally:
            guard.cancel()
        seconds = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
        peak = _PEAK.search(stderr)
        return Run(
            code,
            out.read().decode(errors="replace"),
            _PEAK.sub("", stderr),
            seconds,
            int(peak.group(1)) / 1024 if peak else float("inf"),
        )


def _sample_csv() -> str:
    return (SAMPLE / "phu-luc-cchc-2022.csv").read_text(encoding="utf-8-sig")


def _registry_text() -> str:
    return (SAMPLE / "units.yaml").read_text(encoding="utf-8")


def _docx_appendix() -> bytes:
    document = Document()
    document.add_paragraph("PHỤ LỤC KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2022")
    rows = [HEADER, ["I", "Công tác chỉ đạo", "", "", "", "", ""], _task_rows(1)[0]]
    table = document.add_table(rows=len(rows), cols=len(HEADER))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _sparse_workbook() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "Kế hoạch năm 2022"
    workbook.active["XFD1048576"] = "STT"
    workbook.create_sheet("Khác")["ZZ500000"] = "Nội dung"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _huge_workbook() -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, ["I", "Công tác chỉ đạo"])
    for index, row in enumerate(_task_rows(200_000), start=2):
        sheet.write_row(index, 0, row)
    workbook.close()
    return out.getvalue()


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def _many_units() -> bytes:
    """120,000 units on one line each: under the 4 MB size limit."""
    return b"organization: X\nunits:\n" + b"".join(b"- {code: U%d, name: U%d}\n" % (i, i) for i in range(120_000))


@dataclass(frozen=True)
class Hostile:
    """A hostile file: its name, how to make its bytes, and what the refusal must say."""

    file_name: str
    make: Callable[[], bytes]
    says: str


PLAN_CORPUS = {
    "truncated-xlsx": Hostile(
        "phu-luc-2022.xlsx", lambda: (SAMPLE / "phu-luc-cchc-2022.xlsx").read_bytes()[:6000], "not a valid xlsx file"
    ),
    "truncated-docx": Hostile("phu-luc-2022.docx", lambda: _docx_appendix()[:5000], "not a valid docx file"),
    "text-renamed-xlsx": Hostile("phu-luc-2022.xlsx", lambda: _sample_csv().encode(), "not a valid xlsx file"),
    "text-renamed-docx": Hostile("phu-luc-2022.docx", lambda: _sample_csv().encode(), "not a valid docx file"),
    "zip-renamed-xlsx": Hostile("phu-luc-2022.xlsx", lambda: _zip({"ghi-chu.txt": b"x"}), "not a valid xlsx file"),
    "empty-xlsx": Hostile("phu-luc-2022.xlsx", lambda: b"", "not a valid xlsx file"),
    "nul-xlsx": Hostile("phu-luc-2022.xlsx", lambda: b"\x00" * 5000, "not a valid xlsx file"),
    "sparse-xlsx": Hostile("phu-luc-2022.xlsx", _sparse_workbook, "no task table found"),
    "huge-xlsx": Hostile("phu-luc-2022.xlsx", _huge_workbook, "more than 5000 tasks"),
    "utf16-csv": Hostile("phu-luc-2022.csv", lambda: _sample_csv().encode("utf-16"), "not UTF-8 text"),
    "utf16le-csv": Hostile("phu-luc-2022.csv", lambda: _sample_csv().encode("utf-16-le"), "not UTF-8 text"),
    "cp1258-csv": Hostile(
        "phu-luc-2022.csv", lambda: _sample_csv().encode("cp1258", errors="replace"), "not UTF-8 text"
    ),
    "unbalanced-quotes-csv": Hostile(
        "phu-luc-2022.csv",
        lambda: "\n".join([",".join(HEADER), 'I,"Công tác', '1,"Ban hành,Phòng Nội vụ,,,Quý I/2022,']).encode(),
        "row 2: a quote opened on this row is not closed",
    ),
    "nul-csv": Hostile("phu-luc-2022.csv", lambda: b"\x00" * 5000, "no task table found"),
    "binary-csv": Hostile("phu-luc-2022.csv", lambda: bytes(range(256)) * 100, "not UTF-8 text"),
    "huge-line-csv": Hostile(
        "phu-luc-2022.csv",
        lambda: (",".join(HEADER) + "\n1," + "x" * 50_000_000 + ",Phòng Nội vụ,,,Quý I/2022,\n").encode(),
        "row 2: the line is longer than",
    ),
}

UNITS_CORPUS = {
    "python-tag": Hostile(
        "don-vi.yaml",
        lambda: b'organization: !!python/object/apply:os.system ["echo pwned"]\n',
        "line 1: not valid YAML",
    ),
    "custom-tag": Hostile("don-vi.yaml", lambda: b"organization: !secret x\nunits: []\n", "line 1: not valid YAML"),
    "alias-bomb": Hostile("don-vi.yaml", lambda: _alias_bomb("unit").encode(), "YAML anchors (&name) are not allowed"),
    "deep-nesting": Hostile(
        "don-vi.yaml",
        lambda: b"organization: X\nunits: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
        "nested too deeply",
    ),
    "huge-yaml": Hostile(
        "don-vi.yaml", lambda: b"organization: " + b"x" * 50_000_000 + b"\nunits: []\n", "larger than 4 MB"
    ),
    "many-units": Hostile("don-vi.yaml", _many_units, "the file has more than 100000 entries"),
    "nul-yaml": Hostile("don-vi.yaml", lambda: b"organization: X\x00\nunits: []\n", "not valid YAML"),
    "utf16-yaml": Hostile("don-vi.yaml", lambda: _registry_text().encode("utf-16"), "not UTF-8 text"),
    "cp1258-yaml": Hostile(
        "don-vi.yaml", lambda: _registry_text().encode("cp1258", errors="replace"), "not UTF-8 text"
    ),
    "xlsx-renamed-yaml": Hostile(
        "don-vi.yaml", lambda: (SAMPLE / "phu-luc-cchc-2022.xlsx").read_bytes(), "not UTF-8 text"
    ),
    "truncated-yaml": Hostile("don-vi.yaml", lambda: _registry_text().encode()[:700], "not valid YAML"),
    "unbalanced-quotes-yaml": Hostile(
        "don-vi.yaml", lambda: b'organization: "UBND\nunits:\n  - code: VP\n    name: "Van phong\n', "not valid YAML"
    ),
}


def _targets_text() -> str:
    return (SAMPLE / "targets.yaml").read_text(encoding="utf-8")


TARGETS_CORPUS = {
    "python-tag": Hostile(
        "chi-tieu.yaml", lambda: b'targets: !!python/object/apply:os.system ["echo pwned"]\n', "line 1: not valid YAML"
    ),
    "alias-bomb": Hostile(
        "chi-tieu.yaml",
        lambda: b"a: &a [x, x]\nb: &b [*a, *a]\ntargets: [*b, *b]\n",
        "YAML anchors (&name) are not allowed",
    ),
    "huge-yaml": Hostile(
        "chi-tieu.yaml", lambda: b"targets:\n  - code: " + b"x" * 50_000_000 + b"\n", "larger than 4 MB"
    ),
    "utf16-yaml": Hostile("chi-tieu.yaml", lambda: _targets_text().encode("utf-16"), "not UTF-8 text"),
    "truncated-yaml": Hostile("chi-tieu.yaml", lambda: _targets_text().encode()[:1500], "not valid YAML"),
    "xlsx-renamed-yaml": Hostile(
        "chi-tieu.yaml", lambda: (SAMPLE / "phu-luc-cchc-2022.xlsx").read_bytes(), "not UTF-8 text"
    ),
}

# The cheap ones run in the fast suite; the rest (a process of a few seconds each, some building files
# of tens of megabytes) with the slow tests.
FAST = {"truncated-xlsx"}  # one file in the fast suite (2 s); the whole corpus with the slow tests


def _cases(corpus: dict[str, Hostile], command: str) -> list[Any]:
    return [
        pytest.param(command, hostile, id=f"{command}-{name}", marks=() if name in FAST else pytest.mark.slow)
        for name, hostile in corpus.items()
    ]


def _store_rows(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        return row_counts(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("command", "hostile"),
    [*_cases(PLAN_CORPUS, "plan"), *_cases(UNITS_CORPUS, "units"), *_cases(TARGETS_CORPUS, "targets")],
)
def test_a_hostile_file_is_refused_clearly_within_limits_and_writes_nothing(
    registered: Dondoc, tmp_path: Path, command: str, hostile: Hostile
) -> None:
    path = tmp_path / hostile.file_name
    path.write_bytes(hostile.make())
    before = _store_rows(registered.url)

    run = run_measured(registered.url, command, "import", path)

    print(
        f"{command} import {hostile.file_name} ({path.stat().st_size:,} bytes): exit {run.code}, "
        f"{run.seconds:.1f} s, peak {run.peak_mb:.0f} MB"
    )
    assert run.seconds <= CORPUS_SECONDS and run.peak_mb <= CORPUS_MEMORY >> 20
    assert run.code in (1, 2), run.stderr
    assert "Traceback" not in run.stderr and "Unexpected error" not in run.stderr, run.stderr
    assert hostile.says in run.stderr, run.stderr
    problems = [line for line in run.stderr.splitlines() if line.startswith("  - ")]
    assert problems, run.stderr
    assert all(re.search(rf"{re.escape(path.name)}|row \d|line \d|(units|targets)\[\d", p) for p in problems), problems
    assert _store_rows(registered.url) == before

"""Dependencies point down: ``cli / bot → handlers → scheduler / plan → db``, and nothing lower imports
anything higher (``cli``, the command line, is a top layer beside ``bot``: only ``dondoc.__main__`` and the
tests import it) (``scheduler`` may import ``plan``, not the other way round). Every import counts,
function-level (lazy) and ``TYPE_CHECKING`` ones included. ``dondoc/text.py``, ``dondoc/i18n.py`` and
``dondoc/tz.py`` are shared leaves: any layer may import them, and they import nothing of dondoc
but each other. Also run as its own step of ``python3 dev.py check``."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "dondoc"

# layer → the packages it must not import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "dondoc.db": ("dondoc.plan", "dondoc.scheduler", "dondoc.handlers", "dondoc.bot", "dondoc.cli"),
    "dondoc.plan": ("dondoc.scheduler", "dondoc.handlers", "dondoc.bot", "dondoc.cli"),
    "dondoc.scheduler": ("dondoc.handlers", "dondoc.bot", "dondoc.cli"),
    "dondoc.handlers": ("dondoc.bot", "dondoc.cli"),
    "dondoc.bot": ("dondoc.cli",),
}
LEAVES = ("dondoc.text", "dondoc.i18n", "dondoc.tz")


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, package: Path) -> list[tuple[int, str]]:
    """(line, module) for every import in ``path``, wherever it is; relative imports resolved, and
    ``from dondoc import bot`` read as an import of ``dondoc.bot``."""
    name = module_name(path, package)
    is_package = path.name == "__init__.py"
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.count(".") <= 1:  # dondoc or a layer: the names may be subpackages or modules
                found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, target))
    return sorted(found)


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def violations(package: Path = PACKAGE) -> list[str]:
    problems: list[str] = []
    for path in sorted(package.rglob("*.py")):
        name = module_name(path, package)
        where = path.relative_to(package.parent)
        for line, target in imported_modules(path, package):
            if not within(target, "dondoc"):
                continue
            if name in LEAVES:
                if not any(within(target, leaf) for leaf in LEAVES):
                    problems.append(f"{where}:{line}: the shared leaf {name} imports {target}")
                continue
            for layer, forbidden in FORBIDDEN.items():
                if within(name, layer) and any(within(target, f) for f in forbidden):
                    problems.append(f"{where}:{line}: {layer} must not import {target}")
    return problems


def test_lower_layers_import_nothing_higher() -> None:
    assert violations() == []


def test_the_check_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    package = tmp_path / "dondoc"
    for folder in ("db", "plan", "scheduler", "handlers", "bot"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "tz.py").write_text("from dondoc.scheduler import clock\n")
    (package / "db" / "queries.py").write_text("def f() -> None:\n    from dondoc.scheduler.schedule import SNOOZE\n")
    (package / "plan" / "registry.py").write_text("from ..scheduler.planner import Policy\n")
    (package / "scheduler" / "weekly.py").write_text("from dondoc import handlers\nimport dondoc.text\n")
    (package / "handlers" / "report.py").write_text("from dondoc.scheduler.clock import TZ\nfrom dondoc.tz import TZ\n")
    assert violations(package) == [
        "dondoc/db/queries.py:2: dondoc.db must not import dondoc.scheduler.schedule",
        "dondoc/plan/registry.py:1: dondoc.plan must not import dondoc.scheduler.planner",
        "dondoc/scheduler/weekly.py:1: dondoc.scheduler must not import dondoc.handlers",
        "dondoc/tz.py:1: the shared leaf dondoc.tz imports dondoc.scheduler.clock",
    ]


def test_only_the_entry_point_imports_the_command_line(tmp_path: Path) -> None:
    package = tmp_path / "dondoc"
    for folder in ("bot", "handlers", "cli"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "__main__.py").write_text("from dondoc.cli import main\n")
    (package / "cli" / "units.py").write_text("from dondoc.bot.app import open_app\nfrom dondoc.handlers import x\n")
    (package / "bot" / "app.py").write_text("def f() -> None:\n    from dondoc.cli.common import settings\n")
    (package / "handlers" / "status.py").write_text("from dondoc import cli\n")
    assert violations(package) == [
        "dondoc/bot/app.py:2: dondoc.bot must not import dondoc.cli.common",
        "dondoc/handlers/status.py:1: dondoc.handlers must not import dondoc.cli",
    ]

"""dondoc as a user installs it: ``pip install .`` (not editable) into a fresh virtual environment,
then ``dondoc sandbox`` from an empty folder — everything it reads ships inside the package, and every
module it imports comes from a declared dependency."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST_ONLY = {"pytest", "pytest-asyncio", "ruff", "mypy", "types-pyyaml"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(extras: bool = False) -> set[str]:
    """The runtime dependencies' distributions (``extras``: and those of the optional extras but dev)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    if extras:
        specs += [spec for name, more in project["optional-dependencies"].items() if name != "dev" for spec in more]
    return {_canonical(re.split(r"[\s\[<>=!~;]", spec, maxsplit=1)[0]) for spec in specs}


def _imported_modules() -> dict[str, tuple[str, bool]]:
    """Top-level modules imported anywhere in the dondoc package → the first file importing each, and
    whether some file imports it as it is loaded (not only inside a function, when it is called)."""
    found: dict[str, tuple[str, bool]] = {}

    def visit(node: ast.AST, path: Path, loading: bool) -> None:
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            module = name.split(".")[0]
            where, before = found.get(module, (str(path.relative_to(ROOT)), False))
            found[module] = (where, before or loading)
        inside = loading and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, path, inside)

    for path in sorted((ROOT / "dondoc").rglob("*.py")):
        visit(ast.parse(path.read_text(encoding="utf-8")), path, True)
    return found


def test_every_module_dondoc_imports_comes_from_a_declared_dependency() -> None:
    """A module imported as dondoc loads comes from a dependency; one imported only when a function
    runs may come from an extra too (``postgres``: psycopg, for the statements a pass runs on the
    event loop; a store on SQLite never calls them)."""
    declared, with_extras = _declared(), _declared(extras=True)
    providers = packages_distributions()
    missing = []
    for module, (where, loading) in _imported_modules().items():
        if module in sys.stdlib_module_names or module in ("__future__", "dondoc"):
            continue
        distributions = {_canonical(d) for d in providers.get(module, [module])}
        if not distributions & (declared if loading else with_extras):
            missing.append(f"{module} ({where}): {', '.join(sorted(distributions))}")
    assert not missing, "imported but not in [project].dependencies: " + "; ".join(missing)
    assert not declared & TEST_ONLY, "test-only packages among the runtime dependencies"


def _copy_source(target: Path) -> Path:
    """The project's files without virtual environments, caches, builds and local databases."""
    ignore = shutil.ignore_patterns(
        ".venv*", ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "*.db", "*.db-*", ".env", "out"
    )
    return Path(shutil.copytree(ROOT, target, ignore=ignore))


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DONDOC_", "TELEGRAM_", "PYTHON"))}
    return {**env, **extra}


@pytest.mark.slow
def test_the_sandbox_runs_from_an_installed_wheel_in_an_empty_folder(tmp_path: Path) -> None:
    source = _copy_source(tmp_path / "source")
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(source)], check=True, timeout=600)
    (wheel,) = wheels.glob("dondoc-*.whl")

    # A fresh environment; its dependencies come from the running one's site-packages (no download):
    # a path in a .pth file, whose own .pth files (the editable dondoc of the checkout) are not run.
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)], check=True)
    dondoc = python.parent / "dondoc"

    empty = tmp_path / "office"
    empty.mkdir()
    where = subprocess.run(
        [str(python), "-c", "import dondoc; print(dondoc.__file__)"],
        cwd=empty,
        check=True,
        capture_output=True,
        text=True,
        env=_clean_env(),
    ).stdout.strip()
    assert Path(where).is_relative_to(env_dir), where  # the installed copy, not the checkout

    result = subprocess.run(
        [str(dondoc), "sandbox"],
        cwd=empty,
        input="/tasks\n/quit\n",
        capture_output=True,
        text=True,
        env=_clean_env(DONDOC_LANG="en"),
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "dondoc sandbox" in result.stdout
    tasks = result.stdout.split("[NV] › ")[1]  # what the bot said after /tasks
    assert "Your tasks" in tasks and "I.1 (lead)" in tasks and "I.3 (support)" in tasks, result.stdout
    assert (empty / "dondoc-sandbox.db").exists() and not (empty / "dondoc.db").exists()  # its own file

    # end of input ends the sandbox as /quit does
    again = subprocess.run(
        [str(dondoc), "sandbox"], cwd=empty, input="", capture_output=True, text=True, env=_clean_env(), timeout=600
    )
    assert again.returncode == 0, again.stderr

"""Keep the translation catalogues in step with the code.

    python -m dondoc.i18n_check           # fail if a catalogue is stale or a vi string is untranslated
    python -m dondoc.i18n_check --update  # re-extract messages.pot and merge it into every .po

Message ids are English and extracted from ``_()``, ``N_()`` and ``ngettext()`` calls in the
package, and from the command line's help texts (:func:`cli_help_messages`), which
``dondoc/cli/help_i18n.py`` translates when the command runs. The check is the same as
``pybabel update --check`` plus "every vi message translated".
"""

from __future__ import annotations

import argparse
import ast
import inspect
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TypeGuard

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from dondoc.i18n import DOMAIN, LANGUAGES, LOCALES_DIR

PACKAGE = Path(__file__).parent
CLI = PACKAGE / "cli"
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def extract() -> Catalog:
    """Every translatable message of the package, as a template catalogue."""
    template = Catalog(project="dondoc", version="0.1", charset="utf-8")
    template.header_comment = "# Translations for dondoc."
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
    ):
        template.add(message, None, [(f"dondoc/{filename}", lineno)], auto_comments=comments, context=context)
    for message, filename, lineno in cli_help_messages():
        template.add(message, None, [(filename, lineno)], auto_comments=[CLI_HELP_COMMENT])
    return template


# ---------------------------------------------------------------- the command line's help texts

CLI_HELP_COMMENT = "command-line help (dondoc … --help)"


def help_key(text: str) -> str:
    """A help text's message id: what Click shows of it, cleaned like a docstring and cut at a form feed
    (``dondoc.cli.help_i18n.help_key`` computes the same from the running command tree)."""
    return inspect.cleandoc(text.partition("\f")[0])


def cli_help_messages(folder: Path = CLI) -> Iterator[tuple[str, str, int]]:
    """(message, file, line) for every help text of the command line, read from ``folder/*.py`` with
    ``ast`` (the command line is the top layer: nothing else imports it): each ``help="…"`` keyword
    (options, arguments, ``typer.Typer(help=…)``, ``add_typer(help=…)``), each docstring of a function
    made a command or callback (decorated with ``x.command(…)``/``x.callback(…)``, or registered as
    ``x.command(…)(function)``, also through a wrapper: ``x.command(…)(global_options(function))``), and
    each ``help=f"…"`` of a function that makes options (``task_option("I.2.")``) as its calls with
    literal arguments make it. Click holds a docstring cleaned (``inspect.cleandoc``) and shows it up
    to a form feed: so are the message ids."""
    modules = {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in sorted(folder.glob("*.py"))}
    where = {path: f"dondoc/{path.relative_to(PACKAGE).as_posix()}" for path in modules}
    functions = {
        (path.stem, node.name): node for path, tree in modules.items() for node in tree.body if _is_function(node)
    }
    templates = {key: template for key, node in functions.items() if (template := _help_template(node)) is not None}
    for path, tree in modules.items():
        names = _names(path.stem, tree, folder)
        for node in ast.walk(tree):
            if _is_function(node) and any(_registers(decorator) for decorator in node.decorator_list):
                yield from _docstring(node, where[path])
            if not isinstance(node, ast.Call):
                continue
            registered = _registered_name(node.args[0]) if _registers(node.func) and len(node.args) == 1 else None
            key = names.get(registered, ("", "")) if registered else ("", "")
            if key in functions:  # app.command("demo")(demo): demo's docstring, in the module defining it
                yield from _docstring(functions[key], where[folder / f"{key[0]}.py"])
            for keyword in node.keywords:
                value = keyword.value
                if keyword.arg != "help" or not isinstance(value, ast.Constant) or not isinstance(value.value, str):
                    continue
                if value.value.strip():
                    yield help_key(value.value), where[path], value.lineno
            called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            template = templates.get(names.get(called, ("", ""))) if called else None
            if template is not None:
                text = _render(template, node)
                if text:
                    yield help_key(text), where[path], node.lineno


FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def _is_function(node: ast.AST) -> TypeGuard[FunctionNode]:
    return isinstance(node, FunctionNode)


def _registers(node: ast.expr) -> bool:
    """``node`` is ``something.command(…)`` or ``something.callback(…)``."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("command", "callback")
    )


def _registered_name(node: ast.expr) -> str | None:
    """The function ``x.command(…)(…)`` registers: ``f`` in ``(f)`` or ``(wrapper(f))``."""
    while isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        node = node.args[0]
    return node.id if isinstance(node, ast.Name) else None


def _docstring(node: ast.AST, filename: str) -> Iterator[tuple[str, str, int]]:
    assert isinstance(node, FunctionNode)
    doc = ast.get_docstring(node, clean=True)  # inspect.cleandoc, as Typer's inspect.getdoc
    if doc and help_key(doc):
        yield help_key(doc), filename, node.body[0].lineno


def _names(module: str, tree: ast.Module, folder: Path) -> dict[str, tuple[str, str]]:
    """The functions a module can name: its own, and those it imports from its siblings (by their
    local names), as (module, function name)."""
    names = {node.name: (module, node.name) for node in tree.body if _is_function(node)}
    package = f"dondoc.{folder.name}."
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(package):
            for alias in node.names:
                names[alias.asname or alias.name] = (node.module.removeprefix(package), alias.name)
    return names


def _help_template(node: ast.AST) -> tuple[FunctionNode, ast.JoinedStr] | None:
    """The function's ``help=f"…"``, when it formats nothing but the function's parameters."""
    assert isinstance(node, FunctionNode)
    parameters = {arg.arg for arg in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)}
    for inner in ast.walk(node):
        if not (isinstance(inner, ast.keyword) and inner.arg == "help" and isinstance(inner.value, ast.JoinedStr)):
            continue
        if all(
            isinstance(part, ast.Constant)
            or (
                isinstance(part, ast.FormattedValue)
                and isinstance(part.value, ast.Name)
                and part.value.id in parameters
                and part.conversion == -1
                and part.format_spec is None
            )
            for part in inner.value.values
        ):
            return node, inner.value
    return None


def _render(template: tuple[FunctionNode, ast.JoinedStr], call: ast.Call) -> str | None:
    """The help ``call`` makes, when its arguments (or the defaults) are literals; else None."""
    function, text = template
    positional = [*function.args.posonlyargs, *function.args.args]
    values: dict[str, ast.expr | None] = {}
    defaults = function.args.defaults
    for arg, default in zip(positional[len(positional) - len(defaults) :], defaults, strict=True):
        values[arg.arg] = default
    for arg, kw_default in zip(function.args.kwonlyargs, function.args.kw_defaults, strict=True):
        if kw_default is not None:
            values[arg.arg] = kw_default
    if len(call.args) > len(positional) or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    for arg, value in zip(positional, call.args, strict=False):
        values[arg.arg] = value
    for keyword in call.keywords:
        if keyword.arg is None:
            return None
        values[keyword.arg] = keyword.value
    rendered = []
    for part in text.values:
        if isinstance(part, ast.Constant):
            rendered.append(str(part.value))
            continue
        assert isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name)
        given = values.get(part.value.id)
        if not isinstance(given, ast.Constant):
            return None
        rendered.append(str(given.value))
    return "".join(rendered)


def _po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(
        buffer,
        catalog,
        omit_header=False,
        sort_output=True,
        width=100,
        ignore_obsolete=True,
        include_previous=False,
        include_lineno=False,  # a moved line of code does not make the catalogue stale
    )
    return _stable(buffer.getvalue())


def _stable(data: bytes) -> bytes:
    """Drop the header dates so that an unchanged catalogue is byte-for-byte unchanged."""
    lines = [line for line in data.split(b"\n") if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date'))]
    return b"\n".join(lines)


def _catalog_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def merged(language: str, template: Catalog) -> Catalog:
    path = _catalog_path(language)
    if path.exists():
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=language)
    else:
        catalog = Catalog(locale=language, project="dondoc", version="0.1", charset="utf-8")
    catalog.update(template, no_fuzzy_matching=True)
    return catalog


def update() -> None:
    template = extract()
    (LOCALES_DIR / f"{DOMAIN}.pot").write_bytes(_po_bytes(template))
    for language in LANGUAGES:
        path = _catalog_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_po_bytes(merged(language, template)))


def check() -> list[str]:
    """Problems with the catalogues, empty when they are in step and vi is complete."""
    problems: list[str] = []
    template = extract()
    pot = LOCALES_DIR / f"{DOMAIN}.pot"
    if not pot.exists() or _stable(pot.read_bytes()) != _po_bytes(template):
        problems.append(f"{pot} is stale: run `python -m dondoc.i18n_check --update`")
    for language in LANGUAGES:
        path = _catalog_path(language)
        if not path.exists() or _stable(path.read_bytes()) != _po_bytes(merged(language, template)):
            problems.append(f"{path} is stale: run `python -m dondoc.i18n_check --update`")
    problems += [
        f"{where}: _() inside an f-string is not extracted (Babel reads no f-string): call it before"
        for where in _in_fstrings()
    ]
    with _catalog_path("vi").open("rb") as fh:
        vi = read_po(fh, locale="vi")
    for message in vi:
        if not message.id:
            continue
        if not message.string or (isinstance(message.string, tuple) and not all(message.string)):
            problems.append(f"vi: untranslated: {message.id!r}")
        elif message.fuzzy:
            problems.append(f"vi: fuzzy: {message.id!r}")
    return problems


def _in_fstrings(folder: Path = PACKAGE) -> Iterator[str]:
    """Where a message call sits inside an f-string ("{_('…')}"): Babel's extractor skips f-strings, so
    such a message drops out of the catalogue at the next update and shows in English."""
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in KEYWORDS
                    and inner.args
                    and isinstance(inner.args[0], ast.Constant)
                    and isinstance(inner.args[0].value, str)
                ):
                    yield f"dondoc/{path.relative_to(folder).as_posix()}:{inner.lineno}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true", help="re-extract and merge the catalogues")
    args = parser.parse_args(argv)
    if args.update:
        update()
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("translation catalogues are up to date; vi is complete")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

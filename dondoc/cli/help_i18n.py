"""The command line's help and its parser's messages in the language of the run.

The command modules write their help in English (``help="…"``, the commands' docstrings,
``typer.Typer(help=…)``), as message ids. :func:`run` decides the language before anything is parsed
(``--lang X`` or ``--lang=X`` anywhere on the command line, else ``DONDOC_LANG`` or ``.env``), builds
the Click command tree from the Typer app, puts every help text of it through the catalogue in that
language, and runs it the way ``app()`` does. ``python -m dondoc.i18n_check`` extracts the same texts
from the source with ``ast`` (nothing below the command line may import it), and
``tests/bot/test_cli_help.py`` fails when one of them has no Vietnamese.

The parser's own words. Typer (0.29) runs its own copy of Click, ``typer._click``, in which Click's
``gettext`` calls were dropped: "Usage:", "Show this message and exit.", "Try '…' for help.", "Error: …"
and the error messages are plain English strings there. The least fragile hooks, all on this run's
own objects or public Click API, and none touching how the command runs or exits:

- "Usage:": every command of the tree gets a subclass of its context class whose help formatter writes
  the translated prefix (``Context.formatter_class`` is Click's documented extension point);
- "Show this message and exit.": the help option of each command (made once and kept by the command)
  gets its help translated like any option's;
- errors: the root command's ``make_context`` and ``invoke`` (everything Click parses and runs happens
  under them) turn a ``ClickException`` into :class:`LocalizedError`, whose ``show`` writes the same
  lines as Click's (usage, "Try … for help.", "Error: …") translated; Typer's ``main`` then shows it
  and exits with the original exit code as before. The message itself, English text that Click and
  Typer compose with f-strings, is matched against :data:`MESSAGES` (their English shapes with
  ``{placeholders}``) and rebuilt from the translated shape; a message matching none stays as it is.
- ``typer.core`` still calls the stdlib ``gettext.gettext`` (headings "Options", "Arguments",
  "Commands", "default: …", "required", "Aborted!", "No such command …"). The stdlib's gettext can
  only be bound to compiled ``.mo`` files on disk (found by domain, locale folder and the ``LANGUAGE``
  variable), and dondoc reads its ``.po`` files directly; so for the length of the run the module's
  ``_`` name (looked up at each call) is this language's catalogue, and is put back afterwards.

Rich is installed (Typer depends on it) but not used: the app sets ``rich_markup_mode=None``, which
every group inherits, so Typer's rich formatting (``typer.rich_utils``, with strings of its own) never
runs; the tests check that it stays so.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import IO, Any, TypeVar, cast

import typer
import typer.core
from typer._click.core import Command, Context
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from dondoc.bot.config import Settings
from dondoc.cli.common import error_record, json_requested
from dondoc.i18n import N_, normalize_language, translations

F = TypeVar("F", bound=Callable[..., Any])

# Typer's own words, through its `gettext` calls (typer/core.py); here so that the catalogue has them.
TYPER_MESSAGES = (
    # TRANSLATORS: help heading (typer/core.py), followed by ":"
    N_("Options"),
    # TRANSLATORS: help heading (typer/core.py), followed by ":"
    N_("Arguments"),
    # TRANSLATORS: help heading (typer/core.py), followed by ":"
    N_("Commands"),
    # TRANSLATORS: in an option's help, within [ ] (typer/core.py)
    N_("default: {default}"),
    # TRANSLATORS: in an option's help, within [ ] (typer/core.py)
    N_("required"),
    # TRANSLATORS: in an option's help, within [ ] (typer/core.py)
    N_("env var: {var}"),
    # TRANSLATORS: a default computed when the command runs (typer/core.py)
    N_("(dynamic)"),
    # TRANSLATORS: the command was interrupted (typer/core.py)
    N_("Aborted!"),
    # TRANSLATORS: error (typer/core.py); a group was given no command
    N_("Missing command."),
    # TRANSLATORS: error (typer/core.py); keep {name!r} as it is: it prints the name in quotes
    N_("No such command {name!r}."),
    # TRANSLATORS: help of a global option (typer/completion.py)
    N_("Install completion for the current shell."),
    # TRANSLATORS: help of a global option (typer/completion.py)
    N_("Show completion for the current shell, to copy it or customize the installation."),
)

# TRANSLATORS: the help's first line (typer/_click/formatting.py), followed by the command
USAGE = N_("Usage:")
# TRANSLATORS: in the usage line, where a command's options go (typer/_click/core.py); keep the brackets
OPTIONS_METAVAR = N_("[OPTIONS]")
# TRANSLATORS: in a group's usage line, where its command and that command's arguments go (typer/_click/core.py)
COMMAND_METAVAR = N_("COMMAND [ARGS]...")
# TRANSLATORS: help of --help (typer/_click/decorators.py)
HELP_OPTION = N_("Show this message and exit.")
# TRANSLATORS: after a wrong command line (typer/_click/exceptions.py); {command!r} is e.g. 'dondoc plan --help'
TRY_HELP = N_("Try {command!r} for help.")
# TRANSLATORS: the last line after a wrong command line (typer/_click/exceptions.py)
ERROR = N_("Error: {message}")

# The names of the commands' arguments as the help and the errors show them ("dondoc units import
# [OPTIONS] FILE", "Missing argument 'FILE'."), by the parameter's name in the source: Typer would show
# the source's English name, in braces on the usage line ("{file}"). A new argument without an entry
# shows its name in capitals (tests/bot/test_cli_help.py asks for an entry).
ARGUMENT_NAMES = {
    # TRANSLATORS: an argument's name in the help (dondoc units import FILE); capitals, no spaces
    "file": N_("FILE"),
    # TRANSLATORS: an argument's name in the help (dondoc forget PERSON); capitals, no spaces
    "person": N_("PERSON"),
    # TRANSLATORS: an argument's name in the help (dondoc invite revoke CODE): an invite code; capitals, no spaces
    "code": N_("CODE"),
    # TRANSLATORS: an argument's name in the help (dondoc invite UNIT); capitals, no spaces
    "unit": N_("UNIT"),
    # TRANSLATORS: an argument's name in the help (dondoc plan remove KEY): a plan's key; capitals, no spaces
    "key": N_("KEY"),
    # TRANSLATORS: an argument's name in the help (dondoc absence cancel NUMBER); capitals, no spaces
    "number": N_("NUMBER"),
}

# What an option takes, in the help ("--db TEXT"), by the type Typer would show ("--db <str>").
OPTION_VALUES = {
    # TRANSLATORS: what an option takes, in the help (--db TEXT); capitals, no spaces
    "<str>": N_("TEXT"),
    # TRANSLATORS: what an option takes, in the help (--unit TEXT, given several times); capitals, no spaces
    "<list[str]>": N_("TEXT"),
    # TRANSLATORS: what an option takes, in the help (--year INTEGER); capitals, no spaces
    "<int>": N_("INTEGER"),
    # TRANSLATORS: what an option takes, in the help (--port INTEGER; its range follows in [ ]); capitals, no spaces
    "<int range>": N_("INTEGER"),
    # TRANSLATORS: what an option takes, in the help (-o FILE); capitals, no spaces
    "<file>": N_("FILE"),
    # TRANSLATORS: what an option takes, in the help (--data PATH: a file or a folder); capitals, no spaces
    "<path>": N_("PATH"),
}

# The English shapes of the messages Click and Typer compose (typer/_click/exceptions.py, parser.py,
# core.py; typer/core.py, _param_types.py; the range and number checks of pydantic). {message} is itself
# translated when it matches a shape; the other placeholders are names and values typed or given.
MESSAGES = (
    # TRANSLATORS: error (typer/_click/exceptions.py); {name} is an argument's name in quotes
    N_("Missing argument {name}."),
    # TRANSLATORS: error (typer/_click/exceptions.py); {name} is an option in quotes
    N_("Missing option {name}."),
    # TRANSLATORS: error (typer/_click/exceptions.py); {name} is an option or argument in quotes
    N_("Missing parameter {name}."),
    # TRANSLATORS: error (typer/_click/exceptions.py); {message} lists what to choose from
    N_("Missing argument {name}. {message}"),
    # TRANSLATORS: error (typer/_click/exceptions.py); {message} lists what to choose from
    N_("Missing option {name}. {message}"),
    # TRANSLATORS: error (typer/_click/exceptions.py); {message} lists what to choose from
    N_("Missing parameter {name}. {message}"),
    # TRANSLATORS: after a missing option or argument (typer/core.py); keep the line break and tab
    N_("Choose from:\n\t{choices}"),
    # TRANSLATORS: error (typer/_click/exceptions.py); {name} is an option or argument in quotes
    N_("Invalid value for {name}: {message}"),
    # TRANSLATORS: error (typer/_click/exceptions.py)
    N_("Invalid value: {message}"),
    # TRANSLATORS: error (typer/_click/exceptions.py); {name} is the option typed
    N_("No such option: {name}"),
    # TRANSLATORS: error (typer/_click/exceptions.py); {options} are the options meant, maybe
    N_("No such option: {name} (Possible options: {options})"),
    # TRANSLATORS: error (typer/core.py): a mistyped command; {message} says there is no such command
    N_("{message}. Did you mean {suggestions}?"),
    # TRANSLATORS: error (typer/_click/core.py); {arguments} are the words left over
    N_("Got unexpected extra argument(s) ({arguments})"),
    # TRANSLATORS: error (typer/_click/parser.py); {name} is an option in quotes
    N_("Option {name} requires an argument."),
    # TRANSLATORS: error (typer/_click/parser.py); {name} is an option in quotes
    N_("Option {name} requires {count} arguments."),
    # TRANSLATORS: error (typer/_click/parser.py); {name} is an option in quotes
    N_("Option {name} does not take a value."),
    # TRANSLATORS: error (typer/_click/parser.py); {name} is an argument in quotes
    N_("Argument {name} takes {count} values."),
    # TRANSLATORS: error (typer/_param_types.py); {name} is the file name in quotes
    N_("file {name} does not exist."),
    # TRANSLATORS: error (typer/_param_types.py); {name} is the file name in quotes
    N_("file {name} is a directory."),
    # TRANSLATORS: error (typer/_param_types.py); {name} is the file name in quotes
    N_("file {name} is not readable."),
    # TRANSLATORS: error (typer/_click/exceptions.py); {name} is the file name in quotes
    N_("Could not open file {name}: {message}"),
    # TRANSLATORS: error (typer/_coercion.py)
    N_("Value must be an iterable."),
    # TRANSLATORS: a number option given something else (pydantic, through typer/_display.py)
    N_("Input should be a valid integer, unable to parse string as an integer"),
    # TRANSLATORS: a number option given too small a number (pydantic)
    N_("Input should be greater than or equal to {limit}"),
    # TRANSLATORS: a number option given too large a number (pydantic)
    N_("Input should be less than or equal to {limit}"),
)


# ---------------------------------------------------------------- the language of the run


def chosen_language(args: Sequence[str]) -> str:
    """The language of this command line: the last ``--lang X`` / ``--lang=X`` (before a ``--``), else
    the configured one (``DONDOC_LANG``, ``.env``). A value dondoc does not speak means Vietnamese here:
    the command itself then says what is wrong with it (``common.check_language``)."""
    chosen: str | None = None
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            chosen = args[index + 1]
        elif arg.startswith("--lang="):
            chosen = arg.partition("=")[2]
    if chosen is None:
        try:
            chosen = Settings().lang
        except Exception:  # a setting that cannot be read is reported by the command, in its words
            chosen = None
    return normalize_language(chosen)


# ---------------------------------------------------------------- the help texts


def help_key(text: str) -> str:
    """The message id of a help text: what Click shows of it, cleaned like a docstring and cut at a
    form feed (``dondoc.i18n_check`` computes the same from the source)."""
    return inspect.cleandoc(text.partition("\f")[0])


def translated_help(text: str, gettext: Callable[[str], str]) -> str:
    """``text`` in the catalogue's language; what follows a form feed (never shown) is kept."""
    head, feed, rest = text.partition("\f")
    key = inspect.cleandoc(head)
    translated = gettext(key)
    return text if translated == key else translated + feed + rest


def walk(command: Command, name: str = "dondoc") -> Iterator[tuple[tuple[str, ...], Command, Context]]:
    """Every command of the tree (the path of names, the command, a context for it as a run would make
    it under its parents), parents first."""

    def visit(
        cmd: Command, path: tuple[str, ...], parent: Context | None
    ) -> Iterator[tuple[tuple[str, ...], Command, Context]]:
        ctx = cmd.context_class(cmd, info_name=path[-1], parent=parent, **cmd.context_settings)
        yield path, cmd, ctx
        for sub_name, sub in getattr(cmd, "commands", {}).items():
            yield from visit(sub, (*path, sub_name), ctx)

    yield from visit(command, (name,), None)


def help_texts(command: Command) -> Iterator[tuple[str, str]]:
    """(where, text) for every help text of the tree: each command's help and short help, each of its
    parameters' (the help option included)."""
    for path, cmd, ctx in walk(command):
        where = " ".join(path)
        for text in (cmd.help, cmd.short_help):
            if text:
                yield where, text
        for param in _params(cmd, ctx):
            text = getattr(param, "help", None)
            if isinstance(text, str) and text:
                yield f"{where} {param.name}", text


def _params(cmd: Command, ctx: Context) -> list[Any]:
    help_option = cmd.get_help_option(ctx)  # made once, kept by the command
    return [*cmd.params, *([help_option] if help_option is not None else [])]


def localize(command: Command, language: str) -> Command:
    """``command``'s tree with every help text in ``language``, its help's "Usage:" too, and its errors
    shown translated (:class:`LocalizedError`). Changes the tree in place and returns it."""
    gettext = translations(language).gettext
    for _path, cmd, ctx in walk(command):
        if cmd.help:
            cmd.help = translated_help(cmd.help, gettext)
        if cmd.short_help:
            cmd.short_help = translated_help(cmd.short_help, gettext)
        for param in _params(cmd, ctx):
            text = getattr(param, "help", None)
            if isinstance(text, str) and text:
                param.help = translated_help(text, gettext)
            _name_values(param, ctx, gettext)
        if cmd.options_metavar == OPTIONS_METAVAR:  # the usage line: "dondoc plan import [TÙY_CHỌN] …"
            cmd.options_metavar = gettext(OPTIONS_METAVAR)
        if getattr(cmd, "subcommand_metavar", None) == COMMAND_METAVAR:
            setattr(cmd, "subcommand_metavar", gettext(COMMAND_METAVAR))  # noqa: B010 (groups only)
        cmd.context_class = _localized_context(cmd.context_class, language)
    # Attributes of this run's own root command (it is built afresh each run): everything Click parses
    # and runs happens under these two calls; Typer's main() then shows the error and exits as before.
    setattr(command, "make_context", _localizing_errors(command.make_context, language))  # noqa: B010
    setattr(command, "invoke", _localizing_errors(command.invoke, language))  # noqa: B010
    return command


class NamedArgument(typer.core.TyperArgument):
    """An argument shown by its name alone, as Click shows one: "FILE" on the usage line ("[FILE]" when
    optional) and in its help row, where Typer writes "{file}" and "file <file>"."""

    def _usage_display_name(self) -> str:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name if self.nargs == 1 else name + "..."

    def display_type_rich(self, ctx: Context) -> str | None:
        return None


def _name_values(param: Any, ctx: Context, gettext: Callable[[str], str]) -> None:
    """An argument's name (:data:`ARGUMENT_NAMES`) and what an option takes (:data:`OPTION_VALUES`) in
    the run's language; a metavar the source sets (``metavar=DATE``, a message id of the catalogue)
    is translated the same way, and the default an option shows as text (``show_default="5000"``) is
    shown as a value, without the parentheses Click puts around a description."""
    if isinstance(param, typer.core.TyperOption) and isinstance(param.show_default, str):
        param.__class__ = _TextDefault
    if param.metavar is not None:
        param.metavar = gettext(param.metavar)
        return
    if type(param) is typer.core.TyperArgument:
        name = ARGUMENT_NAMES.get(param.name or "")
        param.metavar = gettext(name) if name else (param.name or "").upper()
        param.__class__ = NamedArgument
    elif isinstance(param, typer.core.TyperOption) and not param.is_flag:
        shown = OPTION_VALUES.get(param.display_type_rich(ctx) or "")
        if shown:
            param.metavar = gettext(shown)


class _TextDefault(typer.core.TyperOption):
    """An option whose ``show_default`` is its default as text ("5000", where the real default is None:
    the environment decides), shown "[default: 5000]" rather than Click's "[default: (5000)]"."""

    def _get_default_string(self, *, ctx: Context, show_default_is_str: bool, default_value: Any) -> str:
        if show_default_is_str:
            return str(self.show_default)
        return super()._get_default_string(
            ctx=ctx, show_default_is_str=show_default_is_str, default_value=default_value
        )


_CONTEXTS: dict[tuple[type[Context], str], type[Context]] = {}


def _localized_context(base: type[Context], language: str) -> type[Context]:
    """``base`` whose help formatter writes "Usage:" in ``language`` (one class per base and language)."""
    if (base, language) not in _CONTEXTS:
        _CONTEXTS[base, language] = _make_localized_context(base, language)
    return _CONTEXTS[base, language]


def _make_localized_context(base: type[Context], language: str) -> type[Context]:
    usage = translations(language).gettext(USAGE) + " "

    class LocalizedFormatter(base.formatter_class):  # type: ignore[name-defined,misc]
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, usage if prefix is None else prefix)

    return cast(type[Context], type(base.__name__, (base,), {"formatter_class": LocalizedFormatter}))


# ---------------------------------------------------------------- the parser's messages


class LocalizedError(ClickException):
    """A Click error shown in ``language``: the same lines as Click's ``show``, translated."""

    def __init__(self, error: ClickException, language: str) -> None:
        super().__init__(error.message)
        self.error = error
        self.language = language
        self.exit_code = error.exit_code
        self.show_color = error.show_color

    def format_message(self) -> str:
        return localized_message(self.error.format_message(), self.language)

    def show(self, file: IO[Any] | None = None) -> None:
        gettext = translations(self.language).gettext
        if file is None and json_requested():  # --log-format json: one JSON line, as the logs write
            ctx = self.error.ctx if isinstance(self.error, UsageError) else None
            text = self.format_message()
            if ctx is not None and ctx.command.get_help_option(ctx) is not None:
                command = f"{ctx.command_path} {ctx.help_option_names[0]}"
                text += " " + gettext(TRY_HELP).format(command=command)
            typer.echo(error_record(text), err=True)
            return
        color = self.show_color
        if isinstance(self.error, UsageError):
            color = None
            ctx = self.error.ctx
            if ctx is not None:
                color = ctx.color
                hint = ""
                if ctx.command.get_help_option(ctx) is not None:
                    command = f"{ctx.command_path} {ctx.help_option_names[0]}"
                    hint = gettext(TRY_HELP).format(command=command) + "\n"
                typer.echo(f"{ctx.get_usage()}\n{hint}", file=file, err=file is None, color=color)
        typer.echo(gettext(ERROR).format(message=self.format_message()), file=file, err=file is None, color=color)


def _localizing_errors(method: F, language: str) -> F:
    def localizing(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except (LocalizedError, NoArgsIsHelpError):  # the latter shows the (translated) help
            raise
        except ClickException as error:
            raise LocalizedError(error, language) from error

    return cast(F, localizing)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@cache
def _shapes() -> list[tuple[str, re.Pattern[str]]]:
    """The messages' English shapes as patterns, the most specific (most fixed text) first."""
    shapes = []
    for message in MESSAGES:
        parts = _PLACEHOLDER.split(message)  # text, name, text, name, …, text
        pattern = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
        fixed = sum(len(part) for part in parts[::2])
        shapes.append((fixed, message, re.compile(pattern, re.DOTALL)))
    shapes.sort(key=lambda shape: -shape[0])
    return [(message, pattern) for _fixed, message, pattern in shapes]


def localized_message(text: str, language: str) -> str:
    """A message Click or Typer composed in English, in ``language`` (unchanged when no shape fits)."""
    gettext = translations(language).gettext
    for message, pattern in _shapes():
        match = pattern.fullmatch(text)
        if match is None:
            continue
        values = {
            name: localized_message(value, language) if name == "message" else value
            for name, value in match.groupdict().items()
        }
        try:
            return gettext(message).format(**values)
        except (KeyError, IndexError, ValueError):  # a translation with broken placeholders
            return text
    return text


# ---------------------------------------------------------------- running


@contextmanager
def _typer_gettext(language: str) -> Iterator[None]:
    """``typer.core``'s ``_`` (its stdlib ``gettext``) is this language's catalogue for the run."""
    original = getattr(typer.core, "_", None)
    if original is None:  # a Typer without it: its words stay English
        yield
        return
    setattr(typer.core, "_", translations(language).gettext)  # noqa: B010
    try:
        yield
    finally:
        setattr(typer.core, "_", original)  # noqa: B010


def run(app: typer.Typer, argv: list[str] | None = None) -> Any:
    """Run ``app`` on ``argv`` (default: the command line) as ``app(args=argv, prog_name="dondoc")``
    does, its help and the parser's messages in the language of the run."""
    language = chosen_language(sys.argv[1:] if argv is None else argv)
    command = localize(typer.main.get_command(app), language)
    # What Typer.__call__ adds around the command: its exception hook, and the app's traceback settings
    # on an exception that escapes (read by that hook).
    hook = getattr(typer.main, "except_hook", None)
    if hook is not None and sys.excepthook != hook:
        sys.excepthook = hook
    with _typer_gettext(language):
        try:
            return command(args=argv, prog_name="dondoc")
        except Exception as error:
            config = getattr(typer.main, "DeveloperExceptionConfig", None)
            attribute = getattr(typer.main, "_typer_developer_exception_attr_name", None)
            if config is not None and attribute is not None:
                setattr(
                    error,
                    attribute,
                    config(
                        pretty_exceptions_enable=app.pretty_exceptions_enable,
                        pretty_exceptions_show_locals=app.pretty_exceptions_show_locals,
                        pretty_exceptions_short=app.pretty_exceptions_short,
                    ),
                )
            raise

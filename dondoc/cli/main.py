"""The ``dondoc`` application: the command groups and commands of the other modules, the options every
command shares (before the command or after it), and the console entry point."""

from __future__ import annotations

import os
import sys

import typer

from dondoc.bot.memory import fewer_arenas
from dondoc.cli import common
from dondoc.cli.absence import absence_app
from dondoc.cli.bot import run, sandbox
from dondoc.cli.common import LONG_RUNNING, DbOption, LangOption, LogFormatOption, OrgOption
from dondoc.cli.demo import demo
from dondoc.cli.explanation import explanation_app
from dondoc.cli.extension import extension_app
from dondoc.cli.invite import invite_app
from dondoc.cli.ops import backup, db_app
from dondoc.cli.people import forget, people_app
from dondoc.cli.plan import plan_app
from dondoc.cli.ranking import ranking_app
from dondoc.cli.reminders import reminders_app
from dondoc.cli.report import report_app
from dondoc.cli.serve import serve
from dondoc.cli.status import chart, export_status, status
from dondoc.cli.targets import figures_app, targets_app
from dondoc.cli.tasks import task_app
from dondoc.cli.units import units_app
from dondoc.cli.usage import usage_command
from dondoc.i18n import _

app = typer.Typer(
    help="dondoc: follow up an action plan's tasks with the units that carry them out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def main_options(
    ctx: typer.Context,
    db: DbOption = None,
    lang: LangOption = None,
    org: OrgOption = None,
    log_format: LogFormatOption = None,
) -> None:
    """Options that apply to every command."""
    common.start(db, lang, org, log_format)  # reads the environment and .env once, before any command runs
    if ctx.invoked_subcommand in (*LONG_RUNNING, "sandbox"):
        fewer_arenas()  # a process that runs for weeks: one malloc arena (dondoc.bot.memory)
    if ctx.invoked_subcommand in LONG_RUNNING:
        common.start_logging()
        ctx.call_on_close(common.stop_logging)


app.add_typer(units_app, name="units")
app.add_typer(plan_app, name="plan")
app.command("demo")(demo)
app.command("status")(status)
app.add_typer(report_app, name="report")
app.add_typer(extension_app, name="extension")
app.add_typer(explanation_app, name="explanation")
app.add_typer(absence_app, name="absence")
app.add_typer(task_app, name="task")
app.add_typer(targets_app, name="targets")
app.add_typer(figures_app, name="figures")
app.add_typer(invite_app, name="invite")
app.add_typer(people_app, name="people")
app.command("forget")(forget)
app.command("run")(run)
app.command("sandbox")(sandbox)
app.command("serve")(serve)
app.add_typer(reminders_app, name="reminders")
app.command("export")(export_status)
app.command("chart")(chart)
app.add_typer(ranking_app, name="ranking")
app.command("usage")(usage_command)
app.add_typer(db_app, name="db")
app.command("backup")(backup)


def _debugging() -> bool:
    run = common.current_if_started()
    if run is not None:
        return run.settings.debugging
    return os.environ.get("DONDOC_DEBUG", "").strip() not in ("", "0")


def main(argv: list[str] | None = None) -> None:
    """Console entry point (``argv``: the arguments after ``dondoc``, default the command line)."""
    from dondoc.cli import help_i18n  # runs app as app() would, its help in the run's language

    # what its errors are written in, before Click parses anything (--log-format json: JSON lines)
    common.request_log_format(sys.argv[1:] if argv is None else argv)
    try:
        help_i18n.run(app, argv)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # the last resort: every expected problem has its own message
        if _debugging():
            raise
        detail = (str(error).strip().splitlines() or [""])[0]
        line = _("Unexpected error: {error}. Run with DONDOC_DEBUG=1 for details.").format(
            error=f"{type(error).__name__}: {detail}" if detail else type(error).__name__
        )
        typer.echo(common.error_record(line) if common.json_requested() else line, err=True)
        sys.exit(1)
    finally:
        common.request_log_format(None)

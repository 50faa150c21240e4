"""``dondoc invite``: a one-time code that binds a chat account to a unit and role."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import re
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session, col, select

from dondoc.bot.zalo_bots import single_zalo_bot
from dondoc.cli.common import (
    JsonOption,
    clock,
    configured_bot_username,
    fail,
    global_options,
    organization,
    os_error_reason,
    print_json,
    quoted,
    refuse,
    sentence,
    settings,
    show_warnings,
    store,
    usage,
)
from dondoc.cli.people import InviteGroup, invite_attempts, invite_list, invite_revoke
from dondoc.db.models import MemberRole, Organization, Unit
from dondoc.db.session import session_scope
from dondoc.handlers.onboarding import (
    already_invited,
    create_invite,
    nearest_names,
    role_name,
    units_named,
    zalo_instructions,
)
from dondoc.i18n import N_, _, format_datetime
from dondoc.plan.problems import InputError, Problem
from dondoc.plan.progress import several_units
from dondoc.plan.registry_table import Recipient, is_table, name_key, read_recipients
from dondoc.plan.rollup import organizations_under
from dondoc.plan.zalo_bots import ZALO, ZaloBotInfo, zalo_bot_serving
from dondoc.plan.zalo_users import full_bot_warning
from dondoc.tz import TZ

MAX_INVITE_DAYS = 365

invite_app = typer.Typer(
    cls=InviteGroup,
    help="Invites: dondoc invite UNIT --role ROLE makes one; list, revoke and attempts look after them.",
    no_args_is_help=True,
)


def parse_duration(value: str) -> timedelta:
    """ "7d", "12h", "30m" or a number of days: more than nothing, at most a year."""
    match = re.fullmatch(r"\s*(\d+)\s*([dhm]?)\s*", value)
    if not match:
        usage(_("--expires: not a duration: {value} (use 7d, 12h or 30m)").format(value=value))
    amount, unit = int(match.group(1)), match.group(2) or "d"
    minutes = amount * {"d": 24 * 60, "h": 60, "m": 1}[unit]
    if not 0 < minutes <= MAX_INVITE_DAYS * 24 * 60:
        usage(
            _("--expires: {value} is not a validity dondoc accepts: give from 1m up to {days}d").format(
                value=value, days=MAX_INVITE_DAYS
            )
        )
    return timedelta(minutes=minutes)


def _named(bot: ZaloBotInfo) -> ZaloBotInfo:
    """``bot`` with the name people search for in Zalo: the one bot of ``ZALO_BOT_TOKEN`` without
    ``ZALO_BOT_NAME`` is named by Zalo itself (getMe); a problem asking is one line on standard error."""
    if bot.display_name or bot.key != ZALO:
        return bot
    from dondoc.cli.bot import check_zalo_api, zalo_bot_name

    config = settings().zalo
    problem, me = asyncio.run(check_zalo_api(config))
    if problem:
        typer.echo(problem, err=True)
    return replace(bot, display_name=zalo_bot_name(config, me))


@invite_app.command("create")
@global_options
def invite(
    unit: Annotated[
        list[str] | None,
        typer.Argument(
            help='Unit codes or names, group codes or names (xa, "UBND các xã, phường"): one code for each unit.',
            show_default=False,
        ),
    ] = None,
    role: Annotated[str, typer.Option("--role", help="focal, deputy, manager, admin or province.")] = "focal",
    expires: Annotated[str, typer.Option("--expires", help="Validity: 7d, 12h, 30m.")] = "7d",
    every: Annotated[bool, typer.Option("--all", help="Every active unit of the registry.")] = False,
    again: Annotated[
        bool,
        typer.Option(
            "--again", help="Also for the units that already have someone in the role or a pending code for it."
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            dir_okay=False,
            help="Write the codes to this xlsx or csv file (readable by you only), one row a unit, ready to send.",
        ),
    ] = None,
    recipients: Annotated[
        Path | None,
        typer.Option(
            "--recipients",
            exists=True,
            dir_okay=False,
            metavar="FILE",
            help="The list of units (xlsx, csv) with each unit's focal point and phone: adds who receives each "
            "code and their phone to the rows. Personal data: read from the file for this command only, "
            "written only into the -o sheet, never stored in the database or logs (Decree 13).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create one-time invite codes that bind a chat account to a unit and role (and their t.me deep
    links when TELEGRAM_BOT_USERNAME is set): one unit, several, groups, or --all."""
    if role not in {r.value for r in MemberRole}:
        raise typer.BadParameter(
            _("unknown role {role}: use focal, deputy, manager, admin or province").format(role=quoted(role)),
            param_hint="'--role'",
        )
    typed = unit or []
    if not typed and not every:
        usage(_("name the units to invite (codes, names or groups), or give --all"))
    if output is not None and output.suffix.lower() not in (".xlsx", ".csv"):
        usage(
            _("-o: {path} does not end in .xlsx or .csv: name it {example}").format(
                path=output, example=output.with_suffix(".xlsx").name
            )
        )
    if recipients is not None and not is_table(recipients):
        usage(_("--recipients: {path} is not a list of units: give an xlsx or csv file").format(path=recipients))
    valid_for = parse_duration(expires)
    telegram = settings().telegram
    with session_scope(store()) as session:
        org = organization(session)
        chosen, collective = _chosen(session, org, typed, every=every)
        people, notes = _recipients(session, org, recipients) if recipients is not None else (None, [])
        if MemberRole(role) is MemberRole.PROVINCE and len(organizations_under(session, org)) == 1:
            typer.echo(
                _(
                    "Note: no organisation is under {org} yet (a member's registry names it in parent:); until "
                    "one is, the province role sees only {org}'s own plans."
                ).format(org=org.name),
                err=True,
            )
        if collective or len(chosen) > 1 or output is not None or people is not None:  # written before it commits
            _bulk(
                session,
                chosen,
                MemberRole(role),
                valid_for,
                skip=collective and not again,
                output=output,
                as_json=as_json,
                recipients=people,
                notes=notes,
            )
            return
        found = chosen[0]
        new = create_invite(session, found, MemberRole(role), clock().now(), valid_for)
        bot = zalo_bot_serving(session, found, single_zalo_bot(settings()))
        full = full_bot_warning(session, bot) if bot is not None else None
    if bot is not None:
        bot = _named(bot)
    zalo = (
        None
        if bot is None
        else {"bot": bot.key, "name": bot.display_name or None, "instructions": zalo_instructions(bot, new.code)}
    )
    # The t.me link only for the bot's username as configured: dondoc invite asks no one over the network.
    username = configured_bot_username(telegram)
    link = new.link(username) if username else None
    result = {
        "code": new.code,
        "link": link,  # None: the Telegram bot's username is not known (TELEGRAM_BOT_USERNAME)
        "unit": new.unit.code,
        "role": new.role.value,
        "expires_at": new.expires_at.isoformat(),
        "zalo": zalo,  # the Zalo bot that serves the unit (None: no Zalo bot)
        "warnings": [full] if full else [],  # the unit's Zalo bot is at or over the users it takes
    }
    if as_json:
        print_json(result)
        return
    typer.echo(new.code)
    on_telegram = bool(telegram.token) or zalo is None  # a Telegram bot, or no bot this command knows of
    no_bot = not telegram.token and zalo is None and link is None
    if link is not None:
        typer.echo(link)
    elif no_bot:  # no channel configured here: the code works on whichever bot the deployment runs
        typer.echo(_("Send the code {code} to the bot, in Zalo or Telegram").format(code=new.code))
        typer.echo(
            _(
                "No bot is configured here (ZALO_BOT_TOKEN, TELEGRAM_BOT_TOKEN): the code works on the deployment's bots."
            ),
            err=True,
        )
        on_telegram = False
    elif on_telegram:
        typer.echo(_("Open Telegram and send /start {code} to the bot").format(code=new.code))
    if zalo is not None:
        typer.echo(zalo["instructions"])
    if link is None and on_telegram:
        typer.echo(_("Set TELEGRAM_BOT_USERNAME (the bot's username, without @) to print a t.me link too."), err=True)
    typer.echo(
        _("Invite for {role} of {unit}, valid until {date}:")
        .format(role=role_name(new.role), unit=new.unit.name, date=format_datetime(new.expires_at))
        .rstrip(":"),
        err=True,
    )
    if full:
        typer.echo(full, err=True)


def _chosen(session: Session, org: Organization, typed: list[str], *, every: bool) -> tuple[list[Unit], bool]:
    """The units the command names, each once in the order named (``--all``: every active unit, in
    registry order), and whether they were named collectively (a group, several, ``--all``). A name that
    fits nothing refuses the whole command, naming each such name and the nearest registered ones."""
    assert org.id is not None
    chosen: dict[int | None, Unit] = {}
    collective = every or len(typed) > 1
    if every:
        query = select(Unit).where(Unit.organization_id == org.id, col(Unit.active)).order_by(col(Unit.position))
        chosen |= {unit.id: unit for unit in session.exec(query)}
    unknown: list[str] = []
    for name in typed:
        units, several = units_named(session, org, name)
        if len(units) > 1 and not several:  # names differing only in their diacritics: never a guess
            fail(several_units(name, units))
        if not units:
            unknown.append(name)
        collective = collective or several
        chosen |= {unit.id: unit for unit in units if unit.id not in chosen}
    if unknown:
        lines = []
        for name in unknown:
            line = _("no unit or group {name} in the registry").format(name=quoted(name))
            near = nearest_names(session, org, name)
            if near:
                line += " — " + _("did you mean {names}?").format(names="; ".join(quoted(n) for n in near))
            lines.append(sentence(line))
        fail("\n".join(lines) + "\n" + _("Nothing was created."))
    if not chosen:
        fail(_("the registry has no active unit"))
    return list(chosen.values()), collective


def _recipients(session: Session, org: Organization, path: Path) -> tuple[dict[str, Recipient], list[Problem]]:
    """Who receives each unit's code, by unit code, as the list at ``path`` names them (the units
    matched as ``dondoc units import`` matched them), and a warning for each row naming no unit of
    ``org``. Refuses the command (nothing made) when the file holds no such list."""
    query = select(Unit).where(Unit.organization_id == org.id).order_by(col(Unit.active))
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for unit in session.exec(query):  # active units last: theirs win
        codes[unit.code.upper()] = unit.code
        for text in (*unit.aliases, unit.name):
            names[name_key(text)] = unit.code
    try:
        return read_recipients(path, codes=codes, names=names)
    except InputError as error:
        refuse(error)


def _bulk(
    session: Session,
    units: list[Unit],
    role: MemberRole,
    valid_for: timedelta,
    *,
    skip: bool,
    output: Path | None,
    as_json: bool,
    recipients: dict[str, Recipient] | None = None,
    notes: list[Problem] | None = None,
) -> None:
    """A code for each of ``units`` (with ``skip``, not for those that already have someone in ``role``
    or a pending code for it), as rows: printed, or written to ``output``, before the caller commits.
    With ``recipients`` (from ``--recipients``), each row also names who receives the code and their
    phone; ``notes`` are the warnings reading them gave."""
    now = clock().now()
    bound, pending = already_invited(session, units, role, now) if skip else (set(), set())
    telegram = settings().telegram
    username = configured_bot_username(telegram)
    single = single_zalo_bot(settings())
    named: dict[str, ZaloBotInfo] = {}
    warnings: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    for unit in units:
        if unit.id in bound or unit.id in pending:
            continue
        new = create_invite(session, unit, role, now, valid_for)
        bot = zalo_bot_serving(session, unit, single)
        if bot is not None:
            if bot.key not in named:
                named[bot.key] = _named(bot)
                if full := full_bot_warning(session, bot):
                    warnings[bot.key] = full
            bot = named[bot.key]
        link = new.link(username) if username else None
        rows.append(
            {
                "unit": unit.code,
                "unit_name": unit.name,
                "role": role.value,
                "role_name": role_name(role),
                "code": new.code,
                "expires_at": new.expires_at.isoformat(),
                "valid_until": new.expires_at.astimezone(TZ).strftime("%d/%m/%Y %H:%M"),
                "instructions": _instructions(new.code, bot, link, on_telegram=bool(telegram.token)),
                "link": link,
                "zalo": None if bot is None else {"bot": bot.key, "name": bot.display_name or None},
            }
        )
        if recipients is not None:  # personal data: in this command's output only, never stored
            person = recipients.get(unit.code)
            rows[-1] |= {"recipient": person.name if person else "", "phone": person.phone if person else ""}
    skipped = {
        "bound": [unit.code for unit in units if unit.id in bound],
        "pending": [unit.code for unit in units if unit.id in pending],
    }
    if output is not None and rows:
        try:
            _write_rows(output, rows, recipients=recipients is not None)
        except OSError as error:
            fail(_("cannot write {path}: {error}").format(path=output, error=os_error_reason(error, output)))
    if as_json:
        print_json(
            {
                "invites": rows,
                "skipped": skipped,
                "output": str(output) if output is not None and rows else None,
                "warnings": [*warnings.values(), *(str(note) for note in notes or [])],
            }
        )
    elif output is None:
        for row in rows:
            line = f"{row['code']}\t{row['unit']}\t{row['unit_name']}"
            typer.echo(line + (f"\t{row['recipient']}" if recipients is not None else ""))
    _summary(role, rows, skipped, output)
    if rows and username is None and telegram.token:
        typer.echo(_("Set TELEGRAM_BOT_USERNAME (the bot's username, without @) to print a t.me link too."), err=True)
    if rows and not telegram.token and username is None and all(row["zalo"] is None for row in rows):
        typer.echo(
            _(
                "No bot is configured here (ZALO_BOT_TOKEN, TELEGRAM_BOT_TOKEN): the messages name no bot. Set "
                "ZALO_BOT_TOKEN and ZALO_BOT_NAME (in .env) before making the codes, or tell each unit which bot "
                "to send its code to."
            ),
            err=True,
        )
    for warning in warnings.values():
        typer.echo(warning, err=True)
    if notes and not as_json:
        show_warnings(notes)


def _summary(role: MemberRole, rows: list[dict[str, Any]], skipped: dict[str, list[str]], output: Path | None) -> None:
    """What was made and what was left out, on standard error."""
    if rows:
        line = _("Invites for {role}: {count}, valid until {date}.").format(
            role=role_name(role), count=len(rows), date=rows[0]["valid_until"]
        )
    else:
        line = _("No invite made: every unit named already has one.")
    if skipped["bound"] or skipped["pending"]:
        line += " " + _("Skipped — already has a {role}: {bound}; already has a pending code: {pending}.").format(
            role=role_name(role), bound=len(skipped["bound"]), pending=len(skipped["pending"])
        )
        line += " " + _("--again makes new codes for them too.")
    typer.echo(line, err=True)
    if output is not None and rows:
        typer.echo(
            _(
                "Written: {path}. The codes are secret: the file can be read by you only (0600); send each "
                "code to its own unit, and delete the file once they are sent."
            ).format(path=output),
            err=True,
        )
    elif output is None and len(rows) > 1:
        typer.echo(_("-o FILE.xlsx (or .csv) writes each unit's message, ready to send."), err=True)


def _instructions(code: str, bot: ZaloBotInfo | None, link: str | None, *, on_telegram: bool) -> str:
    """What the person sends where, as the single invite prints it: the unit's Zalo bot, the t.me link."""
    lines = [zalo_instructions(bot, code)] if bot is not None else []
    if link is not None:
        lines.append(_("On Telegram, open {link}").format(link=link))
    elif on_telegram:
        lines.append(_("Open Telegram and send /start {code} to the bot").format(code=code))
    if not lines:
        lines.append(_("Send the code {code} to the bot, in Zalo or Telegram").format(code=code))
    return "\n".join(lines)


_COLUMNS = (N_("Unit code"), N_("Unit name"), N_("Role"), N_("Invite code"), N_("Valid until"), N_("Message to send"))
_KEYS = ("unit", "unit_name", "role_name", "code", "valid_until", "instructions")
_WIDTHS = (10, 40, 18, 12, 18, 60)
# With --recipients, after the unit's name: who receives the code and the phone Zalo finds them by.
_RECIPIENT_COLUMNS = (N_("Recipient"), N_("Phone"))
_RECIPIENT_KEYS = ("recipient", "phone")
_RECIPIENT_WIDTHS = (28, 16)


def _write_rows(output: Path, rows: list[dict[str, Any]], *, recipients: bool = False) -> None:
    """The rows as an xlsx or csv sheet, readable by its owner only (0600: the codes are secrets;
    with ``recipients``, the people's names and phones too)."""
    columns, keys, widths = list(_COLUMNS), list(_KEYS), list(_WIDTHS)
    if recipients:
        columns[2:2], keys[2:2], widths[2:2] = _RECIPIENT_COLUMNS, _RECIPIENT_KEYS, _RECIPIENT_WIDTHS
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a file already there keeps no wider permissions
    with os.fdopen(fd, "wb") as handle:
        header = [_(column) for column in columns]
        if output.suffix.lower() == ".csv":
            text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")  # Excel reads the BOM as UTF-8
            writer = csv.writer(text)
            writer.writerow(header)
            writer.writerows([row[key] for key in keys] for row in rows)
            text.flush()
            text.detach()
            return
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        from dondoc.plan.export import keep_text

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = _("Invites")
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        valid_until = keys.index("valid_until") + 1
        for row in rows:
            sheet.append([row[key] for key in keys])
            sheet.cell(sheet.max_row, len(keys)).alignment = Alignment(wrap_text=True, vertical="top")
            if recipients:  # a phone as written ("0912 345 678"): text, which Excel keeps as text
                sheet.cell(sheet.max_row, keys.index("phone") + 1).number_format = "@"
            # A date Excel sorts and filters, as the clock of the people it is sent to reads it.
            until = sheet.cell(sheet.max_row, valid_until)
            until.value = datetime.fromisoformat(row["expires_at"]).astimezone(TZ).replace(tzinfo=None)
            until.number_format = "dd/mm/yyyy hh:mm"
        for index, width in enumerate(widths):
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        sheet.freeze_panes = "A2"
        keep_text(book)  # a name or phone as written ("+84 …", "=…"): text, never a formula
        book.save(handle)


invite_app.command("list")(global_options(invite_list))
invite_app.command("revoke")(global_options(invite_revoke))
invite_app.command("attempts")(global_options(invite_attempts))

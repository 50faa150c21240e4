"""``dondoc invite``: a one-time code that binds a chat account to a unit and role."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import timedelta
from typing import Annotated

import typer

from dondoc.bot.zalo_bots import single_zalo_bot
from dondoc.cli.common import (
    JsonOption,
    clock,
    configured_bot_username,
    global_options,
    organization,
    print_json,
    quoted,
    registry_unit,
    settings,
    store,
    usage,
)
from dondoc.cli.people import InviteGroup, invite_attempts, invite_list, invite_revoke
from dondoc.db.models import MemberRole
from dondoc.db.session import session_scope
from dondoc.handlers.onboarding import create_invite, role_name, zalo_instructions
from dondoc.i18n import _, format_datetime
from dondoc.plan.rollup import organizations_under
from dondoc.plan.zalo_bots import ZALO, ZaloBotInfo, zalo_bot_serving
from dondoc.plan.zalo_users import full_bot_warning

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
    unit: Annotated[str, typer.Argument(help="Unit code or name.")],
    role: Annotated[str, typer.Option("--role", help="focal, deputy, manager, admin or province.")] = "focal",
    expires: Annotated[str, typer.Option("--expires", help="Validity: 7d, 12h, 30m.")] = "7d",
    as_json: JsonOption = False,
) -> None:
    """Create a one-time invite code that binds a chat account to a unit and role (and its t.me deep link
    when TELEGRAM_BOT_USERNAME is set)."""
    if role not in {r.value for r in MemberRole}:
        raise typer.BadParameter(
            _("unknown role {role}: use focal, deputy, manager, admin or province").format(role=quoted(role)),
            param_hint="'--role'",
        )
    valid_for = parse_duration(expires)
    telegram = settings().telegram
    with session_scope(store()) as session:
        org = organization(session)
        found = registry_unit(session, org.id, unit)
        if MemberRole(role) is MemberRole.PROVINCE and len(organizations_under(session, org)) == 1:
            typer.echo(
                _(
                    "Note: no organisation is under {org} yet (a member's registry names it in parent:); until "
                    "one is, the province role sees only {org}'s own plans."
                ).format(org=org.name),
                err=True,
            )
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


invite_app.command("list")(global_options(invite_list))
invite_app.command("revoke")(global_options(invite_revoke))
invite_app.command("attempts")(global_options(invite_attempts))

"""Getting in: invites, /start, and the small commands everyone has (/whoami, /help, /lang, /cancel).

An invite is a one-time code bound to a unit and role. Only its SHA-256 is stored; it expires, and it
is short and unambiguous enough to type on a phone (``K7QM-3FXP``: no 0/O or 1/I), in the characters
a Telegram deep link allows.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from dondoc.db.models import ChannelAccount, Invite, MemberRole, Membership, Person, Unit
from dondoc.handlers import oneline, report
from dondoc.handlers.context import REPORTING_ROLES, Context, MenuFlow
from dondoc.handlers.events import esc
from dondoc.i18n import LANGUAGES, N_, _, set_language
from dondoc.scheduler.outbox import release_held
from dondoc.text import match_key

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
_CODE_SHAPE = re.compile(r"^[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}$")

ROLE_NAMES = {
    MemberRole.FOCAL: N_("focal point"),
    MemberRole.DEPUTY: N_("deputy focal point"),
    MemberRole.MANAGER: N_("manager"),
    MemberRole.ADMIN: N_("administrator"),
}


@dataclass(frozen=True)
class NewInvite:
    code: str
    unit: Unit
    role: MemberRole
    expires_at: datetime

    def link(self, bot_username: str) -> str:
        return f"https://t.me/{bot_username}?start={self.code}"


def _hash(code: str) -> str:
    normal = code.replace("-", "").upper()
    return hashlib.sha256(normal.encode()).hexdigest()


def create_invite(session: Session, unit: Unit, role: MemberRole, now: datetime, valid_for: timedelta) -> NewInvite:
    """A new one-time code for ``unit`` and ``role``; the caller commits."""
    assert unit.id is not None
    raw = "".join(secrets.choice(CODE_ALPHABET) for position in range(CODE_LENGTH))
    code = f"{raw[:4]}-{raw[4:]}"
    expires = now + valid_for
    session.add(Invite(code_hash=_hash(code), unit_id=unit.id, role=role, created_at=now, expires_at=expires))
    return NewInvite(code=code, unit=unit, role=role, expires_at=expires)


def find_unit(session: Session, organization_id: int | None, typed: str) -> Unit | None:
    """A unit typed by code or name, any case, with or without diacritics."""
    wanted = match_key(typed)
    query = select(Unit).where(col(Unit.active))
    if organization_id is not None:
        query = query.where(Unit.organization_id == organization_id)
    units = session.exec(query.order_by(col(Unit.position))).all()
    for unit in units:
        if wanted in {match_key(unit.code), match_key(unit.name), *(match_key(a) for a in unit.aliases)}:
            return unit
    return None


def role_name(role: MemberRole) -> str:
    return _(ROLE_NAMES[role])


# ---------------------------------------------------------------------- strangers and /start


def start(ctx: Context, args: str) -> None:
    """``/start CODE`` binds the account; plain ``/start`` greets or explains how to get in."""
    if args:
        redeem(ctx, args)
        return
    if ctx.known:
        ctx.reply(_("Welcome back. Type /help to see what you can do."))
        return
    stranger(ctx, "")


def stranger(ctx: Context, text: str) -> None:
    """Someone not bound to any unit: a typed invite code works, anything else gets the explanation."""
    if text and _CODE_SHAPE.match(text.strip()):
        redeem(ctx, text.strip())
        return
    ctx.reply(
        _(
            "Greetings. This bot follows up the tasks of an action plan with each unit's focal point.\n"
            "To use it you need an invite code from the office that follows up the plan. "
            "Open the invite link, or type the code here (for example <code>K7QM-3FXP</code>)."
        )
    )


def redeem(ctx: Context, code: str) -> None:
    invite = ctx.session.exec(select(Invite).where(Invite.code_hash == _hash(code.strip()))).first()
    if invite is None or invite.used_at is not None or invite.expires_at <= ctx.now or not _claim(ctx, invite):
        reason = (
            _("This invite code has already been used.")
            if invite is not None and invite.used_at is not None
            else _("This invite code has expired.")
            if invite is not None
            else _("This invite code is not valid.")
        )
        ctx.reply(reason + " " + _("Please ask the office that follows up the plan for a new one."))
        return
    unit = ctx.session.get(Unit, invite.unit_id)
    assert unit is not None
    person = ctx.person
    if person is None:
        inbound = ctx.inbound
        person = Person(
            organization_id=unit.organization_id,
            full_name=inbound.display_name,
            created_at=ctx.now,
        )
        ctx.session.add(person)
        ctx.session.flush()
        assert person.id is not None
        account = ChannelAccount(
            person_id=person.id,
            channel=inbound.channel,
            external_id=inbound.user_id,
            chat_id=inbound.chat_id,
            username=inbound.username,
            language_code=inbound.language_code,
        )
        ctx.session.add(account)
        ctx.account, ctx.person = account, person
    assert person.id is not None and unit.id is not None
    exists = ctx.session.exec(
        select(Membership).where(
            Membership.person_id == person.id, Membership.unit_id == unit.id, Membership.role == invite.role
        )
    ).first()
    if exists is None:
        membership = Membership(person_id=person.id, unit_id=unit.id, role=invite.role, created_at=ctx.now)
        ctx.session.add(membership)
        ctx.memberships.append((membership, unit))
    person.unreachable = False
    invite.used_by_person_id = person.id
    if invite.role in (MemberRole.FOCAL, MemberRole.DEPUTY):
        release_held(ctx.session, unit.id, ctx.now)  # reminders kept while the unit had nobody
    ctx.session.add_all([person, invite])
    ctx.reply(
        _("Greetings, comrade {name}. You are now registered as {role} of {unit}.").format(
            name=esc(person.full_name or ctx.inbound.display_name or ""),
            role=role_name(invite.role),
            unit=f"<b>{esc(unit.name)}</b>",
        )
        + "\n"
        + _help_text(ctx)
    )


def _claim(ctx: Context, invite: Invite) -> bool:
    """Mark ``invite`` used, atomically: one conditional UPDATE, and only the redeemer whose UPDATE
    changed the row goes on. Others redeeming the same code at the same moment find it used (the
    database serialises the UPDATEs and re-checks the condition on the row as committed)."""
    claimed = ctx.session.connection().execute(
        update(Invite).where(col(Invite.id) == invite.id, col(Invite.used_at).is_(None)).values(used_at=ctx.now)
    )
    if claimed.rowcount == 1:
        invite.used_at = ctx.now
        return True
    ctx.session.refresh(invite)  # someone else's redemption committed first: tell why it is refused
    return False


# ---------------------------------------------------------------------- everyone's commands


def whoami(ctx: Context, _args: str) -> None:
    lines = [_("You are registered as:")]
    for membership, unit in ctx.memberships:
        lines.append(f"• {role_name(membership.role)} — <b>{esc(unit.name)}</b> ({esc(unit.code)})")
    ctx.reply("\n".join(lines))


def help_command(ctx: Context, _args: str) -> None:
    ctx.reply(_help_text(ctx))


def _help_text(ctx: Context) -> str:
    from dondoc.handlers.dispatcher import commands_for  # the command table imports this module

    lines = [_("What you can do:")]
    lines += [f"/{c.name} — {_(c.help)}" for c in commands_for(ctx)]
    if ctx.has_role(*REPORTING_ROLES):
        views = report.my_assignments(ctx)
        lines += ["", oneline.syntax(esc(views[0].task.code) if views else "I.1")]
    return "\n".join(lines)


def cancel(ctx: Context, _args: str) -> None:
    if ctx.flow:
        ctx.end()
        ctx.reply(_("Cancelled. Nothing was saved."))
    else:
        ctx.reply(_("There is nothing to cancel."))


def language(ctx: Context, args: str) -> None:
    choice = args.strip().lower()
    if choice in LANGUAGES:
        _set_language(ctx, choice)
        return
    ctx.go("lang", "choose")
    ctx.reply(_("Choose a language:"), ctx.offer([[("Tiếng Việt", "vi"), ("English", "en")]]))


def _set_language(ctx: Context, choice: str) -> None:
    assert ctx.person is not None
    ctx.person.language = choice
    ctx.session.add(ctx.person)
    set_language(choice)
    ctx.end()
    ctx.reply(_("From now on I will write to you in English."))


class _LanguageFlow(MenuFlow):
    def on_action(self, ctx: Context, action: str) -> None:
        _set_language(ctx, action)

    def on_text(self, ctx: Context, text: str) -> None:
        typed = text.strip().lower()
        if typed in LANGUAGES:
            _set_language(ctx, typed)
        elif ctx.resolve_typed(text) is None:
            ctx.reply(_("Please choose vi or en."))
        else:
            super().on_text(ctx, text)


LANG_FLOW = _LanguageFlow()


def invite(ctx: Context, args: str) -> None:
    """``/invite UNIT ROLE`` (admins): a code and link for someone else to join."""
    parts = args.rsplit(" ", 1)
    roles = {r.value: r for r in MemberRole}
    if len(parts) != 2 or parts[1].lower() not in roles:
        ctx.reply(_("Usage: /invite UNIT focal|deputy|manager|admin — for example /invite XP focal"))
        return
    org_id = ctx.person.organization_id if ctx.person else None
    unit = find_unit(ctx.session, org_id, parts[0])
    if unit is None:
        ctx.reply(_("No unit called {unit}.").format(unit=esc(parts[0])))
        return
    new = create_invite(ctx.session, unit, roles[parts[1].lower()], ctx.now, timedelta(days=7))
    ctx.reply(
        _("Invite for {role} of {unit}, valid until {date}:").format(
            role=role_name(new.role),
            unit=f"<b>{esc(unit.name)}</b>",
            date=new.expires_at.strftime("%d/%m/%Y"),
        )
        + f"\n<code>{new.code}</code>\n{new.link(ctx.settings.bot_username)}"
    )

"""``/people [UNIT]`` for administrators: who is bound (roles, chats with their last use, language),
the pending invites and the wrong invite codes lately; removing someone who left, or revoking an
invite, always after an explicit confirmation. Every choice is a button that can also be typed (its
number or its label); a person can also be typed by name or id (``#12``).
"""

from __future__ import annotations

from datetime import timedelta

from dondoc.db.models import MemberRole, Unit
from dondoc.handlers.context import Context, page_nav, paginate, split_action
from dondoc.handlers.events import Attachment, esc
from dondoc.handlers.onboarding import channel_label, role_name, units_refused, units_typed
from dondoc.i18n import _, format_datetime
from dondoc.plan import invite_guard
from dondoc.plan.people import (
    PersonInfo,
    bound_people,
    find_people,
    left_without_reporter,
    pending_invites,
    remove_person,
    revoke_invite,
)
from dondoc.plan.zalo_bots import stored_zalo_bots
from dondoc.plan.zalo_users import bot_users
from dondoc.tz import stored_in_vietnam

FLOW_NAME = "people"
PAGE_SIZE = 10
ATTEMPTS_SHOWN = timedelta(days=1)


def people(ctx: Context, args: str) -> None:
    """``/people`` (everyone bound) or ``/people UNIT``."""
    assert ctx.person is not None
    unit = None
    if args:
        fits = units_typed(ctx.session, _org(ctx), args)
        if len(fits) != 1:
            ctx.reply(units_refused(fits, args))
            return
        unit = fits[0]
    ctx.go(FLOW_NAME, "list", unit=unit.id if unit is not None else None)
    _show(ctx, 0)


def _org(ctx: Context) -> int:
    """The organisation this administrator administers (never another one they only report in)."""
    admin = ctx.organizations(MemberRole.ADMIN)
    assert ctx.person is not None
    return admin[0] if admin else ctx.person.organization_id


def _scope_unit(ctx: Context) -> Unit | None:
    unit_id = ctx.data.get("unit")
    return ctx.session.get(Unit, unit_id) if unit_id is not None else None


def _scope(ctx: Context) -> list[PersonInfo]:
    return bound_people(ctx.session, _org(ctx), ctx.data.get("unit"))


def _roles(info: PersonInfo) -> str:
    return "; ".join(f"{role_name(m.role)} — {esc(u.name)}" for m, u in info.memberships)


def _show(ctx: Context, page: int) -> None:
    infos = _scope(ctx)
    unit = _scope_unit(ctx)
    chunk, page, pages = paginate(infos, page, PAGE_SIZE)
    title = (
        _("People bound to {unit}: {count}").format(unit=esc(unit.name), count=len(infos))
        if unit is not None
        else _("People bound: {count}").format(count=len(infos))
    )
    lines = [f"<b>{title}</b>" + (f" ({page + 1}/{pages})" if pages > 1 else "")]
    for number, info in enumerate(chunk, page * PAGE_SIZE + 1):
        chats = ", ".join(
            channel_label(ctx, a)
            + (" " + format_datetime(stored_in_vietnam(a.last_used_at)) if a.last_used_at is not None else "")
            for a in info.accounts
        )
        # On Zalo the actions below are numbered lines: people numbered too would read as their numbers.
        mark = f"{number}." if ctx.has_buttons else "•"
        lines.append(
            f"{mark} <b>{esc(info.person.full_name)}</b> (#{info.id}) — {_roles(info)}\n"
            f"    {chats or '—'} · {info.language}"
        )
    invites = pending_invites(ctx.session, _org(ctx), ctx.now, unit.id if unit is not None else None)
    lines += ["", _("Pending invites: {count}").format(count=len(invites))]
    lines.append(_attempts_line(ctx))
    if bots := _bots_line(ctx):
        lines.append(bots)
    ctx.go(FLOW_NAME, "list", page=page)
    options = [page_nav(page, pages, "page")]
    actions = []
    if infos:
        actions.append((_("Remove someone"), f"pick:{page}"))
    if invites:
        actions.append((_("Revoke an invite"), "invites"))
    options.append(actions)
    options = [row for row in options if row]
    ctx.reply("\n".join(lines), ctx.offer(options) if options else None)


def _attempts_line(ctx: Context) -> str:
    recent = invite_guard.attempts(ctx.session, ctx.now, since=ctx.now - ATTEMPTS_SHOWN)
    wrong = sum(a.wrong for a in recent)
    locked = [a for a in recent if a.locked_until is not None]
    # Deployment-wide, as `dondoc invite attempts` says: a wrong code names no organisation.
    line = _(
        "Wrong invite codes in the last 24 hours: {wrong} from {chats} chat(s), on the whole deployment "
        "(a wrong code names no organisation)"
    ).format(wrong=wrong, chats=len([a for a in recent if a.wrong]))
    if locked:
        line += "; " + _("{count} chat(s) locked out, until {time} at the latest").format(
            count=len(locked), time=format_datetime(max(a.locked_until for a in locked if a.locked_until))
        )
    return line + "."


def _bots_line(ctx: Context) -> str | None:
    """The organisation's Zalo bots' people against the users each takes, in one short line (None when
    its registry names no bot): "ln1 38/50, ln2 46/50 (near the limit)"."""
    bots = stored_zalo_bots(ctx.session, _org(ctx))
    if not bots:
        return None
    found = bot_users(ctx.session, [b.key for b in bots])
    marks = {"near": " " + _("(near the limit)"), "over": " " + _("(over the limit)"), "ok": ""}
    counts = ", ".join(
        f"{esc(b.name or b.key)} {found[b.key].people}/{found[b.key].limit}{marks[found[b.key].state]}" for b in bots
    )
    return _("Zalo bots, people/users: {bots}.").format(bots=counts)


def _pick(ctx: Context, page: int, candidates: list[PersonInfo] | None = None) -> None:
    """Ask whom to remove: the page's people (or the candidates a typed name matched) as buttons."""
    if candidates is None:
        chunk, page, pages = paginate(_scope(ctx), page, PAGE_SIZE)
        nav = page_nav(page, pages, "pick")
    else:
        chunk, nav = candidates, []
    ctx.go(FLOW_NAME, "pick", page=page)
    options = [[(f"{info.person.full_name} (#{info.id})", f"person:{info.id}")] for info in chunk]
    options += [row for row in (nav, [(_("Cancel"), "cancel")]) if row]
    if ctx.has_buttons:
        question = _("Whom should I remove? Press their name, or type their name or id (#12).")
    else:  # Zalo: the names are numbered lines
        question = _("Whom should I remove? Type their number in the list, their name or their id (#12).")
    ctx.reply(question, ctx.offer(options))


def _person(ctx: Context, person_id: int) -> PersonInfo | None:
    return next((info for info in _scope(ctx) if info.id == person_id), None)


def _choose_person(ctx: Context, person_id: int) -> None:
    info = _person(ctx, person_id)
    if info is None:
        ctx.end()
        ctx.reply(_("This person no longer holds a role here; nothing was changed."))
        return
    assert ctx.person is not None
    if info.id == ctx.person.id:
        ctx.end()
        ctx.reply(_("You cannot remove yourself here; another administrator or the command line can."))
        return
    units = {u.id: u for _m, u in info.memberships}
    scope = _scope_unit(ctx)
    if scope is not None or len(units) == 1:
        _confirm(ctx, info, scope.id if scope is not None else None)
        return
    ctx.go(FLOW_NAME, "what", person=info.id)
    options = [[(_("From {unit} only").format(unit=u.name), f"unit:{info.id}:{u.id}")] for u in units.values()]
    options += [[(_("From all units"), f"all:{info.id}")], [(_("Cancel"), "cancel")]]
    ctx.reply(
        _("{name} holds several roles: {roles}. Remove them from which unit?").format(
            name=f"<b>{esc(info.person.full_name)}</b>", roles=_roles(info)
        ),
        ctx.offer(options),
    )


def _confirm(ctx: Context, info: PersonInfo, unit_id: int | None) -> None:
    ending = [(m, u) for m, u in info.memberships if unit_id is None or u.id == unit_id]
    ctx.go(FLOW_NAME, "confirm", person=info.id, target=unit_id)
    roles = "; ".join(f"{role_name(m.role)} — {esc(u.name)}" for m, u in ending)
    ctx.reply(
        _(
            "Remove {name} (#{id}) as {roles}? They will no longer receive reminders or use the bot for "
            "it; their reports stay."
        ).format(name=f"<b>{esc(info.person.full_name)}</b>", id=info.id, roles=roles),
        ctx.offer([[(_("Confirm"), "confirm"), (_("Cancel"), "cancel")]]),
    )


def _remove(ctx: Context) -> None:
    info = _person(ctx, int(ctx.data.get("person", 0)))
    target = ctx.data.get("target")
    ctx.end()
    if info is None:
        ctx.reply(_("This person no longer holds a role here; nothing was changed."))
        return
    ended = remove_person(ctx.session, info, ctx.now, target)
    if not ended:
        ctx.reply(_("This person no longer holds a role here; nothing was changed."))
        return
    roles = "; ".join(f"{role_name(m.role)} — {esc(u.name)}" for m, u in ended)
    lines = [
        _("Removed {name} (#{id}): {roles}. Their reports stay.").format(
            name=f"<b>{esc(info.person.full_name)}</b>", id=info.id, roles=roles
        )
    ]
    for unit in left_without_reporter(ctx.session, ended):
        lines.append(
            _(
                "{unit} has no focal point or deputy now: its reminders are held until someone is invited ({command})."
            ).format(unit=f"<b>{esc(unit.name)}</b>", command=esc(f"/invite {unit.code} focal"))
        )
    ctx.reply("\n".join(lines))


def _invites(ctx: Context) -> None:
    unit = _scope_unit(ctx)
    invites = pending_invites(ctx.session, _org(ctx), ctx.now, unit.id if unit is not None else None)[: PAGE_SIZE * 3]
    if not invites:
        ctx.end()
        ctx.reply(_("There are no pending invites."))
        return
    ctx.go(FLOW_NAME, "invite")
    options = []
    for pending in invites:
        kind = (
            _("link code for #{person}").format(person=pending.invite.link_person_id)
            if pending.invite.link_person_id is not None
            else role_name(pending.invite.role)
        )
        until = format_datetime(stored_in_vietnam(pending.invite.expires_at))
        # the date in brackets alone read as the day it was made
        label = _("i{id} {kind} — {unit} (valid until {until})").format(
            id=pending.id, kind=kind, unit=pending.unit.code, until=until
        )
        options.append([(label, f"invite:{pending.id}")])
    options.append([(_("Cancel"), "cancel")])
    ctx.reply(_("Which invite should be revoked? (Its code is never shown again.)"), ctx.offer(options))


def _confirm_invite(ctx: Context, invite_id: int) -> None:
    pending = next((p for p in pending_invites(ctx.session, _org(ctx), ctx.now) if p.id == invite_id), None)
    if pending is None:
        ctx.end()
        ctx.reply(_("This invite can no longer be used; nothing was changed."))
        return
    ctx.go(FLOW_NAME, "revoke", invite=invite_id)
    ctx.reply(
        _("Revoke the invite i{id} for {role} of {unit}? Nobody will be able to use it.").format(
            id=pending.id, role=role_name(pending.invite.role), unit=f"<b>{esc(pending.unit.name)}</b>"
        ),
        ctx.offer([[(_("Confirm"), "revoke"), (_("Cancel"), "cancel")]]),
    )


def _revoke(ctx: Context) -> None:
    invite_id = int(ctx.data.get("invite", 0))
    pending = next((p for p in pending_invites(ctx.session, _org(ctx), ctx.now) if p.id == invite_id), None)
    ctx.end()
    if pending is None or not revoke_invite(ctx.session, pending.invite, ctx.now):
        ctx.reply(_("This invite can no longer be used; nothing was changed."))
        return
    ctx.reply(
        _("Revoked invite i{id} ({role} of {unit}).").format(
            id=pending.id, role=role_name(pending.invite.role), unit=esc(pending.unit.name)
        )
    )


class _PeopleFlow:
    """The steps: list → pick → (what) → confirm, or list → invite → revoke."""

    def on_action(self, ctx: Context, action: str) -> None:
        if not ctx.has_role(MemberRole.ADMIN):  # no longer an administrator since the buttons were sent
            ctx.end()
            ctx.reply(_("/{name} is not available to you. Type /help to see what you can do.").format(name="people"))
            return
        kind, value = split_action(action)
        if kind == "page":
            _show(ctx, int(value))
        elif kind == "pick":
            _pick(ctx, int(value))
        elif kind == "person":
            _choose_person(ctx, int(value))
        elif kind == "unit":
            person_id, unit_id = value.split(":")
            info = _person(ctx, int(person_id))
            if info is not None:
                _confirm(ctx, info, int(unit_id))
        elif kind == "all":
            info = _person(ctx, int(value))
            if info is not None:
                _confirm(ctx, info, None)
        elif kind == "confirm":
            _remove(ctx)
        elif kind == "invites":
            _invites(ctx)
        elif kind == "invite":
            _confirm_invite(ctx, int(value))
        elif kind == "revoke":
            _revoke(ctx)
        else:  # cancel
            ctx.end()
            ctx.reply(_("Cancelled. Nothing was changed."))

    def on_text(self, ctx: Context, text: str) -> None:
        action = ctx.resolve_typed(text)
        if action is not None:
            self.on_action(ctx, action)
            return
        if ctx.step == "pick" and text.strip() and ctx.has_role(MemberRole.ADMIN):
            in_scope = {info.id for info in _scope(ctx)}
            found = [i for i in find_people(ctx.session, _org(ctx), text, bound=True) if i.id in in_scope]
            if len(found) == 1:
                _choose_person(ctx, found[0].id)
            elif found:
                if ctx.has_buttons:
                    several = _("{count} people match {typed}; press the one you mean.")
                else:
                    several = _("{count} people match {typed}; type the number of the one you mean.")
                ctx.reply(several.format(count=len(found), typed=f"<b>{esc(text.strip())}</b>"))
                _pick(ctx, 0, candidates=found)
            elif ctx.has_buttons:
                ctx.reply(_("Nobody here is called {typed}. Press a name or type /cancel.").format(typed=esc(text)))
            else:
                ctx.reply(
                    _("Nobody here is called {typed}. Type a number from the list or /cancel.").format(typed=esc(text))
                )
            return
        if ctx.step in ("list", "confirm", "revoke", "what", "invite"):
            ctx.reply(_answer_the_choices(ctx))
            return
        ctx.end()
        ctx.reply(_("Type /help to see what you can do."))

    def on_file(self, ctx: Context, attachment: Attachment) -> None:
        ctx.reply(_answer_the_choices(ctx))


def _answer_the_choices(ctx: Context) -> str:
    """Asking again for one of the choices above: buttons on Telegram, numbered lines on Zalo."""
    if ctx.has_buttons:
        return _("Please press one of the buttons (or type its number), or /cancel.")
    return _("Please type the number of one of the choices above, or /cancel.")


FLOW = _PeopleFlow()

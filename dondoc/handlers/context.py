"""Everything a handler needs for one inbound event: who is asking, their units and roles, the
conversation state (in the database), and where replies collect."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import and_, bindparam, literal, update
from sqlalchemy.sql.dml import Update
from sqlalchemy.sql.elements import BindParameter
from sqlmodel import Session, col, select

from dondoc.db.models import ChannelAccount, Conversation, MemberRole, Membership, Person, Unit
from dondoc.db.queries import organization_tree
from dondoc.db.rows import RowEntities, keep_changes
from dondoc.db.usage import count_statement, month_of
from dondoc.handlers.events import Attachment, Choice, Inbound, Reply, has_buttons
from dondoc.plan.zalo_bots import ZaloBotInfo
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.text import match_key

IDLE_TIMEOUT = timedelta(minutes=30)
REPORTING_ROLES = (MemberRole.FOCAL, MemberRole.DEPUTY)
MANAGING_ROLES = (MemberRole.MANAGER, MemberRole.ADMIN)
# Who may follow plans up (/status, /overdue, /export…): managers, administrators, and the province
# role, which sees every organisation under its own but reports for none.
VIEWING_ROLES = (*MANAGING_ROLES, MemberRole.PROVINCE)
# A conversation button's data: ``version:key``, ASCII digits only (``str.isdigit`` also takes "²"),
# short enough for any integer column.
_TOKEN = re.compile(r"([0-9]{1,9}):([0-9]{1,4})", re.ASCII)


def parse_token(data: str) -> tuple[int, str] | None:
    """The conversation version and button key in a button's data, or None if it is not one of ours."""
    match = _TOKEN.fullmatch(data)
    return (int(match.group(1)), match.group(2)) if match else None


class ConversationConflict(Exception):
    """Another process moved this chat's conversation on while this event was being handled."""


class Flow(Protocol):
    """A conversation: what to do with a pressed button, a typed answer or a file at its current step."""

    def on_action(self, ctx: Context, action: str) -> None: ...

    def on_text(self, ctx: Context, text: str) -> None: ...

    def on_file(self, ctx: Context, attachment: Attachment) -> None: ...


T = TypeVar("T")

# Conversation data kept when a flow starts or ends: what ``hủy`` may undo (a one-line report's id
# and time) must outlive a list opened after it (/tasks, /status).
LASTING_KEYS = ("last_oneline",)


def _lasting(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data[key] for key in LASTING_KEYS if key in data}


# The five tables :meth:`Context.load` reads, their columns selected through Core and built into
# detached instances (:mod:`dondoc.db.rows`): 0.25 ms less than the ORM's loading of them, for
# every event.
_LOADED = RowEntities(Conversation, ChannelAccount, Person, Membership, Unit)


@functools.cache
def _load_query(touching: bool = False) -> Any:  # a Select of every column of five tables
    """:meth:`Context.load`'s query, built once (its values are bound at each execution): one row per
    active membership (or a single row when there is none); the account and the conversation, each
    unique for the event's keys, are left-joined to a one-row seed so either may be missing.
    ``touching`` (PostgreSQL only): the UPDATE recording the account's chat and time of use (the chat
    the person used last is where reminders go) runs as a CTE of the query, in its transaction, a round
    trip less than its own statement. (Not the message meter's count: its row is every event's, see
    :meth:`Context.save_conversation`.)"""
    seed = select(literal(1).label("seed")).subquery("seed")
    account, person = ChannelAccount.__table__, Person.__table__  # type: ignore[attr-defined]
    membership, unit = Membership.__table__, Unit.__table__  # type: ignore[attr-defined]
    conversation = Conversation.__table__  # type: ignore[attr-defined]
    # Named apart from every column: a parameter named as a column of a table a WITH statement
    # updates would be read as that column's new value.
    channel: BindParameter[str] = bindparam("event_channel")
    user_id: BindParameter[str] = bindparam("event_user")
    joined = (
        seed.outerjoin(
            conversation,
            and_(
                conversation.c.channel == channel,
                conversation.c.chat_id == bindparam("event_chat"),
                conversation.c.user_id == user_id,
            ),
        )
        .outerjoin(account, and_(account.c.channel == channel, account.c.external_id == user_id))
        .outerjoin(person, person.c.id == account.c.person_id)
        # Each membership, then its unit if active (a membership of an inactive unit comes without
        # one and is left out): not a join of the two tables nested in the outer join, which SQLite
        # would build whole (every membership of every person) for each event.
        .outerjoin(membership, membership.c.person_id == person.c.id)
        .outerjoin(unit, and_(unit.c.id == membership.c.unit_id, unit.c.active))
    )
    query = select(*_LOADED.columns).select_from(joined).order_by(unit.c.position, membership.c.id)
    if touching:
        # Unless another event of the same account holds the row (it writes the same chat, at the
        # same moment give or take): waiting for it would queue one person's events one behind the other
        # from the loading on, where a conflict was told at the conversation's write.
        free = (
            select(account.c.id)
            .where(account.c.channel == channel, account.c.external_id == user_id)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        touched = (
            update(account)
            .where(account.c.id == free)
            .values(
                chat_id=bindparam("event_chat"), last_used_at=bindparam("used_at", type_=account.c.last_used_at.type)
            )
        )
        query = query.add_cte(touched.cte("touched"))
    return query


@functools.cache
def _save_query(counting: bool = False) -> Update:
    """:meth:`Context.save_conversation`'s UPDATE, built once: the new state, only if the row is still
    at the version that was read. ``counting`` (PostgreSQL only): the message meter's INSERT … ON
    CONFLICT for the event runs as a CTE of it, a round trip less than its own statement."""
    table = Conversation.__table__  # type: ignore[attr-defined]
    saved = (
        update(table)
        .where(table.c.id == bindparam("conversation_id"), table.c.version == bindparam("seen_version"))
        .values(
            flow=bindparam("new_flow"),
            step=bindparam("new_step"),
            data=bindparam("new_data", type_=table.c.data.type),
            version=bindparam("new_version"),
            updated_at=bindparam("new_updated_at", type_=table.c.updated_at.type),
        )
    )
    if counting:
        counted = count_statement("postgresql", bindparam("count_channel"), "in", bindparam("count_month"))
        assert counted is not None
        saved = saved.add_cte(counted.cte("counted"))
    return saved


def paginate(items: Sequence[T], page: int, size: int) -> tuple[Sequence[T], int, int]:
    """Page ``page`` of ``items`` shown ``size`` to a page: (its items, its index clamped to the pages
    there are, the number of pages, at least 1)."""
    pages = max(1, -(-len(items) // size))
    page = max(0, min(page, pages - 1))
    return items[page * size : (page + 1) * size], page, pages


def split_action(action: str) -> tuple[str, str]:
    """A button's action ``kind:value`` as (kind, value); the value is "" when there is no colon."""
    kind, value = action.partition(":")[::2]
    return kind, value


def page_nav(page: int, pages: int, action: str) -> list[tuple[str, str]]:
    """ "« Trang trước" / "Trang sau »" buttons for a paged list; actions are ``{action}:{page}``."""
    from dondoc.i18n import _

    nav = []
    if page > 0:
        nav.append(("« " + _("Previous"), f"{action}:{page - 1}"))
    if page < pages - 1:
        nav.append((_("Next") + " »", f"{action}:{page + 1}"))
    return nav


class MenuFlow:
    """A conversation that only offers buttons (pages, a choice of language): a typed answer picks a
    button by number or label; anything else ends it with ``hint``."""

    def hint(self, ctx: Context) -> str:
        return ctx.what_next()

    def on_action(self, ctx: Context, action: str) -> None:
        raise NotImplementedError

    def on_text(self, ctx: Context, text: str) -> None:
        action = ctx.resolve_typed(text)
        if action is not None:
            self.on_action(ctx, action)
        else:
            ctx.end()
            ctx.reply(self.hint(ctx))

    def on_file(self, ctx: Context, attachment: Attachment) -> None:
        self.on_text(ctx, "")


@dataclass
class Deployment:
    """What handlers need to know about the deployment."""

    bot_username: str | None = None  # the Telegram bot's (getMe): None, no t.me link is made up
    calendar: WorkCalendar | None = None  # None: the one DONDOC_CALENDAR names
    zalo: ZaloBotInfo | None = None  # the one Zalo bot of ZALO_BOT_TOKEN, when the deployment has it


@dataclass
class Context:
    session: Session
    inbound: Inbound
    now: datetime
    settings: Deployment
    account: ChannelAccount | None = None
    person: Person | None = None
    memberships: list[tuple[Membership, Unit]] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    conversation: Conversation | None = None
    # The conversation's version as loaded (None: no row yet); it is saved only if still that version.
    seen_version: int | None = None
    conversation_changed: bool = False

    # ------------------------------------------------------------------ who

    def load(self, *, touch: bool = False) -> None:
        """Who is asking (account, person, memberships with their active units) and this chat's
        conversation, in one query: one round trip to the database for every event instead of three.
        ``touch``: the account records this chat and this moment as its last use in it too
        (PostgreSQL only: see :func:`_load_query`)."""
        params: dict[str, Any] = {
            "event_channel": self.inbound.channel,
            "event_chat": self.inbound.chat_id,
            "event_user": self.inbound.user_id,
        }
        if touch:
            params["used_at"] = self.now
        rows = self.session.connection().execute(_load_query(touch), params).all()
        first = _LOADED.build(rows[0])
        conv, found_account, found_person = first[0], first[1], first[2]
        if found_account is not None and touch:
            # The statement wrote them (its query still reads the row as it was): the same values
            # set again after the event write nothing more.
            found_account.__dict__.update(chat_id=self.inbound.chat_id, last_used_at=self.now)
        if found_account is not None and found_person is not None:
            self.account, self.person = found_account, found_person
            # Each row's membership and unit (the conversation, account and person repeat the first's).
            pairs = [first[3:], *(_LOADED.build(row, 3) for row in rows[1:])]
            self.memberships = [(m, u) for m, u in pairs if m is not None and u is not None]
        # Written back by save_conversation() only, under the version it was read with.
        self.conversation = conv
        if conv is not None:
            self.seen_version = conv.version

    def keep_changes(self) -> None:
        """What the event changed in the person, their account, memberships or units (loaded apart
        from the session: :meth:`load`) goes into the session, to be written with the event."""
        loaded: list[object | None] = [self.account, self.person]
        for membership, unit in self.memberships:
            loaded += [membership, unit]
        keep_changes(self.session, loaded)

    def load_identity(self) -> None:
        # The account and its person in one query (one round trip less per event).
        found = self.session.exec(
            select(ChannelAccount, Person)
            .join(Person, col(Person.id) == ChannelAccount.person_id)
            .where(
                ChannelAccount.channel == self.inbound.channel,
                ChannelAccount.external_id == self.inbound.user_id,
            )
        ).first()
        if found is None:
            return
        self.account, self.person = found
        self.memberships = list(
            self.session.exec(
                select(Membership, Unit)
                .join(Unit, col(Unit.id) == Membership.unit_id)
                .where(Membership.person_id == self.account.person_id, col(Unit.active))
                .order_by(col(Unit.position))
            ).all()
        )

    @property
    def known(self) -> bool:
        return self.person is not None and bool(self.memberships)

    def roles(self) -> set[MemberRole]:
        return {membership.role for membership, unit in self.memberships}

    def has_role(self, *roles: MemberRole) -> bool:
        return bool(self.roles() & set(roles))

    def organizations(self, *roles: MemberRole) -> list[int]:
        """The organisations in which this person holds one of ``roles``, in the order of their
        memberships. Powers never cross organisations: a manager of one organisation who is a focal
        point in another manages only the first."""
        found: dict[int, None] = {}
        for membership, unit in self.memberships:
            if membership.role in roles:
                found.setdefault(unit.organization_id)
        return list(found)

    def managed_organizations(self) -> list[int]:
        """The organisations whose plans this person follows: where they are a manager or an
        administrator, and every organisation under one where they hold the province role."""
        own = self.organizations(*MANAGING_ROLES)
        province = self.organizations(MemberRole.PROVINCE)
        if not province:
            return own
        return list(dict.fromkeys([*own, *organization_tree(self.session, province)]))

    def reporting_units(self) -> list[Unit]:
        """Units this person reports for (focal point or deputy)."""
        seen: dict[int | None, Unit] = {}
        for membership, unit in self.memberships:
            if membership.role in REPORTING_ROLES:
                seen.setdefault(unit.id, unit)
        return list(seen.values())

    # ------------------------------------------------------------------ replies

    @property
    def has_buttons(self) -> bool:
        """Whether the person's channel shows buttons: a prompt says "tap" only where it does."""
        return has_buttons(self.inbound.channel)

    def what_next(self) -> str:
        """The commands to go on with, for the person's roles: a manager is not sent to /report."""
        from dondoc.i18n import _

        if self.has_role(*REPORTING_ROLES):
            return _("Type /report to report progress, /tasks to see your tasks, or /help for everything.")
        if self.has_role(*VIEWING_ROLES):
            return _(
                "Type /status to see the plan's progress, /nonresponders for the units that have not reported, or /help for everything."
            )
        return _("Type /help to see what you can do.")

    def reply(self, text: str, choices: list[list[Choice]] | None = None, **kwargs: Any) -> Reply:
        reply = Reply(text=text, choices=choices or [], **kwargs)
        self.replies.append(reply)
        return reply

    # ------------------------------------------------------------------ conversation state

    def showing_buttons(self) -> bool:
        """Whether the conversation's current question offered buttons."""
        conv = self.conversation
        return conv is not None and bool(conv.flow) and bool(conv.data.get("choices"))

    def save_conversation(self, count_in: str | None = None) -> bool:
        """Write the conversation back if this event changed it, unless another process changed it
        first (optimistic lock on ``version``): then :class:`ConversationConflict` (or, for two first
        rows, the unique constraint's IntegrityError) and the caller rolls back.

        ``count_in`` (PostgreSQL only): the channel key whose message meter counts the event in the
        same statement, a round trip less; returns whether it did (it does only where a stored
        conversation is written back). The caller runs this last, just before the commit: the
        meter's row is shared by every event on the channel, and from its count to the commit
        another event's count waits for it."""
        conv = self.conversation
        if conv is None or not self.conversation_changed:
            return False
        if self.seen_version is None:
            self.session.add(conv)
            self.session.flush()
            return False
        values: dict[str, Any] = {
            "conversation_id": conv.id,
            "seen_version": self.seen_version,
            "new_flow": conv.flow,
            "new_step": conv.step,
            "new_data": conv.data,
            "new_version": conv.version,
            "new_updated_at": conv.updated_at,
        }
        if count_in is not None:
            values |= {"count_channel": count_in, "count_month": month_of(self.now)}
        stored = self.session.connection().execute(_save_query(count_in is not None), values)
        if stored.rowcount != 1:
            raise ConversationConflict(f"conversation {conv.id} is no longer at version {self.seen_version}")
        return count_in is not None

    def idle(self) -> bool:
        """Whether the stored conversation has been left alone too long to resume."""
        conv = self.conversation
        return conv is not None and conv.flow != "" and self.now - conv.updated_at > IDLE_TIMEOUT

    @property
    def flow(self) -> str:
        return self.conversation.flow if self.conversation else ""

    @property
    def step(self) -> str:
        return self.conversation.step if self.conversation else ""

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.conversation.data) if self.conversation else {}

    def go(self, flow: str, step: str, **data: Any) -> None:
        """Move the conversation to ``step`` of ``flow``, merging ``data`` (``None`` values remove keys).
        Buttons offered before this call stop working."""
        conv = self.conversation
        if conv is None:
            conv = Conversation(
                channel=self.inbound.channel,
                chat_id=self.inbound.chat_id,
                user_id=self.inbound.user_id,
                flow=flow,
                step=step,
                data={},
                updated_at=self.now,
            )
            self.conversation = conv
        merged = dict(conv.data) if conv.flow == flow else _lasting(conv.data)
        merged.pop("choices", None)  # the previous step's buttons (and typed labels) stop working
        merged.pop("labels", None)
        for key, value in data.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        conv.flow, conv.step, conv.data = flow, step, merged
        conv.version += 1
        conv.updated_at = self.now
        self.conversation_changed = True

    def keep(self, **data: Any) -> None:
        """Merge ``data`` into the conversation's (``None`` values remove keys) without moving it:
        its step and the buttons on screen stay as they are."""
        conv = self.conversation
        if conv is None:
            self.go("", "", **data)
            return
        merged = dict(conv.data)
        for key, value in data.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        conv.data = merged
        self.conversation_changed = True

    def end(self) -> None:
        """End the conversation: its buttons stop working."""
        if self.conversation is not None and self.conversation.flow:
            self.conversation.flow, self.conversation.step = "", ""
            self.conversation.data = _lasting(self.conversation.data)
            self.conversation.version += 1
            self.conversation.updated_at = self.now
            self.conversation_changed = True

    def offer(self, options: list[list[tuple[str, str]]]) -> list[list[Choice]]:
        """Buttons for ``options`` (rows of (label, action)); the actions stay in the database and
        the buttons carry only the conversation version and a position."""
        assert self.conversation is not None, "call go() before offer()"
        table: dict[str, str] = dict(self.conversation.data.get("choices", {}))
        labels: dict[str, str] = dict(self.conversation.data.get("labels", {}))
        rows: list[list[Choice]] = []
        for row in options:
            buttons = []
            for label, action in row:
                key = str(len(table) + 1)
                table[key], labels[key] = action, label
                buttons.append(Choice(label=label, data=f"{self.conversation.version}:{key}"))
            rows.append(buttons)
        data = dict(self.conversation.data)
        data["choices"], data["labels"] = table, labels
        self.conversation.data = data
        self.conversation_changed = True
        return rows

    def resolve_button(self, data: str) -> str | None:
        """The action behind a pressed button, or None if it is stale, forged or someone else's."""
        conv = self.conversation
        if conv is None or not conv.flow:
            return None
        token = parse_token(data)
        if token is None or token[0] != conv.version:
            return None
        action = conv.data.get("choices", {}).get(token[1])
        return str(action) if action is not None else None

    def resolve_typed(self, text: str) -> str | None:
        """The action a typed answer picks: the button's number, or its label typed any way."""
        conv = self.conversation
        if conv is None or not conv.flow:
            return None
        choices: dict[str, str] = conv.data.get("choices", {})
        labels: dict[str, str] = conv.data.get("labels", {})
        typed = text.strip().rstrip(".")
        if typed in choices:
            return choices[typed]
        wanted = match_key(text)
        if not wanted:
            return None
        for key, label in labels.items():
            if match_key(label) == wanted:
                return choices[key]
        return None

"""The people bound to an organisation, and what the store keeps about them (Decree 13/2023/NĐ-CP on
personal data protection): who is bound where, removing someone who left, revoking invites,
erasing a person (``forget``) and showing a person everything stored about them (``export``).

Only what the job needs is kept: a name, the units and roles, the chat ids and a language. The
command line (``dondoc people``, ``dondoc forget``, ``dondoc invite``) and the administrators'
``/people`` in chat share these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, SQLModel, col, select

from dondoc.db.models import (
    Absence,
    Assignment,
    ChannelAccount,
    Conversation,
    Invite,
    InviteAttempt,
    MemberRole,
    Membership,
    Person,
    Reminder,
    ReminderSetting,
    Report,
    SentDigest,
    Task,
    Unit,
)
from dondoc.db.queries import ids_among
from dondoc.i18n import normalize_language
from dondoc.plan import invite_guard
from dondoc.text import match_key, words
from dondoc.tz import stored_in_vietnam


@dataclass
class PersonInfo:
    """A person with their memberships (in the organisation's units) and chat accounts."""

    person: Person
    memberships: list[tuple[Membership, Unit]] = field(default_factory=list)
    accounts: list[ChannelAccount] = field(default_factory=list)

    @property
    def id(self) -> int:
        assert self.person.id is not None
        return self.person.id

    @property
    def language(self) -> str:
        """The language the bot writes to them in: their choice (/lang), else their last chat's."""
        if self.person.language:
            return self.person.language
        return normalize_language(self.accounts[0].language_code if self.accounts else None)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.person.full_name,
            "language": self.language,
            "unreachable": self.person.unreachable,
            "memberships": [
                {"unit": unit.code, "unit_name": unit.name, "role": membership.role.value}
                for membership, unit in self.memberships
            ],
            "channels": [
                {
                    "channel": account.channel,
                    "id": account.external_id,
                    "last_used_at": _iso(account.last_used_at),
                }
                for account in self.accounts
            ],
        }


def _iso(moment: datetime | None) -> str | None:
    return stored_in_vietnam(moment).isoformat() if moment is not None else None


def _last_used(account: ChannelAccount) -> tuple[bool, float, int]:
    """Newest use first, accounts never used since that was recorded last."""
    used = stored_in_vietnam(account.last_used_at).timestamp() if account.last_used_at else 0.0
    return (account.last_used_at is None, -used, account.id or 0)


def _infos(
    session: Session, persons: Sequence[Person], unit_id: int | None = None, organization_id: int | None = None
) -> list[PersonInfo]:
    """``persons`` with their memberships (only in ``unit_id``, or in ``organization_id``'s units, when
    given: another organisation's roles are none of its business) and accounts: two queries."""
    infos = {p.id: PersonInfo(p) for p in persons}
    if not infos:
        return []
    query = (
        select(Membership, Unit)
        .join(Unit, col(Unit.id) == Membership.unit_id)
        .where(col(Membership.person_id).in_(infos))
        .order_by(col(Unit.position), col(Membership.role))
    )
    if unit_id is not None:
        query = query.where(Membership.unit_id == unit_id)
    if organization_id is not None:
        query = query.where(Unit.organization_id == organization_id)
    for membership, unit in session.exec(query):
        infos[membership.person_id].memberships.append((membership, unit))
    for account in session.exec(select(ChannelAccount).where(col(ChannelAccount.person_id).in_(infos))):
        infos[account.person_id].accounts.append(account)
    for info in infos.values():
        info.accounts.sort(key=_last_used)
    return list(infos.values())


def bound_people(session: Session, organization_id: int, unit_id: int | None = None) -> list[PersonInfo]:
    """Everyone holding a role in the organisation's units (in ``unit_id`` when given), by their first
    unit in the registry's order, then name."""
    query = (
        select(Person)
        .join(Membership, col(Membership.person_id) == Person.id)
        .join(Unit, col(Unit.id) == Membership.unit_id)
        .where(Unit.organization_id == organization_id)
        .distinct()
    )
    if unit_id is not None:
        query = query.where(Membership.unit_id == unit_id)
    infos = _infos(session, session.exec(query).all(), unit_id, organization_id)
    return sorted(
        infos,
        key=lambda i: (min((u.position for _m, u in i.memberships), default=0), match_key(i.person.full_name), i.id),
    )


def find_people(
    session: Session, organization_id: int, typed: str, *, bound: bool = False, every_role: bool = False
) -> list[PersonInfo]:
    """The organisation's people that ``typed`` names: an id (``12``, ``#12``), a chat id (``4711`` or
    ``telegram:4711``), or a name typed any way (exactly, else every word of it). More than one: the
    caller lists them and changes nothing. With ``bound``, only people holding a role. Their roles are
    those in the organisation's units (in every organisation's with ``every_role``)."""
    text = typed.strip()
    holding = set(
        session.exec(
            select(Membership.person_id)
            .join(Unit, col(Unit.id) == Membership.unit_id)
            .where(Unit.organization_id == organization_id)
        )
    )
    # The organisation's people: those it registered, and those holding a role in it (someone of
    # another organisation who redeemed one of its invites).
    persons = list(
        session.exec(
            select(Person).where(or_(col(Person.organization_id) == organization_id, col(Person.id).in_(holding)))
        )
    )
    if bound:
        persons = [p for p in persons if p.id in holding]
    by_id = {p.id: p for p in persons}
    found: dict[int | None, Person] = {}
    number = text.removeprefix("#")
    if number.isascii() and number.isdigit() and int(number) in by_id:
        found[int(number)] = by_id[int(number)]
    if not text.startswith("#") and text:
        channel, _sep, chat = text.rpartition(":")
        accounts = select(ChannelAccount).where(
            col(ChannelAccount.person_id).in_(by_id),
            or_(col(ChannelAccount.external_id) == chat, col(ChannelAccount.chat_id) == chat),
        )
        if channel:
            accounts = accounts.where(ChannelAccount.channel == channel)
        for account in session.exec(accounts):
            found[account.person_id] = by_id[account.person_id]
    if not found:
        wanted = match_key(text)
        exact = [p for p in persons if wanted and match_key(p.full_name) == wanted]
        typed_words = set(words(text))
        found = {
            p.id: p for p in exact or [p for p in persons if typed_words and typed_words <= set(words(p.full_name))]
        }
    chosen = sorted(found.values(), key=lambda p: p.id or 0)
    return _infos(session, chosen, organization_id=None if every_role else organization_id)


def named_in_part(info: PersonInfo, typed: str) -> bool:
    """Whether ``typed`` found ``info`` by some words of their name only ("tuan" for "Phạm Minh
    Tuấn"), not by their id, a chat id or their whole name: enough to list them, not to act on them
    unasked."""
    text = typed.strip()
    if text.removeprefix("#") == str(info.id):
        return False
    chat = text.rpartition(":")[2]
    if any(chat in (account.external_id, account.chat_id) for account in info.accounts):
        return False
    return match_key(text) != match_key(info.person.full_name)


def administrators_left(session: Session, organization_id: int, info: PersonInfo, unit_id: int | None = None) -> int:
    """How many administrators the organisation keeps once ``info``'s memberships (those in
    ``unit_id`` when given) end: none, and nobody can /invite or /people in chat."""
    return len(
        set(
            session.exec(
                select(Membership.person_id)
                .join(Unit, col(Unit.id) == Membership.unit_id)
                .where(
                    Unit.organization_id == organization_id,
                    Membership.role == MemberRole.ADMIN,
                    or_(
                        col(Membership.person_id) != info.id, *([col(Membership.unit_id) != unit_id] if unit_id else [])
                    ),
                )
            )
        )
    )


# ---------------------------------------------------------------------- invites


@dataclass(frozen=True)
class PendingInvite:
    """An invite (or a link code) not used, not revoked and not expired. Its code is never shown again."""

    invite: Invite
    unit: Unit

    @property
    def id(self) -> int:
        assert self.invite.id is not None
        return self.invite.id

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "unit": self.unit.code,
            "unit_name": self.unit.name,
            "role": self.invite.role.value,
            "link_for": self.invite.link_person_id,  # a link code: adds a chat to this person
            "created_by": self.invite.created_by_person_id,
            "created_at": _iso(self.invite.created_at),
            "expires_at": _iso(self.invite.expires_at),
        }


def pending_invites(
    session: Session, organization_id: int, now: datetime, unit_id: int | None = None
) -> list[PendingInvite]:
    query = (
        select(Invite, Unit)
        .join(Unit, col(Unit.id) == Invite.unit_id)
        .where(
            Unit.organization_id == organization_id,
            col(Invite.used_at).is_(None),
            col(Invite.revoked_at).is_(None),
            col(Invite.expires_at) > now,
        )
        .order_by(col(Invite.id))
    )
    if unit_id is not None:
        query = query.where(Invite.unit_id == unit_id)
    return [PendingInvite(invite, unit) for invite, unit in session.exec(query)]


def find_invite(
    session: Session, organization_id: int, *, code_hash: str | None = None, invite_id: int | None = None
) -> Invite | None:
    """The organisation's invite with this code (by its hash) or id."""
    query = select(Invite).join(Unit, col(Unit.id) == Invite.unit_id).where(Unit.organization_id == organization_id)
    if code_hash is not None:
        query = query.where(Invite.code_hash == code_hash)
    if invite_id is not None:
        query = query.where(Invite.id == invite_id)
    return session.exec(query).first()


def revoke_invite(session: Session, invite: Invite, now: datetime) -> bool:
    """Withdraw ``invite``: False when it cannot be any more (used, expired or already revoked)."""
    if invite.used_at is not None or invite.revoked_at is not None or stored_in_vietnam(invite.expires_at) <= now:
        return False
    revoked = session.connection().execute(
        update(Invite)
        .where(col(Invite.id) == invite.id, col(Invite.used_at).is_(None), col(Invite.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    session.refresh(invite)
    return revoked.rowcount == 1


def _revoke_made_by(session: Session, person_id: int, now: datetime, *, links_only: bool) -> int:
    """Revoke the pending link codes for ``person_id`` (and, unless ``links_only``, the invites they made)."""
    made = col(Invite.link_person_id) == person_id
    if not links_only:
        made = or_(made, col(Invite.created_by_person_id) == person_id)
    result = session.connection().execute(
        update(Invite)
        .where(made, col(Invite.used_at).is_(None), col(Invite.revoked_at).is_(None), col(Invite.expires_at) > now)
        .values(revoked_at=now)
    )
    return int(result.rowcount)


# ---------------------------------------------------------------------- removing and forgetting


def _end_conversations(session: Session, accounts: Sequence[ChannelAccount]) -> int:
    """Delete the conversation state of these chat accounts (a flow open in them stops)."""
    count = 0
    for account in accounts:
        result = session.connection().execute(
            delete(Conversation).where(
                col(Conversation.channel) == account.channel,
                or_(col(Conversation.user_id) == account.external_id, col(Conversation.chat_id) == account.chat_id),
            )
        )
        count += int(result.rowcount)
    return count


def remove_person(
    session: Session, info: PersonInfo, now: datetime, unit_id: int | None = None
) -> list[tuple[Membership, Unit]]:
    """End ``info``'s memberships (all, or those in ``unit_id``): reminders and commands for those
    units stop reaching them. Their reports stay; their open conversation ends; once they hold no role
    at all, their pending link codes are revoked. The memberships ended, in order."""
    ended = [(m, u) for m, u in info.memberships if unit_id is None or u.id == unit_id]
    for membership, _unit in ended:
        session.delete(membership)
    session.flush()
    _end_conversations(session, info.accounts)
    if session.exec(select(Membership.id).where(Membership.person_id == info.id)).first() is None:
        _revoke_made_by(session, info.id, now, links_only=True)
    return ended


def left_without_reporter(session: Session, ended: Sequence[tuple[Membership, Unit]]) -> list[Unit]:
    """The units whose focal point or deputy was among ``ended`` and that now have neither: their
    reminders are held until someone is invited (a successor, say)."""
    found: dict[int, Unit] = {}
    for membership, unit in ended:
        if membership.role not in (MemberRole.FOCAL, MemberRole.DEPUTY) or unit.id is None:
            continue
        left = session.exec(
            select(Membership.id).where(
                Membership.unit_id == unit.id, col(Membership.role).in_([MemberRole.FOCAL, MemberRole.DEPUTY])
            )
        ).first()
        if left is None:
            found.setdefault(unit.id, unit)
    return list(found.values())


@dataclass(frozen=True)
class Forgotten:
    """What ``forget`` erased and kept."""

    person_id: int
    placeholder: str
    accounts: int
    conversations: int
    memberships: int
    invites_revoked: int
    reports_kept: int
    absence_reasons: int = 0  # reasons given for their absences (health, family…), erased

    def as_json(self) -> dict[str, Any]:
        return {
            "person": self.person_id,
            "name": self.placeholder,
            "channel_accounts_deleted": self.accounts,
            "conversations_deleted": self.conversations,
            "memberships_ended": self.memberships,
            "invites_revoked": self.invites_revoked,
            "reports_kept": self.reports_kept,
            "absence_reasons_erased": self.absence_reasons,
        }


def forget_person(session: Session, info: PersonInfo, now: datetime, placeholder: str) -> Forgotten:
    """Erase ``info``'s personal data: the name becomes ``placeholder``, the chat accounts, their
    conversations and invite attempts are deleted, the memberships end, and the pending invites and
    link codes they made are revoked. Their reports stay, attributed to their unit (and to the
    placeholder)."""
    person = info.person
    memberships = len(info.memberships)
    for membership, _unit in info.memberships:
        session.delete(membership)
    conversations = _end_conversations(session, info.accounts)
    invite_guard.forget_chats(session, [(a.channel, a.chat_id) for a in info.accounts])
    for account in info.accounts:
        session.delete(account)
    revoked = _revoke_made_by(session, info.id, now, links_only=False)
    session.exec(delete(ReminderSetting).where(col(ReminderSetting.person_id) == info.id))  # /nhacviec
    # Why they were away ("điều trị bệnh", family matters) is about them alone: erased; the days stay,
    # they say who received the unit's reminders then.
    reasons = session.connection().execute(
        update(Absence).where(col(Absence.person_id) == info.id, col(Absence.reason) != "").values(reason="")
    )
    person.full_name, person.language, person.unreachable = placeholder, None, False
    session.add(person)
    session.flush()
    reports = session.exec(select(func.count()).select_from(Report).where(Report.reporter_person_id == info.id)).one()
    return Forgotten(
        person_id=info.id,
        placeholder=placeholder,
        accounts=len(info.accounts),
        conversations=conversations,
        memberships=memberships,
        invites_revoked=revoked,
        reports_kept=int(reports),
        absence_reasons=int(reasons.rowcount),
    )


# ---------------------------------------------------------------------- what is stored about a person


def _row(row: SQLModel, *, without: tuple[str, ...] = ()) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, value in row.model_dump().items():
        if name in without:
            continue
        if isinstance(value, datetime):
            value = _iso(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif hasattr(value, "value"):
            value = value.value
        data[name] = value
    return data


def _reminders_received(session: Session, person_id: int) -> list[dict[str, Any]]:
    """Every reminder the person was sent, one entry each, in the order they went: the message that
    carried it (:class:`SentDigest`), the reminder's kind and due date, its task and unit."""
    digests = session.exec(
        select(SentDigest)
        .where(SentDigest.person_id == person_id)
        .order_by(col(SentDigest.sent_at), col(SentDigest.id))
    ).all()
    listed = [(digest, [int(i) for i in digest.reminder_ids.split(",") if i]) for digest in digests]
    carried = {rid for _digest, ids in listed for rid in ids}
    lines: dict[int, tuple[Reminder, str, str]] = {}
    if carried:
        rows = session.exec(
            select(Reminder, Task.code, Unit.code)
            .join(Assignment, col(Assignment.id) == Reminder.assignment_id)
            .join(Task, col(Task.id) == Assignment.task_id)
            .join(Unit, col(Unit.id) == Assignment.unit_id)
            .where(ids_among(session, col(Reminder.id), carried))
        ).all()
        lines = {reminder.id or 0: (reminder, task, unit) for reminder, task, unit in rows}
    received: list[dict[str, Any]] = []
    for digest, ids in listed:
        for rid in ids:
            reminder, task, unit = lines.get(rid, (None, None, None))  # (a reminder since deleted: its id alone)
            received.append(
                {
                    "reminder_id": rid,
                    "person_id": digest.person_id,
                    "sent_at": _iso(digest.sent_at),
                    "message_id": digest.message_id,
                    "kind": reminder.kind if reminder else None,
                    "due": reminder.due.isoformat() if reminder else None,
                    "task": task,
                    "unit": unit,
                }
            )
    return received


def export_person(session: Session, info: PersonInfo) -> dict[str, Any]:
    """Everything the store keeps about ``info``'s person, as JSON-ready data: the person row, chat
    accounts, memberships, invites they used or made (never a code or its hash), reports they made,
    conversation state, wrong invite codes sent from their chats, the reminders delivered to them and
    their absences (with the reason given)."""
    accounts = info.accounts
    conversations: list[Conversation] = []
    attempts: list[InviteAttempt] = []
    for account in accounts:
        conversations += session.exec(
            select(Conversation).where(
                Conversation.channel == account.channel,
                or_(col(Conversation.user_id) == account.external_id, col(Conversation.chat_id) == account.chat_id),
            )
        ).all()
        attempts += session.exec(
            select(InviteAttempt).where(
                InviteAttempt.channel == account.channel, InviteAttempt.chat_id == account.chat_id
            )
        ).all()
    invites = session.exec(
        select(Invite)
        .where(
            or_(
                col(Invite.used_by_person_id) == info.id,
                col(Invite.link_person_id) == info.id,
                col(Invite.created_by_person_id) == info.id,
            )
        )
        .order_by(col(Invite.id))
    ).all()
    reports = session.exec(
        select(Report, Task.code, Unit.code)
        .join(Assignment, col(Assignment.id) == Report.assignment_id)
        .join(Task, col(Task.id) == Assignment.task_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(Report.reporter_person_id == info.id)
        .order_by(col(Report.reported_at), col(Report.id))
    ).all()
    received = _reminders_received(session, info.id)
    return {
        "person": _row(info.person),
        "channel_accounts": [_row(a) for a in accounts],
        "memberships": [{**_row(m), "unit_code": u.code, "unit_name": u.name} for m, u in info.memberships],
        "invites": [_row(i, without=("code_hash",)) for i in invites],
        "reports": [{**_row(r), "task": task, "unit": unit} for r, task, unit in reports],
        "conversations": [_row(c) for c in {c.id: c for c in conversations}.values()],
        "invite_attempts": [_row(a) for a in attempts],
        "reminders_received": received,
        "reminder_settings": [
            _row(r) for r in session.exec(select(ReminderSetting).where(ReminderSetting.person_id == info.id))
        ],
        "absences": [
            _row(a)
            for a in session.exec(
                select(Absence).where(Absence.person_id == info.id).order_by(col(Absence.starts_on), col(Absence.id))
            )
        ],
    }

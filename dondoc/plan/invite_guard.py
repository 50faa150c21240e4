"""Invite guessing slowed down: a chat that sends :data:`MAX_WRONG` wrong invite codes within
:data:`WINDOW` is refused every code (even a right one) for :data:`FIRST_LOCK`, twice as long on each
lockout in a row (at most :data:`LONGEST_LOCK`).

Everything is in the database (``inviteattempt``: one row per wrong code, never the code itself;
``invitelock``: a chat's lockout), so several processes count together and administrators see the
attempts (``dondoc invite attempts``, ``/people``). Attempts are kept :data:`KEEP` days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from dondoc.db.models import InviteAttempt, InviteLock
from dondoc.tz import stored_in_vietnam

MAX_WRONG = 5
WINDOW = timedelta(minutes=15)
FIRST_LOCK = timedelta(minutes=30)
LONGEST_LOCK = timedelta(days=1)
RESET_AFTER = timedelta(days=1)  # a lockout this long after the previous one ended starts again at FIRST_LOCK
KEEP = timedelta(days=30)


def _lock(session: Session, channel: str, chat_id: str) -> InviteLock | None:
    return session.exec(select(InviteLock).where(InviteLock.channel == channel, InviteLock.chat_id == chat_id)).first()


def locked_until(session: Session, channel: str, chat_id: str, now: datetime) -> datetime | None:
    """The end of this chat's lockout (Vietnam time), None when it may send a code. A code sent during
    a lockout is counted on the lock and not checked."""
    lock = _lock(session, channel, chat_id)
    if lock is None or stored_in_vietnam(lock.locked_until) <= now:
        return None
    session.connection().execute(
        update(InviteLock).where(col(InviteLock.id) == lock.id).values(refused=col(InviteLock.refused) + 1)
    )
    return stored_in_vietnam(lock.locked_until)


def record_wrong(session: Session, channel: str, chat_id: str, now: datetime) -> datetime | None:
    """Record a wrong code sent from this chat; the end of the lockout it starts, if it starts one."""
    session.add(InviteAttempt(channel=channel, chat_id=chat_id, attempted_at=now))
    session.connection().execute(
        delete(InviteAttempt).where(
            col(InviteAttempt.channel) == channel,
            col(InviteAttempt.chat_id) == chat_id,
            col(InviteAttempt.attempted_at) < now - KEEP,
        )
    )
    session.flush()
    lock = _lock(session, channel, chat_id)
    since = now - WINDOW
    if lock is not None:
        since = max(since, stored_in_vietnam(lock.locked_until))  # what came before the last lockout is paid for
    wrong = session.exec(
        select(func.count())
        .select_from(InviteAttempt)
        .where(
            InviteAttempt.channel == channel, InviteAttempt.chat_id == chat_id, col(InviteAttempt.attempted_at) > since
        )
    ).one()
    if wrong < MAX_WRONG:
        return None
    if lock is None:
        lock = InviteLock(channel=channel, chat_id=chat_id, locked_at=now, locked_until=now, lockouts=0)
    elif now - stored_in_vietnam(lock.locked_until) > RESET_AFTER:
        lock.lockouts = 0
    lock.lockouts += 1
    lock.locked_at = now
    lock.locked_until = now + min(FIRST_LOCK * 2 ** min(lock.lockouts - 1, 16), LONGEST_LOCK)
    session.add(lock)
    session.flush()
    return stored_in_vietnam(lock.locked_until)


def redeemed(session: Session, channel: str, chat_id: str) -> None:
    """A right code was accepted from this chat: its lockouts start again from the first."""
    session.connection().execute(
        delete(InviteLock).where(col(InviteLock.channel) == channel, col(InviteLock.chat_id) == chat_id)
    )


def forget_chats(session: Session, chats: list[tuple[str, str]]) -> None:
    """Erase the attempts and lockouts of these chats (channel, chat id)."""
    for channel, chat_id in chats:
        for model in (InviteAttempt, InviteLock):
            session.connection().execute(
                delete(model).where(col(model.channel) == channel, col(model.chat_id) == chat_id)
            )


@dataclass(frozen=True)
class ChatAttempts:
    """The wrong codes one chat sent in the last :data:`KEEP` days, and its lockout."""

    channel: str
    chat_id: str
    wrong: int
    last_at: datetime | None
    locked_until: datetime | None  # None: not locked now
    lockouts: int
    refused: int  # codes sent during lockouts

    def as_json(self) -> dict[str, object]:
        return {
            "channel": self.channel,
            "chat_id": self.chat_id,
            "wrong": self.wrong,
            "last_at": self.last_at.isoformat() if self.last_at else None,
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
            "lockouts": self.lockouts,
            "refused_while_locked": self.refused,
        }


def attempts(session: Session, now: datetime, since: datetime | None = None) -> list[ChatAttempts]:
    """Every chat that sent wrong codes since ``since`` (default :data:`KEEP` ago) or is locked now,
    the most recent first."""
    since = since or now - KEEP
    counted = {
        (channel, chat_id): (int(wrong), stored_in_vietnam(last))
        for channel, chat_id, wrong, last in session.exec(
            select(
                InviteAttempt.channel,
                InviteAttempt.chat_id,
                func.count(col(InviteAttempt.id)),
                func.max(InviteAttempt.attempted_at),
            )
            .where(col(InviteAttempt.attempted_at) > since)
            .group_by(col(InviteAttempt.channel), col(InviteAttempt.chat_id))
        )
    }
    locks = {(lock.channel, lock.chat_id): lock for lock in session.exec(select(InviteLock))}
    found: list[ChatAttempts] = []
    for key in set(counted) | {k for k, lock in locks.items() if stored_in_vietnam(lock.locked_until) > now}:
        wrong, last = counted.get(key, (0, None))
        lock = locks.get(key)
        until = stored_in_vietnam(lock.locked_until) if lock is not None else None
        found.append(
            ChatAttempts(
                channel=key[0],
                chat_id=key[1],
                wrong=wrong,
                last_at=last,
                locked_until=until if until is not None and until > now else None,
                lockouts=lock.lockouts if lock is not None else 0,
                refused=lock.refused if lock is not None else 0,
            )
        )
    return sorted(found, key=lambda a: a.last_at or now, reverse=True)

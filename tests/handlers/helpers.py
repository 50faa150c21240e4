"""Builders that make a handler test read as the conversation it checks."""

from __future__ import annotations

import csv
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml
from sqlalchemy.engine import Engine
from sqlmodel import select

from dondoc.db.models import MemberRole, Unit
from dondoc.db.session import session_scope
from dondoc.handlers import dispatcher as dispatcher_module
from dondoc.handlers.context import Context, Deployment
from dondoc.handlers.dispatcher import Dispatcher
from dondoc.handlers.events import Attachment, Inbound, Reply, plain
from dondoc.handlers.onboarding import create_invite
from dondoc.scheduler.clock import TZ, Clock
from tests.conftest import Dondoc


@dataclass
class Outbox:
    """A channel's sender that records what it is asked to send (a chat id, the reply)."""

    sent: list[tuple[str, Reply]] = field(default_factory=list)

    async def send(self, chat_id: str, reply: Reply) -> str:
        self.sent.append((chat_id, reply))
        return str(len(self.sent))

    def texts(self, chat_id: str) -> list[str]:
        return [reply.text for to, reply in self.sent if to == chat_id]


def import_plan(
    dondoc: Dondoc, folder: Path, registry: dict[str, Any], appendix: list[list[str]], year: str = "2022"
) -> None:
    """``registry`` (a units file's content) and ``appendix`` (the rows of a CSV) imported into
    ``dondoc``'s store through the command line, as a clerk would, the files written in ``folder``."""
    units = folder / "don-vi.yaml"
    units.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    dondoc.ok("units", "import", units)
    rows = folder / "phu-luc.csv"
    with rows.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(appendix)
    dondoc.ok("plan", "import", rows, "--year", year)


def invite_code(engine: Engine, unit_code: str, role: MemberRole = MemberRole.FOCAL, *, now: datetime) -> str:
    with session_scope(engine) as session:
        unit = session.exec(select(Unit).where(Unit.code == unit_code)).one()
        return create_invite(session, unit, role, now, timedelta(days=7)).code


def hold_export(monkeypatch: pytest.MonkeyPatch, made: str, guard: float) -> tuple[threading.Event, threading.Event]:
    """/export made slow: its handler sets the first event once it runs, then waits for the second
    (at most ``guard`` seconds: a fail-safe) before replying ``made``, inside its transaction."""
    inside, release = threading.Event(), threading.Event()

    def slow_export(ctx: Context, _args: str) -> None:
        inside.set()
        release.wait(guard)
        ctx.reply(made)

    command = dispatcher_module._BY_NAME["export"]
    monkeypatch.setitem(dispatcher_module._BY_NAME, "export", replace(command, run=slow_export))
    return inside, release


def make_dispatcher(engine: Engine, start: datetime | None = None) -> Dispatcher:
    clock = Clock(start or datetime(2022, 3, 15, 9, 0, tzinfo=TZ), frozen=True)
    return Dispatcher(engine, clock, Deployment(bot_username="dondoc_test_bot"))


@dataclass
class Chat:
    """One person typing to the bot in a private chat."""

    dispatcher: Dispatcher
    user_id: str
    name: str = "Nguyễn Văn An"
    language_code: str = "vi"
    channel: str = "test"
    history: list[Reply] = field(default_factory=list)

    def _send(self, **kwargs: object) -> list[Reply]:
        inbound = Inbound(
            channel=self.channel,
            chat_id=self.user_id,
            user_id=self.user_id,
            language_code=self.language_code,
            display_name=self.name,
            **kwargs,  # type: ignore[arg-type]
        )
        replies = self.dispatcher.handle(inbound)
        self.history.extend(replies)
        return replies

    def send(self, text: str) -> list[Reply]:
        return self._send(text=text)

    def press(self, label: str) -> list[Reply]:
        """Press the button labelled ``label`` (or starting with it) on the newest message that has buttons."""
        for reply in reversed(self.history):
            if reply.choices and reply.to is None:
                for row in reply.choices:
                    for choice in row:
                        if choice.label == label or choice.label.startswith(label):
                            return self._send(choice=choice.data)
                raise AssertionError(f"no button {label!r} in {[c.label for r in reply.choices for c in r]}")
        raise AssertionError("no message with buttons")

    def press_data(self, data: str) -> list[Reply]:
        return self._send(choice=data)

    def upload(self, kind: Literal["photo", "document"], file_name: str = "", mime_type: str = "") -> list[Reply]:
        attachment = Attachment(
            kind=kind, file_id=f"file-{len(self.history)}", file_name=file_name, mime_type=mime_type
        )
        return self._send(attachments=(attachment,))

    @property
    def last(self) -> str:
        own = [r for r in self.history if r.to is None]
        return plain(own[-1].text) if own else ""

    def buttons(self) -> list[str]:
        for reply in reversed(self.history):
            if reply.to is None and reply.choices:
                return [c.label for row in reply.choices for c in row]
        return []

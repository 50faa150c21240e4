"""``dondoc sandbox``: the whole bot in a terminal chat, with no token and no internet.

The real Telegram channel (python-telegram-bot) runs against the in-process local Bot API server;
you play the people. Buttons are shown numbered and pressed by typing the number. Sandbox
commands: ``/as UNIT`` (be that unit's focal point), ``/as manager``, ``/as moi`` (``/as new``: a new
person nobody has bound yet, to try a code of the invite sheet), ``/clock dd/mm/yyyy HH:MM``
(move the simulated time), ``/photo``, ``/pdf NAME`` (send evidence), ``/quit``.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Any, Protocol, TextIO, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.bot.app import assemble
from dondoc.bot.local_api.server import LocalBotApi
from dondoc.bot.local_api.spec import bundled_spec
from dondoc.bot.local_api.users import SimulatedUser
from dondoc.bot.local_api.world import ChatMessage
from dondoc.db.models import ChannelAccount, MemberRole, Membership, Organization, Person, Unit
from dondoc.db.session import session_scope
from dondoc.handlers.events import Reply, plain
from dondoc.handlers.onboarding import create_invite, find_unit, units_refused, units_typed
from dondoc.i18n import _, current_language, format_datetime, normalize_language, use_language
from dondoc.plan.dates import DateProblem, describe_day, read_date
from dondoc.scheduler.calendar import WorkCalendar, calendar_from_env
from dondoc.scheduler.clock import FIRST_YEAR, LAST_YEAR, Clock
from dondoc.scheduler.service import ReminderService
from dondoc.scheduler.weekly import WEEKLY_TIME
from dondoc.text import fold
from dondoc.tz import TZ

MANAGER = "manager"
# ``/as moi`` (``/as mới``, ``/as new``): a new person, bound to no unit until they type an invite code;
# played again as ``/as moi1``, ``/as new1``, … (the prefix of the key in the language of the moment).
_NEW_KEY = re.compile(r"^(?:moi|new)(\d*)$")
TELEGRAM_FIRST_USER = 100_000_001  # the ids of the people a sandbox plays, on each channel
ZALO_FIRST_USER = 9_000_000_000_000_001
# Names for the people you play, so greetings read as they would for a real official.
NAMES = ("Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Thị Mai", "Phạm Minh Tuấn", "Võ Thị Hồng", "Huỳnh Văn Phúc")
_TIME_OF_DAY = re.compile(r"(\d{1,2}):(\d{2})")

ReadLine = Callable[[], Awaitable[str | None]]
Message = TypeVar("Message")


class Reader(Protocol[Message]):
    def read_all(self) -> list[Message]: ...


class Played(Protocol[Message]):
    """Someone you play in a sandbox (a :class:`Persona` on any channel)."""

    @property
    def key(self) -> str: ...

    @property
    def user(self) -> Reader[Message]: ...

    @property
    def label(self) -> Label: ...


@dataclass(frozen=True)
class Label:
    """Who a person played is ("focal point — UBND xã …"), in the language of the moment it is shown:
    the player may choose another (/lang) after the person was first played."""

    manager: bool
    unit: str  # the unit's name, as the registry has it; "" for a new person (``/as moi``)
    bot: str | None = None  # the Zalo bot written to, when the registry names several

    def __str__(self) -> str:
        if not self.unit:
            who = _("a new person, bound to no unit yet")
            return who + (f" ({self.bot})" if self.bot else "")
        who = _("manager") if self.manager else _("focal point")
        return f"{who} — {self.unit}" + (f" ({self.bot})" if self.bot else "")


@dataclass(frozen=True)
class Known:
    """Someone an earlier sandbox run on the same database played: played again as they are."""

    external_id: str
    name: str
    label: Label


@dataclass
class Persona:
    key: str  # unit code, or "manager"
    user: SimulatedUser
    label: Label


@dataclass
class Sandbox:
    """A terminal conversation with the bot through the local Bot API server."""

    engine: Engine
    clock: Clock
    out: TextIO
    personas: dict[str, Persona] = field(default_factory=dict)
    calendar: WorkCalendar | None = None  # default: the one DONDOC_CALENDAR names
    current: Persona | None = None
    api: LocalBotApi | None = None
    reminders: ReminderService[Reply] | None = None
    _next_user: int = 100_000_001
    organization_id: int | None = None  # the organisation played (``--org``); default: the store's first
    # The language of the command (--lang, DONDOC_LANG), read when the sandbox starts: the people played
    # speak it until they choose another (/lang); the sandbox's own lines follow the one played now.
    command_language: str | None = None
    # The new people played (``/as moi``), by their number: ``/as moi2`` plays the second again, bound or not.
    newcomers: dict[str, Any] = field(default_factory=dict)

    async def run(self, read_line: ReadLine) -> None:
        app = assemble(self.engine, self.clock, self.calendar or calendar_from_env(), bot_username="dondoc_sandbox_bot")
        async with LocalBotApi(spec=bundled_spec(), strict=False, bot_username="dondoc_sandbox_bot") as api:
            self.api = api
            # The reminder job does not run on its own here: /clock plans and sweeps (see _remind).
            application = app.attach_telegram(
                api.token, builder=api.application_builder(), rate_limit=False, run_reminders=False
            )
            self.reminders = app.reminders
            async with api.running(application, record_handler_errors=False):
                self._begin()
                self._bring_back_earlier()
                with use_language(self.language(self.personas.get(self._default_key()))):
                    self._banner(
                        _(
                            "dondoc sandbox — the bot as it runs on Telegram, here in the terminal.\n"
                            "Type as a focal point would; press a button by typing its number.\n"
                            "/as UNIT · /as manager · /as new · /clock dd/mm/yyyy HH:MM · /photo · /pdf · /quit"
                        )
                    )
                await self.switch(self._default_unit())
                while True:
                    with use_language(self.language()):
                        self._prompt(self.current)
                    line = await read_line()
                    if line is None:
                        break
                    with use_language(self.language()):
                        if not await self.handle(line.strip()):
                            break
            for violation in api.take_violations():
                self._print("! " + str(violation))

    # ------------------------------------------------------------------ language

    def _begin(self) -> None:
        if self.command_language is None:
            self.command_language = current_language()

    def _speaks(self) -> str:
        """What a person played for the first time speaks: the command's language."""
        return self.command_language or current_language()

    def _now_played(self) -> Played[Any] | None:
        return self.current

    def _account_of(self, persona: Played[Any]) -> tuple[str, str] | None:
        """(channel, the channel's user id) of ``persona``."""
        return ("telegram", str(persona.user.user_id)) if isinstance(persona, Persona) else None

    def language(self, persona: Played[Any] | None = None) -> str:
        """The language of ``persona`` (default: the one played now), as the bot speaks to them: the
        one they chose (/lang), else the one their channel reports, else the command's."""
        persona = persona if persona is not None else self._now_played()
        account = self._account_of(persona) if persona is not None else None
        if account is None:
            return normalize_language(self._speaks())
        with session_scope(self.engine) as session:
            row = session.exec(
                select(Person.language, ChannelAccount.language_code)
                .join(Person, col(Person.id) == ChannelAccount.person_id)
                .where(ChannelAccount.channel == account[0], ChannelAccount.external_id == account[1])
            ).first()
        chosen, reported = row if row is not None else (None, None)
        return normalize_language(chosen or reported or self._speaks())

    def _default_key(self) -> str:
        """The key under which the person first played (:meth:`_default_unit`) is kept."""
        default = self._default_unit()
        return MANAGER if default.lower() == MANAGER else default.upper()

    # ------------------------------------------------------------------ input

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False ends the sandbox."""
        assert self.current is not None and self.api is not None
        user = self.current.user
        if not line:
            return True
        word, rest = line.partition(" ")[::2]  # the first word, and what follows it
        own = await self._sandbox_command(word, rest)
        if own is not None:
            return own
        if word == "/photo":
            await user.send_photo()
        elif word == "/pdf":
            name = rest.strip() or "minh-chung.pdf"
            await user.send_document(name, "application/pdf", b"%PDF-1.4\n% dondoc sandbox\n")
        elif line.isdigit() and (pressed := self._button(int(line))) is not None:
            message, data = pressed
            await user.press(message, data)
        else:
            await user.send(line)
        await self.show()
        return True

    async def _sandbox_command(self, word: str, rest: str) -> bool | None:
        """The sandbox's own commands, on every channel (``/quit``, ``/as``, ``/clock``): whether the
        sandbox goes on; None when ``word`` is not one of them (the line goes to the bot)."""
        if word in ("/quit", "/exit"):
            return False
        if word == "/as":
            typed = rest.strip()
            new = _NEW_KEY.match(fold(typed.split(" ", 1)[0]).lower()) if typed else None
            if new is not None and not new.group(1):
                await self.play_new(typed.partition(" ")[2].strip())
            elif new is not None and self._new_persona(new.group(1)) is not None:
                persona = self._new_persona(new.group(1))
                assert persona is not None
                self._become(persona)
                with use_language(self.language(persona)):
                    self._print("— " + _("You are now: {who}").format(who=persona.label))
            elif typed:
                await self.switch(typed)
            else:
                self._list_personas()
            return True
        if word == "/clock":
            previous = self.clock.now()
            if self._move_clock(rest.strip()):
                await self._remind(previous)
            return True
        return None

    def _button(self, number: int) -> tuple[ChatMessage, str] | None:
        """The message and callback data of button ``number`` on the newest message with buttons."""
        assert self.current is not None
        for message in reversed(self.current.user.messages):
            if message.buttons and not message.deleted:
                buttons = [b for b in message.buttons if isinstance(b.get("callback_data"), str)]
                if 1 <= number <= len(buttons):
                    return message, str(buttons[number - 1]["callback_data"])
                return None
        return None

    # ------------------------------------------------------------------ personas

    def _played(self) -> list[tuple[str, str]]:
        """(key, label) of the people played so far in this run, the labels in the current language."""
        return [(p.key, str(p.label)) for p in self.personas.values()]

    def _current_key(self) -> str | None:
        return self.current.key if self.current else None

    def _list_personas(self) -> None:
        """``/as`` alone: who you can be, and who you are now (nothing is sent to the bot)."""
        current = self._current_key()
        with session_scope(self.engine) as session:
            org = played_organization(session, self.organization_id)
            # the units of the organisation played (the store may hold several: /as plays only this one)
            units = (
                list(
                    session.exec(
                        select(Unit)
                        .where(Unit.organization_id == org.id, col(Unit.active))
                        .order_by(col(Unit.position), col(Unit.id))
                    )
                )
                if org is not None
                else []
            )
            several = org is not None and session.exec(select(Organization.id).offset(1)).first() is not None
        if org is not None and several:
            lines = [_("Whom you can play in {organization}:").format(organization=org.name)]
        else:
            lines = [_("Whom you can play:")]
        for key, label in self._played():
            mark = " ← " + _("now") if key == current else ""
            lines.append(f"  /as {key} — {label}{mark}")
        played = {key for key, _label in self._played()}
        if MANAGER not in played:
            lines.append(f"  /as {MANAGER} — " + _("the manager (of the coordinating unit)"))
        lines.append("  " + _("/as new — a new person nobody has bound yet, to type a code of the invite sheet"))
        others = [u.code for u in units if u.code not in played]
        if others:
            lines.append("  " + _("a unit's focal point: /as UNIT, one of {codes}").format(codes=", ".join(others)))
        self._print("\n".join(lines))

    def _known(self, channel: str, key: str, first_id: int) -> Known | None:
        """The person an earlier run on this database played as ``key`` (a unit's focal point, or the
        manager) on ``channel``: played again as they are, with no new invite — its code would be
        typed into whatever that person was doing."""
        with session_scope(self.engine) as session:
            org = played_organization(session, self.organization_id)
            if org is None or org.id is None:
                return None
            role = MemberRole.MANAGER if key == MANAGER else MemberRole.FOCAL
            unit = find_unit(session, org.id, org.coordinator_code or "" if key == MANAGER else key)
            if unit is None:
                return None
            for account, person in session.exec(
                select(ChannelAccount, Person)
                .join(Person, col(Person.id) == ChannelAccount.person_id)
                .join(Membership, col(Membership.person_id) == Person.id)
                .where(Membership.unit_id == unit.id, Membership.role == role, ChannelAccount.channel == channel)
                .order_by(col(ChannelAccount.id))
            ):
                if account.external_id.isdigit() and int(account.external_id) >= first_id:
                    return Known(account.external_id, person.full_name, self._label(role, unit))
        return None

    def _bring_back_earlier(self) -> None:
        """The people earlier runs on this database played (the manager, units' focal points) are in
        the chat again, without switching to them: what the bot sends them (a manager's alert, say)
        reaches them and is shown under their name, instead of failing as sent to an unknown chat."""
        assert self.api is not None
        for key in self._keys():
            known = self._known("telegram", key, TELEGRAM_FIRST_USER)
            if known is None or key in self.personas:
                continue
            user = self.api.user(user_id=int(known.external_id), first_name=known.name, language_code=self._speaks())
            self.personas[key] = Persona(key, user, known.label)

    def _keys(self) -> list[str]:
        """Whom ``/as`` can play: the manager, then each active unit's focal point (by its code)."""
        with session_scope(self.engine) as session:
            org = played_organization(session, self.organization_id)
            if org is None:
                return [MANAGER]
            units = session.exec(
                select(Unit.code).where(Unit.organization_id == org.id, col(Unit.active)).order_by(col(Unit.position))
            )
            return [MANAGER, *units]

    def _unused_id(self, channel: str, first_id: int, taken: Iterable[str] = ()) -> int:
        """The first sandbox user id from ``first_id`` that no account on ``channel`` has (an earlier
        run's people keep theirs) and nobody played in this run has (``taken``)."""
        with session_scope(self.engine) as session:
            used = set(session.exec(select(ChannelAccount.external_id).where(ChannelAccount.channel == channel)))
        used |= set(taken)
        found = first_id
        while str(found) in used:
            found += 1
        return found

    @staticmethod
    def _label(role: MemberRole, unit: Unit) -> Label:
        return Label(role == MemberRole.MANAGER, unit.name)

    def _default_unit(self) -> str:
        with session_scope(self.engine) as session:
            org = played_organization(session, self.organization_id)
            if org is None:
                return ""
            if org.coordinator_code:
                return org.coordinator_code
            unit = session.exec(
                select(Unit).where(Unit.organization_id == org.id, col(Unit.active)).order_by(col(Unit.position))
            ).first()
            return unit.code if unit else ""

    def _fresh_name(self, playing: Iterable[str] = ()) -> str:
        """A name for a new person played that nobody in the store (an earlier run's people) nor in
        ``playing`` (this run's) has: two people of one sandbox never share a name."""
        with session_scope(self.engine) as session:
            taken = set(session.exec(select(Person.full_name)))
        taken |= set(playing)
        for number in range(1, len(taken) + 2):
            for name in NAMES:
                candidate = name if number == 1 else f"{name} {number}"
                if candidate not in taken:
                    return candidate
        return NAMES[0]  # not reached: len(taken) + 1 rounds cannot all be taken

    async def switch(self, key: str) -> None:
        """Become ``key``'s focal point (or the manager), registering through a real invite if new."""
        assert self.api is not None
        wanted = MANAGER if key.lower() == MANAGER else key
        persona = self.personas.get(wanted.upper() if wanted != MANAGER else MANAGER)
        known = (
            None
            if persona
            else self._known("telegram", wanted.upper() if wanted != MANAGER else MANAGER, TELEGRAM_FIRST_USER)
        )
        if persona is None and known is not None:  # played in an earlier run: no new invite
            user = self.api.user(user_id=int(known.external_id), first_name=known.name, language_code=self._speaks())
            persona = Persona(wanted if wanted == MANAGER else wanted.upper(), user, known.label)
            self.personas[persona.key] = persona
        if persona is None:
            made = self._invite(wanted)
            if made is None:
                self._print(self._no_unit(key))
                return
            code, unit_code, label = made
            name = self._fresh_name(p.user.first_name for p in self.personas.values())
            self._next_user = self._unused_id("telegram", self._next_user)
            # the people you play speak the language of the command (--lang, DONDOC_LANG)
            user = self.api.user(user_id=self._next_user, first_name=name, language_code=self._speaks())
            self._next_user += 1
            persona = Persona(MANAGER if wanted == MANAGER else unit_code, user, label)
            self.personas[persona.key] = persona
            self.current = persona
            with use_language(self.language(persona)):
                self._print("— " + _("You are now: {who}").format(who=f"{name}, {label}"))
            await user.send(f"/start {code}")
            await self.show()
            return
        self.current = persona
        with use_language(self.language(persona)):
            self._print("— " + _("You are now: {who}").format(who=persona.label))

    # ------------------------------------------------------------------ a new person (/as moi)

    def _people(self) -> dict[str, Any]:
        """The people played in this run, by key."""
        return self.personas

    def _become(self, persona: Any) -> None:
        self.current = persona

    def _new_persona(self, number: str) -> Any | None:
        """The new person ``/as moi<number>`` plays again (bound to a unit since, or not), if any."""
        return self.newcomers.get(number)

    def _new_key(self, persona: Any) -> str:
        """Number ``persona`` as the next new person; their key: "moi1" ("new1" in English)."""
        number = str(len(self.newcomers) + 1)
        self.newcomers[number] = persona
        return ("new" if current_language() == "en" else "moi") + number

    def _announce_new(self, persona: Any, name: str) -> None:
        self._become(persona)
        with use_language(self.language(persona)):
            self._print("— " + _("You are now: {who}").format(who=f"{name}, {persona.label}"))
            self._print(
                "   "
                + _(
                    "Type a unit's invite code (from the invite sheet of dondoc invite create) to bind this person"
                    " as its focal point."
                )
            )

    async def play_new(self, bot: str = "") -> None:
        """``/as moi``: a new person nobody has bound yet; the code they type binds them (``bot``: on
        Zalo, the registry bot written to)."""
        assert self.api is not None
        name = self._fresh_name(p.user.first_name for p in self.personas.values())
        self._next_user = self._unused_id("telegram", self._next_user)
        user = self.api.user(user_id=self._next_user, first_name=name, language_code=self._speaks())
        self._next_user += 1
        persona = Persona("", user, Label(False, ""))
        persona.key = self._new_key(persona)
        self.personas[persona.key] = persona
        self._announce_new(persona, name)

    def _bind_new_people(self) -> None:
        """A new person who typed an invite code is that unit's focal point (or its manager) from now on:
        played again with ``/as`` and the unit's code."""
        people = self._people()
        for key, persona in list(people.items()):
            if persona.label.unit:
                continue
            account = self._account_of(persona)
            if account is None:
                continue
            with session_scope(self.engine) as session:
                row = session.exec(
                    select(Membership, Unit)
                    .join(Unit, col(Unit.id) == Membership.unit_id)
                    .join(ChannelAccount, col(ChannelAccount.person_id) == Membership.person_id)
                    .where(ChannelAccount.channel == account[0], ChannelAccount.external_id == account[1])
                    .order_by(col(Membership.id))
                ).first()
                if row is None:
                    continue
                membership, unit = row
                label = replace(self._label(membership.role, unit), bot=persona.label.bot)
                bound = MANAGER if membership.role == MemberRole.MANAGER else unit.code
            persona.label = label
            if bound not in people:
                del people[key]
                persona.key = bound
                people[bound] = persona

    def _no_unit(self, key: str) -> str:
        """Why ``/as key`` plays nobody: no unit is called so, or several are ("xa binh thanh"), or
        the registry names no coordinating unit whose manager ``/as manager`` would play."""
        if key.lower() == MANAGER:
            return _(
                "The registry names no coordinating unit, so there is no manager to play: write coordinator: "
                "and its code in the registry file (dondoc units import --write-yaml FILE writes one), then "
                "import that file."
            )
        with session_scope(self.engine) as session:
            org = played_organization(session, self.organization_id)
            fits = units_typed(session, org.id, key) if org is not None else []
            return plain(units_refused(fits, key))

    def _invite(self, key: str) -> tuple[str, str, Label] | None:
        with session_scope(self.engine) as session:
            org = played_organization(session, self.organization_id)
            if org is None:
                return None
            role = MemberRole.FOCAL
            if key == MANAGER:
                role = MemberRole.MANAGER
                key = org.coordinator_code or ""
            unit = find_unit(session, org.id, key)
            if unit is None:
                return None
            invite = create_invite(session, unit, role, self.clock.now(), timedelta(days=1))
            return invite.code, unit.code, self._label(role, unit)

    # ------------------------------------------------------------------ clock

    async def _remind(self, previous: datetime) -> None:
        """What the reminder job would have done between ``previous`` and now: plan from the earlier
        of the two (the start of the day when going back), then sweep everything due, merged."""
        assert self.reminders is not None
        now = self.clock.now()
        since = previous if previous < now else datetime.combine(now.date(), time(0), tzinfo=TZ)
        await asyncio.to_thread(self.reminders.schedule, since)
        result = await self.reminders.sweeper.sweep()
        if self.reminders.calendar.in_office_hours(now):
            await self.reminders.send_figure_reminders(now)  # units late with their targets' figures
            if now.time() >= WEEKLY_TIME:  # the managers' weekly digest, on its day (Monday by default)
                await self.reminders.send_weekly(now)
        if result.held:
            self._print(
                "   "
                + _("{count} reminder(s) held: those units have no focal point bound yet.").format(count=result.held)
            )
        if not self.reminders.calendar.in_office_hours(now):
            self._print("   " + _("Outside office hours: reminders wait for the next working day."))
        await self.show()

    def _move_clock(self, text: str) -> bool:
        written = text.split(maxsplit=1)
        day = read_date(written[0]) if written else DateProblem.NOT_A_DATE
        at = _TIME_OF_DAY.fullmatch(written[1].strip()) if len(written) > 1 else None
        usage = _("Usage: /clock dd/mm/yyyy HH:MM — for example /clock 24/01/2022 08:00")
        if day is DateProblem.NO_SUCH_DATE:  # 31/02/2022: say which part is wrong
            self._print(describe_day(DateProblem.NO_SUCH_DATE, written[0], self.clock.now().year) + "\n" + usage)
            return False
        if isinstance(day, DateProblem) or (len(written) > 1 and at is None):
            self._print(usage)
            return False
        hour, minute = (int(at.group(1)), int(at.group(2))) if at else (8, 0)
        try:
            instant = datetime.combine(day, time(hour, minute), tzinfo=TZ)
        except ValueError:  # 25:00, 08:75
            self._print(_("There is no such time of day as {typed}.").format(typed=written[1].strip()) + "\n" + usage)
            return False
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            self._print(_("The clock goes from {first} to {last}.").format(first=FIRST_YEAR, last=LAST_YEAR))
            return False
        self.clock.set(instant)
        self._print("🕗 " + _("Simulated time: {time}").format(time=format_datetime(self.clock.now())))
        return True

    # ------------------------------------------------------------------ output

    async def show(self) -> None:
        """Print what the bot sent since the last look, to whoever it went."""
        assert self.api is not None
        await self.api.wait_idle()
        self._bind_new_people()
        with use_language(self.language()):  # the player may have just chosen another (/lang)
            self._print_unread(self.personas.values(), self.current, self._print_message)

    def _print_unread(
        self, personas: Iterable[Played[Message]], current: object, print_message: Callable[[Message], None]
    ) -> None:
        """What each person played got since the last look, ``current``'s first, the others' under their
        names."""
        for persona in sorted(personas, key=lambda persona: persona is not current):
            unread = persona.user.read_all()
            if not unread:
                continue
            if persona is not current:
                self._print("\n→ " + _("To {who}:").format(who=persona.label))
            for message in unread:
                print_message(message)

    def _print_message(self, message: ChatMessage) -> None:
        text = message.source or message.content
        if message.parse_mode == "HTML":
            text = plain(text)
        if message.document is not None:
            text = f"📎 {message.document.file_name or 'file'} ({len(message.document.data) // 1024} KB)\n{text}"
        if message.photo is not None:
            text = f"🖼  ({len(message.photo.data) // 1024} KB)\n{text}"
        self._print("\n🤖 " + text.replace("\n", "\n   "))
        callbacks = [b for b in message.buttons if isinstance(b.get("callback_data"), str)]
        for index, button in enumerate(callbacks, start=1):
            self._print(f"   [{index}] {button.get('text', '')}")

    def _banner(self, intro: str) -> None:
        self._print(intro)
        self._print("🕗 " + _("Simulated time: {time}").format(time=format_datetime(self.clock.now())))

    def _prompt(self, persona: Played[Any] | None) -> None:
        who = persona.key if persona else "?"
        self.out.write(f"\n[{who}] › ")
        self.out.flush()

    def _print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()


def played_organization(session: Session, organization_id: int | None = None) -> Organization | None:
    """The organisation a sandbox plays: the one of ``organization_id`` (``--org``), else the store's
    first (a store may hold several)."""
    if organization_id is not None:
        chosen = session.get(Organization, organization_id)
        if chosen is not None:
            return chosen
    return session.exec(select(Organization).order_by(col(Organization.id))).first()


def stdin_reader() -> ReadLine:
    """Read lines from standard input without blocking the event loop; None at end of input."""

    async def read() -> str | None:
        line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        return line if line else None

    return read

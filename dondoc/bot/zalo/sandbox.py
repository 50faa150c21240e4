"""``dondoc sandbox --channel zalo``: the whole bot in a terminal chat as Zalo users see it — plain
text, choices as numbered lines picked by typing, messages of at most 2,000 characters — with no
token and no internet: the real Zalo channel polls the in-process :class:`FakeZaloServer`, and you
play the people. Sandbox commands as in the Telegram sandbox (``/as UNIT``, ``/as manager``, ``/as moi``
— ``/as moi BOT`` writes to that registry bot —, ``/clock dd/mm/yyyy HH:MM``, ``/quit``), and ``/photo``,
``/sticker`` to send those.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from typing import Any

from dondoc.bot.app import assemble
from dondoc.bot.sandbox import MANAGER, ZALO_FIRST_USER, Label, Played, ReadLine, Sandbox, played_organization
from dondoc.bot.zalo.fake import FakeZaloServer, SentMessage, ZaloUser
from dondoc.bot.zalo.polling import ZaloPolling
from dondoc.db.session import session_scope
from dondoc.handlers.onboarding import find_unit
from dondoc.i18n import _, use_language
from dondoc.plan.zalo_bots import ZALO, ZaloBotInfo, stored_zalo_bots, zalo_bot_for_unit
from dondoc.scheduler.calendar import calendar_from_env
from dondoc.text import match_key


@dataclass
class ZaloPersona:
    key: str  # unit code, or "manager"
    user: ZaloUser
    label: Label


@dataclass
class ZaloSandbox(Sandbox):
    """A terminal conversation with the bot through the Zalo channel and a Zalo-shaped server."""

    zalo: FakeZaloServer | None = None  # the one bot of ZALO_BOT_TOKEN's
    servers: dict[str, FakeZaloServer] = field(default_factory=dict)  # by channel key
    bots: dict[str, ZaloBotInfo] = field(default_factory=dict)  # by channel key
    people: dict[str, ZaloPersona] = field(default_factory=dict)
    me: ZaloPersona | None = None

    async def run(self, read_line: ReadLine) -> None:
        app = assemble(self.engine, self.clock, self.calendar or calendar_from_env(), bot_username="dondoc_sandbox_bot")
        async with AsyncExitStack() as stack:
            # the one bot of ZALO_BOT_TOKEN, and one per bot the registry names (channels: zalo: bots):
            # each person played writes to the bot of their unit, as their invite tells them
            for info in [ZaloBotInfo(ZALO, None, "Bot đôn đốc (thử nghiệm)", ""), *self._registry_bots()]:
                token = f"{len(self.servers) + 1}2345689:sandbox-{info.name or 'zalo'}"
                server = await stack.enter_async_context(FakeZaloServer(token, bot_name=info.display_name))
                self.servers[info.key] = server
                self.bots[info.key] = info
                channel = app.attach_zalo(server.token, base_url=server.base_url, key=info.key)
                stack.push_async_callback(channel.client.aclose)
                poller = ZaloPolling(channel.client, channel.process_update)
                stack.push_async_callback(self._stop, poller, asyncio.create_task(poller.run()))
            self.zalo = self.servers[ZALO]
            self.reminders = app.reminders  # /clock plans and sweeps (see Sandbox._remind)
            self._begin()
            self._bring_back_earlier()
            with use_language(self.language(self.people.get(self._default_key()))):
                self._banner(
                    _(
                        "dondoc sandbox — the bot as Zalo users see it, here in the terminal.\n"
                        "Type as a focal point would; choices are numbered: type the number.\n"
                        "/as UNIT · /as manager · /as new · /clock dd/mm/yyyy HH:MM · /photo · /sticker · /quit"
                    )
                )
            await self.switch(self._default_unit())
            while True:
                with use_language(self.language()):
                    self._prompt(self.me)
                line = await read_line()
                if line is None:
                    break
                with use_language(self.language()):
                    if not await self.handle(line.strip()):
                        break
        for server in self.servers.values():
            for violation in server.take_violations():
                self._print("! " + str(violation))

    @staticmethod
    async def _stop(poller: ZaloPolling, polling: asyncio.Task[None]) -> None:
        poller.stop()
        await polling

    def _registry_bots(self) -> list[ZaloBotInfo]:
        """The Zalo bots the played organisation's registry names."""
        with session_scope(self.engine) as session:
            org = played_organization(session, self.organization_id)
            return [] if org is None or org.id is None else stored_zalo_bots(session, org.id)

    def _bot_of(self, key: str) -> ZaloBotInfo:
        """The bot that the focal point of unit ``key`` (or the manager) writes to."""
        with session_scope(self.engine) as session:
            org = played_organization(session, self.organization_id)
            unit = None
            if org is not None and org.id is not None:
                unit = find_unit(session, org.id, org.coordinator_code or "" if key == MANAGER else key)
            bot = zalo_bot_for_unit(session, unit) if unit is not None else None
        return self.bots.get(bot.key, self.bots[ZALO]) if bot is not None else self.bots[ZALO]

    def _with_bot(self, label: Label, bot: ZaloBotInfo) -> Label:
        """``label`` naming the bot written to, when the registry names several."""
        return label if len(self.bots) == 1 else replace(label, bot=bot.display_name)

    def _now_played(self) -> Played[Any] | None:
        return self.me

    def _people(self) -> dict[str, Any]:
        return self.people

    def _become(self, persona: Any) -> None:
        self.me = persona

    async def play_new(self, bot: str = "") -> None:
        """``/as moi``: a new Zalo user nobody has bound yet, writing to the bot of ZALO_BOT_TOKEN or to
        the registry bot named ``bot`` (``/as moi qt1``): the code they type binds them."""
        info = self.bots[ZALO]
        if bot:
            named = [
                b for b in self.bots.values() if match_key(bot) in (match_key(b.name or ""), match_key(b.display_name))
            ]
            if not named:
                names = ", ".join(b.name for b in self.bots.values() if b.name)
                self._print(
                    _("No Zalo bot called {bot}; the registry's bots: {names}.").format(bot=bot, names=names or "-")
                )
                return
            info = named[0]
        server = self.servers[info.key]
        name = self._fresh_name(p.user.display_name for p in self.people.values())
        taken = [p.user.id for p in self.people.values()]
        user = server.user(name, user_id=str(self._unused_id(info.key, ZALO_FIRST_USER, taken)))
        persona = ZaloPersona("", user, self._with_bot(Label(False, ""), info))
        persona.key = self._new_key(persona)
        self.people[persona.key] = persona
        self._announce_new(persona, name)

    def _account_of(self, persona: Played[Any]) -> tuple[str, str] | None:
        if not isinstance(persona, ZaloPersona):
            return None
        keys = [key for key, server in self.servers.items() if server is persona.user.server]
        return (keys[0], persona.user.id) if keys else None

    async def handle(self, line: str) -> bool:
        assert self.me is not None
        user = self.me.user
        if not line:
            return True
        word, rest = line.partition(" ")[::2]
        own = await self._sandbox_command(word, rest)
        if own is not None:
            return own
        if word == "/photo":
            await user.send_image()
        elif word == "/sticker":
            await user.send_sticker()
        else:
            await user.send_text(line)
        await self.show()
        return True

    async def switch(self, key: str) -> None:
        wanted = MANAGER if key.lower() == MANAGER else key
        key = wanted.upper() if wanted != MANAGER else MANAGER
        persona = self.people.get(key)
        bot = self._bot_of(wanted)
        server = self.servers[bot.key]
        if persona is None:  # played in an earlier run: no new invite
            persona = self._earlier(key)
        if persona is None:
            made = self._invite(wanted)
            if made is None:
                self._print(_("No unit called {unit}.").format(unit=key))
                return
            code, unit_code, label = made
            label = self._with_bot(label, bot)
            name = self._fresh_name(p.user.display_name for p in self.people.values())
            taken = [p.user.id for p in self.people.values()]
            user = server.user(name, user_id=str(self._unused_id(bot.key, ZALO_FIRST_USER, taken)))
            persona = ZaloPersona(MANAGER if wanted == MANAGER else unit_code, user, label)
            self.people[persona.key] = persona
            self.me = persona
            with use_language(self.language(persona)):
                self._print("— " + _("You are now: {who}").format(who=f"{name}, {label}"))
            await user.send_text(code)  # on Zalo the bare code, sent first, binds the account
            await self.show()
            return
        self.me = persona
        with use_language(self.language(persona)):
            self._print("— " + _("You are now: {who}").format(who=persona.label))

    def _earlier(self, key: str) -> ZaloPersona | None:
        """``key``'s person as an earlier run on this database played them (None: nobody was)."""
        bot = self._bot_of(key)
        server = self.servers[bot.key]
        known = self._known(bot.key, key, ZALO_FIRST_USER)
        if known is None:
            return None
        server.wrote_before(known.external_id)
        persona = ZaloPersona(key, server.user(known.name, user_id=known.external_id), self._with_bot(known.label, bot))
        self.people[key] = persona
        return persona

    def _bring_back_earlier(self) -> None:
        """See :meth:`Sandbox._bring_back_earlier`: on each person's own bot."""
        for key in self._keys():
            if key not in self.people:
                self._earlier(key)

    def _played(self) -> list[tuple[str, str]]:
        return [(p.key, str(p.label)) for p in self.people.values()]

    def _current_key(self) -> str | None:
        return self.me.key if self.me else None

    async def show(self) -> None:
        for server in self.servers.values():
            await server.settled()
        self._bind_new_people()
        with use_language(self.language()):  # the player may have just chosen another (/lang)
            self._print_unread(self.people.values(), self.me, self._print_zalo)

    def _print_zalo(self, message: SentMessage) -> None:
        text = message.text or message.caption
        if message.kind == "photo":
            text = f"🖼  {message.photo}\n{text}"
        self._print("\n🤖 " + text.replace("\n", "\n   "))

"""``dondoc sandbox --channel zalo``: the whole bot in a terminal chat as Zalo users see it — plain
text, choices as numbered lines picked by typing, messages of at most 2,000 characters — with no
token and no internet: the real Zalo channel polls the in-process :class:`FakeZaloServer`, and you
play the people. Sandbox commands as in the Telegram sandbox (``/as UNIT``, ``/as manager``,
``/clock dd/mm/yyyy HH:MM``, ``/quit``), and ``/photo``, ``/sticker`` to send those.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from dondoc.bot.app import assemble
from dondoc.bot.sandbox import MANAGER, ZALO_FIRST_USER, ReadLine, Sandbox
from dondoc.bot.zalo.fake import FakeZaloServer, SentMessage, ZaloUser
from dondoc.bot.zalo.polling import ZaloPolling
from dondoc.i18n import _
from dondoc.scheduler.calendar import calendar_from_env


@dataclass
class ZaloPersona:
    key: str  # unit code, or "manager"
    user: ZaloUser
    label: str


@dataclass
class ZaloSandbox(Sandbox):
    """A terminal conversation with the bot through the Zalo channel and a Zalo-shaped server."""

    zalo: FakeZaloServer | None = None
    people: dict[str, ZaloPersona] = field(default_factory=dict)
    me: ZaloPersona | None = None

    async def run(self, read_line: ReadLine) -> None:
        app = assemble(self.engine, self.clock, self.calendar or calendar_from_env(), bot_username="dondoc_sandbox_bot")
        async with FakeZaloServer(bot_name="Bot đôn đốc (thử nghiệm)") as server:
            self.zalo = server
            channel = app.attach_zalo(server.token, base_url=server.base_url)
            poller = ZaloPolling(channel.client, channel.process_update)
            polling = asyncio.create_task(poller.run())
            self.reminders = app.reminders  # /clock plans and sweeps (see Sandbox._remind)
            try:
                self._banner(
                    _(
                        "dondoc sandbox — the bot as Zalo users see it, here in the terminal.\n"
                        "Type as a focal point would; choices are numbered: type the number.\n"
                        "/as UNIT · /as manager · /clock dd/mm/yyyy HH:MM · /photo · /sticker · /quit"
                    )
                )
                await self.switch(self._default_unit())
                while True:
                    self._prompt(self.me)
                    line = await read_line()
                    if line is None or not await self.handle(line.strip()):
                        break
            finally:
                poller.stop()
                await polling
                await channel.client.aclose()
            for violation in server.take_violations():
                self._print("! " + str(violation))

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
        assert self.zalo is not None
        wanted = MANAGER if key.lower() == MANAGER else key
        key = wanted.upper() if wanted != MANAGER else MANAGER
        persona = self.people.get(key)
        known = None if persona else self._known("zalo", key, ZALO_FIRST_USER)
        if persona is None and known is not None:  # played in an earlier run: no new invite
            self.zalo.wrote_before(known.external_id)
            persona = ZaloPersona(key, self.zalo.user(known.name, user_id=known.external_id), known.label)
            self.people[key] = persona
        if persona is None:
            made = self._invite(wanted)
            if made is None:
                self._print(_("No unit called {unit}.").format(unit=key))
                return
            code, unit_code, label = made
            name = self._fresh_name(p.user.display_name for p in self.people.values())
            taken = [p.user.id for p in self.people.values()]
            user = self.zalo.user(name, user_id=str(self._unused_id("zalo", ZALO_FIRST_USER, taken)))
            persona = ZaloPersona(MANAGER if wanted == MANAGER else unit_code, user, label)
            self.people[persona.key] = persona
            self.me = persona
            self._print("— " + _("You are now: {who}").format(who=f"{name}, {label}"))
            await user.send_text(code)  # on Zalo the bare code, sent first, binds the account
            await self.show()
            return
        self.me = persona
        self._print("— " + _("You are now: {who}").format(who=persona.label))

    def _played(self) -> list[tuple[str, str]]:
        return [(p.key, p.label) for p in self.people.values()]

    def _current_key(self) -> str | None:
        return self.me.key if self.me else None

    async def show(self) -> None:
        assert self.zalo is not None
        await self.zalo.settled()
        self._print_unread(self.people.values(), self.me, self._print_zalo)

    def _print_zalo(self, message: SentMessage) -> None:
        text = message.text or message.caption
        if message.kind == "photo":
            text = f"🖼  {message.photo}\n{text}"
        self._print("\n🤖 " + text.replace("\n", "\n   "))

"""A chat's turn: one holder at a time for each key, in the order they asked; other keys (and an
update that names no chat) go on meanwhile; a key is forgotten once nobody holds or awaits it."""

from __future__ import annotations

import asyncio

from dondoc.bot.turns import Turns

GUARD = 10.0  # seconds: only ends a test that would otherwise hang


async def test_one_key_in_order_others_and_none_meanwhile() -> None:
    turns = Turns()
    order: list[str] = []
    gate = asyncio.Event()

    async def take(key: str | None, name: str, hold: bool = False) -> None:
        async with turns(key):
            order.append(name)
            if hold:
                await gate.wait()

    first = asyncio.create_task(take("a", "a1", hold=True))
    unnamed = asyncio.create_task(take(None, "n1", hold=True))
    await asyncio.sleep(0)
    second = asyncio.create_task(take("a", "a2"))
    async with asyncio.timeout(GUARD):  # neither waits for a held one
        await asyncio.gather(take("b", "b1"), take(None, "n2"))
    assert order == ["a1", "n1", "b1", "n2"] and len(turns) == 1
    gate.set()
    await asyncio.gather(first, unnamed, second)
    assert order == ["a1", "n1", "b1", "n2", "a2"]
    assert len(turns) == 0

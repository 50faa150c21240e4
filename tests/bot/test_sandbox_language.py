"""The sandbox's own lines (its banner, who you are playing, the list of ``/as``, the usage of
``/clock``) speak the language of the person played: Vietnamese by default, English once that person
chose it (``/lang en``, now or in an earlier run on the same store), or when the command runs in
English; back to Vietnamese with its diacritics on ``/lang vi``."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy.engine import Engine

from dondoc.bot.sandbox import ReadLine, Sandbox
from dondoc.bot.zalo.sandbox import ZaloSandbox
from dondoc.i18n import use_language
from dondoc.scheduler.clock import TZ, Clock

BANNER_VI = "Các vai đồng chí có thể đóng:"


def _typed(lines: list[str]) -> ReadLine:
    feed: Iterator[str] = iter(lines)

    async def read() -> str | None:
        return next(feed, None)

    return read


def _clock() -> Clock:
    return Clock(datetime(2022, 3, 15, 8, 30, tzinfo=TZ))


async def _played(engine: Engine, script: list[str], *, zalo: bool = False) -> str:
    out = io.StringIO()
    kind = ZaloSandbox if zalo else Sandbox
    await kind(engine, _clock(), out).run(_typed(script))
    return out.getvalue()


async def test_after_lang_en_the_sandboxs_own_lines_are_english(engine: Engine) -> None:
    text = await _played(engine, ["/as", "/lang en", "/as", "/clock 31/02/2022"])
    before, after = text.split("/lang", 1)[0], text.split("Whom you can play:", 1)
    # before the choice: Vietnamese, with its diacritics
    assert "Thời gian mô phỏng:" in before and "Đồng chí đang là: " in before
    assert BANNER_VI in text.split("Whom you can play:")[0]
    assert len(after) == 2, text  # the list of /as, in English once the person chose English
    listed = after[1]
    assert "focal point — " in listed and "← now" in listed
    assert "/as manager — the manager (of the coordinating unit)" in listed
    assert "Usage: /clock dd/mm/yyyy HH:MM — for example /clock 24/01/2022 08:00" in listed
    for vietnamese in ("Các vai", "đầu mối", "Cách dùng"):
        assert vietnamese not in listed


async def test_a_person_who_chose_english_earlier_starts_in_english(engine: Engine) -> None:
    await _played(engine, ["/lang en"])
    text = await _played(engine, ["/as"])
    assert text.startswith("dondoc sandbox — the bot as it runs on Telegram, here in the terminal.\n")
    assert "Simulated time: " in text and "You are now: focal point — " in text
    assert "Whom you can play:" in text
    assert "Thời gian mô phỏng" not in text and "Đồng chí đang là" not in text


async def test_back_to_vietnamese_and_a_new_person_speaks_the_commands_language(engine: Engine) -> None:
    text = await _played(engine, ["/lang en", "/clock 24/01/2022 08:00", "/lang vi", "/clock 25/01/2022 08:00"])
    clocks = [line.split("🕗 ", 1)[1] for line in text.splitlines() if "🕗 " in line]
    assert len(clocks) == 3, text
    assert clocks[0].startswith("Thời gian mô phỏng: ")  # the banner
    assert clocks[1].startswith("Simulated time: ")  # after /lang en
    assert clocks[2] == "Thời gian mô phỏng: 25/01/2022 08:00"  # after /lang vi, its diacritics kept
    text = await _played(engine, ["/lang en", "/as manager", "/as"])
    switched = re.findall(r"— (?:Đồng chí đang là|You are now): [^\n]*", text)
    # the manager, played for the first time, has chosen nothing: the command's language (Vietnamese)
    assert switched[-1].startswith("— Đồng chí đang là: ") and ", lãnh đạo — " in switched[-1]
    assert text.rstrip().split("\n")[-1].startswith("[manager]")
    assert BANNER_VI in text.rsplit("— Đồng chí đang là: ", 1)[1]


async def test_an_english_command_plays_english_speaking_people(engine: Engine) -> None:
    with use_language("en"):
        text = await _played(engine, ["/lang vi", "/as"])
    first, rest = text.split("Đồng chí", 1)[0], text
    assert "dondoc sandbox — the bot as it runs on Telegram" in first and "Simulated time: " in first
    assert BANNER_VI in rest and "đầu mối — " in rest  # the person chose Vietnamese: the list follows


async def test_the_zalo_sandbox_follows_the_person_too(engine: Engine) -> None:
    text = await _played(engine, ["/lang en", "/as", "/clock 31/02/2022"], zalo=True)
    assert "Thời gian mô phỏng:" in text.split("Whom you can play:")[0]
    listed = text.split("Whom you can play:", 1)[1]
    assert "focal point — " in listed and "Usage: /clock dd/mm/yyyy HH:MM" in listed
    text = await _played(engine, [], zalo=True)  # the next run: the person's choice is kept
    assert text.startswith("dondoc sandbox — the bot as Zalo users see it, here in the terminal.\n")

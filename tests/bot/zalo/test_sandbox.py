"""``dondoc sandbox --channel zalo``: what Zalo users see, typed through in the terminal."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.sandbox import ReadLine
from dondoc.bot.zalo.sandbox import ZaloSandbox
from dondoc.db.models import Report, Status
from dondoc.scheduler.clock import TZ, Clock


def _typed(lines: list[str]) -> ReadLine:
    feed: Iterator[str] = iter(lines)

    async def read() -> str | None:
        return next(feed, None)

    return read


async def test_the_zalo_sandbox_shows_plain_text_and_numbered_choices(engine: Engine) -> None:
    out = io.StringIO()
    clock = Clock(datetime(2022, 3, 15, 8, 30, tzinfo=TZ))
    script = [
        "/report I.2",
        "2",
        "60",
        "Đã ban hành Công văn số 45/UBND-NV",
        "1",
        "1",
        "/sticker",
        "/as manager",
        "/status",
    ]
    await ZaloSandbox(engine, clock, out).run(_typed(script))
    text = out.getvalue()
    assert "2. Đang thực hiện" in text and "[2]" not in text
    assert "Đã ghi nhận: I.2 — Đang thực hiện, 60%" in text
    assert "không đọc được nhãn dán" in text
    assert "<b>" not in text and "🔄 Đang thực hiện: 1" in text
    assert "\n! " not in text  # no request Zalo does not define
    with Session(engine) as session:
        report = session.exec(select(Report)).one()
    assert (report.status, report.percent) == (Status.IN_PROGRESS, 60)


async def test_the_zalo_sandbox_shows_a_digest_numbered_compactly(engine: Engine) -> None:
    out = io.StringIO()
    clock = Clock(datetime(2022, 3, 15, 8, 30, tzinfo=TZ))
    await ZaloSandbox(engine, clock, out).run(_typed(["/clock 24/01/2022 08:00", "2b"]))
    text = out.getvalue()
    assert "1. 📝 I.1" in text and "(ví dụ 1b): Nhắc lại sau" in text
    assert "Tôi sẽ nhắc lại nhiệm vụ I.8 (NV) vào lúc 08:00 ngày 25/01/2022" in text

"""Explanations on Zalo: no buttons, so the manager picks the overdue item by its number, and the focal
point picks the request by its number and answers in one message (``dondoc sandbox --channel zalo``)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.zalo.sandbox import ZaloSandbox
from dondoc.db.models import Explanation
from dondoc.scheduler.clock import TZ, Clock


def _number(text: str, label: str) -> str | None:
    """The number of the choice ``label`` in the newest list of numbered choices in ``text``."""
    found = re.findall(rf"(?m)^\s*(\d+)\. {re.escape(label)}\s*$", text)
    return found[-1] if found else None


async def test_a_manager_asks_and_a_focal_point_answers_by_numbers(engine: Engine) -> None:
    out = io.StringIO()
    marks: list[int] = []

    def since_last() -> str:
        """What the bot wrote after the line typed before."""
        return out.getvalue()[marks[-2] :] if len(marks) > 1 else out.getvalue()

    def script() -> Iterator[str]:
        yield "/clock 05/04/2022 09:00"
        yield "/as NV"  # Phòng Nội vụ's focal point joins
        yield "/as manager"
        yield "/overdue"
        for _page in range(20):
            number = _number(since_last(), "Yêu cầu giải trình: NV · I.2 (31/03)")
            if number is not None:
                yield number
                send = _number(since_last(), "Gửi")
                assert send is not None, since_last()  # confirmed before it goes to the unit
                yield send
                break
            following = _number(since_last(), "Trang sau »")
            assert following is not None, since_last()
            yield following
        yield "/as NV"
        yield "/giaitrinh"
        number = _number(since_last(), "Giải trình I.2")
        assert number is not None, since_last()
        yield number
        yield "Chờ ý kiến của Sở Nội vụ"

    steps = script()

    async def read() -> str | None:
        marks.append(len(out.getvalue()))
        return next(steps, None)

    await ZaloSandbox(engine, Clock(datetime(2022, 3, 15, 8, 30, tzinfo=TZ)), out).run(read)
    text = out.getvalue()
    assert "Đã gửi: yêu cầu số 1 đề nghị Phòng Nội vụ giải trình I.2 trước ngày 08/04/2022" in text, text[-3000:]
    assert "Yêu cầu giải trình số 1" in text  # what the focal point got
    assert "Đã ghi nhận nội dung giải trình về I.2" in text
    assert "<b>" not in text
    with Session(engine) as session:
        [row] = session.exec(select(Explanation)).all()
    assert row.answer == "Chờ ý kiến của Sở Nội vụ" and row.answered_at is not None

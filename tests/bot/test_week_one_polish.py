"""A clerk tries a code of the invite sheet in the sandbox: ``/as moi`` (English ``/as new``) plays a
new person nobody has bound yet, and the code they type binds them as that unit's focal point — not
the person played before. The banner and ``/as`` list it, in the played person's language; the
manager's /status names the sample plan as a sentence writes it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.bot.sandbox import ReadLine, Sandbox
from dondoc.bot.zalo.sandbox import ZaloSandbox
from dondoc.db.models import MemberRole, Membership, Person, Unit
from dondoc.handlers.onboarding import create_invite
from dondoc.i18n import use_language
from dondoc.scheduler.clock import TZ, Clock

START = datetime(2022, 3, 15, 8, 30, tzinfo=TZ)


def _typed(lines: list[str]) -> ReadLine:
    feed: Iterator[str] = iter(lines)

    async def read() -> str | None:
        return next(feed, None)

    return read


def _code(engine: Engine, unit_code: str) -> str:
    """A focal point's invite code for ``unit_code``, as ``dondoc invite create`` writes on the sheet."""
    with Session(engine) as session:
        unit = session.exec(select(Unit).where(Unit.code == unit_code)).one()
        code = create_invite(session, unit, MemberRole.FOCAL, START, timedelta(days=7)).code
        session.commit()
    return code


def _focal_points(engine: Engine, unit_code: str) -> list[str]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Person.full_name)
                .join(Membership, col(Membership.person_id) == Person.id)
                .join(Unit, col(Unit.id) == Membership.unit_id)
                .where(Unit.code == unit_code, Membership.role == MemberRole.FOCAL)
            )
        )


async def _played(engine: Engine, script: list[str], *, zalo: bool = False) -> str:
    out = io.StringIO()
    kind = ZaloSandbox if zalo else Sandbox
    await kind(engine, Clock(START), out).run(_typed(script))
    return out.getvalue()


async def test_as_moi_plays_a_new_person_whom_an_invite_code_binds(engine: Engine) -> None:
    code = _code(engine, "VHTT")
    text = await _played(engine, ["/as moi", code, "/as", "/whoami"])

    banner = text.split("🕗", 1)[0]
    assert "/as ĐƠN_VỊ · /as manager · /as moi · /clock" in banner
    assert "— Đồng chí đang là: Trần Văn Hùng, người mới, chưa gắn với đơn vị nào" in text
    assert "Đồng chí gõ mã mời của một đơn vị (trong bảng mã mời" in text
    assert "Đồng chí đã được ghi nhận là đầu mối của Phòng Văn hóa và Thông tin" in text
    listed = text.split("Các vai đồng chí có thể đóng:", 1)[1]
    assert "/as VHTT — đầu mối — Phòng Văn hóa và Thông tin ← đang đóng" in listed
    assert "/as NV — đầu mối — Phòng Nội vụ" in listed
    assert "/as moi — một người mới, chưa gắn với đơn vị nào" in listed
    # the code bound the new person, not the one played before (the coordinator's focal point)
    assert _focal_points(engine, "VHTT") == ["Trần Văn Hùng"]
    assert _focal_points(engine, "NV") == ["Nguyễn Thị Lan"]


async def test_as_new_in_english_and_back_to_the_new_person(engine: Engine) -> None:
    code = _code(engine, "TP")
    with use_language("en"):
        text = await _played(engine, ["/as new", "/as NV", "/as new1", code])

    assert "/as UNIT · /as manager · /as new · /clock" in text.split("🕗", 1)[0]
    assert "— You are now: Trần Văn Hùng, a new person, bound to no unit yet" in text
    assert text.count("You are now: a new person, bound to no unit yet") == 1  # /as new1: the same person
    assert "You are now registered as focal point of Phòng Tư pháp" in text
    assert _focal_points(engine, "TP") == ["Trần Văn Hùng"]


async def test_zalo_as_moi_binds_a_new_zalo_user(engine: Engine) -> None:
    code = _code(engine, "YT")
    text = await _played(engine, ["/as moi", code, "/as manager", "/status"], zalo=True)

    assert "/as ĐƠN_VỊ · /as manager · /as moi · /clock" in text.split("🕗", 1)[0]
    assert "— Đồng chí đang là: Trần Văn Hùng, người mới, chưa gắn với đơn vị nào" in text
    assert "đầu mối của Phòng Y tế" in text
    assert _focal_points(engine, "YT") == ["Trần Văn Hùng"]
    # the sample plan's title, written in capitals in its file, reads as a sentence
    assert "Nhiệm vụ cải cách hành chính năm 2022" in text and "NHIỆM VỤ CẢI CÁCH" not in text

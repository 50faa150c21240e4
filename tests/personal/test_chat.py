"""``/nhacviec`` in chat: the settings with what comes from the organisation, numbered choices on
Zalo, buttons elsewhere, one-line forms with or without diacritics, and the CLI and preview."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dondoc.bot.zalo.channel import render
from dondoc.db.models import MemberRole, ReminderSetting
from dondoc.i18n import use_language
from dondoc.scheduler.clock import TZ
from dondoc.scheduler.personal import read_time, read_weekday
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, invite_code, make_dispatcher

NOW = datetime(2022, 3, 16, 9, 0, tzinfo=TZ)


def _focal(engine: Engine, channel: str = "test", user: str = "700", unit: str = "NV") -> Chat:
    chat = Chat(make_dispatcher(engine, NOW), user, name="Nguyễn Đầu Mối", channel=channel)
    chat.send(f"/start {invite_code(engine, unit, now=NOW)}")
    assert "đã được ghi nhận" in chat.last, chat.last
    return chat


def _stored(engine: Engine) -> list[ReminderSetting]:
    with Session(engine) as session:
        return list(session.exec(select(ReminderSetting)).all())


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:00", time(14)),
        ("14h", time(14)),
        ("14h30", time(14, 30)),
        ("8.30", time(8, 30)),
        ("14 giờ 15", time(14, 15)),
    ],
)
def test_times_as_people_type_them(typed: str, expected: time) -> None:
    assert read_time(typed) == expected


@pytest.mark.parametrize("typed", ["", "chiều", "24:00", "14:75", "1400"])
def test_what_is_not_a_time(typed: str) -> None:
    assert read_time(typed) is None


@pytest.mark.parametrize(
    ("typed", "day"), [("thứ 2", 0), ("Thứ Hai", 0), ("T3", 1), ("thu tu", 2), ("friday", 4), ("thứ 6", 4)]
)
def test_weekdays_as_people_type_them(typed: str, day: int) -> None:
    assert read_weekday(typed) == day


def test_nhacviec_shows_the_organisations_defaults_and_the_choices(engine: Engine) -> None:
    focal = _focal(engine)
    focal.send("/nhacviec")
    text = focal.last
    assert "Giờ nhận nhắc: 08:00 các ngày làm việc (mặc định của cơ quan)" in text
    assert "hằng ngày" in text and "có nhận (mặc định của cơ quan)" in text
    assert "không tắt được" in text  # due-day reminders and escalations
    assert focal.buttons() == ["Giờ nhận nhắc", "Gom nhắc theo tuần", "Tắt nhắc định kỳ"]


def test_buttons_change_each_setting_with_a_confirmation(engine: Engine) -> None:
    focal = _focal(engine, channel="telegram")
    focal.send("/nhacviec")
    focal.press("Giờ nhận nhắc")
    assert "07:30" in focal.last and "17:00" in focal.last
    focal.press("13:30")
    assert "Đã lưu: nhắc việc sẽ đến lúc 13:30" in focal.last
    focal.send("/nhacviec")
    assert "Giờ nhận nhắc: 13:30 các ngày làm việc" in focal.last
    assert "13:30 các ngày làm việc (mặc định" not in focal.last
    focal.press("Gom nhắc theo tuần")
    focal.press("Thứ Tư")
    assert "một lần mỗi tuần vào Thứ Tư" in focal.last
    focal.send("/nhacviec")
    focal.press("Tắt nhắc định kỳ")
    assert "tắt nhắc báo cáo định kỳ" in focal.last
    [row] = _stored(engine)
    assert (row.send_time, row.frequency, row.digest_weekday, row.mute_checkins) == (time(13, 30), "weekly", 2, True)
    focal.send("/nhacviec")
    assert "Theo mặc định của cơ quan" in focal.buttons()
    focal.press("Theo mặc định của cơ quan")
    assert "trở lại theo cài đặt chung" in focal.last
    assert _stored(engine) == []


def test_zalo_numbered_choices_and_typed_answers(engine: Engine) -> None:
    focal = _focal(engine, channel="zalo", user="z-700")
    replies = focal.send("/nhacviec")
    shown = "\n".join(render(replies[-1]).parts)
    assert "1. Giờ nhận nhắc" in shown and "2. Gom nhắc theo tuần" in shown and "3. Tắt nhắc định kỳ" in shown
    assert all(len(part) <= 2000 for part in render(replies[-1]).parts)
    focal.send("1")
    assert "giờ:phút, ví dụ 14:30" in focal.last
    focal.send("18:30")  # outside office hours: refused, and the question stays
    assert "ngoài giờ hành chính" in focal.last and "07:30" in focal.last
    assert _stored(engine) == []
    focal.send("14h")
    assert "14:00" in focal.last and "Đã lưu" in focal.last
    focal.send("/nhacviec")
    focal.send("2")
    focal.send("5")  # Friday, the fifth choice
    assert "Thứ Sáu" in focal.last
    replies = focal.send("/nhacviec")  # weekly now: the choices say so, numbered anew
    shown = "\n".join(render(replies[-1]).parts)
    assert "2. Nhắc hằng ngày" in shown and "3. Đổi ngày nhận" in shown and "4. Tắt nhắc định kỳ" in shown
    focal.send("4")
    assert "Đã lưu: tắt nhắc báo cáo định kỳ" in focal.last
    [row] = _stored(engine)
    assert (row.send_time, row.frequency, row.digest_weekday, row.mute_checkins) == (time(14), "weekly", 4, True)


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [
        ("/nhacviec giờ 14:00", "send_time", time(14)),
        ("/nhacviec gio 9h30", "send_time", time(9, 30)),
        ("/nhacviec 15:00", "send_time", time(15)),
        ("/nhacviec tuần", "digest_weekday", 0),
        ("/nhacviec tuan thu 5", "digest_weekday", 3),
        ("/nhacviec tắt nhắc", "mute_checkins", True),
        ("/nhacviec tat nhac", "mute_checkins", True),
        ("/nhacviec bật nhắc", "mute_checkins", False),
        ("/nhacviec ngày", "frequency", "daily"),
        ("/nhacviec Ngay", "frequency", "daily"),
    ],
)
def test_one_line_forms_with_or_without_diacritics(engine: Engine, line: str, field: str, value: object) -> None:
    focal = _focal(engine)
    focal.send(line)
    assert "Đã lưu" in focal.last, focal.last
    [row] = _stored(engine)
    assert getattr(row, field) == value


def test_one_line_reset_and_refusals(engine: Engine) -> None:
    focal = _focal(engine)
    focal.send("/nhacviec gio 14:00")
    focal.send("/nhacviec mặc định")
    assert "trở lại theo cài đặt chung" in focal.last
    assert _stored(engine) == []
    focal.send("/nhacviec gio 6:00")
    assert "06:00 nằm ngoài giờ hành chính" in focal.last and "07:30" in focal.last and "17:00" in focal.last
    focal.send("/nhacviec tuan chu nhat")
    assert "thứ 2 đến thứ 6" in focal.last
    focal.send("/nhacviec <b>sớm</b>")
    assert "&lt;b&gt;" in focal.history[-1].text and "/nhacviec giờ 14:00" in focal.last
    assert _stored(engine) == []


def test_whoami_has_a_one_line_summary(engine: Engine) -> None:
    focal = _focal(engine)
    focal.send("/nhacviec tuan")
    focal.send("/whoami")
    assert "Nhắc việc: Giờ nhận nhắc: 08:00" in focal.last and "Thứ Hai" in focal.last


def test_a_unit_shared_with_a_deputy_says_so(engine: Engine) -> None:
    focal = _focal(engine)
    deputy = Chat(focal.dispatcher, "701", name="Lê Dự Phòng")
    deputy.send(f"/start {invite_code(engine, 'NV', MemberRole.DEPUTY, now=NOW)}")
    focal.send("/nhacviec")
    assert "đầu mối dự phòng khác" in focal.last


def test_the_cli_shows_and_changes_a_persons_settings(engine: Engine, sample_store: Dondoc) -> None:
    _focal(engine)
    shown = sample_store.ok("people", "settings", "Nguyễn Đầu Mối", "--json").json()
    assert shown["send_time"] is None and shown["effective"]["send_time"] == "08:00"
    changed = sample_store.ok(
        "people", "settings", "Nguyễn Đầu Mối", "--time", "14:30", "--weekly", "friday", "--mute-checkins", "--json"
    ).json()
    assert changed["send_time"] == "14:30" and changed["frequency"] == "weekly" and changed["digest_weekday"] == 4
    assert changed["mute_checkins"] is True and changed["office_hours"] == "07:30–17:00"
    text = sample_store.ok("people", "settings", "Nguyễn Đầu Mối", "--daily", "--no-mute-checkins").stdout
    assert "14:30" in text and "hằng ngày" in text
    refused = sample_store("people", "settings", "Nguyễn Đầu Mối", "--time", "17:30")
    assert refused.code == 1 and "17:30" in refused.stderr and "07:30" in refused.stderr
    assert sample_store("people", "settings", "Nguyễn Đầu Mối", "--weekly", "sunday").code == 1
    assert sample_store("people", "settings", "Nguyễn Đầu Mối", "--weekly", "monday", "--daily").code == 2
    reset = sample_store.ok("people", "settings", "Nguyễn Đầu Mối", "--reset", "--json").json()
    assert reset["send_time"] is None and reset["frequency"] is None and reset["mute_checkins"] is None
    assert _stored(engine) == []


def test_the_preview_reflects_a_persons_settings(engine: Engine, sample_store: Dondoc) -> None:
    _focal(engine)
    args = ("reminders", "preview", "--from", "2022-03-21", "--to", "2022-03-31", "--at", "2022-03-18T09:00", "--json")

    def nv_focal() -> list[tuple[str, list[str]]]:
        data = sample_store.ok(*args).json()
        entries = data["entries"] if isinstance(data, dict) else data
        return [
            (e["send_at"][:16], sorted({i["kind"] for i in e["items"]}))
            for e in entries
            if e["to"] == {"unit": "NV", "role": "focal"}
        ]

    before = nv_focal()
    assert ("2022-03-24T08:00", ["before"]) in before and ("2022-03-30T08:00", ["before"]) in before
    sample_store.ok("people", "settings", "Nguyễn Đầu Mối", "--time", "14:00", "--weekly", "monday")
    after = nv_focal()
    assert all(at.endswith("T14:00") for at, _kinds in after), after
    days = {at[:10] for at, kinds in after if "before" in kinds}
    assert days == {"2022-03-21", "2022-03-28"}, after
    assert any(at.startswith("2022-03-31") and "due" in kinds for at, kinds in after)


def test_english_speakers_see_english(engine: Engine) -> None:
    focal = _focal(engine)
    focal.send("/lang en")
    focal.send("/nhacviec")
    with use_language("en"):
        assert "Send time: 08:00 on working days (organisation's default)" in focal.last


def test_export_shows_the_settings_and_forget_erases_them(engine: Engine, sample_store: Dondoc) -> None:
    focal = _focal(engine)
    focal.send("/nhacviec gio 14:00")
    exported = sample_store.ok("people", "export", "Nguyễn Đầu Mối", "--json").json()
    assert [row["send_time"] for row in exported["reminder_settings"]] == ["14:00:00"]
    sample_store.ok("forget", "Nguyễn Đầu Mối", "--yes")
    assert _stored(engine) == []


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        ((time(14),), time(14)),  # one receiver: their time
        ((time(14), None), time(8)),  # another keeps the organisation's 08:00: nobody gets it later than asked
        ((time(7, 45), None), time(7, 45)),
        ((time(9), time(14)), time(9)),
        ((time(18),), time(8)),  # outside office hours (the calendar changed since): the policy's
    ],
)
def test_a_shared_unit_gets_the_earliest_time_its_receivers_asked_for(
    times: tuple[time | None, ...], expected: time
) -> None:
    from dondoc.plan.policy import Policy
    from dondoc.scheduler.calendar import WorkCalendar
    from dondoc.scheduler.personal import UnitPlan, personal_policy

    assert personal_policy(Policy(), UnitPlan(times, None, False), WorkCalendar()).send_time == expected

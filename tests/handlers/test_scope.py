"""Several organisations on one deployment: nobody crosses the line between them.

One store holds two organisations (the sample's Long Mỹ, "A", and a second registry imported with
``--new-organization``, "B", whose unit names end in ``[B]`` and which has a unit A lacks), each with
its own copy of the sample plan, focal points, managers and administrators, and a secret report in B.
Every chat command, button, invite, reminder and command-line view is tried from A's side (one test
per surface): nothing of B may be seen, changed or exported.
"""

from __future__ import annotations

import gc
import io
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.bot.app import reminder_service
from dondoc.db.models import (
    Absence,
    Assignment,
    Explanation,
    Invite,
    MemberRole,
    Membership,
    Organization,
    Person,
    Reminder,
    ReminderState,
    Report,
    Unit,
    ZaloBot,
)
from dondoc.db.session import open_store, session_scope
from dondoc.handlers.dispatcher import COMMANDS, Dispatcher
from dondoc.handlers.events import plain
from dondoc.handlers.onboarding import create_invite
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.clock import TZ, Clock
from tests.conftest import SAMPLE, Dondoc, create_database, disconnect, drop_database, sqlite_snapshot
from tests.handlers.helpers import Chat
from tests.scheduler.test_sweeper import Outbox

A = "Ủy ban nhân dân huyện Long Mỹ"
B = "Ủy ban nhân dân thị xã Ngã Bảy"
B_ONLY = "KT9"  # a unit code only B has
B_ONLY_NAME = "Phòng Kinh tế hạ tầng [B]"
MARK = "[B]"  # in every name of B's units
SECRET = "ghi chú mật của B"  # a note only B's focal point wrote
B_PERSON = "Phạm Bí Mật"
NOW = datetime(2022, 3, 15, 9, 0, tzinfo=TZ)


def b_registry(tmp_path: Path) -> Path:
    """The sample registry as another organisation's: same codes, names marked ``[B]`` (the old names
    kept as aliases so the sample appendix still reads), and one unit of its own."""
    data = yaml.safe_load((SAMPLE / "units.yaml").read_text(encoding="utf-8"))
    data["organization"] = B
    for unit in data["units"]:
        unit["aliases"] = [unit["name"], *unit.get("aliases", [])]
        unit["name"] = f"{unit['name']} {MARK}"
    data["units"].append({"code": B_ONLY, "name": B_ONLY_NAME})
    path = tmp_path / "b.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@dataclass
class World:
    dondoc: Dondoc
    engine: Engine
    dispatcher: Dispatcher
    admin_a: Chat
    manager_a: Chat
    focal_a: Chat
    admin_b: Chat
    manager_b: Chat
    focal_b: Chat

    def code(self, org: str, unit: str, role: MemberRole = MemberRole.FOCAL) -> str:
        return invite_in(self.engine, org, unit, role)


def invite_in(engine: Engine, org: str, unit_code: str, role: MemberRole = MemberRole.FOCAL) -> str:
    with session_scope(engine) as session:
        unit = session.exec(
            select(Unit)
            .join(Organization, col(Organization.id) == Unit.organization_id)
            .where(Organization.name == org, Unit.code == unit_code)
        ).one()
        return create_invite(session, unit, role, NOW, timedelta(days=7)).code


def bind(
    world_engine: Engine, dispatcher: Dispatcher, user: str, org: str, unit: str, role: MemberRole, name: str
) -> Chat:
    chat = Chat(dispatcher, user, name=name)
    chat.send(f"/start {invite_in(world_engine, org, unit, role)}")
    assert "đã được ghi nhận" in chat.last, chat.last
    return chat


PEOPLE = (  # who is bound in each world: attribute, chat id, organisation, unit, role, name
    ("admin_a", "100", A, "NV", MemberRole.ADMIN, "Trần Quản Trị A"),
    ("manager_a", "101", A, "NV", MemberRole.MANAGER, "Lê Lãnh Đạo A"),
    ("focal_a", "102", A, "XP", MemberRole.FOCAL, "Nguyễn Đầu Mối A"),
    ("admin_b", "200", B, "NV", MemberRole.ADMIN, "Võ Quản Trị B"),
    ("manager_b", "201", B, "NV", MemberRole.MANAGER, "Đỗ Lãnh Đạo B"),
    ("focal_b", "202", B, "XP", MemberRole.FOCAL, B_PERSON),
)
_SQLITE_WORLD: list[Path] = []  # the first SQLite world built, kept to copy for the next tests


def _dispatcher(engine: Engine) -> Dispatcher:
    from dondoc.handlers.context import Deployment

    return Dispatcher(engine, Clock(NOW, frozen=True), Deployment(bot_username="dondoc_test_bot"))


def _build_world(sample_store: Dondoc, tmp_path: Path) -> tuple[Engine, dict[str, Chat]]:
    sample_store.ok("units", "import", b_registry(tmp_path), "--new-organization")
    sample_store.ok("plan", "import", SAMPLE / "phu-luc-cchc-2022.xlsx", "--org", B)
    for org in (A, B):
        sample_store.ok("targets", "import", SAMPLE / "targets.yaml", "--org", org)
    engine = open_store(sample_store.url)
    dispatcher = _dispatcher(engine)
    chats = {key: bind(engine, dispatcher, user, org, unit, role, name) for key, user, org, unit, role, name in PEOPLE}
    focal_b = chats["focal_b"]
    focal_b.send(f"I.2 xong {SECRET}")
    assert "Đã ghi nhận" in focal_b.last or "I.2" in focal_b.last, focal_b.last
    focal_b.send("HS Q1 120/125")  # a figure of B's Xà Phiên for the target T2
    assert "96" in focal_b.last, focal_b.last
    return engine, chats


@pytest.fixture(scope="module")
def postgres_worlds() -> Iterator[list[str]]:
    """The PostgreSQL template holding the first world built (a name, once built), dropped at the end."""
    names: list[str] = []
    yield names
    for name in names:
        drop_database(name)


def _copy_postgres(url: str, template: str) -> None:
    """Replace the database at ``url`` with a copy of ``template`` (nobody may be connected to either)."""
    name = url.rsplit("/", 1)[1]
    drop_database(name)
    create_database(name, template)


def _save_postgres_template(url: str, names: list[str]) -> None:
    gc.collect()  # the command line leaves its engines to the garbage collector
    name = url.rsplit("/", 1)[1]
    template = f"{name}_world"
    disconnect(name)  # a template must have no other session
    create_database(template, name)
    names.append(template)


@pytest.fixture
def world(
    sample_store: Dondoc,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_worlds: list[str],
) -> Iterator[World]:
    """The two organisations, built once per database kind and copied for each test."""
    path = Path(sample_store.url.removeprefix("sqlite:///")) if sample_store.url.startswith("sqlite:///") else None
    if path is not None and _SQLITE_WORLD:
        shutil.copyfile(_SQLITE_WORLD[0], path)
    elif path is None and postgres_worlds:
        _copy_postgres(sample_store.url, postgres_worlds[0])
    else:
        engine, _chats = _build_world(sample_store, tmp_path)
        engine.dispose()
        if path is not None:
            snapshot = sqlite_snapshot(path)
            kept = tmp_path_factory.mktemp("scope-world") / "world.db"
            shutil.move(snapshot, kept)
            _SQLITE_WORLD.append(kept)
        else:
            _save_postgres_template(sample_store.url, postgres_worlds)
    engine = open_store(sample_store.url)
    dispatcher = _dispatcher(engine)
    chats = {key: Chat(dispatcher, user, name=name) for key, user, _org, _unit, _role, name in PEOPLE}
    yield World(sample_store, engine, chats["admin_a"].dispatcher, **chats)
    engine.dispose()


def no_b(text: str, typed: tuple[str, ...] = ()) -> None:
    """Nothing of B in ``text``: no unit name of B, no unit of its own, no person, no note (beyond the
    echo of what was ``typed``: "No unit called …")."""
    for echo in (B_ONLY_NAME, "Phòng Nội vụ [B]", B_PERSON):
        if any(echo in line for line in typed):
            text = text.replace(echo, "")
    for mark in (MARK, B_ONLY_NAME, B_PERSON, SECRET, "Võ Quản Trị B", "Đỗ Lãnh Đạo B", B):
        assert mark not in text, f"{mark!r} leaked into: {text[:600]}"


def b_reports(engine: Engine) -> int:
    with Session(engine) as session:
        return len(
            session.exec(
                select(Report.id)
                .join(Assignment, col(Assignment.id) == Report.assignment_id)
                .join(Unit, col(Unit.id) == Assignment.unit_id)
                .join(Organization, col(Organization.id) == Unit.organization_id)
                .where(Organization.name == B)
            ).all()
        )


# ---------------------------------------------------------------------- every chat command


def _all_texts(chat: Chat, since: int) -> str:
    return "\n".join(r.text + (r.file.caption if r.file else "") for r in chat.history[since:])


def _send_as(chat: Chat, *lines: str) -> str:
    since = len(chat.history)
    for line in lines:
        chat.send(line)
    return _all_texts(chat, since)


# What each command is tried with, from A's side: (who, what they type).
SURFACES: dict[str, tuple[str, tuple[str, ...]]] = {
    "tasks": ("focal_a", ("/tasks",)),
    "report": ("focal_a", ("/report", "/report I.2", "/cancel")),
    "history": ("manager_a", ("/history I.2",)),
    "history-focal": ("focal_a", ("/history I.2",)),
    "status": ("manager_a", ("/status",)),
    "status-unit": ("manager_a", (f"/status {B_ONLY}", f"/status {B_ONLY_NAME}", "/status Phòng Nội vụ [B]")),
    "overdue": ("manager_a", ("/overdue", "2", "1")),
    "task": ("manager_a", ("/task I.2",)),
    "nonresponders": ("manager_a", ("/nonresponders", "2")),
    "export": ("manager_a", ("/export",)),
    "chart": ("manager_a", ("/chart",)),
    "ranking": ("manager_a", ("/ranking", "1", "1", "/ranking q1 worst", f"/ranking {B_ONLY}")),
    "invite": ("admin_a", (f"/invite {B_ONLY} focal", f"/invite {B_ONLY_NAME} manager")),
    "people": ("admin_a", ("/people", f"/people {B_ONLY}", "/people", "Xóa người", B_PERSON, "/cancel")),
    "whoami": ("manager_a", ("/whoami",)),
    "link": ("focal_a", ("/link",)),
    "lang": ("manager_a", ("/lang vi",)),
    "cancel": ("manager_a", ("/cancel",)),
    "help": ("admin_a", ("/help",)),
    "figures": ("focal_a", ("/figures", "1", "/cancel")),
    "targets": ("manager_a", ("/targets", "/targets T2", "/targets HS")),
    "oneline": ("focal_a", (f"{B_ONLY}.1 xong", "I.2 60 A làm", "hủy")),
    "giahan": ("focal_a", ("/giahan I.2 30/06 chờ Sở", f"/giahan {B_ONLY}.1 30/06 x")),
    "giaoviec": ("manager_a", (f"/giaoviec {B_ONLY} Báo cáo hạn 30/06", "/giaoviec XP Báo cáo A hạn 30/06")),
    "giahan-answer": ("manager_a", ("/giahan 1 đồng ý", "/giahan 2 không đồng ý x")),
    "giahan-list": ("manager_a", ("/giahan",)),
    "giaitrinh": ("manager_a", (f"/giaitrinh {B_ONLY} I.1", f"/giaitrinh {B_ONLY_NAME} I.1", "/giaitrinh XP I.2")),
    "giaitrinh-list": ("manager_a", ("/giaitrinh",)),
    "giaitrinh-focal": ("focal_a", ("/giaitrinh", "/giaitrinh I.2 lý do của A", "/giaitrinh I.2")),
    "vangmat": ("admin_a", (f"/vangmat {B_PERSON} 16/03 18/03", "/vangmat Phạm 16/03", "/vangmat", "/vangmat hủy 1")),
    "vangmat-manager": ("manager_a", (f"/vangmat {B_PERSON} 16/03", "/vangmat 16/03 18/03", "/vangmat")),
    "nhacviec": ("focal_a", ("/nhacviec", "1", "14:00", "/nhacviec tuan", "/nhacviec tat nhac", "/whoami")),
    "nhacviec-manager": ("manager_a", ("/nhacviec", "/nhacviec gio 9:00", "/nhacviec mac dinh")),
}


def test_every_command_of_the_dispatcher_is_tried() -> None:
    tried = {name.split("-")[0] for name in SURFACES}
    assert {c.name for c in COMMANDS} <= tried


@pytest.mark.parametrize("surface", sorted(SURFACES))
def test_a_chat_command_never_shows_or_changes_another_organisation(world: World, surface: str) -> None:
    who, lines = SURFACES[surface]
    chat: Chat = getattr(world, who)
    before = b_reports(world.engine)
    since = len(chat.history)
    text = _send_as(chat, *lines)
    no_b(text, lines)
    for reply in chat.history[since:]:
        for row in reply.choices:
            for choice in row:
                no_b(choice.label)
        if reply.file is not None and reply.file.file_name.endswith(".xlsx"):
            book = load_workbook(io.BytesIO(reply.file.data), read_only=True)
            cells = " ".join(
                str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v
            )
            no_b(cells)
            assert "Xà Phiên" in cells  # A's own units are there
    assert b_reports(world.engine) == before


def test_status_counts_only_the_organisations_own_items(world: World) -> None:
    world.manager_a.send("/status")
    a = world.manager_a.last
    world.manager_b.send("/status")
    b = world.manager_b.last
    assert "Hoàn thành đúng hạn: 1" in b  # B's focal point reported I.2 done
    assert "Hoàn thành đúng hạn: 0" in a


def test_a_one_line_report_from_a_is_recorded_for_a_only(world: World) -> None:
    before = b_reports(world.engine)
    world.focal_a.send("I.2 60")
    assert b_reports(world.engine) == before
    world.manager_b.send("/task I.2")
    assert "60%" not in world.manager_b.last.split("\n")[0]


# ---------------------------------------------------------------------- buttons


def test_a_reminder_button_of_b_pressed_from_a_is_refused(world: World) -> None:
    with Session(world.engine) as session:
        reminder_id = session.exec(
            select(Reminder.id)
            .join(Assignment, col(Assignment.id) == Reminder.assignment_id)
            .join(Unit, col(Unit.id) == Assignment.unit_id)
            .join(Organization, col(Organization.id) == Unit.organization_id)
            .where(Organization.name == B, Unit.code == "XP")
        ).first()
    assert reminder_id is not None
    for action in "rsd":
        replies = world.focal_a.press_data(f"R{reminder_id}:{action}")
        assert "không còn hiệu lực" in plain(replies[-1].text), replies[-1].text
    with Session(world.engine) as session:
        assert session.get(Reminder, reminder_id) is not None
        snoozes = session.exec(select(Reminder).where(Reminder.kind == "snooze")).all()
        assert snoozes == []


def test_a_conversation_button_of_b_pressed_from_a_shows_only_a(world: World) -> None:
    world.focal_b.send("/tasks")
    data = [c.data for r in world.focal_b.history[-1:] for row in r.choices for c in row]
    assert data  # "next page"
    world.focal_a.send("/tasks")
    replies = world.focal_a.press_data(data[0])
    no_b("\n".join(r.text for r in replies))


# ---------------------------------------------------------------------- invites


def test_a_code_of_a_joins_a_and_only_a(world: World) -> None:
    stranger = Chat(world.dispatcher, "300", name="Người Mới")
    stranger.send(f"/start {world.code(A, 'XP')}")
    assert "Xà Phiên" in stranger.last
    no_b(stranger.last)
    no_b(_send_as(stranger, "/tasks", "/whoami"))


def test_a_focal_point_of_b_invited_as_manager_of_a_sees_a_not_b(world: World) -> None:
    """Redeeming another organisation's code is allowed (a code is what makes someone a member), but
    it gives powers in that organisation only: the manager role of A does not open B's /status to B's
    focal point."""
    focal_b = world.focal_b
    focal_b.send(f"/start {world.code(A, 'NV', MemberRole.MANAGER)}")
    assert "lãnh đạo" in focal_b.last
    text = _send_as(focal_b, "/status", "/overdue", "/task I.2", "/export", "/nonresponders")
    own = f"Ủy ban nhân dân xã Xà Phiên {MARK}"  # their own unit's report, in /history (after /task)
    for mark in (MARK, B_ONLY_NAME):
        assert mark not in text.replace(SECRET, "").replace(own, ""), text[:800]
    world.focal_b.send("/status")
    assert "Hoàn thành đúng hạn: 0" in world.focal_b.last  # A's status, not B's


def test_an_administrator_of_a_sees_and_removes_only_the_a_roles_of_someone_also_in_b(world: World) -> None:
    focal_b = world.focal_b
    focal_b.send(f"/start {world.code(A, 'NV', MemberRole.MANAGER)}")
    world.admin_a.send("/people")
    assert B_PERSON in world.admin_a.last
    assert MARK not in world.admin_a.last  # B's roles are B's business
    world.admin_a.send("Xóa người")
    world.admin_a.send(B_PERSON)
    world.admin_a.send("Xác nhận")
    assert "Đã xóa" in world.admin_a.last, world.admin_a.last
    focal_b.send("/tasks")
    assert "Nhiệm vụ của đơn vị" in focal_b.last  # still B's focal point
    with Session(world.engine) as session:
        person = session.exec(select(Person).where(Person.full_name == B_PERSON)).one()
        roles = session.exec(select(Membership).where(Membership.person_id == person.id)).all()
        assert [m.role for m in roles] == [MemberRole.FOCAL]


def test_the_command_line_removes_only_the_roles_of_the_org_it_names(world: World) -> None:
    world.focal_b.send(f"/start {world.code(A, 'NV', MemberRole.MANAGER)}")
    listed = world.dondoc.ok("people", "list", "--org", A, "--json").stdout
    assert B_PERSON in listed and MARK not in listed
    world.dondoc.ok("people", "remove", B_PERSON, "--org", A)
    world.focal_b.send("/tasks")
    assert "Nhiệm vụ của đơn vị" in world.focal_b.last
    world.focal_b.send("/status")
    assert "không dùng được lệnh /status" in world.focal_b.last


def test_a_focal_point_of_a_made_administrator_of_b_administers_b_not_a(world: World) -> None:
    """Someone of A who is also an administrator of B invites and lists people in B only: being A's
    focal point gives no administrator's power in A."""
    focal_a = world.focal_a
    focal_a.send(f"/start {world.code(B, 'NV', MemberRole.ADMIN)}")
    focal_a.send("/invite XP manager")
    assert MARK in focal_a.history[-1].text, focal_a.last  # B's Xà Phiên
    with Session(world.engine) as session:
        maker = _person_id(session, "Nguyễn Đầu Mối A")
        made = session.exec(select(Invite).where(Invite.created_by_person_id == maker)).all()
        orgs = {session.get(Unit, i.unit_id).organization_id for i in made if i.link_person_id is None}  # type: ignore[union-attr]
        b_id = session.exec(select(Organization.id).where(Organization.name == B)).one()
        assert orgs == {b_id}
    focal_a.send("/people")
    assert B_PERSON in focal_a.last and "Lê Lãnh Đạo A" not in focal_a.last
    focal_a.send("/cancel")
    focal_a.send("/history I.2")
    assert SECRET in focal_a.last  # B's reports, as B's administrator
    focal_a.send("/status")
    assert "Hoàn thành đúng hạn: 1" in focal_a.last  # B's status


def test_a_manager_of_b_invited_as_focal_of_a_gets_no_b_powers_in_a(world: World) -> None:
    manager_b = world.manager_b
    manager_b.send(f"/start {world.code(A, 'XP')}")
    text = _send_as(manager_b, "/whoami", "/status")
    assert "Ủy ban nhân dân xã Xà Phiên</b> (XP)" in text
    # B's status is still B's (they manage B); A's units are not in it.
    assert "Hoàn thành đúng hạn: 1" in manager_b.last


def test_a_link_code_of_a_sent_from_a_chat_of_b_is_refused(world: World) -> None:
    world.focal_a.send("/link")
    code = next(line for line in world.focal_a.history[-1].text.split("\n") if line.startswith("<code>"))[6:-7]
    world.focal_b.send(f"/link {code}")
    assert "chưa đăng ký" in world.focal_b.last, world.focal_b.last
    world.focal_b.send("/whoami")
    assert "Xà Phiên [B]" in world.focal_b.last
    world.focal_a.send("/whoami")
    no_b(world.focal_a.last)


def test_an_admin_of_a_cannot_invite_into_b(world: World) -> None:
    for typed in (B_ONLY, B_ONLY_NAME, "Phòng Nội vụ [B]"):
        world.admin_a.send(f"/invite {typed} admin")
        assert "Không có cơ quan, đơn vị nào tên" in world.admin_a.last, world.admin_a.last
    with Session(world.engine) as session:
        b_units = (
            select(Unit.id)
            .join(Organization, col(Organization.id) == Unit.organization_id)
            .where(Organization.name == B)
        )
        made = session.exec(
            select(Invite).where(col(Invite.unit_id).in_(b_units), col(Invite.created_by_person_id).is_not(None))
        ).all()
        assert all(i.created_by_person_id != _person_id(session, "Trần Quản Trị A") for i in made)


def test_an_absence_of_b_is_neither_seen_nor_cancelled_from_a(world: World) -> None:
    for chat in (world.admin_a, world.manager_a):
        chat.send(f"/vangmat {B_PERSON} 16/03 18/03")
        assert "Không có ai tên" in chat.last, chat.last
    with Session(world.engine) as session:
        assert session.exec(select(Absence)).all() == []
    world.focal_b.send("/vangmat 16/03 18/03 nghỉ phép")
    assert "Đã ghi nhận" in world.focal_b.last, world.focal_b.last
    with Session(world.engine) as session:
        [absence] = session.exec(select(Absence)).all()
    for chat in (world.admin_a, world.manager_a, world.focal_a):
        chat.send("/vangmat")
        no_b(chat.last)
        chat.send(f"/vangmat hủy {absence.id}")
        assert "Không có lần vắng mặt số" in chat.last, chat.last
    with Session(world.engine) as session:
        assert session.exec(select(Absence)).one().cancelled_at is None
    listed = world.dondoc.ok("absence", "list", "--org", A, "--json").json()
    assert listed == []
    assert world.dondoc("absence", "cancel", str(absence.id), "--org", A).code != 0
    assert len(world.dondoc.ok("absence", "list", "--org", B, "--json").json()) == 1


def _person_id(session: Session, name: str) -> int | None:
    person = session.exec(select(Person).where(Person.full_name == name)).first()
    return person.id if person else None


# ---------------------------------------------------------------------- reminders and alerts


async def test_reminder_digests_and_manager_alerts_never_mix(world: World) -> None:
    outbox = Outbox()
    clock = Clock(datetime(2022, 3, 14, 7, 0, tzinfo=TZ), frozen=True)  # a Monday: the weekly digest too
    service = reminder_service(world.engine, clock, WorkCalendar(), {"test": outbox.send})
    service.schedule()
    clock.set(datetime(2022, 3, 14, 8, 0, tzinfo=TZ))
    await service.tick()
    a_chats = {"100", "101", "102"}
    sent_to_a = [reply.text for to, reply in outbox.sent if to in a_chats]
    assert any("Tổng hợp tuần" in t for t in sent_to_a)  # the managers' weekly digest went out
    assert any(t for to, r in outbox.sent if to == "201" for t in [r.text])  # and B's
    for text in sent_to_a:
        no_b(text)
    for to, reply in outbox.sent:
        if to in {"200", "201", "202"}:
            assert "Xà Phiên" not in reply.text or MARK in reply.text


async def test_a_pass_composing_one_organisation_at_a_time_sends_each_person_their_own_digest_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dondoc.scheduler import sweeper as sweeper_module
    from dondoc.scheduler.outbox import DueItem
    from dondoc.scheduler.sweeper import Composed, SweepResult

    monkeypatch.setattr(sweeper_module, "COMPOSE_LINES", 1)  # each organisation a group of its own
    outbox = Outbox()
    clock = Clock(datetime(2022, 3, 31, 7, 0, tzinfo=TZ), frozen=True)
    service = reminder_service(world.engine, clock, WorkCalendar(), {"test": outbox.send})
    compose, groups = service.sweeper._compose, []

    def counted(now: datetime, ids: list[int], lines: list[DueItem], result: SweepResult) -> Composed:
        groups.append({line.organization_id for line in lines})
        return compose(now, ids, lines, result)

    service.sweeper._compose = counted  # type: ignore[method-assign]
    service.schedule()
    clock.set(datetime(2022, 3, 31, 8, 0, tzinfo=TZ))
    result = await service.sweeper.sweep()

    assert len(groups) == 2 and all(len(group) == 1 for group in groups) and groups[0] != groups[1]
    receivers = [to for to, _reply in outbox.sent]
    assert {"102", "202"} <= set(receivers)  # both organisations' focal points were reminded
    assert len(receivers) == len(set(receivers)) == result.messages  # one digest each
    for to, reply in outbox.sent:
        if to in {"100", "101", "102"}:
            no_b(reply.text)
    with Session(world.engine) as session:
        pending = session.exec(
            select(Reminder.id).where(Reminder.state == ReminderState.PENDING, col(Reminder.send_at) <= clock.now())
        ).all()
    assert pending == []


async def test_a_zalo_bot_of_b_near_its_budget_is_told_to_bs_administrators_only(world: World) -> None:
    from dondoc.db.usage import count_messages

    with session_scope(world.engine) as session:
        b_id = session.exec(select(Organization.id).where(Organization.name == B)).one()
        assert b_id is not None
        session.add(ZaloBot(organization_id=b_id, name="ngabay1", display_name="Bot Ngã Bảy", token_env="ZALO_NB1"))
    count_messages(world.engine, "zalo:ngabay1", "out", NOW, n=9)
    outbox = Outbox()
    service = reminder_service(
        world.engine, Clock(NOW, frozen=True), WorkCalendar(), {"test": outbox.send}, {"zalo": 10}
    )
    await service.tick()
    told = {to for to, reply in outbox.sent if "zalo:ngabay1" in reply.text}
    assert told == {"200"}  # B's administrator, not A's


async def test_a_manager_of_two_organisations_gets_each_ones_weekly_digest_apart(world: World) -> None:
    world.manager_b.send(f"/start {world.code(A, 'XP', MemberRole.MANAGER)}")
    outbox = Outbox()
    clock = Clock(datetime(2022, 3, 14, 7, 0, tzinfo=TZ), frozen=True)
    service = reminder_service(world.engine, clock, WorkCalendar(), {"test": outbox.send})
    service.schedule()
    clock.set(datetime(2022, 3, 14, 8, 0, tzinfo=TZ))
    await service.tick()
    weekly = [reply.text for to, reply in outbox.sent if to == "201" and "Tổng hợp tuần" in reply.text]
    assert len(weekly) == 2
    assert sum(MARK in text for text in weekly) == 1  # B's, and A's without anything of B


# ---------------------------------------------------------------------- the command line


CLI: dict[str, Callable[[World, Path], str]] = {
    "status": lambda w, p: w.dondoc.ok("status", "--org", A).stdout,
    "status-json": lambda w, p: w.dondoc.ok("status", "--org", A, "--json").stdout,
    "status-unit": lambda w, p: w.dondoc("status", "--org", A, "--unit", B_ONLY).stderr,
    "units": lambda w, p: w.dondoc.ok("units", "list", "--org", A).stdout,
    "plan-show": lambda w, p: w.dondoc.ok("plan", "show", "--org", A).stdout,
    "plan-export": lambda w, p: w.dondoc.ok("plan", "export", "--format", "json", "--org", A).stdout,
    "people": lambda w, p: w.dondoc.ok("people", "list", "--org", A, "--json").stdout,
    "people-export": lambda w, p: w.dondoc("people", "export", B_PERSON, "--org", A).stdout,
    "people-remove": lambda w, p: w.dondoc("people", "remove", B_PERSON, "--org", A).stdout,
    "forget": lambda w, p: w.dondoc("forget", B_PERSON, "--yes", "--org", A).stdout,
    "invite": lambda w, p: w.dondoc("invite", B_ONLY, "--org", A, "--role", "admin").stdout,
    "invite-list": lambda w, p: w.dondoc.ok("invite", "list", "--org", A, "--json").stdout,
    "report-add": lambda w, p: (
        w.dondoc("report", "add", "--org", A, "--task", "I.1", "--unit", B_ONLY, "--status", "done").stdout
    ),
    "export": lambda w, p: _xlsx(w.dondoc.ok("export", "--org", A, "-o", p / "a.xlsx"), p / "a.xlsx"),
    "invite-revoke": lambda w, p: _revoke_b_invite(w),
    "chart": lambda w, p: w.dondoc.ok("chart", "--org", A, "-o", p / "a.png").stderr,
    "report-draft": lambda w, p: _docx(
        w.dondoc.ok("report", "draft", "--org", A, "--period", "q1", "-o", p / "a.docx"), p / "a.docx"
    ),
    "reminders": lambda w, p: (
        w.dondoc.ok("reminders", "preview", "--org", A, "--from", "2022-03-01", "--to", "2022-03-31", "--json").stdout
    ),
}


def _revoke_b_invite(world: World) -> str:
    code = world.code(B, "XP")
    result = world.dondoc("invite", "revoke", code, "--org", A)
    assert result.code != 0
    with Session(world.engine) as session:
        from dondoc.handlers.onboarding import hash_code

        assert session.exec(select(Invite).where(Invite.code_hash == hash_code(code))).one().revoked_at is None
    return result.stdout + result.stderr


def _docx(_result: object, path: Path) -> str:
    from docx import Document

    document = Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _xlsx(_result: object, path: Path) -> str:
    book = load_workbook(path, read_only=True)
    return " ".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v)


@pytest.mark.parametrize("surface", sorted(CLI))
def test_a_command_with_org_never_shows_or_changes_another_organisation(
    world: World, surface: str, tmp_path: Path
) -> None:
    before = b_reports(world.engine)
    with Session(world.engine) as session:
        b_people = len(session.exec(select(Membership)).all())
    text = CLI[surface](world, tmp_path)
    no_b(text)
    assert b_reports(world.engine) == before
    with Session(world.engine) as session:
        assert len(session.exec(select(Membership)).all()) == b_people
        assert session.exec(select(Person).where(Person.full_name == B_PERSON)).first() is not None


def test_an_explanation_asked_in_b_is_out_of_a_s_reach(world: World) -> None:
    """A request asked of B's Xà Phiên: A's focal point cannot answer it (button, typed line, reminder
    button), A's manager does not see it; its reminder's buttons pressed from A are refused."""
    from dondoc.plan import explanations
    from dondoc.scheduler.schedule import replan

    with session_scope(world.engine) as session:
        assignment = session.exec(
            select(Assignment)
            .join(Unit, col(Unit.id) == Assignment.unit_id)
            .join(Organization, col(Organization.id) == Unit.organization_id)
            .where(Organization.name == B, Unit.code == "XP")
        ).first()
        assert assignment is not None and assignment.id is not None
        row = explanations.request(
            session, assignment, due=NOW.date(), answer_due=NOW.date() + timedelta(days=3), at=NOW, person_id=None
        )
        number = row.id
        replan(session, WorkCalendar(), NOW, assignment_ids=[assignment.id])
        reminder_id = session.exec(
            select(Reminder.id).where(Reminder.assignment_id == assignment.id, Reminder.kind == "explanation")
        ).first()
    assert reminder_id is not None
    replies = world.focal_a.press_data(f"E{number}:a")
    assert "không còn hiệu lực" in plain(replies[-1].text), replies[-1].text
    for action in "eyn":
        replies = world.focal_a.press_data(f"R{reminder_id}:{action}")
        no_b("\n".join(r.text for r in replies))
        assert "không còn hiệu lực" in plain(replies[-1].text), replies[-1].text
        replies = world.manager_a.press_data(f"R{reminder_id}:{action}")
        no_b("\n".join(r.text for r in replies))
    text = _send_as(world.focal_a, "/giaitrinh", "/giaitrinh I.2 trả lời hộ B")
    no_b(text)
    no_b(_send_as(world.manager_a, "/giaitrinh"))
    world.manager_b.send("/giaitrinh")
    assert "Xà Phiên" in world.manager_b.last  # B's own manager sees it
    with Session(world.engine) as session:
        stored = session.exec(select(Explanation).where(Explanation.id == number)).one()
    assert stored.answered_at is None and stored.answer == ""

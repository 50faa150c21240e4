"""Requests for more time never cross organisations: A's managers neither get nor answer B's."""

from __future__ import annotations

from sqlmodel import Session, col, select

from dondoc.db.models import Assignment, DeadlineKind, Extension, Organization, Role, Task, Unit
from dondoc.handlers.events import plain
from tests.handlers.test_scope import B_PERSON, A, B, World, postgres_worlds, world

__all__ = ["postgres_worlds", "world"]


def b_open_task(w: World) -> str:
    """A task B's Xà Phiên leads with a due date and has not reported on."""
    with Session(w.engine) as session:
        codes = session.exec(
            select(Task.code)
            .join(Assignment, col(Assignment.task_id) == Task.id)
            .join(Unit, col(Unit.id) == Assignment.unit_id)
            .join(Organization, col(Organization.id) == Unit.organization_id)
            .where(
                Organization.name == B,
                Unit.code == "XP",
                Assignment.role == Role.LEAD,
                col(Task.deadline_kind).in_([DeadlineKind.FIXED, DeadlineKind.RECURRING]),
                Task.code != "I.2",
            )
        ).all()
    return codes[0]


def test_a_request_of_b_reaches_b_only_and_a_cannot_answer_it(world: World) -> None:
    code = b_open_task(world)
    replies = world.focal_b.send(f"/giahan {code} 30/12 chờ Sở")
    assert "đã được gửi" in plain(replies[-1].text), plain(replies[-1].text)
    addressed = {r.to.chat_id for r in replies if r.to is not None}
    assert "201" in addressed and not addressed & {"100", "101", "102"}
    button = next(r for r in replies if r.to is not None and r.choices).choices[0][0].data
    with Session(world.engine) as session:
        number = session.exec(select(Extension.id)).one()
    world.manager_a.press_data(button)
    world.manager_a.send(f"/giahan {number} đồng ý")
    world.admin_a.send(f"/giahan {number} đồng ý")
    assert "Không có đề nghị" in world.admin_a.last
    with Session(world.engine) as session:
        assert session.exec(select(Extension.state)).one() == "pending"
    assert world.dondoc.ok("extension", "list", "--org", A, "--json").json() == []
    [entry] = world.dondoc.ok("extension", "list", "--org", B, "--json").json()
    assert entry["task"] == code and entry["requested_by"] == B_PERSON

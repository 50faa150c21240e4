"""Model instances built from Core rows (``dondoc.db.rows``): they read as the ORM's would, and what
an event changes in them is written only through ``keep_changes``, without clashing with a copy the
session loaded meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dondoc.db.models import Organization, Person, Unit
from dondoc.db.rows import RowEntities, keep_changes
from dondoc.db.session import open_store

CREATED = datetime(2022, 3, 1, 8, 0, tzinfo=UTC)
ENTITIES = RowEntities(Person, Unit)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_store(db_url)
    with Session(engine) as session:
        org = Organization(name="UBND xã Thuận Hòa")
        session.add(org)
        session.flush()
        assert org.id is not None
        session.add_all(
            [
                Person(organization_id=org.id, full_name="Nguyễn Văn A", created_at=CREATED),
                Unit(organization_id=org.id, code="VP", name="Văn phòng", aliases=["VP HĐND-UBND"]),
            ]
        )
        session.commit()
    yield engine
    engine.dispose()


def _loaded(session: Session) -> list[Person | Unit | None]:
    """The person and the unit (and a unit that is not there) as ``Context.load`` builds them."""
    person, unit = Person.__table__, Unit.__table__  # type: ignore[attr-defined]
    query = (
        select(*ENTITIES.columns)
        .select_from(person.outerjoin(unit, unit.c.code == "VP"))
        .where(person.c.full_name == "Nguyễn Văn A")
    )
    row = session.connection().execute(query).one()
    missing = (
        select(*ENTITIES.columns)
        .select_from(person.outerjoin(unit, unit.c.code == "none"))
        .where(person.c.full_name == "Nguyễn Văn A")
    )
    return [*ENTITIES.build(row), ENTITIES.build(session.connection().execute(missing).one(), 1)[0]]


def _updates(engine: Engine) -> list[str]:
    """The UPDATE statements the engine runs from now on."""
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE"):
            seen.append(statement)

    return seen


def test_built_instances_read_as_loaded_ones_with_their_columns_converted(engine: Engine) -> None:
    with Session(engine) as session:
        person, unit, nothing = _loaded(session)
        assert isinstance(person, Person) and isinstance(unit, Unit)
        assert person.full_name == "Nguyễn Văn A" and person.unreachable is False
        assert person.created_at == CREATED  # the column type's conversion (UTC) applied
        assert unit.aliases == ["VP HĐND-UBND"] and unit.active is True  # JSON and booleans as Python values
        assert nothing is None  # the outer join found no unit: no instance made up of NULLs
        state = inspect(person)
        assert state.detached and not state.modified
        assert state.key == inspect(session.get(Person, person.id)).key


def test_a_change_is_written_only_through_keep_changes(engine: Engine) -> None:
    updates = _updates(engine)
    with Session(engine) as session:
        person, unit, _nothing = _loaded(session)
        assert isinstance(person, Person) and isinstance(unit, Unit)
        person.language = "en"
        session.commit()  # the session does not know the instance: nothing written
    assert updates == []
    with Session(engine) as session:
        person, unit, _nothing = _loaded(session)
        assert isinstance(person, Person) and isinstance(unit, Unit)
        assert person.language is None
        person.language = "en"
        keep_changes(session, [person, unit, None])
        session.commit()
    assert len(updates) == 1 and "person" in updates[0].lower()  # the unchanged unit is not written
    with Session(engine) as session:
        assert session.exec(select(Person.language)).one() == "en"


def test_a_change_joins_the_copy_the_session_loaded_meanwhile(engine: Engine) -> None:
    with Session(engine) as session:
        person, _unit, _nothing = _loaded(session)
        assert isinstance(person, Person)
        # A handler loads the same person through the ORM, then the built copy is changed.
        also = session.exec(select(Person).where(col(Person.id) == person.id)).one()
        assert also is not person
        person.unreachable = True
        keep_changes(session, [person])  # session.add() would refuse a second instance of one identity
        session.commit()
        assert also.unreachable is True
    with Session(engine) as session:
        assert session.exec(select(Person.unreachable)).one() is True

"""``ids_among``: a long list of ids (a sweep's claimed reminders) goes to the database as one
parameter, and finds exactly the rows it names."""

from __future__ import annotations

from sqlmodel import Session, col, select

from dondoc.db.models import Organization, Unit
from dondoc.db.queries import ids_among
from dondoc.db.session import open_store


def test_tens_of_thousands_of_ids_in_one_parameter_find_exactly_their_rows(db_url: str) -> None:
    engine = open_store(db_url)
    with Session(engine) as session:
        org = Organization(name="UBND tỉnh")
        session.add(org)
        session.flush()
        assert org.id is not None
        units = [Unit(organization_id=org.id, code=f"U{n}", name=f"Đơn vị {n}") for n in range(5)]
        session.add_all(units)
        session.commit()
        ids = [u.id or 0 for u in units]
        wanted = [ids[1], ids[3], *range(max(ids) + 1, max(ids) + 40_001)]  # 40,002 ids, 2 of them here
        found = session.exec(select(Unit.id).where(ids_among(session, col(Unit.id), wanted))).all()
        none = session.exec(select(Unit.id).where(ids_among(session, col(Unit.id), [max(ids) + 1]))).all()
    engine.dispose()
    assert sorted(i or 0 for i in found) == [ids[1], ids[3]]
    assert none == []

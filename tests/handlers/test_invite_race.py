"""One invite code admits one person, even when many redeem it at the same moment.

Each redeemer is a separate worker (its own engine, dispatcher and session on the same database, as
separate bot processes would be); a barrier releases them together.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import Session, col, select

from dondoc.db.models import Invite, MemberRole, Membership, Person
from dondoc.db.session import make_engine
from dondoc.handlers.events import Inbound, plain
from tests.conftest import Dondoc
from tests.handlers.helpers import invite_code, make_dispatcher
from tests.handlers.test_onboarding import NOW

REDEEMERS = 16
HANG_GUARD = 120.0  # seconds; only a safety net against a deadlock, never what decides the test


def test_sixteen_people_redeeming_one_code_at_once_admit_exactly_one(sample_store: Dondoc) -> None:
    setup = make_engine(sample_store.url)
    try:
        code = invite_code(setup, "NV", MemberRole.ADMIN, now=NOW)
    finally:
        setup.dispose()
    barrier = threading.Barrier(REDEEMERS)

    def redeem(number: int) -> str:
        engine = make_engine(sample_store.url)
        try:
            dispatcher = make_dispatcher(engine, NOW)
            user = str(7_000 + number)
            inbound = Inbound(
                channel="test",
                chat_id=user,
                user_id=user,
                text=f"/start {code}",
                language_code="en",
                display_name=f"Redeemer {number}",
            )
            barrier.wait(HANG_GUARD)
            return "\n".join(plain(reply.text) for reply in dispatcher.handle(inbound))
        finally:
            engine.dispose()

    with ThreadPoolExecutor(REDEEMERS) as pool:
        answers = list(pool.map(redeem, range(REDEEMERS), timeout=HANG_GUARD))

    admitted = [a for a in answers if "You are now registered as administrator" in a]
    refused = [a for a in answers if "This invite code has already been used." in a]
    assert len(admitted) == 1, answers
    assert len(refused) == REDEEMERS - 1, answers

    check = make_engine(sample_store.url)
    try:
        with Session(check) as session:
            admins = session.exec(select(Membership).where(Membership.role == MemberRole.ADMIN)).all()
            people = session.exec(select(Person)).all()
            invite = session.exec(select(Invite)).one()
            used_by = session.exec(select(Person).where(col(Person.id) == invite.used_by_person_id)).one()
    finally:
        check.dispose()
    assert len(admins) == 1 and len(people) == 1  # the fifteen refused left nothing behind
    assert admins[0].person_id == used_by.id
    assert used_by.full_name in admitted[0]

"""Webhook deliveries taken in: the platforms deliver an update again when they did not see the
answer in time, so each update's id is recorded (unique per channel) before it is handled, and a
second delivery, in this process or another on the same store, is dropped."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from dondoc.db.models import WebhookDelivery
from dondoc.db.session import session_scope

KEPT = timedelta(days=7)  # a platform redelivers for hours at most; a week is plenty


def first_delivery(engine: Engine, channel: str, key: str, now: datetime) -> bool:
    """Record the delivery of update ``key`` on ``channel``: True the first time, False when it was
    taken in already (by any process on the store). Database errors are raised."""
    try:
        with session_scope(engine) as session:
            session.add(WebhookDelivery(channel=channel, key=key, received_at=now))
    except IntegrityError:
        return False
    return True


def prune_deliveries(engine: Engine, now: datetime, kept: timedelta = KEPT) -> int:
    """Forget the deliveries taken in more than ``kept`` before ``now``; returns how many."""
    with session_scope(engine) as session:
        result = session.exec(delete(WebhookDelivery).where(col(WebhookDelivery.received_at) < now - kept))
        return int(result.rowcount or 0)

"""Vietnam time: the one time zone of dondoc, and instants converted to it.

A shared leaf module like :mod:`dondoc.text` and :mod:`dondoc.i18n`: every layer may import it and it
imports nothing of dondoc.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def stored_in_vietnam(moment: datetime) -> datetime:
    """A stored instant in Vietnam time (the store returns aware UTC; a naive value is taken as UTC,
    as SQLite returns it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TZ)


def in_vietnam(moment: datetime) -> datetime:
    """``moment`` in Vietnam time; a naive value already is (a time typed or computed here)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=TZ)
    return moment.astimezone(TZ)

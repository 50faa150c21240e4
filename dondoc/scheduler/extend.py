"""An approved extension (gia hạn) takes effect in the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from dondoc.db.models import Extension
from dondoc.db.queries import cancel_reminders
from dondoc.scheduler.calendar import WorkCalendar
from dondoc.scheduler.schedule import replan


def apply_extension(session: Session, extension: Extension, calendar: WorkCalendar, now: datetime) -> None:
    """The reminders of the original date stop (those planned and not yet sent, overdue nudges among
    them) and the assignment's reminders are planned around the new date."""
    cancel_reminders(session, extension.assignment_id, extension.due)
    replan(session, calendar, now, assignment_ids=[extension.assignment_id])

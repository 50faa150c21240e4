from __future__ import annotations

from dondoc.db.models import ReminderKind
from dondoc.handlers.reminders import kind_label
from dondoc.i18n import use_language


def test_every_reminder_kind_has_one_label_in_each_language() -> None:
    for kind in ReminderKind:
        with use_language("vi"):
            vietnamese = kind_label(kind)
        with use_language("en"):
            english = kind_label(kind.value)  # the value stored in reminder.kind reads the same
        assert vietnamese and english and vietnamese != english
    with use_language("vi"):
        assert kind_label(ReminderKind.ESCALATION) == "quá hạn, báo cáo lãnh đạo"

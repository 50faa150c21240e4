"""Who has not answered (``/nonresponders`` and the managers' weekly digest share the rule): a deadline
moved past the week by an approved extension is not owed yet; an overdue one always is."""

from __future__ import annotations

from datetime import date

from dondoc.plan.progress import Category, Item, silent_items

TODAY = date(2022, 4, 1)  # the week looked at: due by 08/04


def item(due: date, category: Category, extended_to: date | None = None) -> Item:
    return Item("III.5", "III", "VP", "Văn phòng", due, category, 0, False, None, "", None, 1, extended_to=extended_to)


def test_an_extension_past_the_week_is_not_owed_yet_but_an_overdue_item_is() -> None:
    moved = item(date(2022, 3, 31), "not_started", extended_to=date(2022, 4, 30))  # gia hạn to 30/04
    due_soon = item(date(2022, 4, 5), "not_started")
    late = item(date(2022, 2, 28), "overdue")
    later = item(date(2022, 4, 30), "not_started")
    assert silent_items([moved, due_soon, late, later], TODAY) == [due_soon, late]


def test_an_extension_within_the_week_is_still_owed() -> None:
    moved = item(date(2022, 3, 31), "not_started", extended_to=date(2022, 4, 6))
    assert silent_items([moved], TODAY) == [moved]

"""Several organisations at once: a province (the parent organisation, ``parent:`` in each member's
registry) sees the plans of every organisation under it, rolled up by organisation and by area.

Each organisation's newest plan is summarised by :func:`dondoc.plan.progress.plan_summaries` (the one
definition of the categories, every plan in one statement); the roll-up only adds the counts up. Areas are merged by their code
(the Roman numeral of the appendix: the administrative-reform plans of one province share them).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from sqlmodel import Session, col, select

from dondoc.db.models import Organization, Plan
from dondoc.db.queries import current_plans, organization_tree
from dondoc.i18n import _
from dondoc.plan.progress import (
    CATEGORIES,
    Category,
    StatusSummary,
    category_label,
    empty_counts,
    on_time_rate,
    plan_summaries,
)


@dataclass
class OrgStatus:
    organization: Organization
    plan: Plan
    summary: StatusSummary


@dataclass
class Rollup:
    """Where every organisation's plan stands at ``as_of``, and the sums."""

    as_of: date
    organizations: list[OrgStatus]
    total: StatusSummary
    # The organisations rolled up that have no plan imported yet: named, so that nobody is left out unseen.
    without_plan: list[Organization] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "without_plan": [org.name for org in self.without_plan],
            "totals": dict(self.total.totals),
            "on_time_rate": self.total.on_time_rate,
            "by_area": {code: dict(counts) for code, counts in self.total.by_area.items()},
            "organizations": [
                {
                    "organization": entry.organization.name,
                    "plan": entry.plan.key,
                    "totals": dict(entry.summary.totals),
                    "on_time_rate": entry.summary.on_time_rate,
                    "by_area": {code: dict(counts) for code, counts in entry.summary.by_area.items()},
                }
                for entry in self.organizations
            ],
        }


def organizations_under(session: Session, root: Organization) -> list[Organization]:
    """``root`` and every organisation under it, ``root`` first."""
    assert root.id is not None
    ids = organization_tree(session, [root.id])
    found = {o.id: o for o in session.exec(select(Organization).where(col(Organization.id).in_(ids)))}
    return [found[i] for i in ids if i in found]


def plans_of(session: Session, organization_ids: Collection[int]) -> list[tuple[Organization, Plan]]:
    """The newest plan of each organisation that has one, in the order given (two queries)."""
    found = {o.id: o for o in session.exec(select(Organization).where(col(Organization.id).in_(organization_ids)))}
    plans = current_plans(session, organization_ids)
    return [(found[org_id], plans[org_id]) for org_id in organization_ids if org_id in plans and org_id in found]


def no_plan_yet() -> str:
    """What stands for the plan of an organisation that has none yet."""
    return _("no plan imported yet")


def count_organizations(result: Rollup) -> str:
    """How many organisations the roll-up sums: "2 cơ quan", or with those that have no plan yet "1 cơ
    quan có kế hoạch, 1 cơ quan chưa nhập kế hoạch"."""
    if not result.without_plan:
        return _("{count} organisations").format(count=len(result.organizations))
    return _("{count} organisations with a plan, {missing} without one yet").format(
        count=len(result.organizations), missing=len(result.without_plan)
    )


def organizations_without_plan(
    session: Session,
    organization_ids: Sequence[int],
    plans: Sequence[tuple[Organization, Plan]],
    roots: Collection[int] = (),
) -> list[Organization]:
    """The organisations of ``organization_ids`` (in that order) with no plan among ``plans``, but for
    ``roots``: a province's own body, which follows the others' plans up and need have none."""
    planned = {org.id for org, _plan in plans}
    missing = [i for i in organization_ids if i not in planned and i not in roots]
    if not missing:
        return []
    found = {o.id: o for o in session.exec(select(Organization).where(col(Organization.id).in_(missing)))}
    return [found[i] for i in missing if i in found]


def rollup(
    session: Session,
    plans: Sequence[tuple[Organization, Plan]],
    as_of: date,
    unit_codes: dict[int, list[str]] | None = None,
    missing: Sequence[Organization] = (),
) -> Rollup:
    """Each plan's summary (for the units ``unit_codes`` names per organisation id, when given: an
    organisation left out of it is left out) and their sums; ``missing``: the organisations rolled up
    that have no plan yet (:func:`without_plan`), named with them."""
    kept = [(org, plan) for org, plan in plans if unit_codes is None or org.id in unit_codes]
    codes = {plan.id or 0: unit_codes[org.id or 0] for org, plan in kept} if unit_codes is not None else None
    summaries = plan_summaries(session, [plan for _org, plan in kept], as_of, codes)  # one statement for all
    entries = [OrgStatus(org, plan, summaries[plan.id or 0]) for org, plan in kept]
    totals = empty_counts()
    by_area: dict[str, dict[Category, int]] = {}
    by_unit: dict[str, dict[Category, int]] = {}
    names: dict[str, str] = {}
    items = blocked = continuous = undated = 0
    for number, entry in enumerate(entries):
        summary = entry.summary
        for category in CATEGORIES:
            totals[category] += summary.totals[category]
        for area, counts in summary.by_area.items():
            merged = by_area.setdefault(area, empty_counts())
            for category in CATEGORIES:
                merged[category] += counts[category]
        for code, counts in summary.by_unit.items():
            key = f"{number}:{code}"  # unit codes repeat from one organisation to another
            by_unit[key] = dict(counts)
            names[key] = f"{summary.unit_names.get(code, code)} ({entry.organization.name})"
        items += summary.items
        blocked += summary.blocked
        continuous += summary.continuous
        undated += summary.undated
    total = StatusSummary(
        as_of=as_of,
        items=items,
        totals=totals,
        by_area=by_area,
        by_unit=by_unit,
        on_time_rate=on_time_rate(totals),
        blocked=blocked,
        continuous=continuous,
        unit_names=names,
        undated=undated,
    )
    return Rollup(as_of, entries, total, list(missing))


def write_rollup_xlsx(result: Rollup, path_or_buffer: str | Path | IO[bytes], *, now: datetime | None = None) -> None:
    """The roll-up as a workbook: one sheet by organisation, one by area (counts in the official
    categories and the on-time rate). ``now``: the caller's clock when the roll-up is today's, so that
    the titles say the time as the status workbook's do ("Tình hình đến 09:15 ngày 05/04/2022")."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from dondoc.plan.export import keep_text
    from dondoc.plan.status_workbook import NO_RATE, anything_due, status_heading

    def rate(counts: Mapping[Category, int]) -> float | str:
        """The on-time rate, or "—" with nothing due yet (a 0% would read as a failure), as the status
        workbook writes it."""
        return on_time_rate(dict(counts)) if anything_due(counts) else NO_RATE

    heading = status_heading(result.as_of, now)
    book = Workbook()
    heads = [category_label(c) for c in CATEGORIES]
    by_org = book.active
    assert by_org is not None
    by_org.title = _("By organisation")[:31]
    by_org.append([heading])
    by_org.append([_("Organisation"), _("Plan"), *heads, _("On-time rate")])
    for entry in result.organizations:
        counts = entry.summary.totals
        by_org.append(
            [
                entry.organization.name,
                entry.plan.title,
                *(counts[c] for c in CATEGORIES),
                rate(counts),
            ]
        )
    for org in result.without_plan:  # named, so that the province sees who is missing
        by_org.append([org.name, no_plan_yet()])
    by_org.auto_filter.ref = f"A2:{get_column_letter(by_org.max_column)}{max(by_org.max_row, 3)}"  # not the total
    by_org.append([_("Total"), "", *(result.total.totals[c] for c in CATEGORIES), rate(result.total.totals)])
    by_area = book.create_sheet(_("By area")[:31])
    by_area.append([heading])
    by_area.append([_("Area"), *heads, _("On-time rate")])
    for area, counts in result.total.by_area.items():
        by_area.append([area or "—", *(counts[c] for c in CATEGORIES), rate(counts)])
    by_area.auto_filter.ref = f"A2:{get_column_letter(by_area.max_column)}{max(by_area.max_row, 3)}"
    for sheet in (by_org, by_area):
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 40
        sheet.freeze_panes = "A3"  # the heading and the header stay in sight
        rates = sheet.max_column  # the on-time rate, last: a percentage, as in the status workbook
        for (cell,) in sheet.iter_rows(min_row=3, min_col=rates, max_col=rates):
            if isinstance(cell.value, float | int):
                cell.number_format = "0.0%"
    keep_text(book)  # names and titles as typed: text, never formulas, even once edited
    book.save(path_or_buffer)

"""A draft of the periodic administrative-reform report (báo cáo công tác cải cách hành chính).

Periodic reports count data from 15 December of the previous year to the 14th of the period's last
month (quý I → 14/03, 6 tháng → 14/06, 9 tháng → 14/09, năm → 14/12). The draft fills in what the
store knows, computed by :func:`dondoc.plan.progress.plan_status` at the window's end, and leaves
bracketed placeholders ("[Đánh giá …]") for the office to write the assessment:

- I. results, one numbered subsection per area of the plan: the figures in the five official
  categories, the tasks completed (unit, date), the overdue ones (unit, due date), the continuous
  tasks with their last check-in;
- II. shortcomings: overdue count and the items reported blocked, with their reasons;
- III. directions: the open items due from the window's end to the end of the next quarter.

Times New Roman 14 (13 in tables and the letterhead), A4 portrait, margins of Decree 30/2020.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlmodel import Session, col, select

from dondoc.db.models import Area, Organization, Plan, Status, Task
from dondoc.i18n import _, format_date
from dondoc.plan.explanations import by_item, describe
from dondoc.plan.extensions import describe_due
from dondoc.plan.progress import (
    CATEGORIES,
    Category,
    ContinuousItem,
    Item,
    PlanStatus,
    category_label,
    on_time_rate,
    plan_status,
    status_label,
)
from dondoc.plan.status_workbook import PathOrBuffer

Period = Literal["q1", "half", "q3", "year"]
PERIODS: tuple[Period, ...] = ("q1", "half", "q3", "year")
_LAST_MONTH: dict[Period, int] = {"q1": 3, "half": 6, "q3": 9, "year": 12}

FONT = "Times New Roman"
BODY_SIZE = 14
SMALL_SIZE = 13


def report_window(period: Period, year: int) -> tuple[date, date]:
    """The data window of a periodic report: 15/12 of the previous year to the 14th of the period's
    last month."""
    return date(year - 1, 12, 15), date(year, _LAST_MONTH[period], 14)


def outlook_window(period: Period, year: int) -> tuple[date, date]:
    """What section III looks at: from the day after the data window to the end of the next quarter."""
    _start, end = report_window(period, year)
    month, last_year = _LAST_MONTH[period] + 3, year
    if month > 12:
        month, last_year = month - 12, year + 1
    return end + timedelta(days=1), date(last_year, month, monthrange(last_year, month)[1])


def period_title(period: Period, year: int) -> str:
    """ "Công tác cải cách hành chính quý I năm 2022", in the current language."""
    titles = {
        "q1": _("Administrative reform in the first quarter of {year}"),
        "half": _("Administrative reform in the first six months of {year}"),
        "q3": _("Administrative reform in the first nine months of {year}"),
        "year": _("Administrative reform in {year}"),
    }
    return titles[period].format(year=year)


@dataclass
class _Area:
    code: str
    title: str
    items: list[Item] = field(default_factory=list)
    continuous: list[ContinuousItem] = field(default_factory=list)


def write_report_draft(
    session: Session,
    plan: Plan,
    period: Period,
    year: int,
    path_or_buffer: PathOrBuffer,
    *,
    calendar: Any = None,
) -> PlanStatus:
    """Write the draft report (docx) for ``period`` of ``year``; returns the status it was built from
    (``plan_status`` at the end of the data window)."""
    from docx import Document

    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}: use one of {', '.join(PERIODS)}")
    start, end = report_window(period, year)
    status = plan_status(session, plan, end)
    titles = {
        t.code: t.title
        for t in session.exec(
            select(Task).where(Task.plan_id == plan.id, col(Task.active)).order_by(col(Task.position))
        )
    }
    areas = {
        a.code: _Area(a.code, a.title)
        for a in session.exec(select(Area).where(Area.plan_id == plan.id).order_by(col(Area.position)))
    }
    for item in status.items:
        areas.setdefault(item.area, _Area(item.area, _("Other tasks"))).items.append(item)
    for citem in status.continuous:
        areas.setdefault(citem.area, _Area(citem.area, _("Other tasks"))).continuous.append(citem)
    organization = session.get(Organization, plan.organization_id)

    document = Document()
    _setup(document)
    _letterhead(document, organization.name if organization else "", year)
    _centered(document, _("REPORT"), bold=True, space_before=12)
    _centered(document, period_title(period, year), bold=True)
    _centered(
        document,
        _("(Data from {start} to {end})").format(start=format_date(start), end=format_date(end)),
        italic=True,
        space_after=12,
    )

    # I. Results
    document.add_heading("I. " + _("IMPLEMENTATION RESULTS"), level=1)
    task_count = len({i.task for i in status.items} | {c.task for c in status.continuous})
    _body(
        document,
        _(
            "The plan “{title}” has {tasks} tasks: {items} items with a deadline (one deadline of one lead unit) "
            "and {continuous} continuous tasks. Status at {date}:"
        ).format(
            title=plan.title,
            tasks=task_count,
            items=len(status.items),
            continuous=len(status.continuous),
            date=format_date(end),
        ),
    )
    if status.undated:
        _body(
            document,
            _("No date yet (not counted: they count from the plan's issue date): {count}.").format(
                count=len(status.undated)
            ),
        )
    _figures_table(document, list(areas.values()), status)
    _body(document, _("On-time rate: {rate}").format(rate=_percent(on_time_rate(status.totals))))
    for number, area in enumerate(areas.values(), start=1):
        _area_section(document, number, area, status, titles)
    if organization is not None:
        _targets_section(document, session, organization, period, year, len(areas) + 1)
        _ranking_section(document, session, plan, organization, period, end, status, calendar, len(areas))

    # II. Shortcomings
    document.add_heading("II. " + _("SHORTCOMINGS AND LIMITATIONS"), level=1)
    _body(document, _("Overdue items: {count}").format(count=status.totals["overdue"]))
    _explanations(document, session, plan, status, titles, end)
    _body(document, _("Tasks reported blocked:"), bold=True)
    blocked = [i for i in status.items if i.blocked]
    blocked_continuous = [c for c in status.continuous if c.status == Status.BLOCKED]
    for item in blocked:
        text = _line(item.task, titles, _units_and_dues([item]))
        _bullet(document, _with_reason(text, item.blocked_reason or item.note))
    for citem in blocked_continuous:
        _bullet(document, _with_reason(_line(citem.task, titles, citem.unit_name), citem.note))
    if not blocked and not blocked_continuous:
        _bullet(document, _("None."))
    _placeholder(document)

    # III. Directions
    document.add_heading("III. " + _("DIRECTIONS AND TASKS AHEAD"), level=1)
    first, last = outlook_window(period, year)
    _body(
        document,
        _("Tasks due from {start} to {end}:").format(start=format_date(first), end=format_date(last)),
        bold=True,
    )
    upcoming = [
        i
        for i in status.items
        if first <= (i.extended_to or i.due) <= last and i.category not in ("done_on_time", "done_late")
    ]
    for task, group in _by_task(upcoming):
        _bullet(document, _line(task, titles, _units_and_dues(group)))
    if not upcoming:
        _bullet(document, _("None."))
    _placeholder(document)
    _signature(document)
    document.core_properties.title = _("REPORT") + " — " + period_title(period, year)
    document.core_properties.author = "dondoc"
    # python-docx's template says it was made in 2013; Word shows the date in File › Info.
    document.core_properties.created = document.core_properties.modified = datetime.now(UTC).replace(microsecond=0)
    document.save(str(path_or_buffer) if isinstance(path_or_buffer, Path) else path_or_buffer)
    return status


# ---------------------------------------------------------------- sections


def _area_section(document: Any, number: int, area: _Area, status: PlanStatus, titles: dict[str, str]) -> None:
    document.add_heading(f"{number}. {area.title}", level=2)
    counts = status.by_area.get(area.code) or dict.fromkeys(CATEGORIES, 0)
    tasks = len({i.task for i in area.items} | {c.task for c in area.continuous})
    _body(
        document,
        _("Tasks: {tasks} (with a deadline: {items} items; continuous: {continuous}).").format(
            tasks=tasks, items=len(area.items), continuous=len(area.continuous)
        ),
    )
    for category in CATEGORIES:
        _bullet(document, f"{category_label(category)}: {counts[category]}")

    done = [i for i in area.items if i.category in ("done_on_time", "done_late")]
    _body(document, _("Tasks completed:"), bold=True)
    for task, group in _by_task(done):
        _bullet(document, _line(task, titles, "; ".join(_completed(i) for i in group)))
    if not done:
        _bullet(document, _("None."))

    overdue = [i for i in area.items if i.category == "overdue"]
    _body(document, _("Overdue tasks:"), bold=True)
    for task, group in _by_task(overdue):
        _bullet(document, _line(task, titles, _units_and_dues(group)))
    if not overdue:
        _bullet(document, _("None."))

    if area.continuous:
        _body(document, _("Continuous tasks") + ":", bold=True)
        for citem in area.continuous:
            if citem.last_report_at is None or citem.status is None:
                last = _("no report yet")
            else:
                last = _("last report {date}: {status}, {percent}%").format(
                    date=format_date(citem.last_report_at.date()),
                    status=status_label(citem.status),
                    percent=citem.percent,
                )
            _bullet(document, _line(citem.task, titles, citem.unit_name) + ": " + last)
    _placeholder(document)


def _line(task: str, titles: dict[str, str], units: str) -> str:
    """ "I.3 — <task title> — <units>"."""
    return f"{task} — {titles.get(task, '')} — {units}"


def _completed(item: Item) -> str:
    """ "Phòng Nội vụ (hoàn thành ngày 30/03/2022)", and "— Hoàn thành quá hạn" when late."""
    text = item.unit_name + " " + _("(completed {date})").format(date=format_date(item.completed_on or item.due))
    return text + (" — " + category_label("done_late") if item.category == "done_late" else "")


def _with_reason(text: str, reason: str) -> str:
    return text + ": " + _("Blocked by: {reason}").format(reason=reason) if reason else text


def _by_task(items: Iterable[Item]) -> list[tuple[str, list[Item]]]:
    """Items grouped by task, in first-seen order (appendix order)."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(item.task, []).append(item)
    return list(groups.items())


def _units_and_dues(items: list[Item]) -> str:
    """ "Phòng Nội vụ (hạn 31/01/2022, 28/02/2022)" — one entry per set of units sharing deadlines."""
    dues: dict[tuple[date, date | None], list[str]] = {}
    for item in items:
        dues.setdefault((item.due, item.extended_to), []).append(item.unit_name)
    by_units: dict[tuple[str, ...], list[tuple[date, date | None]]] = {}
    for due, names in dues.items():
        by_units.setdefault(tuple(names), []).append(due)
    return "; ".join(
        "; ".join(names)
        + " ("
        + _("due {date}").format(date=", ".join(describe_due(d, extended) for d, extended in days))
        + ")"
        for names, days in by_units.items()
    )


def _figures_table(document: Any, areas: list[_Area], status: PlanStatus) -> None:
    labels: list[str] = [_("Area"), *(category_label(c) for c in CATEGORIES), _("Total")]
    table = document.add_table(rows=1, cols=len(labels))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, labels, strict=True):
        _cell(cell, text, bold=True, center=True)

    def row(name: str, counts: dict[Category, int], bold: bool = False) -> None:
        cells = table.add_row().cells
        _cell(cells[0], name, bold=bold)
        values = [counts[c] for c in CATEGORIES]
        for cell, value in zip(cells[1:], [*values, sum(values)], strict=True):
            _cell(cell, str(value), bold=bold, center=True)

    for area in areas:
        counts = status.by_area.get(area.code) or dict.fromkeys(CATEGORIES, 0)
        row(f"{area.code}. {area.title}" if area.code else area.title, counts)
    row(_("Total"), status.totals, bold=True)
    _set_widths(table, [6.0] + [1.9] * (len(labels) - 1))


def _targets_section(
    document: Any, session: Session, organization: Organization, period: Period, year: int, number: int
) -> None:
    """The plan's targets (chỉ tiêu): each one's result from the units' figures against its goal, and
    the units that did not report (named)."""
    from dondoc.plan.figures import Period as TargetPeriod
    from dondoc.plan.figures import format_rate, goal_label
    from dondoc.plan.targets import list_targets, target_values

    assert organization.id is not None
    targets = list_targets(session, organization.id)
    if not targets:
        return
    chosen = {
        "q1": TargetPeriod(year, "quarter", 1),
        "half": TargetPeriod(year, "half-year", 1),
        "q3": TargetPeriod(year, "quarter", 3),
        "year": TargetPeriod(year, "year", 1),
    }[period]
    document.add_heading(f"{number}. " + _("Results against the plan's targets"), level=2)
    labels = [_("No."), _("Target"), _("Goal"), _("Result"), _("Assessment"), _("Units not reporting")]
    table = document.add_table(rows=1, cols=len(labels))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, labels, strict=True):
        _cell(cell, text, bold=True, center=True)
    values = target_values(session, organization, chosen, targets)
    for value in values:
        cells = table.add_row().cells
        met = {True: _("met"), False: _("not met"), None: _("no figures")}[value.met]
        reported = _("{reported}/{total} units reported").format(reported=len(value.reported), total=len(value.units))
        _cell(cells[0], value.target.code, center=True)
        _cell(cells[1], value.target.text)
        _cell(cells[2], goal_label(value.target.goal), center=True)  # "từ 95% trở lên", not ">= 95%"
        _cell(cells[3], format_rate(value.value), center=True)
        _cell(cells[4], f"{met} ({reported})", center=True)
        _cell(cells[5], ", ".join(u.name for u in value.missing) or _("None."))
    _set_widths(table, [1.2, 6.0, 1.8, 1.8, 2.6, 3.6])
    _placeholder(document)


def _ranking_section(
    document: Any,
    session: Session,
    plan: Plan,
    organization: Organization,
    period: Period,
    end: date,
    status: PlanStatus,
    calendar: Any,
    areas: int,
) -> None:
    """The units' evaluation (đánh giá, xếp loại) at the window's end: how many units in each band,
    the best and the lowest scores (:mod:`dondoc.plan.ranking`)."""
    from dondoc.plan.ranking import format_score, rank_plan
    from dondoc.plan.targets import list_targets

    assert organization.id is not None
    number = areas + (2 if list_targets(session, organization.id) else 1)
    result = rank_plan(session, plan, period, end, calendar, status=status)
    document.add_heading(f"{number}. " + _("Evaluation and ranking of units"), level=2)
    rated, not_rated = result.rated, result.not_rated
    _body(
        document,
        _("Scores at {date}: {rated} units rated, {not_rated} without an item due yet (not rated).").format(
            date=format_date(end), rated=len(rated), not_rated=len(not_rated)
        ),
    )
    bands = "; ".join(f"{band.label()}: {count}" for band, count in result.band_counts())
    _body(document, _("Units by rating band: {bands}.").format(bands=bands))
    if rated:

        def named(entries: list[Any]) -> str:
            return "; ".join(
                f"{e.name} ({format_score(e.score)} — {e.band.label() if e.band else ''})" for e in entries
            )

        size = min(3, (len(rated) + 1) // 2)  # three each, or half the units each when there are fewer than six
        top = rated[:size]
        _body(document, _("Highest scores: {units}.").format(units=named(top)))
        bottom = [e for e in reversed(rated[-size:]) if e not in top]
        if bottom:
            _body(document, _("Lowest scores: {units}.").format(units=named(bottom)))
    _placeholder(document)


# ---------------------------------------------------------------- layout


def _setup(document: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)

    normal = document.styles["Normal"]
    _font(normal, BODY_SIZE)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for name, size in (("Heading 1", BODY_SIZE), ("Heading 2", BODY_SIZE), ("List Bullet", BODY_SIZE)):
        style = document.styles[name]
        _font(style, size)
        if name.startswith("Heading"):
            style.font.bold = True
            style.font.italic = False
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.paragraph_format.space_before = Pt(12 if name == "Heading 1" else 6)
            style.paragraph_format.space_after = Pt(6)
            style.paragraph_format.keep_with_next = True
    document.styles["Table Grid"].font.size = Pt(SMALL_SIZE)
    _proofing_language(document)
    _page_numbers(document)


# Word's proofing language for the draft's language (the template's en-US underlines every Vietnamese word).
_PROOFING = {"vi": "vi-VN", "en": "en-US"}


def _proofing_language(document: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    from dondoc.i18n import current_language

    parent = document.styles.element
    for tag in ("w:docDefaults", "w:rPrDefault", "w:rPr"):  # the defaults every style inherits
        child = parent.find(qn(tag))
        if child is None:
            child = OxmlElement(tag)
            parent.insert(0, child)
        parent = child
    lang = parent.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        parent.append(lang)
    tag = _PROOFING.get(current_language(), "vi-VN")
    for slot in ("w:val", "w:eastAsia"):
        lang.set(qn(slot), tag)


def _page_numbers(document: Any) -> None:
    """Page numbers centred at the top, none on the first page (Decree 30/2020, Appendix I)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    section = document.sections[0]
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"  # what Word shows until it updates the field, which it does as it lays the pages out
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _font(style: Any, size: int) -> None:
    """Times New Roman for every script (Word picks the East Asian slot for some Vietnamese text)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style.font.name = FONT
    style.font.size = Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(theme)) is not None:
            del fonts.attrib[qn(theme)]


def _letterhead(document: Any, organization: str, year: int) -> None:
    """The two-column heading of an administrative document: issuer and number; national title and date."""
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    _cell(left, organization.upper(), bold=True, center=True, size=SMALL_SIZE)
    _cell(left, _("No.:      /BC-…"), center=True, size=SMALL_SIZE, new_paragraph=True)
    _cell(right, _("SOCIALIST REPUBLIC OF VIETNAM"), bold=True, center=True, size=SMALL_SIZE)
    _cell(right, _("Independence – Freedom – Happiness"), bold=True, center=True, new_paragraph=True)
    _cell(
        right,
        _("…, day … month … {year}").format(year=year),
        italic=True,
        center=True,
        new_paragraph=True,
    )
    _set_widths(table, [6.5, 9.5])


def _signature(document: Any) -> None:
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    _cell(left, _("Recipients:"), bold=True, italic=True, size=12)
    # A report has no "Kính gửi" line, so no "Như trên": the office names where it goes.
    _highlight(_cell(left, _("- [Agencies receiving the report];"), size=11, new_paragraph=True))
    _cell(left, _("- Filed: archive."), size=11, new_paragraph=True)
    _highlight(_cell(right, _("[SIGNATORY'S TITLE]"), bold=True, center=True))
    _highlight(_cell(right, _("[Signature and full name]"), italic=True, center=True, new_paragraph=True))
    _set_widths(table, [8.0, 8.0])


def _set_widths(table: Any, widths_cm: list[float]) -> None:
    from docx.shared import Cm

    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def _cell(
    cell: Any,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    center: bool = False,
    size: int = SMALL_SIZE,
    new_paragraph: bool = False,
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = cell.add_paragraph() if new_paragraph else cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    run.font.size = Pt(size)
    return run


def _highlight(run: Any) -> None:
    """A placeholder the office replaces before signing: highlighted yellow, so none is left in."""
    from docx.enum.text import WD_COLOR_INDEX

    run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _centered(
    document: Any, text: str, *, bold: bool = False, italic: bool = False, space_before: int = 0, space_after: int = 0
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(space_before)
    paragraph.paragraph_format.space_after = Pt(space_after)
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic


def _body(document: Any, text: str, *, bold: bool = False) -> None:
    from docx.shared import Cm

    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Cm(1)
    run = paragraph.add_run(text)
    run.bold = bold


def _bullet(document: Any, text: str) -> None:
    document.add_paragraph(text, style="List Bullet")


def _placeholder(document: Any) -> None:
    from docx.shared import Cm

    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Cm(1)
    run = paragraph.add_run(_("[Assessment …]"))
    run.italic = True
    _highlight(run)


def _percent(rate: float) -> str:
    from babel.numbers import format_percent

    from dondoc.i18n import current_language

    return str(format_percent(rate, "#,##0.0%", locale=current_language()))


def _explanations(
    document: Any, session: Session, plan: Plan, status: PlanStatus, titles: dict[str, str], end: date
) -> None:
    """The overdue items whose unit was asked to explain them (giải trình) by the window's end: the
    explanation given, or that none was given yet."""
    from dondoc.plan.progress import end_of_day

    asked = by_item(session, plan, before=end_of_day(end))
    found = [
        (item, asked[(item.task, item.unit, item.due)])
        for item in status.items
        if item.category == "overdue" and (item.task, item.unit, item.due) in asked
    ]
    if not found:
        return
    _body(document, _("Explanations of overdue items:"), bold=True)
    for item, view in found:
        if view.answered_at is not None and view.answered_at >= end_of_day(end):
            view = replace(view, answered_at=None)  # answered after the window: not yet, as of its end
        _bullet(document, _line(item.task, titles, _units_and_dues([item])) + " — " + describe(view))

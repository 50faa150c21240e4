"""The reminder outbox: claiming due rows, deciding who gets them, and recording the outcome.

A pass claims the due rows of whole organisations with a lease (:class:`~dondoc.db.models.OutboxLease`,
one row per organisation, taken in one statement): two sweepers never hold the same organisation,
and the reminder rows themselves are written once, with the outcome (sent, held, retried…), not
also when claimed — at a nation's scale (110,000 reminders at 08:00) that second write of every row
was a quarter of the pass. Everything one person receives at a send time belongs to one
organisation, so a lease holds whole digests. A lease that ran out (the process died between
sending and recording) is taken over and its organisation's pending rows sent, which makes delivery
*at-least-once*: a crash after a send but before its record can repeat that one message, while
nothing is ever silently dropped. For a reminder, a rare duplicate is the lesser harm.

A reminder that goes to several people (a unit's focal point and deputies, its managers) is recorded
per person as well (:class:`~dondoc.db.models.ReminderDelivery`): :func:`compose` leaves out whoever
already has it, so a send that fails for one of them is tried again for that one alone, by any
process; the row turns ``sent`` once every recipient of the pass has it (:func:`mark_sent`). A row
that some receiver wants later in the day (their own send time) goes back to pending for then
(:func:`defer`), and that pass sends it to those who do not have it yet.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    exists,
    func,
    literal_column,
    null,
    or_,
    true,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from dondoc.db.models import (
    Assignment,
    Audience,
    ChannelAccount,
    Extension,
    ExtensionState,
    MemberRole,
    Occurrence,
    Organization,
    OutboxLease,
    Person,
    Reminder,
    ReminderDelivery,
    ReminderDue,
    ReminderState,
    Report,
    SentDigest,
    Status,
    Task,
    Unit,
)
from dondoc.db.queries import ids_among, ids_in, int_array_text, reachable_members
from dondoc.db.session import retried_on_lost, session_scope
from dondoc.plan.absences import Cover, FocalRecipient, focal_recipients
from dondoc.plan.progress import end_of_day
from dondoc.tz import in_vietnam

LEASE = timedelta(minutes=10)
# A send that failed for a passing reason (a timeout, a 5xx) is tried again FIRST_RETRY later, then
# twice as long after each failure, at most RETRY_CAP apart; after MAX_ATTEMPTS tries (about two and
# a half hours) it is given up as failed. The time is the row's ``send_at``: any process sends it.
FIRST_RETRY = timedelta(seconds=15)
RETRY_CAP = timedelta(minutes=30)
MAX_ATTEMPTS = 12


def retry_delay(attempts: int) -> timedelta:
    """How long after its ``attempts``-th failed try (1, 2, …) a reminder is tried again: 15 s, 30 s,
    1 min, 2 min … at most :data:`RETRY_CAP`."""
    doublings = min(max(attempts, 1) - 1, 16)
    delay: timedelta = FIRST_RETRY * (1 << doublings)
    return min(RETRY_CAP, delay)


@dataclass
class Recipient:
    person: Person
    account: ChannelAccount


class DueItem(NamedTuple):
    """A claimed reminder with what its line in a message shows (plain values, read in one query; a
    tuple, as a pass makes thousands)."""

    reminder_id: int
    assignment_id: int
    kind: str  # a ReminderKind
    due: date
    send_at: datetime
    attempts: int
    audience: str  # an Audience
    task_code: str
    task_title: str
    task_position: int
    unit_id: int
    unit_code: str
    unit_name: str
    unit_position: int
    organization_id: int
    # The assignment's earliest deadline (its original due date) not reported done, when it is before
    # this one's: a report on the task is recorded for that deadline first (:func:`_with_tasks_and_units`).
    open_before: date | None = None
    # That earlier deadline's approved new date (gia hạn), when it was extended: the line says so.
    open_before_to: date | None = None


_REMINDER_ID = operator.itemgetter(DueItem._fields.index("reminder_id"))


class Sent(NamedTuple):
    """A digest that went out: its reminders, the channel's message id, and the person it reached."""

    reminder_ids: Sequence[int]
    message_id: str | None
    person_id: int


@dataclass
class Digest:
    """Everything one person gets at one send time: a single message."""

    recipient: Recipient
    audience: str  # an Audience
    items: list[DueItem] = field(default_factory=list)
    # People away whose reminders these are (:mod:`dondoc.plan.absences`): the message says so.
    covering: list[Cover] = field(default_factory=list)
    # Report buttons: not for a manager standing in for a unit whose focal points are all away.
    buttons: bool = True
    _ids: list[int] = field(default_factory=list, init=False, repr=False, compare=False)

    @property
    def reminder_ids(self) -> list[int]:
        """The items' reminder ids (kept: a pass asks for them several times a digest; made again when
        items were added)."""
        if len(self._ids) != len(self.items):
            self._ids = list(map(_REMINDER_ID, self.items))
        return self._ids


def claim_due(session: Session, now: datetime, worker: str) -> list[int]:
    """Claim every reminder due at ``now`` that no other sweeper holds, for ``worker``; commit is the
    caller's. The ids of :func:`claim_due_items`."""
    return claim_due_items(session, now, worker)[0]


def claim_due_items(session: Session, now: datetime, worker: str) -> tuple[list[int], list[DueItem]]:
    """Lease, for ``worker``, every organisation with reminders due at ``now`` that no other sweeper
    holds (:class:`~dondoc.db.models.OutboxLease`: free, expired, or ``worker``'s own from a pass the
    database interrupted), and read those organisations' due reminders, each as the line
    :func:`compose` needs — no reminder row is written: a pass writes each once, when it is sent (or
    held, retried…). On PostgreSQL the lease and the read are one statement; on SQLite, which
    serialises writers, the lease is an upsert and the read follows it. Then the few tasks and units
    the lines name are read once each (:func:`_with_tasks_and_units`). Returns the claimed ids and
    the lines, in the order the database gave them (:func:`compose` puts each digest's in a
    digest's order; a row whose task is gone — none, as the foreign keys stand — is claimed all the
    same, without a line: it is held). Commit is the caller's."""
    columns = (
        col(ReminderDue.reminder_id),
        col(ReminderDue.assignment_id),
        col(ReminderDue.kind),
        col(ReminderDue.due),
        col(ReminderDue.send_at),
        col(ReminderDue.attempts),
        col(ReminderDue.audience),
        col(ReminderDue.task_id),
        col(ReminderDue.unit_id),
        col(ReminderDue.organization_id),
    )
    # The pending list alone: it carries what the claim reads (migration 0024; joining the reminders,
    # assignments and units was most of a nation's claim).
    due = sa_select(*_plain_times(columns)).where(col(ReminderDue.send_at) <= now)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":  # the due rows read once, then leased and read from there
        due_rows = due.cte("due").prefix_with("MATERIALIZED")
        organizations = sa_select(due_rows.c.organization_id)
    else:
        organizations = sa_select(due.subquery().c.organization_id)
    # Leases taken in one order, so that two sweepers never deadlock.
    organizations = organizations.distinct().order_by(organizations.selected_columns[0])
    leases = OutboxLease.__table__  # type: ignore[attr-defined]
    take = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(leases).from_select(
        ["organization_id", "holder", "taken_at"],
        sa_select(
            organizations.subquery().c.organization_id,
            bindparam("holder", worker, type_=leases.c.holder.type),
            bindparam("taken_at", now, type_=leases.c.taken_at.type),
        ).where(true()),  # (SQLite reads ``ON CONFLICT`` right after a FROM as a join's ON without it)
    )
    take = take.on_conflict_do_update(
        index_elements=[leases.c.organization_id],
        set_={"holder": take.excluded.holder, "taken_at": take.excluded.taken_at},
        where=or_(leases.c.taken_at < now - LEASE, leases.c.holder == worker),
    )
    query: Select[Any]
    if dialect == "postgresql":
        leased = take.returning(leases.c.organization_id).cte("leased")
        query = sa_select(*list(due_rows.c)[:-1]).where(
            due_rows.c.organization_id.in_(sa_select(leased.c.organization_id))
        )
    else:
        session.connection().execute(take)
        mine = sa_select(leases.c.organization_id).where(leases.c.holder == worker, leases.c.taken_at == now)
        query = due.with_only_columns(*list(due.selected_columns)[:-1]).where(
            col(ReminderDue.organization_id).in_(mine)
        )
    rows = _read_times(session, query)
    return sorted(row[0] for row in rows), _with_tasks_and_units(session, rows, now)


def release_leases(session: Session, worker: str) -> None:
    """The end of ``worker``'s pass: its organisations are free for any sweeper again."""
    leases = OutboxLease.__table__  # type: ignore[attr-defined]
    session.connection().execute(leases.delete().where(leases.c.holder == worker))


def _plain_times(columns: Any) -> list[Any]:
    """The claim's columns, the due date and send time as the database gives them (for
    :func:`_read_times` to convert)."""
    return [type_coerce(c, String).label(c.name) if c.name in ("due", "send_at") else c for c in columns]


def _read_times(session: Session, query: Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of a claim's query (:func:`_plain_times`: due date and send time 4th and 5th) as the
    driver gives them — plain tuples, not SQLAlchemy rows: a nation's pass reads 110,000 — with the
    due date and send time still to convert (:func:`_with_tasks_and_units` converts each distinct
    value once)."""
    result = session.connection().execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def _converters(session: Session) -> tuple[Any, Any]:
    """How SQLAlchemy converts a reminder's due date and send time as the driver gives them."""
    dialect = session.get_bind().dialect
    table = Reminder.__table__  # type: ignore[attr-defined]
    found = []
    for name in ("due", "send_at"):
        process = table.c[name].type.dialect_impl(dialect).result_processor(dialect, None)
        found.append(process if process is not None else (lambda value: value))
    return found[0], found[1]


# A digest's order: by due date, then the plan's order of tasks, then the registry's order of units
# (then the rows' own order, so that equal places always come out the same way).
_DIGEST_ORDER = operator.itemgetter(
    *(DueItem._fields.index(f) for f in ("due", "task_position", "unit_position", "assignment_id", "reminder_id"))
)


def _with_tasks_and_units(session: Session, rows: list[tuple[Any, ...]], now: datetime) -> list[DueItem]:
    """Claimed rows (the reminder's seven columns, its task id and unit id) as lines, in their
    order: the tasks and units read once each, not once per row (thousands of rows name a few
    hundred of them), each distinct due date and send time converted once (a pass's rows share a
    few of each), as SQLAlchemy converts them. A row about a deadline of a task with an earlier one
    (a monthly report in March) gets its assignment's earliest deadline not reported done when that
    is before its own (``open_before``): read in one query for all of them (:func:`_done_and_extended`)."""
    task_ids = {row[7] for row in rows if row[7] is not None}
    unit_ids = {row[8] for row in rows if row[8] is not None}
    if not task_ids or not unit_ids:
        return []
    # With each task that has several due dates, those dates (as text: "2022-01-31,2022-02-28,…").
    several = (
        sa_select(func.aggregate_strings(cast(col(Occurrence.due), String), ","))
        .where(col(Occurrence.task_id) == Task.id)
        .having(func.count() > 1)
        .scalar_subquery()
    )
    tasks: dict[int, tuple[Any, ...]] = {}
    recurring: dict[int, list[date]] = {}
    schedules: dict[str, list[date]] = {}  # (a nation's monthly tasks share a few schedules)
    for task_id, code, title, position, listed in session.connection().execute(
        sa_select(col(Task.id), col(Task.code), col(Task.title), col(Task.position), several).where(
            ids_in(session, col(Task.id), task_ids)
        )
    ):
        assert task_id is not None  # (a primary key)
        tasks[task_id] = (code, title, position)
        if listed is not None:
            found = schedules.get(listed)
            if found is None:
                found = schedules[listed] = sorted(map(date.fromisoformat, listed.split(",")))
            recurring[task_id] = found
    units = {
        u[0]: tuple(u)
        for u in session.connection().execute(
            sa_select(
                col(Unit.id), col(Unit.code), col(Unit.name), col(Unit.position), col(Unit.organization_id)
            ).where(ids_in(session, col(Unit.id), unit_ids))
        )
    }
    to_due, to_time = _converters(session)
    dues = {value: to_due(value) for value in {row[3] for row in rows}}
    times = {value: to_time(value) for value in {row[4] for row in rows}}
    opened: dict[int, date] = {}  # reminder id → its assignment's earliest open deadline, an earlier one
    moved: dict[int, date] = {}  # reminder id → that deadline's approved new date, when it was extended
    later = [row for row in rows if row[7] in recurring and dues[row[3]] > recurring[row[7]][0]] if recurring else []
    if later:
        closed, extended = _done_and_extended(session, {row[1] for row in later}, now)
        for row in later:
            task_dues, due = recurring[row[7]], dues[row[3]]
            count = closed.get(row[1], 0)
            chased = task_dues[count] if count < len(task_dues) else None  # (None: every deadline closed)
            new_due = extended.get((row[1], chased)) if chased is not None else None
            if chased is not None and chased < due and new_due != due:
                opened[row[0]] = chased
                if new_due is not None:
                    moved[row[0]] = new_due
    note, note_to = opened.get, moved.get
    make = tuple.__new__  # (a DueItem is a tuple: built without NamedTuple's per-call argument handling)
    items: list[DueItem] = [
        make(
            DueItem,
            (
                *row[:3],
                dues[row[3]],
                times[row[4]],
                *row[5:7],
                *tasks[row[7]],
                *units[row[8]],
                note(row[0]),
                note_to(row[0]),
            ),
        )
        for row in rows
        if row[7] in tasks and row[8] in units
    ]
    return items


def _done_and_extended(
    session: Session, assignment_ids: Collection[int], now: datetime
) -> tuple[dict[int, int], dict[tuple[int, date], date]]:
    """What decides which deadline of each of these assignments is being chased at the end of
    ``now``'s day (in Vietnam), by the rules of the categories (:mod:`dondoc.plan.progress`): how many
    of its deadlines are closed — its done reports made by then that no report made by then
    corrects, each closing the next deadline — and the approved new dates (the newest approval) of
    those extended, which its reminders carry. One query, whatever the number (built once per kind of
    database: :func:`_done_and_extended_query`), that reads the done reports' index, not the reports."""
    dialect = session.get_bind().dialect.name
    ids: Any
    if dialect == "postgresql":  # (each once: the statement joins them)
        ids = int_array_text(assignment_ids if isinstance(assignment_ids, set | frozenset) else set(assignment_ids))
    elif dialect == "sqlite":
        ids = "[" + ",".join(map(str, assignment_ids)) + "]"
    else:
        ids = list(assignment_ids)
    values = {"ids": ids, "cutoff": end_of_day(in_vietnam(now).date())}
    result = session.connection().execute(_done_and_extended_query(dialect), values)
    try:  # (the driver's tuples: thousands of rows, no extension among most of them)
        rows = result.cursor.fetchall()
    finally:
        result.close()
    to_date = _converters(session)[0]
    closed: dict[int, int] = {}
    extended: dict[tuple[int, date], date] = {}
    for aid, count, due, new_due, _at, _id in rows:
        if count is not None:
            closed[aid] = count
        else:  # (in the order of the approvals: the newest counts)
            extended[(aid, to_date(due))] = to_date(new_due)
    return closed, extended


@cache
def _done_and_extended_query(dialect: str) -> CompoundSelect[Any]:
    """:func:`_done_and_extended`'s statement: the approved extensions (assignment, due date, new date,
    oldest approval first), then the done reports counted by assignment; its ids (``ids``: an array's
    text on PostgreSQL, a JSON list on SQLite, as :func:`~dondoc.db.queries.ids_among` sends them) and
    its time (``cutoff``) left to bind."""
    listed: Any
    if dialect == "postgresql":
        listed = sa_select(func.unnest(cast(bindparam("ids", type_=String), ARRAY(Integer)))).scalar_subquery()
    elif dialect == "sqlite":
        listed = (
            sa_select(literal_column("value"))
            .select_from(func.json_each(bindparam("ids", type_=String)))
            .scalar_subquery()
        )
    else:
        listed = bindparam("ids", expanding=True)
    cutoff = bindparam("cutoff", type_=Report.__table__.c.reported_at.type)  # type: ignore[attr-defined]
    approved: list[Any] = [
        col(Extension.assignment_id).label("aid"),
        type_coerce(null(), Integer).label("n"),
        col(Extension.due).label("due"),
        col(Extension.new_due).label("new_due"),
        col(Extension.answered_at).label("approved_at"),
        col(Extension.id).label("extension_id"),
    ]
    extensions = sa_select(*approved).where(
        col(Extension.assignment_id).in_(listed),
        col(Extension.state) == ExtensionState.APPROVED,
        col(Extension.answered_at) < cutoff,
    )
    # The done reports that close deadlines, as /status counts them (:func:`dondoc.plan.progress.plan_summary`):
    # made before the cutoff, and corrected by no report made before it (a ``hủy`` that withdraws one
    # corrects it too); read from the done reports' index alone (a done report withdraws nothing).
    fix = aliased(Report)
    correcting = (col(fix.corrects_report_id).is_not(None), col(fix.reported_at) < cutoff)
    uncorrected: ColumnElement[bool]
    if dialect == "postgresql":  # a hashed set of the few corrected reports
        uncorrected = col(Report.id).not_in(sa_select(col(fix.corrects_report_id)).where(*correcting))
    else:  # SQLite looks each one up in the corrections' index
        uncorrected = ~exists().where(*correcting, col(fix.corrects_report_id) == Report.id)
    counted: list[Any] = [col(Report.assignment_id), func.count(), null(), null(), null(), null()]
    done = sa_select(*counted).where(col(Report.status) == Status.DONE, col(Report.reported_at) < cutoff, uncorrected)
    if dialect == "postgresql":
        # Joined to the listed ids (distinct: a set's), not tested against them (``IN (SELECT unnest …)``):
        # the planner knows how many rows a join brings (the array's length), where it took the semi-join's
        # for 200 and looked up a nation's 87,678 assignments one by one in the index (0.28 s; joined
        # and merged: 0.10 s), and a province's few hundred are still looked up.
        aids = (
            func.unnest(cast(bindparam("ids", type_=String), ARRAY(Integer)))
            .table_valued("aid")
            .render_derived(name="listed")
        )
        done = done.select_from(aids.join(Report, col(Report.assignment_id) == aids.c.aid))
    else:
        done = done.where(col(Report.assignment_id).in_(listed))
    done = done.group_by(col(Report.assignment_id))
    return union_all(extensions, done).order_by(literal_column("approved_at"), literal_column("extension_id"))


def compose(
    session: Session,
    items: Sequence[DueItem],
    channels: Collection[str] | None = None,
    now: datetime | None = None,
) -> tuple[list[Digest], list[int], list[int]]:
    """Group claimed reminders (their lines, as :func:`claim_due_items` read them) into one digest per
    recipient (its items in a digest's order), each to the account they used last (among those on
    ``channels``, when given), leaving out whoever already has a reminder (a retry goes only to those
    it failed for); also return the ids nobody can receive (a unit without a reachable focal point:
    those are held, not dropped) and the ids every recipient already has (to mark sent). What goes
    to a unit's focal points goes to whoever receives for them on the day of ``now`` (default: the
    latest ``send_at``), absences counted (:func:`dondoc.plan.absences.focal_recipients`);
    escalations go to the managers as ever."""
    if not items:
        return [], [], []
    units = {item.unit_id: item.organization_id for item in items}
    day = in_vietnam(now or max(item.send_at for item in items)).date()
    focal_units = {item.unit_id for item in items if item.audience != Audience.MANAGER}
    focal = focal_recipients(session, focal_units, day, channels)
    manager_units = {item.unit_id: units[item.unit_id] for item in items if item.audience == Audience.MANAGER}
    managers = _managers_by_unit(session, manager_units, channels)
    have = delivered(session, [item.reminder_id for item in items])
    digests: dict[tuple[int, str, str, bool], Digest] = {}
    held: list[int] = []
    done: list[int] = []
    # Each unit's people for an audience, read once (an item's recipients are its unit's): the
    # person's id, the digest's key and what the digest takes from them.
    people_of: dict[tuple[int, str], list[_Receiver]] = {}
    for item in items:
        people = people_of.get((item.unit_id, item.audience))
        if people is None:
            people = people_of[(item.unit_id, item.audience)] = _receivers(item, focal, managers)
        if not people:
            held.append(item.reminder_id)
            continue
        missing = [p for p in people if (item.reminder_id, p.person_id) not in have] if have else people
        if not missing:  # everyone it is for has it already (a retry for someone who has since left)
            done.append(item.reminder_id)
            continue
        for receiver in missing:
            digest = digests.get(receiver.key)
            if digest is None:
                digest = digests[receiver.key] = Digest(
                    recipient=receiver.recipient, audience=item.audience, buttons=not receiver.standing_manager
                )
            digest.items.append(item)
            if receiver.covering:
                digest.covering += [c for c in receiver.covering if c not in digest.covering]
    for digest in digests.values():  # (each digest's few items: a nation's 110,000 sorted at once took 54 ms)
        digest.items.sort(key=_DIGEST_ORDER)
    return list(digests.values()), held, done


class _Receiver(NamedTuple):
    recipient: Recipient
    covering: list[Cover]
    standing_manager: bool
    person_id: int
    key: tuple[int, str, str, bool]  # the digest: person, channel, audience, standing in as a manager


def _receivers(
    item: DueItem, focal: dict[int, list[FocalRecipient]], managers: dict[int, list[Recipient]]
) -> list[_Receiver]:
    """Who receives ``item`` (its unit's focal recipients, or managers for an escalation)."""
    people: list[tuple[Recipient, list[Cover], bool]]
    if item.audience == Audience.MANAGER:
        people = [(recipient, [], False) for recipient in managers.get(item.unit_id, [])]
    else:
        people = [(Recipient(r.person, r.account), r.covering, r.manager) for r in focal.get(item.unit_id, [])]
    found = []
    for recipient, covering, standing_manager in people:
        person_id = recipient.person.id or 0
        key = (person_id, recipient.account.channel, item.audience, standing_manager)
        found.append(_Receiver(recipient, covering, standing_manager, person_id, key))
    return found


def delivered(session: Session, reminder_ids: Collection[int]) -> set[tuple[int, int]]:
    """(reminder id, person id) of each of these reminders already delivered to that person."""
    if not reminder_ids:
        return set()
    rows = session.exec(
        select(ReminderDelivery.reminder_id, ReminderDelivery.person_id).where(
            ids_among(session, col(ReminderDelivery.reminder_id), reminder_ids)
        )
    )
    return {(rid, pid) for rid, pid in rows}


def _people_by_unit(
    session: Session, unit_ids: set[int], roles: tuple[MemberRole, ...], channels: Collection[str] | None = None
) -> dict[int, list[Recipient]]:
    found: dict[int, list[Recipient]] = defaultdict(list)
    for member in reachable_members(session, roles, unit_ids=unit_ids, bound=True, channels=channels):
        assert member.account is not None
        if all(r.person.id != member.person.id for r in found[member.unit_id]):
            found[member.unit_id].append(Recipient(member.person, member.account))
    return found


def _managers_by_unit(
    session: Session, units: dict[int, int], channels: Collection[str] | None = None
) -> dict[int, list[Recipient]]:
    """For each unit (id → organisation id): its managers plus its organisation's coordinating
    unit's managers."""
    if not units:
        return {}
    org_ids = set(units.values())
    coordinators = {
        org.id: org.coordinator_code
        for org in session.exec(select(Organization).where(col(Organization.id).in_(org_ids)))
    }
    coordinator_units = {
        (u.organization_id, u.code): u.id
        for u in session.exec(
            select(Unit).where(
                col(Unit.organization_id).in_(org_ids), col(Unit.code).in_([c for c in coordinators.values() if c])
            )
        )
    }
    wanted = set(units) | {i for i in coordinator_units.values() if i is not None}
    managers = _people_by_unit(session, wanted, (MemberRole.MANAGER,), channels)
    result: dict[int, list[Recipient]] = {}
    for unit_id, org_id in units.items():
        people = list(managers.get(unit_id, []))
        coordinator = coordinator_units.get((org_id, coordinators.get(org_id) or ""))
        for recipient in managers.get(coordinator or -1, []):
            if all(r.person.id != recipient.person.id for r in people):
                people.append(recipient)
        result[unit_id] = people
    return result


def mark_sent(session: Session, sent: Sequence[Sent], now: datetime, complete: Collection[int] | None = None) -> None:
    """Record delivered digests: each as the message its person received (:class:`SentDigest`), the
    reminders of ``complete`` (None: all of them) as sent — those that reached everyone they were for
    in this pass — and the others per person in ``reminderdelivery`` (a row already there, from a
    repeated send, is kept), so that their retry leaves out whoever has them. Whatever the batch's
    size, one statement on PostgreSQL (its rows as arrays: ``unnest``), elsewhere three, each one
    executemany."""
    if not sent:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        _mark_sent_pg(session, sent, now, complete)
        return
    digests = [
        {"person_id": person_id, "sent_at": now, "message_id": message_id, "reminder_ids": _id_list(ids)}
        for ids, message_id, person_id in sent
    ]
    first: dict[int, str | None] = {}  # a reminder shared by a unit's focal points: its first message id
    deliveries: dict[tuple[int, int], str | None] = {}  # those still due to others
    for ids, message_id, person_id in sent:
        for rid in ids:
            if complete is None or rid in complete:
                first.setdefault(rid, message_id)
            else:
                deliveries.setdefault((rid, person_id), message_id)
    if dialect == "sqlite":
        _mark_sent_sqlite(session, digests, deliveries, first, now)
        return
    session.connection().execute(SentDigest.__table__.insert(), digests)  # type: ignore[attr-defined]
    if deliveries:
        _record_deliveries(session, deliveries, now)
    if not first:
        return
    statement = (
        update(Reminder)
        .where(col(Reminder.id) == bindparam("rid"), col(Reminder.state) == ReminderState.PENDING)
        .values(state=ReminderState.SENT, sent_at=now, message_id=bindparam("mid"), last_error="")
    )
    session.connection().execute(statement, [{"rid": rid, "mid": mid} for rid, mid in first.items()])


def _id_list(ids: Sequence[int]) -> str:
    """A digest's reminders as :class:`SentDigest` keeps them: ``"12,13,14"``."""
    return ",".join(map(str, ids))


def _mark_sent_sqlite(
    session: Session,
    digests: list[dict[str, Any]],
    deliveries: dict[tuple[int, int], str | None],
    first: dict[int, str | None],
    now: datetime,
) -> None:
    """:func:`mark_sent` on SQLite: the same statements, given to the driver's ``executemany`` with
    the values that are the same on every row (the time, the states) converted once, not per row
    (converting the time was most of the work: some 20 µs a row)."""
    dialect = session.get_bind().dialect
    reminders = Reminder.__table__  # type: ignore[attr-defined]
    table = ReminderDelivery.__table__  # type: ignore[attr-defined]
    messages = SentDigest.__table__  # type: ignore[attr-defined]

    at = _bound(dialect, table.c.sent_at, now)
    connection = session.connection()
    connection.exec_driver_sql(
        f"INSERT INTO {messages.name} (person_id, sent_at, message_id, reminder_ids) VALUES (?, ?, ?, ?)",
        [(d["person_id"], at, d["message_id"], d["reminder_ids"]) for d in digests],
    )
    if deliveries:
        connection.exec_driver_sql(
            f"INSERT INTO {table.name} (reminder_id, person_id, sent_at, message_id) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (reminder_id, person_id) DO NOTHING",
            [(rid, pid, at, mid) for (rid, pid), mid in deliveries.items()],
        )
    if not first:
        return
    by_message: dict[str | None, list[int]] = defaultdict(list)  # one statement per message, not per reminder
    for rid, mid in first.items():
        by_message[mid].append(rid)
    sent, pending = (
        _bound(dialect, reminders.c.state, ReminderState.SENT),
        _bound(dialect, reminders.c.state, ReminderState.PENDING),
    )
    connection.exec_driver_sql(
        f"UPDATE {reminders.name} SET state = ?, sent_at = ?, message_id = ?, last_error = '' "
        "WHERE +state = ? AND id IN (SELECT value FROM json_each(?))",
        [
            (sent, _bound(dialect, reminders.c.sent_at, now), mid, pending, f"[{_id_list(ids)}]")
            for mid, ids in by_message.items()
        ],
    )


def _mark_sent_pg(session: Session, sent: Sequence[Sent], now: datetime, complete: Collection[int] | None) -> None:
    """:func:`mark_sent` on PostgreSQL: :func:`_sent_statement_pg`, in the session's transaction."""
    connection = session.connection()
    connection.exec_driver_sql(*_sent_statement_pg(connection.dialect, sent, now, complete))


def _sent_statement_pg(
    dialect: Dialect, sent: Sequence[Sent], now: datetime, complete: Collection[int] | None
) -> tuple[str, dict[str, Any]]:
    """:func:`mark_sent`'s record as one PostgreSQL statement and its values, whatever the batch's
    size: the messages inserted into ``sentdigest`` from ``unnest(…)``, with the reminders' ``UPDATE …
    FROM unnest(…)`` and the deliveries' ``INSERT … SELECT FROM unnest(…)`` as data-modifying CTEs.
    Each row names its digest by number (1, 2, …) in the batch's few message ids; the integer arrays
    go as the text ``{1,2,3}`` (dumping a list element by element costs more than the statement),
    which PostgreSQL reads as a constant of the type it is cast to. Written as SQL, not built with
    SQLAlchemy's constructs: building those and their cache key took 4 of the 5 ms a record spends
    in the interpreter, a hundred and more records a nation's pass. The statement's shape depends
    only on which parts the batch has (at most four texts: the driver prepares each once). (A
    delivery's foreign key is checked at the end of the statement, on the reminder row the statement
    already updated: no second write of the row.)"""
    deliveries: dict[tuple[int, int], int] = {}  # those still due to others
    first: dict[int, int] = {}  # a reminder shared by a unit's focal points: its first digest
    for number, (ids, _message_id, person_id) in enumerate(sent, start=1):
        for rid in ids:
            if complete is None or rid in complete:
                first.setdefault(rid, number)
            else:
                deliveries.setdefault((rid, person_id), number)
    reminders = Reminder.__table__  # type: ignore[attr-defined]
    at = _bound(dialect, SentDigest.__table__.c.sent_at, now)  # type: ignore[attr-defined]
    values: dict[str, Any] = {
        "at": at,
        "mids": [s.message_id for s in sent],
        "pids": int_array_text(s.person_id for s in sent),
        "lists": [_id_list(s.reminder_ids) for s in sent],
        "digests": int_array_text(range(1, len(sent) + 1)),
    }
    parts: list[str] = []
    if first:
        values |= {
            "rids": int_array_text(first),
            "rdigests": int_array_text(first.values()),
            "sent": _bound(dialect, reminders.c.state, ReminderState.SENT),
            "pending": _bound(dialect, reminders.c.state, ReminderState.PENDING),
            "sent_at": _bound(dialect, reminders.c.sent_at, now),
        }
        # The batch's ids once more, for the key's index: joined to ``s`` alone, the rows were
        # found by hashing the whole outbox, once per batch (a nation's 08:00 has 110,000 pending
        # rows: 25 ms of each record's 42). A replan that writes many rows analyses the outbox
        # (``schedule.ANALYZE_AFTER``), so that the statistics count the pending rows.
        parts.append(
            f"marked AS (UPDATE {reminders.name} SET state = %(sent)s, sent_at = %(sent_at)s,"
            " message_id = (%(mids)s::varchar[])[s.digest], last_error = ''"
            " FROM (SELECT unnest(%(rids)s::integer[]) AS rid, unnest(%(rdigests)s::integer[]) AS digest) AS s"
            f" WHERE {reminders.name}.id = s.rid AND {reminders.name}.id = ANY(%(rids)s::integer[])"
            f" AND {reminders.name}.state = %(pending)s)"
        )
    if deliveries:
        table = ReminderDelivery.__table__  # type: ignore[attr-defined]
        values |= {
            "drids": int_array_text(rid for rid, _pid in deliveries),
            "dpids": int_array_text(pid for _rid, pid in deliveries),
            "ddigests": int_array_text(deliveries.values()),
        }
        parts.append(
            f"recorded AS (INSERT INTO {table.name} (reminder_id, person_id, sent_at, message_id)"
            " SELECT d.rid, d.pid, %(at)s, (%(mids)s::varchar[])[d.digest] FROM (SELECT"
            " unnest(%(drids)s::integer[]) AS rid, unnest(%(dpids)s::integer[]) AS pid,"
            " unnest(%(ddigests)s::integer[]) AS digest) AS d"
            " ON CONFLICT (reminder_id, person_id) DO NOTHING)"
        )
    messages = SentDigest.__table__  # type: ignore[attr-defined]
    statement = (
        ("WITH " + ", ".join(parts) + " " if parts else "")
        + f"INSERT INTO {messages.name} (person_id, sent_at, message_id, reminder_ids)"
        " SELECT m.pid, %(at)s, (%(mids)s::varchar[])[m.digest], m.ids FROM (SELECT"
        " unnest(%(pids)s::integer[]) AS pid, unnest(%(lists)s::varchar[]) AS ids,"
        " unnest(%(digests)s::integer[]) AS digest) AS m"
    )
    return statement, values


def _bound(dialect: Dialect, column: Any, value: Any) -> Any:
    """``value`` as SQLAlchemy writes it to ``column`` (an enum by its name, for one)."""
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process(value) if process is not None else value


class Record(NamedTuple):
    """A batch's record, built (:func:`prepare_record`): ``write`` writes it, in a worker thread; on
    PostgreSQL it is one statement, ``statement`` with ``values``, that a pass runs on the event loop
    instead (:class:`~dondoc.db.session.AsyncStatements`)."""

    write: Callable[[], None]
    statement: str | None = None
    values: dict[str, Any] | None = None


def prepare_record(engine: Engine, sent: Sequence[Sent], now: datetime, complete: Collection[int] | None) -> Record:
    """:func:`mark_sent` in a transaction of its own, as a pass records each batch of messages, in two
    steps: the record is built now and written later, so that a pass builds a batch's record while
    the one before is being written (the building is interpreter work, the writing mostly the
    database's). On PostgreSQL the record is one statement, run as its own transaction (autocommit: no
    ``BEGIN`` and ``COMMIT`` round trips — while a pass renders the next batch, each round trip also
    waits for the interpreter's lock, and the record of a batch took four); elsewhere it is built as
    it is written."""
    if not sent:
        return Record(_nothing)
    if engine.dialect.name != "postgresql":

        def write_here() -> None:
            with session_scope(engine) as session:
                mark_sent(session, sent, now, complete)

        return Record(write_here)
    statement, values = _sent_statement_pg(engine.dialect, sent, now, complete)

    def write() -> None:
        # No ping first for a connection the previous batch used a moment ago: if it died since, the
        # statement fails, SQLAlchemy drops the pool's connections, and the pass keeps the batch to
        # record at its next pass (``Sweeper.unrecorded``), as for any failure to record.
        with retried_on_lost(), engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(statement, values)

    return Record(write, statement, values)


def _nothing() -> None:
    """An empty batch's record."""


def _record_deliveries(session: Session, deliveries: dict[tuple[int, int], str | None], now: datetime) -> None:
    """The per-person record of reminders still due to others, on a database other than SQLite and
    PostgreSQL (those have their own: :func:`_mark_sent_sqlite`, :func:`_mark_sent_pg`)."""
    rows = [
        {"reminder_id": rid, "person_id": pid, "sent_at": now, "message_id": mid}
        for (rid, pid), mid in deliveries.items()
    ]
    # Leave out the rows already there (one process works a reminder at a time).
    have = delivered(session, {rid for rid, _pid in deliveries})
    rows = [row for row in rows if (row["reminder_id"], row["person_id"]) not in have]
    if rows:
        session.connection().execute(ReminderDelivery.__table__.insert(), rows)  # type: ignore[attr-defined]


def mark_done(session: Session, reminder_ids: Sequence[int], now: datetime) -> None:
    """Every recipient of these claimed reminders has them already (recorded per person): sent.

    Here and in the other ``mark_*`` functions a row is written only while it is pending: one a
    completion report cancelled while its pass was under way keeps its cancellation."""
    session.exec(
        update(Reminder)
        .where(col(Reminder.id).in_(reminder_ids), col(Reminder.state) == ReminderState.PENDING)
        .values(state=ReminderState.SENT, sent_at=now, last_error="")
    )


def mark_held(session: Session, reminder_ids: Sequence[int], reason: str) -> None:
    """Nobody can receive these now (no reachable focal point); they wait for one to bind."""
    session.exec(
        update(Reminder)
        .where(col(Reminder.id).in_(reminder_ids), col(Reminder.state) == ReminderState.PENDING)
        .values(state=ReminderState.HELD, last_error=reason)
    )


def mark_muted(session: Session, reminder_ids: Sequence[int]) -> None:
    """Every receiver muted these (check-ins, ``/nhacviec``): not sent, kept as cancelled with the reason."""
    session.exec(
        update(Reminder)
        .where(col(Reminder.id).in_(reminder_ids), col(Reminder.state) == ReminderState.PENDING)
        .values(state=ReminderState.CANCELLED, last_error="muted by its receivers")
    )


def mark_failed(session: Session, reminder_ids: Sequence[int], reason: str) -> None:
    """The channel refused these for good; kept with the reason, for an administrator to see."""
    session.exec(
        update(Reminder)
        .where(col(Reminder.id).in_(reminder_ids), col(Reminder.state) == ReminderState.PENDING)
        .values(state=ReminderState.FAILED, last_error=reason)
    )


def release(session: Session, reminder_ids: Sequence[int], at: datetime, reason: str) -> None:
    """A failed try (rate limit, network trouble): counted, and tried again at ``at``; after
    :data:`MAX_ATTEMPTS` tries the row is given up as failed."""
    session.exec(
        update(Reminder)
        .where(
            col(Reminder.id).in_(reminder_ids),
            col(Reminder.state) == ReminderState.PENDING,
            col(Reminder.attempts) >= MAX_ATTEMPTS - 1,
        )
        .values(state=ReminderState.FAILED, attempts=Reminder.attempts + 1, last_error=reason)
    )
    session.exec(
        update(Reminder)
        .where(col(Reminder.id).in_(reminder_ids), col(Reminder.state) == ReminderState.PENDING)
        .values(send_at=at, attempts=Reminder.attempts + 1, last_error=reason)
    )


def defer(session: Session, reminder_ids: Collection[int], at: datetime, now: datetime) -> None:
    """Pending until ``at``: some of their receivers want them later today (``/nhacviec``). Not a try
    at all: no error is recorded and no attempt counted. ``claimed_at`` (the pass's time, ``now``)
    marks a row claimed before: replanning leaves such a row alone as it does a retry (its planned
    slot is past, :func:`claimed_before`)."""
    session.exec(
        update(Reminder)
        .where(col(Reminder.id).in_(reminder_ids), col(Reminder.state) == ReminderState.PENDING)
        .values(send_at=at, claimed_at=now)
    )


def claimed_before(reminder: Any = Reminder) -> ColumnElement[bool]:
    """Rows claimed by a sweeper before, whatever came of it: retried after a failure (``attempts``
    above 0) or deferred for a receiver's own send time (``claimed_at`` set).
    Their ``send_at`` is no longer their planned time: replanning neither cancels nor moves them."""
    return or_(col(reminder.attempts) > 0, col(reminder.claimed_at).is_not(None))


def was_claimed(reminder: Reminder) -> bool:
    """:func:`claimed_before` for a row already read."""
    return reminder.attempts > 0 or reminder.claimed_at is not None


def release_held(session: Session, unit_id: int, now: datetime) -> int:
    """A focal point bound to the unit: its held reminders go out at the next sweep."""
    result = session.exec(
        update(Reminder)
        .where(
            col(Reminder.state) == ReminderState.HELD,
            col(Reminder.assignment_id).in_(select(Assignment.id).where(Assignment.unit_id == unit_id)),
        )
        .values(state=ReminderState.PENDING, send_at=now)
    )
    return int(result.rowcount or 0)

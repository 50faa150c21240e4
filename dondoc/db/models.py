"""The store: every table of the mission, even those that later features fill.

Domain words follow the plan's own: an ``Organization`` (cơ quan ban hành kế hoạch) has ``Unit``s
(cơ quan, đơn vị) and ``UnitGroup``s ("UBND các xã, thị trấn"); a ``Plan`` (kế hoạch) has ``Area``s
(lĩnh vực) and ``Task``s (nhiệm vụ); each task has ``Occurrence``s (one due date each) and
``Assignment``s (task × unit, role lead = chủ trì / support = phối hợp). People reach the bot
through ``ChannelAccount``s and act for units through ``Membership``s (đầu mối, cấp phó, lãnh đạo,
quản trị). ``Report``s (báo cáo tiến độ) are append-only; ``Conversation`` holds the state of a
chat flow; ``Reminder`` is the outbox the sweeper drains.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel


class Role(StrEnum):
    """Role of a unit in a task (vai trò)."""

    LEAD = "lead"  # chủ trì
    SUPPORT = "support"  # phối hợp


class MemberRole(StrEnum):
    """Role of a person in a unit."""

    FOCAL = "focal"  # đầu mối
    DEPUTY = "deputy"  # cấp phó / người thay thế
    MANAGER = "manager"  # lãnh đạo
    ADMIN = "admin"  # quản trị
    PROVINCE = "province"  # cấp tỉnh: sees every organisation under its own, reports for none


class Status(StrEnum):
    """Reported state of an assignment (tình trạng)."""

    NOT_STARTED = "not_started"  # Chưa thực hiện
    IN_PROGRESS = "in_progress"  # Đang thực hiện
    DONE = "done"  # Hoàn thành
    BLOCKED = "blocked"  # Vướng mắc


class DeadlineKind(StrEnum):
    FIXED = "fixed"
    RECURRING = "recurring"
    CONTINUOUS = "continuous"
    UNDATED = "undated"  # counted from the plan's issue date, not known yet: no due date, never overdue


class ReminderState(StrEnum):
    PENDING = "pending"
    # A reminder row taken by a sweeper (before release 0020, which leases organisations instead:
    # :class:`OutboxLease`); still a dispatch's state while it is being sent (:class:`Dispatch`).
    CLAIMED = "claimed"
    SENT = "sent"
    CANCELLED = "cancelled"
    FAILED = "failed"
    HELD = "held"  # nobody can receive it yet (no reachable focal point); released when one binds


class Organization(SQLModel, table=True):
    """The body that issues plans: a ministry, a province, a commune (cơ quan ban hành)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    coordinator_code: str | None = None  # the unit that follows plans up; escalations reach it
    # The organisation this one belongs to (a district's province: ``parent:`` in the registry); the
    # province role of the parent sees this one's status and exports.
    parent_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Unit(SQLModel, table=True):
    """A unit that leads or supports tasks (cơ quan, đơn vị)."""

    __table_args__ = (UniqueConstraint("organization_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    code: str
    name: str
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: int = 0  # order in the registry, for stable listings
    active: bool = True  # False once dropped from the registry while it still has history


class UnitGroup(SQLModel, table=True):
    """A collective name that expands to units ("UBND các xã, thị trấn")."""

    __table_args__ = (UniqueConstraint("organization_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    code: str
    name: str
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    all_units: bool = False  # members: all


class UnitGroupMember(SQLModel, table=True):
    group_id: int = Field(foreign_key="unitgroup.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)


class Plan(SQLModel, table=True):
    """An action plan (kế hoạch) with its appendix of tasks."""

    __table_args__ = (UniqueConstraint("organization_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    key: str  # stable identity across re-imports, default the year
    title: str
    year: int
    source_file: str = ""
    source_sha256: str = ""
    imported_at: datetime | None = None
    # The last import's warnings (what was left out or assumed), as Problem.to_json() dicts.
    warnings: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Area(SQLModel, table=True):
    """A group of tasks headed by a Roman numeral (lĩnh vực)."""

    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    code: str  # "I", "II", … ("" when the appendix has no areas)
    title: str
    position: int = 0


class Task(SQLModel, table=True):
    """One row of the appendix (nhiệm vụ)."""

    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    area_id: int | None = Field(default=None, foreign_key="area.id")
    code: str  # "III.4"
    number: str  # STT as written, "4"
    title: str
    product: str = ""
    note: str = ""
    deadline_text: str = ""
    deadline_kind: DeadlineKind = DeadlineKind.FIXED
    deadline_every: str | None = None
    source_row: int = 0
    position: int = 0  # order in the appendix
    active: bool = True  # False once dropped from a re-imported appendix while it has reports


class Occurrence(SQLModel, table=True):
    """One due date of a task (a recurring task has one per period)."""

    __table_args__ = (UniqueConstraint("task_id", "due"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    due: date


class Assignment(SQLModel, table=True):
    """A unit's part in a task: lead (chủ trì) or support (phối hợp)."""

    __table_args__ = (UniqueConstraint("task_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    role: Role
    position: int = 0  # order in which the appendix names the unit for this role
    active: bool = True


class Person(SQLModel, table=True):
    """Someone who talks to the bot."""

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    full_name: str = ""
    language: str | None = None  # stored choice (/lang); None = from the channel, else vi
    unreachable: bool = False  # the channel refused delivery (blocked the bot)
    created_at: datetime


class ReminderSetting(SQLModel, table=True):
    """A person's own reminder settings (``/nhacviec``, ``dondoc people settings``); a field left None
    follows the organisation's reminder policy. Applied by :mod:`dondoc.scheduler.personal`."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    send_time: time | None = None  # within the calendar's office hours
    frequency: str | None = None  # "daily" | "weekly" (a weekly digest of the non-urgent reminders)
    digest_weekday: int | None = None  # 0 = Monday … 4 = Friday, with "weekly"
    mute_checkins: bool | None = None  # no check-ins of continuous tasks
    updated_at: datetime


class ChannelAccount(SQLModel, table=True):
    """A person's identity on a channel (telegram, zalo, sandbox)."""

    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    channel: str
    external_id: str  # the channel's user id, as a string
    chat_id: str  # where to send messages
    language_code: str | None = None  # the language the channel reports; only name, unit, role, channel
    # ids and language are kept about a person (Decree 13/2023/NĐ-CP: no usernames, no profiles)
    # When the person last wrote from this account (a message, a command, a button): reminders go to
    # the account used last (None: not since this was recorded; then the oldest account).
    last_used_at: datetime | None = None


class ZaloBot(SQLModel, table=True):
    """A Zalo bot the registry names (``channels: zalo: bots``); its channel key is ``zalo:<name>``.
    Zalo's free plan allows 50 users a bot, so a district or a province shares its units out."""

    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    name: str  # lowercase letters, digits, -
    display_name: str  # what people search for in Zalo ("Bot CCHC Long Mỹ 1")
    token_env: str  # the variable holding its token (never the token itself)
    units: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # unit codes served
    position: int = 0  # order in the registry


class Membership(SQLModel, table=True):
    """A person acting for a unit in a role."""

    __table_args__ = (UniqueConstraint("person_id", "unit_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    role: MemberRole
    created_at: datetime


class Invite(SQLModel, table=True):
    """A one-time code that binds a chat account to a unit and role; only its hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(unique=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    role: MemberRole
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    used_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    # A link code (``/link``): redeeming it adds the chat account to this person instead of a new one.
    link_person_id: int | None = Field(default=None, foreign_key="person.id")
    created_by_person_id: int | None = Field(default=None, foreign_key="person.id")  # None: the command line
    revoked_at: datetime | None = None  # withdrawn by an administrator (or when its maker was forgotten)


class InviteAttempt(SQLModel, table=True):
    """A wrong invite code sent from a chat (the code itself is never stored): guessing is slowed by
    :mod:`dondoc.plan.invite_guard`, and administrators see the attempts."""

    __table_args__ = (Index("ix_inviteattempt_chat_time", "channel", "chat_id", "attempted_at"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    chat_id: str
    attempted_at: datetime


class InviteLock(SQLModel, table=True):
    """A chat refused invite codes until ``locked_until`` after too many wrong ones; ``lockouts`` counts
    the lockouts in a row (each one twice as long as the one before)."""

    __table_args__ = (UniqueConstraint("channel", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    chat_id: str
    locked_at: datetime
    locked_until: datetime
    lockouts: int = 1
    refused: int = 0  # codes sent while locked (not checked)


class Report(SQLModel, table=True):
    """A progress report on an assignment (báo cáo tiến độ). Append-only: a fix is a new report."""

    __table_args__ = (
        Index("ix_report_assignment_time", "assignment_id", "reported_at"),
        # The done reports only (each closes a deadline): what the categories read of an assignment's
        # past besides its newest report, without visiting the others (migration 0016_pgperf), and
        # their completion date, so that /status reads them from the index alone (0018_donecover).
        Index(
            "ix_report_done",
            "assignment_id",
            "reported_at",
            "id",
            "completed_on",
            postgresql_where=text("status = 'DONE'"),
            sqlite_where=text("status = 'DONE'"),
        ),
        # Each assignment's newest report and its status, read from the index alone (one backward
        # step per assignment): what /status and the roll-ups need of the reports besides the done
        # ones (migration 0017_statusperf).
        Index("ix_report_newest", "assignment_id", "reported_at", "id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id")
    status: Status
    percent: int = 0
    note: str = ""
    blocked_reason: str = ""
    completed_on: date | None = None  # for status done: the completion date
    evidence_ref: str = ""  # a document number such as "15/KH-UBND"
    evidence_file_id: str = ""  # channel file id of a photo or PDF
    evidence_kind: str = ""  # photo | document
    reported_at: datetime
    reporter_person_id: int | None = Field(default=None, foreign_key="person.id")
    entered_by_admin: bool = False  # recorded on the unit's behalf (paper, phone)
    # The "Hoàn thành" report this one corrects (set by add_report): that one no longer closes its
    # deadline, this one takes its place. Both stay in the history.
    corrects_report_id: int | None = Field(default=None, foreign_key="report.id", index=True)
    # ``hủy`` of a report (the one this corrects) that nothing stood before on its deadline (the unit's
    # first report, or its first after a done report closed the deadline before): this report and the
    # one it withdraws count as never made — the assignment stands as if neither had been (still
    # unanswered, reminded as before); both stay in the history. Always "not started", 0 %
    # (:mod:`dondoc.plan.progress`, :func:`dondoc.db.queries.standing`; migration 0022_withdraws).
    withdraws: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # ``hủy`` of a report when another stood before it: this report copies that one's state, and views
    # show that one (its date, note and reporter) — the undone report and this one count as never made
    # (:func:`dondoc.plan.progress.restored_reports`; migration 0023_restores). A plain id: reports are
    # removed only with their plan.
    restores_report_id: int | None = None


class Conversation(SQLModel, table=True):
    """State of a chat flow, so a restart or a second process resumes it."""

    __table_args__ = (UniqueConstraint("channel", "chat_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    chat_id: str
    user_id: str
    flow: str
    step: str
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = 0  # bumped on every step; buttons carry it so stale ones are refused
    updated_at: datetime


class ReminderKind(StrEnum):
    """What a reminder is about (stored as its value in ``reminder.kind``); labelled for people by
    :func:`dondoc.handlers.reminders.kind_label`."""

    BEFORE = "before"  # a deadline is coming
    DUE = "due"  # the deadline is today
    OVERDUE = "overdue"  # the deadline has passed
    ESCALATION = "escalation"  # the deadline has passed: to the managers
    CHECKIN = "checkin"  # a continuous task's periodic check-in
    SNOOZE = "snooze"  # one a person asked for again; replanning leaves it alone
    EXPLANATION = "explanation"  # an explanation (giải trình) asked for is not answered yet: to the focal points
    EXTENSION = "extension"  # a request for more time waits for an answer: to the managers


class Audience(StrEnum):
    """Who a reminder goes to (stored as its value in ``reminder.audience``)."""

    FOCAL = "focal"  # the unit's focal points and deputies
    MANAGER = "manager"  # the unit's managers and the coordinating unit's


class Reminder(SQLModel, table=True):
    """The outbox: one row per reminder item; the unique key makes re-planning idempotent."""

    # No index names a column that sending writes (``state``, ``sent_at``, ``message_id``,
    # ``last_error``): marking a row sent then rewrites it in its own page, its index entries left as
    # they are (PostgreSQL's heap-only update; the table keeps room for it, migration 0021). The pending
    # rows are found through :class:`ReminderDue`; the later ones (replanning) through ``send_at``.
    __table_args__ = (
        UniqueConstraint("assignment_id", "due", "kind", "send_on"),
        Index("ix_reminder_send_at", "send_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id")
    due: date  # the occurrence's due date (the check-in date for continuous tasks)
    kind: str  # a ReminderKind
    send_on: date
    send_at: datetime
    audience: str = Audience.FOCAL  # an Audience
    state: ReminderState = ReminderState.PENDING
    attempts: int = 0
    claimed_at: datetime | None = None
    claimed_by: str | None = None
    sent_at: datetime | None = None
    message_id: str | None = None
    last_error: str = ""


class ReminderDue(SQLModel, table=True):
    """The pending reminders by send time: a row for each :class:`Reminder` whose state is
    ``pending``, with its ``send_at`` and what a pass's claim reads of it (its own columns, its
    assignment's task and unit, the unit's organisation), kept so by the database itself (triggers on
    ``reminder``, migrations 0021 and 0024), whatever statement changes a reminder. A pass finds and
    reads what is due here alone: an index on the reminder's ``state`` would make every sent row's
    update write three index entries (a nation's 08:00 pass: 110,000 rows, two thirds of its database
    time), and joining the reminders, assignments and units was most of its claim's."""

    # No foreign key: the triggers delete a reminder's row with it, and the key's check, planned once
    # per connection, read the whole outbox for each row when planned on an empty one (a first
    # replan's 110,000 rows took minutes). An assignment never changes its task or unit, nor a unit
    # its organisation: the copies stay true.
    reminder_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    send_at: datetime = Field(index=True)
    assignment_id: int
    kind: str  # a ReminderKind
    due: date
    attempts: int
    audience: str  # an Audience
    task_id: int
    unit_id: int
    organization_id: int


class OutboxLease(SQLModel, table=True):
    """A sweeper's hold on an organisation's due reminders for one pass: the pass reads them, sends and
    marks each sent (one write a reminder: pending → sent), and gives the lease back at its end. A
    lease older than :data:`~dondoc.scheduler.outbox.LEASE` belongs to a process that died: another
    takes it over and sends what was not recorded (at-least-once). Everything one person receives at a
    send time belongs to one organisation (its units, its coordinator's managers), so one pass holds
    all of a digest."""

    organization_id: int = Field(primary_key=True, foreign_key="organization.id", ondelete="CASCADE")
    holder: str
    taken_at: datetime


class ReminderDelivery(SQLModel, table=True):
    """One reminder delivered to one person while it was still due to others: a reminder shared by
    several people (a unit's focal point and deputies, its managers) is tried again only for those
    who do not have it yet, so a send failing for one of them never repeats it to the others (in any
    process, after a restart). A reminder that reached everyone it was for in the pass that sent it
    needs no such row (it is ``sent``, never tried again): what each person received is
    :class:`SentDigest`."""

    __table_args__ = (UniqueConstraint("reminder_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    reminder_id: int = Field(foreign_key="reminder.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True)
    sent_at: datetime
    message_id: str | None = None


class SentDigest(SQLModel, table=True):
    """One message of reminders that reached one person: when, its message id on the channel, and
    the reminders it carried (their ids, comma-separated: one row per message, not per reminder,
    which is what a pass writes). ``people export`` shows a person theirs."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    sent_at: datetime
    message_id: str | None = None
    reminder_ids: str = ""  # "12,13,14"


class Dispatch(SQLModel, table=True):
    """A one-off message that must go out once (the weekly managers' digest): its unique key is
    claimed before sending, so a restart or a second process does not send it again."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # e.g. "weekly:2022-W05:person:12"
    state: ReminderState = ReminderState.CLAIMED
    claimed_at: datetime
    sent_at: datetime | None = None
    message_id: str | None = None


class MessageCount(SQLModel, table=True):
    """How many messages a channel key carried in a month (Asia/Ho_Chi_Minh), in one direction: the
    meter of the message budget (Zalo's free plan counts both directions). Incremented atomically
    by :func:`dondoc.db.usage.count_messages`, so several processes count together."""

    __table_args__ = (UniqueConstraint("channel", "month", "direction"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str  # a channel key: "telegram", "zalo", "zalo:<name>"
    month: str  # "2022-03", in Vietnam time
    direction: str  # "in" | "out"
    count: int = 0


class QuotaHold(SQLModel, table=True):
    """The channel said its monthly quota is spent: reminders on this channel key are held until the
    next month, or until its budget is raised above ``budget`` (the budget in force then)."""

    __table_args__ = (UniqueConstraint("channel", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    month: str
    budget: int | None = None
    held_at: datetime
    released_at: datetime | None = None


class StoredFile(SQLModel, table=True):
    """A file a person sent whose channel keeps no copy for the bot (a Zalo photo's URL is temporary):
    its bytes, kept here so evidence survives. A report refers to it as ``stored:<id>`` in
    ``evidence_file_id``."""

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    chat_id: str
    kind: str  # photo | document
    mime_type: str = ""
    file_name: str = ""
    size: int = 0
    sha256: str
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime


class ChatChoices(SQLModel, table=True):
    """The numbered choices of the last message sent to a chat on a channel without buttons (Zalo)
    that offered choices not the conversation's own (a reminder digest's): what typing a number or a
    label picks while no conversation is under way, with which items were answered (see
    :mod:`dondoc.bot.zalo.channel`). Replaced by the next message offering such choices."""

    __table_args__ = (UniqueConstraint("channel", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    chat_id: str
    choices: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime


class WebhookDelivery(SQLModel, table=True):
    """One update a webhook took in (Telegram's ``update_id``, a Zalo bot's message id): the unique
    key is inserted before the update is handled, so a delivery the platform repeats is dropped, in
    every process on the store. Rows older than a week are pruned."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("channel", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str  # the channel key: "telegram", "zalo", "zalo:<name>"
    key: str  # the update's id on that channel
    received_at: datetime = Field(index=True)


class TargetKind(StrEnum):
    """How a plan target's value is made from the units' figures."""

    RATIO = "ratio"  # Σ numerators ÷ Σ denominators
    SHARE = "share"  # units answering yes ÷ units reporting
    PERCENT = "percent"  # each unit reports a rate; the value is their mean


class PlanTarget(SQLModel, table=True):
    """A quantified target of the plan (chỉ tiêu): what units report, how often, and its goal."""

    __tablename__ = "plantarget"
    __table_args__ = (UniqueConstraint("organization_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    code: str
    text: str
    kind: str  # a TargetKind
    numerator: str = ""  # what the numerator counts (ratio), or the yes/no question (share)
    denominator: str = ""
    goal: str  # as written: ">= 95%"
    every: str = "quarter"  # month | quarter | half-year | year
    units: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # unit codes
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # one-line words
    position: int = 0
    active: bool = True  # False once dropped from the targets file while it has figures


class Figure(SQLModel, table=True):
    """A unit's figures for a target and period. Append-only: a correction is a new row, the newest
    counts and the history keeps every one."""

    __table_args__ = (Index("ix_figure_target_period_unit", "target_id", "period", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    target_id: int = Field(foreign_key="plantarget.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    period: str  # "2022-Q1", "2022-03", "2022-H1", "2022"
    numerator: int | None = None  # ratio
    denominator: int | None = None  # ratio
    answer: bool | None = None  # share: yes or no
    rate: float | None = None  # percent: 0..1
    reported_at: datetime
    reporter_person_id: int | None = Field(default=None, foreign_key="person.id")
    entered_by_admin: bool = False  # recorded on the unit's behalf (paper)


class ExtensionState(StrEnum):
    """Where a request for more time stands (đề nghị gia hạn)."""

    PENDING = "pending"  # asked, nobody answered yet
    APPROVED = "approved"  # Đồng ý
    REJECTED = "rejected"  # Không đồng ý


class Extension(SQLModel, table=True):
    """A unit's request for more time on one deadline of an assignment (đề nghị gia hạn), and its answer.

    ``due`` is the occurrence's original due date (kept and shown); an approved request moves the
    deadline to ``new_due`` (the newest approved one counts). See :mod:`dondoc.plan.extensions`."""

    __table_args__ = (Index("ix_extension_assignment_due", "assignment_id", "due"),)

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id")
    due: date  # the occurrence's original due date
    new_due: date  # the date asked for
    reason: str = ""
    state: str = ExtensionState.PENDING  # an ExtensionState
    requested_at: datetime
    requested_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    answered_at: datetime | None = None
    answered_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    answer_note: str = ""  # the reason given with the answer
    entered_by_admin: bool = False  # approved on paper, recorded by an administrator


class AdhocTask(SQLModel, table=True):
    """The source of a task given outside the plan (giao việc, nhiệm vụ phát sinh): who gave it,
    when, from which document. The task itself is an ordinary :class:`Task`."""

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", unique=True)
    given_at: datetime
    given_by_person_id: int | None = Field(default=None, foreign_key="person.id")  # None: the command line
    document: str = ""  # the letter or conclusion it comes from ("Thông báo 15/TB-UBND")


class Explanation(SQLModel, table=True):
    """A manager's request that a unit explain an overdue item (yêu cầu giải trình), and its answer.

    About one deadline (``due``, the occurrence's original date) of one assignment; the unit's focal
    points answer by ``answer_due`` (3 working days after the request by default). The request is
    written once and its answer once (the first answer stands): see :mod:`dondoc.plan.explanations`."""

    __table_args__ = (Index("ix_explanation_assignment_due", "assignment_id", "due"),)

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id")
    due: date  # the overdue occurrence's original due date
    answer_due: date  # the day the explanation is due
    requested_at: datetime
    requested_by_person_id: int | None = Field(default=None, foreign_key="person.id")  # None: the command line
    entered_by_admin: bool = False  # asked on paper, recorded by an administrator
    answer: str = ""  # the unit's explanation
    answered_at: datetime | None = None
    answered_by_person_id: int | None = Field(default=None, foreign_key="person.id")


class Absence(SQLModel, table=True):
    """A person away (vắng mặt) from ``starts_on`` to ``ends_on``, both days included: meanwhile the
    reminders they would get as a focal point or deputy go to whoever stands in for them
    (:func:`dondoc.plan.absences.focal_recipients`). Cancelled, not deleted."""

    __table_args__ = (Index("ix_absence_person_dates", "person_id", "starts_on", "ends_on"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    organization_id: int = Field(foreign_key="organization.id", index=True)
    starts_on: date
    ends_on: date  # inclusive
    reason: str = ""
    recorded_at: datetime
    recorded_by_person_id: int | None = Field(default=None, foreign_key="person.id")  # None: the command line
    cancelled_at: datetime | None = None
    cancelled_by_person_id: int | None = Field(default=None, foreign_key="person.id")

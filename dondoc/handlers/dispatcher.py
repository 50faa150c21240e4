"""The entry point of the handlers: one inbound event in, replies out.

Each event runs in one database transaction: identity, conversation state and whatever the
handler writes commit together, so a restart or a second process resumes exactly where the
conversation was. Handlers are synchronous; channel adapters run :meth:`Dispatcher.handle` in a
worker thread so the event loop never blocks on the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from dondoc.db.errors import lost_before_commit, unavailable
from dondoc.db.models import MemberRole
from dondoc.db.session import retried_on_lost, session_scope
from dondoc.db.usage import count_messages
from dondoc.handlers import (
    absences,
    adhoc,
    explanations,
    extensions,
    figures,
    onboarding,
    oneline,
    people,
    personal,
    reminders,
    report,
    status,
    tasks,
)
from dondoc.handlers import ranking as ranking_handler
from dondoc.handlers.context import (
    MANAGING_ROLES,
    REPORTING_ROLES,
    VIEWING_ROLES,
    Context,
    ConversationConflict,
    Deployment,
    Flow,
    MenuFlow,
)
from dondoc.handlers.events import Inbound, Reply, channel_family, clean_inbound, esc
from dondoc.i18n import N_, _, normalize_language, use_language
from dondoc.scheduler.clock import Clock

log = logging.getLogger(__name__)

# An event that meets another process's change to the same chat is run again from the start.
ATTEMPTS = 3

Handler = Callable[[Context, str], None]


@dataclass(frozen=True)
class Command:
    name: str
    run: Handler
    roles: tuple[MemberRole, ...] | None  # None: anyone bound to a unit
    help: str  # msgid, translated when listed


EVERYONE = None
COMMANDS: tuple[Command, ...] = (
    Command("tasks", tasks.list_tasks, REPORTING_ROLES, N_("your unit's tasks, nearest deadline first")),
    Command("report", report.start, REPORTING_ROLES, N_("report progress on a task")),
    Command("history", tasks.history, EVERYONE, N_("all reports on a task: /history III.4")),
    Command("status", status.show_status, VIEWING_ROLES, N_("the plan's state by category and area; /status UNIT")),
    Command("overdue", status.overdue, VIEWING_ROLES, N_("overdue items by unit")),
    Command("task", status.task_detail, VIEWING_ROLES, N_("every unit's report on a task: /task III.4")),
    Command("nonresponders", status.nonresponders, VIEWING_ROLES, N_("units that have not reported")),
    Command("figures", figures.start, REPORTING_ROLES, N_("send your unit's figures for the plan's targets")),
    Command(
        "targets", figures.show_targets, MANAGING_ROLES, N_("the plan's targets against their goals; /targets CODE")
    ),
    Command("giahan", extensions.command, EVERYONE, N_("ask for more time on a task: /giahan I.2 30/06 REASON")),
    Command(
        "giaitrinh",
        explanations.command,
        EVERYONE,
        N_("explanations of overdue items: /giaitrinh XP III.4 (managers), /giaitrinh III.4 TEXT (focal points)"),
    ),
    Command(
        "giaoviec",
        adhoc.command,
        MANAGING_ROLES,
        N_(
            "give a task outside the plan: /giaoviec XP, LN TEXT hạn 15/06 or"
            " /giaoviec Phòng Nội vụ, Phòng Tư pháp: TEXT hạn 15/06"
        ),
    ),
    Command(
        "vangmat", absences.command, EVERYONE, N_("away: your reminders go to your deputy: /vangmat 10/06 20/06 REASON")
    ),
    Command("export", status.export, VIEWING_ROLES, N_("the status workbook (xlsx)")),
    Command("chart", status.chart, VIEWING_ROLES, N_("the status as a chart")),
    Command(
        "ranking",
        ranking_handler.command,
        VIEWING_ROLES,
        N_("units' scores, bands and ranks: /ranking [q1|half|q3|year] [worst]"),
    ),
    Command(
        "invite",
        onboarding.invite,
        (MemberRole.ADMIN,),
        N_("invite someone: /invite UNIT focal|deputy|manager|admin"),
    ),
    Command(
        "people",
        people.people,
        (MemberRole.ADMIN,),
        N_("who is bound; remove someone, revoke an invite: /people [UNIT]"),
    ),
    Command("whoami", onboarding.whoami, EVERYONE, N_("your units and roles")),
    Command(
        "nhacviec",
        personal.command,
        EVERYONE,
        N_("your reminders: send time, weekly digest, check-ins: /nhacviec gio 14:00"),
    ),
    Command("link", onboarding.link, EVERYONE, N_("use another chat too (Zalo, Telegram): /link")),
    Command("lang", onboarding.language, EVERYONE, N_("language: /lang vi or /lang en")),
    Command("cancel", onboarding.cancel, EVERYONE, N_("stop what you are doing")),
    Command("help", onboarding.help_command, EVERYONE, N_("this list")),
)
_BY_NAME = {c.name: c for c in COMMANDS}
# The forms (not lists on screen) whose idle closing is named, by the command that opens them.
IDLE_NAMES = {
    figures.FLOW_NAME: "figures",
    extensions.FLOW_NAME: "giahan",
    explanations.FLOW_NAME: "giaitrinh",
    absences.FLOW_NAME: "vangmat",
    people.FLOW_NAME: "people",
}
FLOWS: dict[str, Flow] = {
    report.FLOW_NAME: report.FLOW,
    "tasks": tasks.FLOW,
    "lang": onboarding.LANG_FLOW,
    "pages": status.PAGES_FLOW,
    people.FLOW_NAME: people.FLOW,
    figures.FLOW_NAME: figures.FLOW,
    extensions.FLOW_NAME: extensions.FLOW,
    explanations.FLOW_NAME: explanations.FLOW,
    absences.FLOW_NAME: absences.FLOW,
    personal.FLOW_NAME: personal.FLOW,
    ranking_handler.FLOW_NAME: ranking_handler.FLOW,
}


class Dispatcher:
    """Routes inbound events to commands and conversations, with their state in the database."""

    def __init__(self, engine: Engine, clock: Clock, settings: Deployment | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self.settings = settings or Deployment()

    def handle(self, inbound: Inbound, *, count_on: str | None = None) -> list[Reply]:
        """The replies to ``inbound``. The event's transaction commits before any reply is returned: when
        the database cannot be reached (or stays locked), nothing is written and the person is told the
        system is busy and that what they sent was not saved (:class:`Busy`), never that it was.

        ``count_on``: the channel key whose message meter counts ``inbound`` (the message budget), in
        the event's transaction: one commit per message rather than two."""
        inbound = clean_inbound(inbound)  # nothing typed carries control characters (NUL) into the store
        last: Exception | None = None
        reconnected = False
        attempt = 0
        while attempt < ATTEMPTS:
            try:
                with retried_on_lost():  # no ping before the transaction: a dead connection is retried here
                    return self._handle_once(inbound, count_on)
            except Exception as exc:
                if lost_before_commit(exc) and not reconnected:
                    # A pooled connection that died (a restarted server): nothing was written; once
                    # more on a new connection before telling the person the system is busy.
                    reconnected = True
                    log.info("chat %s: the database connection was lost; trying again: %s", inbound.chat_id, exc)
                    continue
                attempt += 1
                if not _collided(exc):
                    if not unavailable(exc):
                        raise
                    log.warning("chat %s: the database is unavailable: %s", inbound.chat_id, _first_line(exc))
                    return [busy_reply(inbound.language_code)]
                last = exc
                log.info("chat %s: collided with another process (attempt %d): %s", inbound.chat_id, attempt, exc)
        if isinstance(last, OperationalError):  # still locked after every attempt: busy, not a collision
            log.warning("chat %s: the database stayed locked: %s", inbound.chat_id, _first_line(last))
            return [busy_reply(inbound.language_code)]
        with use_language(normalize_language(inbound.language_code)):
            text = _("Another action in this chat was being handled at the same moment. Please repeat what you did.")
            return [Reply(text=text, toast=_("Please repeat"))]

    def _handle_once(self, inbound: Inbound, count_on: str | None = None) -> list[Reply]:
        with session_scope(self.engine) as session:
            ctx = Context(session=session, inbound=inbound, now=self.clock.now(), settings=self.settings)
            postgresql = session.get_bind().dialect.name == "postgresql"
            # The account's chat and time of use (set below) in the loading's statement on
            # PostgreSQL: an UPDATE less at every event (a data-modifying WITH is PostgreSQL's).
            ctx.load(touch=postgresql and inbound.private and not inbound.edited)
            buttons_before = ctx.seen_version if ctx.showing_buttons() else None
            with use_language(self._language(ctx)):
                if inbound.edited:
                    self._edited(ctx)
                elif not inbound.private:
                    self._elsewhere(ctx)
                else:
                    self._route(ctx)
                    account = ctx.account
                    if account is not None and (account.chat_id, account.last_used_at) != (inbound.chat_id, ctx.now):
                        # Reminders go to the account the person used last: recorded with the event (on
                        # PostgreSQL already written for an account that was there: left alone, the
                        # account is nothing for the commit to look at).
                        account.chat_id, account.last_used_at = inbound.chat_id, ctx.now
            # The person, account, memberships and units were loaded apart from the session: what
            # the event changed in them is written with it.
            ctx.keep_changes()
            # The message meter counts the event last, its own writes flushed before, just before
            # the commit: the meter's row is every event's on the channel, and each holds it from its
            # count to its commit. Counted as the event was loaded, a manager's /export held every
            # other person's message back for as long as the workbook took (seconds for a province).
            session.flush()
            counted = ctx.save_conversation(count_on if postgresql else None)
            if count_on is not None and not counted:
                count_messages(session, count_on, "in", ctx.now)
            replies = ctx.replies
            conv = ctx.conversation
            if buttons_before is not None and conv is not None and conv.version != buttons_before:
                # The question that offered them is behind us: its buttons go.
                replies.insert(0, Reply(text="", drop_keyboard=True))
            return replies

    def _edited(self, ctx: Context) -> None:
        """A message edited after it was sent is never acted on: an edited ``/report`` or one-line
        report would otherwise run again, and an edit changes nothing already recorded. Someone the
        bot knows is told, in their private chat, to send a new message; a stranger or a group gets
        nothing, and nothing is written."""
        if ctx.inbound.private and ctx.known:
            ctx.reply(_("The bot does not act on edited messages; please send a new message."))

    def _elsewhere(self, ctx: Context) -> None:
        """A group (or any chat but the private one): nothing is done there and nothing moves the
        person's delivery chat; commands and presses are told where to go."""
        if channel_family(ctx.inbound.channel) == "telegram" and self.settings.bot_username:
            text = _("I work only in a private chat. Please write to me directly: https://t.me/{bot}").format(
                bot=esc(self.settings.bot_username)
            )
        else:  # no link to give: on Zalo the person finds the bot by its name
            text = _("I work only in a private chat. Please write to me directly.")
        if ctx.inbound.choice is not None:
            ctx.reply("", toast=_("Please write to me in a private chat."))
        elif ctx.inbound.text.strip().startswith("/"):
            ctx.reply(text)

    @staticmethod
    def _language(ctx: Context) -> str:
        if ctx.person is not None and ctx.person.language:
            return ctx.person.language
        return normalize_language(ctx.inbound.language_code)

    def _route(self, ctx: Context) -> None:
        closed = self._close_idle(ctx)
        first = len(ctx.replies)
        self._route_open(ctx, quiet=closed is not None)
        if closed is not None:  # said first, in the same message as the answer to what was typed
            report.lead(ctx, first, closed)

    def _close_idle(self, ctx: Context) -> str | None:
        """End a conversation left alone too long; what to tell the person of it (None: nothing). An
        unfinished report is named with the line that saves it (what was just typed read as its
        answer); a list on screen goes silently; another unfinished form is named by its command."""
        if not ctx.idle():
            return None
        inbound, flow = ctx.inbound, ctx.flow
        # What was typed (or pressed) as the answer to the report's open question, unless it is a
        # one-line report of its own (recorded as such after this).
        typed = "" if oneline.names_own_task(ctx, inbound.text) else inbound.text
        pressed = ctx.resolve_button(inbound.choice) if inbound.choice is not None else None
        said = report.unfinished(ctx, typed, idle=True, action=pressed)
        if said is None and flow in IDLE_NAMES:
            said = _(
                "What you had started with /{command} was left unfinished for more than 30 minutes and has "
                "been closed; nothing was saved."
            ).format(command=IDLE_NAMES[flow])
        ctx.end()
        return said

    def _route_open(self, ctx: Context, *, quiet: bool = False) -> None:
        """Route the event; ``quiet``: a line that nothing reads gets no "what next" (what was closed
        has been said)."""
        inbound = ctx.inbound
        text = inbound.text.strip()
        if text.startswith("/"):
            # The command, and what follows it after a space, a tab or a line break.
            name, args = [*text[1:].split(maxsplit=1), "", ""][:2]
            name = name.split("@", 1)[0].lower()
            self._command(ctx, name, args.strip())
            return
        if not ctx.known:
            onboarding.stranger(ctx, text)
            return
        if (
            inbound.choice is None
            and not inbound.attachments
            and (not ctx.flow or getattr(type(FLOWS.get(ctx.flow)), "on_text", None) is MenuFlow.on_text)
            and onboarding.typed_code(ctx, text)
        ):
            return
        if inbound.choice is not None and inbound.choice.startswith(reminders.PREFIX):
            reminders.on_button(ctx, inbound.choice)
            return
        if inbound.choice is not None and inbound.choice.startswith(extensions.PREFIX):
            extensions.on_button(ctx, inbound.choice)
            return
        if inbound.choice is not None and inbound.choice.startswith(explanations.PREFIX):
            explanations.on_button(ctx, inbound.choice)
            return
        if inbound.choice is not None:
            action = ctx.resolve_button(inbound.choice)
            if action is None:
                ctx.reply(_("This button is no longer valid.") + " " + ctx.what_next(), toast=_("Expired"))
                return
            FLOWS[ctx.flow].on_action(ctx, action)
            return
        if (
            not inbound.attachments
            and (
                not ctx.flow
                or (ctx.flow == report.FLOW_NAME and ctx.step == report.Step.TASK)
                # a list on screen that only offers buttons (/tasks, /status): a line that picks none
                or (
                    getattr(type(FLOWS.get(ctx.flow)), "on_text", None) is MenuFlow.on_text
                    and not ctx.resolve_typed(text)
                )
            )
            and (
                (ctx.has_role(*REPORTING_ROLES) and (oneline.handle(ctx, text) or figures.handle_line(ctx, text)))
                or oneline.answer_non_reporter(ctx, text)  # a manager's "I.2 60": who reports, and what to use
            )
        ):
            return
        if (
            ctx.flow == report.FLOW_NAME
            # (a note or a blocker is free text: "I.2 xong phần dự thảo" there is I.2's note; a report on
            # another task, "I.8 60 đang làm", is that task's)
            and (ctx.step not in (report.Step.NOTE, report.Step.BLOCKER) or oneline.names_other_task(ctx, text))
            and not inbound.attachments
            and ctx.has_role(*REPORTING_ROLES)
            and oneline.handle_in_report(ctx, text)  # "I.8 60" at any step of an open report
        ):
            return
        flow = FLOWS.get(ctx.flow)
        if flow is not None:
            if inbound.attachments:
                flow.on_file(ctx, inbound.attachments[0])
            else:
                flow.on_text(ctx, text)
            return
        if not quiet:
            ctx.reply(ctx.what_next())

    def _command(self, ctx: Context, name: str, args: str) -> None:
        if name == "start" or (name == "link" and args):
            onboarding.start(ctx, args)  # a code: an invite, or a link code from the person's other chat
            return
        command = _BY_NAME.get(name)
        if not ctx.known:
            onboarding.stranger(ctx, "")
            return
        if command is None:
            ctx.reply(_("Unknown command /{name}. Type /help to see what you can do.").format(name=esc(name[:64])))
            return
        if command.roles is not None and not ctx.has_role(*command.roles):
            ctx.reply(_("/{name} is not available to you. Type /help to see what you can do.").format(name=esc(name)))
            return
        left = None
        if ctx.flow and name != "cancel":
            left = report.unfinished(ctx)  # never dropped without a word
            ctx.end()
        first = len(ctx.replies)
        command.run(ctx, args)
        if left is not None:
            report.lead(ctx, first, left)


def _collided(exc: BaseException) -> bool:
    """Whether ``exc`` means another process wrote the same rows first (worth running the event again)."""
    if isinstance(exc, ConversationConflict | IntegrityError):
        return True
    if isinstance(exc, OperationalError):
        # SQLite: a writer whose snapshot went stale; PostgreSQL: serialization failure or deadlock.
        message = str(exc.orig).lower()
        return "locked" in message or "could not serialize" in message or "deadlock" in message
    return False


class Busy(Reply):
    """The reply when the database cannot be reached: nothing was saved; the question the person
    answered stays as it was (its buttons stay, to be pressed again)."""


def busy_reply(language_code: str | None) -> Busy:
    """ "The system is busy" in the person's language (their stored one cannot be read)."""
    with use_language(normalize_language(language_code)):
        return Busy(
            text=_("The system is busy, please try again in a few minutes. What you just sent was not saved."),
            toast=_("The system is busy, please try again in a few minutes."),
        )


def _first_line(exc: BaseException) -> str:
    return str(exc).split("\n", 1)[0][:200]


def commands_for(ctx: Context) -> list[Command]:
    """The commands this person may use, for /help."""
    return [c for c in COMMANDS if c.roles is None or ctx.has_role(*c.roles)]

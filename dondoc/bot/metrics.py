"""The deployment's metrics, served by ``dondoc serve`` at ``/metrics`` in the Prometheus text format.

Each process counts its own (Prometheus adds the processes of a deployment up); one registry per
:class:`Metrics`, so an application's figures are its own:

- ``dondoc_updates_handled_total{channel, kind}``: what people did (``command``, ``button``, ``file``,
  ``text``), handled by the dispatcher;
- ``dondoc_replies_total{channel}``: the replies the bot gave;
- ``dondoc_reminders_total{channel, outcome}``: reminders ``sent``, ``held``, ``failed``, ``retried``
  (channel ``none``: nobody could receive them);
- ``dondoc_sweep_seconds``: how long each run of the reminder job took; ``dondoc_sweeps_total{outcome}``;
- ``dondoc_errors_total{kind}``: unhandled errors, by kind (the exception's type).
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from dondoc.handlers.events import Inbound
from dondoc.scheduler.service import Pass

CONTENT_TYPE = CONTENT_TYPE_LATEST
UPDATE_KINDS = ("command", "button", "file", "text")  # see update_kind
REMINDER_OUTCOMES = ("sent", "held", "failed", "retried")  # the sweeper's (dondoc.scheduler.sweeper)
SWEEP_OUTCOMES = ("ok", "error", "database unavailable")  # the reminder service's (dondoc.scheduler.service)


def update_kind(inbound: Inbound) -> str:
    """What kind of thing a person did (never what they wrote): ``command``, ``button``, ``file``, ``text``."""
    if inbound.choice is not None:
        return "button"
    if inbound.attachments:
        return "file"
    if inbound.text.strip().startswith("/"):
        return "command"
    return "text"


class Metrics:
    """The counters of one dondoc application."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter(
            "dondoc_updates_handled",
            "Updates handled, by channel and kind",
            ["channel", "kind"],
            registry=self.registry,
        )
        self.replies = Counter("dondoc_replies", "Replies given, by channel", ["channel"], registry=self.registry)
        self.reminders = Counter(
            "dondoc_reminders", "Reminders by channel and outcome", ["channel", "outcome"], registry=self.registry
        )
        self.sweep_seconds = Histogram(
            "dondoc_sweep_seconds",
            "Duration of each run of the reminder job",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
            registry=self.registry,
        )
        self.sweeps = Counter(
            "dondoc_sweeps", "Runs of the reminder job, by outcome", ["outcome"], registry=self.registry
        )
        self.errors = Counter("dondoc_errors", "Unhandled errors, by kind", ["kind"], registry=self.registry)
        # Known label sets start at 0, so that an alert on them sees a value from the first scrape, not
        # "no data" until the first event (errors come by kinds no one can list in advance).
        for outcome in SWEEP_OUTCOMES:
            self.sweeps.labels(outcome)
        self.reminders.labels("none", "held")

    def serving(self, channel: str) -> None:
        """A channel attached to the application: its counters start at 0."""
        for kind in UPDATE_KINDS:
            self.updates.labels(channel, kind)
        self.replies.labels(channel)
        for outcome in REMINDER_OUTCOMES:
            self.reminders.labels(channel, outcome)

    def handled(self, inbound: Inbound, replies: int) -> None:
        self.updates.labels(inbound.channel, update_kind(inbound)).inc()
        if replies:
            self.replies.labels(inbound.channel).inc(replies)

    def reminder(self, channel: str, outcome: str, count: int) -> None:
        """The reminder job's :data:`~dondoc.scheduler.sweeper.Observe`."""
        self.reminders.labels(channel, outcome).inc(count)

    def swept(self, run: Pass) -> None:
        """The reminder job's ``on_pass``."""
        self.sweep_seconds.observe(run.seconds)
        self.sweeps.labels(run.outcome).inc()

    def error(self, kind: str) -> None:
        self.errors.labels(kind).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)

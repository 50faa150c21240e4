"""Moved to :mod:`dondoc.plan.report_draft`. Kept only for ``dondoc/bot/cli.py``'s import while that
file is being split into the ``dondoc.cli`` package; delete it once the CLI imports report_draft."""

from dondoc.plan.report_draft import PERIODS, report_window, write_report_draft

__all__ = ["PERIODS", "report_window", "write_report_draft"]

"""The ``dondoc`` command line: results on standard output, diagnostics on standard error.

One module per command group (:mod:`~dondoc.cli.units`, :mod:`~dondoc.cli.plan`,
:mod:`~dondoc.cli.report`, :mod:`~dondoc.cli.reminders`, …), assembled in :mod:`~dondoc.cli.main`;
what they share is in :mod:`~dondoc.cli.common`. Global options (``--db``, ``--lang``, ``--org``) may
be given before the command or after it. Exit codes: 0 done, 1 the input was refused (every problem
listed), 2 wrong usage.

A top layer like :mod:`dondoc.bot`: it may import everything, and only ``dondoc.__main__`` and the
tests import it.
"""

from dondoc.cli.main import app, main

__all__ = ["app", "main"]

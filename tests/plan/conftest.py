"""The commune store of :mod:`tests.plan.test_layouts` (``admin``: xã Tân Phú's units registered),
for the other test modules of imported appendices."""

from tests.plan.test_layouts import admin, app, registered

__all__ = ["admin", "app", "registered"]

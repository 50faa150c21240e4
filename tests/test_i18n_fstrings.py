"""A message called inside an f-string is never extracted by Babel: it would drop out of the catalogue
at the next update and show in English. ``python -m dondoc.i18n_check`` (in ``dev.py check``, which CI
runs) finds it in the package."""

from __future__ import annotations

from pathlib import Path

from dondoc.i18n_check import _in_fstrings


def test_a_message_inside_an_fstring_is_found(tmp_path: Path) -> None:
    (tmp_path / "views.py").write_text(
        'from dondoc.i18n import _\n\nok = _("said before")\nline = f"• II: {_(\'no item with a deadline\')}"\n',
        encoding="utf-8",
    )
    assert list(_in_fstrings(tmp_path)) == ["dondoc/views.py:4"]

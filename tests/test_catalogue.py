"""The Vietnamese catalogue speaks to officials as officials are spoken to."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from dondoc.i18n import LOCALES_DIR


def test_the_vietnamese_catalogue_calls_its_reader_dong_chi_never_ban() -> None:
    """Every reply, command help and error addresses the official as "đồng chí" (comrade), as
    administrative correspondence does; the casual "bạn" (you, friend) reads as out of place."""
    with (LOCALES_DIR / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    casual = re.compile(r"\bbạn\b", re.IGNORECASE)
    found = [
        text
        for message in catalogue
        if message.id
        for text in ([message.string] if isinstance(message.string, str) else list(message.string or ()))
        if text and casual.search(text)
    ]
    assert found == []

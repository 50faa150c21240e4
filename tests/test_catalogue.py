"""The Vietnamese catalogue speaks to officials as officials are spoken to."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from dondoc.i18n import LOCALES_DIR


def _vietnamese_texts() -> list[str]:
    """Every translated text of the Vietnamese catalogue (both forms of a plural)."""
    with (LOCALES_DIR / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    return [
        text
        for message in catalogue
        if message.id
        for text in ([message.string] if isinstance(message.string, str) else list(message.string or ()))
        if text
    ]


def test_the_vietnamese_catalogue_calls_its_reader_dong_chi_never_ban() -> None:
    """Every reply, command help and error addresses the official as "đồng chí" (comrade), as
    administrative correspondence does; the casual "bạn" (you, friend) reads as out of place."""
    casual = re.compile(r"\bbạn\b", re.IGNORECASE)
    assert [text for text in _vietnamese_texts() if casual.search(text)] == []


def test_the_vietnamese_catalogue_never_says_anh_chi() -> None:
    """Nor "anh/chị" (sir/madam), which is how a shop speaks to a customer: the bot says "đồng chí"
    there too (``/nhacviec`` did say "Cài đặt nhắc việc của anh/chị")."""
    polite = re.compile(r"\banh\s*/\s*chị\b|\banh\s+chị\b", re.IGNORECASE)
    assert [text for text in _vietnamese_texts() if polite.search(text)] == []

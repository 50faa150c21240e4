"""Long replies are cut into messages Telegram accepts: never inside a tag or an entity."""

from __future__ import annotations

import pytest

from dondoc.bot.local_api.markup import parse_text
from dondoc.bot.telegram import split_message


def _plain(parts: list[str]) -> str:
    return "".join(parse_text(part, "HTML").text for part in parts)  # raises on a broken part


@pytest.mark.parametrize(
    "text",
    [
        "<b>" + "Xà Phiên &amp; Long Mỹ " * 300 + "</b>",
        "<i>" + "a&lt;b&gt;c&amp;d&quot;" * 400 + "</i> hết",
        "".join(f"<b>III.{i}</b> <code>x&amp;y</code> " for i in range(400)),
        "<pre>" + "x" * 5000 + "</pre>",
        "x" + "&amp;" * 3000,
    ],
)
def test_one_long_line_is_cut_between_tags_and_entities(text: str) -> None:
    parts = split_message(text, limit=500)
    assert len(parts) > 1
    assert all(len(part) <= 500 for part in parts)
    assert _plain(parts) == parse_text(text, "HTML").text


def test_long_text_is_cut_at_line_breaks_with_the_open_tags_carried_over() -> None:
    text = "<b>Tình hình</b>\n<pre>" + "\n".join(f"III.{i:<4} {i:>5} &amp;" for i in range(600)) + "</pre>\nHết"
    parts = split_message(text, limit=1000)
    assert all(len(part) <= 1000 for part in parts)
    assert all(part.startswith("<pre>") for part in parts[1:-1])
    assert _plain(parts).replace("\n", "") == parse_text(text, "HTML").text.replace("\n", "")


def test_short_text_is_left_alone() -> None:
    assert split_message("<b>a</b>\nb &amp; c") == ["<b>a</b>\nb &amp; c"]
    assert split_message("") == []

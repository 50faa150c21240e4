"""Unit tests of Telegram markup parsing (dondoc.bot.local_api.markup) and small helpers."""

from __future__ import annotations

import pytest

from dondoc.bot.local_api.markup import MarkupError, ParsedText, parse_text, utf16_len
from dondoc.bot.local_api.media import image_size, tiny_png
from dondoc.bot.local_api.ratelimit import RateLimiter
from dondoc.bot.local_api.users import detect_entities


def test_plain_text_is_untouched() -> None:
    assert parse_text("<b>a</b> *b*", None) == ParsedText("<b>a</b> *b*")


def test_html_tags_and_entities() -> None:
    parsed = parse_text('<b>Đậm</b> &lt;3 &amp; <a href="https://x.vn/?a=1&amp;b=2">liên kết</a> &#128512;', "HTML")
    assert parsed.text == "Đậm <3 & liên kết 😀"
    assert parsed.entities == (
        {"type": "bold", "offset": 0, "length": 3},
        {"type": "text_link", "offset": 9, "length": 8, "url": "https://x.vn/?a=1&b=2"},
    )


def test_html_unknown_named_entity_stays_literal() -> None:
    assert parse_text("a &nbsp; b & c", "HTML").text == "a &nbsp; b & c"


def test_html_pre_with_language_and_nested_styles() -> None:
    parsed = parse_text('<pre><code class="language-python">x = 1</code></pre><b><i>bi</i></b>', "HTML")
    assert parsed.text == "x = 1bi"
    assert parsed.entities == (
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "bold", "offset": 5, "length": 2},
        {"type": "italic", "offset": 5, "length": 2},
    )


def test_html_spoiler_quote_and_emoji_offsets() -> None:
    parsed = parse_text(
        '😀<tg-spoiler>x</tg-spoiler><blockquote expandable>q</blockquote><span class="tg-spoiler">s</span>', "HTML"
    )
    assert parsed.text == "😀xqs"
    assert [(e["type"], e["offset"]) for e in parsed.entities] == [
        ("spoiler", 2),
        ("expandable_blockquote", 3),
        ("spoiler", 4),
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("dòng<br>", 'Unsupported start tag "br" at byte offset 5'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
    ],
)
def test_html_errors_like_telegram(text: str, error: str) -> None:
    with pytest.raises(MarkupError) as caught:
        parse_text(text, "HTML")
    assert str(caught.value) == error


def test_markdown_v2_entities_and_escapes() -> None:
    parsed = parse_text(r"*đậm* _nghiêng_ __gạch__ ~xoá~ ||ẩn|| [link](https://a.vn/x\)y) `mã` 1\.0\!", "MarkdownV2")
    assert parsed.text == "đậm nghiêng gạch xoá ẩn link mã 1.0!"
    kinds = [(e["type"], e["offset"], e["length"]) for e in parsed.entities]
    assert kinds == [
        ("bold", 0, 3),
        ("italic", 4, 7),
        ("underline", 12, 4),
        ("strikethrough", 17, 3),
        ("spoiler", 21, 2),
        ("text_link", 24, 4),
        ("code", 29, 2),
    ]
    assert parsed.entities[5]["url"] == "https://a.vn/x)y"


def test_markdown_v2_code_block_and_quote() -> None:
    parsed = parse_text("```python\nprint(1)\n```\n>trích\n>dẫn\nhết", "MarkdownV2")
    assert parsed.text == "print(1)\n\ntrích\ndẫn\nhết"
    assert parsed.entities[0] == {"type": "pre", "offset": 0, "length": 9, "language": "python"}
    assert parsed.entities[1] == {"type": "blockquote", "offset": 10, "length": 9}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Hạn chót: 31.12", "Character '.' is reserved and must be escaped with the preceding '\\'"),
        ("a-b", "Character '-' is reserved"),
        ("*đậm", "Can't find end of Bold entity at byte offset 0"),
        ("[link](https://a.vn", "Can't find end of a URL at byte offset 7"),
    ],
)
def test_markdown_v2_errors(text: str, error: str) -> None:
    with pytest.raises(MarkupError) as caught:
        parse_text(text, "MarkdownV2")
    assert str(caught.value).startswith(error)


def test_legacy_markdown() -> None:
    parsed = parse_text("*b* _i_ [t](https://a.vn) `c` snake\\_case", "Markdown")
    assert parsed.text == "b i t c snake_case"
    assert [e["type"] for e in parsed.entities] == ["bold", "italic", "text_link", "code"]
    with pytest.raises(MarkupError, match="Can't find end of the entity starting at byte offset 0"):
        parse_text("*b", "Markdown")


def test_unknown_parse_mode() -> None:
    with pytest.raises(MarkupError):
        parse_text("x", "XML")


def test_stripping_shifts_entities() -> None:
    parsed = parse_text("  <b>a</b> b  ", "HTML").stripped()
    assert parsed == ParsedText("a b", ({"type": "bold", "offset": 0, "length": 1},))


def test_utf16_len_counts_surrogate_pairs() -> None:
    assert utf16_len("Việt Nam") == 8
    assert utf16_len("😀") == 2


def test_detect_entities_in_user_text() -> None:
    assert detect_entities("/start@dondoc_test_bot abc") == [{"type": "bot_command", "offset": 0, "length": 22}]
    assert detect_entities("😀 /help và https://a.vn") == [
        {"type": "bot_command", "offset": 3, "length": 5},
        {"type": "url", "offset": 12, "length": 12},
    ]
    assert detect_entities("a/b không phải lệnh") == []


def test_image_size() -> None:
    assert image_size(tiny_png(7, 3)) == (7, 3)
    assert image_size(b"GIF89a\x02\x00\x05\x00") == (2, 5)
    assert image_size(b"plain text") is None


def test_rate_limiter_window() -> None:
    now = [10.0]
    limiter = RateLimiter(per_second=2, per_chat_per_second=None, clock=lambda: now[0])
    assert limiter.acquire(1) is None
    assert limiter.acquire(2) is None
    assert limiter.acquire(1) == 1
    now[0] += 1.0
    assert limiter.acquire(1) is None


def test_per_chat_rate_limit() -> None:
    now = [0.0]
    limiter = RateLimiter(per_second=None, per_chat_per_second=1, clock=lambda: now[0])
    assert limiter.acquire("a") is None
    assert limiter.acquire("b") is None
    assert limiter.acquire("a") == 1

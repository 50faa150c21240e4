"""Parse Telegram's message markup (HTML, MarkdownV2, legacy Markdown) into text and entities.

The parsers follow the rules of the Bot API "Formatting options" section and mirror how the Telegram
server (tdlib) reacts to bad markup: the same situations are rejected, with error messages worded like
the real ones (``can't parse entities: Unsupported start tag "br" at byte offset 5``).

Entity offsets and lengths are counted in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MarkupError",
    "ParsedText",
    "parse_text",
    "utf16_len",
]

_SPACES = " \t\r\n\v\f"
_HTML_ENTITY_RE = re.compile(r"&(?:#[xX]([0-9a-fA-F]+)|#([0-9]+)|([a-zA-Z]+));?")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"


class MarkupError(ValueError):
    """The text cannot be parsed with the given parse mode; the message is Telegram's wording."""


@dataclass(frozen=True)
class ParsedText:
    """Plain text and the entities (Bot API ``MessageEntity`` dicts) that markup produced."""

    text: str
    entities: tuple[dict[str, Any], ...] = ()

    def stripped(self) -> ParsedText:
        """Trim leading and trailing white space like Telegram does, shifting entities to match."""
        body = self.text.strip()
        if body == self.text:
            return self
        shift = utf16_len(self.text[: len(self.text) - len(self.text.lstrip())])
        limit = utf16_len(body)
        entities = []
        for entity in self.entities:
            start = max(entity["offset"] - shift, 0)
            end = min(entity["offset"] + entity["length"] - shift, limit)
            if end > start:
                entities.append({**entity, "offset": start, "length": end - start})
        return ParsedText(body, tuple(entities))


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (the unit of entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def parse_text(text: str, parse_mode: str | None) -> ParsedText:
    """Parse ``text`` written in ``parse_mode`` (case-insensitive; ``None`` means plain text).

    Raises:
        MarkupError: the markup is invalid, or the parse mode is unknown.
    """
    if parse_mode is None or parse_mode == "":
        return ParsedText(text)
    parser = _PARSERS.get(parse_mode.lower())
    if parser is None:
        raise MarkupError(f"unsupported parse_mode {parse_mode!r}")
    return parser(text)


# --------------------------------------------------------------------------------------------------
# Shared output buffer


@dataclass
class _OpenEntity:
    """An entity whose start was seen but not its end yet."""

    kind: str
    start: int  # UTF-16 offset in the output
    source_pos: int  # character index in the source, for error messages
    extra: dict[str, Any] = field(default_factory=dict)


class _Output:
    """Collects output characters and finished entities, tracking the UTF-16 position."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.position = 0
        self.entities: list[tuple[int, dict[str, Any]]] = []  # (source position, entity)

    def add(self, chars: str) -> None:
        self.parts.append(chars)
        self.position += utf16_len(chars)

    def close(self, entity: _OpenEntity, end: int | None = None) -> None:
        """Finish ``entity`` at ``end`` (default: the current position); empty ones are dropped."""
        length = (self.position if end is None else end) - entity.start
        if length > 0:
            fields = {"type": entity.kind, "offset": entity.start, "length": length, **entity.extra}
            self.entities.append((entity.source_pos, fields))

    def text_since(self, entity: _OpenEntity) -> str:
        """The text emitted since ``entity`` was opened (used for links written without a URL)."""
        text = "".join(self.parts)
        encoded = text.encode("utf-16-le")
        return encoded[entity.start * 2 :].decode("utf-16-le")

    def result(self) -> ParsedText:
        ordered = sorted(self.entities, key=lambda item: (item[1]["offset"], -item[1]["length"], item[0]))
        return ParsedText("".join(self.parts), tuple(entity for _, entity in ordered))


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


# --------------------------------------------------------------------------------------------------
# HTML

_HTML_TAGS: dict[str, str] = {
    "a": "text_link",
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}


@dataclass
class _HtmlTag:
    name: str
    start: int
    source_pos: int
    attributes: dict[str, str]


_PLAIN_RUN = re.compile(r"[^&<]+")


class _HtmlParser:
    """A port of the rules of tdlib's ``parse_html``."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out = _Output()
        self.stack: list[_HtmlTag] = []

    def error(self, message: str, index: int | None = None) -> MarkupError:
        if index is not None:
            message = f"{message} at byte offset {_byte_offset(self.src, index)}"
        return MarkupError(message)

    def char(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.src[index] if index < len(self.src) else ""

    def parse(self) -> ParsedText:
        while self.pos < len(self.src):
            current = self.src[self.pos]
            if current == "&":
                self.out.add(self.read_entity())
            elif current == "<" and self.char(1) == "/":
                self.end_tag()
            elif current == "<":
                self.start_tag()
            else:  # a run of plain text, up to the next entity or tag, in one piece
                match = _PLAIN_RUN.match(self.src, self.pos)
                assert match is not None  # the current character is neither "&" nor "<"
                self.out.add(match.group())
                self.pos = match.end()
        if self.stack:
            raise self.error(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        return self.out.result()

    def read_entity(self) -> str:
        """Decode an HTML entity at ``pos``; unknown ones stay literal text, as in Telegram."""
        decoded = _decode_html_entity(self.src, self.pos)
        if decoded is None:
            self.pos += 1
            return "&"
        chars, self.pos = decoded
        return chars

    def start_tag(self) -> None:
        begin = self.pos
        self.pos += 1
        while self.char() and self.char() not in _SPACES and self.char() != ">":
            self.pos += 1
        if not self.char():
            raise self.error("Unclosed start tag", begin)
        name = self.src[begin + 1 : self.pos].lower()
        if name not in _HTML_TAGS:
            raise self.error(f'Unsupported start tag "{name}"', begin)
        attributes = self.read_attributes(name, begin)
        self.pos += 1  # the closing '>'
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise self.error('Tag "span" must have class "tg-spoiler"', begin)
        self.stack.append(_HtmlTag(name, self.out.position, begin, attributes))

    def read_attributes(self, tag: str, begin: int) -> dict[str, str]:
        attributes: dict[str, str] = {}
        while True:
            while self.char() and self.char() in _SPACES:
                self.pos += 1
            if not self.char():
                raise self.error("Unclosed start tag", begin)
            if self.char() == ">":
                return attributes
            name_start = self.pos
            while self.char() and self.char() not in _SPACES and self.char() not in "=>":
                self.pos += 1
            name = self.src[name_start : self.pos].lower()
            if not name:
                raise self.error(f'Empty attribute name in the tag "{tag}"', name_start)
            while self.char() and self.char() in _SPACES:
                self.pos += 1
            if self.char() != "=":
                attributes[name] = ""
                continue
            self.pos += 1
            attributes[name] = self.read_attribute_value(begin)

    def read_attribute_value(self, begin: int) -> str:
        while self.char() and self.char() in _SPACES:
            self.pos += 1
        quote = self.char()
        if not quote:
            raise self.error("Unclosed start tag", begin)
        if quote not in "'\"":
            start = self.pos
            while self.char() and (self.char().isalnum() or self.char() in ".-"):
                self.pos += 1
            if not self.char() or self.char() not in _SPACES + ">":
                raise self.error("Unexpected end of name token", self.pos)
            return self.src[start : self.pos].lower()
        self.pos += 1
        value: list[str] = []
        while self.char() and self.char() != quote:
            if self.char() == "&":
                value.append(self.read_entity())
            else:
                value.append(self.char())
                self.pos += 1
        if not self.char():
            raise self.error("Unclosed start tag", begin)
        self.pos += 1
        return "".join(value)

    def end_tag(self) -> None:
        begin = self.pos
        if not self.stack:
            raise self.error("Unexpected end tag", begin)
        self.pos += 2
        while self.char() and self.char() not in _SPACES and self.char() != ">":
            self.pos += 1
        name = self.src[begin + 2 : self.pos].lower()
        while self.char() and self.char() in _SPACES:
            self.pos += 1
        if self.char() != ">":
            raise self.error("Unclosed end tag", begin)
        self.pos += 1
        tag = self.stack.pop()
        if name and name != tag.name:
            raise self.error(
                f"Unmatched end tag at byte offset {_byte_offset(self.src, begin)}, "
                f'expected "</{tag.name}>", found "</{name}>"'
            )
        self.close(tag)

    def close(self, tag: _HtmlTag) -> None:
        kind, extra = _html_entity(tag)
        parent = self.stack[-1] if self.stack else None
        if kind == "code" and parent is not None and parent.name == "pre":
            # <pre><code class="language-x">...</code></pre> is one pre entity with a language.
            if "language" in extra:
                parent.attributes["class"] = "language-" + extra["language"]
            return
        if kind == "code":
            extra.pop("language", None)
        if kind == "text_link" and not extra.get("url"):
            return
        self.out.close(_OpenEntity(kind, tag.start, tag.source_pos, extra))


def _html_entity(tag: _HtmlTag) -> tuple[str, dict[str, Any]]:
    """Entity type and extra fields for a closed HTML tag."""
    kind = _HTML_TAGS[tag.name]
    attrs = tag.attributes
    extra: dict[str, Any] = {}
    if kind == "text_link":
        extra["url"] = attrs.get("href", "")
    elif kind in ("code", "pre") and attrs.get("class", "").startswith("language-"):
        extra["language"] = attrs["class"].removeprefix("language-")
    elif kind == "custom_emoji":
        extra["custom_emoji_id"] = attrs.get("emoji-id", "")
    elif kind == "date_time":
        extra["unix_time"] = int(attrs["unix"]) if attrs.get("unix", "").isdigit() else 0
        if attrs.get("format"):
            extra["date_time_format"] = attrs["format"]
    elif kind == "blockquote" and "expandable" in attrs:
        kind = "expandable_blockquote"
    return kind, extra


def _decode_html_entity(source: str, index: int) -> tuple[str, int] | None:
    """Decode the entity at ``source[index]`` ('&'); ``None`` if Telegram would keep it literally."""
    match = _HTML_ENTITY_RE.match(source, index)
    if match is None:
        return None
    hex_code, dec_code, name = match.groups()
    if name is not None:
        chars = _NAMED_ENTITIES.get(name)
        if chars is None:
            return None
        return chars, match.end()
    code = int(hex_code, 16) if hex_code is not None else int(dec_code)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _parse_html(source: str) -> ParsedText:
    return _HtmlParser(source).parse()


# --------------------------------------------------------------------------------------------------
# MarkdownV2


class _MarkdownV2Parser:
    """A port of the rules of tdlib's ``parse_markdown_v2`` (block quotations simplified)."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out = _Output()
        self.stack: list[_OpenEntity] = []
        self.quote: _OpenEntity | None = None

    def char(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.src[index] if index < len(self.src) else ""

    def error(self, message: str) -> MarkupError:
        return MarkupError(message)

    def parse(self) -> ParsedText:
        while self.pos < len(self.src):
            if self.at_line_start() and not self.in_code():
                self.line_start()
                if self.pos >= len(self.src):
                    break
            self.step()
        if self.stack:
            opened = self.stack[-1]
            raise self.error(
                "Can't find end of "
                + _MDV2_NAMES.get(opened.kind, opened.kind)
                + f" entity at byte offset {_byte_offset(self.src, opened.source_pos)}"
            )
        if self.quote is not None:
            self.out.close(self.quote)
        return self.out.result()

    def at_line_start(self) -> bool:
        return self.pos == 0 or self.src[self.pos - 1] == "\n"

    def in_code(self) -> bool:
        return bool(self.stack) and self.stack[-1].kind in ("code", "pre")

    def line_start(self) -> None:
        """Handle '>' and '**>' block quotation markers at the start of a line."""
        expandable = self.src.startswith("**>", self.pos)
        if expandable or self.char() == ">":
            if self.quote is None:
                kind = "expandable_blockquote" if expandable else "blockquote"
                self.quote = _OpenEntity(kind, self.out.position, self.pos)
            self.pos += 3 if expandable else 1
        elif self.quote is not None:
            self.finish_quote()

    def finish_quote(self) -> None:
        """Close the open block quotation; the line break that ends it is not part of it."""
        assert self.quote is not None
        quote, self.quote = self.quote, None
        ends_with_newline = bool(self.out.parts) and self.out.parts[-1].endswith("\n")
        self.out.close(quote, end=self.out.position - (1 if ends_with_newline else 0))

    def step(self) -> None:
        current = self.src[self.pos]
        nxt = self.char(1)
        if current == "\\" and nxt and 0 < ord(nxt) <= 126:
            self.out.add(nxt)
            self.pos += 2
            return
        reserved = "`" if self.in_code() else _MDV2_RESERVED
        if current not in reserved:
            self.out.add(current)
            self.pos += 1
            return
        if self.quote is not None and self.quote.kind == "expandable_blockquote" and self.is_quote_end():
            self.pos += 2
            return
        if self.stack and self.ends_entity(self.stack[-1].kind):
            self.end_entity()
        else:
            self.begin_entity()

    def is_quote_end(self) -> bool:
        after = self.char(2)
        return self.src.startswith("||", self.pos) and after in ("", "\n")

    def ends_entity(self, kind: str) -> bool:
        current, nxt = self.char(), self.char(1)
        checks: dict[str, Callable[[], bool]] = {
            "bold": lambda: current == "*",
            "italic": lambda: current == "_" and nxt != "_",
            "code": lambda: current == "`",
            "pre": lambda: self.src.startswith("```", self.pos),
            "text_link": lambda: current == "]",
            "custom_emoji": lambda: current == "]",
            "underline": lambda: current == "_" and nxt == "_",
            "strikethrough": lambda: current == "~",
            "spoiler": lambda: current == "|" and nxt == "|",
        }
        return checks[kind]()

    def begin_entity(self) -> None:
        current, nxt = self.char(), self.char(1)
        start = self.pos
        simple = {"*": "bold", "~": "strikethrough", "[": "text_link"}
        if current in simple:
            kind, width = simple[current], 1
        elif current == "_":
            kind, width = ("underline", 2) if nxt == "_" else ("italic", 1)
        elif current == "|" and nxt == "|":
            kind, width = "spoiler", 2
        elif current == "!" and nxt == "[":
            kind, width = "custom_emoji", 2
        elif current == "`" and self.src.startswith("```", self.pos):
            self.begin_pre()
            return
        elif current == "`":
            kind, width = "code", 1
        else:
            raise self.error(f"Character '{current}' is reserved and must be escaped with the preceding '\\'")
        self.pos += width
        self.stack.append(_OpenEntity(kind, self.out.position, start))

    def begin_pre(self) -> None:
        start = self.pos
        self.pos += 3
        language_end = self.pos
        while language_end < len(self.src) and self.src[language_end] not in _SPACES + "`":
            language_end += 1
        extra: dict[str, Any] = {}
        if language_end != self.pos and language_end < len(self.src) and self.src[language_end] != "`":
            extra["language"] = self.src[self.pos : language_end]
            self.pos = language_end
        if self.char() in ("\n", "\r"):
            pair = self.char(1) in ("\n", "\r") and self.char(1) != self.char()
            self.pos += 2 if pair else 1
        self.stack.append(_OpenEntity("pre", self.out.position, start, extra))

    def end_entity(self) -> None:
        entity = self.stack.pop()
        widths = {"underline": 2, "spoiler": 2, "pre": 3}
        if entity.kind in ("text_link", "custom_emoji"):
            self.pos += 1
            self.finish_link(entity)
            return
        self.pos += widths.get(entity.kind, 1)
        self.out.close(entity)

    def finish_link(self, entity: _OpenEntity) -> None:
        """Read the '(url)' after ']' and close a text link or custom emoji/date-time entity."""
        if self.char() != "(":
            if entity.kind == "custom_emoji":
                raise self.error("Custom emoji entity must contain a tg://emoji URL")
            url = self.out.text_since(entity)
        else:
            url = self.read_url()
        if entity.kind == "custom_emoji":
            entity.kind, entity.extra = _inline_tg_entity(url)
        else:
            entity.extra = {"url": url}
        if url:
            self.out.close(entity)

    def read_url(self) -> str:
        self.pos += 1
        begin = self.pos
        url: list[str] = []
        while self.char() and self.char() != ")":
            if self.char() == "\\" and self.char(1) and 0 < ord(self.char(1)) <= 126:
                url.append(self.char(1))
                self.pos += 2
                continue
            url.append(self.char())
            self.pos += 1
        if self.char() != ")":
            raise self.error(f"Can't find end of a URL at byte offset {_byte_offset(self.src, begin)}")
        self.pos += 1
        return "".join(url)


_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


def _inline_tg_entity(url: str) -> tuple[str, dict[str, Any]]:
    """Entity for ``![text](tg://emoji?id=...)`` or ``![text](tg://time?unix=...)``."""
    emoji = re.fullmatch(r"tg://emoji\?id=(\d+)", url)
    if emoji:
        return "custom_emoji", {"custom_emoji_id": emoji.group(1)}
    time = re.fullmatch(r"tg://time\?unix=(\d+)(?:&format=([A-Za-z]*))?", url)
    if time:
        extra: dict[str, Any] = {"unix_time": int(time.group(1))}
        if time.group(2):
            extra["date_time_format"] = time.group(2)
        return "date_time", extra
    raise MarkupError("Custom emoji entity must contain a tg://emoji URL")


def _parse_markdown_v2(source: str) -> ParsedText:
    return _MarkdownV2Parser(source).parse()


# --------------------------------------------------------------------------------------------------
# Legacy Markdown

_LEGACY_KINDS = {"*": "bold", "_": "italic", "`": "code", "[": "text_link"}


def _parse_markdown(source: str) -> ParsedText:
    """A port of the rules of tdlib's legacy ``parse_markdown``: no nesting, few escapes."""
    out = _Output()
    pos = 0
    size = len(source)
    while pos < size:
        current = source[pos]
        if current == "\\" and pos + 1 < size and source[pos + 1] in "_*`[":
            out.add(source[pos + 1])
            pos += 2
            continue
        if current not in _LEGACY_KINDS:
            out.add(current)
            pos += 1
            continue
        pos = _legacy_entity(source, pos, out)
    return out.result()


def _legacy_entity(source: str, begin: int, out: _Output) -> int:
    """Parse one legacy Markdown entity starting at ``begin``; return the position after it."""
    opener = source[begin]
    closer = "]" if opener == "[" else opener
    is_pre = source.startswith("```", begin)
    pos = begin + (3 if is_pre else 1)
    extra: dict[str, Any] = {}
    if is_pre:
        match = re.match(r"([^\s`]+)\n", source[pos:])
        if match:
            extra["language"] = match.group(1)
            pos += match.end()
    end = source.find("```", pos) if is_pre else source.find(closer, pos)
    if end < 0:
        raise MarkupError(f"Can't find end of the entity starting at byte offset {_byte_offset(source, begin)}")
    entity = _OpenEntity("pre" if is_pre else _LEGACY_KINDS[opener], out.position, begin, extra)
    out.add(source[pos:end])
    pos = end + (3 if is_pre else 1)
    if opener == "[":
        url = source[begin + 1 : end]
        if pos < len(source) and source[pos] == "(":
            close = source.find(")", pos)
            if close < 0:
                raise MarkupError(f"Can't find end of a URL at byte offset {_byte_offset(source, pos)}")
            url = source[pos + 1 : close]
            pos = close + 1
        entity.extra = {"url": url}
    out.close(entity)
    return pos


_PARSERS: dict[str, Callable[[str], ParsedText]] = {
    "html": _parse_html,
    "markdownv2": _parse_markdown_v2,
    "markdown": _parse_markdown,
}

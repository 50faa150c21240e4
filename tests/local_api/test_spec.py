"""Unit tests of the Bot API spec validation (dondoc.bot.local_api.spec)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dondoc.bot.local_api.spec import BotApiSpec
from tests.local_api.fixtures import load_spec


@pytest.fixture(scope="module")
def spec() -> BotApiSpec:
    return load_spec()


def keyboard(*buttons: dict[str, Any]) -> str:
    """An inline keyboard with one row, JSON-encoded as PTB sends it."""
    return json.dumps({"inline_keyboard": [list(buttons)]})


def test_spec_loads_version_and_methods(spec: BotApiSpec) -> None:
    assert spec.version == "Bot API 10.1"
    assert spec.canonical_method("SENDMESSAGE") == "sendMessage"
    assert spec.canonical_method("sendMessages") is None


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("getMe", {}),
        ("sendMessage", {"chat_id": "5", "text": "Xin chào"}),
        ("sendMessage", {"chat_id": 5, "text": "hi", "reply_markup": {"inline_keyboard": []}}),
        ("sendMessage", {"chat_id": "@kenh_thong_bao", "text": "hi", "disable_notification": "true"}),
        ("sendMessage", {"chat_id": "5", "text": "hi", "reply_markup": keyboard({"text": "A", "url": "https://a.vn"})}),
        ("sendMessage", {"chat_id": "5", "text": "hi", "reply_markup": json.dumps({"keyboard": [["a", "b"]]})}),
        ("sendMessage", {"chat_id": "5", "text": "hi", "reply_markup": json.dumps({"remove_keyboard": True})}),
        ("getUpdates", {"offset": "100001", "timeout": "10", "allowed_updates": '["message"]'}),
        ("setMyCommands", {"commands": '[{"command": "bao_cao", "description": "Báo cáo"}]'}),
        ("setMyCommands", {"commands": "[]", "scope": '{"type": "chat", "chat_id": 5}'}),
        ("sendChatAction", {"chat_id": "5", "action": "upload_document"}),
        ("answerCallbackQuery", {"callback_query_id": "1", "text": "x" * 200, "show_alert": "false"}),
        ("sendLocation", {"chat_id": 5, "latitude": 21.03, "longitude": "105"}),
    ],
)
def test_valid_calls(spec: BotApiSpec, method: str, params: dict[str, Any]) -> None:
    assert spec.validate(method, params) == []


@pytest.mark.parametrize(
    ("method", "params", "expected"),
    [
        ("sendMessages", {}, "sendMessages: unknown method"),
        ("sendMessage", {"text": "hi"}, "sendMessage.chat_id: required field is missing"),
        ("sendMessage", {"chat_id": 5, "text": "hi", "foo": "1"}, "sendMessage.foo: unknown field"),
        ("sendMessage", {"chat_id": 5.5, "text": "hi"}, "sendMessage.chat_id: expected Integer or String, got Float"),
        ("sendMessage", {"chat_id": 5, "text": "hi", "disable_notification": "yes"}, "expected Boolean, got String"),
        (
            "sendMessage",
            {"chat_id": 5, "text": "x" * 4097},
            "must be 1-4096 characters after entities parsing, got 4097",
        ),
        (
            "sendMessage",
            {"chat_id": 5, "text": " \n "},
            "text: must be 1-4096 characters after entities parsing, got 0",
        ),
        ("sendMessage", {"chat_id": 5, "text": "hi", "parse_mode": "XML"}, "unsupported parse mode 'XML'"),
        ("sendMessage", {"chat_id": 5, "text": "a < b", "parse_mode": "HTML"}, 'Unsupported start tag ""'),
        ("sendMessage", {"chat_id": 5, "text": "v1.0", "parse_mode": "MarkdownV2"}, "Character '.' is reserved"),
        ("sendMessage", {"chat_id": 5, "text": "hi", "reply_markup": "{oops"}, "reply_markup: expected"),
        (
            "sendMessage",
            {"chat_id": 5, "text": "hi", "reply_markup": keyboard({"text": "A", "callback_data": "é" * 33})},
            "reply_markup.inline_keyboard[0][0].callback_data: must be 1-64 bytes, got 66",
        ),
        (
            "sendMessage",
            {"chat_id": 5, "text": "hi", "reply_markup": keyboard({"text": "A"})},
            "InlineKeyboardButton needs exactly one of",
        ),
        (
            "sendMessage",
            {"chat_id": 5, "text": "hi", "reply_markup": keyboard({"text": "A", "callback_data": "a", "url": "u"})},
            "got callback_data, url",
        ),
        (
            "sendMessage",
            {"chat_id": 5, "text": "hi", "reply_markup": keyboard({"text": "A", "callback_data": "a", "style": "red"})},
            "style: must be one of danger, primary, success; got 'red'",
        ),
        ("answerCallbackQuery", {"callback_query_id": "1", "text": "x" * 201}, "must be 0-200 characters, got 201"),
        ("sendDocument", {"chat_id": 5, "document": "id", "caption": "c" * 1025}, "must be 0-1024 characters"),
        ("sendChatAction", {"chat_id": 5, "action": "dancing"}, "unknown chat action 'dancing'"),
        ("setMyCommands", {"commands": '[{"command": "Start", "description": "x"}]'}, "lowercase English letters"),
        ("setMyCommands", {"commands": '[{"command": "s", "description": ""}]'}, "description: must be 1-256"),
        (
            "setMyCommands",
            {"commands": '[{"command": "s", "description": "d"}]', "scope": '{"type": "x"}'},
            "BotCommandScope",
        ),
        ("deleteMessages", {"chat_id": 5, "message_ids": "[]"}, "must have 1-100 items, got 0"),
        ("getUpdates", {"allowed_updates": '"message"'}, "expected Array of String, got String"),
    ],
)
def test_invalid_calls(spec: BotApiSpec, method: str, params: dict[str, Any], expected: str) -> None:
    violations = spec.validate(method, params)
    assert len(violations) == 1, violations
    assert expected in violations[0]


def test_text_limit_counts_text_after_html_parsing(spec: BotApiSpec) -> None:
    text = "<b>" + "&amp;" * 4096 + "</b>"
    assert spec.validate("sendMessage", {"chat_id": 5, "text": text, "parse_mode": "HTML"}) == []
    too_long = {"chat_id": 5, "text": text + "!", "parse_mode": "html"}
    assert spec.validate("sendMessage", too_long) == [
        "sendMessage.text: must be 1-4096 characters after entities parsing, got 4097"
    ]


def test_edit_message_text_is_checked_like_send(spec: BotApiSpec) -> None:
    params = {"chat_id": 5, "message_id": 1, "text": "<i>x", "parse_mode": "HTML"}
    assert spec.validate("editMessageText", params) == [
        'editMessageText.text: invalid HTML markup: Can\'t find end tag corresponding to start tag "i"'
    ]


def test_uploads_must_match_input_file_fields(spec: BotApiSpec) -> None:
    assert spec.validate("sendDocument", {"chat_id": 5}, files=["document"]) == []
    assert spec.validate("sendDocument", {"chat_id": 5}) == ["sendDocument.document: required field is missing"]
    assert spec.validate("sendDocument", {"chat_id": 5}, files=["document", "extra"]) == [
        "sendDocument.extra: file part is not referenced by any field"
    ]
    assert spec.validate("sendMessage", {"chat_id": 5}, files=["text"]) == [
        "sendMessage.text: a file was uploaded but the field does not accept InputFile"
    ]


def test_attach_references_in_nested_media(spec: BotApiSpec) -> None:
    media = json.dumps(
        [{"type": "document", "media": "attach://a"}, {"type": "document", "media": "attach://b", "caption": "c"}]
    )
    assert spec.validate("sendMediaGroup", {"chat_id": 5, "media": media}, files=["a", "b"]) == []
    assert spec.validate("sendMediaGroup", {"chat_id": 5, "media": media}, files=["a"]) == [
        "sendMediaGroup.media[1].media: refers to file part 'b', which was not uploaded"
    ]


def test_union_subtype_is_chosen_by_discriminator(spec: BotApiSpec) -> None:
    wrong = json.dumps({"type": "chat"})
    assert spec.validate("setMyCommands", {"commands": "[]", "scope": wrong}) == [
        "setMyCommands.scope.chat_id: required field is missing"
    ]


def test_reply_keyboard_buttons_may_be_strings_or_objects(spec: BotApiSpec) -> None:
    markup = json.dumps({"keyboard": [["Có", {"text": "Gửi số", "request_contact": True}]], "resize_keyboard": True})
    assert spec.validate("sendMessage", {"chat_id": 5, "text": "?", "reply_markup": markup}) == []
    both = json.dumps({"keyboard": [[{"text": "x", "request_contact": True, "request_location": True}]]})
    (violation,) = spec.validate("sendMessage", {"chat_id": 5, "text": "?", "reply_markup": both})
    assert "KeyboardButton needs at most one of" in violation


def test_decode_params_turns_form_strings_into_values(spec: BotApiSpec) -> None:
    raw = {
        "chat_id": "42",
        "text": "123",
        "disable_notification": "true",
        "reply_markup": keyboard({"text": "A", "callback_data": "a"}),
        "unknown": "7",
    }
    decoded = spec.decode_params("sendMessage", raw)
    assert decoded["chat_id"] == 42
    assert decoded["text"] == "123"
    assert decoded["disable_notification"] is True
    assert decoded["reply_markup"] == {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    assert decoded["unknown"] == "7"
    assert spec.decode_params("sendMessage", {"chat_id": "@kenh"})["chat_id"] == "@kenh"


def test_issues_carry_telegram_descriptions(spec: BotApiSpec) -> None:
    (issue,) = spec.check("sendMessage", {"chat_id": 5, "text": "x" * 5000})
    assert issue.telegram == "message is too long"
    (issue,) = spec.check("sendMessage", {"chat_id": 5, "text": "<x>", "parse_mode": "HTML"})
    assert issue.telegram == 'can\'t parse entities: Unsupported start tag "x" at byte offset 0'

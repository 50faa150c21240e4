"""What the local server does for each Bot API method, on already validated, decoded parameters.

Errors are raised as :class:`~dondoc.bot.local_api.world.ApiError` with Telegram's wording, so that
bot code which reacts to real errors ("message is not modified", "bot was blocked by the user") is
exercised too.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from dondoc.bot.local_api.markup import ParsedText, parse_text
from dondoc.bot.local_api.media import image_size
from dondoc.bot.local_api.world import (
    ApiError,
    CallbackAnswer,
    ChatEvent,
    ChatMessage,
    Conflict,
    StoredFile,
    World,
)

__all__ = ["BotMethods", "Call", "UploadedFile"]

JsonDict = dict[str, Any]

MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
WEBHOOK_ACTIVE = "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part of a request."""

    filename: str | None
    content_type: str | None
    body: bytes


@dataclass
class Call:
    """One method call: decoded parameters and uploaded files."""

    method: str
    params: JsonDict
    files: Mapping[str, UploadedFile] = field(default_factory=dict)
    abandoned: Callable[[], bool] = lambda: False

    def get(self, name: str, default: Any = None) -> Any:
        """A parameter's value, or ``default`` when it was not sent."""
        return self.params.get(name, default)


Handler = Callable[[Call], Awaitable[Any]]


class BotMethods:
    """Implementations of the Bot API methods a chat bot needs."""

    def __init__(self, world: World, returns: Mapping[str, tuple[str, ...]]) -> None:
        self.world = world
        self.returns = returns
        self.webhook_url = ""
        self.webhook_allowed_updates: list[str] | None = None
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "deleteMessages": self.delete_messages,
            "answerCallbackQuery": self.answer_callback_query,
            "sendDocument": self.send_document,
            "sendPhoto": self.send_photo,
            "getFile": self.get_file,
            "sendChatAction": self.send_chat_action,
            "getChat": self.get_chat,
            "close": self.always_true,
            "logOut": self.always_true,
        }

    def supports(self, method: str) -> bool:
        """Whether ``method`` is simulated (specifically, or generically because it returns True)."""
        return method in self.handlers or self.returns.get(method) == ("Boolean",)

    async def call(self, call: Call) -> Any:
        """Run a call; raise :class:`ApiError` for the errors Telegram would give."""
        handler = self.handlers.get(call.method)
        if handler is not None:
            return await handler(call)
        if self.returns.get(call.method) == ("Boolean",):
            return True
        raise ApiError.bad_request(f"method {call.method} is not simulated by the local Bot API server")

    # -- bot, updates, webhook -------------------------------------------------------------------------

    async def get_me(self, call: Call) -> JsonDict:
        flags = ("can_read_all_group_messages", "supports_inline_queries", "can_connect_to_business")
        return {**self.world.bot_user, "can_join_groups": True, **dict.fromkeys(flags, False)}

    async def always_true(self, call: Call) -> bool:
        return True

    async def get_updates(self, call: Call) -> list[JsonDict]:
        if self.webhook_url:
            raise Conflict(WEBHOOK_ACTIVE)
        return await self.world.updates.get_updates(
            offset=call.get("offset"),
            limit=int(call.get("limit", 100)),
            timeout=float(call.get("timeout", 0)),
            allowed_updates=call.get("allowed_updates"),
            abandoned=call.abandoned,
        )

    async def set_webhook(self, call: Call) -> bool:
        self.webhook_url = str(call.get("url", ""))
        self.webhook_allowed_updates = call.get("allowed_updates")
        if call.get("drop_pending_updates"):
            self.world.updates.drop_all()
        return True

    async def delete_webhook(self, call: Call) -> bool:
        self.webhook_url = ""
        if call.get("drop_pending_updates"):
            self.world.updates.drop_all()
        return True

    async def get_webhook_info(self, call: Call) -> JsonDict:
        info: JsonDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": self.world.updates.pending_count,
        }
        if self.webhook_allowed_updates:
            info["allowed_updates"] = self.webhook_allowed_updates
        return info

    # -- commands ----------------------------------------------------------------------------------

    def _commands_key(self, call: Call) -> tuple[str, str]:
        scope = call.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(call.get("language_code", ""))

    async def set_my_commands(self, call: Call) -> bool:
        self.commands[self._commands_key(call)] = list(call.get("commands", []))
        return True

    async def get_my_commands(self, call: Call) -> list[JsonDict]:
        return self.commands.get(self._commands_key(call), [])

    async def delete_my_commands(self, call: Call) -> bool:
        self.commands.pop(self._commands_key(call), None)
        return True

    # -- chats -------------------------------------------------------------------------------------

    def _chat_id(self, call: Call, check_blocked: bool = True) -> int:
        """The target private chat; 400 if unknown, 403 if its user blocked or never started the bot."""
        raw = call.get("chat_id")
        chat_id = raw if isinstance(raw, int) else _int_or_none(raw)
        if chat_id is None or chat_id not in self.world.chats:
            raise ApiError.bad_request("chat not found")
        if check_blocked and chat_id in self.world.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if check_blocked and chat_id in self.world.not_started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat_id

    async def get_chat(self, call: Call) -> JsonDict:
        chat = self.world.chats[self._chat_id(call, check_blocked=False)]
        gifts = (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        )
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(gifts, False),
        }

    async def send_chat_action(self, call: Call) -> bool:
        chat_id = self._chat_id(call)
        action = str(call.get("action"))
        self.world.chat_actions.setdefault(chat_id, []).append(action)
        self.world.publish(ChatEvent("chat_action", chat_id, detail={"action": action}))
        return True

    # -- sending -----------------------------------------------------------------------------------

    def _reply_to(self, call: Call, chat_id: int) -> ChatMessage | None:
        reply = call.get("reply_parameters")
        if not isinstance(reply, dict):
            return None
        target = self.world.find_message(int(reply.get("chat_id", chat_id)), int(reply["message_id"]))
        if target is None and not reply.get("allow_sending_without_reply"):
            raise ApiError.bad_request("message to be replied not found")
        return target

    def _send(self, call: Call, chat_id: int, **content: Any) -> JsonDict:
        message = self.world.add_message(
            chat_id,
            self.world.bot_user,
            from_bot=True,
            reply_markup=call.get("reply_markup"),
            reply_to=self._reply_to(call, chat_id),
            parse_mode=call.get("parse_mode"),
            **content,
        )
        return message.to_api()

    async def send_message(self, call: Call) -> JsonDict:
        chat_id = self._chat_id(call)
        parsed = _parsed(call, "text", "entities")
        return self._send(call, chat_id, text=parsed.text, entities=list(parsed.entities), source=call.get("text"))

    async def send_document(self, call: Call) -> JsonDict:
        chat_id = self._chat_id(call)
        stored = self._input_file(call, "document", "document")
        return self._send(call, chat_id, document=stored, **_caption_content(call))

    async def send_photo(self, call: Call) -> JsonDict:
        chat_id = self._chat_id(call)
        stored = self._input_file(call, "photo", "photo")
        return self._send(call, chat_id, photo=stored, **_caption_content(call))

    def _input_file(self, call: Call, name: str, kind: str) -> StoredFile:
        """The file of an InputFile field: an upload, a known file_id or (unfetched) HTTP URL."""
        value = call.get(name)
        upload = call.files.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = call.files.get(value.removeprefix("attach://"))
        if upload is not None:
            return self._store_upload(upload, kind)
        if isinstance(value, str) and value in self.world.files:
            return self.world.files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            file_name = PurePosixPath(value.split("?")[0]).name or None
            return self.world.add_file(kind, b"", file_name=file_name, size=(512, 512))
        raise ApiError.bad_request("wrong file identifier/HTTP URL specified")

    def _store_upload(self, upload: UploadedFile, kind: str) -> StoredFile:
        if kind != "photo":
            return self.world.add_file(kind, upload.body, file_name=upload.filename, mime_type=upload.content_type)
        size = image_size(upload.body)
        if size is None:
            raise ApiError.bad_request("IMAGE_PROCESS_FAILED")
        return self.world.add_file(kind, upload.body, size=size)

    async def get_file(self, call: Call) -> JsonDict:
        stored = self.world.files.get(str(call.get("file_id")))
        if stored is None:
            raise ApiError.bad_request("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_SIZE:
            raise ApiError.bad_request("file is too big")
        return stored.to_file()

    # -- editing -----------------------------------------------------------------------------------

    def _editable(self, call: Call, action: str = "edit") -> ChatMessage:
        if call.get("inline_message_id") is not None:
            raise ApiError.bad_request("MESSAGE_ID_INVALID")
        if call.get("chat_id") is None or call.get("message_id") is None:
            raise ApiError.bad_request("message identifier is not specified")
        chat_id = self._chat_id(call)
        message = self.world.find_message(chat_id, int(call.get("message_id")))
        if message is None:
            raise ApiError.bad_request(f"message to {action} not found")
        if action == "edit" and not message.from_bot:
            raise ApiError.bad_request("message can't be edited")
        return message

    def _apply_edit(self, message: ChatMessage, changes: JsonDict, extra: JsonDict | None = None) -> JsonDict:
        """Apply ``changes`` (what users see) and ``extra`` (bookkeeping) to the bot's message."""
        if all(getattr(message, key) == value for key, value in changes.items()):
            raise ApiError.bad_request(NOT_MODIFIED)
        for key, value in {**changes, **(extra or {})}.items():
            setattr(message, key, value)
        message.edits += 1
        message.edit_date = self.world.now()
        self.world.publish(ChatEvent("edit", message.chat_id, message))
        return message.to_api()

    async def edit_message_text(self, call: Call) -> JsonDict:
        message = self._editable(call)
        if message.text is None:
            raise ApiError.bad_request("there is no text in the message to edit")
        parsed = _parsed(call, "text", "entities")
        changes = {
            "text": parsed.text,
            "entities": list(parsed.entities),
            "reply_markup": _inline_markup(call),
        }
        extra = {"source": call.get("text"), "parse_mode": call.get("parse_mode")}
        return self._apply_edit(message, changes, extra)

    async def edit_message_caption(self, call: Call) -> JsonDict:
        message = self._editable(call)
        if message.document is None and message.photo is None:
            raise ApiError.bad_request("there is no caption in the message to edit")
        content = _caption_content(call) or {"caption": None, "caption_entities": []}
        source = content.pop("source", None)
        changes = {**content, "reply_markup": _inline_markup(call)}
        return self._apply_edit(message, changes, {"source": source, "parse_mode": call.get("parse_mode")})

    async def edit_message_reply_markup(self, call: Call) -> JsonDict:
        message = self._editable(call)
        return self._apply_edit(message, {"reply_markup": _inline_markup(call)})

    async def delete_message(self, call: Call) -> bool:
        self._delete(self._editable(call, action="delete"))
        return True

    async def delete_messages(self, call: Call) -> bool:
        chat_id = self._chat_id(call)
        for message_id in call.get("message_ids", []):
            message = self.world.find_message(chat_id, int(message_id))
            if message is not None:
                self._delete(message)
        return True

    def _delete(self, message: ChatMessage) -> None:
        message.deleted = True
        self.world.publish(ChatEvent("delete", message.chat_id, message))

    # -- callback queries ----------------------------------------------------------------------------

    async def answer_callback_query(self, call: Call) -> bool:
        query_id = str(call.get("callback_query_id"))
        if query_id not in self.world.callback_queries or query_id in self.world.callback_answers:
            raise ApiError.bad_request(QUERY_INVALID)
        answer = CallbackAnswer(
            query_id=query_id,
            text=call.get("text"),
            show_alert=bool(call.get("show_alert", False)),
            url=call.get("url"),
        )
        self.world.callback_answers[query_id] = answer
        message = self.world.callback_queries[query_id]
        chat_id = message.chat_id if message is not None else 0
        self.world.publish(ChatEvent("callback_answer", chat_id, message, detail={"answer": answer}))
        return True


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _parsed(call: Call, text_field: str, entities_field: str) -> ParsedText:
    """The text of ``text_field`` as users see it (validation already checked the markup)."""
    source = str(call.get(text_field, ""))
    entities = call.get(entities_field)
    if isinstance(entities, list) and call.get("parse_mode") is None:
        return ParsedText(source, tuple(entities)).stripped()
    return parse_text(source, call.get("parse_mode")).stripped()


def _caption_content(call: Call) -> JsonDict:
    if call.get("caption") is None:
        return {}
    parsed = _parsed(call, "caption", "caption_entities")
    return {"caption": parsed.text, "caption_entities": list(parsed.entities), "source": call.get("caption")}


def _inline_markup(call: Call) -> JsonDict | None:
    markup = call.get("reply_markup")
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None

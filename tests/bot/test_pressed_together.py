"""A pressed button's answer, the removal of its buttons and the next question go out together: a
query Telegram refuses to answer (pressed too long ago) never keeps the next question from the person."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import Engine

from dondoc.bot.local_api.server import LocalBotApi
from dondoc.bot.local_api.spec import bundled_spec
from dondoc.bot.local_api.world import ApiError
from dondoc.bot.telegram import TelegramChannel
from tests.bot.test_telegram import HANG_GUARD, NOW
from tests.handlers.helpers import invite_code, make_dispatcher

TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


REFUSED: list[str] = []


def old_queries(method: str, params: Mapping[str, Any]) -> ApiError | None:
    """Telegram's answer to a callback query answered after its 15 seconds."""
    if method != "answerCallbackQuery":
        return None
    REFUSED.append(str(params.get("callback_query_id")))
    return ApiError(400, TOO_OLD)


async def test_a_query_answered_too_late_still_gets_the_next_question(engine: Engine) -> None:
    REFUSED.clear()
    async with LocalBotApi(spec=bundled_spec(), strict=True, faults=old_queries) as api:
        application = TelegramChannel(make_dispatcher(engine, NOW)).build(api.token, builder=api.application_builder())
        async with api.running(application):
            lan = api.user(first_name="Lan", language_code="vi")
            await lan.send(f"/start {invite_code(engine, 'XP', now=NOW)}")
            await lan.next_message(HANG_GUARD)
            await lan.send("/report I.2")
            question = await lan.next_message(HANG_GUARD)

            await lan.press_button("Đang thực hiện", question)
            percent = await lan.next_message(HANG_GUARD)

            assert "bao nhiêu phần trăm" in (percent.text or ""), percent.text  # the report goes on
            await api.wait_idle(HANG_GUARD, settle=0)
            assert not lan.messages[1].buttons  # the answered question's buttons went all the same
            assert len(REFUSED) == 1  # the answer was tried once, and refused

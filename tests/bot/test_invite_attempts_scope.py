"""``dondoc invite attempts`` on a deployment of several organisations: a wrong code names no
organisation, so the list is the whole deployment's, and its header says so, ``--org`` or not."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from tests.bot.test_cli_people import AT_NOW, NOW
from tests.conftest import Dondoc
from tests.handlers.helpers import Chat, make_dispatcher
from tests.handlers.test_scope import B, b_registry


def test_attempts_say_they_are_deployment_wide_and_not_filtered_by_org(
    sample_store: Dondoc, engine: Engine, tmp_path: Path
) -> None:
    sample_store.ok("units", "import", b_registry(tmp_path), "--new-organization")
    Chat(make_dispatcher(engine, NOW), "666").send("/start ZZZZ-ZZZZ")  # a wrong code: whose, nobody can say

    text = sample_store.ok("invite", "attempts", "--org", B, env=AT_NOW).stdout
    head = text.splitlines()[0]
    assert "toàn hệ thống" in head and B in head and "--org không lọc" in head, head
    assert "test:666" in text  # still listed: the administrator of B is not told it is B's

    head = sample_store.ok("invite", "attempts", env=AT_NOW).stdout.splitlines()[0]
    assert head == "Số cuộc trò chuyện đã gửi mã mời sai, trên toàn hệ thống: 1", head
    english = sample_store.ok("--lang", "en", "invite", "attempts", "--org", B, env=AT_NOW).stdout
    assert "on the whole deployment" in english and "--org does not filter" in english, english
    assert sample_store.ok("invite", "attempts", "--json", env=AT_NOW).json()["scope"] == "deployment"

"""The Zalo bots a deployment runs (issue 10, item 3): the bots the registry names, each with the
token its variable holds (environment first, then ``.env``), or the one bot of ``ZALO_BOT_TOKEN``."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from dondoc.bot.app import open_app
from dondoc.bot.config import Settings
from dondoc.bot.zalo_bots import ZaloConfigError, check_tokens, single_zalo_bot, zalo_bots
from dondoc.db.models import Organization
from dondoc.db.session import open_store
from tests.conftest import SAMPLE, Dondoc
from tests.plan.test_zalo_bots_registry import write_long_my_bots

VARIABLES = ("ZALO_BOT_TOKEN", "ZALO_BOT_NAME", "ZALO_TOKEN_LN1", "ZALO_TOKEN_LN2")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "run"
    folder.mkdir()
    monkeypatch.chdir(folder)  # a folder whose .env the test writes
    return monkeypatch


def _bots(url: str, settings: Settings) -> list[tuple[str, str, str, str]]:
    engine = open_store(url)
    with Session(engine) as session:
        org = session.exec(select(Organization)).one()
        found = [(b.key, b.display_name, b.token_env, b.token) for b in zalo_bots(settings, session, org)]
    engine.dispose()
    return found


def test_each_named_bot_gets_the_token_of_its_variable(
    dondoc: Dondoc, tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    dondoc.ok("units", "import", write_long_my_bots(tmp_path))
    clean_env.setenv("ZALO_TOKEN_LN1", "111:from-the-environment")
    Path(".env").write_text("ZALO_TOKEN_LN1=111:from-the-file\nZALO_TOKEN_LN2=222:from-the-file\n", encoding="utf-8")
    assert _bots(dondoc.url, Settings()) == [
        ("zalo:ln1", "Bot CCHC Long Mỹ 1", "ZALO_TOKEN_LN1", "111:from-the-environment"),
        ("zalo:ln2", "Bot CCHC Long Mỹ 2", "ZALO_TOKEN_LN2", "222:from-the-file"),
    ]


def test_a_missing_token_is_named(dondoc: Dondoc, tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    dondoc.ok("units", "import", write_long_my_bots(tmp_path))
    clean_env.setenv("ZALO_TOKEN_LN1", "111:abc")
    engine = open_store(dondoc.url)
    with Session(engine) as session:
        bots = zalo_bots(Settings(), session, session.exec(select(Organization)).one())
    engine.dispose()
    with pytest.raises(ZaloConfigError) as error:
        check_tokens(bots)
    assert "ZALO_TOKEN_LN2" in str(error.value) and "ln2" in str(error.value)
    assert "ZALO_TOKEN_LN1" not in str(error.value)


def test_without_named_bots_the_one_bot_of_zalo_bot_token(dondoc: Dondoc, clean_env: pytest.MonkeyPatch) -> None:
    dondoc.ok("units", "import", SAMPLE / "units.yaml")
    assert _bots(dondoc.url, Settings()) == []  # no Zalo at all
    assert single_zalo_bot(Settings()) is None
    clean_env.setenv("ZALO_BOT_TOKEN", "999:xyz")
    clean_env.setenv("ZALO_BOT_NAME", "Bot CCHC")
    assert _bots(dondoc.url, Settings()) == [("zalo", "Bot CCHC", "ZALO_BOT_TOKEN", "999:xyz")]


def test_the_app_tells_the_handlers_about_the_one_zalo_bot(dondoc: Dondoc, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ZALO_BOT_TOKEN", "999:xyz")
    clean_env.setenv("ZALO_BOT_NAME", "Bot CCHC")
    app = open_app(Settings(database_url=dondoc.url), bot_username="dondoc_test_bot")
    try:
        zalo = app.dispatcher.settings.zalo
        assert zalo is not None and (zalo.key, zalo.display_name) == ("zalo", "Bot CCHC")
    finally:
        app.engine.dispose()

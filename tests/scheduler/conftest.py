from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from dondoc.db.session import open_store
from tests.conftest import Dondoc


@pytest.fixture
def engine(sample_store: Dondoc) -> Iterator[Engine]:
    engine = open_store(sample_store.url)
    yield engine
    engine.dispose()

"""Model instances built from plain rows, without the ORM's loading.

Every event starts by loading who is asking (account, person, memberships, units) and the chat's
conversation in one query. Through the ORM, each row's five entities went through its loading
machinery and the session's identity map: a typed answer took 1.80 ms in the dispatcher that way,
1.55 ms without (README, Performance: "Loading without the ORM"). :class:`RowEntities`
reads the same tables' columns through Core (the column types' conversions still apply) and builds
the instances directly, *detached*: they carry their identity and read like loaded ones, but the
session does not know them. A change made to one reaches the database only once it is put back into
the session: :func:`keep_changes`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Column, inspect
from sqlalchemy.orm import Mapper, Session, class_mapper


class _Entity:
    """Where one model's columns sit in a row, and how to build its instance from them."""

    __slots__ = ("keys", "mapper", "primary", "start", "stop")

    def __init__(self, mapper: Mapper[Any], start: int) -> None:
        table = mapper.local_table
        self.mapper = mapper
        self.keys = tuple(mapper.get_property_by_column(column).key for column in table.columns)
        self.start, self.stop = start, start + len(self.keys)
        columns: list[Any] = list(table.columns)
        self.primary = tuple(start + columns.index(column) for column in mapper.primary_key)

    def build(self, row: Sequence[Any]) -> Any | None:
        """The instance in ``row`` (None where an outer join found none: its primary key is NULL)."""
        key = tuple(row[index] for index in self.primary)
        if any(value is None for value in key):
            return None
        instance = self.mapper.class_manager.new_instance()
        instance.__dict__.update(zip(self.keys, row[self.start : self.stop], strict=True))
        # Detached: its identity known, every column loaded, no change recorded (as an instance the
        # ORM loaded and the session then let go of).
        inspect(instance).key = self.mapper.identity_key_from_primary_key(key)
        return instance


class RowEntities:
    """The columns of ``models``' tables, in order (to select through Core), and the instances of
    each row of them. ``models`` are mapped classes of one table each."""

    def __init__(self, *models: type[Any]) -> None:
        self._entities: list[_Entity] = []
        self.columns: list[Column[Any]] = []
        for model in models:
            mapper = class_mapper(model)
            self._entities.append(_Entity(mapper, len(self.columns)))
            self.columns.extend(mapper.local_table.columns)  # type: ignore[arg-type]

    def build(self, row: Sequence[Any], first: int = 0) -> list[Any | None]:
        """One instance per model from the ``first`` on (None for a model the row has no row of),
        detached."""
        return [entity.build(row) for entity in self._entities[first:]]


def keep_changes(session: Session, instances: Iterable[object | None]) -> None:
    """Put back into ``session`` each of ``instances`` that was built detached (:class:`RowEntities`)
    and changed since: its changes are written with the session's flush. One that the session has
    loaded meanwhile under the same identity is merged into that copy; an unchanged one stays out."""
    for instance in instances:
        if instance is None:
            continue
        state = inspect(instance)
        if not (state.detached and state.modified):
            continue
        if state.key in session.identity_map:
            session.merge(instance)
        else:
            session.add(instance)

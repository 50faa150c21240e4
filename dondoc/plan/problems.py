"""Input problems: what is wrong, where (row, column or field) and with which value.

Importers collect every problem of a file before refusing it, so an administrator fixes the whole
file in one pass; nothing is written while any problem remains.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from dondoc.i18n import _

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """What is wrong and where. An *error* refuses the file; a *warning* says what the importer left
    out or assumed, and the import goes ahead (``--strict`` makes warnings errors)."""

    where: str  # translated location: "dòng 12, cột E (Thời hạn)" or "units[3].code"
    message: str  # translated description
    value: str = ""  # the offending text, as found
    severity: Severity = "error"
    row: int | None = None  # the row as a person finds it, when the problem is in one row
    column: str = ""  # its column as the file shows it: a sheet letter ("E") or a table column ("3")
    header: str = ""  # the column's header label ("Thời hạn")

    def __str__(self) -> str:
        if self.value:
            return _("{where}: {message}: «{value}»").format(where=self.where, message=self.message, value=self.value)
        return _("{where}: {message}").format(where=self.where, message=self.message)

    @property
    def is_warning(self) -> bool:
        return self.severity == "warning"

    def as_error(self) -> Problem:
        """The same problem as an error (``--strict``)."""
        return replace(self, severity="error")

    def to_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "where": self.where,
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "message": self.message,
            "value": self.value,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Problem:
        severity: Severity = "warning" if data.get("severity") == "warning" else "error"
        row = data.get("row")
        return cls(
            where=str(data.get("where", "")),
            message=str(data.get("message", "")),
            value=str(data.get("value", "")),
            severity=severity,
            row=row if isinstance(row, int) else None,
            column=str(data.get("column", "")),
            header=str(data.get("header", "")),
        )


def errors_of(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if not problem.is_warning]


def warnings_of(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.is_warning]


class InputError(Exception):
    """A file that cannot be imported, with every problem found in it.

    ``warnings`` are listed beside the errors (they did not refuse the file by themselves);
    ``partial`` is what an importer read anyway (the appendix reader's, for the review workbook)."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None, partial: Any = None) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
        self.warnings = warnings or []
        self.partial = partial


MAX_YAML_BYTES = 4 << 20  # a registry of thousands of units is far smaller
# Nodes (mappings, lists, values) in one YAML file: a registry of 3,400 units with their aliases has
# about 50,000. Each costs the parser about a kilobyte and tens of microseconds, so a file of small
# entries within MAX_YAML_BYTES (120,000 units on one line each) would take gigabytes and minutes.
MAX_YAML_NODES = 100_000


class _Refused(yaml.YAMLError):
    """A YAML feature refused in dondoc's files, at a place in the file."""

    def __init__(self, message: str, value: str, mark: Any) -> None:
        super().__init__(message)
        self.message, self.value, self.mark = message, value, mark


class _PlainLoader(yaml.SafeLoader):
    """The safe loader without anchors and aliases: an alias may repeat a list that repeats a list…
    (a 422-byte "billion laughs" file expands to gigabytes), and dondoc's files need none."""

    nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        self.nodes += 1
        if self.nodes > MAX_YAML_NODES:
            message = _("the file has more than {limit} entries, more than any of dondoc's files needs")
            raise _Refused(message.format(limit=MAX_YAML_NODES), "", event.start_mark)
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(_("YAML aliases (*name) are not allowed"), f"*{event.anchor}", event.start_mark)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _Refused(_("YAML anchors (&name) are not allowed"), f"&{anchor}", event.start_mark)
        return super().compose_node(parent, index)


def read_yaml(path: Path) -> Any:
    """The parsed content of a YAML file; an unreadable or malformed file is an :class:`InputError`
    naming the file, or the line YAML stopped at. Anchors, aliases and tags beyond plain data are
    refused, and so is a file larger than :data:`MAX_YAML_BYTES`."""
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            message = _("the file is larger than {limit} MB").format(limit=MAX_YAML_BYTES >> 20)
            raise InputError([Problem(str(path), message)])
        return yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_PlainLoader)  # a SafeLoader
    except UnicodeDecodeError as exc:  # UTF-16, Windows-1258, a binary file renamed
        raise InputError([Problem(str(path), _("the file is not UTF-8 text"))]) from exc
    except OSError as exc:
        raise InputError([Problem(str(path), _("cannot read the file"), str(exc))]) from exc
    except _Refused as exc:
        where = _("line {line}").format(line=exc.mark.line + 1)
        raise InputError([Problem(where, exc.message, exc.value)]) from exc
    except RecursionError as exc:
        raise InputError([Problem(str(path), _("not valid YAML"), _("nested too deeply"))]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("line {line}").format(line=mark.line + 1) if mark else str(path)
        raise InputError([Problem(where, _("not valid YAML"), str(getattr(exc, "problem", exc)))]) from exc
    except ValueError as exc:  # an unquoted impossible date such as 2022-02-30
        raise InputError([Problem(str(path), _("not valid YAML"), str(exc))]) from exc


# ---------------------------------------------------------------- files checked by pydantic models

M = TypeVar("M", bound=BaseModel)
Loc = tuple[int | str, ...]
# (field path, pydantic error type) → a message, for the places a file's layout needs its own words
Messages = Callable[[Loc, str], str | None]


def field_path(loc: Loc) -> str:
    """``("units", 2, "code")`` → ``units[3].code``: counted from 1, as people count rows."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part + 1}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "/"


class Refusal(ValueError):
    """What a field validator raises: its message (already translated) is what people read."""


def refusal(message: str) -> Refusal:
    return Refusal(message)


def _generic_message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    context: Mapping[str, Any] = error.get("ctx") or {}
    if kind == "extra_forbidden":
        return _("unknown field")
    if kind == "missing" or (error["input"] is None and kind.endswith("_type")):
        return _("required field is missing")
    if kind in ("string_type", "string_unicode"):
        return _("expected text")
    if kind in ("list_type", "tuple_type", "sequence_str"):
        return _("expected a list")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("expected a mapping")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("expected a whole number")
    if kind in ("bool_type", "bool_parsing"):
        return _("expected true or false")
    if kind in ("time_type", "time_parsing"):
        return _("expected a time of day such as 08:00")
    if kind in ("date_type", "date_parsing", "date_from_datetime_inexact"):
        return _("not a date (use 2022-03-31 or 31/03/2022)")
    if kind == "greater_than_equal":
        return _("expected a number from {min}").format(min=context.get("ge"))
    if kind == "less_than_equal":
        return _("expected a number up to {max}").format(max=context.get("le"))
    if kind == "value_error" and isinstance(context.get("error"), Refusal):
        return str(context["error"])
    return str(error["msg"])


def validation_problems(error: ValidationError, messages: Messages | None = None) -> list[Problem]:
    """pydantic's errors as dondoc's problems: the field path (``units[3].code``), a translated
    message and the value found (for an unknown field: its name; for a missing one: nothing)."""
    problems: list[Problem] = []
    for detail in error.errors():
        loc: Loc = tuple(detail["loc"])
        kind = detail["type"]
        message = (messages(loc, kind) if messages else None) or _generic_message(detail)
        if kind == "extra_forbidden":
            value = str(loc[-1])
        elif kind in ("missing", "model_type", "dict_type", "model_attributes_type") or detail["input"] is None:
            value = ""
        else:
            value = str(detail["input"])
        problems.append(Problem(field_path(loc), message, value))
    return problems


def validate(model: type[M], raw: Any, messages: Messages | None = None) -> M:
    """``raw`` (parsed YAML) checked by ``model``; raises :class:`InputError` naming every problem."""
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise InputError(validation_problems(error, messages)) from None

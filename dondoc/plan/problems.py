"""Input problems: what is wrong, where (row, column or field) and with which value.

Importers collect every problem of a file before refusing it, so an administrator fixes the whole
file in one pass; nothing is written while any problem remains.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dondoc.i18n import _


@dataclass(frozen=True)
class Problem:
    where: str  # translated location: "dòng 12, cột E (Thời hạn)" or "units[3].code"
    message: str  # translated description
    value: str = ""  # the offending text, as found

    def __str__(self) -> str:
        if self.value:
            return _("{where}: {message}: «{value}»").format(where=self.where, message=self.message, value=self.value)
        return _("{where}: {message}").format(where=self.where, message=self.message)


class InputError(Exception):
    """A file that cannot be imported, with every problem found in it."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


MAX_YAML_BYTES = 4 << 20  # a registry of thousands of units is far smaller


class _Refused(yaml.YAMLError):
    """A YAML feature refused in dondoc's files, at a place in the file."""

    def __init__(self, message: str, value: str, mark: Any) -> None:
        super().__init__(message)
        self.message, self.value, self.mark = message, value, mark


class _PlainLoader(yaml.SafeLoader):
    """The safe loader without anchors and aliases: an alias may repeat a list that repeats a list…
    (a 422-byte "billion laughs" file expands to gigabytes), and dondoc's files need none."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
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
    except (OSError, UnicodeDecodeError) as exc:
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

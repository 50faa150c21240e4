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


def read_yaml(path: Path) -> Any:
    """The parsed content of a YAML file; an unreadable or malformed file is an :class:`InputError`
    naming the file, or the line YAML stopped at."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(str(path), _("cannot read the file"), str(exc))]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("line {line}").format(line=mark.line + 1) if mark else str(path)
        raise InputError([Problem(where, _("not valid YAML"), str(getattr(exc, "problem", exc)))]) from exc
    except ValueError as exc:  # an unquoted impossible date such as 2022-02-30
        raise InputError([Problem(str(path), _("not valid YAML"), str(exc))]) from exc

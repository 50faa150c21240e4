"""Input problems: what is wrong, where (row, column or field) and with which value.

Importers collect every problem of a file before refusing it, so an administrator fixes the whole
file in one pass; nothing is written while any problem remains.
"""

from __future__ import annotations

from dataclasses import dataclass

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

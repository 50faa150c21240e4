"""A small targets file for the tests, written beside them (the hidden acceptance uses its own)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SAMPLE, Dondoc

TARGETS = """
targets:
  - code: T1
    text: "Giải quyết trước hạn, đúng hạn từ 95% trở lên số hồ sơ thủ tục hành chính"
    kind: ratio
    numerator: "Số hồ sơ giải quyết trước hạn và đúng hạn"
    denominator: "Số hồ sơ đã giải quyết"
    goal: ">= 95%"
    units: [XP, VV, LN]
    every: quarter
    aliases: [HS]
  - code: ISO
    text: "100% cơ quan áp dụng TCVN ISO 9001"
    kind: share
    question: "Đơn vị có áp dụng TCVN ISO 9001 không?"
    goal: "100%"
    units: [XP, VV, LN, NV]
    every: quarter
  - code: HL
    text: "Mức độ hài lòng trên 80%"
    kind: percent
    question: "Tỷ lệ người dân hài lòng"
    goal: "> 80%"
    units: [XP, VV]
    every: quarter
"""


def figures_add(target: str, unit: str, period: str, *values: str) -> tuple[str, ...]:
    """The arguments of ``dondoc figures add`` for one unit's figures (``values``: the options that give them)."""
    return ("figures", "add", "--target", target, "--unit", unit, "--period", period, *values)


def ratio(numerator: str, denominator: str) -> tuple[str, ...]:
    """A ratio's two counts, as ``dondoc figures add`` takes them."""
    return ("--numerator", numerator, "--denominator", denominator)


def import_targets(dondoc: Dondoc, tmp_path: Path, text: str = TARGETS) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(text, encoding="utf-8")
    dondoc.ok("targets", "import", path)


def import_long_my(dondoc: Dondoc) -> None:
    dondoc.ok("targets", "import", SAMPLE / "targets.yaml")

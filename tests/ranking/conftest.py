"""A small organisation made through the command line for the ranking tests: four units, three of
which lead two tasks each (due 31/03/2022 and 30/06/2022); LN leads nothing (never rated)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import Dondoc

REGISTRY = {
    "organization": "Ủy ban nhân dân huyện Thử",
    "coordinator": "NV",
    "units": [
        {"code": "NV", "name": "Phòng Nội vụ"},
        {"code": "TP", "name": "Phòng Tư pháp"},
        {"code": "XP", "name": "xã Xà Phiên <b>"},
        {"code": "LN", "name": "xã Lương Nghĩa"},
    ],
}
APPENDIX = """STT,Nội dung,Chủ trì,Phối hợp,Sản phẩm,Thời hạn,Ghi chú
I,Công tác chỉ đạo điều hành,,,,,
1,Nhiệm vụ một của Nội vụ,Phòng Nội vụ,,Kế hoạch,31/03/2022,
2,Nhiệm vụ hai của Nội vụ,Phòng Nội vụ,,Báo cáo,30/06/2022,
3,Nhiệm vụ một của Tư pháp,Phòng Tư pháp,,Kế hoạch,31/03/2022,
4,Nhiệm vụ hai của Tư pháp,Phòng Tư pháp,,Báo cáo,30/06/2022,
5,Nhiệm vụ một của Xà Phiên,xã Xà Phiên <b>,,Kế hoạch,31/03/2022,
6,Nhiệm vụ hai của Xà Phiên,xã Xà Phiên <b>,,Báo cáo,30/06/2022,
"""


def write_registry(path: Path, ranking: object = None) -> Path:
    data: dict[str, object] = dict(REGISTRY)
    if ranking is not None:
        data["ranking"] = ranking
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def small(dondoc: Dondoc, tmp_path: Path) -> Dondoc:
    dondoc.ok("units", "import", write_registry(tmp_path / "units.yaml"))
    appendix = tmp_path / "ke-hoach-cchc-2022.csv"
    appendix.write_text(APPENDIX, encoding="utf-8")
    dondoc.ok("plan", "import", appendix, "--year", "2022")
    return dondoc

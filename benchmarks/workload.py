"""A province-scale workload, generated straight into the store (seeded, so every run is the same).

One organisation (a province) with 40 sở, ban, ngành and 80 UBND cấp xã (the coordinator is Sở Nội vụ);
one plan for 2022 with areas I–VII and tasks whose deadline cells are real appendix texts ("Quý
II/2022", "Hằng quý", "Hằng tháng", "Định kỳ 6 tháng, năm", "Thường xuyên" …) read by dondoc's own
deadline parser. Tasks come in four shapes, as provincial CCHC plans write them:

- *narrow* (45 %): one sở leads (sometimes two), a few others support;
- *sở with the communes* (20 %): one sở leads, every UBND cấp xã supports;
- *every sở* (15 %): "Các sở, ban, ngành" lead (quarterly reports, mostly);
- *every commune* (20 %): "UBND cấp xã" lead, one or two sở support.

Tasks are added until the assignments (lead + support) reach the target exactly (30,000). Reports
(300,000) are shared out in proportion to each assignment's deadlines (supporting units report half
as often), at random moments of the working year; each one moves the earliest open deadline on:
not started, in progress (the percentage grows), blocked (about 6 %), or done — likelier close to or
after the due date, with a completion date that is sometimes before the report (done on time,
reported late). 500 focal points (Person + a Telegram ChannelAccount + a focal Membership) are spread
over the units, at least one each, more in the sở; one manager of the coordinator asks /status.

Rows go in with SQLAlchemy core ``insert()`` executemany in batches (explicit primary keys, so no
round trip is needed to learn them); the schema is dondoc's own (``open_store`` migrates it).
"""

from __future__ import annotations

import enum
import json
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import JSON, Connection, Table, func, select, text
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeEngine
from sqlmodel import SQLModel

from dondoc.db.models import DeadlineKind, MemberRole, Role, Status
from dondoc.plan.deadlines import parse_deadline
from dondoc.scheduler.clock import TZ

YEAR = 2022
SEED = 2022
CHANNEL = "telegram"
FOCAL_USER_BASE = 300_000_000  # Telegram user ids of the generated focal points: base + n
MANAGER_USER_ID = 299_999_999
BATCH = 20_000

SO: tuple[tuple[str, str], ...] = (
    ("SNV", "Sở Nội vụ"),
    ("VPUB", "Văn phòng Ủy ban nhân dân tỉnh"),
    ("STP", "Sở Tư pháp"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư"),
    ("STC", "Sở Tài chính"),
    ("SCT", "Sở Công Thương"),
    ("SNN", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("SGTVT", "Sở Giao thông vận tải"),
    ("SXD", "Sở Xây dựng"),
    ("STNMT", "Sở Tài nguyên và Môi trường"),
    ("STTTT", "Sở Thông tin và Truyền thông"),
    ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("SKHCN", "Sở Khoa học và Công nghệ"),
    ("SGDDT", "Sở Giáo dục và Đào tạo"),
    ("SYT", "Sở Y tế"),
    ("TTT", "Thanh tra tỉnh"),
    ("SNGV", "Sở Ngoại vụ"),
    ("BDT", "Ban Dân tộc tỉnh"),
    ("BQLKCN", "Ban Quản lý các khu công nghiệp tỉnh"),
    ("CAT", "Công an tỉnh"),
    ("BCHQS", "Bộ Chỉ huy Quân sự tỉnh"),
    ("CTHUE", "Cục Thuế tỉnh"),
    ("KBNN", "Kho bạc Nhà nước tỉnh"),
    ("BHXH", "Bảo hiểm xã hội tỉnh"),
    ("CTK", "Cục Thống kê tỉnh"),
    ("NHNN", "Ngân hàng Nhà nước - Chi nhánh tỉnh"),
    ("CHQ", "Cục Hải quan tỉnh"),
    ("DPTTH", "Đài Phát thanh và Truyền hình tỉnh"),
    ("BAO", "Báo tỉnh"),
    ("TTPVHCC", "Trung tâm Phục vụ hành chính công tỉnh"),
    ("VPDDBQH", "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh"),
    ("TCT", "Trường Chính trị tỉnh"),
    ("QDTPT", "Quỹ Đầu tư phát triển tỉnh"),
    ("BQLDA", "Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp tỉnh"),
    ("MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"),
    ("LDLD", "Liên đoàn Lao động tỉnh"),
    ("TDTN", "Tỉnh Đoàn"),
    ("HLHPN", "Hội Liên hiệp Phụ nữ tỉnh"),
    ("HND", "Hội Nông dân tỉnh"),
)
COORDINATOR = "SNV"
_FIRST = ("Tân", "Long", "Vĩnh", "Phú", "Hòa", "Bình", "Thạnh", "An", "Mỹ", "Hiệp")
_SECOND = ("Thạnh", "Phú", "Bình", "Hòa", "Lợi", "Thuận", "Tiến", "Hưng", "Lộc", "Xuân")

AREAS: tuple[tuple[str, str], ...] = (
    ("I", "Cải cách thể chế"),
    ("II", "Cải cách thủ tục hành chính"),
    ("III", "Cải cách tổ chức bộ máy hành chính nhà nước"),
    ("IV", "Cải cách chế độ công vụ"),
    ("V", "Cải cách tài chính công"),
    ("VI", "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số"),
    ("VII", "Công tác chỉ đạo, điều hành và thông tin, tuyên truyền"),
)
_TITLES: dict[str, tuple[str, ...]] = {
    "I": (
        "Xây dựng, trình ban hành văn bản quy phạm pháp luật về {topic}",
        "Rà soát, hệ thống hóa văn bản quy phạm pháp luật lĩnh vực {topic}",
        "Theo dõi tình hình thi hành pháp luật trong lĩnh vực {topic}",
    ),
    "II": (
        "Rà soát, đơn giản hóa thủ tục hành chính lĩnh vực {topic}",
        "Công bố, công khai thủ tục hành chính lĩnh vực {topic}",
        "Thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính về {topic}",
    ),
    "III": (
        "Rà soát chức năng, nhiệm vụ, tổ chức bộ máy các đơn vị lĩnh vực {topic}",
        "Sắp xếp, kiện toàn các đơn vị sự nghiệp công lập lĩnh vực {topic}",
    ),
    "IV": (
        "Hoàn thiện vị trí việc làm, cơ cấu ngạch công chức lĩnh vực {topic}",
        "Đào tạo, bồi dưỡng cán bộ, công chức, viên chức làm công tác {topic}",
    ),
    "V": (
        "Thực hiện cơ chế tự chủ tài chính của đơn vị sự nghiệp công lập lĩnh vực {topic}",
        "Quản lý, sử dụng tài sản công trong lĩnh vực {topic}",
    ),
    "VI": (
        "Cung cấp dịch vụ công trực tuyến toàn trình lĩnh vực {topic}",
        "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính lĩnh vực {topic}",
        "Kết nối, chia sẻ dữ liệu chuyên ngành {topic} với Cổng dịch vụ công",
    ),
    "VII": (
        "Báo cáo kết quả thực hiện cải cách hành chính về {topic}",
        "Tuyên truyền, phổ biến nội dung cải cách hành chính về {topic}",
        "Kiểm tra công tác cải cách hành chính trong lĩnh vực {topic}",
    ),
}
_TOPICS = (
    "đất đai",
    "xây dựng",
    "đầu tư",
    "giáo dục",
    "y tế",
    "lao động, việc làm",
    "tư pháp, hộ tịch",
    "nông nghiệp",
    "giao thông",
    "môi trường",
    "văn hóa, du lịch",
    "thuế, phí",
)
_PRODUCTS = ("Báo cáo", "Kế hoạch", "Quyết định", "Văn bản hướng dẫn", "Hệ thống phần mềm", "Kết quả rà soát")
# Deadline cells by kind, as appendices write them; dondoc's parser turns them into due dates.
_FIXED = (
    "Quý I/2022",
    "Quý II/2022",
    "Quý III/2022",
    "Quý IV/2022",
    "Tháng 3/2022",
    "Tháng 4/2022",
    "Tháng 6/2022",
    "Tháng 9/2022",
    "Trước 30/7/2022",
    "Trước ngày 15/11/2022",
    "Trước ngày 15/12/2022",
    "6 tháng đầu năm",
    "Năm 2022",
    "Quý II và Quý IV/2022",
)
_QUARTERLY = ("Hằng quý", "Định kỳ hằng quý", "Thường xuyên, báo cáo hằng quý")
_MONTHLY = ("Hằng tháng", "Định kỳ hằng tháng")
_HALF_YEAR = ("Định kỳ 6 tháng, năm",)
_CONTINUOUS = ("Thường xuyên",)
# (probability, cells) per task shape
_KINDS: dict[str, tuple[tuple[float, tuple[str, ...]], ...]] = {
    "narrow": ((0.60, _FIXED), (0.12, _QUARTERLY), (0.05, _MONTHLY), (0.05, _HALF_YEAR), (0.18, _CONTINUOUS)),
    "so_with_xa": ((0.60, _FIXED), (0.15, _QUARTERLY), (0.25, _CONTINUOUS)),
    "every_so": ((0.35, _FIXED), (0.35, _QUARTERLY), (0.10, _MONTHLY), (0.20, _CONTINUOUS)),
    "every_xa": ((0.30, _FIXED), (0.35, _QUARTERLY), (0.10, _MONTHLY), (0.25, _CONTINUOUS)),
}
_SHAPES: tuple[tuple[float, str], ...] = (
    (0.45, "narrow"),
    (0.20, "so_with_xa"),
    (0.15, "every_so"),
    (0.20, "every_xa"),
)
_NOTES = (
    "Đã triển khai thực hiện",
    "Đang tổng hợp số liệu",
    "Đã xây dựng dự thảo, đang lấy ý kiến góp ý",
    "Đã ban hành Kế hoạch số {n}/KH-UBND",
    "Đã trình UBND tỉnh Tờ trình số {n}/TTr-SNV",
    "Đã gửi Báo cáo số {n}/BC-UBND",
    "",
    "",
)
_BLOCKERS = ("Chưa được bố trí kinh phí", "Chờ hướng dẫn của Bộ, ngành Trung ương", "Thiếu nhân lực thực hiện")


@dataclass(frozen=True)
class Scale:
    """How big the workload is."""

    so: int = 40
    xa: int = 80
    assignments: int = 30_000
    reports: int = 300_000
    focal_points: int = 500
    provinces: int = 1  # more than one: a nation of provinces, each of the size above ÷ provinces

    def smaller(self, factor: int) -> Scale:
        """The same shape ``factor`` times smaller (units too, at least a handful; as many provinces)."""
        return Scale(
            so=max(4, self.so // factor),
            xa=max(8, self.xa // factor),
            assignments=self.assignments // factor,
            reports=self.reports // factor,
            focal_points=self.focal_points // factor,
            provinces=self.provinces,
        )

    def province(self, number: int) -> Scale:
        """The ``number``-th province's share (0-based) of a nation's assignments, reports and focal points."""

        def share(total: int) -> int:
            return total // self.provinces + (1 if number < total % self.provinces else 0)

        return Scale(
            so=self.so,
            xa=self.xa,
            assignments=share(self.assignments),
            reports=share(self.reports),
            focal_points=share(self.focal_points),
        )


FULL = Scale()
# ``--scale national``: 34 provinces of 100 units (30 sở, 70 xã) — about 330,000 assignments,
# 3,000,000 reports and 5,000 focal points in all.
NATIONAL = Scale(so=30, xa=70, assignments=330_000, reports=3_000_000, focal_points=5_000, provinces=34)
SCALES = {"province": FULL, "national": NATIONAL}


@dataclass
class Workload:
    """What was generated, and what the benchmarks need to find it again."""

    organization_id: int
    plan_id: int
    manager_user_id: str
    units: int
    tasks: int
    tasks_by_kind: dict[str, int]
    assignments: int
    lead_assignments: int
    reports: int
    focal_points: int
    items: int  # lead deadlines (task × lead unit × due date) that /status categorises
    reports_by_status: dict[str, int] = field(default_factory=dict)
    plan_ids: list[int] = field(default_factory=list)  # every plan (one per province)


@dataclass
class _Task:
    id: int
    area_id: int
    code: str
    kind: DeadlineKind
    dues: tuple[date, ...]
    leads: list[int]
    supports: list[int]


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


_PAIRS = [(first, second) for first in _FIRST for second in _SECOND if first != second]


def _xa_name(index: int) -> str:
    """A distinct commune name for each index (37 is prime to the number of pairs, so none repeats)."""
    first, second = _PAIRS[(index * 37) % len(_PAIRS)]
    kind = "phường" if index % 10 == 9 else "thị trấn" if index % 16 == 7 else "xã"
    suffix = f" {index // len(_PAIRS) + 1}" if index >= len(_PAIRS) else ""
    return f"Ủy ban nhân dân {kind} {first} {second}{suffix}"


def _weighted(rng: random.Random, options: Sequence[tuple[float, Any]]) -> Any:
    roll = rng.random()
    for weight, value in options:
        roll -= weight
        if roll < 0:
            return value
    return options[-1][1]


def _batches(rows: Iterator[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def ensure_empty(engine: Engine) -> None:
    """The benchmarks write their own organisation: refuse a store that already holds data."""
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(_table("organization"))).scalar_one()
    if count:
        raise SystemExit("benchmarks need an empty database (this one already has organisations)")


def build(engine: Engine, scale: Scale = FULL, seed: int = SEED) -> Workload:
    """Generate the workload into the (empty, migrated) store behind ``engine``: one province, or
    (``scale.provinces`` > 1) a nation: a root organisation whose manager holds the province role over
    ``scale.provinces`` provinces, each with its own units, plan, focal points and reports."""
    rng = random.Random(seed)
    now = datetime(YEAR, 1, 3, 8, 0, tzinfo=TZ)
    work = Workload(
        organization_id=1,
        plan_id=1,
        manager_user_id=str(MANAGER_USER_ID),
        units=0,
        tasks=0,
        tasks_by_kind={},
        assignments=0,
        lead_assignments=0,
        reports=0,
        focal_points=0,
        items=0,
        reports_by_status=dict.fromkeys((s.value for s in Status), 0),
    )
    with engine.begin() as connection:
        if (
            connection.dialect.name == "postgresql"
            and connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar()
        ):
            # A bulk load of rows made consistent here: the foreign keys' per-row checks (3,000,000
            # reports at national scale) are skipped for this transaction, as pg_restore does.
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        insert = _Inserter(connection)
        ids = _Ids()
        if scale.provinces == 1:
            _province(insert, rng, scale, now, ids, work, manager=True)
        else:
            root = ids.take("organization")
            insert(
                "organization",
                [{"id": root, "name": "Cả nước (đo hiệu năng)", "coordinator_code": "BNV", "settings": {}}],
            )
            unit = ids.take("unit")
            insert(
                "unit",
                [
                    {
                        "id": unit,
                        "organization_id": root,
                        "code": "BNV",
                        "name": "Bộ Nội vụ",
                        "aliases": [],
                        "position": 0,
                        "active": True,
                    }
                ],
            )
            work.units += 1
            plan_ids = []
            for number in range(scale.provinces):
                part = scale.province(number)
                _province(insert, rng, part, now, ids, work, manager=False, parent=root, number=number + 1)
                plan_ids.append(ids.last["plan"])
            _manager(insert, ids, root, unit, MemberRole.PROVINCE, "Lãnh đạo Bộ Nội vụ", now)
            work.organization_id, work.plan_ids = root, plan_ids
        _sync_sequences(connection)
    if engine.dialect.name == "postgresql":
        # The planner's statistics and the visibility map (index-only scans), as a store in use has them
        # (autovacuum gathers them a minute after a bulk insert).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    return work


class _Ids:
    """The next explicit primary key of each table."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    def take(self, table: str, count: int = 1) -> int:
        """Reserve ``count`` ids; returns the first."""
        first = self.last.get(table, 0) + 1
        self.last[table] = first + count - 1
        return first


def _manager(insert: _Inserter, ids: _Ids, org: int, unit: int, role: MemberRole, name: str, now: datetime) -> None:
    """The person who asks /status: a Telegram account and one membership."""
    person = ids.take("person")
    insert(
        "person",
        [
            {
                "id": person,
                "organization_id": org,
                "full_name": name,
                "language": None,
                "unreachable": False,
                "created_at": now,
            }
        ],
    )
    insert(
        "channelaccount",
        [
            {
                "id": ids.take("channelaccount"),
                "person_id": person,
                "channel": CHANNEL,
                "external_id": str(MANAGER_USER_ID),
                "chat_id": str(MANAGER_USER_ID),
                "language_code": "vi",
            }
        ],
    )
    insert(
        "membership",
        [{"id": ids.take("membership"), "person_id": person, "unit_id": unit, "role": role, "created_at": now}],
    )


def _province(
    insert: _Inserter,
    rng: random.Random,
    scale: Scale,
    now: datetime,
    ids: _Ids,
    work: Workload,
    *,
    manager: bool,
    parent: int | None = None,
    number: int = 0,
) -> None:
    """One province (organisation, units, groups, plan, tasks, assignments, people, reports), its
    counts added to ``work``."""
    org = ids.take("organization")
    suffix = f" {number}" if number else ""
    insert(
        "organization",
        [
            {
                "id": org,
                "name": f"Ủy ban nhân dân tỉnh{suffix} (đo hiệu năng)",
                "coordinator_code": COORDINATOR,
                "settings": {},
                "parent_id": parent,
            }
        ],
    )
    so = list(SO[: scale.so])
    first_unit = ids.take("unit", len(so) + scale.xa)
    units: list[dict[str, Any]] = [
        {
            "id": first_unit + i,
            "organization_id": org,
            "code": code,
            "name": name,
            "aliases": [],
            "position": i,
            "active": True,
        }
        for i, (code, name) in enumerate(so)
    ]
    units += [
        {
            "id": first_unit + len(so) + j,
            "organization_id": org,
            "code": f"X{j + 1:03d}",
            "name": _xa_name(j),
            "aliases": [],
            "position": len(so) + j,
            "active": True,
        }
        for j in range(scale.xa)
    ]
    insert("unit", units)
    so_ids = [u["id"] for u in units[: len(so)]]
    xa_ids = [u["id"] for u in units[len(so) :]]
    group = ids.take("unitgroup", 3)
    groups = [
        {
            "id": group,
            "organization_id": org,
            "code": "so",
            "name": "Các sở, ban, ngành tỉnh",
            "aliases": ["Các sở, ngành"],
            "all_units": False,
        },
        {
            "id": group + 1,
            "organization_id": org,
            "code": "xa",
            "name": "UBND cấp xã",
            "aliases": ["UBND các xã, phường, thị trấn"],
            "all_units": False,
        },
        {
            "id": group + 2,
            "organization_id": org,
            "code": "all",
            "name": "Tất cả cơ quan, đơn vị",
            "aliases": [],
            "all_units": True,
        },
    ]
    insert("unitgroup", groups)
    insert(
        "unitgroupmember",
        [{"group_id": group, "unit_id": i} for i in so_ids] + [{"group_id": group + 1, "unit_id": i} for i in xa_ids],
    )
    plan = ids.take("plan")
    insert(
        "plan",
        [
            {
                "id": plan,
                "organization_id": org,
                "key": str(YEAR),
                "title": f"Kế hoạch cải cách hành chính năm {YEAR} (tỉnh{suffix}, dữ liệu đo hiệu năng)",
                "year": YEAR,
                "source_file": "benchmarks",
                "source_sha256": "",
                "imported_at": now,
            }
        ],
    )
    area = ids.take("area", len(AREAS))
    insert(
        "area",
        [{"id": area + i, "plan_id": plan, "code": c, "title": t, "position": i} for i, (c, t) in enumerate(AREAS)],
    )

    tasks = _tasks(rng, scale, so_ids, xa_ids)
    first_task = ids.take("task", len(tasks))
    for t in tasks:
        t.id += first_task - 1
        t.area_id += area - 1
    insert("task", [_task_row(rng, t, position, plan) for position, t in enumerate(tasks)])
    insert("occurrence", [{"task_id": t.id, "due": due} for t in tasks for due in t.dues])
    assignments: list[tuple[int, _Task, int, Role]] = []  # (id, task, unit, role)
    rows: list[dict[str, Any]] = []
    first_assignment = ids.last.get("assignment", 0) + 1
    for t in tasks:
        for role, unit_ids in ((Role.LEAD, t.leads), (Role.SUPPORT, t.supports)):
            for position, unit_id in enumerate(unit_ids):
                a_id = first_assignment + len(assignments)
                assignments.append((a_id, t, unit_id, role))
                rows.append(
                    {
                        "id": a_id,
                        "task_id": t.id,
                        "unit_id": unit_id,
                        "role": role,
                        "position": position,
                        "active": True,
                    }
                )
    ids.take("assignment", len(assignments))
    insert("assignment", rows)
    del rows

    focal_by_unit = _people(insert, rng, scale, so_ids, xa_ids, now, ids, org, manager=manager)
    total = 0
    for batch in _batches(_reports(rng, scale.reports, assignments, focal_by_unit, work.reports_by_status)):
        insert("report", batch)
        total += len(batch)

    for t in tasks:
        work.tasks_by_kind[t.kind.value] = work.tasks_by_kind.get(t.kind.value, 0) + 1
    work.units += len(units)
    work.tasks += len(tasks)
    work.assignments += len(assignments)
    work.lead_assignments += sum(1 for _a, _t, _u, role in assignments if role == Role.LEAD)
    work.reports += total
    work.focal_points += sum(len(v) for v in focal_by_unit.values())
    work.items += sum(len(t.leads) * len(t.dues) for t in tasks if t.kind != DeadlineKind.CONTINUOUS)
    if manager:
        work.organization_id, work.plan_id, work.plan_ids = org, plan, [plan]


class _Inserter:
    """``insert(table, rows)``, in the caller's transaction: on PostgreSQL one COPY per call (ten
    times faster than INSERTs), elsewhere one executemany per batch."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def __call__(self, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if self.connection.dialect.name == "postgresql":
            self._copy(table, rows)
            return
        for start in range(0, len(rows), BATCH):
            self.connection.execute(_table(table).insert(), rows[start : start + BATCH])

    def _copy(self, table: str, rows: list[dict[str, Any]]) -> None:
        columns = [name for name in rows[0] if name in _table(table).c]  # as insert(): other keys ignored
        convert = [_copy_value(_table(table).c[name].type) for name in columns]
        raw: Any = self.connection.connection.driver_connection
        names = ", ".join(f'"{name}"' for name in columns)
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([to(row[name]) for to, name in zip(convert, columns, strict=True)])


def _same(value: Any) -> Any:
    return value


def _copy_value(kind: TypeEngine[Any]) -> Callable[[Any], Any]:
    """How COPY needs a column's Python value: SQLAlchemy stores an enum by its member's name and a
    JSON column as JSON text."""
    if isinstance(kind, SAEnum):
        return lambda value: value.name if isinstance(value, enum.Enum) else value
    if isinstance(kind, JSON):
        return json.dumps
    return _same


def _tasks(rng: random.Random, scale: Scale, so_ids: list[int], xa_ids: list[int]) -> list[_Task]:
    """Tasks until the assignments reach ``scale.assignments`` exactly (the last one is trimmed)."""
    tasks: list[_Task] = []
    count = 0
    numbers: dict[str, int] = {}
    while count < scale.assignments:
        area_index = rng.randrange(len(AREAS))
        area = AREAS[area_index][0]
        shape: str = _weighted(rng, _SHAPES)
        lead_so = rng.sample(so_ids, 2 if rng.random() < 0.15 else 1)
        others = [u for u in so_ids if u not in lead_so]
        if shape == "narrow":
            leads, supports = lead_so, rng.sample(others, rng.randint(min(2, len(others)), min(8, len(others))))
        elif shape == "so_with_xa":
            leads, supports = lead_so[:1], xa_ids + rng.sample(others, rng.randint(0, min(3, len(others))))
        elif shape == "every_so":
            leads, supports = list(so_ids), rng.sample(xa_ids, rng.randint(0, 1))
        else:
            leads, supports = list(xa_ids), rng.sample(so_ids, rng.randint(1, 2))
        room = scale.assignments - count
        if len(leads) + len(supports) > room:
            leads = leads[: max(1, min(len(leads), room))]
            supports = supports[: room - len(leads)]
        cells: tuple[str, ...] = _weighted(rng, _KINDS[shape])
        deadline = parse_deadline(rng.choice(cells), YEAR)
        numbers[area] = numbers.get(area, 0) + 1
        tasks.append(
            _Task(
                id=len(tasks) + 1,
                area_id=area_index + 1,
                code=f"{area}.{numbers[area]}",
                kind=DeadlineKind(deadline.kind),
                dues=deadline.dates,
                leads=leads,
                supports=supports,
            )
        )
        count += len(leads) + len(supports)
    # appendix order: by area, then number
    tasks.sort(key=lambda t: (t.area_id, int(t.code.split(".")[1])))
    return tasks


def _task_row(rng: random.Random, task: _Task, position: int, plan: int = 1) -> dict[str, Any]:
    area = task.code.split(".")[0]
    title = rng.choice(_TITLES[area]).format(topic=rng.choice(_TOPICS))
    deadline = {DeadlineKind.CONTINUOUS: "Thường xuyên"}.get(task.kind, "")
    if not deadline:
        if task.kind == DeadlineKind.RECURRING:
            deadline = {12: "Hằng tháng", 4: "Hằng quý", 2: "Định kỳ 6 tháng, năm"}[len(task.dues)]
        else:
            deadline = ", ".join(d.strftime("%d/%m/%Y") for d in task.dues)
    every = (
        {12: "month", 4: "quarter", 2: "half-year"}.get(len(task.dues)) if task.kind == DeadlineKind.RECURRING else None
    )
    return {
        "id": task.id,
        "plan_id": plan,
        "area_id": task.area_id,
        "code": task.code,
        "number": task.code.split(".")[1],
        "title": title,
        "product": rng.choice(_PRODUCTS),
        "note": "",
        "deadline_text": deadline,
        "deadline_kind": task.kind,
        "deadline_every": every,
        "source_row": position + 8,
        "position": position,
        "active": True,
    }


def _people(
    insert: _Inserter,
    rng: random.Random,
    scale: Scale,
    so_ids: list[int],
    xa_ids: list[int],
    now: datetime,
    ids: _Ids,
    org: int,
    *,
    manager: bool,
) -> dict[int, list[int]]:
    """Focal points (one per unit, the rest spread with more in the sở) and, with ``manager``, the
    coordinator's manager."""
    units = so_ids + xa_ids
    homes = list(units)
    extra = scale.focal_points - len(homes)
    # the sở get two shares for each share of a commune
    pool = so_ids * 2 + xa_ids
    homes += [rng.choice(pool) for _ in range(max(0, extra))]
    homes = homes[: scale.focal_points]
    people, accounts, memberships = [], [], []
    focal_by_unit: dict[int, list[int]] = {}
    first = ids.take("person", len(homes))
    ids.take("channelaccount", len(homes))
    ids.take("membership", len(homes))
    for n, unit_id in enumerate(homes, start=first):
        user_id = str(FOCAL_USER_BASE + n)
        people.append(
            {
                "id": n,
                "organization_id": org,
                "full_name": f"Đầu mối {n}",
                "language": None,
                "unreachable": False,
                "created_at": now,
            }
        )
        accounts.append(
            {
                "id": n,
                "person_id": n,
                "channel": CHANNEL,
                "external_id": user_id,
                "chat_id": user_id,
                "language_code": "vi",
            }
        )
        memberships.append({"id": n, "person_id": n, "unit_id": unit_id, "role": MemberRole.FOCAL, "created_at": now})
        focal_by_unit.setdefault(unit_id, []).append(n)
    insert("person", people)
    insert("channelaccount", accounts)
    insert("membership", memberships)
    if manager:
        _manager(insert, ids, org, so_ids[0], MemberRole.MANAGER, "Lãnh đạo Sở Nội vụ", now)
    return focal_by_unit


def _quotas(total: int, weights: list[float]) -> list[int]:
    """``total`` shared out in proportion to ``weights``, exactly (cumulative rounding)."""
    whole = sum(weights)
    quotas, cumulative, given = [], 0.0, 0
    for weight in weights:
        cumulative += weight
        upto = round(total * cumulative / whole)
        quotas.append(upto - given)
        given = upto
    return quotas


_START = date(YEAR, 1, 4).toordinal()
_END = date(YEAR, 12, 30).toordinal()


def _reports(
    rng: random.Random,
    total: int,
    assignments: list[tuple[int, _Task, int, Role]],
    focal_by_unit: dict[int, list[int]],
    by_status: dict[str, int],
) -> Iterator[dict[str, Any]]:
    weights = [(len(t.dues) or 4) * (1.0 if role == Role.LEAD else 0.5) for _a, t, _u, role in assignments]
    for (assignment_id, task, unit_id, _role), quota in zip(assignments, _quotas(total, weights), strict=True):
        if not quota:
            continue
        reporters: list[int | None] = list(focal_by_unit.get(unit_id, [])) or [None]
        moments = sorted((rng.randint(_START, _END), rng.randint(7 * 60 + 30, 17 * 60 - 1)) for _ in range(quota))
        dues = task.dues
        index, percent = 0, 0
        for ordinal, minute in moments:
            day = date.fromordinal(ordinal)
            completed_on: date | None = None
            note = rng.choice(_NOTES).format(n=rng.randint(1, 400))
            blocked_reason = ""
            if task.kind == DeadlineKind.CONTINUOUS or index >= len(dues):
                status = Status.BLOCKED if rng.random() < 0.05 else Status.IN_PROGRESS
                percent = min(100, percent + rng.randint(5, 20))
            else:
                due = dues[index]
                days_left = (due - day).days
                done_chance = 0.55 if days_left <= 7 else 0.12
                roll = rng.random()
                if roll < done_chance:
                    status, percent = Status.DONE, 100
                    if day > due and rng.random() < 0.4:
                        completed_on = due - timedelta(days=rng.randint(0, 5))  # done in time, reported late
                    elif rng.random() < 0.5:
                        completed_on = day - timedelta(days=rng.randint(0, 2))
                    index += 1
                elif roll < done_chance + 0.06:
                    status = Status.BLOCKED
                elif percent == 0 and roll < done_chance + 0.14:
                    status = Status.NOT_STARTED
                else:
                    status = Status.IN_PROGRESS
                    percent = min(95, percent + rng.randint(10, 30))
                if status == Status.BLOCKED:
                    blocked_reason = rng.choice(_BLOCKERS)
            row_percent = percent
            if status == Status.DONE:
                percent = 0  # the next deadline starts from nothing
            by_status[status.value] += 1
            reported_at = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=TZ)
            yield {
                "assignment_id": assignment_id,
                "status": status,
                "percent": row_percent,
                "note": note,
                "blocked_reason": blocked_reason,
                "completed_on": completed_on,
                "evidence_ref": "",
                "evidence_file_id": "",
                "evidence_kind": "",
                "reported_at": reported_at,
                "reporter_person_id": rng.choice(reporters),
                "entered_by_admin": False,
            }


def _sync_sequences(connection: Connection) -> None:
    """PostgreSQL: move the id sequences past the explicit ids written above."""
    if connection.dialect.name != "postgresql":
        return
    for table in (
        "organization",
        "unit",
        "unitgroup",
        "plan",
        "area",
        "task",
        "occurrence",
        "assignment",
        "person",
        "channelaccount",
        "membership",
        "report",
    ):
        connection.execute(
            text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), COALESCE(MAX(id), 1)) FROM \"{table}\"")
        )

"""The synthetic demo county 示范县 (510199): divisions, grid workers, households, demo logins.

`seed_demo()` builds, in one transaction and deterministically from a seed:

* the county 510199000000, 2 街道 and 1 镇, 20 社区/村 and exactly 125 网格
  (15-digit codes: community code + 3 digits), with exactly 312 grid workers
  (every grid has 2 or 3);
* `households` households (default 3,000) of fictional people, each in a
  community and a grid, with members, six months of incomes, assets, rigid
  expenses and a first `HouseholdRevision` (source `demo_seed`); about one in
  six receives assistance, with a review class following domain.md §6;
* one demo login per role (two county approvers, for maker-checker), each with
  a fresh random password.

Idempotent: when the demo county already exists nothing is generated again;
only the eight demo accounts are (re)created if missing and given new random
passwords, which are returned (and printed/written by the `seed_demo`
command). Passwords are never stored in clear anywhere except the
logins file the command writes for the person running the demo.

The people come from `jiuzhu.registry.synthetic` (no Django there), which also
writes synthetic roster files in the data-exchange format.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from jiuzhu.accounts.models import User
from jiuzhu.core import clock
from jiuzhu.core.permissions import Role
from jiuzhu.divisions.models import Division, Level
from jiuzhu.domain.money import round_fen
from jiuzhu.registry.history import new_revision
from jiuzhu.registry.models import (
    Asset,
    AssetKind,
    ExpenseKind,
    Household,
    HouseholdRevision,
    Income,
    IncomeBasis,
    Member,
    RigidExpense,
)
from jiuzhu.registry.synthetic import (
    DEMO_COUNTY_CODE,
    HouseholdSpec,
    PopulationGenerator,
    demo_divisions,
)

DEMO_SEED = 20260101
DEMO_HOUSEHOLDS = 3000
GRID_COUNT = 125
GRID_WORKER_COUNT = 312
ASSISTED_SHARE = 1 / 6  # about 500 of 3,000 households receive assistance
INCOME_MONTHS = 6
REVISION_SOURCE = "demo_seed"
LOGINS_FILE_NAME = "demo-logins.txt"
_BATCH = 500


class DemoSeedError(Exception):
    """The demo cannot be seeded here; the message says why (in Chinese)."""


@dataclass(frozen=True, slots=True)
class DemoUserSpec:
    role: Role
    username: str
    scope: str  # county | township | community | grid
    full_name: str


#: One login per role, and a second county approver: maker-checker (政策参数调整) needs
#: one to propose and another to approve. The street/community/grid staff sit in
#: 青石街道 → 桂花社区 → a grid of it.
DEMO_USERS: tuple[DemoUserSpec, ...] = (
    DemoUserSpec(Role.ASSISTANCE_OFFICER, "zhuangan", "township", "林晓舟"),
    DemoUserSpec(Role.COMMUNITY_WORKER, "shequ", "community", "周语桐"),
    DemoUserSpec(Role.GRID_WORKER, "wangge", "grid", "何嘉木"),
    DemoUserSpec(Role.COUNTY_APPROVER, "shenpi", "county", "宋知远"),
    DemoUserSpec(Role.COUNTY_APPROVER, "shenpi2", "county", "许清源"),
    DemoUserSpec(Role.DEPARTMENT_LIAISON, "lianluo", "county", "唐若溪"),
    DemoUserSpec(Role.AUDITOR, "shenji", "county", "韩明澈"),
    DemoUserSpec(Role.ADMIN, "admin", "county", "欧阳清和"),
)
DEMO_TOWNSHIP_CODE = "510199001000"
DEMO_COMMUNITY_CODE = "510199001001"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    role: str  # Chinese label
    username: str
    password: str
    division: str


#: Sent inside the seeding transaction when the demo county is first built, so that apps
#: above the registry add their own demo data (the 民主评议 panel of the demo community).
demo_county_created = Signal()


@dataclass(slots=True)
class SeedResult:
    created: bool  # False: the county existed, only the demo passwords were reset
    logins: list[DemoLogin]
    counts: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def seed_demo(
    *, households: int = DEMO_HOUSEHOLDS, seed: int = DEMO_SEED, today: dt.date | None = None
) -> SeedResult:
    """Seed the demo county once; on every call (re)set the demo logins' passwords."""
    if getattr(settings, "JIUZHU_ENV", "production") == "production":
        raise DemoSeedError("生产环境不能生成演示数据（JIUZHU_ENV=production）")
    if households < 1:
        raise DemoSeedError("家庭数至少为 1")
    today = today or clock.today()
    now = clock.now()
    with transaction.atomic():
        _check_demo_usernames_free()
        county = Division.objects.filter(code=DEMO_COUNTY_CODE).first()
        created = county is None
        if county is None:
            county = _build_county(random.Random(seed), households=households, today=today, now=now)
            demo_county_created.send(
                sender=Division, county=county, community_code=DEMO_COMMUNITY_CODE
            )
        logins = _ensure_demo_users(county, now=now)
        counts = _counts(county)
    return SeedResult(created=created, logins=logins, counts=counts)


def _check_demo_usernames_free() -> None:
    """A demo username taken by a real account (other role, or outside the county) is an error."""
    for spec in DEMO_USERS:
        user = User.objects.select_related("division").filter(username=spec.username).first()
        if user is None:
            continue
        inside = user.division is not None and user.division.code.startswith(DEMO_COUNTY_CODE[:6])
        if user.role != spec.role or not inside or user.is_superuser:
            raise DemoSeedError(f"用户名 {spec.username} 已被非演示账号占用，未做任何修改")


# --------------------------------------------------------------------------------------------
# Divisions and grid workers
# --------------------------------------------------------------------------------------------


def _grid_counts(communities: int, grids: int) -> list[int]:
    """Grids per community: all get ⌊grids/communities⌋, the remainder spread evenly."""
    base, extra = divmod(grids, communities)
    bonus = {round(k * communities / extra) for k in range(extra)} if extra else set()
    return [base + (1 if i in bonus else 0) for i in range(communities)]


def _build_divisions() -> tuple[Division, list[Division], list[Division]]:
    rows = demo_divisions()
    by_code: dict[str, Division] = {}
    county = Division(code=rows[0].code, name=rows[0].name, level=Level.COUNTY, parent=None)
    county.save()
    by_code[county.code] = county
    for row in rows[1:]:
        if row.level == "township":
            town = Division(code=row.code, name=row.name, level=Level.TOWNSHIP, parent=county)
            town.save()
            by_code[town.code] = town
    communities = []
    for row in rows[1:]:
        if row.level == "community":
            com = Division(
                code=row.code, name=row.name, level=Level.COMMUNITY, parent=by_code[row.parent_code]
            )
            com.path = com.compute_path()
            communities.append(com)
    Division.objects.bulk_create(communities)
    grids = []
    for com, count in zip(communities, _grid_counts(len(communities), GRID_COUNT), strict=True):
        for n in range(1, count + 1):
            grid = Division(
                code=f"{com.code}{n:03d}", name=f"{com.name}第{n}网格", level=Level.GRID, parent=com
            )
            grid.path = grid.compute_path()
            grids.append(grid)
    Division.objects.bulk_create(grids)
    return county, communities, grids


def _create_grid_workers(
    rng: random.Random,
    gen: PopulationGenerator,
    grids: Sequence[Division],
    demo_grid: Division,
    now: dt.datetime,
) -> None:
    """312 grid workers, 2 per grid plus a third in 62 grids; the demo grid's first is `wangge`."""
    extra = GRID_WORKER_COUNT - 2 * len(grids)
    third = set(rng.sample(range(len(grids)), extra))
    demo_spec = next(s for s in DEMO_USERS if s.role == Role.GRID_WORKER)
    workers: list[User] = []
    serial = 0
    for i, grid in enumerate(grids):
        for k in range(3 if i in third else 2):
            sex = rng.choice(("male", "female"))
            if grid.pk == demo_grid.pk and k == 0:
                username, full_name = demo_spec.username, demo_spec.full_name
            else:
                serial += 1
                username, full_name = f"wg{serial:03d}", gen.name(sex)
            user = User(
                username=username,
                role=Role.GRID_WORKER,
                division=grid,
                full_name=full_name,
                is_active=True,
                must_change_password=True,
                date_joined=now,
            )
            user.set_unusable_password()
            workers.append(user)
    User.objects.bulk_create(workers)


# --------------------------------------------------------------------------------------------
# Households
# --------------------------------------------------------------------------------------------


def _build_county(
    rng: random.Random, *, households: int, today: dt.date, now: dt.datetime
) -> Division:
    county, communities, grids = _build_divisions()
    community_by_pk = {c.pk: c for c in communities}
    gen = PopulationGenerator(rng, as_of=today, id_sequence_base=0)
    months = _lookback_months(today, INCOME_MONTHS)
    assisted = set(rng.sample(range(households), max(1, round(households * ASSISTED_SHARE))))
    used_grids: set[int] = set()
    for start in range(0, households, _BATCH):
        batch: list[tuple[HouseholdSpec, Division]] = []
        for i in range(start, min(households, start + _BATCH)):
            grid = grids[rng.randrange(len(grids))]
            community = community_by_pk[grid.parent_id]  # type: ignore[index]
            spec = gen.household(
                household_no=f"SF{i + 1:08d}", community_code=community.code, assisted=i in assisted
            )
            batch.append((spec, grid))
            used_grids.add(grid.pk)
        _persist(rng, batch, community_by_pk, months=months, today=today, now=now)
    _create_grid_workers(rng, gen, grids, _pick_demo_grid(grids, used_grids), now)
    return county


def _pick_demo_grid(grids: Sequence[Division], used: set[int]) -> Division:
    """The first grid of the demo community that has households (else any grid with households)."""
    in_community = [g for g in grids if g.code.startswith(DEMO_COMMUNITY_CODE)]
    for candidates in (in_community, grids):
        for grid in candidates:
            if grid.pk in used:
                return grid
    return in_community[0]


def _lookback_months(today: dt.date, months: int) -> list[dt.date]:
    """First days of the `months` full months before `today`'s month, oldest first."""
    index = today.year * 12 + today.month - 1
    return [dt.date((index - k) // 12, (index - k) % 12 + 1, 1) for k in range(months, 0, -1)]


def _monthly_series(rng: random.Random, base: Decimal, months: int) -> list[Decimal]:
    """`months` amounts around `base` (±10%) whose mean is exactly `base`."""
    fen = int(base * 100)
    values: list[int] = []
    for _ in range(months // 2):
        d = rng.randint(0, fen // 10)
        values += [fen + d, fen - d]
    if months % 2:
        values.append(fen)
    rng.shuffle(values)
    return [Decimal(v) / 100 for v in values]


def _persist(
    rng: random.Random,
    batch: Sequence[tuple[HouseholdSpec, Division]],
    community_by_pk: dict[int, Division],
    *,
    months: Sequence[dt.date],
    today: dt.date,
    now: dt.datetime,
) -> None:
    households: list[Household] = []
    for spec, grid in batch:
        households.append(
            Household(
                household_no=spec.household_no,
                community=community_by_pk[grid.parent_id],  # type: ignore[index]
                grid=grid,
                division_path=grid.path,
                address=spec.address,
                program=spec.program,
                review_class=spec.review_class,
                enrolled_on=spec.enrolled_on,
                last_verified_on=spec.last_verified_on,
                monthly_benefit=spec.monthly_benefit,
                declared_monthly_income=spec.declared_monthly_income,
                bank_name=spec.bank_name,
                bank_account=spec.bank_account,
                version=1,
                created_at=now,
                updated_at=now,
            )
        )
    Household.objects.bulk_create(households)

    members_of: list[list[Member]] = []
    all_members: list[Member] = []
    for (spec, _grid), hh in zip(batch, households, strict=True):
        people = [
            Member(
                household=hh,
                id_number=p.id_number,
                name=p.name,
                relation=p.relation,
                birth_date=p.birth_date,
                sex=p.sex,
                labor_ability=p.labor_ability,
                disability_grade=p.disability_grade,
                disability_kind=p.disability_kind,
                health=p.health,
                is_student=p.is_student,
                employment=p.employment,
                phone=p.phone,
            )
            for p in spec.members
        ]
        members_of.append(people)
        all_members += people
    Member.objects.bulk_create(all_members)

    incomes: list[Income] = []
    assets: list[Asset] = []
    expenses: list[RigidExpense] = []
    revisions: list[HouseholdRevision] = []
    for (spec, _grid), hh, people in zip(batch, households, members_of, strict=True):
        basis = IncomeBasis.VERIFIED if spec.program != "none" else IncomeBasis.DECLARED
        for line in spec.incomes:
            member = people[line.member] if line.member is not None else None
            if line.category in ("pension_basic", "transfer_out", "exempt"):
                series = [line.amount] * len(months)
            else:
                series = _monthly_series(rng, line.amount, len(months))
            for month, amount in zip(months, series, strict=True):
                incomes.append(
                    Income(
                        household=hh,
                        member=member,
                        month=month,
                        category=line.category,
                        basis=basis,
                        amount=amount,
                        note=line.note,
                        recorded_at=now,
                    )
                )
        assets += _assets(rng, spec, hh, people, today=today, now=now)
        expenses += _expenses(rng, spec, hh, people, today=today, now=now)
        revisions.append(
            new_revision(
                hh, people, at=now, actor="", source=REVISION_SOURCE, summary="演示数据初始建档"
            )
        )
    Income.objects.bulk_create(incomes, batch_size=2000)
    Asset.objects.bulk_create(assets)
    RigidExpense.objects.bulk_create(expenses)
    HouseholdRevision.objects.bulk_create(revisions)


def _days_ago(rng: random.Random, today: dt.date, low: int, high: int) -> dt.date:
    return today - dt.timedelta(days=rng.randint(low, high))


def _assets(
    rng: random.Random,
    spec: HouseholdSpec,
    hh: Household,
    people: Sequence[Member],
    *,
    today: dt.date,
    now: dt.datetime,
) -> list[Asset]:
    assisted = spec.program != "none"
    size = len(people)
    head = people[0]
    out: list[Asset] = []

    def add(kind: str, description: str, value: int, member: Member | None = head) -> None:
        out.append(
            Asset(
                household=hh,
                member=member,
                kind=kind,
                description=description,
                value=round_fen(value),
                valid_from=_days_ago(rng, today, 30, 20 * 365),
                recorded_at=now,
            )
        )

    if rng.random() < 0.75:
        value = rng.randint(0, 9000 * size) if assisted else rng.randint(5000, 300_000)
        add(AssetKind.DEPOSIT, rng.choice(("银行存款", "活期存款", "定期存款", "理财产品")), value)
    if rng.random() < (0.55 if assisted else 0.85):
        area = rng.randint(35, 140)
        add(
            AssetKind.RESIDENTIAL,
            f"自有住房，建筑面积约{area}平方米",
            area * rng.randint(2500, 6000),
        )
        if not assisted and rng.random() < 0.08:
            area = rng.randint(40, 120)
            add(
                AssetKind.RESIDENTIAL,
                f"第二套住房，建筑面积约{area}平方米",
                area * rng.randint(3000, 7000),
            )
    if assisted and rng.random() < 0.04:
        label, low, high = rng.choice((("电动自行车", 800, 4000), ("二轮摩托车", 2000, 8000)))
        add(AssetKind.VEHICLE, label, rng.randint(low, high))
    elif not assisted and rng.random() < 0.25:
        add(
            AssetKind.VEHICLE,
            rng.choice(("小型轿车", "小型越野车", "微型面包车")),
            rng.randint(30_000, 220_000),
        )
    if not assisted and rng.random() < 0.03:
        add(AssetKind.BUSINESS, "个体工商户（便利店）", rng.randint(20_000, 120_000))
    return out


def _expenses(
    rng: random.Random,
    spec: HouseholdSpec,
    hh: Household,
    people: Sequence[Member],
    *,
    today: dt.date,
    now: dt.datetime,
) -> list[RigidExpense]:
    out: list[RigidExpense] = []

    def add(member: Member, kind: str, amount: int, note: str) -> None:
        out.append(
            RigidExpense(
                household=hh,
                member=member,
                kind=kind,
                incurred_on=_days_ago(rng, today, 0, 364),
                amount=round_fen(Decimal(amount) / 100),
                note=note,
                recorded_at=now,
            )
        )

    for m in people:
        if m.health == "serious":
            for _ in range(rng.randint(2, 6)):
                add(m, ExpenseKind.MEDICAL, rng.randint(50_000, 3_000_000), "住院费用个人自付部分")
        elif m.health == "chronic" and rng.random() < 0.6:
            for _ in range(rng.randint(1, 3)):
                add(m, ExpenseKind.MEDICAL, rng.randint(10_000, 300_000), "门诊慢特病个人自付部分")
        if m.is_student and rng.random() < 0.7:
            for _ in range(rng.randint(1, 2)):
                add(m, ExpenseKind.EDUCATION, rng.randint(80_000, 600_000), "学杂费、住宿费")
        if m.disability_grade in (1, 2) and rng.random() < 0.5:
            add(m, ExpenseKind.DISABILITY_REHAB, rng.randint(30_000, 500_000), "康复训练及辅具")
    return out


# --------------------------------------------------------------------------------------------
# Demo logins
# --------------------------------------------------------------------------------------------


def generate_password(user: User | None = None) -> str:
    """A random strong password (≥ 12 characters, upper, lower, digit and symbol) that the
    configured password validators accept."""
    for _ in range(50):
        token = secrets.token_urlsafe(12)  # 16 characters of [A-Za-z0-9_-]
        if not any(c.isdigit() for c in token):
            continue
        candidate = f"Jz-{token}"
        try:
            validate_password(candidate, user)
        except ValidationError:
            continue
        return candidate
    raise DemoSeedError("无法生成符合密码策略的随机密码，请检查密码校验配置")


def _demo_division(spec: DemoUserSpec, county: Division) -> Division:
    if spec.scope == "county":
        return county
    if spec.scope == "township":
        return Division.objects.get(code=DEMO_TOWNSHIP_CODE)
    if spec.scope == "community":
        return Division.objects.get(code=DEMO_COMMUNITY_CODE)
    grids = Division.objects.filter(level=Level.GRID, path__startswith=county.path).order_by("code")
    with_households = grids.filter(grid_households__isnull=False).distinct()
    grid = (
        with_households.filter(code__startswith=DEMO_COMMUNITY_CODE).first()
        or with_households.first()
        or grids.first()
    )
    if grid is None:
        raise DemoSeedError("示范县没有网格，无法创建网格员演示账号")
    return grid


def _ensure_demo_users(county: Division, *, now: dt.datetime) -> list[DemoLogin]:
    logins: list[DemoLogin] = []
    division_perms = list(Permission.objects.filter(content_type__app_label="divisions"))
    for spec in DEMO_USERS:
        user = User.objects.select_related("division").filter(username=spec.username).first()
        if user is None:
            user = User(
                username=spec.username,
                role=spec.role,
                division=_demo_division(spec, county),
                full_name=spec.full_name,
                date_joined=now,
            )
        password = generate_password(user)
        user.set_password(password)
        user.password_changed_at = now
        user.must_change_password = False
        user.is_active = True
        user.locked_until = None
        user.is_staff = spec.role == Role.ADMIN
        user.is_superuser = False
        user.save()
        if spec.role == Role.ADMIN:
            user.user_permissions.set(division_perms)
        assert user.division is not None
        logins.append(DemoLogin(Role(spec.role).label, spec.username, password, str(user.division)))
    return logins


def _counts(county: Division) -> dict[str, int]:
    divisions = Division.objects.filter(path__startswith=county.path)
    households = Household.objects.filter(division_path__startswith=county.path)
    return {
        "townships": divisions.filter(level=Level.TOWNSHIP).count(),
        "communities": divisions.filter(level=Level.COMMUNITY).count(),
        "grids": divisions.filter(level=Level.GRID).count(),
        "grid_workers": User.objects.filter(
            role=Role.GRID_WORKER, division__path__startswith=county.path
        ).count(),
        "households": households.count(),
        "assisted": households.exclude(program="none").count(),
        "members": Member.objects.filter(household__division_path__startswith=county.path).count(),
    }


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_logins(logins: Sequence[DemoLogin]) -> str:
    """The logins as an aligned table: 角色 / 用户名 / 密码 / 所属区划."""
    rows = [("角色", "用户名", "密码", "所属区划")] + [
        (x.role, x.username, x.password, x.division) for x in logins
    ]
    widths = [max(_display_width(r[i]) for r in rows) for i in range(3)]
    lines = []
    for r in rows:
        cells = [r[i] + " " * (widths[i] - _display_width(r[i])) for i in range(3)]
        lines.append("  ".join([*cells, r[3]]))
    rule = "-" * (sum(widths) + 6 + max(_display_width(r[3]) for r in rows))
    return "\n".join([lines[0], rule, *lines[1:]])


def write_logins_file(
    logins: Sequence[DemoLogin], directory: str | Path, *, now: dt.datetime
) -> Path:
    """Write the logins table to <directory>/demo-logins.txt, readable by the owner only."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    path = target / LOGINS_FILE_NAME
    text = (
        "示范县演示账号（仅用于演示环境，请勿用于生产）\n"
        f"生成时间：{timezone.localtime(now):%Y-%m-%d %H:%M}\n"
        "再次运行 `jiuzhu seed_demo` 会为这些账号重新生成密码。\n\n" + format_logins(logins) + "\n"
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        os.fchmod(f.fileno(), 0o600)
        f.write(text)
    return path


__all__ = [
    "DEMO_HOUSEHOLDS",
    "DEMO_SEED",
    "DEMO_USERS",
    "GRID_COUNT",
    "GRID_WORKER_COUNT",
    "DemoLogin",
    "DemoSeedError",
    "SeedResult",
    "format_logins",
    "generate_password",
    "seed_demo",
    "write_logins_file",
]

"""Test data builders. IDs, phones and bank accounts are generated valid
(check character, Luhn) so the privacy tests can look for them."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from decimal import Decimal

from jiuzhu.accounts.models import User
from jiuzhu.core import clock
from jiuzhu.core.permissions import Role
from jiuzhu.divisions.models import Division, Level
from jiuzhu.domain.identity import check_character
from jiuzhu.registry.models import Household, HouseholdRevision, Member, Program, Relation
from jiuzhu.registry.synthetic import luhn_complete

PASSWORD = "Qingshi#River2026"
_serial = itertools.count(1)
_rng = random.Random(20261129)


def id_number(
    birth: dt.date = dt.date(1980, 5, 17), region: str = "510199", *, female: bool = False
) -> str:
    seq = next(_serial) % 500
    order = f"{seq:02d}{(2 * (seq % 5)) + (0 if female else 1)}"[-3:]
    first17 = f"{region}{birth:%Y%m%d}{order}"
    return first17 + check_character(first17)


def phone() -> str:
    return f"139{_rng.randrange(10**8):08d}"


def bank_account() -> str:
    return luhn_complete("621700" + f"{_rng.randrange(10**12):012d}")


def division(code: str, name: str, level: str, parent: Division | None) -> Division:
    return Division.objects.create(code=code, name=name, level=level, parent=parent)


def household(
    community: Division,
    grid: Division | None,
    *,
    members: int = 2,
    no: str | None = None,
    program: str = Program.DIBAO,
    name_prefix: str = "王",
) -> Household:
    now = clock.now()
    hh = Household.objects.create(
        household_no=no or f"T{next(_serial):08d}",
        community=community,
        grid=grid,
        address=f"{community.name}幸福路{_rng.randrange(1, 200)}号",
        program=program,
        review_class="C",
        enrolled_on=dt.date(2024, 3, 1),
        last_verified_on=dt.date(2025, 9, 1),
        monthly_benefit=Decimal("650.00"),
        declared_monthly_income=Decimal("1200.00"),
        bank_name="农业银行",
        bank_account=bank_account(),
        created_at=now,
        updated_at=now,
    )
    relations = [Relation.HEAD, Relation.SPOUSE, Relation.CHILD, Relation.CHILD, Relation.PARENT]
    for i in range(members):
        birth = dt.date(1975 + i * 7, 1 + i, 10 + i)
        Member.objects.create(
            household=hh,
            id_number=id_number(birth, female=i % 2 == 1),
            name=f"{name_prefix}{'小大中'[i % 3]}{'明芳强丽军'[i % 5]}",
            relation=relations[i % len(relations)],
            birth_date=birth,
            sex="female" if i % 2 else "male",
            labor_ability="full",
            health="healthy",
            employment="flexible",
            phone=phone(),
        )
    HouseholdRevision.objects.create(
        household=hh,
        version=1,
        recorded_at=now,
        source="test",
        snapshot={"household_no": hh.household_no},
    )
    return hh


@dataclass
class County:
    county: Division
    townships: list[Division] = field(default_factory=list)
    communities: list[Division] = field(default_factory=list)
    grids: list[Division] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)

    def households_in(self, div: Division) -> list[Household]:
        return [h for h in self.households if h.division_path.startswith(div.path)]


def make_county(households_per_grid: int = 2) -> County:
    county = division("510199000000", "示范县", Level.COUNTY, None)
    c = County(county=county)
    surnames = iter(
        "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    )
    for t in (1, 2):
        town = division(f"510199{t:03d}000", f"{'AB'[t - 1]}街道", Level.TOWNSHIP, county)
        c.townships.append(town)
        for k in (1, 2):
            com = division(f"510199{t:03d}{k:03d}", f"{'AB'[t - 1]}{k}社区", Level.COMMUNITY, town)
            c.communities.append(com)
            for g in (1, 2):
                grid = division(f"{com.code}{g:03d}", f"{com.name}第{g}网格", Level.GRID, com)
                c.grids.append(grid)
                for _ in range(households_per_grid):
                    c.households.append(household(com, grid, name_prefix=next(surnames)))
    return c


@dataclass
class Cast:
    officer: User
    community_worker: User
    grid_worker: User
    approver: User
    liaison: User
    auditor: User
    admin: User
    other_community_worker: User
    no_division: User

    def all(self) -> list[User]:
        return [
            self.officer,
            self.community_worker,
            self.grid_worker,
            self.approver,
            self.liaison,
            self.auditor,
            self.admin,
            self.other_community_worker,
            self.no_division,
        ]


def user(username: str, role: str, div: Division | None, **extra: object) -> User:
    u = User.objects.create(username=username, role=role, division=div, full_name=username, **extra)
    u.set_password(PASSWORD)
    u.save()
    return u


def make_cast(c: County) -> Cast:
    return Cast(
        officer=user("officer_a", Role.ASSISTANCE_OFFICER, c.townships[0]),
        community_worker=user("community_a1", Role.COMMUNITY_WORKER, c.communities[0]),
        grid_worker=user("grid_a1_1", Role.GRID_WORKER, c.grids[0]),
        approver=user("approver", Role.COUNTY_APPROVER, c.county),
        liaison=user("liaison", Role.DEPARTMENT_LIAISON, c.county),
        auditor=user("auditor", Role.AUDITOR, c.county),
        admin=user("sysadmin", Role.ADMIN, c.county, is_staff=True),
        other_community_worker=user("community_b1", Role.COMMUNITY_WORKER, c.communities[2]),
        no_division=user("nodivision", Role.COMMUNITY_WORKER, None),
    )

"""Synthetic people, households and rosters — no real person, ever.

Two users share the generator here:

* `jiuzhu.registry.demo` (the `seed_demo` command) turns `HouseholdSpec`s into
  database rows for the demo county;
* `write_synthetic_roster` streams a roster of current recipients in the
  data-exchange §1 CSV format (divisions.csv, households.csv, members.csv;
  UTF-8, English headers) for benchmarks and import tests, optionally with
  planted bad rows, and returns exactly the (file, line, reason) an importer
  must reject.

This module imports no Django, so it runs as a plain script too:
`python -m jiuzhu.registry.synthetic OUT_DIR --households 100000 --bad-fraction 0.001`.

Everything is drawn from a `random.Random(seed)`: the same seed and `as_of`
give the same people and byte-identical files. The county code 510199 is a
plausible Sichuan (51) / Chengdu (01) prefix that GB/T 2260 does not assign
(python-stdnum's table has no 510199), so no generated ID number can belong to
a real person's birthplace. The benefit amounts below are *generated history*
following domain.md §4/§8 so that the demo data looks consistent; they are not
the rules (those live in the policy parameters).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from stdnum import luhn

from jiuzhu.domain.identity import check_character
from jiuzhu.domain.money import ZERO, round_fen
from jiuzhu.domain.policy.vocabulary import (
    RELATION_LABELS,  # also what the exchange standard writes
)

# --------------------------------------------------------------------------------------------
# The demo county's administrative divisions (statistical codes, fictional names)
# --------------------------------------------------------------------------------------------

DEMO_REGION = "510199"
DEMO_COUNTY_CODE = "510199000000"
DEMO_COUNTY_NAME = "示范县"


@dataclass(frozen=True, slots=True)
class DivisionRow:
    """One row of divisions.csv: a county, township or community (grids are platform-only)."""

    code: str
    name: str
    level: str  # county | township | community
    parent_code: str  # "" for the county


# Township code 001–099 = 街道, 100–199 = 镇; community code 001–199 = 社区 (居委会),
# 200–399 = 村 (村委会), as in the statistical division code scheme.
_TOWNSHIPS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "001",
        "青石街道",
        (
            ("001", "桂花社区"),
            ("002", "和平社区"),
            ("003", "文昌社区"),
            ("004", "锦绣社区"),
            ("005", "清泉社区"),
            ("006", "石桥社区"),
            ("007", "鹭洲社区"),
        ),
    ),
    (
        "002",
        "云栖街道",
        (
            ("001", "云栖社区"),
            ("002", "枫林社区"),
            ("003", "翠湖社区"),
            ("004", "书院社区"),
            ("005", "新桥社区"),
            ("006", "月湾社区"),
        ),
    ),
    (
        "101",
        "白鹭镇",
        (
            ("001", "白鹭社区"),
            ("201", "荷塘村"),
            ("202", "竹林村"),
            ("203", "石堰村"),
            ("204", "柳溪村"),
            ("205", "杏花村"),
            ("206", "松坪村"),
        ),
    ),
)

_ROADS: dict[str, tuple[str, ...]] = {
    "001": ("青石路", "桂花巷", "文昌街", "和平路", "石桥东路", "清泉街"),
    "002": ("云栖大道", "枫林路", "翠湖街", "书院巷", "新桥路", "月湾街"),
    "101": ("白鹭街", "镇南路", "荷花巷"),
}


def demo_divisions() -> list[DivisionRow]:
    """County, townships and communities of the demo county, parents before children."""
    rows = [DivisionRow(DEMO_COUNTY_CODE, DEMO_COUNTY_NAME, "county", "")]
    for t_code, t_name, communities in _TOWNSHIPS:
        township = f"{DEMO_REGION}{t_code}000"
        rows.append(DivisionRow(township, t_name, "township", DEMO_COUNTY_CODE))
        for c_code, c_name in communities:
            rows.append(
                DivisionRow(f"{DEMO_REGION}{t_code}{c_code}", c_name, "community", township)
            )
    return rows


# --------------------------------------------------------------------------------------------
# Vocabularies (the English codes match jiuzhu.registry.models; the tests check they agree)
# --------------------------------------------------------------------------------------------

#: Income categories that count towards household income (domain.md §3); transfer_out is
#: subtracted; pension_basic and exempt are recorded but never counted.
COUNTED_INCOME = frozenset(
    {"wage", "business", "property", "transfer_in", "pension_individual", "other"}
)
SUBTRACTED_INCOME = frozenset({"transfer_out"})

#: Programmes of assisted households and how often each occurs in generated data.
PROGRAM_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("dibao", 0.55),
    ("low_income_recognition", 0.15),
    ("tekun", 0.10),
    ("disability_two_subsidies", 0.07),
    ("temp_aid", 0.05),
    ("elderly_subsidies", 0.05),
    ("child_basic_living", 0.03),
)

_PROGRAMS = [p for p, _ in PROGRAM_WEIGHTS]
_PROGRAM_WEIGHTS = [w for _, w in PROGRAM_WEIGHTS]

# Values used only to make generated history look right (domain.md §8, demo county).
DIBAO_STANDARD = Decimal("950.00")
TEKUN_BASIC = round_fen(DIBAO_STANDARD * Decimal("1.3"))
TEKUN_CARE = {"full": Decimal("700.00"), "half": Decimal("350.00"), "self": Decimal("210.00")}
PENSION_BASIC = Decimal("163.00")

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤"
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容")
_MALE_CHARS = (
    "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林建国志文博远航晨阳峰德福成荣"
)
_FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲桂英红梅琳燕萍雪琴云莉兰凤洁倩婷颖欣悦佳怡涵萱蓉丹慧淑珍"
#: 13x–19x mobile prefixes (third digit included).
_PHONE_PREFIXES = tuple(
    f"1{n}" for n in (30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 50, 51, 52, 53, 55, 56, 57, 58, 59)
) + tuple(
    f"1{n}" for n in (66, 73, 75, 76, 77, 78, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 91, 98, 99)
)
_BANKS = (
    "中国农业银行",
    "中国邮政储蓄银行",
    "四川农村商业联合银行",
    "中国建设银行",
    "中国工商银行",
)
_DISABILITY_KINDS = (
    "physical",
    "visual",
    "hearing",
    "speech",
    "intellectual",
    "mental",
    "multiple",
)

_INCOME_NOTES = {
    "wage": "工资",
    "business": "个体经营净收入",
    "pension_individual": "个人账户养老金",
    "transfer_in": "亲属资助",
    "property": "房屋出租",
}

MEAN_MEMBERS = 2.5  # about what the composition table below produces


# --------------------------------------------------------------------------------------------
# Generated records
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class PersonSpec:
    id_number: str
    name: str
    relation: str
    birth_date: dt.date
    sex: str  # male | female
    labor_ability: str  # full | partial | none
    disability_grade: int  # 0 none, 1–4
    disability_kind: str  # "" when none
    health: str  # healthy | chronic | serious
    is_student: bool
    employment: str  # employed | flexible | unemployed | retired | none
    phone: str  # "" for minors and some elderly

    def age_on(self, day: dt.date) -> int:
        return _age(self.birth_date, day)


def _age(born: dt.date, day: dt.date) -> int:
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


@dataclass(frozen=True, slots=True)
class IncomeLine:
    """A monthly income (or deduction) of one category; `member` indexes `HouseholdSpec.members`."""

    member: int | None
    category: str
    amount: Decimal
    note: str = ""


@dataclass(slots=True)
class HouseholdSpec:
    household_no: str
    community_code: str
    address: str
    program: str  # "none" when not assisted
    review_class: str  # "" when not assisted
    enrolled_on: dt.date | None
    last_verified_on: dt.date | None
    monthly_benefit: Decimal
    declared_monthly_income: Decimal  # = counted income lines per month
    bank_name: str
    bank_account: str
    members: list[PersonSpec] = field(default_factory=list)
    incomes: list[IncomeLine] = field(default_factory=list)


def review_class_for(members: Iterable[PersonSpec]) -> str:
    """domain.md §6: A (serious illness / disability 1–2), else B (able to work and
    flexible/unemployed), else C. The shortest cycle wins."""
    people = list(members)
    if any(p.health == "serious" or 1 <= p.disability_grade <= 2 for p in people):
        return "A"
    if any(
        p.labor_ability in ("full", "partial") and p.employment in ("flexible", "unemployed")
        for p in people
    ):
        return "B"
    return "C"


def luhn_complete(prefix: str) -> str:
    """`prefix` followed by its Luhn check digit (a bank card number that validates)."""
    return prefix + luhn.calc_check_digit(prefix)


class IdAllocator:
    """Unique 18-character ID numbers for one region.

    The sequence code (顺序码, 3 digits) is `base + 2n + sex bit` so its parity gives the
    sex; `base` lets two generators (the demo county, a synthetic roster) never collide.
    """

    def __init__(
        self, region: str = DEMO_REGION, *, sequence_base: int = 0, span: int = 500
    ) -> None:
        if len(region) != 6 or not region.isdigit() or sequence_base % 2:
            raise ValueError("region must be 6 digits and sequence_base even")
        self.region = region
        self.base = sequence_base
        self.slots = span // 2
        self._used: dict[tuple[dt.date, str], int] = {}

    def allocate(self, birth: dt.date, sex: str) -> tuple[str, dt.date]:
        """An unused number for `birth`/`sex` (moving the birth a day on if that day is full)."""
        while True:
            n = self._used.get((birth, sex), 0)
            if n < self.slots:
                break
            birth += dt.timedelta(days=1)
        self._used[(birth, sex)] = n + 1
        seq = self.base + 2 * n + (1 if sex == "male" else 0)
        first17 = f"{self.region}{birth:%Y%m%d}{seq:03d}"
        return first17 + check_character(first17), birth


class PopulationGenerator:
    """Draws households of fictional people, all from one `random.Random`."""

    def __init__(
        self,
        rng: random.Random,
        *,
        as_of: dt.date,
        region: str = DEMO_REGION,
        id_sequence_base: int = 0,
        multiline_address_fraction: float = 0.0,
    ) -> None:
        self.rng = rng
        self.as_of = as_of
        self.ids = IdAllocator(region, sequence_base=id_sequence_base)
        self.multiline_address_fraction = multiline_address_fraction
        divisions = demo_divisions()
        self._names = {d.code: d.name for d in divisions}
        self._parent = {d.code: d.parent_code for d in divisions}

    # -- small pieces ------------------------------------------------------------------------

    def surname(self) -> str:
        rng = self.rng
        if rng.random() < 0.015:
            return rng.choice(_COMPOUND_SURNAMES)
        # Skewed towards the front of the list, where the common surnames are.
        return _SURNAMES[int(len(_SURNAMES) * rng.random() ** 1.7)]

    def given_name(self, sex: str) -> str:
        chars = _MALE_CHARS if sex == "male" else _FEMALE_CHARS
        n = 1 if self.rng.random() < 0.3 else 2
        return "".join(self.rng.choice(chars) for _ in range(n))

    def name(self, sex: str, surname: str | None = None) -> str:
        return (surname or self.surname()) + self.given_name(sex)

    def phone(self) -> str:
        return self.rng.choice(_PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def bank_account(self) -> str:
        length = self.rng.choice((16, 17, 18, 19))
        body = "62" + "".join(str(self.rng.randrange(10)) for _ in range(length - 3))
        return luhn_complete(body)

    def birth_for_age(self, age: int) -> dt.date:
        days = int(age * 365.25) + self.rng.randrange(0, 365)
        return self.as_of - dt.timedelta(days=max(days, 60))

    def address(self, community_code: str) -> str:
        rng = self.rng
        township_code = self._parent[community_code]
        township = self._names[township_code]
        community = self._names[community_code]
        if community.endswith("村"):
            group, number = rng.randint(1, 12), rng.randint(1, 99)
            text = f"{DEMO_COUNTY_NAME}{township}{community}{group}组{number}号"
        else:
            road = rng.choice(_ROADS[township_code[6:9]])
            number, building, unit = rng.randint(1, 300), rng.randint(1, 20), rng.randint(1, 4)
            room = rng.randint(1, 18) * 100 + rng.randint(1, 6)
            text = (
                f"{DEMO_COUNTY_NAME}{township}{community}{road}{number}号"
                f"{building}栋{unit}单元{room}室"
            )
        if rng.random() < self.multiline_address_fraction:
            # Hand-typed legacy data: a line break inside the quoted field.
            head, _, tail = text.partition("号")
            text = f"{head}号\n{tail}" if tail else text + "\n（旧址）"
        return text

    # -- people ------------------------------------------------------------------------------

    def person(
        self,
        relation: str,
        age: int,
        sex: str,
        *,
        surname: str | None,
        hardship: bool,
        force_disability: bool = False,
    ) -> PersonSpec:
        rng = self.rng
        id_number, birth = self.ids.allocate(self.birth_for_age(age), sex)
        age = _age(birth, self.as_of)
        elderly = age >= 60

        grade, kind = 0, ""
        p_disabled = (0.16 if hardship else 0.05) * (1.6 if elderly else 1.0)
        if force_disability or rng.random() < p_disabled:
            grade = rng.choices((1, 2, 3, 4), weights=(15, 25, 30, 30))[0]
            if force_disability:
                grade = rng.choice((1, 2))
            kind = rng.choice(_DISABILITY_KINDS)

        p_serious = (0.08 if hardship else 0.02) * (1.5 if elderly else 1.0)
        p_chronic = (0.22 if hardship else 0.10) * (2.0 if elderly else 1.0)
        r = rng.random()
        health = (
            "serious" if r < p_serious else "chronic" if r < p_serious + p_chronic else "healthy"
        )

        is_student = (6 <= age <= 15) or (16 <= age <= 22 and rng.random() < 0.65)

        if age < 16 or is_student or grade in (1, 2) or health == "serious":
            labor = "none"
        elif elderly:
            labor = "partial" if age < 70 and rng.random() < 0.35 else "none"
        elif grade in (3, 4) or health == "chronic":
            labor = "partial" if rng.random() < 0.7 else "none"
        else:
            labor = "full" if rng.random() < 0.93 else "partial"

        if elderly:
            employment = "retired" if rng.random() < (0.2 if hardship else 0.45) else "none"
            if labor != "none" and rng.random() < 0.3:
                employment = "flexible"
        elif labor == "none":
            employment = "none"
        else:
            weights = (20, 45, 35) if hardship else (65, 25, 10)
            employment = rng.choices(("employed", "flexible", "unemployed"), weights=weights)[0]

        phone = ""
        if age >= 18 and rng.random() < (0.75 if age >= 80 else 0.95):
            phone = self.phone()

        return PersonSpec(
            id_number=id_number,
            name=self.name(sex, surname),
            relation=relation,
            birth_date=birth,
            sex=sex,
            labor_ability=labor,
            disability_grade=grade,
            disability_kind=kind,
            health=health,
            is_student=is_student,
            employment=employment,
            phone=phone,
        )

    def _composition(self, program: str) -> list[tuple[str, int, str]]:
        """(relation, age, sex) of each member; the head first, at most 5 members."""
        rng = self.rng
        other = {"male": "female", "female": "male"}
        sex = "male" if rng.random() < 0.62 else "female"
        if program == "tekun":
            kind = "single_elder" if rng.random() < 0.8 else "single_adult"
        elif program == "child_basic_living":
            kind = "grandparent"
        elif program == "elderly_subsidies":
            kind = rng.choice(("single_elder", "elder_couple"))
        else:
            kind = rng.choices(
                (
                    "single_elder",
                    "elder_couple",
                    "single_adult",
                    "couple",
                    "nuclear",
                    "three_gen",
                    "single_parent",
                    "grandparent",
                    "siblings",
                ),
                weights=(11, 15, 10, 9, 31, 12, 6, 3, 3),
            )[0]
        if kind == "single_elder":
            low = 80 if program == "elderly_subsidies" else 60
            return [("head", rng.randint(low, 94), sex)]
        if kind == "elder_couple":
            low = 80 if program == "elderly_subsidies" else 60
            age = rng.randint(low, 90)
            return [("head", age, sex), ("spouse", max(55, age + rng.randint(-5, 5)), other[sex])]
        if kind == "single_adult":
            return [("head", rng.randint(22, 59), sex)]
        if kind == "siblings":
            age = rng.randint(30, 70)
            return [
                ("head", age, sex),
                ("sibling", max(18, age + rng.randint(-8, 8)), rng.choice(("male", "female"))),
            ]
        if kind == "grandparent":
            age = rng.randint(55, 80)
            kids = [
                ("grandchild", rng.randint(2, 16), rng.choice(("male", "female")))
                for _ in range(rng.randint(1, 2))
            ]
            return [("head", age, sex), *kids]
        age = rng.randint(24, 58)
        people = [("head", age, sex)]
        if kind != "single_parent":
            people.append(("spouse", max(20, age + rng.randint(-4, 4)), other[sex]))
        if kind != "couple":
            max_kids = 2 if kind == "three_gen" else 3
            for _ in range(rng.randint(1, max_kids)):
                people.append(
                    (
                        "child",
                        rng.randint(0, max(0, min(age - 20, 30))),
                        rng.choice(("male", "female")),
                    )
                )
        if kind == "three_gen":
            people.append(
                ("parent", min(94, age + rng.randint(22, 34)), rng.choice(("male", "female")))
            )
        return people[:5]

    # -- households --------------------------------------------------------------------------

    def household(self, *, household_no: str, community_code: str, assisted: bool) -> HouseholdSpec:
        rng = self.rng
        program = "none"
        if assisted:
            program = rng.choices(_PROGRAMS, weights=_PROGRAM_WEIGHTS)[0]
        plan = self._composition(program)

        head_sex = plan[0][2]
        family_surname = self.surname()
        spouse_surname = self.surname()
        father_line = family_surname if head_sex == "male" else spouse_surname
        members: list[PersonSpec] = []
        force = program == "disability_two_subsidies" or (program == "tekun" and plan[0][1] < 60)
        for i, (relation, age, sex) in enumerate(plan):
            if relation in ("head", "sibling") or (relation == "parent" and sex == "male"):
                surname: str | None = family_surname
            elif relation in ("child", "grandchild"):
                surname = father_line
            else:
                surname = None
            members.append(
                self.person(
                    relation,
                    age,
                    sex,
                    surname=surname,
                    hardship=assisted,
                    force_disability=force and i == 0,
                )
            )
        if program == "tekun":
            members[0].labor_ability, members[0].employment = "none", "none"

        incomes = self._incomes(members, program)
        declared = sum(
            (
                line.amount if line.category in COUNTED_INCOME else -line.amount
                for line in incomes
                if line.category in COUNTED_INCOME or line.category in SUBTRACTED_INCOME
            ),
            ZERO,
        )
        enrolled_on = last_verified_on = None
        review_class, benefit, bank_name, bank_account = "", ZERO, "", ""
        if assisted:
            review_class = review_class_for(members)
            benefit = self._benefit(program, members, declared)
            enrolled_on = self.as_of - dt.timedelta(days=rng.randint(45, 10 * 365))
            span = min(365, (self.as_of - enrolled_on).days)
            last_verified_on = self.as_of - dt.timedelta(days=rng.randint(0, span))
            bank_name, bank_account = rng.choice(_BANKS), self.bank_account()
        return HouseholdSpec(
            household_no=household_no,
            community_code=community_code,
            address=self.address(community_code),
            program=program,
            review_class=review_class,
            enrolled_on=enrolled_on,
            last_verified_on=last_verified_on,
            monthly_benefit=benefit,
            declared_monthly_income=round_fen(declared),
            bank_name=bank_name,
            bank_account=bank_account,
            members=members,
            incomes=incomes,
        )

    def _target_income(self, program: str, size: int) -> Decimal:
        """Household counted monthly income, by programme (per-capita multiple of the standard)."""
        low, high = {
            "dibao": (0.0, 0.85),
            "low_income_recognition": (1.0, 1.45),
            "tekun": (0.0, 0.3),
            "none": (1.5, 6.0),
        }.get(program, (0.5, 2.0))
        per_capita = DIBAO_STANDARD * Decimal(str(round(self.rng.uniform(low, high), 4)))
        if program == "tekun":
            return round_fen(per_capita)
        return round_fen(per_capita * size)

    def _incomes(self, members: Sequence[PersonSpec], program: str) -> list[IncomeLine]:
        rng = self.rng
        target = self._target_income(program, len(members))
        lines: list[IncomeLine] = []
        earners = [i for i, m in enumerate(members) if m.employment in ("employed", "flexible")]
        retirees = [i for i, m in enumerate(members) if m.employment == "retired"]
        sources: list[tuple[int, str]] = []
        for i in earners:
            category = (
                "business" if members[i].employment == "flexible" and rng.random() < 0.1 else "wage"
            )
            sources.append((i, category))
        sources += [(i, "pension_individual") for i in retirees]
        if not sources:
            sources.append((0, "transfer_in"))
        if program == "none" and rng.random() < 0.08:
            sources.append((0, "property"))

        weights = [rng.uniform(0.5, 1.5) for _ in sources]
        total_weight = sum(weights)
        remaining = target
        for k, ((member, category), weight) in enumerate(zip(sources, weights, strict=True)):
            share = (
                remaining
                if k == len(sources) - 1
                else round_fen(target * Decimal(str(weight / total_weight)))
            )
            share = min(share, remaining)
            remaining -= share
            if share <= 0:
                continue
            note = _INCOME_NOTES[category]
            if category == "wage" and members[member].employment == "employed":
                gross = round_fen(share / Decimal("0.9"))
                lines.append(IncomeLine(member, "wage", gross, note))
                lines.append(
                    IncomeLine(member, "transfer_out", gross - share, "个人缴纳社会保险费")
                )
            else:
                lines.append(IncomeLine(member, category, share, note))
        for i, m in enumerate(members):
            if m.age_on(self.as_of) >= 60:
                lines.append(IncomeLine(i, "pension_basic", PENSION_BASIC, "城乡居民基础养老金"))
        if rng.random() < 0.03:
            lines.append(IncomeLine(0, "exempt", round_fen(rng.randrange(100, 800)), "优待抚恤金"))
        return lines

    def _benefit(self, program: str, members: Sequence[PersonSpec], declared: Decimal) -> Decimal:
        ages = [m.age_on(self.as_of) for m in members]
        if program == "dibao":
            return round_fen(DIBAO_STANDARD * len(members) - declared)
        if program == "tekun":
            head = members[0]
            if head.disability_grade in (1, 2) or head.health == "serious":
                tier = "full"
            elif ages[0] >= 80 or head.health == "chronic" or head.disability_grade:
                tier = "half"
            else:
                tier = "self"
            return TEKUN_BASIC + TEKUN_CARE[tier]
        if program == "disability_two_subsidies":
            per = {
                1: Decimal("190.00"),
                2: Decimal("190.00"),
                3: Decimal("90.00"),
                4: Decimal("90.00"),
            }
            return sum((per[m.disability_grade] for m in members if m.disability_grade), ZERO)
        if program == "child_basic_living":
            return Decimal("1300.00") * sum(1 for a in ages if a < 18)
        if program == "elderly_subsidies":
            return Decimal("100.00") * max(1, sum(1 for a in ages if a >= 80))
        return ZERO  # low_income_recognition and temp_aid: no monthly cash


# --------------------------------------------------------------------------------------------
# The roster files (data-exchange.md §1)
# --------------------------------------------------------------------------------------------

DIVISIONS_HEADER = ("code", "name", "level", "parent_code")
HOUSEHOLDS_HEADER = (
    "household_id",
    "region_code",
    "address",
    "program",
    "review_class",
    "enrolled_on",
    "last_verified_on",
    "monthly_benefit",
    "declared_monthly_income",
)
MEMBERS_HEADER = (
    "household_id",
    "id_number",
    "name",
    "relation",
    "labor_ability",
    "disability_grade",
    "health",
    "is_student",
    "employment",
)

#: The kinds of bad row `write_synthetic_roster` can plant (reason codes of the standard).
BAD_KINDS = ("bad_check_digit", "bad_birth_date", "blank_id", "negative_amount", "duplicate")

DEFAULT_SEED = 20260101
DEFAULT_AS_OF = dt.date(2026, 6, 30)


class PlantedDefect(NamedTuple):
    """A bad row: file name, 1-based physical line where the record starts, reason code."""

    file: str
    line: int
    reason: str


class _LineWriter:
    """A csv writer that knows the physical line each record starts on (header = line 1)."""

    def __init__(self, path: Path, header: Sequence[str]) -> None:
        self.name = path.name
        self._file = path.open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._file, lineterminator="\n")
        self.next_line = 1
        self.write(header)

    def write(self, row: Sequence[str]) -> int:
        line = self.next_line
        self._csv.writerow(row)
        self.next_line += 1 + sum(cell.count("\n") for cell in row)
        return line

    def close(self) -> None:
        self._file.close()


def _household_row(spec: HouseholdSpec) -> list[str]:
    return [
        spec.household_no,
        spec.community_code,
        spec.address,
        spec.program,
        spec.review_class,
        spec.enrolled_on.isoformat() if spec.enrolled_on else "",
        spec.last_verified_on.isoformat() if spec.last_verified_on else "",
        f"{spec.monthly_benefit:.2f}",
        f"{spec.declared_monthly_income:.2f}",
    ]


def _member_row(household_no: str, p: PersonSpec, id_number: str | None = None) -> list[str]:
    return [
        household_no,
        p.id_number if id_number is None else id_number,
        p.name,
        RELATION_LABELS[p.relation],
        p.labor_ability,
        str(p.disability_grade),
        p.health,
        "1" if p.is_student else "0",
        p.employment,
    ]


def _plant_count(fraction: float, rows: float) -> int:
    return 0 if fraction <= 0 else max(1, round(fraction * rows))


def write_synthetic_roster(
    directory: str | Path,
    *,
    households: int = 100_000,
    seed: int = DEFAULT_SEED,
    bad_fraction: float = 0.0,
    as_of: dt.date = DEFAULT_AS_OF,
    multiline_address_fraction: float = 0.002,
    include_divisions: bool = True,
) -> list[PlantedDefect]:
    """Stream a synthetic roster of `households` assisted households into `directory`.

    Writes divisions.csv (the demo county's county/townships/communities, unless
    `include_divisions` is false), households.csv and members.csv in the
    data-exchange §1 format (UTF-8 without BOM, English headers, relations as the
    Chinese labels), about 2.5 members per household, all born on or before `as_of`.

    `bad_fraction` > 0 plants, for each kind in `BAD_KINDS`, about
    `bad_fraction` × (rows of the file it lives in) extra bad rows (at least one
    each): `bad_check_digit`, `bad_birth_date` (…19900230…) and `blank_id` as
    extra member rows of existing households; `negative_amount` as an extra
    household row with its own id and no members; `duplicate` as an exact copy
    of the row just written, in both files. Each bad row has exactly one defect
    and causes no other rejection, so the returned list (sorted by file, line) is
    exactly what a correct import rejects. The good rows do not depend on
    `bad_fraction`: the defects come from their own random stream.
    """
    if households < 1:
        raise ValueError("households must be at least 1")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    divisions = demo_divisions()
    communities = [d.code for d in divisions if d.level == "community"]

    if include_divisions:
        dw = _LineWriter(out / "divisions.csv", DIVISIONS_HEADER)
        try:
            for d in divisions:
                dw.write([d.code, d.name, d.level, d.parent_code])
        finally:
            dw.close()

    rng = random.Random(seed)
    bad = random.Random(f"{seed}:defects")
    gen = PopulationGenerator(
        rng,
        as_of=as_of,
        id_sequence_base=500,
        multiline_address_fraction=multiline_address_fraction,
    )

    # Which household each planted row follows: {index: [kind, ...]}.
    plan: dict[int, list[str]] = {}
    per_file = {
        "negative_amount": households,
        "duplicate_household": households,
        "bad_check_digit": households * MEAN_MEMBERS,
        "bad_birth_date": households * MEAN_MEMBERS,
        "blank_id": households * MEAN_MEMBERS,
        "duplicate_member": households * MEAN_MEMBERS,
    }
    for kind, rows in per_file.items():
        for _ in range(_plant_count(bad_fraction, rows)):
            plan.setdefault(bad.randrange(households), []).append(kind)

    planted: list[PlantedDefect] = []
    extra_no = households
    hw = _LineWriter(out / "households.csv", HOUSEHOLDS_HEADER)
    mw = _LineWriter(out / "members.csv", MEMBERS_HEADER)
    try:
        for index in range(households):
            spec = gen.household(
                household_no=f"HH{index + 1:08d}",
                community_code=communities[rng.randrange(len(communities))],
                assisted=True,
            )
            row = _household_row(spec)
            hw.write(row)
            member_rows = [_member_row(spec.household_no, p) for p in spec.members]
            for member_row in member_rows:
                mw.write(member_row)
            for kind in plan.get(index, ()):
                if kind == "duplicate_household":
                    planted.append(PlantedDefect(hw.name, hw.write(row), "duplicate"))
                elif kind == "negative_amount":
                    extra_no += 1
                    bad_row = _household_row(replace(spec, household_no=f"HH{extra_no:08d}"))
                    column = (
                        7 if bad.random() < 0.5 else 8
                    )  # monthly_benefit | declared_monthly_income
                    bad_row[column] = "-" + bad_row[column]
                    planted.append(PlantedDefect(hw.name, hw.write(bad_row), "negative_amount"))
                elif kind == "duplicate_member":
                    planted.append(PlantedDefect(mw.name, mw.write(member_rows[-1]), "duplicate"))
                else:
                    intruder = _bad_member_row(bad, spec.household_no, kind, as_of)
                    planted.append(PlantedDefect(mw.name, mw.write(intruder), kind))
    finally:
        hw.close()
        mw.close()
    planted.sort()
    return planted


def _bad_member_row(bad: random.Random, household_no: str, kind: str, as_of: dt.date) -> list[str]:
    """An extra member row whose only defect is in its ID number."""
    sex = bad.choice(("male", "female"))
    if kind == "blank_id":
        id_number = bad.choice(("", "   "))
    elif kind == "bad_birth_date":
        first17 = f"{DEMO_REGION}19900230{bad.randrange(1000):03d}"
        id_number = first17 + check_character(first17)
    elif kind == "bad_check_digit":
        birth = as_of - dt.timedelta(days=bad.randint(20 * 365, 70 * 365))
        first17 = f"{DEMO_REGION}{birth:%Y%m%d}{bad.randrange(1000):03d}"
        right = check_character(first17)
        id_number = first17 + bad.choice([c for c in "0123456789X" if c != right])
    else:  # pragma: no cover - guarded by the plan above
        raise ValueError(kind)
    surname = bad.choice(_SURNAMES[:40])
    given = bad.choice(_MALE_CHARS if sex == "male" else _FEMALE_CHARS) + bad.choice(_FEMALE_CHARS)
    return [
        household_no,
        id_number,
        surname + given,
        RELATION_LABELS["other"],
        "full",
        "0",
        "healthy",
        "0",
        "flexible",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="生成合成的在保对象名册（数据交换标准第1节格式，无真实个人信息）"
    )
    parser.add_argument("directory", help="输出目录")
    parser.add_argument("--households", type=int, default=100_000, help="家庭数（默认 100000）")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子")
    parser.add_argument(
        "--bad-fraction", type=float, default=0.0, help="每类错误行的比例（默认 0）"
    )
    parser.add_argument(
        "--as-of", type=dt.date.fromisoformat, default=DEFAULT_AS_OF, help="数据截止日期 YYYY-MM-DD"
    )
    args = parser.parse_args(argv)
    planted = write_synthetic_roster(
        args.directory,
        households=args.households,
        seed=args.seed,
        bad_fraction=args.bad_fraction,
        as_of=args.as_of,
    )
    print(f"已生成 {args.households} 户合成名册到 {args.directory}，植入错误行 {len(planted)} 行。")
    if planted:
        with (Path(args.directory) / "expected_rejects.csv").open(
            "w", encoding="utf-8", newline=""
        ) as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(("file", "line", "reason"))
            w.writerows(planted)
        print("错误行清单：expected_rejects.csv")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


__all__ = [
    "BAD_KINDS",
    "DEMO_COUNTY_CODE",
    "DEMO_COUNTY_NAME",
    "DEMO_REGION",
    "DivisionRow",
    "HouseholdSpec",
    "IdAllocator",
    "IncomeLine",
    "PersonSpec",
    "PlantedDefect",
    "PopulationGenerator",
    "demo_divisions",
    "luhn_complete",
    "review_class_for",
    "write_synthetic_roster",
]

"""Synthetic exchange files with a planted truth: the data set of the screening tests and benchmark.

`generate(out_dir, scale=1.0, seed=1)` writes, in the formats of
data-exchange.md, the roster (`divisions.csv`, `households.csv`,
`members.csv`: 100,000 recipient households and about 250,000 members at
scale 1) and one folder per quarter with the seven department extracts for
the whole jurisdiction (1,000,000 persons at scale 1: most rows match nobody
of ours). It returns a `Truth`, also written under `truth/`:

- every bad row as (file, line, reason): each has exactly one defect, so a
  correct import rejects exactly these;
- the warning list of §3 for the last quarter, computed here from the good
  rows the generator made (integer fen, plain Python dictionaries), never
  by the screening engine it is meant to grade;
- the planted near misses (exactly 20 % and 20.01 %, 30 % and one fen more,
  a date on `last_verified_on` and the day after, a settlement one day
  before the 12-month window …), each with whether it must fire.

The same seed and scale give byte-identical files. Rows are built as
numpy/pyarrow columns, not one Python object per row, so scale 1 (about
13.6 million extract rows) takes well under two minutes. The code lists,
column aliases and check-character arithmetic are written out here from
the standard rather than imported, so the data does not inherit a bug of
the code it tests.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import itertools
import json
import re
import sys
import time
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Block = dict[str, Ints]  # typed columns of good rows; "pid" is the person's index
Cell = str | int  # int only for a number cell of a workbook (an ID stored as a number)

HOUSEHOLDS_AT_SCALE_1 = 100_000
PERSONS_AT_SCALE_1 = 1_000_000

INCOME_SWING = "INCOME_SWING"
MEDICAL_BURDEN = "MEDICAL_BURDEN"
NEW_PROPERTY = "NEW_PROPERTY"
NEW_VEHICLE = "NEW_VEHICLE"
NEW_BUSINESS = "NEW_BUSINESS"
MEMBER_DECEASED = "MEMBER_DECEASED"
RULES = (INCOME_SWING, MEDICAL_BURDEN, NEW_PROPERTY, NEW_VEHICLE, NEW_BUSINESS, MEMBER_DECEASED)

ROSTER_KINDS = ("divisions", "households", "members")
EXTRACT_KINDS = (
    "tax_income",
    "hrss_benefits",
    "medical_settlements",
    "property_registry",
    "vehicle_registry",
    "business_registry",
    "death_records",
)
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")
HEADER_STYLES = ("english", "chinese", "mixed")

#: Canonical column name and Chinese alias of every file, in the standard's order.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "divisions": (
        ("code", "区划代码"),
        ("name", "名称"),
        ("level", "级别"),
        ("parent_code", "上级代码"),
    ),
    "households": (
        ("household_id", "家庭编号"),
        ("region_code", "行政区划代码"),
        ("address", "住址"),
        ("program", "救助类别"),
        ("review_class", "复核分类"),
        ("enrolled_on", "纳入日期"),
        ("last_verified_on", "最近核查日期"),
        ("monthly_benefit", "月救助金额"),
        ("declared_monthly_income", "申报月收入"),
    ),
    "members": (
        ("household_id", "家庭编号"),
        ("id_number", "身份证号"),
        ("name", "姓名"),
        ("relation", "与户主关系"),
        ("labor_ability", "劳动能力"),
        ("disability_grade", "残疾等级"),
        ("health", "健康状况"),
        ("is_student", "在校生"),
        ("employment", "就业状况"),
    ),
    "tax_income": (
        ("id_number", "身份证号"),
        ("month", "所属期"),
        ("category", "所得项目"),
        ("amount", "收入额"),
    ),
    "hrss_benefits": (
        ("id_number", "身份证号"),
        ("month", "发放月份"),
        ("benefit_type", "待遇类型"),
        ("amount", "金额"),
    ),
    "medical_settlements": (
        ("id_number", "身份证号"),
        ("settled_on", "结算日期"),
        ("total_cost", "医疗总费用"),
        ("fund_paid", "统筹支付"),
        ("self_paid", "个人自付"),
    ),
    "property_registry": (
        ("id_number", "身份证号"),
        ("property_id", "不动产单元号"),
        ("usage", "用途"),
        ("area_m2", "面积"),
        ("registered_on", "登记日期"),
    ),
    "vehicle_registry": (
        ("id_number", "身份证号"),
        ("plate", "号牌号码"),
        ("vehicle_type", "车辆类型"),
        ("registered_on", "登记日期"),
    ),
    "business_registry": (
        ("id_number", "身份证号"),
        ("credit_code", "统一社会信用代码"),
        ("role", "身份"),
        ("established_on", "成立日期"),
    ),
    "death_records": (("id_number", "身份证号"), ("died_on", "死亡日期")),
}

CodeTable = tuple[tuple[str, str | None], ...]  # English word, Chinese label (None: none given)
TAX_CATEGORIES: CodeTable = (
    ("wage", "工资薪金"),
    ("labor_service", "劳务报酬"),
    ("business", "经营所得"),
    ("property_lease", "财产租赁"),
    ("interest_dividend", "利息股息红利"),
    ("other", "其他"),
)
BENEFIT_TYPES: CodeTable = (
    ("pension", "养老金"),
    ("unemployment", "失业保险金"),
    ("work_injury", "工伤待遇"),
)
USAGES: CodeTable = (("residential", "住宅"), ("commercial", "商业"), ("other", "其他"))
VEHICLE_TYPES: CodeTable = (("car", None), ("truck", None), ("motorcycle", None), ("other", None))
ROLES: CodeTable = (("legal_rep", None), ("shareholder", None))
LEVELS: CodeTable = (("county", "区县"), ("township", "街道/乡镇"), ("community", "社区/村"))
PROGRAMS: CodeTable = (
    ("dibao", "最低生活保障"),
    ("tekun", "特困人员救助供养"),
    ("low_income_recognition", "低保边缘/刚性支出困难家庭认定"),
    ("temp_aid", "临时救助"),
    ("elderly_subsidies", "高龄津贴/经济困难老年人补贴"),
)
LABOR_ABILITIES: CodeTable = (("full", "有"), ("partial", "部分"), ("none", "无"))
HEALTH: CodeTable = (("healthy", None), ("chronic", "慢性病"), ("serious", "重病"))
EMPLOYMENT: CodeTable = (
    ("employed", None),
    ("flexible", "灵活就业"),
    ("unemployed", None),
    ("retired", None),
    ("none", None),
)
RELATIONS = ("户主", "配偶", "子女", "父母", "孙子女", "兄弟姐妹", "其他")

#: Defaults of the benchmark: CSV only, a big GB18030 file with Chinese headers
#: (tax income), big files with a BOM (HRSS benefits, property), mixed headers elsewhere.
DEFAULT_ENCODINGS: dict[str, str] = {
    "divisions": "utf-8-sig",
    "households": "gb18030",
    "members": "utf-8-sig",
    "tax_income": "gb18030",
    "hrss_benefits": "utf-8-sig",
    "medical_settlements": "utf-8",
    "property_registry": "utf-8-sig",
    "vehicle_registry": "gb18030",
    "business_registry": "utf-8",
    "death_records": "gb18030",
}
DEFAULT_HEADERS: dict[str, str] = {
    "divisions": "mixed",
    "households": "mixed",
    "members": "mixed",
    "tax_income": "chinese",
    "hrss_benefits": "mixed",
    "medical_settlements": "english",
    "property_registry": "mixed",
    "vehicle_registry": "chinese",
    "business_registry": "mixed",
    "death_records": "chinese",
}
#: Files whose columns are written in another order than the standard's.
DEFAULT_SHUFFLED = ("business_registry", "death_records", "households")
#: Files carrying an extra column the standard does not know (ignored with a warning).
DEFAULT_EXTRA = ("vehicle_registry", "members")
EXTRA_COLUMN = "备注"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ALNUM = "0123456789ABCDEFGHJKLMNPQRTUWXY"

COUNTIES = (
    ("510104", "锦江区"),
    ("510105", "青羊区"),
    ("510106", "金牛区"),
    ("510107", "武侯区"),
    ("510108", "成华区"),
    ("510112", "龙泉驿区"),
    ("510113", "青白江区"),
    ("510114", "新都区"),
    ("510115", "温江区"),
    ("510116", "双流区"),
)
_BIRTH_REGIONS = (
    *(code for code, _ in COUNTIES),
    "510121",
    "510129",
    "510131",
    "510181",
    "500101",
    "110105",
    "440305",
    "330106",
    "420106",
    "610113",
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢岳齐梅莫庄辛管祝左涂谷祁时舒耿牟卜路詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵欧阳解强丛华车冉房边辜吉饶刁瞿戚丘古米池滕晋苑邬臧畅宫来嵺苟全褚廉简娄盖符奚木穆党燕郎邸冀谈姬屠连郜晏栾郁商蒙计喻揭窦迟宇敖糜鄢冷卓花艾蓝都巩稽井练仲乐虞卞封竺冼原官衣楚佟栗匡宗应台巫鞠僖桑荆谌银扬明沙薄伏岑习胥保和蔺"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志飞宇浩然轩梓涵欣怡雨婷思远博文嘉佳琪俊晨阳天佑若曦紫萱诺诗梦忆柳青岚香夏珊乐菱新柔语蓉海安春琴彤晴霜雪梅松竹兰菊荷莲云峰林森波涛江河山川"


# --------------------------------------------------------------------------- calendar


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


@dataclass(frozen=True, slots=True, order=True)
class _Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> _Quarter:
        match = re.fullmatch(r"([0-9]{4})Q([1-4])", text.strip().upper())
        if match is None:
            raise ValueError(f"季度“{text}”格式不正确，应为“年份Q季度”，如 2026Q1")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        return _month_end(self.year, 3 * self.number)

    @property
    def first_month(self) -> int:
        """Month index (year × 12 + month − 1) of the quarter's first month."""
        return self.year * 12 + 3 * self.number - 3

    @property
    def months(self) -> range:
        return range(self.first_month, self.first_month + 3)

    def previous(self) -> _Quarter:
        return (
            _Quarter(self.year - 1, 4) if self.number == 1 else _Quarter(self.year, self.number - 1)
        )

    def next(self) -> _Quarter:
        return (
            _Quarter(self.year + 1, 1) if self.number == 4 else _Quarter(self.year, self.number + 1)
        )

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


def _ord(day: dt.date) -> int:
    return day.toordinal()


# --------------------------------------------------------------------------- identity


def check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of 17 digits (GB 11643)."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _weighted(digits: str, weights: Sequence[int]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Reject:
    file: str  # path relative to the output folder, e.g. "2026Q1/tax_income.csv"
    line: int  # physical line where the record starts (header = 1); sheet row in XLSX
    reason: str


@dataclass(frozen=True, slots=True)
class EdgeCase:
    household_id: str
    scenario: str
    rule: str
    fires: bool


@dataclass(frozen=True, slots=True)
class FileInfo:
    path: str  # relative to the output folder
    kind: str
    format: str  # csv | xlsx
    encoding: str | None
    header: tuple[str, ...]
    rows: int  # data records (header excluded), bad rows included
    bytes: int


@dataclass(frozen=True, slots=True)
class Truth:
    """What a correct import and screening of the generated files must give."""

    root: Path
    quarter: str  # the quarter screened: the last one generated
    quarters: tuple[str, ...]  # every quarter folder written, oldest first
    households: int
    members: int
    persons: int
    warnings: frozenset[tuple[str, str]]  # (household_id, rule)
    rejects: tuple[Reject, ...]
    edge_cases: tuple[EdgeCase, ...]
    files: tuple[FileInfo, ...]
    seconds: float = field(compare=False, default=0.0)

    def by_rule(self) -> dict[str, set[str]]:
        """Rule → households that must be warned."""
        out: dict[str, set[str]] = {rule: set() for rule in RULES}
        for household_id, rule in self.warnings:
            out[rule].add(household_id)
        return out

    def reject_set(self) -> set[tuple[str, int, str]]:
        return {(r.file, r.line, r.reason) for r in self.rejects}

    @property
    def extract_rows(self) -> int:
        return sum(f.rows for f in self.files if f.kind in EXTRACT_KINDS)

    @property
    def extract_bytes(self) -> int:
        return sum(f.bytes for f in self.files if f.kind in EXTRACT_KINDS)


# --------------------------------------------------------------------------- vectorised text


class _Text:
    """Lookup tables that turn integer columns into cell text without a Python loop per row."""

    def __init__(self) -> None:
        self.date0 = _ord(dt.date(1899, 1, 1))
        last = _ord(dt.date(2045, 12, 31))
        days = np.arange("1899-01-01", "2046-01-01", dtype="datetime64[D]")
        if len(days) != last - self.date0 + 1:  # pragma: no cover - a programming error
            raise AssertionError("date table")
        self.dates = pa.array(np.datetime_as_string(days, unit="D").tolist())
        self.birth8 = pc.replace_substring(self.dates, "-", "")
        digits = np.frombuffer(self.birth8.buffers()[2], dtype=np.uint8)[: 8 * len(days)]
        weights = np.array(_ID_WEIGHTS[6:14], dtype=np.int64)
        self.birth_part = ((digits.reshape(-1, 8).astype(np.int64) - ord("0")) * weights).sum(
            axis=1
        )
        self.month0 = 1899 * 12
        self.months = pa.array(
            [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(self.month0, 2046 * 12)]
        )
        self.two = pa.array([f"{i:02d}" for i in range(100)])
        self.one = pa.array([str(i) for i in range(10)])
        self.three = pa.array([f"{i:03d}" for i in range(1000)])
        self.order_part = np.array(
            [_weighted(f"{i:03d}", _ID_WEIGHTS[14:]) for i in range(1000)], dtype=np.int64
        )
        self.checks = pa.array(list(_CHECK_CHARS))
        self.alnum = pa.array(list(_ALNUM))
        self.regions = pa.array(list(_BIRTH_REGIONS))
        self.region_part = np.array(
            [_weighted(r, _ID_WEIGHTS[:6]) for r in _BIRTH_REGIONS], dtype=np.int64
        )
        self.counties = pa.array([code for code, _ in COUNTIES])

    def date(self, ordinals: Ints) -> pa.Array:
        return self.dates.take(pa.array(ordinals - self.date0))

    def month(self, months: Ints) -> pa.Array:
        return self.months.take(pa.array(months - self.month0))


def _join(*parts: Any, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


def _digits(values: Ints, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width=width, padding="0")


def _base(values: Ints, width: int, text: _Text) -> pa.Array:
    """`values` in base 31 (no I, O, S, V, Z) on `width` characters."""
    radix = len(_ALNUM)
    parts = [
        text.alnum.take(pa.array((values // radix**k) % radix)) for k in reversed(range(width))
    ]
    return _join(*parts)


def _money(fen: Ints, rng: np.random.Generator | None, text: _Text) -> pa.Array:
    """Yuan text for integer fen; with `rng`, some amounts in a shorter valid form (950, 12.5)."""
    yuan = pc.cast(pa.array(fen // 100), pa.string())
    cents = fen % 100
    full = _join(yuan, text.two.take(pa.array(cents)), sep=".")
    if rng is None:
        return full
    u = rng.random(len(fen))
    whole = (cents == 0) & (u < 0.3)
    one = (cents % 10 == 0) & (cents != 0) & (u < 0.15)
    one_place = _join(yuan, text.one.take(pa.array(cents // 10)), sep=".")
    return pc.if_else(pa.array(whole), yuan, pc.if_else(pa.array(one), one_place, full))


def _codes(
    table: CodeTable, index: Ints, rng: np.random.Generator | None, chinese: float = 0.12
) -> pa.Array:
    """The English word, sometimes its Chinese label or upper case (both valid)."""
    n = len(table)
    labels = pa.array(
        [word for word, _ in table]
        + [label or word for word, label in table]
        + [word.upper() for word, _ in table]
    )
    if rng is None:
        return labels.take(pa.array(index))
    u = rng.random(len(index))
    variant = np.where(u < chinese, 1, np.where(u < chinese + 0.03, 2, 0))
    return labels.take(pa.array(variant * n + index))


# --------------------------------------------------------------------------- the world


@dataclass(slots=True)
class _World:
    """Persons, households and the typed good rows of every file, before any text."""

    quarters: list[_Quarter]
    persons: int
    ids: pa.Array  # normalised ID numbers, one per person
    ends_x: Bools  # the check character is X
    id_list: list[str]
    birth: Ints  # ordinals
    members: int  # persons 0 … members-1 are the roster's members, grouped by household
    household_of: Ints  # per member person
    sizes: Ints
    quiet: Bools  # planted persons: no background rows
    # households
    region: Ints  # community index
    enrolled: Ints
    verified: Ints  # -1 when empty
    benefit: Ints
    declared: Ints
    # extracts: kind → quarter → block of good rows
    blocks: dict[str, dict[str, Block]] = field(default_factory=dict)


@dataclass(slots=True)
class _Extra:
    """Planted rows that are not plain good rows of a block."""

    kind: str
    quarter: str
    row: Block  # a block of one typed row
    reason: str  # a reason code, or "good-dup" for a duplicate of a planted good row
    override: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _RosterExtra:
    kind: str  # households | members
    cells: dict[str, str]
    reason: str
    after_member: int = -1  # members: must come after this member person's row


@dataclass(slots=True)
class _Plan:
    cases: list[tuple[int, str, str, bool]] = field(
        default_factory=list
    )  # hh, scenario, rule, fire
    rows: dict[tuple[str, str], list[Block]] = field(default_factory=lambda: defaultdict(list))
    dups: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    extras: list[_Extra] = field(default_factory=list)
    roster: list[_RosterExtra] = field(default_factory=list)
    extra_persons: list[int] = field(default_factory=list)  # non-members used by planted rows


def _rng(seed: int, part: str) -> np.random.Generator:
    """An independent stream per part, so one part's draws never shift another's."""
    return np.random.default_rng([seed, zlib.crc32(part.encode())])


def _one(**columns: int) -> Block:
    return {name: np.array([value], dtype=np.int64) for name, value in columns.items()}


def _concat(blocks: Sequence[Block]) -> Block:
    blocks = [b for b in blocks if len(b["pid"])]
    if not blocks:
        raise ValueError("no rows")
    return {name: np.concatenate([b[name] for b in blocks]) for name in blocks[0]}


def _empty_like(names: Sequence[str]) -> Block:
    return {name: np.zeros(0, dtype=np.int64) for name in names}


_BLOCK_COLUMNS = {
    "tax_income": ("pid", "month", "code", "fen"),
    "hrss_benefits": ("pid", "month", "code", "fen"),
    "medical_settlements": ("pid", "day", "total", "fund", "self"),
    "property_registry": ("pid", "serial", "code", "area", "day"),
    "vehicle_registry": ("pid", "serial", "code", "day"),
    "business_registry": ("pid", "serial", "code", "day"),
    "death_records": ("pid", "day"),
}


def _select(block: Block, mask: Bools | Ints) -> Block:
    return {name: values[mask] for name, values in block.items()}


# --------------------------------------------------------------------------- population


def _population(
    rng: np.random.Generator, n: int, text: _Text, last_birth: dt.date
) -> tuple[pa.Array, Ints, list[str], Bools]:
    """`n` distinct valid ID numbers (born 1930 … `last_birth`), their birth ordinals, as a list."""
    first = _ord(dt.date(1930, 1, 1))
    span = _ord(last_birth) - first + 1
    draw = n + n // 20 + 64
    while True:
        region = rng.integers(0, len(_BIRTH_REGIONS), draw)
        day = rng.integers(0, span, draw)
        order = rng.integers(0, 1000, draw)
        key = (region * span + day) * 1000 + order
        _, index = np.unique(key, return_index=True)
        if len(index) >= n:
            break
        draw *= 2
    keep = np.sort(index)[:n]
    region, day, order = region[keep], day[keep] + first, order[keep]
    check = (
        text.region_part[region] + text.birth_part[day - text.date0] + text.order_part[order]
    ) % 11
    ids = _join(
        text.regions.take(pa.array(region)),
        text.birth8.take(pa.array(day - text.date0)),
        text.three.take(pa.array(order)),
        text.checks.take(pa.array(check)),
    )
    return ids, day.astype(np.int64), ids.to_pylist(), check == 2


# --------------------------------------------------------------------------- generator


@dataclass(slots=True)
class _Options:
    scale: float
    seed: int
    quarters: list[_Quarter]
    bad_row_rate: float
    encodings: dict[str, str]
    headers: dict[str, str]
    xlsx_kinds: frozenset[str]
    shuffled: frozenset[str]
    extra: frozenset[str]
    swing: Fraction
    burden: Fraction


def generate(
    out_dir: Path | str,
    *,
    scale: float = 1.0,
    seed: int = 1,
    quarters: Sequence[str] = ("2025Q4", "2026Q1"),
    bad_row_rate: float = 0.01,
    encodings: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    xlsx_kinds: Collection[str] = (),
    shuffled_columns: Collection[str] = DEFAULT_SHUFFLED,
    extra_columns: Collection[str] = DEFAULT_EXTRA,
    income_swing_ratio: Fraction = Fraction(1, 5),
    medical_burden_ratio: Fraction = Fraction(3, 10),
) -> Truth:
    """Write the data set into `out_dir` (created; existing files of the same names replaced).

    `quarters`: consecutive quarters, oldest first, at least two; the last is
    the one screened. `encodings` / `headers` map a file kind (`tax_income`,
    `members`, …) to `utf-8`, `utf-8-sig` or `gb18030` / `english`,
    `chinese` or `mixed`, over the benchmark defaults. `xlsx_kinds`: extract
    kinds written as XLSX instead of CSV. Birth dates are all before 2023 and
    before the first quarter, so the roster's import day does not change the truth.
    """
    started = time.perf_counter()
    parsed = sorted({_Quarter.parse(q) for q in quarters})
    if len(parsed) < 2:
        raise ValueError("至少需要两个季度（上一季度的收入是收入波动规则的基数）")
    for earlier, later in itertools.pairwise(parsed):
        if earlier.next() != later:
            raise ValueError("季度必须连续")
    for mapping in (encodings or {}, headers or {}):
        for kind in mapping:
            if kind not in COLUMNS:
                raise ValueError(f"未知的文件类型：{kind}")
    options = _Options(
        scale=scale,
        seed=seed,
        quarters=parsed,
        bad_row_rate=bad_row_rate,
        encodings={**DEFAULT_ENCODINGS, **(encodings or {})},
        headers={**DEFAULT_HEADERS, **(headers or {})},
        xlsx_kinds=frozenset(xlsx_kinds),
        shuffled=frozenset(shuffled_columns),
        extra=frozenset(extra_columns),
        swing=Fraction(income_swing_ratio),
        burden=Fraction(medical_burden_ratio),
    )
    for kind, encoding in options.encodings.items():
        if encoding not in ENCODINGS:
            raise ValueError(f"{kind}: 不支持的编码 {encoding}")
    for kind, style in options.headers.items():
        if style not in HEADER_STYLES:
            raise ValueError(f"{kind}: 表头样式应为 {'、'.join(HEADER_STYLES)}")
    if not options.xlsx_kinds <= set(EXTRACT_KINDS):
        raise ValueError("只有部门比对数据可以写成 XLSX")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    text = _Text()
    world, plan, divisions = _build_world(options, text)
    files: list[FileInfo] = []
    rejects: list[Reject] = []
    _write_roster(out, options, world, plan, divisions, text, files, rejects)
    extract_quarters = _write_extracts(out, options, world, plan, text, files, rejects)
    warnings = _compute_warnings(options, world)
    edge_cases = _check_edge_cases(world, plan, warnings)
    truth = Truth(
        root=out,
        quarter=str(parsed[-1]),
        quarters=tuple(str(q) for q in extract_quarters),
        households=len(world.sizes),
        members=world.members,
        persons=world.persons,
        warnings=frozenset(warnings),
        rejects=tuple(sorted(rejects, key=lambda r: (r.file, r.line))),
        edge_cases=tuple(edge_cases),
        files=tuple(files),
        seconds=time.perf_counter() - started,
    )
    _write_truth(out, truth, options)
    return truth


# --------------------------------------------------------------------------- world building


def _build_world(
    options: _Options, text: _Text
) -> tuple[_World, _Plan, list[tuple[str, str, str, str]]]:
    seed, scale = options.seed, options.scale
    quarters = options.quarters
    rng = _rng(seed, "roster")
    n_households = max(1, round(HOUSEHOLDS_AT_SCALE_1 * scale))
    scenarios = _scenarios(quarters)
    if n_households < 2 * len(scenarios):
        raise ValueError(
            f"规模过小：至少需要 {2 * len(scenarios)} 户（scale ≥ {2 * len(scenarios) / HOUSEHOLDS_AT_SCALE_1:g}）"
        )
    sizes = rng.choice(np.array([1, 2, 3, 4, 5]), n_households, p=[0.3, 0.25, 0.22, 0.13, 0.10])
    planted = np.sort(rng.choice(n_households, len(scenarios), replace=False))
    planted = planted[rng.permutation(len(planted))]
    sizes[planted] = 2
    sizes = sizes.astype(np.int64)
    n_members = int(sizes.sum())
    n_persons = max(round(PERSONS_AT_SCALE_1 * scale), n_members * 2 + 100)
    last_birth = min(dt.date(2022, 12, 31), quarters[0].start - dt.timedelta(days=1))
    ids, birth, id_list, ends_x = _population(_rng(seed, "persons"), n_persons, text, last_birth)
    household_of = np.repeat(np.arange(n_households, dtype=np.int64), sizes)

    divisions, communities = _divisions(scale)
    first_start = _ord(quarters[0].start)
    enrolled = rng.integers(
        _ord(dt.date(2010, 1, 1)), min(_ord(dt.date(2024, 12, 31)), first_start - 30), n_households
    )
    low = np.maximum(enrolled, first_start - 540)
    verified = low + (rng.random(n_households) * (first_start - low)).astype(np.int64)
    verified = np.where(rng.random(n_households) < 0.08, -1, verified)
    benefit = rng.integers(4, 31, n_households) * 5000
    declared = np.where(
        rng.random(n_households) < 0.05, 0, rng.integers(20_000, 300_000, n_households)
    )
    declared = np.where(rng.random(n_households) < 0.5, declared // 100 * 100, declared)
    world = _World(
        quarters=quarters,
        persons=n_persons,
        ids=ids,
        ends_x=ends_x,
        id_list=id_list,
        birth=birth,
        members=n_members,
        household_of=household_of,
        sizes=sizes,
        quiet=np.zeros(n_persons, dtype=np.bool_),
        region=rng.integers(0, len(communities), n_households),
        enrolled=enrolled.astype(np.int64),
        verified=verified.astype(np.int64),
        benefit=benefit.astype(np.int64),
        declared=declared.astype(np.int64),
    )
    world.blocks = {kind: {} for kind in EXTRACT_KINDS}
    plan = _plant(options, world, planted, scenarios, _rng(seed, "plant"))
    world.quiet[: world.members] |= np.isin(household_of, planted)[: world.members]
    world.quiet[plan.extra_persons] = True
    _background(options, world, plan)
    return world, plan, divisions


def _divisions(scale: float) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    """(code, name, level, parent) rows and the community codes, in file order."""
    n_communities = max(8, round(600 * scale))
    n_counties = min(len(COUNTIES), max(1, n_communities // 60))
    per_township = 15
    rows: list[tuple[str, str, str, str]] = []
    communities: list[str] = []
    for c in range(n_counties):
        code, name = COUNTIES[c]
        rows.append((f"{code}000000", name, "county", ""))
    township = 0
    made = 0
    while made < n_communities:
        county = COUNTIES[township % n_counties][0]
        number = township // n_counties + 1
        t_code = f"{county}{number:03d}000"
        rows.append((t_code, f"第{number}街道", "township", f"{county}000000"))
        for k in range(1, per_township + 1):
            if made >= n_communities:
                break
            code = f"{county}{number:03d}{k:03d}"
            rows.append((code, f"第{k}社区", "community", t_code))
            communities.append(code)
            made += 1
        township += 1
    return rows, communities


# --------------------------------------------------------------------------- planted cases


def _scenarios(quarters: Sequence[_Quarter]) -> list[tuple[str, str, bool]]:
    """(scenario, rule, must fire) of every planted household."""
    out = [
        ("I_EXACT_UP", INCOME_SWING, False),
        ("I_EXACT_DOWN", INCOME_SWING, False),
        ("I_OVER_UP", INCOME_SWING, True),
        ("I_OVER_DOWN", INCOME_SWING, True),
        ("I_EXACT_DUPLICATE", INCOME_SWING, False),
        ("I_EXACT_BAD_ROWS", INCOME_SWING, False),
        ("I_ZERO_ZERO", INCOME_SWING, False),
        ("I_ZERO_NONE", INCOME_SWING, False),
        ("I_ZERO_NEW", INCOME_SWING, True),
        ("I_ALL_GONE", INCOME_SWING, True),
        ("I_REJECTED_MEMBER", INCOME_SWING, False),
        ("M_EXACT_DECLARED", MEDICAL_BURDEN, False),
        ("M_OVER_DECLARED", MEDICAL_BURDEN, True),
        ("M_EXACT_EXTRACT", MEDICAL_BURDEN, False),
        ("M_OVER_EXTRACT", MEDICAL_BURDEN, True),
        ("M_ZERO_INCOME_COST", MEDICAL_BURDEN, True),
        ("M_ZERO_INCOME_NO_COST", MEDICAL_BURDEN, False),
        ("M_DAY_BEFORE_WINDOW", MEDICAL_BURDEN, False),
        ("M_LAST_DAY", MEDICAL_BURDEN, True),
        ("M_EXACT_BAD_ROWS", MEDICAL_BURDEN, False),
        ("D_IN_QUARTER", MEMBER_DECEASED, True),
        ("D_LAST_DAY", MEMBER_DECEASED, True),
        ("D_DAY_AFTER", MEMBER_DECEASED, False),
        ("D_LONG_AGO", MEMBER_DECEASED, True),
        ("D_PREVIOUS_QUARTER", MEMBER_DECEASED, True),
        ("D_REJECTED_MEMBER", MEMBER_DECEASED, False),
        ("D_CONFLICT_HOME", MEMBER_DECEASED, True),
        ("D_CONFLICT_OTHER", MEMBER_DECEASED, False),
    ]
    for prefix, rule in (("P", NEW_PROPERTY), ("V", NEW_VEHICLE), ("B", NEW_BUSINESS)):
        out += [
            (f"{prefix}_ON_VERIFIED", rule, False),
            (f"{prefix}_DAY_AFTER_VERIFIED", rule, True),
            (f"{prefix}_NULL_ON_ENROLLED", rule, False),
            (f"{prefix}_NULL_DAY_AFTER_ENROLLED", rule, True),
            (f"{prefix}_BETWEEN", rule, False),
            (f"{prefix}_QUARTER_END", rule, True),
            (f"{prefix}_AFTER_QUARTER", rule, False),
            (f"{prefix}_PREVIOUS_SNAPSHOT_ONLY", rule, False),
        ]
    out.append(("B_SHAREHOLDER", NEW_BUSINESS, True))
    return out


def _split(total: int, parts: int) -> list[int]:
    each = total // parts
    return [each] * (parts - 1) + [total - each * (parts - 1)]


def _exact(value: int, ratio: Fraction, what: str) -> int:
    product = value * ratio
    if product.denominator != 1:
        raise ValueError(f"{what}: {value} × {ratio} 不是整数分，无法构造恰好等于阈值的样例")
    return int(product)


def _plant(
    options: _Options,
    world: _World,
    planted: Ints,
    scenarios: list[tuple[str, str, bool]],
    rng: np.random.Generator,
) -> _Plan:
    plan = _Plan()
    quarters = options.quarters
    q, p = quarters[-1], quarters[-2]
    starts = np.concatenate([[0], np.cumsum(world.sizes)[:-1]])
    spare = iter(rng.choice(np.arange(world.members, world.persons), 16, replace=False).tolist())
    verified_day = _ord(quarters[0].start) - 100
    enrolled_day = verified_day - 2500
    e0 = 1_000_000
    delta = _exact(e0, options.swing, "收入波动")
    annual = 1_200_000
    burden = _exact(annual, options.burden, "医疗负担")
    small_annual = 120_000
    small_burden = _exact(small_annual, options.burden, "医疗负担")
    q_end = _ord(q.end)
    window_start = _ord(q.previous().previous().previous().start)
    conflict_home: int | None = None
    conflict_other: int | None = None

    def add(kind: str, quarter: _Quarter, **row: int) -> int:
        """A planted good row; returns its index among the planted rows of the file."""
        rows = plan.rows[(kind, str(quarter))]
        rows.append(_one(**row))
        return len(rows) - 1

    def income(pid_a: int, pid_b: int, quarter: _Quarter, total: int) -> list[int]:
        a = total * 3 // 5
        made = []
        for month, fen in zip(quarter.months, _split(a, 3), strict=True):
            made.append(add("tax_income", quarter, pid=pid_a, month=month, code=0, fen=fen))
        for month, fen in zip(quarter.months, _split(total - a, 3), strict=True):
            add("hrss_benefits", quarter, pid=pid_b, month=month, code=0, fen=fen)
        return made

    def settle(pid: int, quarter: _Quarter, day: int, self_paid: int, fund: int = 12_345) -> int:
        return add(
            "medical_settlements",
            quarter,
            pid=pid,
            day=day,
            total=self_paid + fund,
            fund=fund,
            self=self_paid,
        )

    def asset(kind: str, pid: int, day: int, serial: int, code: int = 0) -> None:
        for quarter in quarters:
            if day <= _ord(quarter.end):
                row: dict[str, int] = {"pid": pid, "serial": serial, "code": code, "day": day}
                if kind == "property_registry":
                    row["area"] = 8_950
                add(kind, quarter, **row)

    serial = 9_000_000
    for household, (scenario, rule, fires) in zip(planted.tolist(), scenarios, strict=True):
        plan.cases.append((household, scenario, rule, fires))
        a, b = int(starts[household]), int(starts[household]) + 1
        world.verified[household] = verified_day
        world.enrolled[household] = enrolled_day
        world.declared[household] = 100_000
        if scenario.startswith("I_"):
            world.declared[household] = 0
            q_total = {
                "I_EXACT_UP": e0 + delta,
                "I_EXACT_DOWN": e0 - delta,
                "I_OVER_UP": e0 + delta + e0 // 10_000,
                "I_OVER_DOWN": e0 - delta - e0 // 10_000,
                "I_EXACT_DUPLICATE": e0 + delta,
                "I_EXACT_BAD_ROWS": e0 + delta,
                "I_REJECTED_MEMBER": e0,
            }.get(scenario)
            if q_total is not None:
                income(a, b, p, e0)
                made = income(a, b, q, q_total)
                if scenario == "I_EXACT_DUPLICATE":
                    plan.dups[("tax_income", str(q))].append(made[0])
                if scenario == "I_EXACT_BAD_ROWS":
                    month = q.first_month
                    for reason, override in (
                        ("non_numeric_amount", {"amount": "1,000.00"}),
                        ("negative_amount", {"amount": "-2000.00"}),
                        ("bad_value", {"category": "salary"}),
                    ):
                        plan.extras.append(
                            _Extra(
                                "tax_income",
                                str(q),
                                _one(pid=a, month=month, code=1, fen=500_000),
                                reason,
                                override,
                            )
                        )
                    plan.extras.append(
                        _Extra(
                            "tax_income",
                            str(q),
                            _one(pid=a, month=q.first_month + 3, code=1, fen=500_000),
                            "out_of_period",
                        )
                    )
                if scenario == "I_REJECTED_MEMBER":
                    c = next(spare)
                    plan.extra_persons.append(c)
                    plan.roster.append(
                        _RosterExtra(
                            "members",
                            _member_cells(world, household, c, "子女", labor="一般"),
                            "bad_value",
                        )
                    )
                    add("tax_income", q, pid=c, month=q.first_month, code=1, fen=500_000)
            elif scenario == "I_ZERO_ZERO":
                for quarter in (p, q):
                    add("tax_income", quarter, pid=a, month=quarter.first_month, code=1, fen=0)
                add("hrss_benefits", q, pid=b, month=q.first_month + 2, code=1, fen=0)
            elif scenario == "I_ZERO_NEW":
                add("tax_income", p, pid=a, month=p.first_month, code=1, fen=0)
                add("tax_income", q, pid=a, month=q.first_month + 2, code=1, fen=1)
            elif scenario == "I_ALL_GONE":
                income(a, b, p, 600_000)
        elif scenario.startswith("M_"):
            if scenario in ("M_EXACT_DECLARED", "M_OVER_DECLARED", "M_EXACT_BAD_ROWS"):
                world.declared[household] = annual // 12
                for quarter in (p, q):
                    for month in quarter.months:
                        add("tax_income", quarter, pid=a, month=month, code=0, fen=50_000)
            elif scenario in ("M_EXACT_EXTRACT", "M_OVER_EXTRACT"):
                world.declared[household] = small_annual // 12
                for quarter in (p, q):
                    for month in quarter.months:
                        add("tax_income", quarter, pid=a, month=month, code=0, fen=annual // 6)
            elif scenario.startswith("M_ZERO"):
                world.declared[household] = 0
            else:
                world.declared[household] = small_annual // 12
            if scenario in ("M_EXACT_DECLARED", "M_EXACT_EXTRACT", "M_EXACT_BAD_ROWS"):
                first = burden // 2
                settle(a, p, _ord(p.start) + 20, first)
                kept = settle(b, q, _ord(q.start) + 40, burden - first)
                if scenario == "M_EXACT_BAD_ROWS":
                    plan.dups[("medical_settlements", str(q))].append(kept)
                    day = _ord(q.start) + 41
                    for reason, override in (
                        ("negative_amount", {"self_paid": "-100.00"}),
                        ("non_numeric_amount", {"self_paid": "1,000.00"}),
                    ):
                        plan.extras.append(
                            _Extra(
                                "medical_settlements",
                                str(q),
                                _one(pid=b, day=day, total=112_345, fund=12_345, self=100_000),
                                reason,
                                override,
                            )
                        )
                    plan.extras.append(
                        _Extra(
                            "medical_settlements",
                            str(q),
                            _one(pid=b, day=q_end + 1, total=112_345, fund=12_345, self=100_000),
                            "out_of_period",
                        )
                    )
            elif scenario in ("M_OVER_DECLARED", "M_OVER_EXTRACT"):
                first = burden // 2
                settle(a, p, _ord(p.start) + 20, first)
                settle(b, q, _ord(q.start) + 40, burden - first + 1)
            elif scenario == "M_ZERO_INCOME_COST":
                settle(a, q, _ord(q.start) + 5, 1, fund=10_000)
            elif scenario == "M_ZERO_INCOME_NO_COST":
                settle(a, q, _ord(q.start) + 5, 0, fund=10_000)
            elif scenario == "M_DAY_BEFORE_WINDOW":
                settle(a, q, _ord(q.start) + 9, small_burden)
                before = dt.date.fromordinal(window_start - 1)
                holder = next(x for x in _all_quarters_back(q, 8) if x.start <= before <= x.end)
                settle(b, holder, window_start - 1, 5_000_000)
            elif scenario == "M_LAST_DAY":
                settle(a, q, q_end, small_burden + 1)
        elif scenario.startswith("D_"):
            if scenario == "D_IN_QUARTER":
                add("death_records", q, pid=a, day=_ord(q.start) + 33)
            elif scenario == "D_LAST_DAY":
                add("death_records", q, pid=b, day=q_end)
            elif scenario == "D_DAY_AFTER":
                plan.extras.append(
                    _Extra("death_records", str(q), _one(pid=a, day=q_end + 1), "out_of_period")
                )
            elif scenario == "D_LONG_AGO":
                add("death_records", q, pid=a, day=_ord(dt.date(2019, 7, 14)))
            elif scenario == "D_PREVIOUS_QUARTER":
                add("death_records", p, pid=a, day=_ord(p.start) + 12)
            elif scenario == "D_REJECTED_MEMBER":
                c = next(spare)
                plan.extra_persons.append(c)
                plan.roster.append(
                    _RosterExtra(
                        "members",
                        _member_cells(world, household, c, "祖宗"),
                        "bad_value",
                    )
                )
                add("death_records", q, pid=c, day=_ord(q.start) + 3)
            elif scenario == "D_CONFLICT_HOME":
                conflict_home = household
                add("death_records", q, pid=a, day=_ord(q.start) + 50)
            elif scenario == "D_CONFLICT_OTHER":
                conflict_other = household
        else:
            kind = {"P": "property_registry", "V": "vehicle_registry", "B": "business_registry"}[
                scenario[0]
            ]
            name = scenario[2:]
            code = 1 if scenario == "B_SHAREHOLDER" else 0
            if name.startswith("NULL"):
                world.verified[household] = -1
            asset_day = {
                "ON_VERIFIED": verified_day,
                "DAY_AFTER_VERIFIED": verified_day + 1,
                "NULL_ON_ENROLLED": enrolled_day,
                "NULL_DAY_AFTER_ENROLLED": enrolled_day + 1,
                "BETWEEN": (enrolled_day + verified_day) // 2,
                "QUARTER_END": q_end,
                "SHAREHOLDER": verified_day + 1,
            }.get(name)
            serial += 1
            if asset_day is not None:
                asset(kind, a, asset_day, serial, code)
            elif name == "AFTER_QUARTER":
                row = {"pid": a, "serial": serial, "code": 0, "day": q_end + 1}
                if kind == "property_registry":
                    row["area"] = 12_000
                plan.extras.append(_Extra(kind, str(q), _one(**row), "out_of_period"))
            elif name == "PREVIOUS_SNAPSHOT_ONLY":
                row = {"pid": a, "serial": serial, "code": 0, "day": verified_day + 10}
                if kind == "property_registry":
                    row["area"] = 12_000
                add(kind, p, **row)
            serial += 1
            asset(kind, b, enrolled_day - 400, serial)  # an old holding: never new
    if conflict_home is not None and conflict_other is not None:
        home = int(starts[conflict_home])
        plan.roster.append(
            _RosterExtra(
                "members",
                _member_cells(world, conflict_other, home, "兄弟姐妹"),
                "conflict",
                after_member=home,
            )
        )
    return plan


def _all_quarters_back(q: _Quarter, n: int) -> list[_Quarter]:
    out = [q]
    for _ in range(n):
        out.append(out[-1].previous())
    return out


def _member_cells(
    world: _World,
    household: int,
    person: int,
    relation: str,
    *,
    labor: str = "full",
) -> dict[str, str]:
    return {
        "household_id": _household_id(household),
        "id_number": world.id_list[person],
        "name": "测试成员",
        "relation": relation,
        "labor_ability": labor,
        "disability_grade": "0",
        "health": "healthy",
        "is_student": "0",
        "employment": "none",
    }


def _household_id(index: int) -> str:
    return f"HH{index + 1:08d}"


# --------------------------------------------------------------------------- background rows


def _background(options: _Options, world: _World, plan: _Plan) -> None:
    seed = options.seed
    quarters = options.quarters
    n = world.persons
    member = np.zeros(n, dtype=np.bool_)
    member[: world.members] = True
    quiet = world.quiet
    first_month, last_month = quarters[0].first_month, quarters[-1].first_month + 2

    # Tax income: 0-3 streams a person (recipients: at most one, small), one row a month.
    rng = _rng(seed, "tax")
    streams = np.where(
        member, (rng.random(n) < 0.2).astype(np.int64), rng.choice(4, n, p=[0.19, 0.44, 0.24, 0.13])
    )
    streams[quiet] = 0
    tax = _streams(
        rng,
        streams,
        categories=len(TAX_CATEGORIES),
        base=lambda sp, cat, r: np.where(
            member[sp],
            r.integers(30_000, 250_000, len(sp)),
            np.where(
                cat == 0,
                r.integers(300_000, 2_000_000, len(sp)),
                r.integers(20_000, 800_000, len(sp)),
            ),
        ),
        first_month=first_month,
        last_month=last_month,
        quarters=quarters,
        missing=0.015,
        events=0.04,
    )
    # HRSS: pension from 60, some unemployment and work-injury benefits.
    rng = _rng(seed, "hrss")
    old = world.birth <= _ord(dt.date(1966, 12, 31))
    pension = old & (rng.random(n) < np.where(member, 0.85, 0.92))
    unemployed = ~old & (rng.random(n) < 0.19)
    injury = rng.random(n) < 0.04
    kinds = np.stack([pension, unemployed, injury], axis=1) & ~quiet[:, None]
    hrss = _benefits(rng, kinds, quarters, first_month, last_month)
    # Medical: Poisson settlements a quarter, a few heavy users.
    rng = _rng(seed, "medical")
    lam = rng.choice(np.array([0.6, 2.0, 6.0]), n, p=[0.7, 0.25, 0.05])
    lam[quiet] = 0.0
    medical: dict[str, Block] = {}
    for quarter in quarters:
        counts = rng.poisson(lam).astype(np.int64)
        sp = np.repeat(np.arange(n, dtype=np.int64), counts)
        m = len(sp)
        days = _ord(quarter.end) - _ord(quarter.start) + 1
        day = _ord(quarter.start) + rng.integers(0, days, m)
        tier = rng.choice(3, m, p=[0.8, 0.18, 0.02])
        total = np.choose(
            tier,
            [
                rng.integers(2_000, 60_000, m),
                rng.integers(50_000, 300_000, m),
                rng.integers(300_000, 2_000_000, m),
            ],
        )
        fund = total * rng.integers(50, 91, m) // 100
        block = {"pid": sp, "day": day, "total": total, "fund": fund, "self": total - fund}
        medical[str(quarter)] = _unique_rows(block)
    # Snapshots of holdings.
    snapshots = {
        "property_registry": _holdings(
            _rng(seed, "property"),
            world,
            member,
            quiet,
            counts_member=(0.8, 0.2, 0.0),
            counts_other=(0.38, 0.5, 0.12),
            first_day=_ord(dt.date(1995, 1, 1)),
            recent_member=0.03,
            codes=(0.82, 0.1, 0.08),
            quarters=quarters,
            serial_base=1_000,
            area=True,
        ),
        "vehicle_registry": _holdings(
            _rng(seed, "vehicle"),
            world,
            member,
            quiet,
            counts_member=(0.97, 0.03, 0.0),
            counts_other=(0.62, 0.36, 0.02),
            first_day=_ord(dt.date(2000, 1, 1)),
            recent_member=0.05,
            codes=(0.85, 0.05, 0.08, 0.02),
            quarters=quarters,
            serial_base=2_000,
        ),
        "business_registry": _holdings(
            _rng(seed, "business"),
            world,
            member,
            quiet,
            counts_member=(0.985, 0.015, 0.0),
            counts_other=(0.81, 0.18, 0.01),
            first_day=_ord(dt.date(1995, 1, 1)),
            recent_member=0.1,
            codes=(0.7, 0.3),
            quarters=quarters,
            serial_base=3_000,
        ),
    }
    # Deaths registered in each quarter; a few registered late.
    rng = _rng(seed, "death")
    alive = ~quiet.copy()
    deaths: dict[str, Block] = {}
    for quarter in quarters:
        candidates = np.flatnonzero(alive)
        k = min(len(candidates), round(0.01 * n))
        dead = np.sort(rng.choice(candidates, k, replace=False))
        alive[dead] = False
        start, end = _ord(quarter.start), _ord(quarter.end)
        day = np.where(
            rng.random(k) < 0.94,
            rng.integers(start, end + 1, k),
            rng.integers(start - 5 * 365, start, k),
        )
        deaths[str(quarter)] = {"pid": dead.astype(np.int64), "day": day.astype(np.int64)}

    background: dict[str, dict[str, Block]] = {
        "tax_income": tax,
        "hrss_benefits": hrss,
        "medical_settlements": medical,
        **snapshots,
        "death_records": deaths,
    }
    for kind in EXTRACT_KINDS:
        names = _BLOCK_COLUMNS[kind]
        keys = {str(qq) for qq in quarters} | {qq for (k, qq) in plan.rows if k == kind}
        for quarter_name in sorted(keys):
            parts = [background[kind].get(quarter_name, _empty_like(names))]
            planted_rows = plan.rows.get((kind, quarter_name), [])
            parts += planted_rows
            block = _concat(parts) if any(len(b["pid"]) for b in parts) else _empty_like(names)
            # Planted rows sit at the end of the block; remember where they start.
            world.blocks[kind][quarter_name] = block
            plan.dups[(kind, quarter_name)] = [
                len(block["pid"]) - len(planted_rows) + i
                for i in plan.dups.get((kind, quarter_name), [])
            ]


def _unique_rows(block: Block) -> Block:
    """Drop rows equal to another (random amounts can collide): good rows are never duplicates."""
    names = list(block)
    order = np.lexsort([block[name] for name in reversed(names)])
    sorted_block = {name: block[name][order] for name in names}
    same = np.ones(len(order), dtype=np.bool_)
    same[0] = False
    for name in names:
        same[1:] &= sorted_block[name][1:] == sorted_block[name][:-1]
    keep = np.sort(order[~same])
    return {name: block[name][keep] for name in names}


def _streams(
    rng: np.random.Generator,
    streams: Ints,
    *,
    categories: int,
    base: Any,
    first_month: int,
    last_month: int,
    quarters: Sequence[_Quarter],
    missing: float,
    events: float,
) -> dict[str, Block]:
    n = len(streams)
    sp = np.repeat(np.arange(n, dtype=np.int64), streams)
    s = len(sp)
    within = np.arange(s) - np.repeat(np.cumsum(streams) - streams, streams)
    cat = (rng.integers(0, categories, n)[sp] + within) % categories
    amount = base(sp, cat, rng).astype(np.int64)
    event = rng.random(s)
    never = 10**9
    shift_at = np.where(event < events, rng.integers(first_month, last_month + 1, s), never)
    factor = rng.choice(np.array([50, 160]), s)
    begins = np.where(
        (event >= events) & (event < 1.5 * events), rng.integers(first_month, last_month + 1, s), -1
    )
    stops = np.where(
        (event >= 1.5 * events) & (event < 2 * events),
        rng.integers(first_month, last_month + 1, s),
        never,
    )
    out: dict[str, Block] = {}
    for quarter in quarters:
        parts = []
        for month in quarter.months:
            present = (month >= begins) & (month < stops) & (rng.random(s) >= missing)
            level = np.where(month >= shift_at, amount * factor // 100, amount)
            fen = level * (1000 + rng.integers(-40, 41, s)) // 1000
            fen = np.where(rng.random(s) < 0.003, 0, fen)
            parts.append(
                {
                    "pid": sp[present],
                    "month": np.full(int(present.sum()), month, dtype=np.int64),
                    "code": cat[present],
                    "fen": fen[present],
                }
            )
        out[str(quarter)] = _concat(parts)
    return out


def _benefits(
    rng: np.random.Generator,
    kinds: npt.NDArray[np.bool_],
    quarters: Sequence[_Quarter],
    first_month: int,
    last_month: int,
) -> dict[str, Block]:
    person, code = np.nonzero(kinds)
    person, code = person.astype(np.int64), code.astype(np.int64)
    s = len(person)
    base = np.choose(
        code,
        [
            rng.integers(150_000, 450_000, s),
            rng.integers(150_000, 200_000, s),
            rng.integers(100_000, 300_000, s),
        ],
    )
    stops = np.where(
        (code == 1) & (rng.random(s) < 0.3), rng.integers(first_month, last_month + 1, s), 10**9
    )
    out: dict[str, Block] = {}
    for quarter in quarters:
        parts = []
        for month in quarter.months:
            raise_ = 1000 + 30 * max(0, month // 12 - 2025)
            present = month < stops
            fen = base * raise_ // 1000
            parts.append(
                {
                    "pid": person[present],
                    "month": np.full(int(present.sum()), month, dtype=np.int64),
                    "code": code[present],
                    "fen": fen[present],
                }
            )
        out[str(quarter)] = _concat(parts)
    return out


def _holdings(
    rng: np.random.Generator,
    world: _World,
    member: Bools,
    quiet: Bools,
    *,
    counts_member: tuple[float, ...],
    counts_other: tuple[float, ...],
    first_day: int,
    recent_member: float,
    codes: tuple[float, ...],
    quarters: Sequence[_Quarter],
    serial_base: int,
    area: bool = False,
) -> dict[str, Block]:
    n = world.persons
    counts = np.where(
        member,
        rng.choice(len(counts_member), n, p=counts_member),
        rng.choice(len(counts_other), n, p=counts_other),
    ).astype(np.int64)
    counts[quiet] = 0
    sp = np.repeat(np.arange(n, dtype=np.int64), counts)
    m = len(sp)
    last = _ord(quarters[-1].end)
    recent_from = min(_ord(dt.date(2024, 1, 1)), _ord(quarters[0].start) - 365)
    day = np.where(
        member[sp],
        np.where(
            rng.random(m) < recent_member,
            rng.integers(recent_from, last + 1, m),
            rng.integers(first_day, recent_from, m),
        ),
        rng.integers(first_day, last + 1, m),
    )
    sold = np.where(
        rng.random(m) < 0.015, rng.integers(_ord(quarters[0].start), last + 1, m), 10**9
    )
    sold = np.where(sold <= day, 10**9, sold)
    block: Block = {
        "pid": sp,
        "serial": serial_base * 10_000 + rng.permutation(m).astype(np.int64),
        "code": rng.choice(len(codes), m, p=codes).astype(np.int64),
        "day": day.astype(np.int64),
    }
    if area:
        block = {**block, "area": rng.integers(2_500, 26_000, m).astype(np.int64)}
        block = {name: block[name] for name in _BLOCK_COLUMNS["property_registry"]}
    out: dict[str, Block] = {}
    for quarter in quarters:
        end = _ord(quarter.end)
        out[str(quarter)] = _select(block, (block["day"] <= end) & (sold > end))
    return out


# --------------------------------------------------------------------------- formatting


def _id_cells(world: _World, pid: Ints, rng: np.random.Generator | None) -> pa.Array:
    cells = world.ids.take(pa.array(pid))
    if rng is None:
        return cells
    n = len(pid)
    lower = world.ends_x[pid] & (rng.random(n) < 0.05)
    cells = pc.if_else(pa.array(lower), pc.utf8_lower(cells), cells)
    padded = rng.random(n) < 0.002
    return pc.if_else(pa.array(padded), _join(" ", cells, "  "), cells)


def _format(
    kind: str, block: Block, world: _World, text: _Text, rng: np.random.Generator | None
) -> dict[str, pa.Array]:
    """Cell text of every canonical column; `rng` None gives the plain form (no variants)."""
    pid = block["pid"]
    out = {"id_number": _id_cells(world, pid, rng)}
    if kind in ("tax_income", "hrss_benefits"):
        table = TAX_CATEGORIES if kind == "tax_income" else BENEFIT_TYPES
        code_name = "category" if kind == "tax_income" else "benefit_type"
        out["month"] = text.month(block["month"])
        out[code_name] = _codes(table, block["code"], rng)
        out["amount"] = _money(block["fen"], rng, text)
    elif kind == "medical_settlements":
        out["settled_on"] = text.date(block["day"])
        out["total_cost"] = _money(block["total"], rng, text)
        out["fund_paid"] = _money(block["fund"], rng, text)
        out["self_paid"] = _money(block["self"], rng, text)
    elif kind == "property_registry":
        serial = block["serial"]
        out["property_id"] = _join(
            text.counties.take(pa.array(serial % len(COUNTIES))),
            _digits(serial // len(COUNTIES) % 10_000_000, 7),
            "GB",
            _digits(serial * 7919 % 100_000, 5),
            "F",
            _digits(serial * 104_729 % 100_000_000, 8),
        )
        out["usage"] = _codes(USAGES, block["code"], rng)
        out["area_m2"] = _money(block["area"], None, text)
        out["registered_on"] = text.date(block["day"])
    elif kind == "vehicle_registry":
        serial = block["serial"]
        letters = pa.array(list("ABCDEFGHJKLMNPQRSTUV"))
        out["plate"] = _join(
            "川", letters.take(pa.array(serial % 20)), _base(serial // 20, 5, text)
        )
        out["vehicle_type"] = _codes(VEHICLE_TYPES, block["code"], rng)
        out["registered_on"] = text.date(block["day"])
    elif kind == "business_registry":
        serial = block["serial"]
        out["credit_code"] = _join(
            "91",
            text.counties.take(pa.array(serial % len(COUNTIES))),
            "MA",
            _base(serial // len(COUNTIES), 7, text),
            text.alnum.take(pa.array(serial * 7 % len(_ALNUM))),
        )
        out["role"] = _codes(ROLES, block["code"], rng)
        out["established_on"] = text.date(block["day"])
    elif kind == "death_records":
        out["died_on"] = text.date(block["day"])
    return out


# --------------------------------------------------------------------------- bad rows

_ID_REASONS = ("blank_id", "bad_id_format", "bad_check_digit", "bad_birth_date")
BAD_REASONS: dict[str, tuple[str, ...]] = {
    "tax_income": (
        *_ID_REASONS,
        "bad_month",
        "out_of_period",
        "non_numeric_amount",
        "negative_amount",
        "bad_value",
        "duplicate",
    ),
    "hrss_benefits": (
        *_ID_REASONS,
        "bad_month",
        "out_of_period",
        "non_numeric_amount",
        "negative_amount",
        "bad_value",
        "duplicate",
    ),
    "medical_settlements": (
        *_ID_REASONS,
        "bad_date",
        "out_of_period",
        "non_numeric_amount",
        "negative_amount",
        "duplicate",
    ),
    "property_registry": (*_ID_REASONS, "bad_value", "bad_date", "out_of_period", "duplicate"),
    "vehicle_registry": (*_ID_REASONS, "bad_value", "bad_date", "out_of_period", "duplicate"),
    "business_registry": (*_ID_REASONS, "bad_value", "bad_date", "out_of_period", "duplicate"),
    "death_records": (*_ID_REASONS, "bad_date", "out_of_period", "duplicate"),
}
_MONEY_COLUMNS = {
    "tax_income": ("amount",),
    "hrss_benefits": ("amount",),
    "medical_settlements": ("total_cost", "fund_paid", "self_paid"),
}
_CODE_COLUMNS = {
    "tax_income": "category",
    "hrss_benefits": "benefit_type",
    "property_registry": "usage",
    "vehicle_registry": "vehicle_type",
    "business_registry": "role",
}
_DATE_COLUMNS = {
    "medical_settlements": "settled_on",
    "property_registry": "registered_on",
    "vehicle_registry": "registered_on",
    "business_registry": "established_on",
    "death_records": "died_on",
}
_QUARTER_RULE = ("tax_income", "hrss_benefits", "medical_settlements")


def _bad_id(
    reason: str, number: str, rng: np.random.Generator, latest_birth: dt.date | None, xlsx: bool
) -> Cell:
    if reason == "blank_id":
        return str(rng.choice(["", "  "]))
    if reason == "bad_id_format":
        variants: list[Cell] = [
            number[:17],
            number + str(rng.integers(0, 10)),
            number[:6] + number[8:17],
            number[:9] + "A" + number[10:],
            number[:17] + "Y",
            number[:6] + "-" + number[6:17],
        ]
        if xlsx:
            variants += [int(number[:17] + "0")] * 2
        return variants[int(rng.integers(0, len(variants)))]
    if reason == "bad_check_digit":
        right = number[17]
        wrong = [c for c in "0123456789X" if c != right]
        return number[:17] + wrong[int(rng.integers(0, len(wrong)))]
    # bad_birth_date: a well-formed number with the right check character
    births = ["19990230", "19801301", "18991231", "00000000", "20210229", "19770631"]
    if latest_birth is not None:
        later = latest_birth + dt.timedelta(days=int(rng.integers(1, 400)))
        births += [later.strftime("%Y%m%d")] * 2
    first17 = (
        number[:6] + births[int(rng.integers(0, len(births)))] + f"{rng.integers(0, 1000):03d}"
    )
    return first17 + check_char(first17)


def _bad_amount(reason: str, amount: str, rng: np.random.Generator) -> str:
    amount = amount.strip()
    if reason == "negative_amount":
        options = ["-" + amount, "-0.00", "-0", " -" + amount]
    else:
        whole, _, cents = amount.partition(".")
        comma = (
            f"{whole[:-3]},{whole[-3:]}" + (f".{cents}" if cents else "")
            if len(whole) > 3
            else "1," + amount
        )
        options = [
            "+" + amount,
            ".5",
            comma,
            "¥" + amount,
            "1e3",
            amount + ("0" if len(cents) == 2 else ".125"),
            "abc",
            "",
            "１２３",
            "-",
            "--5",
            amount + "元",
            f"{whole}.",
        ]
    return options[int(rng.integers(0, len(options)))]


def _mutate(
    kind: str,
    cells: dict[str, Cell],
    reason: str,
    rng: np.random.Generator,
    quarter: _Quarter,
    xlsx: bool,
) -> dict[str, Cell]:
    cells = dict(cells)
    number = str(cells["id_number"]).strip().upper()
    year = quarter.year
    if reason in _ID_REASONS:
        cells["id_number"] = _bad_id(reason, number, rng, quarter.end, xlsx)
    elif reason == "bad_month":
        options = [
            f"{year}-13",
            f"{year}01",
            f"{year}/01",
            f"{year % 100:02d}-01",
            "",
            f"{year}-1",
            f"{year}-00",
            f"{year} -01",
        ]
        cells["month"] = options[int(rng.integers(0, len(options)))]
    elif reason == "bad_date":
        options = [
            f"{year}-02-30",
            f"{year}/01/05",
            f"{year}0105",
            "",
            f"{year}-1-5",
            f"{year}-13-01",
            f"05/01/{year}",
            f"{year}-04-31",
        ]
        cells[_DATE_COLUMNS[kind]] = options[int(rng.integers(0, len(options)))]
    elif reason == "out_of_period":
        after = kind not in _QUARTER_RULE or rng.random() < 0.5
        if kind in ("tax_income", "hrss_benefits"):
            month = (
                quarter.first_month + 3 + int(rng.integers(0, 6))
                if after
                else quarter.first_month - 1 - int(rng.integers(0, 6))
            )
            cells["month"] = f"{month // 12:04d}-{month % 12 + 1:02d}"
        else:
            day = (
                quarter.end + dt.timedelta(days=int(rng.integers(1, 90)))
                if after
                else quarter.start - dt.timedelta(days=int(rng.integers(1, 90)))
            )
            cells[_DATE_COLUMNS[kind]] = day.isoformat()
    elif reason in ("non_numeric_amount", "negative_amount"):
        columns = _MONEY_COLUMNS[kind]
        column = columns[int(rng.integers(0, len(columns)))]
        cells[column] = _bad_amount(reason, str(cells[column]), rng)
    elif reason == "bad_value":
        options = ["unknown", "未知", "", "x1", "w age", "0"]
        cells[_CODE_COLUMNS[kind]] = options[int(rng.integers(0, len(options)))]
    else:  # pragma: no cover - a programming error
        raise ValueError(reason)
    return cells


def _duplicate(kind: str, cells: dict[str, Cell], rng: np.random.Generator) -> dict[str, Cell]:
    """A row equal to `cells` after normalisation, written differently."""
    cells = dict(cells)
    number = str(cells["id_number"]).strip().upper()
    variant = int(rng.integers(0, 5))
    if variant == 1:
        cells["id_number"] = f" {number} "
    elif variant == 2 and number.endswith("X"):
        cells["id_number"] = number.lower()
    elif variant == 3 and kind in _MONEY_COLUMNS:
        column = _MONEY_COLUMNS[kind][-1]
        fen = _fen_of(str(cells[column]))
        yuan, cents = divmod(fen, 100)
        if cents == 0:
            cells[column] = str(rng.choice([f"{yuan}", f"{yuan}.0", f"{yuan}.00"]))
        elif cents % 10 == 0:
            cells[column] = str(rng.choice([f"{yuan}.{cents // 10}", f"{yuan}.{cents:02d}"]))
        else:
            cells[column] = f"  {yuan}.{cents:02d}"
    elif variant == 4:
        other = [c for c in cells if c != "id_number"]
        column = other[int(rng.integers(0, len(other)))]
        cells[column] = f"{str(cells[column]).strip()} "
    return cells


def _fen_of(amount: str) -> int:
    whole, _, cents = amount.strip().partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


# --------------------------------------------------------------------------- writing


def _header(kind: str, names: Sequence[str], style: str, rng: np.random.Generator) -> list[str]:
    aliases = dict(COLUMNS[kind])
    if style == "english":
        return list(names)
    if style == "chinese":
        return [aliases.get(n, n) for n in names]
    pick = rng.random(len(names)) < 0.5
    if len(names) > 1:
        pick[0], pick[-1] = True, False
    return [aliases.get(n, n) if chinese else n for n, chinese in zip(names, pick, strict=True)]


def _column_order(kind: str, options: _Options, rng: np.random.Generator) -> list[str]:
    names = [name for name, _ in COLUMNS[kind]]
    if kind in options.shuffled:
        order = rng.permutation(len(names))
        if list(order) == list(range(len(names))):
            order = order[::-1]
        names = [names[i] for i in order]
    if kind in options.extra:
        names.insert(int(rng.integers(1, len(names) + 1)), EXTRA_COLUMN)
    return names


def _quote(value: str) -> str:
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _encode(text: str | bytes, encoding: str) -> bytes:
    if encoding == "gb18030":
        raw = text.decode("utf-8") if isinstance(text, bytes) else text
        return raw.encode("gb18030")
    data = text.encode("utf-8") if isinstance(text, str) else text
    return (b"\xef\xbb\xbf" + data) if encoding == "utf-8-sig" else data


def _lines_bytes(columns: Sequence[pa.Array]) -> bytes:
    """The CSV body of equal-length text columns: one line a row, '\\n' after each."""
    if not len(columns[0]):
        return b""
    lines = pc.binary_join_element_wise(*columns, ",")
    lines = pc.binary_join_element_wise(lines, "", "\n")
    lines = lines.cast(pa.large_string()) if len(lines) > 20_000_000 else lines
    offsets_type = np.int64 if pa.types.is_large_string(lines.type) else np.int32
    offsets = np.frombuffer(lines.buffers()[1], dtype=offsets_type)
    start = int(offsets[lines.offset])
    end = int(offsets[lines.offset + len(lines)])
    return lines.buffers()[2].to_pybytes()[start:end]


_FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
_CORE_TIME = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)")


def _write_xlsx(path: Path, header: list[str], rows: Sequence[Sequence[Cell]]) -> int:
    """A workbook of one sheet, every cell text except number cells; byte-stable."""
    import openpyxl  # only when a workbook is asked for

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CORE_TIME.sub(rb"\g<1>2026-01-01T00:00:00Z\g<3>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    path.write_bytes(fixed.getvalue())
    return len(fixed.getvalue())


def _write_roster(
    out: Path,
    options: _Options,
    world: _World,
    plan: _Plan,
    divisions: list[tuple[str, str, str, str]],
    text: _Text,
    files: list[FileInfo],
    rejects: list[Reject],
) -> None:
    rng = _rng(options.seed, "roster-files")
    rate = options.bad_row_rate
    communities = [code for code, _, level, _ in divisions if level == "community"]
    names = {code: name for code, name, _, _ in divisions}
    county_names = dict(COUNTIES)

    # divisions.csv: the good rows, then an orphan community and a malformed code.
    level_label = dict(LEVELS)
    division_rows: list[tuple[dict[str, str], str | None]] = []
    for code, name, level, parent in divisions:
        shown = (level_label[level] or level) if rng.random() < 0.3 else level
        division_rows.append(
            ({"code": code, "name": name, "level": shown, "parent_code": parent}, None)
        )
    orphan = f"{COUNTIES[0][0]}999001"
    if rate > 0:
        division_rows.append(
            (
                {
                    "code": orphan,
                    "name": "第1社区",
                    "level": "community",
                    "parent_code": f"{COUNTIES[0][0]}999000",
                },
                "bad_value",
            )
        )
        division_rows.insert(
            len(division_rows) // 2,
            (
                {
                    "code": f"{COUNTIES[0][0]}00100",
                    "name": "第9社区",
                    "level": "community",
                    "parent_code": f"{COUNTIES[0][0]}001000",
                },
                "bad_value",
            ),
        )
    _write_roster_file(out, "divisions", division_rows, options, rng, files, rejects)

    # households.csv
    n_households = len(world.sizes)
    program = rng.choice(len(PROGRAMS), n_households, p=[0.6, 0.15, 0.15, 0.05, 0.05])
    review = rng.choice(3, n_households, p=[0.3, 0.5, 0.2])
    suffix = rng.random(n_households)
    house_no = rng.integers(1, 300, n_households)
    households: list[dict[str, str]] = []
    for h in range(n_households):
        region = communities[int(world.region[h])]
        county = county_names[region[:6]]
        township = names[region[:9] + "000"]
        address = f"成都市{county}{township}{names[region]}{house_no[h]}号"
        if suffix[h] < 0.2:
            address += f",{int(house_no[h]) % 9 + 1}栋{int(house_no[h]) % 4 + 1}单元"
        elif suffix[h] < 0.203:
            address += f"\n{int(house_no[h]) % 9 + 1}栋"
        word, label = PROGRAMS[int(program[h])]
        verified = int(world.verified[h])
        households.append(
            {
                "household_id": _household_id(h),
                "region_code": region,
                "address": address,
                "program": label if (label and suffix[h] > 0.85) else word,
                "review_class": "ABC"[int(review[h])],
                "enrolled_on": dt.date.fromordinal(int(world.enrolled[h])).isoformat(),
                "last_verified_on": ""
                if verified < 0
                else dt.date.fromordinal(verified).isoformat(),
                "monthly_benefit": _yuan_text(int(world.benefit[h]), suffix[h] < 0.5),
                "declared_monthly_income": _yuan_text(int(world.declared[h]), suffix[h] < 0.5),
            }
        )
    bad_households: list[tuple[int, dict[str, str], str]] = []  # (slot, cells, reason)
    reasons: tuple[str, ...] = (
        "bad_value",
        "bad_date",
        "negative_amount",
        "non_numeric_amount",
        "unknown_division",
        "duplicate",
        "conflict",
    )
    count = 0 if rate <= 0 else max(len(reasons), round(rate * n_households))
    rejected_households: list[str] = []
    for i, reason in enumerate(_cycle(reasons, count, rng)):
        template = int(rng.integers(0, n_households))
        cells = dict(households[template])
        slot = int(rng.integers(0, n_households + 1))
        if reason in ("duplicate", "conflict"):
            slot = int(rng.integers(template + 1, n_households + 1))
            if reason == "duplicate":
                cells["household_id"] = f" {cells['household_id']}"
                cells["monthly_benefit"] = _yuan_text(_fen_of(cells["monthly_benefit"]), False)
            else:
                day = dt.date.fromordinal(int(world.enrolled[template]))
                cells["last_verified_on"] = (day + dt.timedelta(days=1)).isoformat()
                cells["address"] += "（重复登记）"
        else:
            cells["household_id"] = f"HX{i + 1:08d}"
            rejected_households.append(cells["household_id"])
            if reason == "bad_value":
                field_, value = [
                    ("program", "wubao"),
                    ("review_class", "D"),
                    ("household_id", ""),
                    ("program", ""),
                ][i % 4]
                cells[field_] = value
            elif reason == "bad_date":
                field_, value = [
                    ("enrolled_on", "2019-02-30"),
                    ("enrolled_on", ""),
                    ("last_verified_on", "2025/06/01"),
                ][i % 3]
                cells[field_] = value
            elif reason == "negative_amount":
                cells["monthly_benefit"] = "-" + cells["monthly_benefit"]
            elif reason == "non_numeric_amount":
                cells["declared_monthly_income"] = "1,200.00"
            else:
                cells["region_code"] = [
                    orphan,
                    f"{COUNTIES[0][0]}888777",
                    communities[0][:9] + "000",
                ][i % 3]
        bad_households.append((slot, cells, reason))
    rows = _merge(households, bad_households)
    _write_roster_file(out, "households", rows, options, rng, files, rejects)

    # members.csv
    m = world.members
    relation = rng.integers(1, len(RELATIONS), m)
    starts = np.concatenate([[0], np.cumsum(world.sizes)[:-1]])
    is_head = np.zeros(m, dtype=np.bool_)
    is_head[starts] = True
    sur = rng.integers(0, len(_SURNAMES), m)
    g1 = rng.integers(0, len(_GIVEN), m)
    g2 = rng.integers(0, len(_GIVEN) + 40, m)
    labor = rng.choice(3, m, p=[0.4, 0.3, 0.3])
    grade = np.where(rng.random(m) < 0.8, 0, rng.integers(1, 5, m))
    health = rng.choice(3, m, p=[0.5, 0.35, 0.15])
    student = rng.random(m) < 0.15
    employment = rng.choice(5, m, p=[0.1, 0.25, 0.25, 0.15, 0.25])
    chinese = rng.random(m) < 0.3

    def labels(table: CodeTable, index: Ints) -> list[str]:
        words = [word for word, _ in table]
        shown = [label or word for word, label in table]
        return [
            shown[k] if c else words[k]
            for k, c in zip(index.tolist(), chinese.tolist(), strict=True)
        ]

    labor_text = labels(LABOR_ABILITIES, labor)
    health_text = labels(HEALTH, health)
    employment_text = labels(EMPLOYMENT, employment)
    given_chars = list(_GIVEN) + [""] * 40
    members: list[dict[str, str]] = []
    for i in range(m):
        members.append(
            {
                "household_id": _household_id(int(world.household_of[i])),
                "id_number": world.id_list[i],
                "name": _SURNAMES[sur[i]] + _GIVEN[g1[i]] + given_chars[g2[i]],
                "relation": RELATIONS[0] if is_head[i] else RELATIONS[int(relation[i])],
                "labor_ability": labor_text[i],
                "disability_grade": str(int(grade[i])),
                "health": health_text[i],
                "is_student": "1" if student[i] else "0",
                "employment": employment_text[i],
            }
        )
    reasons = (
        *_ID_REASONS,
        "unknown_household",
        "bad_value",
        "duplicate",
        "conflict",
    )
    count = 0 if rate <= 0 else max(len(reasons), round(rate * m))
    outsiders = np.flatnonzero(~world.quiet[m:]) + m
    bad_members: list[tuple[int, dict[str, str], str]] = []
    for i, reason in enumerate(_cycle(reasons, count, rng)):
        template = int(rng.integers(0, m))
        cells = dict(members[template])
        slot = int(rng.integers(0, m + 1))
        if reason == "duplicate":
            slot = int(rng.integers(template + 1, m + 1))
            cells["id_number"] = f" {cells['id_number'].lower()} "
            cells["name"] = cells["name"] + " "
        elif reason == "conflict":
            slot = int(rng.integers(template + 1, m + 1))
            cells["name"] = cells["name"] + "某"
        else:
            outsider = int(outsiders[int(rng.integers(0, len(outsiders)))])
            cells["id_number"] = world.id_list[outsider]
            cells["relation"] = RELATIONS[int(rng.integers(1, len(RELATIONS)))]
            if reason in _ID_REASONS:
                cells["id_number"] = str(_bad_id(reason, world.id_list[outsider], rng, None, False))
            elif reason == "unknown_household":
                cells["household_id"] = (
                    rejected_households[i % len(rejected_households)]
                    if rejected_households and i % 2
                    else f"HH{n_households + 500 + i:08d}"
                )
            else:
                column, value = [
                    ("relation", "host"),
                    ("labor_ability", "强"),
                    ("disability_grade", "5"),
                    ("health", "ill"),
                    ("is_student", "2"),
                    ("employment", "working"),
                    ("disability_grade", "一级"),
                ][i % 7]
                cells[column] = value
        bad_members.append((slot, cells, reason))
    for extra in plan.roster:
        if extra.after_member >= 0:
            slot = int(rng.integers(extra.after_member + 1, m + 1))
        else:
            slot = int(rng.integers(0, m + 1))
        bad_members.append((slot, extra.cells, extra.reason))
    rows = _merge(members, bad_members)
    _write_roster_file(out, "members", rows, options, rng, files, rejects)


def _yuan_text(fen: int, short: bool) -> str:
    yuan, cents = divmod(fen, 100)
    if short and cents == 0:
        return str(yuan)
    return f"{yuan}.{cents:02d}"


def _cycle(reasons: Sequence[str], count: int, rng: np.random.Generator) -> list[str]:
    if count <= 0:
        return []
    out = [reasons[i % len(reasons)] for i in range(count)]
    order = rng.permutation(count)
    return [out[i] for i in order]


def _merge(
    good: list[dict[str, str]], bad: list[tuple[int, dict[str, str], str]]
) -> list[tuple[dict[str, str], str | None]]:
    """Good rows in order with each bad row inserted before the good row of its slot."""
    by_slot: dict[int, list[tuple[dict[str, str], str]]] = defaultdict(list)
    for slot, cells, reason in bad:
        by_slot[slot].append((cells, reason))
    rows: list[tuple[dict[str, str], str | None]] = []
    for i in range(len(good) + 1):
        rows.extend(by_slot.get(i, []))
        if i < len(good):
            rows.append((good[i], None))
    return rows


def _write_roster_file(
    out: Path,
    kind: str,
    rows: list[tuple[dict[str, str], str | None]],
    options: _Options,
    rng: np.random.Generator,
    files: list[FileInfo],
    rejects: list[Reject],
) -> None:
    names = _column_order(kind, options, rng)
    header = _header(kind, names, options.headers[kind], rng)
    extra_values = ["", "", "", "已核实", "待复核"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    line = 2
    name = f"{kind}.csv"
    for cells, reason in rows:
        if reason is not None:
            rejects.append(Reject(name, line, reason))
        writer.writerow(
            [
                cells[n] if n != EXTRA_COLUMN else extra_values[line % len(extra_values)]
                for n in names
            ]
        )
        line += 1 + cells.get("address", "").count("\n")
    data = _encode(buffer.getvalue(), options.encodings[kind])
    (out / name).write_bytes(data)
    files.append(
        FileInfo(name, kind, "csv", options.encodings[kind], tuple(header), len(rows), len(data))
    )


def _write_extracts(
    out: Path,
    options: _Options,
    world: _World,
    plan: _Plan,
    text: _Text,
    files: list[FileInfo],
    rejects: list[Reject],
) -> list[_Quarter]:
    by_quarter: dict[str, _Quarter] = {str(q): q for q in options.quarters}
    for kind in EXTRACT_KINDS:
        for quarter_name in world.blocks[kind]:
            by_quarter.setdefault(quarter_name, _Quarter.parse(quarter_name))
    written: list[_Quarter] = []
    for quarter_name in sorted(by_quarter, key=lambda s: by_quarter[s]):
        quarter = by_quarter[quarter_name]
        folder = out / quarter_name
        folder.mkdir(exist_ok=True)
        written.append(quarter)
        main = quarter in options.quarters
        for kind in EXTRACT_KINDS:
            block = world.blocks[kind].get(quarter_name)
            if block is None:
                continue
            _write_extract(
                folder, kind, quarter, block, options, world, plan, text, files, rejects, main
            )
    return written


def _write_extract(
    folder: Path,
    kind: str,
    quarter: _Quarter,
    block: Block,
    options: _Options,
    world: _World,
    plan: _Plan,
    text: _Text,
    files: list[FileInfo],
    rejects: list[Reject],
    main: bool,
) -> None:
    quarter_name = str(quarter)
    rng = _rng(options.seed, f"{kind}/{quarter_name}")
    xlsx = kind in options.xlsx_kinds
    n = len(block["pid"])
    perm = rng.permutation(n)
    position = np.empty(n, dtype=np.int64)
    position[perm] = np.arange(n)
    block = {name: values[perm] for name, values in block.items()}
    good = _format(kind, block, world, text, rng)
    names = [name for name, _ in COLUMNS[kind]]

    # Bad rows: (slot, cells, reason); a bad row goes before the good row of its slot.
    bad: list[tuple[int, dict[str, Cell], str]] = []
    count = round(options.bad_row_rate * n) if main and n else 0
    reasons = _cycle(BAD_REASONS[kind], count, rng)
    if reasons:
        templates = rng.integers(0, n, count)
        slots = rng.integers(0, n + 1, count)
        dup = np.array([r == "duplicate" for r in reasons])
        slots = np.where(dup, rng.integers(1, n + 1, count), slots) if n else slots
        templates = np.where(dup, (rng.random(count) * slots).astype(np.int64), templates)
        template_cells = {c: good[c].take(pa.array(templates)).to_pylist() for c in names}
        for i, reason in enumerate(reasons):
            cells: dict[str, Cell] = {c: template_cells[c][i] for c in names}
            if reason == "duplicate":
                cells = _duplicate(kind, cells, rng)
            else:
                cells = _mutate(kind, cells, reason, rng, quarter, xlsx)
            bad.append((int(slots[i]), cells, reason))
    for index in plan.dups.get((kind, quarter_name), []):
        at = int(position[index])
        cells = {c: good[c][at].as_py() for c in names}
        bad.append((int(rng.integers(at + 1, n + 1)), _duplicate_planted(cells), "duplicate"))
    for extra in plan.extras:
        if extra.kind != kind or extra.quarter != quarter_name:
            continue
        plain = _format(kind, extra.row, world, text, None)
        cells = {c: plain[c][0].as_py() for c in names}
        cells.update(extra.override)
        bad.append((int(rng.integers(0, n + 1)), cells, extra.reason))

    # Final order: good rows in their shuffled order, bad rows before their slot's row.
    slot_of = np.array([b[0] for b in bad], dtype=np.int64)
    keys_slot = np.concatenate([np.arange(n, dtype=np.int64), slot_of])
    keys_flag = np.concatenate([np.ones(n, dtype=np.int64), np.zeros(len(bad), dtype=np.int64)])
    keys_tie = np.concatenate([np.zeros(n, dtype=np.int64), np.arange(len(bad), dtype=np.int64)])
    order = np.lexsort((keys_tie, keys_flag, keys_slot))
    final_line = np.empty(len(order), dtype=np.int64)
    final_line[order] = np.arange(len(order)) + 2
    suffix = "xlsx" if xlsx else "csv"
    name = f"{quarter_name}/{kind}.{suffix}"
    for i, (_, _, reason) in enumerate(bad):
        rejects.append(Reject(name, int(final_line[n + i]), reason))

    column_order = _column_order(kind, options, rng)
    header = _header(kind, column_order, options.headers[kind], rng)
    total = n + len(bad)
    extra_values = pa.array(["", "", "", "", "已核实", "待复核", "无"])
    columns: list[pa.Array] = []
    for column in column_order:
        if column == EXTRA_COLUMN:
            columns.append(extra_values.take(pa.array(rng.integers(0, len(extra_values), total))))
            continue
        bad_cells = [b[1][column] for b in bad]
        if xlsx:
            merged = pa.concat_arrays(
                [good[column].cast(pa.string()), pa.array([str(c) for c in bad_cells], pa.string())]
            )
        else:
            merged = pa.concat_arrays(
                [
                    good[column].cast(pa.string()),
                    pa.array([_quote(str(c)) for c in bad_cells], pa.string()),
                ]
            )
        columns.append(merged.take(pa.array(order)))
    path = folder / f"{kind}.{suffix}"
    encoding: str | None
    if xlsx:
        numeric = {
            n + i: b[1]["id_number"]
            for i, b in enumerate(bad)
            if isinstance(b[1]["id_number"], int)
        }
        as_lists = [col.to_pylist() for col in columns]
        id_at = column_order.index("id_number")
        rows: list[list[Cell]] = []
        for row_number, source in enumerate(order.tolist()):
            row: list[Cell] = [col[row_number] for col in as_lists]
            if source in numeric:
                row[id_at] = numeric[source]
            rows.append(row)
        size = _write_xlsx(path, header, rows)
        encoding = None
    else:
        head = ",".join(_quote(h) for h in header) + "\n"
        body = _lines_bytes(columns)
        data = _encode(head.encode("utf-8") + body, options.encodings[kind])
        path.write_bytes(data)
        size = len(data)
        encoding = options.encodings[kind]
    files.append(FileInfo(name, kind, suffix, encoding, tuple(header), total, size))


def _duplicate_planted(cells: dict[str, Cell]) -> dict[str, Cell]:
    """The planted duplicates: the ID padded and the amount in a shorter form."""
    cells = dict(cells)
    cells["id_number"] = f"  {str(cells['id_number']).strip().upper()} "
    for column in ("amount", "self_paid"):
        if column in cells:
            fen = _fen_of(str(cells[column]))
            yuan, cents = divmod(fen, 100)
            cells[column] = f"{yuan}" if cents == 0 else f"{yuan}.{cents:02d}".rstrip("0")
    return cells


# --------------------------------------------------------------------------- the truth


def _compute_warnings(options: _Options, world: _World) -> set[tuple[str, str]]:
    """§3 over the good rows, in integer fen with plain dictionaries (independent of the engine)."""
    quarters = options.quarters
    q, p = quarters[-1], quarters[-2]
    m = world.members
    household_of = world.household_of.tolist()
    q_end = _ord(q.end)
    q_months = set(q.months)
    p_months = set(p.months)
    window_first_month = q.previous().previous().previous().first_month
    window_start = _ord(q.previous().previous().previous().start)
    swing, burden = options.swing, options.burden

    def member_rows(kind: str, quarter_name: str, *columns: str) -> list[tuple[int, ...]]:
        block = world.blocks[kind].get(quarter_name)
        if block is None:
            return []
        keep = block["pid"] < m
        return list(zip(*(block[c][keep].tolist() for c in ("pid", *columns)), strict=True))

    quarter_names = sorted(
        {name for kind in EXTRACT_KINDS for name in world.blocks[kind]},
        key=_Quarter.parse,
    )
    q_income: dict[int, int] = defaultdict(int)
    p_income: dict[int, int] = defaultdict(int)
    window_income: dict[int, int] = defaultdict(int)
    seen_income: set[int] = set()
    cost: dict[int, int] = defaultdict(int)
    dead: set[int] = set()
    for name in quarter_names:
        if _Quarter.parse(name) > q:
            continue
        for kind in ("tax_income", "hrss_benefits"):
            for pid, month, fen in member_rows(kind, name, "month", "fen"):
                h = household_of[pid]
                if month in q_months:
                    q_income[h] += fen
                    seen_income.add(h)
                elif month in p_months:
                    p_income[h] += fen
                    seen_income.add(h)
                if window_first_month <= month <= q.first_month + 2:
                    window_income[h] += fen
        for pid, day, self_paid in member_rows("medical_settlements", name, "day", "self"):
            if window_start <= day <= q_end:
                cost[household_of[pid]] += self_paid
        for pid, day in member_rows("death_records", name, "day"):
            if day <= q_end:
                dead.add(household_of[pid])

    warnings: set[tuple[str, str]] = set()
    for h in seen_income:
        now, before = q_income[h], p_income[h]
        if (before > 0 and abs(now - before) * swing.denominator > before * swing.numerator) or (
            before == 0 and now > 0
        ):
            warnings.add((_household_id(h), INCOME_SWING))
    for h, paid in cost.items():
        annual = max(window_income[h], 12 * int(world.declared[h]))
        if (annual > 0 and paid * burden.denominator > annual * burden.numerator) or (
            annual == 0 and paid > 0
        ):
            warnings.add((_household_id(h), MEDICAL_BURDEN))
    latest = {
        kind: max(
            (name for name in world.blocks[kind] if _Quarter.parse(name) <= q),
            key=_Quarter.parse,
        )
        for kind in ("property_registry", "vehicle_registry", "business_registry")
    }
    for kind, rule in (
        ("property_registry", NEW_PROPERTY),
        ("vehicle_registry", NEW_VEHICLE),
        ("business_registry", NEW_BUSINESS),
    ):
        for pid, day in member_rows(kind, latest[kind], "day"):
            h = household_of[pid]
            verified = int(world.verified[h])
            reference = verified if verified >= 0 else int(world.enrolled[h])
            if reference < day <= q_end:
                warnings.add((_household_id(h), rule))
    for h in dead:
        warnings.add((_household_id(h), MEMBER_DECEASED))
    return warnings


def _check_edge_cases(world: _World, plan: _Plan, warnings: set[tuple[str, str]]) -> list[EdgeCase]:
    """The planted households fire exactly as intended (a self-check of the generator)."""
    cases: list[EdgeCase] = []
    for household, scenario, rule, fires in plan.cases:
        household_id = _household_id(household)
        computed = (household_id, rule) in warnings
        if computed != fires:  # pragma: no cover - a generator bug
            raise AssertionError(f"planted case {scenario} ({household_id}) computed {computed}")
        cases.append(EdgeCase(household_id, scenario, rule, fires))
    return sorted(cases, key=lambda c: (c.household_id, c.rule))


def _warning_order(warning: tuple[str, str]) -> tuple[str, int]:
    return warning[0], RULES.index(warning[1])


def _write_truth(out: Path, truth: Truth, options: _Options) -> None:
    folder = out / "truth"
    folder.mkdir(exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["household_id", "rule"])
    ordered: list[tuple[str, str]] = sorted(truth.warnings, key=_warning_order)
    writer.writerows(ordered)
    (folder / "expected_warnings.csv").write_text(buffer.getvalue(), encoding="utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["file", "line", "reason"])
    writer.writerows((r.file, r.line, r.reason) for r in truth.rejects)
    (folder / "expected_rejects.csv").write_text(buffer.getvalue(), encoding="utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["household_id", "scenario", "rule", "expected_fire"])
    writer.writerows(
        (c.household_id, c.scenario, c.rule, "1" if c.fires else "0") for c in truth.edge_cases
    )
    (folder / "edge_cases.csv").write_text(buffer.getvalue(), encoding="utf-8")
    manifest = {
        "scale": options.scale,
        "seed": options.seed,
        "quarter": truth.quarter,
        "quarters": list(truth.quarters),
        "bad_row_rate": options.bad_row_rate,
        "income_swing_ratio": str(options.swing),
        "medical_burden_ratio": str(options.burden),
        "households": truth.households,
        "members": truth.members,
        "persons": truth.persons,
        "warnings": len(truth.warnings),
        "rejects": len(truth.rejects),
        "files": [
            {
                "path": f.path,
                "kind": f.kind,
                "format": f.format,
                "encoding": f.encoding,
                "header": list(f.header),
                "rows": f.rows,
                "bytes": f.bytes,
            }
            for f in truth.files
        ],
    }
    (folder / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def load_truth(root: Path | str) -> tuple[set[tuple[str, str]], set[tuple[str, int, str]]]:
    """The (household_id, rule) warnings and (file, line, reason) rejects written under `truth/`."""
    folder = Path(root) / "truth"
    with (folder / "expected_warnings.csv").open(encoding="utf-8", newline="") as fh:
        warnings = {(row["household_id"], row["rule"]) for row in csv.DictReader(fh)}
    with (folder / "expected_rejects.csv").open(encoding="utf-8", newline="") as fh:
        rejects = {(row["file"], int(row["line"]), row["reason"]) for row in csv.DictReader(fh)}
    return warnings, rejects


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m jiuzhu.screening.synthetic",
        description="生成带已知答案的合成比对数据（数据交换标准格式）",
    )
    parser.add_argument("out_dir", type=Path, help="输出目录")
    parser.add_argument("--scale", type=float, default=1.0, help="规模（1.0 = 10 万户、100 万人）")
    parser.add_argument("--seed", type=int, default=1, help="随机种子")
    parser.add_argument(
        "--quarters", default="2025Q4,2026Q1", help="连续的季度，逗号分隔，最后一个为筛查季度"
    )
    parser.add_argument("--bad-row-rate", type=float, default=0.01, help="坏行比例")
    parser.add_argument("--xlsx", default="", help="写成 XLSX 的比对文件类型，逗号分隔")
    args = parser.parse_args(argv)
    truth = generate(
        args.out_dir,
        scale=args.scale,
        seed=args.seed,
        quarters=[q for q in args.quarters.split(",") if q],
        bad_row_rate=args.bad_row_rate,
        xlsx_kinds=[k for k in args.xlsx.split(",") if k],
    )
    for f in truth.files:
        print(f"{f.path}\t{f.rows:>10,} 行\t{f.bytes / 1e6:>8.1f} MB\t{f.encoding or f.format}")
    print(
        f"共 {truth.households:,} 户、{truth.members:,} 名成员、{truth.persons:,} 人；"
        f"比对数据 {truth.extract_rows:,} 行、{truth.extract_bytes / 1e6:,.1f} MB；"
        f"坏行 {len(truth.rejects):,} 行；预警 {len(truth.warnings):,} 条；"
        f"用时 {truth.seconds:.1f} 秒"
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""Dated policy parameters (OpenFisca style): value, effective-from, region, source.

A value is found by (name, region code, date): among the values in force on
that date whose region is a prefix of the code, the most specific region
wins (county over city over province over the national default ""). The
values come from the reviewed YAML files in `data/` and from the county's
approved changes (the Django `policy` app adds those); both are checked here,
and a bad one is refused with a message naming the parameter.

Every value has a `version` — a stable name for exactly that row — so a
decision can store what it used and be recomputed with it after the
parameters change (`PinnedParameters`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from importlib import resources
from typing import Any, Protocol

import yaml

from jiuzhu.domain.errors import DomainError
from jiuzhu.domain.policy.catalog import CATALOG, VALUE_LABELS, Kind, ParameterSpec

#: A normalised parameter value: Decimal (money), int, Fraction (ratio), bool,
#: str (choice), None (a switched-off optional ratio), a mapping or a tuple.
Value = Any

_REGION = re.compile(r"[0-9]{0,12}")
_FRACTION = re.compile(r"\s*([0-9]+)\s*/\s*([1-9][0-9]*)\s*")


class ParameterError(DomainError):
    code = "invalid_parameter"
    default_message = "政策参数不正确"


class UnknownParameter(ParameterError):
    code = "unknown_parameter"


class MissingParameter(ParameterError):
    code = "missing_parameter"


class _DecimalLoader(yaml.SafeLoader):
    """Safe YAML where `0.5` is Decimal('0.5'), never a binary float."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")  # type: ignore[arg-type]
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise yaml.constructor.ConstructorError(
            None, None, f"不是有限数值：{text}", node.start_mark
        )
    return value


def _construct_date(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    """A date as usual; an impossible one (2026-13-01) stays text, refused later by field."""
    try:
        return loader.construct_yaml_timestamp(node)  # type: ignore[arg-type]
    except ValueError:
        return loader.construct_scalar(node)  # type: ignore[arg-type]


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_DecimalLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_date)


def load_yaml(text: str) -> Any:
    """Parse YAML safely with exact decimals; `yaml.YAMLError` on bad syntax."""
    return yaml.load(text, Loader=_DecimalLoader)  # noqa: S506 - a SafeLoader subclass


# -- values -----------------------------------------------------------------


def _ratio(raw: object) -> Fraction:
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, (int, Decimal)):
        value = Fraction(raw)
    elif isinstance(raw, Fraction):
        value = raw
    elif isinstance(raw, str):
        match = _FRACTION.fullmatch(raw)
        if match:
            value = Fraction(int(match[1]), int(match[2]))
        else:
            try:
                value = Fraction(Decimal(raw.strip()))
            except (InvalidOperation, ValueError):
                raise ValueError from None
    else:
        raise ValueError
    if value < 0:
        raise ValueError
    return value


def _money(raw: object) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal | str):
        raise ValueError
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise ValueError
    return value.quantize(Decimal("0.01"))


def _integer(raw: object) -> int:
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, Decimal) and raw == raw.to_integral_value():
        raw = int(raw)
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if not isinstance(raw, int) or raw < 0:
        raise ValueError
    return raw


_EXPECTED: dict[Kind, str] = {
    Kind.MONEY: "不小于 0、最多两位小数的金额",
    Kind.INTEGER: "不小于 0 的整数",
    Kind.RATIO: "不小于 0 的比例（如 0.5、1.3 或 1/3）",
    Kind.OPTIONAL_RATIO: "不小于 0 的比例，或 null（不启用）",
    Kind.BOOLEAN: "true 或 false",
    Kind.CHOICE: "以下之一：{choices}",
    Kind.RATIO_MAP: "包含且仅包含 {keys} 的比例表",
    Kind.INTEGER_MAP: "包含且仅包含 {keys} 的整数表",
    Kind.MONEY_MAP: "包含且仅包含 {keys} 的金额表",
    Kind.RATIO_LIST: "至少一项的比例列表",
}


def expected_text(spec: ParameterSpec) -> str:
    return _EXPECTED[spec.kind].format(choices="、".join(spec.choices), keys="、".join(spec.keys))


def normalise_value(spec: ParameterSpec, raw: object) -> Value:
    """The value in its exact Python form, or ParameterError naming the parameter."""
    try:
        return _normalise(spec, raw)
    except (ValueError, TypeError):
        raise ParameterError(
            f"参数 {spec.name}（{spec.label}）的取值 {raw!r} 不正确：应为{expected_text(spec)}"
        ) from None


def _normalise(spec: ParameterSpec, raw: object) -> Value:
    kind = spec.kind
    if kind is Kind.MONEY:
        return _money(raw)
    if kind is Kind.INTEGER:
        return _integer(raw)
    if kind is Kind.RATIO:
        return _ratio(raw)
    if kind is Kind.OPTIONAL_RATIO:
        return None if raw is None else _ratio(raw)
    if kind is Kind.BOOLEAN:
        if not isinstance(raw, bool):
            raise ValueError
        return raw
    if kind is Kind.CHOICE:
        if raw not in spec.choices:
            raise ValueError
        return str(raw)
    if kind in (Kind.RATIO_MAP, Kind.INTEGER_MAP, Kind.MONEY_MAP):
        if not isinstance(raw, Mapping):
            raise ValueError
        by_key = {str(key): item for key, item in raw.items()}
        if set(by_key) != set(spec.keys):
            raise ValueError
        convert = {Kind.RATIO_MAP: _ratio, Kind.INTEGER_MAP: _integer, Kind.MONEY_MAP: _money}[kind]
        return {key: convert(by_key[key]) for key in spec.keys}
    if kind is Kind.RATIO_LIST:
        if isinstance(raw, str | bytes) or not isinstance(raw, Sequence) or not raw:
            raise ValueError
        return tuple(_ratio(item) for item in raw)
    raise ValueError  # pragma: no cover - every kind is handled above


def format_ratio(value: Fraction) -> str:
    """0.5, 1.3 or 1/3: a terminating decimal as a decimal, else a fraction."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def dump_value(spec: ParameterSpec, value: Value) -> Any:
    """A JSON-ready form that `normalise_value` reads back to the same value."""
    kind = spec.kind
    if kind is Kind.MONEY:
        return str(value)
    if kind in (Kind.RATIO, Kind.OPTIONAL_RATIO):
        return None if value is None else format_ratio(value)
    if kind is Kind.RATIO_MAP:
        return {key: format_ratio(item) for key, item in value.items()}
    if kind is Kind.RATIO_LIST:
        return [format_ratio(item) for item in value]
    if kind is Kind.INTEGER_MAP:
        return dict(value)
    if kind is Kind.MONEY_MAP:
        return {key: str(item) for key, item in value.items()}
    return value


def display_value(spec: ParameterSpec, value: Value) -> str:
    """How a value reads in an explanation (Chinese)."""
    dumped = dump_value(spec, value)
    if spec.kind is Kind.BOOLEAN:
        return "是" if value else "否"
    if value is None:
        return "不启用"
    unit = (
        spec.unit
        if spec.kind in (Kind.MONEY, Kind.INTEGER, Kind.INTEGER_MAP, Kind.MONEY_MAP)
        else ""
    )
    if isinstance(dumped, dict):
        return "，".join(
            f"{VALUE_LABELS.get(key, key)} {item}{unit}" for key, item in dumped.items()
        )
    if isinstance(dumped, list):
        return "、".join(dumped)
    if spec.kind is Kind.CHOICE:
        return VALUE_LABELS.get(str(dumped), str(dumped))
    return f"{dumped}{unit}"


@dataclass(frozen=True)
class ParameterValue:
    """One dated value of one parameter for one region (参数取值)."""

    name: str
    region: str  # division-code prefix; "" = national default
    effective_from: dt.date
    value: Value
    source: str
    version: str  # e.g. "file:dibao.yaml#dibao_standard@510199@2025-01-01" or "db:17"

    @property
    def spec(self) -> ParameterSpec:
        return CATALOG[self.name]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.spec.label,
            "value": dump_value(self.spec, self.value),
            "display": display_value(self.spec, self.value),
            "effective_from": self.effective_from.isoformat(),
            "region": self.region,
            "source": self.source,
            "version": self.version,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ParameterValue:
        """Read back what `as_dict` wrote (a decision's stored parameter versions)."""
        name = str(data.get("name", ""))
        spec = CATALOG.get(name)
        if spec is None:
            raise UnknownParameter(f"未知参数：{name}")
        try:
            effective_from = dt.date.fromisoformat(str(data["effective_from"]))
            return cls(
                name=name,
                region=str(data["region"]),
                effective_from=effective_from,
                value=normalise_value(spec, data["value"]),
                source=str(data["source"]),
                version=str(data["version"]),
            )
        except (KeyError, ValueError):
            raise ParameterError(f"参数 {name} 的存档记录不完整") from None


def make_value(
    *,
    name: str,
    region: object,
    effective_from: object,
    value: object,
    source: object,
    version: str,
) -> ParameterValue:
    """Check one value from a file or a proposed change; ParameterError names what is wrong."""
    spec = CATALOG.get(name)
    if spec is None:
        raise UnknownParameter(f"未知参数：{name}（参数目录中没有这个名称）")
    region_text = "" if region is None else str(region)
    if not _REGION.fullmatch(region_text):
        raise ParameterError(
            f"参数 {name} 的适用区划 {region!r} 不正确：应为区划代码前缀（0–12 位数字），全国默认为空"
        )
    if isinstance(effective_from, str):
        with contextlib.suppress(ValueError):
            effective_from = dt.date.fromisoformat(effective_from)
    if not isinstance(effective_from, dt.date) or isinstance(effective_from, dt.datetime):
        raise ParameterError(f"参数 {name} 的生效日期 {effective_from!r} 不正确：应为 YYYY-MM-DD")
    if not isinstance(source, str) or not source.strip():
        raise ParameterError(f"参数 {name} 缺少来源说明（source）")
    return ParameterValue(
        name=name,
        region=region_text,
        effective_from=effective_from,
        value=normalise_value(spec, value),
        source=source.strip(),
        version=version,
    )


# -- where values come from -------------------------------------------------


class ParameterSource(Protocol):
    def resolve(self, name: str, region_code: str, on: dt.date) -> ParameterValue: ...


@dataclass(frozen=True)
class ParameterTable:
    """All known values; the lookup by (name, region, date)."""

    values: tuple[ParameterValue, ...]
    sets: Mapping[str, str] = field(default_factory=dict)  # set name → region code
    _index: dict[str, list[ParameterValue]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for value in self.values:
            self._index.setdefault(value.name, []).append(value)
        # Later rows win ties: for the same (name, region, date) the value
        # added last (a county correction approved after the file) applies.
        for rows in self._index.values():
            rows.sort(key=lambda row: (len(row.region), row.effective_from))

    def with_values(self, extra: Iterable[ParameterValue]) -> ParameterTable:
        return ParameterTable(values=(*self.values, *extra), sets=self.sets)

    def region_for(self, set_name: str) -> str:
        """The region code a named set ("demo") stands for; a code stands for itself."""
        if set_name in self.sets:
            return self.sets[set_name]
        if set_name.isdigit() and len(set_name) <= 12:
            return set_name
        raise ParameterError(
            f"未知参数集：{set_name}（可用：{'、'.join(sorted(self.sets))}，或区划代码）"
        )

    def resolve(self, name: str, region_code: str, on: dt.date) -> ParameterValue:
        if name not in CATALOG:
            raise UnknownParameter(f"未知参数：{name}")
        applicable = [
            row
            for row in self._index.get(name, ())
            if region_code.startswith(row.region) and row.effective_from <= on
        ]
        # The rows are sorted by (region length, date) with later additions last,
        # so the last applicable row is the most specific, most recent one.
        best = applicable[-1] if applicable else None
        if best is None:
            raise MissingParameter(
                f"参数 {name}（{CATALOG[name].label}）在 {on.isoformat()} 对区划 {region_code or '全国'} 没有生效的取值"
            )
        return best

    def history(self, name: str, region_code: str) -> list[ParameterValue]:
        """Every value that applies to the region, oldest first (for the admin screen)."""
        rows = [row for row in self._index.get(name, ()) if region_code.startswith(row.region)]
        return sorted(rows, key=lambda row: (row.effective_from, len(row.region)))


@dataclass(frozen=True)
class PinnedParameters:
    """Exactly the values a stored decision used, whatever the table says today."""

    values: Mapping[str, ParameterValue]

    @classmethod
    def from_uses(cls, uses: Iterable[Mapping[str, Any]]) -> PinnedParameters:
        pinned = [ParameterValue.from_dict(use) for use in uses]
        return cls(values={value.name: value for value in pinned})

    def region_for(self, set_name: str) -> str:
        """Regions do not matter once the versions are pinned."""
        return set_name if set_name.isdigit() else ""

    def resolve(self, name: str, region_code: str, on: dt.date) -> ParameterValue:
        try:
            return self.values[name]
        except KeyError:
            raise MissingParameter(f"存档的参数版本中没有 {name}，无法按原参数重算") from None


class Parameters:
    """The parameters of one assessment: a source, a region, a date, overrides.

    Records every value read, so the explanation and the stored decision can
    say exactly which versions were used.
    """

    def __init__(
        self,
        source: ParameterSource,
        *,
        region_code: str,
        on: dt.date,
        overrides: Mapping[str, ParameterValue] | None = None,
    ) -> None:
        self._source = source
        self.region_code = region_code
        self.on = on
        self._overrides = dict(overrides or {})
        self.used: dict[str, ParameterValue] = {}

    def _get(self, name: str, kind: Kind | tuple[Kind, ...]) -> Value:
        spec = CATALOG[name]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if spec.kind not in kinds:  # pragma: no cover - a programming error, not data
            raise TypeError(f"{name} is a {spec.kind}, not {kinds}")
        row = self._overrides.get(name) or self._source.resolve(name, self.region_code, self.on)
        self.used[name] = row
        return row.value

    def money(self, name: str) -> Fraction:
        return Fraction(self._get(name, Kind.MONEY))

    def integer(self, name: str) -> int:
        return int(self._get(name, Kind.INTEGER))

    def ratio(self, name: str) -> Fraction:
        return Fraction(self._get(name, Kind.RATIO))

    def optional_ratio(self, name: str) -> Fraction | None:
        value = self._get(name, Kind.OPTIONAL_RATIO)
        return None if value is None else Fraction(value)

    def flag(self, name: str) -> bool:
        return bool(self._get(name, Kind.BOOLEAN))

    def choice(self, name: str) -> str:
        return str(self._get(name, Kind.CHOICE))

    def ratio_map(self, name: str) -> Mapping[str, Fraction]:
        return dict(self._get(name, Kind.RATIO_MAP))

    def integer_map(self, name: str) -> Mapping[str, int]:
        return dict(self._get(name, Kind.INTEGER_MAP))

    def ratio_list(self, name: str) -> tuple[Fraction, ...]:
        return tuple(self._get(name, Kind.RATIO_LIST))

    def uses(self) -> list[ParameterValue]:
        return sorted(self.used.values(), key=lambda row: row.name)


def override_values(raw: Mapping[str, object], *, on: dt.date) -> dict[str, ParameterValue]:
    """Case-only replacements (`overrides:`); ParameterError names the bad one."""
    result: dict[str, ParameterValue] = {}
    for name, value in raw.items():
        spec = CATALOG.get(str(name))
        if spec is None:
            raise UnknownParameter(f"overrides.{name}：未知参数")
        result[spec.name] = ParameterValue(
            name=spec.name,
            region="",
            effective_from=on,
            value=normalise_value(spec, value),
            source="本次试算临时指定（overrides）",
            version=f"override:{spec.name}",
        )
    return result


# -- the reviewed files -------------------------------------------------------

SETS_FILE = "sets.yaml"


def parse_parameter_file(filename: str, text: str) -> list[ParameterValue]:
    """One reviewed file: `{name: [{region, from, value, source}, ...]}`."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise ParameterError(f"参数文件 {filename} 不是有效的 YAML：{exc}") from None
    if not isinstance(data, Mapping):
        raise ParameterError(f"参数文件 {filename} 应为“参数名: 取值列表”的映射")
    values: list[ParameterValue] = []
    for name, rows in data.items():
        if str(name) not in CATALOG:
            raise UnknownParameter(
                f"参数文件 {filename}：未知参数 {name}（参数目录中没有这个名称）"
            )
        if not isinstance(rows, list) or not rows:
            raise ParameterError(f"参数文件 {filename}：参数 {name} 应有至少一个取值（列表）")
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, Mapping) or "value" not in row:
                raise ParameterError(
                    f"参数文件 {filename}：参数 {name} 第 {number} 个取值缺少 value"
                )
            unknown = set(map(str, row)) - {"region", "from", "value", "source"}
            if unknown:
                raise ParameterError(
                    f"参数文件 {filename}：参数 {name} 第 {number} 个取值有未知字段 {'、'.join(sorted(unknown))}"
                )
            try:
                value = make_value(
                    name=str(name),
                    region=row.get("region", ""),
                    effective_from=row.get("from"),
                    value=row["value"],
                    source=row.get("source"),
                    version=f"file:{filename}#{name}@{row.get('region') or '*'}@{row.get('from')}",
                )
            except ParameterError as exc:
                raise ParameterError(
                    f"参数文件 {filename} 第 {number} 个取值：{exc.message}"
                ) from None
            values.append(value)
    return values


def check_table(values: Sequence[ParameterValue]) -> None:
    """Refuse duplicates and catalogue entries without any value."""
    seen: set[tuple[str, str, dt.date]] = set()
    for value in values:
        key = (value.name, value.region, value.effective_from)
        if key in seen:
            raise ParameterError(
                f"参数 {value.name} 在区划 {value.region or '全国'} 自 {value.effective_from} 起有两个取值"
            )
        seen.add(key)
    present = {value.name for value in values}
    missing = sorted(set(CATALOG) - present)
    if missing:
        raise MissingParameter(f"以下参数没有任何取值：{'、'.join(missing)}")


#: Pairs that must agree wherever both apply: (first, second, condition, sentence).
_AGREEMENTS: tuple[tuple[str, str, Callable[[Value, Value], bool], str], ...] = (
    (
        "gradual_exit_months",
        "gradual_exit_schedule",
        lambda months, schedule: len(schedule) == months,
        "渐退期月数与各月发放比例的个数不一致",
    ),
    (
        "tekun_half_care_min_items",
        "tekun_full_care_min_items",
        lambda half, full: 0 < half < full <= 6,
        "半护理与全护理的不能自理项数应满足 0 < 半护理 < 全护理 ≤ 6",
    ),
    (
        "fraud_fine_min_multiplier",
        "fraud_fine_max_multiplier",
        lambda low, high: low <= high,
        "罚款倍数下限不能高于上限",
    ),
)


def consistency_problems(table: ParameterTable, region_code: str, on: dt.date) -> list[str]:
    """Cross-parameter rules broken on `on` for the region (checked for files and for changes)."""
    problems = []
    for first, second, agree, sentence in _AGREEMENTS:
        try:
            a = table.resolve(first, region_code, on)
            b = table.resolve(second, region_code, on)
        except MissingParameter:
            continue
        if not agree(a.value, b.value):
            problems.append(
                f"{sentence}：{first} = {display_value(a.spec, a.value)}（{a.effective_from} 起），"
                f"{second} = {display_value(b.spec, b.value)}（{b.effective_from} 起）"
            )
    return problems


def _check_agreements(table: ParameterTable) -> None:
    for value in table.values:
        problems = consistency_problems(table, value.region.ljust(12, "0"), value.effective_from)
        if problems:
            raise ParameterError(
                f"参数文件中区划 {value.region or '全国'} 自 {value.effective_from} 起：{problems[0]}"
            )


def parse_sets(text: str) -> dict[str, str]:
    data = load_yaml(text)
    if not isinstance(data, Mapping):
        raise ParameterError(f"参数文件 {SETS_FILE} 应为“参数集名: 区划代码”的映射")
    sets: dict[str, str] = {}
    for name, entry in data.items():
        region = entry.get("region") if isinstance(entry, Mapping) else None
        if not isinstance(region, str) or not _REGION.fullmatch(region):
            raise ParameterError(f"参数文件 {SETS_FILE}：参数集 {name} 的 region 应为区划代码")
        sets[str(name)] = region
    return sets


def load_files(files: Mapping[str, str]) -> ParameterTable:
    """Build the table from {filename: text}; `sets.yaml` names the parameter sets."""
    values: list[ParameterValue] = []
    sets: dict[str, str] = {}
    for filename in sorted(files):
        if filename == SETS_FILE:
            sets = parse_sets(files[filename])
        else:
            values.extend(parse_parameter_file(filename, files[filename]))
    check_table(values)
    table = ParameterTable(values=tuple(values), sets=sets)
    _check_agreements(table)
    return table


def bundled_files() -> dict[str, str]:
    folder = resources.files("jiuzhu.domain.policy").joinpath("data")
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    }


def bundled_table() -> ParameterTable:
    """The reviewed parameter files shipped with the platform."""
    return load_files(bundled_files())

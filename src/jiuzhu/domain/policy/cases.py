"""The case format (`cases/README.md`): read into an `Application`, and back.

The same structure comes from a case file (`jiuzhu assess`), an API body and
the 试算 form, and is what a stored decision keeps as its inputs. Every
problem is a `CaseError` whose message names the field by its path
(`household.members[1].birth_date`) and says what is wrong, in Chinese.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from jiuzhu.domain.errors import DomainError
from jiuzhu.domain.policy import household as h
from jiuzhu.domain.policy.catalog import CATALOG
from jiuzhu.domain.policy.income import CATEGORY_LABELS as INCOME_LABELS
from jiuzhu.domain.policy.parameters import (
    ParameterError,
    dump_value,
    load_yaml,
    normalise_value,
    override_values,
)
from jiuzhu.domain.policy.vocabulary import EXPENSE_LABELS

FIELD_LABELS = {
    "name": "案例名称",
    "as_of": "认定日期",
    "parameters": "参数集",
    "overrides": "临时参数",
    "programme": "救助项目",
    "applicant": "申请人",
    "current": "现享受救助",
    "request": "临时救助申请",
    "household": "家庭",
    "members": "家庭成员",
    "key": "成员标识",
    "birth_date": "出生日期",
    "relation": "与户主关系",
    "labor_ability": "劳动能力",
    "disability_grade": "残疾等级",
    "disability_kind": "残疾类别",
    "health": "健康状况",
    "is_student": "在校生",
    "employment": "就业状况",
    "self_care_impossible": "不能自理项目",
    "monthly_income": "月收入（申报）",
    "verified_income": "月收入（核实）",
    "assessed_income": "月收入（入户评估）",
    "excluded": "不计入家庭成员的原因",
    "assets": "财产",
    "financial": "金融资产",
    "properties": "房产",
    "usage": "用途",
    "vehicles": "机动车",
    "value": "价值",
    "businesses": "工商登记",
    "exempt_after_review": "经审核保留",
    "expenses_12m": "近12个月刚性支出",
    "supporters": "法定义务人",
    "able": "有履行能力",
    "amount": "金额",
    "cause": "事由",
    "kind": "类型",
    "prior": "既往临时救助",
    "on": "日期",
    "reason": "理由",
    **EXPENSE_LABELS,
    **INCOME_LABELS,
}

TOP_LEVEL = (
    "name",
    "as_of",
    "parameters",
    "overrides",
    "programme",
    "applicant",
    "current",
    "request",
    "household",
    "expect",
)


class CaseError(DomainError):
    code = "invalid_case"
    default_message = "试算数据不正确"

    def __init__(self, path: str, problem: str) -> None:
        self.field = path
        leaf = path.rsplit(".", 1)[-1].split("[", 1)[0]
        label = FIELD_LABELS.get(leaf)
        where = f"{path}（{label}）" if label else path
        super().__init__(f"{where}：{problem}")


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _mapping(raw: object, path: str, allowed: Sequence[str] | None = None) -> Mapping[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise CaseError(path, "应为键值对（映射）")
    if allowed is not None:
        unknown = [str(key) for key in raw if str(key) not in allowed]
        if unknown:
            raise CaseError(_join(path, unknown[0]), f"未知字段（可用：{'、'.join(allowed)}）")
    return raw


def _list(raw: object, path: str) -> list[Any]:
    if raw is None:
        return []
    if isinstance(raw, str | bytes | Mapping) or not isinstance(raw, Sequence):
        raise CaseError(path, "应为列表")
    return list(raw)


def _date(raw: object, path: str, *, required: bool = True) -> dt.date | None:
    if raw is None or raw == "":
        if required:
            raise CaseError(path, "缺少日期（格式 YYYY-MM-DD）")
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise CaseError(path, f"日期 {raw!r} 不正确（格式 YYYY-MM-DD）")


def _amount(raw: object, path: str, *, required: bool = False) -> Decimal:
    if raw is None or raw == "":
        if required:
            raise CaseError(path, "缺少金额")
        return Decimal("0")
    if isinstance(raw, float):
        raise CaseError(path, f'金额 {raw!r} 须为精确的十进制数（请写成文字，如 "950.50"）')
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal | str):
        raise CaseError(path, f"金额 {raw!r} 不是数字")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise CaseError(path, f"金额 {raw!r} 不是数字") from None
    if not value.is_finite():
        raise CaseError(path, f"金额 {raw!r} 不是数字")
    if value < 0:
        raise CaseError(path, f"金额不能为负数（{raw}）")
    if value != value.quantize(Decimal("0.01")):
        raise CaseError(path, f"金额最多两位小数（{raw}）")
    return value.quantize(Decimal("0.01"))


def _choice(raw: object, path: str, choices: Sequence[str], default: str | None = None) -> str:
    if raw is None and default is not None:
        return default
    if raw not in choices:
        raise CaseError(path, f"取值 {raw!r} 不在可选范围（{'、'.join(choices)}）")
    return str(raw)


def _bool(raw: object, path: str, default: bool = False) -> bool:
    if raw is None:
        return default
    if not isinstance(raw, bool):
        raise CaseError(path, "应为 true 或 false")
    return raw


def _text(raw: object, path: str, *, required: bool = False) -> str:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise CaseError(path, "不能为空")
        return ""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise CaseError(path, "应为文字")
    return str(raw).strip()


def _incomes(raw: object, path: str) -> dict[str, Decimal]:
    data = _mapping(raw, path, h.INCOME_CATEGORIES)
    return {str(key): _amount(value, _join(path, str(key))) for key, value in data.items()}


def _member(raw: object, path: str) -> h.Member:
    allowed = (
        "key",
        "name",
        "birth_date",
        "relation",
        "labor_ability",
        "disability_grade",
        "disability_kind",
        "health",
        "is_student",
        "employment",
        "self_care_impossible",
        "monthly_income",
        "verified_income",
        "assessed_income",
        "excluded",
    )
    data = _mapping(raw, path, allowed)
    if not data:
        raise CaseError(path, "成员信息为空")
    grade_raw = data.get("disability_grade", 0)
    if isinstance(grade_raw, bool) or not isinstance(grade_raw, int) or not 0 <= grade_raw <= 4:
        raise CaseError(_join(path, "disability_grade"), "应为 0（无）到 4 的整数")
    kind_raw = data.get("disability_kind")
    kind = (
        None
        if kind_raw in (None, "")
        else _choice(kind_raw, _join(path, "disability_kind"), h.DISABILITY_KINDS)
    )
    items = _list(data.get("self_care_impossible"), _join(path, "self_care_impossible"))
    for index, item in enumerate(items):
        _choice(item, _join(_join(path, "self_care_impossible"), index), h.SELF_CARE_ITEMS)
    if len(set(items)) != len(items):
        raise CaseError(_join(path, "self_care_impossible"), "有重复项目")
    assessed: dict[str, h.AssessedIncome] = {}
    assessed_path = _join(path, "assessed_income")
    for category, entry in _mapping(
        data.get("assessed_income"), assessed_path, h.INCOME_CATEGORIES
    ).items():
        entry_path = _join(assessed_path, str(category))
        body = _mapping(entry, entry_path, ("amount", "reason"))
        assessed[str(category)] = h.AssessedIncome(
            amount=_amount(body.get("amount"), _join(entry_path, "amount"), required=True),
            reason=_text(body.get("reason"), _join(entry_path, "reason"), required=True),
        )
    excluded_raw = data.get("excluded")
    return h.Member(
        key=_text(data.get("key"), _join(path, "key"), required=True),
        name=_text(data.get("name"), _join(path, "name")),
        birth_date=_date(data.get("birth_date"), _join(path, "birth_date")),  # type: ignore[arg-type]
        relation=_choice(data.get("relation"), _join(path, "relation"), h.RELATIONS, "other"),
        labor_ability=_choice(
            data.get("labor_ability"), _join(path, "labor_ability"), h.LABOR_ABILITIES, "none"
        ),
        disability_grade=grade_raw,
        disability_kind=kind,
        health=_choice(data.get("health"), _join(path, "health"), h.HEALTH, "healthy"),
        is_student=_bool(data.get("is_student"), _join(path, "is_student")),
        employment=_choice(data.get("employment"), _join(path, "employment"), h.EMPLOYMENT, "none"),
        self_care_impossible=frozenset(items),
        monthly_income=_incomes(data.get("monthly_income"), _join(path, "monthly_income")),
        verified_income=_incomes(data.get("verified_income"), _join(path, "verified_income")),
        assessed_income=assessed,
        excluded=None
        if excluded_raw in (None, "")
        else _choice(excluded_raw, _join(path, "excluded"), h.EXCLUSIONS),
    )


def _assets(raw: object, path: str) -> h.Assets:
    data = _mapping(raw, path, ("financial", "properties", "vehicles", "businesses"))
    properties = []
    for index, item in enumerate(_list(data.get("properties"), _join(path, "properties"))):
        item_path = _join(_join(path, "properties"), index)
        body = _mapping(item, item_path, ("usage",))
        properties.append(
            h.Property(_choice(body.get("usage"), _join(item_path, "usage"), h.PROPERTY_USAGES))
        )
    vehicles = []
    for index, item in enumerate(_list(data.get("vehicles"), _join(path, "vehicles"))):
        item_path = _join(_join(path, "vehicles"), index)
        body = _mapping(item, item_path, ("kind", "value"))
        vehicles.append(
            h.Vehicle(
                kind=_choice(body.get("kind"), _join(item_path, "kind"), h.VEHICLE_KINDS),
                value=_amount(body.get("value"), _join(item_path, "value")),
            )
        )
    businesses = []
    for index, item in enumerate(_list(data.get("businesses"), _join(path, "businesses"))):
        item_path = _join(_join(path, "businesses"), index)
        body = _mapping(item, item_path, ("kind", "exempt_after_review"))
        businesses.append(
            h.Business(
                kind=_choice(
                    body.get("kind"), _join(item_path, "kind"), h.BUSINESS_KINDS, "individual"
                ),
                exempt_after_review=_bool(
                    body.get("exempt_after_review"), _join(item_path, "exempt_after_review")
                ),
            )
        )
    return h.Assets(
        financial=_amount(data.get("financial"), _join(path, "financial")),
        properties=tuple(properties),
        vehicles=tuple(vehicles),
        businesses=tuple(businesses),
    )


def _household(raw: object, path: str) -> h.Household:
    data = _mapping(raw, path, ("members", "assets", "expenses_12m", "supporters"))
    if not data:
        raise CaseError(path, "缺少家庭信息")
    raw_members = _list(data.get("members"), _join(path, "members"))
    if not raw_members:
        raise CaseError(_join(path, "members"), "至少需要一名家庭成员")
    members = tuple(
        _member(item, _join(_join(path, "members"), i)) for i, item in enumerate(raw_members)
    )
    keys = [member.key for member in members]
    for index, key in enumerate(keys):
        if key in keys[:index]:
            raise CaseError(
                _join(_join(_join(path, "members"), index), "key"), f"成员标识 {key} 重复"
            )
    if not any(member.counted for member in members):
        raise CaseError(_join(path, "members"), "没有计入共同生活家庭的成员")
    expenses_path = _join(path, "expenses_12m")
    expenses = {
        str(key): _amount(value, _join(expenses_path, str(key)))
        for key, value in _mapping(data.get("expenses_12m"), expenses_path, h.EXPENSE_KINDS).items()
    }
    supporters = []
    for index, item in enumerate(_list(data.get("supporters"), _join(path, "supporters"))):
        item_path = _join(_join(path, "supporters"), index)
        body = _mapping(item, item_path, ("relation", "able", "name"))
        supporters.append(
            h.Supporter(
                relation=_text(body.get("relation"), _join(item_path, "relation")) or "other",
                able=_bool(body.get("able"), _join(item_path, "able"), default=True),
            )
        )
    return h.Household(
        members=members,
        assets=_assets(data.get("assets"), _join(path, "assets")),
        expenses_12m=expenses,
        supporters=tuple(supporters),
    )


def parse_aid_request(raw: object, path: str = "request") -> h.AidRequest:
    data = _mapping(raw, path, ("amount", "cause", "kind", "prior"))
    if not data:
        raise CaseError(path, "临时救助须填写申请金额和事由")
    prior = []
    for index, item in enumerate(_list(data.get("prior"), _join(path, "prior"))):
        item_path = _join(_join(path, "prior"), index)
        body = _mapping(item, item_path, ("on", "cause"))
        prior.append(
            h.PriorAid(
                on=_date(body.get("on"), _join(item_path, "on")),  # type: ignore[arg-type]
                cause=_choice(body.get("cause"), _join(item_path, "cause"), h.AID_CAUSES),
            )
        )
    amount = _amount(data.get("amount"), _join(path, "amount"), required=True)
    if amount == 0:
        raise CaseError(_join(path, "amount"), "申请金额应大于 0")
    return h.AidRequest(
        amount=amount,
        cause=_choice(data.get("cause"), _join(path, "cause"), h.AID_CAUSES),
        kind=_choice(data.get("kind"), _join(path, "kind"), h.AID_KINDS, "emergency"),
        prior=tuple(prior),
    )


def parse_application(raw: object) -> h.Application:
    """An `Application` from the case structure, or CaseError naming the field."""
    data = _mapping(raw, "", TOP_LEVEL)
    if not data:
        raise CaseError("案例", "内容为空，应为一个家庭的试算数据")
    as_of = _date(data.get("as_of"), "as_of")
    assert as_of is not None
    programme_raw = data.get("programme")
    if programme_raw is None:
        raise CaseError("programme", "缺少救助项目")
    programmes = [programme.value for programme in h.Programme]
    if programme_raw not in programmes:
        raise CaseError(
            "programme", f"未知的救助项目 {programme_raw!r}（可选：{'、'.join(programmes)}）"
        )
    programme = h.Programme(programme_raw)
    household = _household(data.get("household"), "household")
    for index, member in enumerate(household.members):
        if member.birth_date > as_of:
            raise CaseError(f"household.members[{index}].birth_date", "出生日期晚于认定日期")
    applicant = _text(data.get("applicant"), "applicant")
    if not applicant:
        heads = [member.key for member in household.members if member.relation == "head"]
        if not heads:
            raise CaseError("applicant", "未指定申请人，家庭中也没有户主")
        applicant = heads[0]
    chosen = next((member for member in household.members if member.key == applicant), None)
    if chosen is None:
        raise CaseError("applicant", f"申请人 {applicant} 不是家庭成员")
    if not chosen.counted:
        raise CaseError("applicant", f"申请人 {applicant} 不计入共同生活家庭")
    overrides = dict(_mapping(data.get("overrides"), "overrides"))
    try:
        override_values(overrides, on=as_of)
    except ParameterError as exc:
        message = exc.message
        raise CaseError("overrides", message.removeprefix("overrides.")) from None
    current = None
    if data.get("current"):
        body = _mapping(data.get("current"), "current", ("programme", "amount"))
        current = h.CurrentBenefit(
            programme=_choice(body.get("programme"), "current.programme", ("dibao", "tekun")),
            amount=_amount(body.get("amount"), "current.amount", required=True),
        )
    request = None
    if programme is h.Programme.TEMP_AID:
        request = parse_aid_request(data.get("request"), "request")
    elif data.get("request"):
        raise CaseError("request", "只有临时救助（temp_aid）需要填写申请金额和事由")
    parameters = _text(data.get("parameters"), "parameters") or "demo"
    return h.Application(
        programme=programme,
        applicant=applicant,
        as_of=as_of,
        household=household,
        parameters=parameters,
        overrides=overrides,
        current=current,
        request=request,
        name=_text(data.get("name"), "name"),
    )


def parse_case_text(
    text: str, *, source: str = "案例文件"
) -> tuple[h.Application, Mapping[str, Any]]:
    """(application, expect) from the text of one case file."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列附近" if mark is not None else ""
        raise CaseError("YAML", f"{source}{where}有语法错误，不是有效的 YAML") from None
    if not isinstance(data, Mapping):
        raise CaseError(source, "内容应为一个家庭的试算数据（键值对）")
    expect = data.get("expect") or {}
    return parse_application(data), expect


# -- back to the case structure (what a stored decision keeps) ---------------


def _money_text(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _member_dict(member: h.Member) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": member.key,
        "birth_date": member.birth_date.isoformat(),
        "relation": member.relation,
        "labor_ability": member.labor_ability,
        "disability_grade": member.disability_grade,
        "disability_kind": member.disability_kind,
        "health": member.health,
        "is_student": member.is_student,
        "employment": member.employment,
        "self_care_impossible": sorted(member.self_care_impossible),
        "monthly_income": {key: _money_text(value) for key, value in member.monthly_income.items()},
    }
    if member.name:
        data["name"] = member.name
    if member.verified_income:
        data["verified_income"] = {k: _money_text(v) for k, v in member.verified_income.items()}
    if member.assessed_income:
        data["assessed_income"] = {
            k: {"amount": _money_text(v.amount), "reason": v.reason}
            for k, v in member.assessed_income.items()
        }
    if member.excluded:
        data["excluded"] = member.excluded
    return data


def application_to_dict(app: h.Application) -> dict[str, Any]:
    """The case structure of `app` (JSON-ready); `parse_application` reads it back."""
    household = app.household
    data: dict[str, Any] = {
        "name": app.name,
        "as_of": app.as_of.isoformat(),
        "parameters": app.parameters,
        "overrides": {
            name: dump_value(CATALOG[name], normalise_value(CATALOG[name], value))
            for name, value in app.overrides.items()
        },
        "programme": app.programme.value,
        "applicant": app.applicant,
        "household": {
            "members": [_member_dict(member) for member in household.members],
            "assets": {
                "financial": _money_text(household.assets.financial),
                "properties": [{"usage": item.usage} for item in household.assets.properties],
                "vehicles": [
                    {"kind": item.kind, "value": _money_text(item.value)}
                    for item in household.assets.vehicles
                ],
                "businesses": [
                    {"kind": item.kind, "exempt_after_review": item.exempt_after_review}
                    for item in household.assets.businesses
                ],
            },
            "expenses_12m": {
                key: _money_text(value) for key, value in household.expenses_12m.items()
            },
            "supporters": [
                {"relation": item.relation, "able": item.able} for item in household.supporters
            ],
        },
    }
    if app.current is not None:
        data["current"] = {
            "programme": app.current.programme,
            "amount": _money_text(app.current.amount),
        }
    if app.request is not None:
        data["request"] = {
            "amount": _money_text(app.request.amount),
            "cause": app.request.cause,
            "kind": app.request.kind,
            "prior": [
                {"on": item.on.isoformat(), "cause": item.cause} for item in app.request.prior
            ],
        }
    return data

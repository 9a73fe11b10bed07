"""The names, kinds and meaning of every policy parameter (政策参数目录).

Only the *shape* of a parameter lives here; its values — with an effective
date, a region and a source — live in the reviewed files under `data/` and in
the county's approved changes in the database. A file or a change that names
a parameter not listed here, or gives it a value of the wrong kind, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from jiuzhu.domain.policy.vocabulary import DISABILITY_GRADE_LABELS, DISABILITY_KIND_LABELS


class Kind(StrEnum):
    MONEY = "money"  # yuan, at most two decimals, ≥ 0
    INTEGER = "integer"  # whole number ≥ 0 (months, days, ages, counts)
    RATIO = "ratio"  # exact rational ≥ 0: 0.5, 1.3 or "1/3"
    OPTIONAL_RATIO = "optional_ratio"  # a ratio, or null for "switched off"
    BOOLEAN = "boolean"
    CHOICE = "choice"  # one of `choices`
    RATIO_MAP = "ratio_map"  # {key: ratio} with exactly the keys in `keys`
    INTEGER_MAP = "integer_map"  # {key: integer} with exactly the keys in `keys`
    MONEY_MAP = "money_map"  # {key: money} with exactly the keys in `keys`
    RATIO_LIST = "ratio_list"  # [ratio, ...], at least one


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    label: str  # Chinese, shown in explanations and on the admin screen
    kind: Kind
    unit: str = ""
    section: str = ""  # where domain.md states it
    choices: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()


_M, _I, _R, _OR, _B, _C = (
    Kind.MONEY,
    Kind.INTEGER,
    Kind.RATIO,
    Kind.OPTIONAL_RATIO,
    Kind.BOOLEAN,
    Kind.CHOICE,
)

_SPECS: tuple[ParameterSpec, ...] = (
    # §3 household, income, assets
    ParameterSpec("income_lookback_months", "收入核算期（月）", _I, "个月", "§3"),
    ParameterSpec(
        "financial_asset_limit_months", "人均金融资产上限（低保标准的月数）", _I, "个月", "§3"
    ),
    ParameterSpec("max_residential_properties", "家庭住房上限（套）", _I, "套", "§3"),
    ParameterSpec("vehicle_exempt_value_max", "可豁免机动车价值上限", _M, "元", "§3"),
    # §4 determination rules
    ParameterSpec("dibao_standard", "城乡低保标准", _M, "元/人·月", "§4 §8"),
    ParameterSpec("category_supplement_enabled", "分类施保是否启用", _B, "", "§4"),
    ParameterSpec(
        "category_supplement_elderly_minor_ratio",
        "分类施保：70岁以上老人或未成年人加发比例",
        _R,
        "×低保标准",
        "§4",
    ),
    ParameterSpec(
        "category_supplement_severe_ratio",
        "分类施保：重度残疾或重病加发比例",
        _R,
        "×低保标准",
        "§4",
    ),
    ParameterSpec("category_supplement_elderly_age", "分类施保：老年人年龄起点", _I, "岁", "§4"),
    ParameterSpec("adult_age", "成年年龄", _I, "岁", "§4"),
    ParameterSpec("severe_disability_max_grade", "重度残疾等级上限（1–2级）", _I, "级", "§4 §6"),
    ParameterSpec(
        "dibao_min_payment_ratio",
        "低保最低发放比例（每名保障成员，空值为不启用）",
        _OR,
        "×低保标准",
        "§4",
    ),
    ParameterSpec(
        "single_person_disability_max_grade",
        "单人保：可单独纳入的残疾等级上限（按残疾类别）",
        Kind.INTEGER_MAP,
        "级",
        "§4",
        keys=("physical", "visual", "hearing", "speech", "intellectual", "mental", "multiple"),
    ),
    ParameterSpec("single_person_min_ratio", "单人保最低保障比例", _R, "×低保标准", "§4 §8"),
    ParameterSpec("gradual_exit_months", "渐退期（月）", _I, "个月", "§4 §8"),
    ParameterSpec(
        "gradual_exit_schedule", "渐退期各月发放比例", Kind.RATIO_LIST, "×原救助金", "§4"
    ),
    ParameterSpec(
        "near_dibao_multiplier", "低保边缘家庭收入上限（低保标准的倍数）", _R, "×低保标准", "§4 §8"
    ),
    ParameterSpec("near_dibao_validity_months", "低保边缘家庭认定有效期（月）", _I, "个月", "§4"),
    ParameterSpec(
        "rigid_expense_base",
        "刚性支出比较基数（可支配收入或总收入）",
        _C,
        "",
        "§4",
        choices=("disposable", "total"),
    ),
    ParameterSpec("rigid_expense_ratio", "刚性支出占收入比例门槛", _R, "", "§4 §8"),
    ParameterSpec(
        "local_disposable_income_prev_year", "上年度当地居民人均可支配收入", _M, "元/人·年", "§4 §8"
    ),
    ParameterSpec(
        "rigid_expense_validity_months", "刚性支出困难家庭认定有效期（月）", _I, "个月", "§4"
    ),
    ParameterSpec("tekun_elderly_min_age", "特困：老年人年龄起点", _I, "岁", "§4"),
    ParameterSpec("tekun_minor_max_age", "特困：未成年人年龄上限（不含）", _I, "岁", "§4"),
    ParameterSpec(
        "tekun_disability_max_grade",
        "特困：残疾等级上限（按残疾类别）",
        Kind.INTEGER_MAP,
        "级",
        "§4",
        keys=("physical", "visual", "intellectual", "mental"),
    ),
    ParameterSpec(
        "tekun_basic_multiplier", "特困基本生活标准（低保标准的倍数）", _R, "×低保标准", "§4 §8"
    ),
    ParameterSpec("min_wage_monthly", "最低工资标准（月）", _M, "元/月", "§4 §8"),
    ParameterSpec(
        "tekun_care_ratio",
        "特困照料护理标准（最低工资的比例，按自理能力）",
        Kind.RATIO_MAP,
        "×最低工资",
        "§4 §8",
        keys=("full", "half", "self"),
    ),
    ParameterSpec("tekun_half_care_min_items", "特困：半失能的不能自理项数下限", _I, "项", "§4"),
    ParameterSpec("tekun_full_care_min_items", "特困：全失能的不能自理项数下限", _I, "项", "§4"),
    ParameterSpec(
        "temp_aid_cap_multiplier",
        "临时救助单次上限（低保标准×家庭人数的倍数）",
        _R,
        "×低保标准×人数",
        "§4 §8",
    ),
    ParameterSpec(
        "temp_aid_township_cap_multiplier",
        "临时救助乡镇审批额度（低保标准的倍数，每次）",
        _R,
        "×低保标准",
        "§4 §8",
    ),
    ParameterSpec("temp_aid_same_cause_months", "临时救助同一事由间隔（月）", _I, "个月", "§4"),
    ParameterSpec(
        "disability_living_subsidy_monthly",
        "困难残疾人生活补贴（按残疾等级，元/月）",
        Kind.MONEY_MAP,
        "元/月",
        "§4",
        keys=("1", "2", "3", "4"),
    ),
    ParameterSpec(
        "disability_living_subsidy_near_dibao", "生活补贴是否覆盖低保边缘家庭", _B, "", "§4"
    ),
    ParameterSpec(
        "disability_care_subsidy_monthly",
        "重度残疾人护理补贴（按残疾等级，元/月）",
        Kind.MONEY_MAP,
        "元/月",
        "§4",
        keys=("1", "2", "3", "4"),
    ),
    ParameterSpec(
        "disability_care_subsidy_mental_grade_3_4",
        "护理补贴是否覆盖三、四级智力和精神残疾人",
        _B,
        "",
        "§4",
    ),
    # §5 procedure and deadlines
    ParameterSpec("investigation_start_working_days", "受理后启动调查时限", _I, "工作日", "§5"),
    ParameterSpec(
        "democratic_review_mode",
        "民主评议方式（每案评议或有异议时评议）",
        _C,
        "",
        "§5",
        choices=("always", "on_objection"),
    ),
    ParameterSpec("democratic_review_quorum", "民主评议到会比例", _R, "", "§5"),
    ParameterSpec("democratic_review_pass_ratio", "民主评议通过比例（到会人数）", _R, "", "§5"),
    ParameterSpec("publicity_working_days", "公示期", _I, "工作日", "§5"),
    ParameterSpec("reinvestigation_working_days", "公示异议重新调查时限", _I, "工作日", "§5"),
    ParameterSpec("county_review_working_days", "县级审核确认时限", _I, "工作日", "§5"),
    ParameterSpec("county_spot_check_ratio", "县级抽查比例", _R, "", "§5"),
    ParameterSpec("refusal_notice_working_days", "不予批准书面说明理由时限", _I, "工作日", "§5"),
    ParameterSpec("process_working_days", "办理总时限（不含公示）", _I, "工作日", "§5"),
    ParameterSpec("process_extended_working_days", "办理总时限（延长后）", _I, "工作日", "§5"),
    # §6 dynamic management
    ParameterSpec(
        "review_cycle_months",
        "复核周期（按分类）",
        Kind.INTEGER_MAP,
        "月",
        "§6",
        keys=("A", "B", "C"),
    ),
    ParameterSpec("exit_notice_months", "退出告知提前期（月）", _I, "个月", "§6"),
    ParameterSpec("green_channel_window_months", "绿色通道：退出后可适用的月数", _I, "个月", "§6"),
    ParameterSpec("green_channel_start_working_days", "绿色通道：启动核查时限", _I, "工作日", "§6"),
    ParameterSpec(
        "green_channel_decision_working_days", "绿色通道：作出决定时限", _I, "工作日", "§6"
    ),
    ParameterSpec("fraud_fine_min_multiplier", "骗取救助金罚款下限（倍）", _R, "×骗取金额", "§6"),
    ParameterSpec("fraud_fine_max_multiplier", "骗取救助金罚款上限（倍）", _R, "×骗取金额", "§6"),
    ParameterSpec("grid_patrol_interval_months", "网格员走访间隔（月）", _I, "个月", "§6"),
    ParameterSpec(
        "payment_publication_day", "上月发放名单公布截止日（每月几日前）", _I, "日", "§7"
    ),
    # §8 screening thresholds (data-exchange.md §3)
    ParameterSpec("income_swing_ratio", "筛查：收入波动比例", _R, "", "§8"),
    ParameterSpec("medical_burden_ratio", "筛查：医疗负担比例", _R, "", "§8"),
)

CATALOG: dict[str, ParameterSpec] = {spec.name: spec for spec in _SPECS}

#: How choice values and map keys read in Chinese (explanations, the parameter screen).
VALUE_LABELS: dict[str, str] = {
    "disposable": "可支配收入",
    "total": "总收入",
    "always": "每案评议",
    "on_objection": "有异议时评议",
    "full": "全护理",
    "half": "半护理",
    "self": "自理",
    "A": "A类",
    "B": "B类",
    "C": "C类",
    **DISABILITY_KIND_LABELS,
    **{str(grade): label for grade, label in DISABILITY_GRADE_LABELS.items() if grade},
}


def spec_for(name: str) -> ParameterSpec | None:
    return CATALOG.get(name)

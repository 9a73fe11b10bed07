"""Forms of the 试算 page: a household typed in (top form + one form per member) or a
registered household picked by its number. The forms only check types and ranges;
the policy engine's case parser (`parse_application`) remains the judge of the case
and its `CaseError`s are put back next to the field they name (`place_case_error`)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.http import QueryDict

from jiuzhu.core import clock
from jiuzhu.domain.policy import household as h
from jiuzhu.domain.policy.cases import FIELD_LABELS, CaseError
from jiuzhu.domain.policy.income import CATEGORY_LABELS as INCOME_LABELS
from jiuzhu.domain.policy.vocabulary import (
    AID_CAUSE_LABELS,
    AID_KIND_LABELS,
    DISABILITY_GRADE_LABELS,
    DISABILITY_KIND_LABELS,
    EMPLOYMENT_LABELS,
    EXCLUSION_LABELS,
    EXPENSE_LABELS,
    HEALTH_LABELS,
    LABOR_LABELS,
    RELATION_LABELS,
    SELF_CARE_LABELS,
    VEHICLE_LABELS,
)

MAX_MEMBERS = 12
START_MEMBERS = 3
VEHICLE_ROWS = 2
MAX_AMOUNT_DIGITS = 12

PROGRAMME_CHOICES = [
    ("auto", "自动识别（一次申请、分类认定）"),
    ("dibao", "最低生活保障（低保）"),
    ("tekun", "特困人员救助供养"),
    ("low_income_recognition", "低保边缘·刚性支出困难家庭认定"),
    ("temp_aid", "临时救助"),
]
CURRENT_LABELS = {"dibao": "低保", "tekun": "特困供养"}

#: The member form's income fields, in the case format's category order.
INCOME_FIELDS = {f"income_{category}": category for category in h.INCOME_CATEGORIES}
EXPENSE_FIELDS = {f"expense_{kind}": kind for kind in h.EXPENSE_KINDS}


def _choices(values: tuple[str, ...], labels: dict[str, str]) -> list[tuple[str, str]]:
    return [(value, labels[value]) for value in values]


def _select(testid: str = "") -> forms.Select:
    attrs = {"class": "form-select"}
    if testid:
        attrs["data-testid"] = testid
    return forms.Select(attrs=attrs)


def _date_input() -> forms.DateInput:
    return forms.DateInput(
        attrs={"type": "date", "class": "form-control", "placeholder": "YYYY-MM-DD"},
        format="%Y-%m-%d",
    )


def money_field(label: str, *, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_digits=MAX_AMOUNT_DIGITS,
        decimal_places=2,
        help_text=help_text,
        error_messages={
            "invalid": "请输入金额（数字，最多两位小数）",
            "min_value": "金额不能为负数",
            "max_decimal_places": "金额最多两位小数",
            "max_digits": "金额过大",
            "max_whole_digits": "金额过大",
        },
        widget=forms.NumberInput(
            attrs={
                "class": "form-control",
                "step": "0.01",
                "min": "0",
                "inputmode": "decimal",
                "placeholder": "0.00",
            }
        ),
    )


def count_field(label: str, *, maximum: int = 20) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=maximum,
        error_messages={
            "invalid": "请输入整数",
            "min_value": "不能为负数",
            "max_value": f"不能超过 {maximum}",
        },
        widget=forms.NumberInput(
            attrs={"class": "form-control", "min": "0", "max": str(maximum), "inputmode": "numeric"}
        ),
    )


class ProgrammeForm(forms.Form):
    """What both ways of the page ask: the programme, the date, a temporary-aid request."""

    programme = forms.ChoiceField(
        label="救助项目",
        choices=PROGRAMME_CHOICES,
        initial="auto",
        widget=_select("trial-programme"),
    )
    as_of = forms.DateField(
        label="认定日期",
        error_messages={"required": "请填写认定日期", "invalid": "日期格式应为 YYYY-MM-DD"},
        widget=_date_input(),
    )
    aid_amount = money_field("申请救助金额（元）")
    aid_cause = forms.ChoiceField(
        label="事由",
        required=False,
        choices=[("", "请选择"), *_choices(h.AID_CAUSES, AID_CAUSE_LABELS)],
        widget=_select(),
    )
    aid_kind = forms.ChoiceField(
        label="类型",
        choices=_choices(h.AID_KINDS, AID_KIND_LABELS),
        initial="emergency",
        widget=_select(),
    )

    AID_FIELDS = ("aid_amount", "aid_cause", "aid_kind")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["as_of"].initial = clock.today()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("programme") == "temp_aid":
            if cleaned.get("aid_amount") is None and "aid_amount" not in self.errors:
                self.add_error("aid_amount", "临时救助须填写申请救助金额")
            elif cleaned.get("aid_amount") == 0:
                self.add_error("aid_amount", "申请救助金额应大于 0")
            if not cleaned.get("aid_cause"):
                self.add_error("aid_cause", "临时救助须选择事由")
        return cleaned

    def aid_request(self) -> dict[str, Any] | None:
        """The case format's `request`, for temporary aid only."""
        data = self.cleaned_data
        if data.get("programme") != "temp_aid":
            return None
        return {
            "amount": data.get("aid_amount"),
            "cause": data.get("aid_cause") or None,
            "kind": data.get("aid_kind") or "emergency",
        }

    def wants_aid(self) -> bool:
        """Open the temporary-aid part of the form (chosen, or something wrong there)."""
        value = self["programme"].value()
        return value == "temp_aid" or any(name in self.errors for name in self.AID_FIELDS)


class CaseForm(ProgrammeForm):
    """The household-level part of a household typed in."""

    applicant = forms.IntegerField(
        label="申请人（成员序号）",
        required=False,
        min_value=1,
        max_value=MAX_MEMBERS,
        help_text="填写下方成员的序号；留空则为户主。单人保时填写单独申请的成员。",
        error_messages={
            "invalid": "请输入成员序号",
            "min_value": "成员序号从 1 开始",
            "max_value": f"成员序号不能超过 {MAX_MEMBERS}",
        },
        widget=forms.NumberInput(
            attrs={
                "class": "form-control",
                "min": "1",
                "inputmode": "numeric",
                "placeholder": "户主",
            }
        ),
    )
    current_programme = forms.ChoiceField(
        label="现享受的救助",
        required=False,
        choices=[("", "无"), *CURRENT_LABELS.items()],
        widget=_select(),
    )
    current_amount = money_field("现救助金额（元/月）")
    financial = money_field("金融资产合计（元）", help_text="存款、有价证券、商业保险等")
    residential_count = count_field("住房（套）")
    commercial_count = count_field("商铺、办公等非住宅房产（处）")
    business_count = count_field("工商登记（个）")
    business_exempt = forms.BooleanField(
        label="均为经审核保留的小微经营",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    able_supporters = count_field("有履行能力的法定义务人（人）")

    CURRENT_FIELDS = ("current_programme", "current_amount")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index in range(1, VEHICLE_ROWS + 1):
            self.fields[f"vehicle{index}_kind"] = forms.ChoiceField(
                label=f"机动车 {index}",
                required=False,
                choices=[("", "无"), *_choices(h.VEHICLE_KINDS, VEHICLE_LABELS)],
                widget=_select(),
            )
            self.fields[f"vehicle{index}_value"] = money_field(f"机动车 {index} 价值（元）")
        for name, kind in EXPENSE_FIELDS.items():
            self.fields[name] = money_field(f"{EXPENSE_LABELS[kind]}（元）")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        programme, amount = cleaned.get("current_programme"), cleaned.get("current_amount")
        if programme and amount is None and "current_amount" not in self.errors:
            self.add_error("current_amount", "请填写现救助金额")
        if not programme and amount:
            self.add_error("current_programme", "请选择现享受的救助")
        for index in range(1, VEHICLE_ROWS + 1):
            if cleaned.get(f"vehicle{index}_value") and not cleaned.get(f"vehicle{index}_kind"):
                self.add_error(f"vehicle{index}_kind", "请选择车辆类型")
        return cleaned

    def wants_current(self) -> bool:
        return bool(self["current_programme"].value()) or any(
            name in self.errors for name in self.CURRENT_FIELDS
        )

    def vehicle_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"vehicle{index}_kind"], self[f"vehicle{index}_value"])
            for index in range(1, VEHICLE_ROWS + 1)
        ]

    def expense_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in EXPENSE_FIELDS]

    def household_part(self) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
        """(assets, expenses_12m, supporters) of the case format."""
        data = self.cleaned_data
        properties = [{"usage": "residential"}] * (data.get("residential_count") or 0) + [
            {"usage": "commercial"}
        ] * (data.get("commercial_count") or 0)
        vehicles = [
            {"kind": data[f"vehicle{index}_kind"], "value": data.get(f"vehicle{index}_value")}
            for index in range(1, VEHICLE_ROWS + 1)
            if data.get(f"vehicle{index}_kind")
        ]
        exempt = bool(data.get("business_exempt"))
        businesses = [
            {"kind": "micro_shop" if exempt else "individual", "exempt_after_review": exempt}
        ] * (data.get("business_count") or 0)
        assets = {
            "financial": data.get("financial"),
            "properties": properties,
            "vehicles": vehicles,
            "businesses": businesses,
        }
        expenses = {
            kind: data[name] for name, kind in EXPENSE_FIELDS.items() if data.get(name) is not None
        }
        supporters = [{"relation": "other", "able": True}] * (data.get("able_supporters") or 0)
        return assets, expenses, supporters

    def current(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("current_programme"):
            return None
        return {"programme": data["current_programme"], "amount": data.get("current_amount")}


class MemberForm(forms.Form):
    """One member of a household typed in; `birth_date` is left to the case parser."""

    name = forms.CharField(
        label="姓名（可选）",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label="出生日期",
        required=False,
        error_messages={"invalid": "日期格式应为 YYYY-MM-DD"},
        widget=_date_input(),
    )
    relation = forms.ChoiceField(
        label="与户主关系", choices=_choices(h.RELATIONS, RELATION_LABELS), widget=_select()
    )
    labor_ability = forms.ChoiceField(
        label="劳动能力",
        choices=_choices(h.LABOR_ABILITIES, LABOR_LABELS),
        initial="full",
        widget=_select(),
    )
    health = forms.ChoiceField(
        label="健康状况",
        choices=_choices(h.HEALTH, HEALTH_LABELS),
        initial="healthy",
        widget=_select(),
    )
    employment = forms.ChoiceField(
        label="就业状况",
        choices=_choices(h.EMPLOYMENT, EMPLOYMENT_LABELS),
        initial="none",
        widget=_select(),
    )
    is_student = forms.BooleanField(
        label="在校生",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    disability_grade = forms.TypedChoiceField(
        label="残疾等级",
        choices=list(DISABILITY_GRADE_LABELS.items()),
        coerce=int,
        initial=0,
        widget=_select(),
    )
    disability_kind = forms.ChoiceField(
        label="残疾类别",
        required=False,
        choices=[("", "无"), *_choices(h.DISABILITY_KINDS, DISABILITY_KIND_LABELS)],
        widget=_select(),
    )
    self_care = forms.MultipleChoiceField(
        label="不能自理的项目",
        required=False,
        choices=_choices(h.SELF_CARE_ITEMS, SELF_CARE_LABELS),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    excluded = forms.ChoiceField(
        label="不计入共同生活家庭的原因",
        required=False,
        choices=[("", "无（计入家庭）"), *_choices(h.EXCLUSIONS, EXCLUSION_LABELS)],
        widget=_select(),
    )

    DETAIL_FIELDS = ("disability_grade", "disability_kind", "self_care", "excluded")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, category in INCOME_FIELDS.items():
            self.fields[name] = money_field(INCOME_LABELS[category])

    def income_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in INCOME_FIELDS]

    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.DETAIL_FIELDS]

    def wants_details(self) -> bool:
        """Open the disability/self-care part when something is set or wrong there."""
        if any(name in self.errors for name in self.DETAIL_FIELDS):
            return True
        return self.is_bound and any(
            self[name].value() not in (None, "", "0", 0, []) for name in self.DETAIL_FIELDS
        )

    def as_case_member(self, key: str, number: int) -> dict[str, Any]:
        data = self.cleaned_data
        birth: dt.date | None = data.get("birth_date")
        return {
            "key": key,
            "name": data.get("name") or f"成员{number}",
            "birth_date": birth,
            "relation": data.get("relation"),
            "labor_ability": data.get("labor_ability"),
            "disability_grade": data.get("disability_grade") or 0,
            "disability_kind": data.get("disability_kind") or None,
            "health": data.get("health"),
            "is_student": bool(data.get("is_student")),
            "employment": data.get("employment"),
            "self_care_impossible": list(data.get("self_care") or []),
            "monthly_income": {
                category: data[name]
                for name, category in INCOME_FIELDS.items()
                if data.get(name) is not None
            },
            "excluded": data.get("excluded") or None,
        }


#: Relations a new row starts with (a typical household: head, spouse, children).
ROW_RELATIONS = ("head", "spouse")


def row_initial(index: int) -> dict[str, Any]:
    """What member row `index` starts with (a row left so is skipped as blank)."""
    return {"relation": ROW_RELATIONS[index] if index < len(ROW_RELATIONS) else "child"}


class BaseMemberFormSet(forms.BaseFormSet[MemberForm]):
    default_error_messages: ClassVar[dict[str, Any]] = {
        "missing_management_form": "成员表单的数据不完整，请刷新页面后重新填写。",
        "too_many_forms": f"家庭成员最多 {MAX_MEMBERS} 名。",
        "too_few_forms": "至少需要一名家庭成员。",
    }

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        if index is not None:
            kwargs["initial"] = row_initial(index)
        return kwargs

    def add_fields(self, form: MemberForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "不计入本次试算（删除此行）"
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


MemberFormSet = forms.formset_factory(
    MemberForm,
    formset=BaseMemberFormSet,
    extra=START_MEMBERS,
    max_num=MAX_MEMBERS,
    absolute_max=MAX_MEMBERS,
    validate_max=True,
    can_delete=True,
)
MEMBER_PREFIX = "members"
CASE_PREFIX = "case"


class RegisteredForm(ProgrammeForm):
    """A household of the registry, by its household number or its system number."""

    household = forms.CharField(
        label="家庭编号",
        max_length=30,
        help_text="填写家庭编号（可在“家庭查询”中查到），或系统编号。",
        error_messages={"required": "请填写家庭编号"},
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "autocomplete": "off",
                "data-testid": "trial-household",
            }
        ),
    )

    def clean_household(self) -> str:
        return str(self.cleaned_data["household"]).strip()


# -- the case structure from the forms -----------------------------------------


@dataclass
class ManualForms:
    form: CaseForm
    members: forms.BaseFormSet[MemberForm]
    #: Form index of each member of the case, in case order (`members[i]` of a CaseError).
    rows: list[int] = field(default_factory=list)

    def is_valid(self) -> bool:
        form_ok = self.form.is_valid()
        members_ok = self.members.is_valid()
        return form_ok and members_ok

    def member_forms(self) -> list[MemberForm]:
        return list(self.members.forms)

    def filled_rows(self) -> list[int]:
        """Rows typed in and not marked for deletion (blank rows are skipped)."""
        rows = []
        for index, member in enumerate(self.members.forms):
            if not member.has_changed():
                continue
            if member.cleaned_data.get("DELETE"):
                continue
            rows.append(index)
        return rows

    def case(self, parameters: str) -> dict[str, Any] | None:
        """The case structure, or None after putting a form error in place."""
        self.rows = self.filled_rows()
        data = self.form.cleaned_data
        applicant = ""
        number = data.get("applicant")
        if number is not None:
            if number - 1 not in self.rows:
                self.form.add_error("applicant", f"第 {number} 名成员未填写，不能作为申请人")
                return None
            applicant = f"m{number}"
        forms_ = self.member_forms()
        assets, expenses, supporters = self.form.household_part()
        case: dict[str, Any] = {
            "name": "页面试算",
            "as_of": data["as_of"],
            "parameters": parameters,
            "programme": data["programme"],
            "household": {
                "members": [
                    forms_[index].as_case_member(f"m{index + 1}", index + 1) for index in self.rows
                ],
                "assets": assets,
                "expenses_12m": expenses,
                "supporters": supporters,
            },
        }
        if applicant:
            case["applicant"] = applicant
        current = self.form.current()
        if current is not None:
            case["current"] = current
        request = self.form.aid_request()
        if request is not None:
            case["request"] = request
        return case


def manual_forms(data: QueryDict | None) -> ManualForms:
    return ManualForms(
        form=CaseForm(data, prefix=CASE_PREFIX),
        members=MemberFormSet(data, prefix=MEMBER_PREFIX),
    )


def with_one_more_member(data: QueryDict) -> QueryDict:
    """The posted data with one more member row, holding the values a blank row starts with
    (so that it is still skipped as blank when the household is assessed)."""
    data = data.copy()
    key = f"{MEMBER_PREFIX}-TOTAL_FORMS"
    try:
        total = max(int(data.get(key) or 0), 0)
    except ValueError:
        total = 0
    if total >= MAX_MEMBERS:
        return data
    blank = MemberForm(prefix=f"{MEMBER_PREFIX}-{total}", initial=row_initial(total))
    for bound in blank:
        value = bound.value()
        if isinstance(value, list | tuple):
            data.setlist(bound.html_name, [str(item) for item in value])
        elif value is not None:
            data[bound.html_name] = str(value)
    data[key] = str(total + 1)
    return data


def quiet(manual: ManualForms) -> None:
    """Validate without showing errors (a row was added, nothing was submitted yet)."""
    for form in [manual.form, *manual.members.forms]:
        form.errors.clear()


def region_parameters(user: Any) -> str:
    """The parameter set of a household typed in: the user's own region (else the demo set)."""
    division = getattr(user, "division", None)
    code = str(getattr(division, "code", "") or "")[:12]
    return code if code.isdigit() else "demo"


# -- a CaseError back onto the form ------------------------------------------------


MEMBER_PATH = re.compile(r"^household\.members\[(\d+)\](?:\.(\w+))?(?:[.\[](\w+))?")
MEMBER_KEY = re.compile(r"(?<![A-Za-z0-9_])m(\d+)(?![A-Za-z0-9_])")


def _label(segment: str) -> str:
    return FIELD_LABELS.get(segment) or segment


def describe_path(path: str, rows: list[int]) -> str:
    """`household.members[1].birth_date` → 第 2 名成员 · 出生日期 (the row as the user sees it)."""
    parts: list[str] = []
    for match in re.finditer(r"([A-Za-z_0-9]+)|\[(\d+)\]", path):
        name, index = match.group(1), match.group(2)
        if index is not None:
            position = int(index)
            if parts and parts[-1] == FIELD_LABELS["members"]:
                number = rows[position] + 1 if position < len(rows) else position + 1
                parts[-1] = f"第 {number} 名成员"
            else:
                parts[-1] = f"{parts[-1]}第 {position + 1} 项" if parts else f"第 {position + 1} 项"
        elif name == "household" and parts == []:
            continue
        else:
            parts.append(_label(name))
    return " · ".join(parts) or path


def problem_text(exc: CaseError, *, typed_in: bool) -> str:
    """What is wrong, without the path (the field or the location says where)."""
    path = exc.field
    leaf = path.rsplit(".", 1)[-1].split("[", 1)[0]
    label = FIELD_LABELS.get(leaf)
    where = f"{path}（{label}）" if label else path
    problem = exc.message.removeprefix(f"{where}：")

    def member(match: re.Match[str]) -> str:
        return f"第 {match.group(1)} 名成员"

    # the keys of a household typed in are m1, m2 … after the rows: say which row
    return MEMBER_KEY.sub(member, problem) if typed_in else problem


TOP_FIELDS = {
    "as_of": "as_of",
    "programme": "programme",
    "applicant": "applicant",
    "current": "current_programme",
    "current.programme": "current_programme",
    "current.amount": "current_amount",
    "request": "aid_amount",
    "request.amount": "aid_amount",
    "request.cause": "aid_cause",
    "request.kind": "aid_kind",
    "household.assets.financial": "financial",
    "household.assets.businesses": "business_count",
    "household.supporters": "able_supporters",
}


def _case_form_field(path: str) -> str | None:
    if path in TOP_FIELDS:
        return TOP_FIELDS[path]
    if path.startswith("household.assets.properties"):
        return "residential_count"
    if path.startswith("household.assets.businesses"):
        return "business_count"
    if path.startswith("household.supporters"):
        return "able_supporters"
    vehicle = re.match(r"^household\.assets\.vehicles\[(\d+)\](?:\.(kind|value))?", path)
    if vehicle and int(vehicle.group(1)) < VEHICLE_ROWS:
        return f"vehicle{int(vehicle.group(1)) + 1}_{vehicle.group(2) or 'kind'}"
    expense = re.match(r"^household\.expenses_12m\.(\w+)", path)
    if expense:
        return f"expense_{expense.group(1)}"
    return None


def _member_field(name: str | None, sub: str | None) -> str | None:
    if name == "monthly_income" and sub:
        return f"income_{sub}"
    if name == "self_care_impossible":
        return "self_care"
    return name


def place_case_error(forms_: ManualForms | None, form: ProgrammeForm, exc: CaseError) -> str:
    """Attach `exc` to the field it names (when the page has one); the sentence for the top."""
    rows = forms_.rows if forms_ is not None else []
    problem = problem_text(exc, typed_in=forms_ is not None)
    where = describe_path(exc.field, rows)
    path = exc.field
    if forms_ is not None:
        match = MEMBER_PATH.match(path)
        if match and int(match.group(1)) < len(rows):
            member = forms_.members.forms[rows[int(match.group(1))]]
            name = _member_field(match.group(2), match.group(3))
            member.add_error(name if name in member.fields else None, problem)
            return f"{where}：{problem}"
        if path.startswith("household.members") or path == "household":
            forms_.members.non_form_errors().append(problem)
            return f"{where}：{problem}"
    name = _case_form_field(path)
    form.add_error(name if name in form.fields else None, problem)
    return f"{where}：{problem}"


def mark_invalid(form: forms.Form) -> None:
    """Bootstrap's red border on the fields that carry an error."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            classes = widget.attrs.get("class", "")
            if "is-invalid" not in classes:
                widget.attrs["class"] = f"{classes} is-invalid".strip()

"""Forms of the casework screens: intake (受理), a workflow step, the worklist filters.

The forms check types and ranges and say what is missing in Chinese; whether a
case may be opened or a step taken is the services' (and the workflow's) call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.http import QueryDict

from jiuzhu.accounts.models import User
from jiuzhu.casework import selectors
from jiuzhu.casework.models import Channel
from jiuzhu.core import clock
from jiuzhu.divisions.models import Division
from jiuzhu.domain.identity import IdNumberError, normalise
from jiuzhu.domain.policy.vocabulary import (
    AID_CAUSE_LABELS,
    AID_KIND_LABELS,
    DISABILITY_GRADE_LABELS,
)
from jiuzhu.registry.models import DisabilityKind, Employment, Health, LaborAbility, Relation
from jiuzhu.registry.selectors import community_options
from jiuzhu.registry.services import (
    MAX_MEMBERS,
    HouseholdRefused,
    NewMember,
    registrable_communities,
    registrable_grids,
    resident_id,
)

TEMP_AID = "temp_aid"
MAX_MATERIALS = 30
MAX_MATERIAL_LENGTH = 100
MAX_REASON = 1000

CONTROL = {"class": "form-control"}
SELECT = {"class": "form-select"}
CHECK = {"class": "form-check-input"}


def _attrs(base: dict[str, str], testid: str, **extra: str) -> dict[str, str]:
    return {**base, "data-testid": testid, **extra}


class ProxyWorkerField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        division = obj.division.name if obj.division is not None else ""
        return f"{obj}（{obj.role_label}{'，' + division if division else ''}）"


#: Whose application: a household of the registry, or one entered here (新家庭登记).
REGISTERED = "registered"
NEW = "new"
HOUSEHOLD_KINDS = [(REGISTERED, "在册家庭"), (NEW, "新家庭")]


def household_kind(data: Any) -> str:
    """The kind of household a posted intake is for (a registered one unless it says new)."""
    return NEW if data is not None and data.get("household_kind") == NEW else REGISTERED


class IntakeForm(forms.Form):
    household_kind = forms.ChoiceField(
        label="申请家庭",
        choices=HOUSEHOLD_KINDS,
        initial=REGISTERED,
        required=False,
        help_text="家庭信息库中还没有该家庭的，选“新家庭”并在下方登记家庭和成员。",
        error_messages={"invalid_choice": "请选择在册家庭或新家庭"},
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    household = forms.CharField(
        label="家庭编号（在册家庭）",
        max_length=30,
        required=False,
        help_text="填写家庭编号（可在“家庭查询”中查到），或系统编号。",
        widget=forms.TextInput(attrs=_attrs(CONTROL, "intake-household", autocomplete="off")),
    )
    programme = forms.ChoiceField(
        label="救助项目",
        error_messages={
            "required": "请选择救助项目",
            "invalid_choice": "所选救助项目尚无办理流程",
        },
        widget=forms.Select(attrs=_attrs(SELECT, "intake-programme")),
    )
    channel = forms.ChoiceField(
        label="申请渠道",
        choices=Channel.choices,
        initial=Channel.WINDOW,
        error_messages={"required": "请选择申请渠道", "invalid_choice": "未知的申请渠道"},
        widget=forms.Select(attrs=_attrs(SELECT, "intake-channel")),
    )
    proxy_worker = ProxyWorkerField(
        label="帮办代办人",
        queryset=User.objects.none(),
        required=False,
        empty_label="（非帮办代办可不选）",
        help_text="申请渠道为“帮办代办”时必选：帮助申请人办理的工作人员。",
        error_messages={"invalid_choice": "所选帮办代办人不在您的辖区内"},
        widget=forms.Select(attrs=_attrs(SELECT, "intake-proxy")),
    )
    commitment_signed = forms.BooleanField(
        label="申请人已签署告知承诺书",
        error_messages={"required": "须由申请人签署告知承诺书"},
        widget=forms.CheckboxInput(attrs=_attrs(CHECK, "intake-commitment")),
    )
    data_check_authorised = forms.BooleanField(
        label="已签署家庭经济状况核对授权书",
        error_messages={"required": "须由申请人签署家庭经济状况核对授权书"},
        widget=forms.CheckboxInput(attrs=_attrs(CHECK, "intake-authorised")),
    )
    staff_relative = forms.BooleanField(
        label="申请人为经办人员或村（居）委会干部的近亲属",
        required=False,
        widget=forms.CheckboxInput(attrs=_attrs(CHECK, "intake-staff-relative")),
    )
    staff_relative_note = forms.CharField(
        label="近亲属说明",
        max_length=200,
        required=False,
        help_text="近亲属申请须备案：写明与哪位工作人员是何种亲属关系。",
        widget=forms.TextInput(attrs=_attrs(CONTROL, "intake-staff-note")),
    )
    missing_materials = forms.CharField(
        label="一次性告知的补正材料",
        required=False,
        help_text="材料不齐时，一次性列出需补正的全部材料，每行一项；材料齐全则留空。",
        widget=forms.Textarea(attrs=_attrs(CONTROL, "intake-materials", rows="3")),
    )
    aid_amount = forms.DecimalField(
        label="申请金额（元）",
        required=False,
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
        error_messages={
            "invalid": "请填写金额（最多两位小数）",
            "min_value": "申请金额应大于 0",
            "max_decimal_places": "金额最多两位小数",
            "max_digits": "金额过大",
            "max_whole_digits": "金额过大",
        },
        widget=forms.TextInput(attrs=_attrs(CONTROL, "intake-aid-amount", inputmode="decimal")),
    )
    aid_cause = forms.ChoiceField(
        label="困难事由",
        required=False,
        choices=[("", "请选择"), *AID_CAUSE_LABELS.items()],
        error_messages={"invalid_choice": "未知的困难事由"},
        widget=forms.Select(attrs=_attrs(SELECT, "intake-aid-cause")),
    )
    aid_kind = forms.ChoiceField(
        label="救助类型",
        required=False,
        choices=list(AID_KIND_LABELS.items()),
        initial="emergency",
        error_messages={"invalid_choice": "未知的救助类型"},
        widget=forms.Select(attrs=_attrs(SELECT, "intake-aid-kind")),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["programme"].choices = [("", "请选择"), *selectors.programme_choices()]  # type: ignore[attr-defined]
        proxy = self.fields["proxy_worker"]
        assert isinstance(proxy, ProxyWorkerField)
        proxy.queryset = selectors.proxy_worker_options(user)
        if getattr(user, "role", "") == "community_worker":
            proxy.initial = user.pk

    def clean_household(self) -> str:
        return str(self.cleaned_data["household"]).strip()

    def clean_missing_materials(self) -> list[str]:
        lines = [
            " ".join(line.split()) for line in self.cleaned_data["missing_materials"].split("\n")
        ]
        items = [line for line in lines if line]
        if len(items) > MAX_MATERIALS:
            raise forms.ValidationError(f"补正材料最多 {MAX_MATERIALS} 项")
        too_long = [item for item in items if len(item) > MAX_MATERIAL_LENGTH]
        if too_long:
            raise forms.ValidationError(f"每项材料不超过 {MAX_MATERIAL_LENGTH} 个字")
        return items

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["household_kind"] = data.get("household_kind") or REGISTERED
        if (
            data["household_kind"] == REGISTERED
            and not data.get("household")
            and "household" not in self.errors
        ):
            self.add_error("household", "请填写申请家庭的家庭编号")
        if data.get("channel") == Channel.PROXY and not data.get("proxy_worker"):
            self.add_error("proxy_worker", "帮办代办须选择帮办的工作人员")
        if data.get("staff_relative") and not str(data.get("staff_relative_note", "")).strip():
            self.add_error("staff_relative_note", "近亲属申请须说明亲属关系")
        if data.get("programme") == TEMP_AID:
            if data.get("aid_amount") is None and "aid_amount" not in self.errors:
                self.add_error("aid_amount", "临时救助须填写申请金额")
            if not data.get("aid_cause") and "aid_cause" not in self.errors:
                self.add_error("aid_cause", "临时救助须选择困难事由")
        return data

    def request_data(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if data.get("programme") != TEMP_AID:
            return None
        return {
            "amount": str(data["aid_amount"]),
            "cause": data["aid_cause"],
            "kind": data.get("aid_kind") or "emergency",
        }


# -- a new household (新家庭登记) ---------------------------------------------------


class GridField(forms.ModelChoiceField[Division]):
    def label_from_instance(self, obj: Division) -> str:
        return obj.name


class NewHouseholdForm(forms.Form):
    """Where a household not yet in the registry lives; its members come in `members`."""

    community = forms.ModelChoiceField(
        label="社区/村",
        queryset=Division.objects.none(),
        empty_label="请选择社区/村",
        error_messages={
            "required": "请选择新家庭所在的社区/村",
            "invalid_choice": "所选社区/村不在您的辖区内",
        },
        widget=forms.Select(attrs=_attrs(SELECT, "new-community")),
    )
    grid = GridField(
        label="网格（可选）",
        queryset=Division.objects.none(),
        required=False,
        empty_label="（不指定网格）",
        error_messages={"invalid_choice": "所选网格不在您的辖区内"},
        widget=forms.Select(attrs=_attrs(SELECT, "new-grid")),
    )
    address = forms.CharField(
        label="住址",
        max_length=200,
        error_messages={"required": "请填写新家庭的住址", "max_length": "住址不超过 200 个字"},
        widget=forms.TextInput(attrs=_attrs(CONTROL, "new-address", autocomplete="off")),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community = self.fields["community"]
        assert isinstance(community, forms.ModelChoiceField)
        community.queryset = registrable_communities(user)
        grid = self.fields["grid"]
        assert isinstance(grid, GridField)
        grid.queryset = registrable_grids(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        community, grid = data.get("community"), data.get("grid")
        if community is not None and grid is not None and grid.parent_id != community.pk:
            self.add_error("grid", "所选网格不属于该社区/村")
        return data


def _member_select(testid: str) -> forms.Select:
    return forms.Select(attrs=_attrs(SELECT, testid))


class NewMemberForm(forms.Form):
    """One member of a new household; the ID number is checked by the registry service."""

    name = forms.CharField(
        label="姓名",
        max_length=50,
        error_messages={"required": "请填写姓名", "max_length": "姓名不超过 50 个字"},
        widget=forms.TextInput(attrs=_attrs(CONTROL, "member-name", autocomplete="off")),
    )
    id_number = forms.CharField(
        label="身份证号",
        max_length=24,
        help_text="18位，出生日期和性别由身份证号得出。",
        error_messages={"required": "请填写身份证号", "max_length": "身份证号应为18位"},
        widget=forms.TextInput(attrs=_attrs(CONTROL, "member-id-number", autocomplete="off")),
    )
    relation = forms.ChoiceField(
        label="与户主关系",
        choices=Relation.choices,
        error_messages={"required": "请选择与户主关系", "invalid_choice": "未知的与户主关系"},
        widget=_member_select("member-relation"),
    )
    labor_ability = forms.ChoiceField(
        label="劳动能力",
        choices=LaborAbility.choices,
        initial=LaborAbility.FULL,
        error_messages={"required": "请选择劳动能力", "invalid_choice": "未知的劳动能力"},
        widget=_member_select("member-labor"),
    )
    health = forms.ChoiceField(
        label="健康状况",
        choices=Health.choices,
        initial=Health.HEALTHY,
        error_messages={"required": "请选择健康状况", "invalid_choice": "未知的健康状况"},
        widget=_member_select("member-health"),
    )
    employment = forms.ChoiceField(
        label="就业状况",
        choices=Employment.choices,
        initial=Employment.NONE,
        error_messages={"required": "请选择就业状况", "invalid_choice": "未知的就业状况"},
        widget=_member_select("member-employment"),
    )
    disability_grade = forms.TypedChoiceField(
        label="残疾等级",
        choices=list(DISABILITY_GRADE_LABELS.items()),
        coerce=int,
        initial=0,
        error_messages={"invalid_choice": "未知的残疾等级"},
        widget=_member_select("member-disability-grade"),
    )
    disability_kind = forms.ChoiceField(
        label="残疾类别",
        choices=DisabilityKind.choices,
        required=False,
        error_messages={"invalid_choice": "未知的残疾类别"},
        widget=_member_select("member-disability-kind"),
    )
    is_student = forms.BooleanField(
        label="在校生",
        required=False,
        widget=forms.CheckboxInput(attrs=_attrs(CHECK, "member-student")),
    )
    phone = forms.CharField(
        label="联系电话（可选）",
        max_length=20,
        required=False,
        error_messages={"max_length": "联系电话过长"},
        widget=forms.TextInput(
            attrs=_attrs(CONTROL, "member-phone", autocomplete="off", inputmode="tel")
        ),
    )

    def clean_id_number(self) -> str:
        number = normalise("".join(str(self.cleaned_data["id_number"]).split()))
        try:
            resident_id(number, clock.today())
        except IdNumberError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        return number

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        grade, kind = data.get("disability_grade"), data.get("disability_kind")
        if grade and not kind and "disability_kind" not in self.errors:
            self.add_error("disability_kind", "有残疾等级的，请选择残疾类别")
        if kind and grade == 0:
            self.add_error("disability_grade", "有残疾类别的，请选择残疾等级")
        return data

    def as_new_member(self) -> NewMember:
        data = self.cleaned_data
        return NewMember(
            name=data["name"],
            id_number=data["id_number"],
            relation=data["relation"],
            labor_ability=data["labor_ability"],
            health=data["health"],
            employment=data["employment"],
            disability_grade=int(data.get("disability_grade") or 0),
            disability_kind=data.get("disability_kind") or "",
            is_student=bool(data.get("is_student")),
            phone=data.get("phone") or "",
        )


def member_row_initial(index: int) -> dict[str, Any]:
    """What member row `index` starts with: the first is the head, the next the spouse."""
    relation = (Relation.HEAD, Relation.SPOUSE)[index] if index < 2 else Relation.CHILD
    return {"relation": relation}


class BaseNewMemberFormSet(forms.BaseFormSet[NewMemberForm]):
    default_error_messages: ClassVar[dict[str, Any]] = {
        "missing_management_form": "成员表单的数据不完整，请刷新页面后重新填写。",
        "too_many_forms": f"家庭成员最多 {MAX_MEMBERS} 名。",
        "too_few_forms": "请至少填写一名家庭成员（户主）。",
    }

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        if index is not None:
            kwargs["initial"] = member_row_initial(index)
        return kwargs

    def filled(self) -> list[int]:
        """Rows typed in (a row left as it started is skipped)."""
        return [index for index, form in enumerate(self.forms) if form.has_changed()]

    def clean(self) -> None:
        if any(self.errors):
            return
        rows = self.filled()
        if not rows:
            raise forms.ValidationError("请至少填写一名家庭成员（户主）。")
        heads = [i for i in rows if self.forms[i].cleaned_data.get("relation") == Relation.HEAD]
        if not heads:
            raise forms.ValidationError("请指定一名户主（与户主关系选“户主”）。")
        for extra in heads[1:]:
            self.forms[extra].add_error("relation", "一户只能有一名户主")
        seen: dict[str, int] = {}
        for index in rows:
            number = self.forms[index].cleaned_data.get("id_number") or ""
            first = seen.setdefault(number, index)
            if first != index:
                self.forms[index].add_error("id_number", f"身份证号与成员 {first + 1} 相同")


NewMemberFormSet = forms.formset_factory(
    NewMemberForm,
    formset=BaseNewMemberFormSet,
    extra=1,
    max_num=MAX_MEMBERS,
    absolute_max=MAX_MEMBERS,
    validate_max=True,
)
MEMBER_PREFIX = "members"


@dataclass
class NewHouseholdForms:
    """The new-household part of the intake page: where it lives and its members."""

    form: NewHouseholdForm
    members: BaseNewMemberFormSet
    rows: list[int] = field(default_factory=list)

    def is_valid(self) -> bool:
        form_ok = self.form.is_valid()
        members_ok = self.members.is_valid()
        return form_ok and members_ok

    def new_members(self) -> list[NewMember]:
        """The rows typed in, in order (remembered, to put a refusal back on its row)."""
        self.rows = self.members.filled()
        return [self.members.forms[index].as_new_member() for index in self.rows]

    def can_add_member(self) -> bool:
        return self.members.total_form_count() < MAX_MEMBERS

    def place(self, exc: HouseholdRefused) -> None:
        """Put the registry's refusal next to the field it names."""
        if exc.row is not None and exc.row < len(self.rows):
            member = self.members.forms[self.rows[exc.row]]
            member.add_error(exc.field if exc.field in member.fields else None, exc.problem)
        elif exc.field in self.form.fields:
            self.form.add_error(exc.field, exc.message)
        else:
            self.members.non_form_errors().append(exc.message)

    def quiet(self) -> None:
        """Bound but not yet submitted (a row was added): no errors shown."""
        for form in [self.form, *self.members.forms]:
            form.errors.clear()
        self.members.non_form_errors().clear()

    def has_errors(self) -> bool:
        if not self.form.is_bound:
            return False
        return bool(
            self.form.errors
            or self.members.non_form_errors()
            or any(form.errors for form in self.members.forms)
        )

    def invalid_marks(self) -> list[forms.Form]:
        return [self.form, *self.members.forms]


def new_household_forms(data: QueryDict | None, *, user: Any) -> NewHouseholdForms:
    members = NewMemberFormSet(data, prefix=MEMBER_PREFIX)
    assert isinstance(members, BaseNewMemberFormSet)
    return NewHouseholdForms(form=NewHouseholdForm(data, user=user), members=members)


def with_one_more_member(data: QueryDict) -> QueryDict:
    """The posted intake with one more (blank) member row, and the new household chosen."""
    data = data.copy()
    data["household_kind"] = NEW
    key = f"{MEMBER_PREFIX}-TOTAL_FORMS"
    try:
        total = min(max(int(data.get(key) or 0), 0), MAX_MEMBERS)
    except ValueError:
        total = 0
    if total >= MAX_MEMBERS:
        return data
    blank = NewMemberForm(prefix=f"{MEMBER_PREFIX}-{total}", initial=member_row_initial(total))
    for bound in blank:
        value = bound.value()
        if value is not None and value is not False:
            data[bound.html_name] = str(value)
    data[key] = str(total + 1)
    data.setdefault(f"{MEMBER_PREFIX}-INITIAL_FORMS", "0")
    return data


class StepForm(forms.Form):
    """One workflow step as posted by a button of the case page."""

    action = forms.CharField(max_length=40)
    version = forms.IntegerField(min_value=1)
    reason = forms.CharField(
        max_length=MAX_REASON,
        required=False,
        error_messages={"max_length": f"理由不超过 {MAX_REASON} 字"},
    )


class RecordForm(forms.Form):
    requirement = forms.CharField(max_length=40)
    version = forms.IntegerField(min_value=1)


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1)


SORT_CHOICES = [
    (selectors.SORT_DUE, "按办理期限"),
    (selectors.SORT_CASE_NO, "按申请编号"),
    (selectors.SORT_RECEIVED, "按受理时间（新的在前）"),
]
TAB_CHOICES = [
    (selectors.TAB_TODO, "我的待办"),
    (selectors.TAB_DUE_SOON, "即将到期"),
    (selectors.TAB_OVERDUE, "已超期"),
    (selectors.TAB_ALL, "全部"),
    (selectors.TAB_SUMMARY, "环节与经办人汇总"),
]


class WorklistForm(forms.Form):
    """The worklist's filters (GET): invalid values fall back to the defaults."""

    tab = forms.ChoiceField(choices=TAB_CHOICES, required=False)
    programme = forms.ChoiceField(
        label="救助项目",
        required=False,
        widget=forms.Select(attrs=_attrs(SELECT, "filter-programme")),
    )
    state = forms.ChoiceField(
        label="当前环节",
        required=False,
        widget=forms.Select(attrs=_attrs(SELECT, "filter-state")),
    )
    community = forms.ModelChoiceField(
        label="社区/村",
        queryset=Division.objects.none(),
        required=False,
        empty_label="全部社区/村",
        widget=forms.Select(attrs=_attrs(SELECT, "filter-community")),
    )
    sort = forms.ChoiceField(
        label="排序",
        choices=SORT_CHOICES,
        required=False,
        widget=forms.Select(attrs=_attrs(SELECT, "filter-sort")),
    )
    days = forms.IntegerField(
        label="即将到期（工作日内）",
        required=False,
        min_value=0,
        max_value=30,
        widget=forms.NumberInput(
            attrs=_attrs(
                CONTROL,
                "filter-days",
                min="0",
                max="30",
                placeholder=str(selectors.DEFAULT_SOON_DAYS),
            )
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [("", "全部项目"), *selectors.programme_choices()]  # type: ignore[attr-defined]
        self.fields["state"].choices = [("", "全部环节"), *selectors.state_choices()]  # type: ignore[attr-defined]
        community = self.fields["community"]
        assert isinstance(community, forms.ModelChoiceField)
        community.queryset = community_options(user)

    def filters(self) -> selectors.WorklistFilter:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        days = data.get("days")
        return selectors.WorklistFilter(
            tab=data.get("tab") or selectors.TAB_TODO,
            programme=data.get("programme") or "",
            state=data.get("state") or "",
            community=data.get("community"),
            sort=data.get("sort") or selectors.SORT_DUE,
            soon_days=selectors.DEFAULT_SOON_DAYS if days is None else int(days),
        )


class ExportForm(forms.Form):
    reason = forms.CharField(
        label="导出用途",
        min_length=4,
        max_length=200,
        error_messages={"required": "请填写导出用途", "min_length": "导出用途至少 4 个字"},
        widget=forms.TextInput(attrs=_attrs(CONTROL, "export-reason")),
    )

    def clean_reason(self) -> str:
        reason = " ".join(str(self.cleaned_data["reason"]).split())
        if len(reason) < 4:
            raise forms.ValidationError("导出用途至少 4 个字")
        return reason

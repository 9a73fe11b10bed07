"""Forms of the casework screens: intake (受理), a workflow step, the worklist filters.

The forms check types and ranges and say what is missing in Chinese; whether a
case may be opened or a step taken is the services' (and the workflow's) call.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from jiuzhu.accounts.models import User
from jiuzhu.casework import selectors
from jiuzhu.casework.models import Channel
from jiuzhu.divisions.models import Division
from jiuzhu.domain.policy.vocabulary import AID_CAUSE_LABELS, AID_KIND_LABELS
from jiuzhu.registry.selectors import community_options

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


class IntakeForm(forms.Form):
    household = forms.CharField(
        label="家庭",
        max_length=30,
        help_text="填写家庭编号（可在“家庭查询”中查到），或系统编号。",
        error_messages={"required": "请填写申请家庭的家庭编号"},
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
